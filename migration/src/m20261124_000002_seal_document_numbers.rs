//! Document numbers at rest are sealed (see `app::server::crypto`); a keyed hash beside them
//! finds a document without opening every row. Drafts saved in clear before this migration
//! no longer open and count as not given (there was only demo data).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table("registration").add_column(string_len_null("doc_number_hash", 64)).to_owned(),
        )
        .await?;
        // Sealed numbers are longer than the 32 characters the first migration allowed; SQLite
        // does not enforce the length, and PostgreSQL gets a new column type.
        if m.get_database_backend() == sea_orm::DbBackend::Postgres {
            m.alter_table(Table::alter().table("registration").modify_column(text_null("doc_number")).to_owned())
                .await?;
        }
        m.create_index(
            Index::create()
                .name("registration_doc_number_hash")
                .table("registration")
                .col("doc_number_hash")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("registration_doc_number_hash").table("registration").to_owned()).await?;
        m.alter_table(Table::alter().table("registration").drop_column("doc_number_hash").to_owned()).await
    }
}
