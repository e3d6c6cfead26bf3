//! Money the platform reported taking, one row per platform trade (migration 6).

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
    pub outcome: Outcome,
    /// Set exactly when the outcome is `RefundDue`.
    pub refund_reason: Option<RefundReason>,
    pub refunded_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

/// What became of money received (the column's CHECK allows exactly these words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum Outcome {
    /// It paid its order (at most one applied payment per order).
    #[sea_orm(string_value = "applied")]
    Applied,
    /// It is owed back to the candidate.
    #[sea_orm(string_value = "refund_due")]
    RefundDue,
}

/// Why money received is owed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RefundReason {
    /// The order had been closed before the money came.
    #[sea_orm(string_value = "order_closed")]
    OrderClosed,
    /// The order had been paid already (a second payment).
    #[sea_orm(string_value = "already_paid")]
    AlreadyPaid,
}
