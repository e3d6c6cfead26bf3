//! A computer room (机房) of a site (migration 12).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "exam_room")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub site_code: String,
    /// 1..=99, unique in the site: two digits of the ticket number.
    pub number: i32,
    pub name: String,
    /// 1..=99.
    pub seats: i32,
    /// The subject codes it can host, comma-separated (`domain::arrangement::codes_of`).
    pub subjects: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
