//! One enrolment an order covers, with the fee as charged (migration 6).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub enrolment_id: i32,
    pub offered_subject_id: i32,
    pub subject_code: String,
    pub fee_fen: i64,
}

impl ActiveModelBehavior for ActiveModel {}
