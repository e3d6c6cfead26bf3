//! 考试通告 (no site) and 考点通告 (one site) of an exam session.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notice")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub slug: String,
    pub session_id: i32,
    pub site_code: Option<String>,
    pub title: String,
    pub body: String,
    pub published_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
