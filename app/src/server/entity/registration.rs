//! A registration draft of one browser session for one exam session. The document number
//! is kept in full here until accounts arrive with encryption at rest (issue 4).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub web_session_id: i32,
    pub session_id: i32,
    pub agreement_accepted_at: Option<DateTimeUtc>,
    pub doc_type: Option<String>,
    pub doc_number: Option<String>,
    pub name: Option<String>,
    pub identity_notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
