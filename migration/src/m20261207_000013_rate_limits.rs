//! Rate limits shared by every server and kept across restarts (issue 17): one row per
//! counted bucket (an action and a client address or an account), holding its GCRA
//! "theoretical arrival time" in milliseconds since the epoch. The bucket is a digest, so the
//! table holds no address or e-mail. A row whose time has passed is a full bucket and is
//! deleted now and then (`limits::tidy`), so the table stays small.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rate_limit")
                .col(string_len("bucket", 32).primary_key())
                .col(big_integer("tat_ms"))
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("rate_limit_tat").table("rate_limit").col("tat_ms").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("rate_limit").to_owned()).await
    }
}
