//! An order sent to the payment platform for some of a registration's unpaid subjects
//! (migration 6).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_order")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub order_no: String,
    pub registration_id: i32,
    pub pass_id: i32,
    pub status: OrderStatus,
    pub amount_fen: i64,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub last_checked_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    pub trade_no: Option<String>,
    pub method: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

/// Where an order is (the column's CHECK allows exactly these words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum OrderStatus {
    /// At the platform, not yet paid (at most one per registration).
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "paid")]
    Paid,
    /// Closed unpaid: no money was taken, or money that came later is owed back.
    #[sea_orm(string_value = "closed")]
    Closed,
}
