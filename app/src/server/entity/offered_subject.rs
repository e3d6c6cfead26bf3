use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offered_subject")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub offering_id: i32,
    pub subject_code: String,
    pub fee_fen: i64,
    pub capacity: i32,
    pub remaining: i32,
}

impl ActiveModelBehavior for ActiveModel {}
