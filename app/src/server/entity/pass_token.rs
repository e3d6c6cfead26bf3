//! A mailed single-use token: e-mail verification or password reset. Only its SHA-256 is
//! stored.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pass_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub pass_id: i32,
    /// `verify` or `reset`.
    pub purpose: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
