//! A version of what a registration holds (site, subjects, lock), raised by every change to
//! it. A subject choice is checked against the holdings the candidate confirmed, and applied
//! only if they are still the same (`server/seats.rs`): two tabs, the sweeper or a payment
//! starting in between make it stale instead of letting it apply to something else.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("registration").add_column(integer("holdings_version").default(0)).to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("registration").drop_column("holdings_version").to_owned()).await
    }
}
