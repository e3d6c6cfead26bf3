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

use crate::domain::DocumentType;

/// 证件类型 in words; a stored code no rule knows (corrupt data) is said to be unknown, never
/// shown as some other type.
pub(crate) fn doc_type_words(t: Option<DocumentType>) -> &'static str {
    t.map(DocumentType::label_zh).unwrap_or("（未知证件类型）")
}
