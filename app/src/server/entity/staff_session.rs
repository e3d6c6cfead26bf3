//! A staff browser session (migration 7), separate from candidates' `web_session`.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub staff_id: i32,
    pub stage: Stage,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

/// How far the sign-in has come (the column's CHECK allows exactly these words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Stage {
    /// The password was right; the second factor is still to give. Opens nothing else.
    #[sea_orm(string_value = "password")]
    Password,
    /// Both factors given.
    #[sea_orm(string_value = "full")]
    Full,
}
