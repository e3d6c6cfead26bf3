//! The registration of one pass for one exam session.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pass_id: i32,
    pub session_id: i32,
    pub agreement_accepted_at: Option<DateTimeUtc>,
    pub doc_type: Option<String>,
    /// Sealed (`crypto::DataKey::seal`, purpose `registration.doc_number`).
    pub doc_number: Option<String>,
    /// Keyed hash of type and number, for lookups.
    pub doc_number_hash: Option<String>,
    pub name: Option<String>,
    pub identity_notes: Option<String>,
    /// REGISTRATION.md rule 4: locked when review is asked for or payment starts.
    pub locked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
