//! Pass accounts (通行证): the pass, its mailed single-use tokens, browser sessions that may
//! belong to a pass, and registrations that belong to a pass instead of a browser.
//!
//! `web_session` and `registration` are re-created: until now both were anonymous, and an
//! anonymous draft cannot be given to any pass (the only rows were demo data). Dropping them
//! ends every open browser session, which is what a security change should do anyway.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("registration").to_owned()).await?;
        m.drop_table(Table::drop().table("web_session").to_owned()).await?;

        m.create_table(
            Table::create()
                .table("pass")
                .col(pk_auto("id"))
                // As typed (normalised to ASCII); `email_key` is its lower-case form, unique.
                .col(string_len("email", 254))
                .col(string_len_uniq("email_key", 254))
                .col(timestamp_with_time_zone_null("email_verified_at"))
                .col(text("password_hash"))
                .col(string_len("doc_type", 32))
                // Sealed (`crypto::DataKey::seal`, purpose `pass.doc_number`).
                .col(text("doc_number"))
                // Keyed hash of type and number: one pass per document.
                .col(string_len_uniq("doc_number_hash", 64))
                .col(string("name"))
                // NEEA-style candidate id: 32 upper-case hexadecimal characters.
                .col(string_len_uniq("neea_id", 32))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        // Mailed tokens (e-mail verification, password reset); only their SHA-256 is kept.
        m.create_table(
            Table::create()
                .table("pass_token")
                .col(pk_auto("id"))
                .col(integer("pass_id"))
                .col(string_len("purpose", 16))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("pass_token", "pass_id")
                        .to("pass", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("pass_token_pass").table("pass_token").col("pass_id").to_owned()).await?;

        m.create_table(
            Table::create()
                .table("web_session")
                .col(pk_auto("id"))
                .col(string_len_uniq("token_hash", 64))
                .col(integer("pass_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("web_session", "pass_id")
                        .to("pass", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("web_session_pass").table("web_session").col("pass_id").to_owned()).await?;

        m.create_table(
            Table::create()
                .table("registration")
                .col(pk_auto("id"))
                .col(integer("pass_id"))
                .col(integer("session_id"))
                .col(timestamp_with_time_zone_null("agreement_accepted_at"))
                .col(string_len_null("doc_type", 32))
                .col(text_null("doc_number"))
                .col(string_len_null("doc_number_hash", 64))
                .col(string_null("name"))
                .col(text_null("identity_notes"))
                // REGISTRATION.md rule 4: set when review is asked for or payment starts.
                .col(timestamp_with_time_zone_null("locked_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("registration", "pass_id")
                        .to("pass", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(ForeignKey::create().from("registration", "session_id").to("exam_session", "id"))
                .index(Index::create().unique().col("pass_id").col("session_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("registration_doc_number_hash")
                .table("registration")
                .col("doc_number_hash")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, _: &SchemaManager) -> Result<(), DbErr> {
        // Passes cannot become anonymous drafts again without losing who owns what.
        Err(DbErr::Migration("passes cannot be rolled back; restore a backup instead".into()))
    }
}
