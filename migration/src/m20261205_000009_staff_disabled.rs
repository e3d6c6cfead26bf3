//! A staff account can be disabled (停用) by the province: `staff.disabled_at` says since
//! when; a disabled account signs in to nothing and its sessions and links end.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("staff").add_column(timestamp_with_time_zone_null("disabled_at")).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("staff").drop_column("disabled_at").to_owned()).await
    }
}
