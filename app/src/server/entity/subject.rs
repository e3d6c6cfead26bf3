use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subject")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub level: i16,
    pub name: String,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

impl ActiveModelBehavior for ActiveModel {}
