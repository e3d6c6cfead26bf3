//! 编排 (issue 16, arrangement): a site's computer rooms (机房), its exam batches (场次) in
//! a session, and where each paid subject sits.
//!
//! `exam_room` is one room of a site: its number (two digits of the ticket number, never
//! reused while the room exists), its seats (at most 99) and the subjects it can host (codes,
//! comma-separated, parsed by `domain::arrangement`). `exam_batch` is one batch of a site in
//! a session, with its times and the subjects sat in it. `placement` is one subject of one
//! candidate in one seat of one room in one batch, with its ticket number: one per
//! enrolment, one per seat and batch, one per ticket number in the session, each enforced by
//! a unique index (so two staff pressing 编排 at once cannot double a seat).
//!
//! `check_in` records a placement's candidate at the door (检录), once: a second scan finds
//! the first.
//!
//! `enrolment.room` (migration 4's place for the 考场, never written) goes: the placement is
//! where a subject sits.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("exam_room")
                .col(pk_auto("id"))
                .col(string_len("site_code", 6))
                .col(integer("number").check(Expr::col("number").between(1, 99)))
                .col(string_len("name", 40))
                .col(integer("seats").check(Expr::col("seats").between(1, 99)))
                .col(string_len("subjects", 400))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("exam_room", "site_code").to("exam_site", "code"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("exam_room_number")
                .table("exam_room")
                .col("site_code")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("exam_batch")
                .col(pk_auto("id"))
                .col(integer("session_id"))
                .col(string_len("site_code", 6))
                .col(integer("number").check(Expr::col("number").between(1, 99)))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(string_len("subjects", 400))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(ForeignKey::create().from("exam_batch", "session_id").to("exam_session", "id"))
                .foreign_key(ForeignKey::create().from("exam_batch", "site_code").to("exam_site", "code"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("exam_batch_number")
                .table("exam_batch")
                .col("session_id")
                .col("site_code")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("placement")
                .col(pk_auto("id"))
                .col(integer("session_id"))
                .col(string_len("site_code", 6))
                .col(integer("enrolment_id"))
                .col(integer("registration_id"))
                .col(integer("batch_id"))
                .col(integer("room_id"))
                .col(integer("seat").check(Expr::col("seat").between(1, 99)))
                .col(string_len("ticket_number", 16))
                .col(timestamp_with_time_zone("placed_at"))
                .foreign_key(ForeignKey::create().from("placement", "session_id").to("exam_session", "id"))
                .foreign_key(ForeignKey::create().from("placement", "enrolment_id").to("enrolment", "id"))
                .foreign_key(ForeignKey::create().from("placement", "batch_id").to("exam_batch", "id"))
                .foreign_key(ForeignKey::create().from("placement", "room_id").to("exam_room", "id"))
                .to_owned(),
        )
        .await?;
        for (name, cols, unique) in [
            ("placement_enrolment", &["enrolment_id"][..], true),
            ("placement_seat", &["batch_id", "room_id", "seat"][..], true),
            ("placement_ticket", &["session_id", "ticket_number"][..], true),
            ("placement_registration", &["registration_id"][..], false),
            ("placement_site", &["session_id", "site_code"][..], false),
        ] {
            let mut index = Index::create();
            index.name(name).table("placement");
            for c in cols {
                index.col(*c);
            }
            if unique {
                index.unique();
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("check_in")
                .col(pk_auto("id"))
                .col(integer("placement_id").unique_key())
                .col(integer("staff_id"))
                .col(timestamp_with_time_zone("checked_at"))
                .foreign_key(ForeignKey::create().from("check_in", "placement_id").to("placement", "id"))
                .foreign_key(ForeignKey::create().from("check_in", "staff_id").to("staff", "id"))
                .to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("enrolment").drop_column("room").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("enrolment").add_column(string_len_null("room", 32)).to_owned()).await?;
        m.drop_table(Table::drop().table("check_in").to_owned()).await?;
        m.drop_table(Table::drop().table("placement").to_owned()).await?;
        m.drop_table(Table::drop().table("exam_batch").to_owned()).await?;
        m.drop_table(Table::drop().table("exam_room").to_owned()).await
    }
}
