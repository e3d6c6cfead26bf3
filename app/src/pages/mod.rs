//! One module per screen.

pub mod agreement;
pub mod delete;
pub mod home;
pub mod info;
pub mod not_found;
pub mod pass;
pub mod pay;
pub mod photo;
pub mod staff;
pub mod status;
pub mod subjects;
