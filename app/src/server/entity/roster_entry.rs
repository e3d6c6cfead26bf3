//! One student on one site's 学籍库 (migration 11): found by the keyed hash of the document
//! (`pass.doc_number_hash` is the same hash), one row per site and document.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_entry")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_code: String,
    pub doc_type: String,
    pub doc_number_hash: String,
    /// The number as lists show it (`domain::document::mask`); the number itself is not kept.
    pub doc_masked: String,
    pub name: String,
    /// 民族 by its code, when the roster gives it.
    pub ethnicity: Option<String>,
    pub department: Option<String>,
    pub major: Option<String>,
    pub class_name: Option<String>,
    pub student_no: Option<String>,
    /// The upload that last wrote it.
    pub upload_id: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
