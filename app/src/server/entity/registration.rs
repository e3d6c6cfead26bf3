//! The registration of one pass for one exam session. The identity is the pass's; this row
//! holds what the journey adds (personal information, site, photo) and the lock.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pass_id: i32,
    pub session_id: i32,
    pub agreement_accepted_at: Option<DateTimeUtc>,
    /// REGISTRATION.md rule 4: locked when review is asked for or payment starts.
    pub locked_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub gender: Option<String>,
    pub birth_date: Option<Date>,
    pub ethnicity: Option<String>,
    pub occupation: Option<String>,
    pub education: Option<String>,
    pub training_type: Option<String>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub contact_email: Option<String>,
    pub department: Option<String>,
    pub major: Option<String>,
    pub class_name: Option<String>,
    pub student_no: Option<String>,
    pub personal_saved_at: Option<DateTimeUtc>,
    /// The site of the registration's subjects (rule 1: one site per session).
    pub site_code: Option<String>,
    pub declared_at: Option<DateTimeUtc>,
    /// Random storage key of the photo (`photo_store::PhotoKey`).
    pub photo_key: Option<String>,
    pub photo_saved_at: Option<DateTimeUtc>,
    /// Raised by every change to what the registration holds (site, subjects, lock); a
    /// subject choice applies only to the holdings it was confirmed against.
    pub holdings_version: i32,
    /// 网上审核 (migration 10): `ReviewState` by its code; null: never asked for.
    pub review_state: Option<ReviewState>,
    pub review_requested_at: Option<DateTimeUtc>,
    pub reviewed_at: Option<DateTimeUtc>,
    /// The staff account that decided.
    pub reviewed_by: Option<i32>,
    /// A rejection's reasons: `validation::review::ReviewReason` codes, comma-separated.
    pub review_reasons: Option<String>,
    pub review_note: Option<String>,
    /// What was measured of the photo when it was saved (`PhotoFacts` as JSON).
    pub photo_facts: Option<String>,
}

/// Where a registration's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum ReviewState {
    /// Asked for; the registration is locked until it is decided or withdrawn.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Approved: it may be paid; it stays locked (what was approved is what is paid).
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Sent back with reasons: unlocked for correction, to be asked for again.
    #[sea_orm(string_value = "rejected")]
    Rejected,
}

impl ActiveModelBehavior for ActiveModel {}

/// `holdings_version + 1`: what every statement that changes what a registration holds sets
/// the version to (the seat desk, payments starting and closing, the sweeper; the one raw
/// PostgreSQL statement, `seats::CLAIM_ONE_PG`, spells the same).
pub fn raised_holdings_version() -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait};
    Expr::col(Column::HoldingsVersion).add(1)
}
