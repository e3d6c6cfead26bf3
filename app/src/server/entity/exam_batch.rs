//! An exam batch (场次) of a site in a session (migration 12).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_batch")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub session_id: i32,
    pub site_code: String,
    /// 1..=99, unique in the site and session: two digits of the ticket number.
    pub number: i32,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// The subject codes sat in it, comma-separated.
    pub subjects: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
