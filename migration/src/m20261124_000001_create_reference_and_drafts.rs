//! Reference data (provinces, exam sessions, sites, subjects and what each site offers)
//! and the first user data: anonymous web sessions and their registration drafts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create().table("province").col(string_len("code", 2).primary_key()).col(string("name")).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("exam_session")
                .col(pk_auto("id"))
                .col(integer_uniq("number"))
                .col(string("name"))
                .col(string_len("province_code", 2))
                .col(timestamp_with_time_zone_null("ticket_print_starts_at"))
                .foreign_key(ForeignKey::create().from("exam_session", "province_code").to("province", "code"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("exam_site")
                .col(string_len("code", 6).primary_key())
                .col(string("name"))
                .col(string_len("province_code", 2))
                .col(boolean("allows_self_print").default(false))
                .foreign_key(ForeignKey::create().from("exam_site", "province_code").to("province", "code"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("subject")
                .col(string_len("code", 4).primary_key())
                .col(small_integer("level").check(Expr::col("level").between(1, 4)))
                .col(string("name"))
                .col(date_null("valid_from"))
                .col(date_null("valid_to"))
                .to_owned(),
        )
        .await?;

        // A site's registration for one session: window and limit are per site and session.
        m.create_table(
            Table::create()
                .table("site_offering")
                .col(pk_auto("id"))
                .col(integer("session_id"))
                .col(string_len("site_code", 6))
                .col(timestamp_with_time_zone("window_opens_at"))
                .col(timestamp_with_time_zone("window_closes_at"))
                .col(small_integer("max_subjects").check(Expr::col("max_subjects").gte(1)))
                .foreign_key(ForeignKey::create().from("site_offering", "session_id").to("exam_session", "id"))
                .foreign_key(ForeignKey::create().from("site_offering", "site_code").to("exam_site", "code"))
                .index(Index::create().unique().col("session_id").col("site_code"))
                .to_owned(),
        )
        .await?;

        // Fee (integer fen) and seats of one subject at one site in one session. `remaining`
        // is the seat counter; the database itself refuses a negative count.
        m.create_table(
            Table::create()
                .table("offered_subject")
                .col(pk_auto("id"))
                .col(integer("offering_id"))
                .col(string_len("subject_code", 4))
                .col(big_integer("fee_fen").check(Expr::col("fee_fen").gte(0)))
                .col(integer("capacity").check(Expr::col("capacity").gte(0)))
                .col(integer("remaining").check(Expr::col("remaining").gte(0)))
                .foreign_key(ForeignKey::create().from("offered_subject", "offering_id").to("site_offering", "id"))
                .foreign_key(ForeignKey::create().from("offered_subject", "subject_code").to("subject", "code"))
                .index(Index::create().unique().col("offering_id").col("subject_code"))
                .to_owned(),
        )
        .await?;

        // A browser session. Only a hash of the cookie's token is stored, so a copy of the
        // database does not hand out live sessions.
        m.create_table(
            Table::create()
                .table("web_session")
                .col(pk_auto("id"))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("registration")
                .col(pk_auto("id"))
                .col(integer("web_session_id"))
                .col(integer("session_id"))
                .col(timestamp_with_time_zone_null("agreement_accepted_at"))
                .col(string_len_null("doc_type", 32))
                .col(string_len_null("doc_number", 32))
                .col(string_null("name"))
                .col(text_null("identity_notes"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("registration", "web_session_id")
                        .to("web_session", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(ForeignKey::create().from("registration", "session_id").to("exam_session", "id"))
                .index(Index::create().unique().col("web_session_id").col("session_id"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "registration",
            "web_session",
            "offered_subject",
            "site_offering",
            "subject",
            "exam_site",
            "exam_session",
            "province",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
