//! Staff accounts (考点老师 and the provincial office), separate from candidates' passes:
//! the account, the sites a site account may act for, its own browser sessions, and its
//! one-time set-password links.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("staff")
                .col(pk_auto("id"))
                .col(string_len("email", 254))
                // Lower-case form of the address, one account per address.
                .col(string_len_uniq("email_key", 254))
                .col(string("name"))
                // `province` (provincial admin) or `site` (site staff).
                .col(string_len("role", 16).check(Expr::col("role").is_in(["province", "site"])))
                .col(string_len("province_code", 2))
                // Argon2id; none until the one-time link has been used.
                .col(text_null("password_hash"))
                // The TOTP secret, sealed (`crypto::DataKey`, purpose `staff.totp`); set at
                // the first sign-in, in force once a code from it has been given.
                .col(text_null("totp_secret"))
                .col(timestamp_with_time_zone_null("totp_confirmed_at"))
                // The last TOTP time step accepted: a code is never accepted twice.
                .col(big_integer_null("totp_last_step"))
                .col(integer("failed_attempts").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("staff", "province_code").to("province", "code"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("staff_site")
                .col(integer("staff_id"))
                .col(string_len("site_code", 6))
                .primary_key(Index::create().col("staff_id").col("site_code"))
                .foreign_key(
                    ForeignKey::create()
                        .from("staff_site", "staff_id")
                        .to("staff", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(ForeignKey::create().from("staff_site", "site_code").to("exam_site", "code"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("staff_session")
                .col(pk_auto("id"))
                .col(string_len_uniq("token_hash", 64))
                .col(integer("staff_id"))
                // `password` (the second factor still to give) or `full`.
                .col(string_len("stage", 16).check(Expr::col("stage").is_in(["password", "full"])))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("staff_session", "staff_id")
                        .to("staff", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("staff_session_staff").table("staff_session").col("staff_id").to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table("staff_token")
                .col(pk_auto("id"))
                .col(integer("staff_id"))
                .col(string_len_uniq("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("staff_token", "staff_id")
                        .to("staff", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("staff_token_staff").table("staff_token").col("staff_id").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["staff_token", "staff_session", "staff_site", "staff"] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
