//! One module per screen.

pub mod agreement;
pub mod home;
pub mod identity;
pub mod not_found;
pub mod pass;
pub mod summary;
