//! Payment (issue 7): orders sent to the payment platform, the subjects each covers, and
//! every payment the platform reported.
//!
//! - `payment_order`: one per attempt to pay a registration's unpaid subjects. At most one
//!   is `open` per registration (a partial unique index), so no subject is ever in two open
//!   orders. An order ends `paid` or `closed`, never reopens.
//! - `order_item`: the enrolments an order covers, with the fee as charged.
//! - `payment`: money the platform says it took, one row per platform trade number (unique),
//!   applied to its order or owed back (`refund_due`). At most one payment is applied to an
//!   order (a partial unique index). Nothing the platform reports is dropped.
//!
//! Orders and payments name their registration without a foreign key: they are financial
//! records and outlive a registration deleted after an unpaid order closed.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("payment_order")
                .col(pk_auto("id"))
                // NCRE_65-2025010611-8060053629
                .col(string_len_uniq("order_no", 40))
                .col(integer("registration_id"))
                .col(integer("pass_id"))
                .col(string_len("status", 8).check(Expr::col("status").is_in(["open", "paid", "closed"])))
                .col(big_integer("amount_fen").check(Expr::col("amount_fen").gt(0)))
                .col(timestamp_with_time_zone("created_at"))
                // After this the order is closed with the platform and its seats may go.
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("last_checked_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(string_len_null("trade_no", 64).unique_key())
                .col(string_len_null("method", 16))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("payment_order_registration").table("payment_order").col("registration_id").to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("order_item")
                .col(integer("order_id"))
                .col(integer("enrolment_id"))
                .col(integer("offered_subject_id"))
                .col(string_len("subject_code", 4))
                .col(big_integer("fee_fen").check(Expr::col("fee_fen").gte(0)))
                .primary_key(Index::create().col("order_id").col("enrolment_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("order_item", "order_id")
                        .to("payment_order", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("order_item_enrolment").table("order_item").col("enrolment_id").to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("payment")
                .col(pk_auto("id"))
                .col(string_len_uniq("trade_no", 64))
                .col(string_len("order_no", 40))
                .col(integer_null("order_id"))
                .col(big_integer("amount_fen"))
                .col(string_len("method", 16))
                // As the platform reported it (its clock), and when we learnt of it.
                .col(string_len("platform_paid_at", 40))
                .col(timestamp_with_time_zone("received_at"))
                // notify / query / return
                .col(string_len("source", 8))
                .col(string_len("outcome", 12).check(Expr::col("outcome").is_in(["applied", "refund_due"])))
                // Why money is owed back: order_closed, already_paid.
                .col(string_len_null("refund_reason", 16))
                .col(timestamp_with_time_zone_null("refunded_at"))
                .to_owned(),
        )
        .await?;
        // Partial unique indexes: the same statement on SQLite and PostgreSQL.
        let db = m.get_connection();
        db.execute_unprepared(
            "CREATE UNIQUE INDEX payment_order_one_open ON payment_order (registration_id) WHERE status = 'open'",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX payment_one_applied ON payment (order_id) WHERE outcome = 'applied'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["payment", "order_item", "payment_order"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
