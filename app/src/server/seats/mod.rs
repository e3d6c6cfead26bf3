//! Seats: every change to what a registration holds, in one transaction each. A seat is
//! taken by one conditional update (`remaining = remaining - 1 WHERE remaining > 0`) and
//! given back only when the enrolment row it belonged to is actually deleted, so a seat
//! is never sold twice nor returned twice, whatever runs at the same time. The database's
//! `CHECK (remaining >= 0)` and the unique (registration, offered subject) key stand behind
//! both. `SeatDesk` applies confirmed choices (batched on SQLite, see there).

mod desk;
mod postgres;
pub mod sweeper;

pub use desk::SeatDesk;

use crate::server::entity::{enrolment, offered_subject, registration};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, SqlErr, TransactionTrait,
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
    /// What the registration holds changed after the choice was confirmed (another tab,
    /// the sweeper, a payment starting or paid), or it is gone; nothing changed.
    Stale,
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

/// A confirmed choice to apply: release `cancelled`, claim `added`, record the site and the
/// declaration.
#[derive(Debug, Clone)]
pub struct Choice {
    pub registration_id: i32,
    pub site_code: String,
    pub cancelled: Vec<enrolment::Model>,
    pub added: Vec<Claim>,
    pub now: DateTime<Utc>,
    /// The registration's `holdings_version` the choice was worked out and confirmed from:
    /// it applies only if that is still current. Locking, paying and closing an order raise
    /// the version too, so the caller's checks of those (journey.rs) still hold when it
    /// applies.
    pub version: i32,
    /// What the trail records when the choice applies (written in its transaction); at
    /// most one entry for a one-subject choice.
    pub audit: Vec<crate::server::audit::Entry>,
}

/// Inserts the enrolment of one claim. `false`, nothing inserted, if the registration holds
/// it already or is gone: either way not the holdings the choice was confirmed against.
async fn enrol(txn: &DatabaseTransaction, c: &Choice, claim: &Claim) -> Result<bool, DbErr> {
    let row = enrolment::ActiveModel {
        registration_id: Set(c.registration_id),
        offered_subject_id: Set(claim.offered_subject_id),
        subject_code: Set(claim.subject_code.clone()),
        fee_fen: Set(claim.fee_fen),
        chosen_at: Set(c.now),
        ..Default::default()
    };
    match enrolment::Entity::insert(row).exec_without_returning(txn).await {
        Ok(_) => Ok(true),
        Err(e) => match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_) | SqlErr::ForeignKeyConstraintViolation(_)) => Ok(false),
            _ => Err(e),
        },
    }
}

/// Records the site and the declaration of a choice on its registration, if it still holds
/// what the choice was confirmed against, and raises its holdings version.
/// `false`, nothing changed, otherwise (or if it is gone).
async fn record_site(txn: &DatabaseTransaction, c: &Choice) -> Result<bool, DbErr> {
    let done = registration::Entity::update_many()
        .col_expr(registration::Column::SiteCode, Expr::value(c.site_code.as_str()))
        .col_expr(registration::Column::DeclaredAt, Expr::value(c.now))
        .col_expr(registration::Column::UpdatedAt, Expr::value(c.now))
        .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version())
        .filter(registration::Column::Id.eq(c.registration_id))
        .filter(registration::Column::HoldingsVersion.eq(c.version))
        .exec(txn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The statements of one choice, inside a transaction (or savepoint) the caller rolls back
/// on any error. One lock order, so no deadlocks on PostgreSQL: the registration's row
/// first, as everything that changes what it holds does; then the subjects' rows in the
/// order of their ids, whether a seat is given back or taken (a choice that gives back 36
/// and takes 24 beside one that gives back 24 and takes 36 would otherwise each hold the
/// row the other waits for: found by the crash test's load). Each seat is taken after its
/// enrolment, so a subject's row stays locked by a claim for as short a time as possible.
async fn choose(txn: &DatabaseTransaction, c: &Choice) -> Result<(), SeatError> {
    enum Step<'a> {
        Release(&'a enrolment::Model),
        Claim(&'a Claim),
    }
    if !record_site(txn, c).await? {
        return Err(SeatError::Stale);
    }
    let mut steps: Vec<(i32, Step)> = c.cancelled.iter().map(|e| (e.offered_subject_id, Step::Release(e))).collect();
    steps.extend(c.added.iter().map(|claim| (claim.offered_subject_id, Step::Claim(claim))));
    steps.sort_by_key(|(subject, _)| *subject);
    for (_, step) in steps {
        match step {
            Step::Release(e) => {
                release(txn, c.registration_id, e).await?;
            }
            Step::Claim(claim) => {
                if !enrol(txn, c, claim).await? {
                    return Err(SeatError::Stale);
                }
                if !take_seats(txn, claim.offered_subject_id, 1).await? {
                    return Err(SeatError::Full { subject_code: claim.subject_code.clone() });
                }
            }
        }
    }
    Ok(())
}

/// Runs `choose` inside `txn` (a transaction, or a savepoint of the batch's) and ends it:
/// committed if applied, rolled back if not. The outer error is ending it failing.
pub(super) async fn settle(txn: DatabaseTransaction, c: &Choice) -> Result<Result<(), SeatError>, DbErr> {
    match choose(&txn, c).await {
        Ok(()) => {
            crate::server::audit::record(&txn, c.now, c.audit.clone()).await?;
            txn.commit().await.map(Ok)
        }
        Err(refused) => {
            txn.rollback().await?;
            Ok(Err(refused))
        }
    }
}

/// Takes `k` seats of one subject at once if that many are left: the conditional decrement
/// (one seat for a single claim, a subject's batch of claims at once on SQLite). `false`,
/// nothing taken, if fewer are left.
pub(super) async fn take_seats(txn: &DatabaseTransaction, subject_id: i32, k: i32) -> Result<bool, DbErr> {
    let taken = offered_subject::Entity::update_many()
        .col_expr(offered_subject::Column::Remaining, Expr::col(offered_subject::Column::Remaining).sub(k))
        .filter(offered_subject::Column::Id.eq(subject_id))
        .filter(offered_subject::Column::Remaining.gte(k))
        .exec(txn)
        .await?;
    Ok(taken.rows_affected == 1)
}

/// What deleting a registration came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// It is gone (or was already), every seat it held given back.
    Deleted,
    /// Refused, nothing changed: a subject is paid (rule 5).
    Paid,
    /// Refused, nothing changed: locked with nothing paid, i.e. a payment was started in the
    /// meantime (rule 4).
    Locked,
}

/// Deletes a registration and gives back every seat it held. Refuses (nothing changed) if
/// any subject is paid or it is locked, as read inside the transaction. `audit`, when
/// given, goes on the trail in the same transaction with the subjects it held.
pub async fn delete_registration(
    db: &DatabaseConnection,
    registration_id: i32,
    audit: Option<(DateTime<Utc>, crate::server::audit::Entry)>,
) -> Result<Deletion, DbErr> {
    let txn = db.begin().await?;
    // The row first (PostgreSQL: FOR UPDATE), so no claim commits an enrolment between the
    // read below and the delete, which would cascade away without its seat coming back.
    let Some(reg) = registration::Entity::find_by_id(registration_id).lock_exclusive().one(&txn).await? else {
        txn.rollback().await?;
        return Ok(Deletion::Deleted);
    };
    let held = enrolments(&txn, registration_id).await?;
    let refused = if held.iter().any(|e| e.paid_at.is_some()) {
        Some(Deletion::Paid)
    } else {
        reg.locked_at.is_some().then_some(Deletion::Locked)
    };
    if let Some(refused) = refused {
        txn.rollback().await?;
        return Ok(refused);
    }
    // The subjects' rows in the order of their ids, as `choose` takes them.
    let mut by_subject: Vec<&enrolment::Model> = held.iter().collect();
    by_subject.sort_by_key(|e| e.offered_subject_id);
    for e in by_subject {
        release(&txn, registration_id, e).await?;
    }
    registration::Entity::delete_by_id(registration_id).exec(&txn).await?;
    if let Some((at, entry)) = audit {
        let codes: Vec<&str> = held.iter().map(|e| e.subject_code.as_str()).collect();
        let entry = entry.removed(&serde_json::json!({ "subjects": codes }));
        crate::server::audit::record(&txn, at, vec![entry]).await?;
    }
    txn.commit().await?;
    Ok(Deletion::Deleted)
}

pub async fn enrolments(db: &impl ConnectionTrait, registration_id: i32) -> Result<Vec<enrolment::Model>, DbErr> {
    enrolment::Entity::find()
        .filter(enrolment::Column::RegistrationId.eq(registration_id))
        .order_by_asc(enrolment::Column::Id)
        .all(db)
        .await
}

/// What a capacity change found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// Set; the seats left moved by the same amount as the capacity.
    Set,
    /// Refused: `taken` seats are held, more than the capacity asked for. Nothing changed.
    BelowTaken { taken: i32 },
    /// The offered subject is gone.
    Gone,
}

/// Sets an offered subject's capacity in one conditional statement, so it is exact against
/// claims and returns running at the same moment on either database: `remaining` moves by
/// the change (`remaining + new − capacity`, both read from the row as the statement
/// updates it), and only while the seats taken (`capacity − remaining`) fit in the new
/// capacity. Raising it frees seats at once; lowering it never takes a held seat away.
pub async fn set_capacity(
    db: &impl ConnectionTrait,
    offered_subject_id: i32,
    capacity: i32,
) -> Result<Capacity, DbErr> {
    use offered_subject::Column as C;
    let done = offered_subject::Entity::update_many()
        .col_expr(C::Remaining, Expr::col(C::Remaining).add(capacity).sub(Expr::col(C::Capacity)))
        .col_expr(C::Capacity, Expr::val(capacity))
        .filter(C::Id.eq(offered_subject_id))
        .filter(Expr::col(C::Capacity).sub(Expr::col(C::Remaining)).lte(capacity))
        .exec(db)
        .await?;
    if done.rows_affected == 1 {
        return Ok(Capacity::Set);
    }
    Ok(match offered_subject::Entity::find_by_id(offered_subject_id).one(db).await? {
        Some(o) => Capacity::BelowTaken { taken: o.capacity - o.remaining },
        None => Capacity::Gone,
    })
}

/// Removes an offered subject nobody holds or has an order for. Returns whether it did;
/// `false` means a candidate holds it (or did, and an order remembers it). A claim racing
/// the removal either finds the row gone (full) or keeps it (the foreign key of its
/// enrolment stops the delete, reported as in use).
pub async fn remove_offered(db: &impl ConnectionTrait, offered_subject_id: i32) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Query;
    let held = Query::select()
        .expr(Expr::val(1))
        .from(enrolment::Entity)
        .and_where(Expr::col((enrolment::Entity, enrolment::Column::OfferedSubjectId)).eq(offered_subject_id))
        .to_owned();
    let ordered = Query::select()
        .expr(Expr::val(1))
        .from(crate::server::entity::order_item::Entity)
        .and_where(
            Expr::col((
                crate::server::entity::order_item::Entity,
                crate::server::entity::order_item::Column::OfferedSubjectId,
            ))
            .eq(offered_subject_id),
        )
        .to_owned();
    let deleted = offered_subject::Entity::delete_many()
        .filter(offered_subject::Column::Id.eq(offered_subject_id))
        .filter(Expr::exists(held).not())
        .filter(Expr::exists(ordered).not())
        .exec(db)
        .await;
    match deleted {
        Ok(d) => Ok(d.rows_affected == 1),
        Err(e) if matches!(e.sql_err(), Some(SqlErr::ForeignKeyConstraintViolation(_))) => Ok(false),
        Err(e) => Err(e),
    }
}
