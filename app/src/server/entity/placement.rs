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
