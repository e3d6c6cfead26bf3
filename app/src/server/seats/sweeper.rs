//! Rule 7: a subject neither paid nor in payment 24 hours after it was chosen is deleted and
//! its seat returned. A subject is in payment while an order for it is open; an order is
//! closed with the platform (reconciliation, `payment`) before its subjects can go, so a
//! seat is never released under a payment that may still arrive. `sweep` is idempotent
//! and safe to run on several servers at once: each expired enrolment goes in its own short
//! transaction that first takes the registration's row (the row a payment start takes
//! too), checks that no order of it is open, then deletes the enrolment only if it is still
//! unpaid; the seat goes back only when that delete removed a row. A registration left with
//! no subject loses its site, declaration and review (its personal information and photo
//! stay, as a draft to choose again from).

use crate::server::audit;
use crate::server::entity::{enrolment, offered_subject, payment_order, registration};
use crate::server::journey::UNPAID_HOLD;
use crate::server::payment::orders::{open_order_of, OrderStatus};
use crate::views::staff::AuditKind;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

/// What one sweep did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub released: u64,
    pub cleared_registrations: u64,
}

/// Releases every expired enrolment as of `now`, `batch` candidates per query.
pub async fn sweep(db: &DatabaseConnection, now: DateTime<Utc>, batch: u64) -> Result<Swept, DbErr> {
    let cutoff = now - UNPAID_HOLD;
    let mut swept = Swept::default();
    let mut after = 0;
    loop {
        let paying = Query::select()
            .column(payment_order::Column::RegistrationId)
            .from(payment_order::Entity)
            .and_where(Expr::col(payment_order::Column::Status).eq(OrderStatus::Open))
            .to_owned();
        let expired = enrolment::Entity::find()
            .filter(enrolment::Column::PaidAt.is_null())
            .filter(enrolment::Column::ChosenAt.lte(cutoff))
            .filter(enrolment::Column::RegistrationId.not_in_subquery(paying))
            .filter(enrolment::Column::Id.gt(after))
            .order_by_asc(enrolment::Column::Id)
            .limit(batch)
            .all(db)
            .await?;
        for e in &expired {
            let (released, cleared) = release_one(db, e, now).await?;
            swept.released += u64::from(released);
            swept.cleared_registrations += u64::from(cleared);
        }
        match expired.last() {
            Some(last) if expired.len() as u64 == batch => after = last.id,
            _ => return Ok(swept),
        }
    }
}

/// Releases one expired enrolment if it is still unpaid and not in payment.
/// Returns (released, registration cleared).
async fn release_one(db: &DatabaseConnection, e: &enrolment::Model, now: DateTime<Utc>) -> Result<(bool, bool), DbErr> {
    let txn = db.begin().await?;
    // The registration's row first: a payment starting now waits for this, or this sees its
    // order (read after taking the row, so committed orders are seen).
    let taken = registration::Entity::update_many()
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version())
        .filter(registration::Column::Id.eq(e.registration_id))
        .exec(&txn)
        .await?;
    if taken.rows_affected == 0 || open_order_of(&txn, e.registration_id).await?.is_some() {
        txn.rollback().await?;
        return Ok((false, false));
    }
    let deleted = enrolment::Entity::delete_many()
        .filter(enrolment::Column::Id.eq(e.id))
        .filter(enrolment::Column::PaidAt.is_null())
        .exec(&txn)
        .await?;
    if deleted.rows_affected == 0 {
        txn.rollback().await?;
        return Ok((false, false));
    }
    offered_subject::Entity::update_many()
        .col_expr(offered_subject::Column::Remaining, Expr::col(offered_subject::Column::Remaining).add(1))
        .filter(offered_subject::Column::Id.eq(e.offered_subject_id))
        .exec(&txn)
        .await?;
    let site = registration::Entity::find_by_id(e.registration_id).one(&txn).await?.and_then(|r| r.site_code);
    let entry = audit::Entry::new(
        audit::Actor::System,
        AuditKind::SeatsExpired,
        site.as_deref(),
        e.registration_id.to_string(),
    )
    .removed(&serde_json::json!({ "subjects": [e.subject_code.as_str()] }));
    audit::record(&txn, now, vec![entry]).await?;
    let left =
        enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(e.registration_id)).count(&txn).await?;
    if left == 0 {
        registration::Entity::update_many()
            .col_expr(registration::Column::SiteCode, Expr::value(Option::<String>::None))
            .col_expr(registration::Column::DeclaredAt, Expr::value(Option::<DateTime<Utc>>::None))
            // Nothing left to review or to pay for: a request or approval ends with it.
            .col_expr(registration::Column::ReviewState, Expr::value(Option::<String>::None))
            .col_expr(registration::Column::LockedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(registration::Column::Id.eq(e.registration_id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    tracing::info!(registration = e.registration_id, subject = %e.subject_code, "unpaid subject released after 24 hours");
    Ok((true, left == 0))
}
