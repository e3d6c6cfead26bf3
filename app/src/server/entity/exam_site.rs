use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_site")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    pub province_code: String,
    pub allows_self_print: bool,
    /// `domain::photo::Background` by its code (migration 8).
    pub photo_background: String,
    /// An in-school site requires 院系 and/or 学号 (migration 8).
    pub requires_department: bool,
    pub requires_student_no: bool,
    /// Registrations are reviewed (网上审核) before they can be paid (migration 10).
    pub requires_review: bool,
}

impl ActiveModelBehavior for ActiveModel {}
