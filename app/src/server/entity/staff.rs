//! A staff account (migration 7): a provincial admin or a site account. Not a pass: its
//! own sign-in, session and second factor.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub email: String,
    #[sea_orm(unique)]
    pub email_key: String,
    pub name: String,
    pub role: Role,
    pub province_code: String,
    pub password_hash: Option<String>,
    /// Sealed (`crypto::DataKey`, purpose `staff.totp`).
    pub totp_secret: Option<String>,
    pub totp_confirmed_at: Option<DateTimeUtc>,
    pub totp_last_step: Option<i64>,
    pub failed_attempts: i32,
    pub locked_until: Option<DateTimeUtc>,
    /// 停用 by the province since then (migration 9): signs in to nothing.
    pub disabled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// What a staff account may do (the column's CHECK allows exactly these words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    /// 省级管理员: every site of the province, its sessions, subjects and staff accounts.
    #[sea_orm(string_value = "province")]
    Province,
    /// 考点老师: only the sites listed for the account in `staff_site`.
    #[sea_orm(string_value = "site")]
    Site,
}
