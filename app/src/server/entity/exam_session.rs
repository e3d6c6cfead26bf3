use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub number: i32,
    pub name: String,
    pub province_code: String,
    pub ticket_print_starts_at: Option<DateTimeUtc>,
    /// The exam's first and last day (migration 8).
    pub exam_first_day: Option<Date>,
    pub exam_last_day: Option<Date>,
}

impl ActiveModelBehavior for ActiveModel {}
