//! One entry of the audit trail (migration 8).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    pub actor_kind: ActorKind,
    pub staff_id: Option<i32>,
    pub pass_id: Option<i32>,
    pub actor: String,
    pub address: Option<String>,
    pub site_code: Option<String>,
    /// `views::staff::AuditKind` by its code.
    pub kind: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}

/// Who acted (the column's CHECK allows exactly these words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ActorKind {
    #[sea_orm(string_value = "staff")]
    Staff,
    #[sea_orm(string_value = "candidate")]
    Candidate,
    #[sea_orm(string_value = "system")]
    System,
}
