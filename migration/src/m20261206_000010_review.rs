//! 网上审核 (issue 15): a site may require its registrations to be reviewed before they are
//! paid (`exam_site.requires_review`). A registration carries its review: the state
//! (`pending` after the candidate asks, then `approved` or `rejected`), when it was asked
//! for and decided, by which staff account, and a rejection's reasons (codes of
//! `validation::review::ReviewReason`, comma-separated) and free text. The history of every
//! request and decision is on the audit trail; these columns are the current state.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn added_columns() -> Vec<ColumnDef> {
    vec![
        string_len_null("review_state", 12),
        timestamp_with_time_zone_null("review_requested_at"),
        timestamp_with_time_zone_null("reviewed_at"),
        integer_null("reviewed_by"),
        string_len_null("review_reasons", 200),
        text_null("review_note"),
        // What was measured of the stored photo (`domain::photo_facts::PhotoFacts`, JSON).
        text_null("photo_facts"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("exam_site")
                .add_column(boolean("requires_review").default(false).to_owned())
                .to_owned(),
        )
        .await?;
        for mut col in added_columns() {
            m.alter_table(Table::alter().table("registration").add_column(&mut col).to_owned()).await?;
        }
        // 考生查询 by a masked number (`DataKey::masked_hash`); filled at start-up for older
        // passes (`passes::backfill_masked`).
        m.alter_table(Table::alter().table("pass").add_column(string_len_null("doc_masked_hash", 64)).to_owned())
            .await?;
        m.create_index(Index::create().name("pass_doc_masked_hash").table("pass").col("doc_masked_hash").to_owned())
            .await?;
        // The queue: the pending registrations, oldest request first.
        m.create_index(
            Index::create()
                .name("registration_review_queue")
                .table("registration")
                .col("review_state")
                .col("review_requested_at")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("registration_review_queue").table("registration").to_owned()).await?;
        m.drop_index(Index::drop().name("pass_doc_masked_hash").table("pass").to_owned()).await?;
        m.alter_table(Table::alter().table("pass").drop_column("doc_masked_hash").to_owned()).await?;
        for col in added_columns() {
            let col = col.get_column_name();
            m.alter_table(Table::alter().table("registration").drop_column(col).to_owned()).await?;
        }
        m.alter_table(Table::alter().table("exam_site").drop_column("requires_review").to_owned()).await
    }
}
