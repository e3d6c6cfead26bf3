//! Domain types that parse on construction. A value of one of these types is valid by
//! construction. Nothing here imports leptos or sea-orm: this module compiles unchanged into
//! the WASM client and the server, which is what makes the verdicts identical.

pub mod arrangement;
pub mod codes;
pub mod contact;
pub mod date;
pub mod document;
pub mod message;
pub mod national_id;
pub mod password;
pub mod person_name;
pub mod photo;
pub mod photo_facts;
pub mod region;
pub mod text;

pub use date::{Date, Minute};
pub use document::{DocumentError, DocumentNumber, DocumentType, Gender};
pub use message::{Lang, Problem};
pub use person_name::PersonName;
pub use text::Normalization;
