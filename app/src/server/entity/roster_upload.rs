//! One uploaded 学籍库 file between its check and the staff's decision (migration 11).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "roster_upload")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_code: String,
    pub staff_id: i32,
    pub file_name: String,
    pub created_at: DateTimeUtc,
    pub state: UploadState,
    pub decided_at: Option<DateTimeUtc>,
    pub total_rows: i32,
    pub good_rows: i32,
    pub bad_rows: i32,
    /// The rows that passed (`server::staff::rosters::StagedRow`, JSON); emptied once decided.
    pub rows: String,
    /// Every refused row's problems (`validation::roster::RowProblem`, JSON).
    pub problems: String,
    pub inserted: Option<i32>,
    pub updated: Option<i32>,
    pub unchanged: Option<i32>,
}

impl ActiveModelBehavior for ActiveModel {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum UploadState {
    #[sea_orm(string_value = "staged")]
    Staged,
    #[sea_orm(string_value = "imported")]
    Imported,
    #[sea_orm(string_value = "discarded")]
    Discarded,
}
