//! Money the platform reported taking, one row per platform trade (migration 6).
//! `outcome`: `applied` to its order, or `refund_due` (`refund_reason`: `order_closed`,
//! `already_paid`).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub trade_no: String,
    pub order_no: String,
    pub order_id: Option<i32>,
    pub amount_fen: i64,
    pub method: String,
    pub platform_paid_at: String,
    pub received_at: DateTimeUtc,
    pub source: String,
    pub outcome: String,
    pub refund_reason: Option<String>,
    pub refunded_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
