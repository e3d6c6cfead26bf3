//! One subject held by one registration: one seat of an offered subject.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrolment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub registration_id: i32,
    pub offered_subject_id: i32,
    pub subject_code: String,
    /// The fee when chosen, in fen.
    pub fee_fen: i64,
    pub chosen_at: DateTimeUtc,
    pub paid_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}

// The join `journey::repo::draft_with_seats` reads a registration, its subjects and their
// seats with (declared by hand: the entities keep no relation fields).
impl Related<super::placement::Entity> for Entity {
    fn to() -> RelationDef {
        Entity::belongs_to(super::placement::Entity).from(Column::Id).to(super::placement::Column::EnrolmentId).into()
    }
}
