//! A candidate checked in at the door for one placement (migration 12): once per placement.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_in")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub placement_id: i32,
    pub staff_id: i32,
    pub checked_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
