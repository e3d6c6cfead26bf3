//! Building blocks shared by the pages: layout, fields, the error summary, form state.

pub mod client;
pub mod error_summary;
pub mod field;
pub mod form;
pub mod layout;
pub mod photo_facts;
pub mod remote;
