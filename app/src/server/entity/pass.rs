//! A pass account (通行证). Its `Debug` shows only the hash and the sealed number, never
//! a password or a document number in clear.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pass")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub email: String,
    /// Lower-case e-mail: one pass per address.
    #[sea_orm(unique)]
    pub email_key: String,
    pub email_verified_at: Option<DateTimeUtc>,
    pub password_hash: String,
    pub doc_type: String,
    /// Sealed (`crypto::DataKey::seal`, purpose `pass.doc_number`).
    pub doc_number: String,
    /// Keyed hash of type and number: one pass per document.
    #[sea_orm(unique)]
    pub doc_number_hash: String,
    /// The keyed hash of its masked form (`DataKey::masked_hash`, migration 10): how 考生查询
    /// finds `6501**********002X` without opening any number.
    pub doc_masked_hash: Option<String>,
    pub name: String,
    #[sea_orm(unique)]
    pub neea_id: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
