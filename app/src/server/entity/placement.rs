//! Where one paid subject sits (migration 12): one per enrolment, one per seat of a room in
//! a batch, one per ticket number in the session.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "placement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub session_id: i32,
    pub site_code: String,
    pub enrolment_id: i32,
    pub registration_id: i32,
    pub batch_id: i32,
    pub room_id: i32,
    pub seat: i32,
    /// `domain::arrangement::TicketNumber`.
    pub ticket_number: String,
    pub placed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}

// The joins `staff::arrangement::placed_of` reads a candidate's seats with (one query for
// the placements, their rooms and their batches). Declared by hand: the entities keep no
// relation fields.
impl Related<super::exam_room::Entity> for Entity {
    fn to() -> RelationDef {
        Entity::belongs_to(super::exam_room::Entity).from(Column::RoomId).to(super::exam_room::Column::Id).into()
    }
}

impl Related<super::exam_batch::Entity> for Entity {
    fn to() -> RelationDef {
        Entity::belongs_to(super::exam_batch::Entity).from(Column::BatchId).to(super::exam_batch::Column::Id).into()
    }
}
