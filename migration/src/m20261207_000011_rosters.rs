//! 学籍库 (issue 15, school rosters): a site's students, uploaded by its staff as a file.
//!
//! `roster_upload` is one uploaded file between its check and the staff's decision: the
//! rows that passed (JSON, `server::staff::rosters::StagedRow`: the document's keyed hash
//! and masked form, never the number itself), every refused row's problems (JSON), and its
//! state (`staged`, then `imported` or `discarded`). Nothing reaches `roster_entry` before
//! the staff confirm.
//!
//! `roster_entry` is one student of one site, found by the same keyed hash as a pass
//! (`pass.doc_number_hash`), one row per site and document: a re-upload updates it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("roster_upload")
                .col(pk_auto("id"))
                .col(string_len("site_code", 6))
                .col(integer("staff_id"))
                .col(string_len("file_name", 200))
                .col(timestamp_with_time_zone("created_at"))
                .col(string_len("state", 12).default("staged").check(Expr::col("state").is_in([
                    "staged",
                    "imported",
                    "discarded",
                ])))
                .col(timestamp_with_time_zone_null("decided_at"))
                // Data rows read (blank rows aside), rows that passed, rows refused.
                .col(integer("total_rows"))
                .col(integer("good_rows"))
                .col(integer("bad_rows"))
                .col(text("rows"))
                .col(text("problems"))
                // What the import did: rows added, rows changed, rows already as uploaded.
                .col(integer_null("inserted"))
                .col(integer_null("updated"))
                .col(integer_null("unchanged"))
                .foreign_key(ForeignKey::create().from("roster_upload", "site_code").to("exam_site", "code"))
                .foreign_key(ForeignKey::create().from("roster_upload", "staff_id").to("staff", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("roster_upload_site").table("roster_upload").col("site_code").col("id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("roster_entry")
                .col(pk_auto("id"))
                .col(string_len("site_code", 6))
                .col(string_len("doc_type", 32))
                .col(string_len("doc_number_hash", 64))
                .col(string_len("doc_masked", 32))
                .col(string_len("name", 100))
                // 民族 by its code, when the roster gives it.
                .col(string_len_null("ethnicity", 4))
                .col(string_len_null("department", 100))
                .col(string_len_null("major", 100))
                .col(string_len_null("class_name", 100))
                .col(string_len_null("student_no", 40))
                .col(integer("upload_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(ForeignKey::create().from("roster_entry", "site_code").to("exam_site", "code"))
                .foreign_key(ForeignKey::create().from("roster_entry", "upload_id").to("roster_upload", "id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("roster_entry_site_doc")
                .table("roster_entry")
                .col("site_code")
                .col("doc_number_hash")
                .unique()
                .to_owned(),
        )
        .await?;
        // A candidate's rosters, by their pass's hash.
        m.create_index(Index::create().name("roster_entry_doc").table("roster_entry").col("doc_number_hash").to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("roster_entry").to_owned()).await?;
        m.drop_table(Table::drop().table("roster_upload").to_owned()).await
    }
}
