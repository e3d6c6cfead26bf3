//! The pass (通行证) as its pages show it.

use crate::domain::DocumentType;
use crate::validation::identity::IdentityForm;
use crate::validation::Ctx;
use serde::{Deserialize, Serialize};

/// Who is signed in, for the page header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub verified: bool,
}

/// 我的通行证: the pass as its owner sees it (e-mail and number masked) and the edit form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassView {
    pub ctx: Ctx,
    pub email: String,
    pub verified: bool,
    pub neea_id: String,
    /// `None` only for a corrupt stored code; the page puts the type into words.
    pub doc_type: Option<DocumentType>,
    pub masked_number: String,
    pub name: String,
    /// A registration is locked: the identity can no longer change.
    pub locked: bool,
    pub edit: IdentityForm,
}
