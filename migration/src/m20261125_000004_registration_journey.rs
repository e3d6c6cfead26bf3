//! The candidate's journey (issue 5): the registration gains the personal information, the
//! chosen site, the photo's storage key; subjects held by a registration become rows of
//! `enrolment`, each holding one seat of an `offered_subject`; notices per session and site.
//!
//! The registration's own copy of the identity goes: the pass holds it (REGISTRATION.md
//! screen 2), and the pass cannot change while a registration is locked.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Columns added to `registration`, one `ALTER TABLE` each (SQLite adds one at a time).
fn added_columns() -> Vec<ColumnDef> {
    vec![
        // 基本信息 (codes from `domain/codes`), saved together by the personal step.
        string_len_null("gender", 8),
        date_null("birth_date"),
        string_len_null("ethnicity", 8),
        string_len_null("occupation", 8),
        string_len_null("education", 8),
        string_len_null("training_type", 8),
        // 联系方式 and 学校: optional.
        string_len_null("postcode", 6),
        string_null("address"),
        string_len_null("contact_email", 254),
        string_null("department"),
        string_null("major"),
        string_null("class_name"),
        string_len_null("student_no", 32),
        timestamp_with_time_zone_null("personal_saved_at"),
        // 考点: the site of the registration's subjects (one site per session, rule 1).
        string_len_null("site_code", 6),
        // The declaration 我保证以上信息是真实和准确的, given with the last subject choice.
        timestamp_with_time_zone_null("declared_at"),
        // The photo: a random storage key (never a guessable URL) and when it was saved.
        string_len_null("photo_key", 32),
        timestamp_with_time_zone_null("photo_saved_at"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("registration_doc_number_hash").table("registration").to_owned()).await?;
        for col in ["doc_type", "doc_number", "doc_number_hash", "name", "identity_notes"] {
            m.alter_table(Table::alter().table("registration").drop_column(col).to_owned()).await?;
        }
        for mut col in added_columns() {
            m.alter_table(Table::alter().table("registration").add_column(&mut col).to_owned()).await?;
        }

        // One subject held by one registration: one seat of the offered subject. The unique
        // key makes a double submit one enrolment; deleting the row and returning the seat
        // happen in one transaction (`server/seats.rs`).
        m.create_table(
            Table::create()
                .table("enrolment")
                .col(pk_auto("id"))
                .col(integer("registration_id"))
                .col(integer("offered_subject_id"))
                .col(string_len("subject_code", 4))
                // The fee when chosen, in fen: what the candidate was shown and will pay.
                .col(big_integer("fee_fen").check(Expr::col("fee_fen").gte(0)))
                .col(timestamp_with_time_zone("chosen_at"))
                .col(timestamp_with_time_zone_null("paid_at"))
                // 编排: the room once staff arrange candidates (null: 未编排).
                .col(string_len_null("room", 32))
                .foreign_key(
                    ForeignKey::create()
                        .from("enrolment", "registration_id")
                        .to("registration", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(ForeignKey::create().from("enrolment", "offered_subject_id").to("offered_subject", "id"))
                .index(Index::create().unique().col("registration_id").col("offered_subject_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("enrolment_offered_subject").table("enrolment").col("offered_subject_id").to_owned(),
        )
        .await?;

        // 考试通告 (site_code null) and 考点通告.
        m.create_table(
            Table::create()
                .table("notice")
                .col(pk_auto("id"))
                // A stable name for the seed to upsert by (`75-site-659028-photo`).
                .col(string_len_uniq("slug", 64))
                .col(integer("session_id"))
                .col(string_len_null("site_code", 6))
                .col(string("title"))
                .col(text("body"))
                .col(timestamp_with_time_zone("published_at"))
                .foreign_key(ForeignKey::create().from("notice", "session_id").to("exam_session", "id"))
                .foreign_key(ForeignKey::create().from("notice", "site_code").to("exam_site", "code"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("the journey schema cannot be rolled back; restore a backup instead".into()))
    }
}
