use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "site_offering")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub session_id: i32,
    pub site_code: String,
    pub window_opens_at: DateTimeUtc,
    pub window_closes_at: DateTimeUtc,
    pub max_subjects: i16,
}

impl ActiveModelBehavior for ActiveModel {}
