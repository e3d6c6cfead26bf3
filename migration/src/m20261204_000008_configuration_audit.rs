//! What the staff console configures beyond the first seed, and the audit trail:
//! - `exam_session`: the exam dates (first and last day);
//! - `exam_site`: the photo background the site asks for, and the extra fields an in-school
//!   site requires (院系, 学号);
//! - `audit_event`: every staff change and the candidates' key actions, with who, when, from
//!   which address, and the old and new values (JSON objects of the fields that changed;
//!   never a full document number, never a password).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const BACKGROUNDS: [&str; 4] = ["any", "white", "light_blue", "red"];
const ACTORS: [&str; 3] = ["staff", "candidate", "system"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        for column in [date_null("exam_first_day"), date_null("exam_last_day")] {
            m.alter_table(Table::alter().table("exam_session").add_column(column).to_owned()).await?;
        }
        for column in [
            string_len("photo_background", 16)
                .default("any")
                .check(Expr::col("photo_background").is_in(BACKGROUNDS))
                .to_owned(),
            boolean("requires_department").default(false).to_owned(),
            boolean("requires_student_no").default(false).to_owned(),
        ] {
            m.alter_table(Table::alter().table("exam_site").add_column(column).to_owned()).await?;
        }

        m.create_table(
            Table::create()
                .table("audit_event")
                .col(pk_auto("id"))
                .col(timestamp_with_time_zone("at"))
                .col(string_len("actor_kind", 16).check(Expr::col("actor_kind").is_in(ACTORS)))
                // The staff account, or the candidate's pass; none for the system.
                .col(integer_null("staff_id"))
                .col(integer_null("pass_id"))
                // How the trail names the actor: a staff e-mail, a candidate's NEEA ID.
                .col(string("actor"))
                .col(string_len_null("address", 45))
                .col(string_len_null("site_code", 6))
                // What happened (`audit::Kind`), and to what (`659028`, `659028/24`, …).
                .col(string_len("kind", 32))
                .col(string("target"))
                .col(text_null("before"))
                .col(text_null("after"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("audit_event_at", &["at"][..]),
            ("audit_event_site", &["site_code", "at"][..]),
            ("audit_event_staff", &["staff_id", "at"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("audit_event");
            for c in cols {
                index.col(*c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_event").to_owned()).await?;
        for column in ["photo_background", "requires_department", "requires_student_no"] {
            m.alter_table(Table::alter().table("exam_site").drop_column(column).to_owned()).await?;
        }
        for column in ["exam_first_day", "exam_last_day"] {
            m.alter_table(Table::alter().table("exam_session").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
