//! Seats: every change to what a registration holds, in one transaction each. A seat is
//! taken by one conditional update (`remaining = remaining - 1 WHERE remaining > 0`) and
//! given back only when the enrolment row it belonged to is actually deleted, so a seat
//! is never sold twice nor returned twice, whatever runs at the same time. The database's
//! `CHECK (remaining >= 0)` and the unique (registration, offered subject) key stand behind
//! both. (Issue 6 adds the expiry sweeper and the contention tests on both databases.)

use super::entity::{enrolment, offered_subject, registration};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr,
    EntityTrait, QueryFilter, SqlErr, TransactionTrait,
};

/// A seat wanted: the offered subject's row, its subject code and the fee shown.
#[derive(Debug, Clone)]
pub struct Claim {
    pub offered_subject_id: i32,
    pub subject_code: String,
    pub fee_fen: i64,
}

#[derive(Debug)]
pub enum SeatError {
    /// No seat left for this subject code; nothing changed.
    Full {
        subject_code: String,
    },
    Db(DbErr),
}

impl From<DbErr> for SeatError {
    fn from(e: DbErr) -> Self {
        SeatError::Db(e)
    }
}

/// Gives back the seat of one unpaid enrolment of `registration_id`. Returns whether this
/// call deleted it (and so returned the seat).
async fn release(txn: &DatabaseTransaction, registration_id: i32, enrolment: &enrolment::Model) -> Result<bool, DbErr> {
    let deleted = enrolment::Entity::delete_many()
        .filter(enrolment::Column::Id.eq(enrolment.id))
        .filter(enrolment::Column::RegistrationId.eq(registration_id))
        .filter(enrolment::Column::PaidAt.is_null())
        .exec(txn)
        .await?;
    if deleted.rows_affected == 1 {
        offered_subject::Entity::update_many()
            .col_expr(offered_subject::Column::Remaining, Expr::col(offered_subject::Column::Remaining).add(1))
            .filter(offered_subject::Column::Id.eq(enrolment.offered_subject_id))
            .exec(txn)
            .await?;
    }
    Ok(deleted.rows_affected == 1)
}

/// Applies a confirmed choice: releases `cancelled`, claims `added`, records the site and
/// the declaration. All or nothing: a full subject undoes the whole change.
pub async fn apply_choice(
    db: &DatabaseConnection,
    registration_id: i32,
    site_code: &str,
    cancelled: &[enrolment::Model],
    added: &[Claim],
    now: DateTime<Utc>,
) -> Result<(), SeatError> {
    let txn = db.begin().await?;
    for e in cancelled {
        release(&txn, registration_id, e).await?;
    }
    for c in added {
        let taken = offered_subject::Entity::update_many()
            .col_expr(offered_subject::Column::Remaining, Expr::col(offered_subject::Column::Remaining).sub(1))
            .filter(offered_subject::Column::Id.eq(c.offered_subject_id))
            .filter(offered_subject::Column::Remaining.gt(0))
            .exec(&txn)
            .await?;
        if taken.rows_affected == 0 {
            txn.rollback().await?;
            return Err(SeatError::Full { subject_code: c.subject_code.clone() });
        }
        let row = enrolment::ActiveModel {
            registration_id: Set(registration_id),
            offered_subject_id: Set(c.offered_subject_id),
            subject_code: Set(c.subject_code.clone()),
            fee_fen: Set(c.fee_fen),
            chosen_at: Set(now),
            ..Default::default()
        };
        if let Err(e) = row.insert(&txn).await {
            // Held already (the same choice sent twice at once): the other request's
            // transaction holds the seat; this one takes nothing.
            txn.rollback().await?;
            return match e.sql_err() {
                Some(SqlErr::UniqueConstraintViolation(_)) => Ok(()),
                _ => Err(e.into()),
            };
        }
    }
    registration::Entity::update_many()
        .col_expr(registration::Column::SiteCode, Expr::value(site_code))
        .col_expr(registration::Column::DeclaredAt, Expr::value(now))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(registration_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes a registration and gives back every seat it held. Refuses (returns `false`,
/// nothing changed) if it is locked or any subject is paid, as read inside the transaction.
pub async fn delete_registration(db: &DatabaseConnection, registration_id: i32) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let Some(reg) = registration::Entity::find_by_id(registration_id).one(&txn).await? else {
        txn.rollback().await?;
        return Ok(true);
    };
    let held = enrolments(&txn, registration_id).await?;
    if reg.locked_at.is_some() || held.iter().any(|e| e.paid_at.is_some()) {
        txn.rollback().await?;
        return Ok(false);
    }
    for e in &held {
        release(&txn, registration_id, e).await?;
    }
    registration::Entity::delete_by_id(registration_id).exec(&txn).await?;
    txn.commit().await?;
    Ok(true)
}

pub async fn enrolments(db: &impl ConnectionTrait, registration_id: i32) -> Result<Vec<enrolment::Model>, DbErr> {
    enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(registration_id)).all(db).await
}
