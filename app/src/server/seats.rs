//! Seats: every change to what a registration holds, in one transaction each. A seat is
//! taken by one conditional update (`remaining = remaining - 1 WHERE remaining > 0`) and
//! given back only when the enrolment row it belonged to is actually deleted, so a seat
//! is never sold twice nor returned twice, whatever runs at the same time. The database's
//! `CHECK (remaining >= 0)` and the unique (registration, offered subject) key stand behind
//! both. `SeatDesk` applies confirmed choices (batched on SQLite, see there).

use super::db::Db;
use super::entity::{enrolment, offered_subject, registration};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr, Statement, TransactionTrait,
};
use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

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
/// on any error. The registration's row first, as everything that changes what it holds
/// does (one lock order, so no deadlocks on PostgreSQL); each seat is taken after its
/// enrolment, so a subject's row stays locked by a claim for as short a time as possible.
async fn choose(txn: &DatabaseTransaction, c: &Choice) -> Result<(), SeatError> {
    if !record_site(txn, c).await? {
        return Err(SeatError::Stale);
    }
    for e in &c.cancelled {
        release(txn, c.registration_id, e).await?;
    }
    for claim in &c.added {
        if !enrol(txn, c, claim).await? {
            return Err(SeatError::Stale);
        }
        if !take_seats(txn, claim.offered_subject_id, 1).await? {
            return Err(SeatError::Full { subject_code: claim.subject_code.clone() });
        }
    }
    Ok(())
}

/// The common choice on PostgreSQL as one statement, so one round trip and an implicit
/// transaction. It locks the registration's row first if it still holds what the choice was
/// confirmed against (as every change to what a registration holds does, so
/// a delete, the sweeper or a payment starting cannot interleave), takes the seat by
/// the conditional decrement, records the site only if the seat was taken, and inserts the
/// enrolment from both. A duplicate fails the whole statement on the unique key; no seat
/// left inserts nothing. Either way nothing changed. The subject's row stays locked only for
/// this one statement.
const CLAIM_ONE_PG: &str = "WITH reg AS (
        SELECT id FROM registration
        WHERE id = $4 AND holdings_version = $7 FOR UPDATE
    ), taken AS (
        UPDATE offered_subject SET remaining = remaining - 1
        WHERE id = $1 AND remaining > 0 AND EXISTS (SELECT 1 FROM reg) RETURNING id
    ), sited AS (
        UPDATE registration
        SET site_code = $2, declared_at = $3, updated_at = $3, holdings_version = holdings_version + 1
        WHERE id = (SELECT id FROM reg) AND EXISTS (SELECT 1 FROM taken) RETURNING id
    ), enrolled AS (
        INSERT INTO enrolment (registration_id, offered_subject_id, subject_code, fee_fen, chosen_at)
        SELECT sited.id, taken.id, $5, $6, $3 FROM taken, sited
        RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM reg) AS registered, EXISTS (SELECT 1 FROM enrolled) AS enrolled";

async fn claim_one_pg(db: &DatabaseConnection, c: &Choice, claim: &Claim) -> Result<(), SeatError> {
    let values: [sea_orm::Value; 7] = [
        claim.offered_subject_id.into(),
        c.site_code.as_str().into(),
        c.now.into(),
        c.registration_id.into(),
        claim.subject_code.as_str().into(),
        claim.fee_fen.into(),
        c.version.into(),
    ];
    match db.query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, CLAIM_ONE_PG, values)).await {
        Ok(rows) => {
            let row = rows.first().ok_or_else(|| SeatError::Db(DbErr::Custom("claim: no result row".into())))?;
            match (row.try_get::<bool>("", "registered")?, row.try_get::<bool>("", "enrolled")?) {
                (false, _) => Err(SeatError::Stale),
                (true, false) => Err(SeatError::Full { subject_code: claim.subject_code.clone() }),
                (true, true) => Ok(()),
            }
        }
        // Held already: the holdings changed after the choice was confirmed.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(SeatError::Stale),
        Err(e) => Err(SeatError::Db(e)),
    }
}

/// Runs `choose` inside `txn` (a transaction, or a savepoint of the batch's) and ends it:
/// committed if applied, rolled back if not. The outer error is ending it failing.
async fn settle(txn: DatabaseTransaction, c: &Choice) -> Result<Result<(), SeatError>, DbErr> {
    match choose(&txn, c).await {
        Ok(()) => txn.commit().await.map(Ok),
        Err(refused) => {
            txn.rollback().await?;
            Ok(Err(refused))
        }
    }
}

/// Where confirmed choices are applied: all or nothing per choice, whatever runs at once.
///
/// On PostgreSQL each choice is its own transaction (the common one, a single subject added,
/// is one statement: `CLAIM_ONE_PG`); the database runs many at once, and claims on one
/// subject queue on its row lock. On SQLite, which has one writer, the desk's thread takes
/// whatever choices are waiting (up to `BATCH`) and applies them in one transaction: a
/// single-subject choices go together (`claim_many`), any other runs inside its own
/// savepoint, and the batch commits once. Every caller waits for that commit before it
/// is told anything, so a reply never promises what the database has not committed.
#[derive(Clone, Debug)]
pub struct SeatDesk {
    route: Route,
}

#[derive(Clone, Debug)]
enum Route {
    /// PostgreSQL: each choice on its own.
    Concurrent(DatabaseConnection),
    /// SQLite: to the desk's thread, which batches.
    Batched(mpsc::Sender<Job>),
}

#[derive(Debug)]
struct Job {
    choice: Choice,
    reply: oneshot::Sender<Result<(), SeatError>>,
}

/// Choices per SQLite transaction at most (a batch holds the writer for a few milliseconds).
const BATCH: usize = 64;

impl SeatDesk {
    /// On SQLite, starts the desk's thread: it has a runtime of its own, so its turn between
    /// database round trips never waits behind the requests queued on the server's workers
    /// (measured: 9,100 claims/s on the shared runtime, 11,400/s on its own thread).
    pub fn new(db: &Db) -> std::io::Result<SeatDesk> {
        if db.backend() != DbBackend::Sqlite {
            return Ok(SeatDesk { route: Route::Concurrent(db.write().clone()) });
        }
        let (tx, rx) = mpsc::channel(BATCH * 16);
        let writer = db.write().clone();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let span = tracing::info_span!("seat_desk");
        std::thread::Builder::new()
            .name("seat-desk".into())
            .spawn(move || rt.block_on(run_batches(writer, rx).instrument(span)))?;
        Ok(SeatDesk { route: Route::Batched(tx) })
    }

    /// Applies a confirmed choice. All or nothing: a full subject undoes the whole choice.
    pub async fn apply(&self, choice: Choice) -> Result<(), SeatError> {
        match &self.route {
            Route::Concurrent(db) => match (choice.added.as_slice(), choice.cancelled.as_slice()) {
                ([claim], []) => claim_one_pg(db, &choice, claim).await,
                _ => settle(db.begin().await?, &choice).await?,
            },
            Route::Batched(queue) => {
                let (reply, answer) = oneshot::channel();
                queue.send(Job { choice, reply }).await.map_err(|_| stopped())?;
                answer.await.map_err(|_| stopped())?
            }
        }
    }
}

fn stopped() -> SeatError {
    SeatError::Db(DbErr::Custom("the seat desk has stopped".into()))
}

async fn run_batches(db: DatabaseConnection, mut queue: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(BATCH);
    while queue.recv_many(&mut jobs, BATCH).await > 0 {
        let outcomes = match apply_batch(&db, &jobs).await {
            Ok(outcomes) => outcomes,
            Err(e) => {
                tracing::error!(error = %e, choices = jobs.len(), "seat batch rolled back");
                jobs.iter().map(|_| Err(SeatError::Db(DbErr::Custom(e.to_string())))).collect()
            }
        };
        for (job, outcome) in jobs.drain(..).zip(outcomes) {
            // A caller that went away (its request was cancelled) needs no answer.
            let _ = job.reply.send(outcome);
        }
    }
}

/// One transaction for the waiting choices, a savepoint each. An error outside a choice's
/// own statements (begin, savepoint, commit) fails the whole batch: nothing of it was saved.
async fn apply_batch(db: &DatabaseConnection, jobs: &[Job]) -> Result<Vec<Result<(), SeatError>>, DbErr> {
    let txn = db.begin().await?;
    let mut outcomes: Vec<Option<Result<(), SeatError>>> = jobs.iter().map(|_| None).collect();
    for (i, outcome) in claim_many(&txn, jobs).await? {
        outcomes[i] = Some(outcome);
    }
    // The rest one by one, in arrival order, each inside its own savepoint.
    for (job, outcome) in jobs.iter().zip(outcomes.iter_mut()) {
        if outcome.is_some() {
            continue;
        }
        *outcome = Some(settle(txn.begin().await?, &job.choice).await?);
    }
    txn.commit().await?;
    Ok(outcomes.into_iter().map(|o| o.unwrap_or(Err(SeatError::Stale))).collect())
}

/// The batch's one-subject choices at once (SQLite, inside the batch's transaction), in a
/// handful of statements whatever their number. Returns the outcome of each choice it
/// decided, by its index in `jobs`; the others are left for the savepoint path.
/// 1. One read of their registrations (exact: this is the only writer). A choice whose
///    registration is gone or holds something else than the choice was confirmed
///    against is stale. Of several choices for one registration only the first goes on;
///    the later ones are left for the savepoint path, where they find it changed.
/// 2. One multi-row insert of the enrolments.
/// 3. Per subject, one conditional decrement for all its new claims (`remaining >= k`); if
///    fewer seats are left, the first claims in arrival order get them (`remaining >= r`)
///    and the others' enrolments are deleted again: they are told the subject is full.
/// 4. One update recording site and declaration on the winners' registrations, raising
///    their holdings version.
async fn claim_many(txn: &DatabaseTransaction, jobs: &[Job]) -> Result<Vec<(usize, Result<(), SeatError>)>, DbErr> {
    use std::collections::{HashMap, HashSet};
    let single: Vec<(usize, &Claim)> = jobs
        .iter()
        .enumerate()
        .filter_map(|(i, job)| match (job.choice.added.as_slice(), job.choice.cancelled.as_slice()) {
            ([claim], []) => Some((i, claim)),
            _ => None,
        })
        .collect();
    if single.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = single.iter().map(|&(i, _)| jobs[i].choice.registration_id).collect();
    let current: HashMap<i32, i32> = registration::Entity::find()
        .select_only()
        .columns([registration::Column::Id, registration::Column::HoldingsVersion])
        .filter(registration::Column::Id.is_in(ids))
        .into_tuple::<(i32, i32)>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let mut decided = Vec::with_capacity(single.len());
    let mut going: Vec<(usize, &Claim)> = Vec::with_capacity(single.len());
    let mut seen = HashSet::with_capacity(single.len());
    for &(i, claim) in &single {
        let c = &jobs[i].choice;
        if !seen.insert(c.registration_id) {
            continue;
        }
        match current.get(&c.registration_id) {
            Some(version) if *version == c.version => going.push((i, claim)),
            _ => decided.push((i, Err(SeatError::Stale))),
        }
    }
    if going.is_empty() {
        return Ok(decided);
    }
    let mut insert = Query::insert();
    insert.into_table(enrolment::Entity).columns([
        enrolment::Column::RegistrationId,
        enrolment::Column::OfferedSubjectId,
        enrolment::Column::SubjectCode,
        enrolment::Column::FeeFen,
        enrolment::Column::ChosenAt,
    ]);
    for &(i, claim) in &going {
        let c = &jobs[i].choice;
        insert
            .values([
                c.registration_id.into(),
                claim.offered_subject_id.into(),
                claim.subject_code.as_str().into(),
                claim.fee_fen.into(),
                c.now.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?;
    }
    insert
        .on_conflict(
            OnConflict::columns([enrolment::Column::RegistrationId, enrolment::Column::OfferedSubjectId])
                .do_nothing()
                .to_owned(),
        )
        .returning(Query::returning().columns([enrolment::Column::RegistrationId]));
    let mut new: HashSet<i32> = HashSet::with_capacity(going.len());
    for row in txn.query_all_raw(txn.get_database_backend().build(&insert)).await? {
        new.insert(row.try_get("", "registration_id")?);
    }
    // Per subject, the new claims in arrival order. A pair that was not inserted was held
    // already, which the confirmed holdings did not say: stale.
    let mut by_subject: Vec<(i32, Vec<(usize, &Claim)>)> = Vec::new();
    for &(i, claim) in &going {
        if !new.contains(&jobs[i].choice.registration_id) {
            decided.push((i, Err(SeatError::Stale)));
            continue;
        }
        match by_subject.iter_mut().find(|(id, _)| *id == claim.offered_subject_id) {
            Some((_, claims)) => claims.push((i, claim)),
            None => by_subject.push((claim.offered_subject_id, vec![(i, claim)])),
        }
    }
    let mut winners: Vec<&Choice> = Vec::with_capacity(going.len());
    for (subject_id, claims) in by_subject {
        let wanted = i32::try_from(claims.len()).map_err(|e| DbErr::Custom(e.to_string()))?;
        let granted = if take_seats(txn, subject_id, wanted).await? {
            wanted
        } else {
            let left = offered_subject::Entity::find_by_id(subject_id).one(txn).await?.map_or(0, |o| o.remaining);
            let granted = left.clamp(0, wanted);
            if granted > 0 && !take_seats(txn, subject_id, granted).await? {
                return Err(DbErr::Custom("a seat counter moved inside the writer's transaction".into()));
            }
            granted
        };
        let (won, lost) = claims.split_at(usize::try_from(granted).unwrap_or(0));
        for &(i, _) in won {
            winners.push(&jobs[i].choice);
            decided.push((i, Ok(())));
        }
        if !lost.is_empty() {
            let losers: Vec<i32> = lost.iter().map(|&(i, _)| jobs[i].choice.registration_id).collect();
            enrolment::Entity::delete_many()
                .filter(enrolment::Column::OfferedSubjectId.eq(subject_id))
                .filter(enrolment::Column::RegistrationId.is_in(losers))
                .exec(txn)
                .await?;
            for &(i, claim) in lost {
                decided.push((i, Err(SeatError::Full { subject_code: claim.subject_code.clone() })));
            }
        }
    }
    if !winners.is_empty() {
        let (mut site, mut at) = (CaseStatement::new(), CaseStatement::new());
        for c in &winners {
            let this = Expr::col(registration::Column::Id).eq(c.registration_id);
            site = site.case(this.clone(), Expr::value(c.site_code.as_str()));
            at = at.case(this, Expr::value(c.now));
        }
        registration::Entity::update_many()
            .col_expr(registration::Column::SiteCode, site.into())
            .col_expr(registration::Column::DeclaredAt, at.clone().into())
            .col_expr(registration::Column::UpdatedAt, at.into())
            .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version())
            .filter(registration::Column::Id.is_in(winners.iter().map(|c| c.registration_id)))
            .exec(txn)
            .await?;
    }
    Ok(decided)
}

/// Takes `k` seats of one subject at once if that many are left: the conditional decrement
/// (one seat for a single claim, a subject's batch of claims at once on SQLite). `false`,
/// nothing taken, if fewer are left.
async fn take_seats(txn: &DatabaseTransaction, subject_id: i32, k: i32) -> Result<bool, DbErr> {
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
/// any subject is paid or it is locked, as read inside the transaction.
pub async fn delete_registration(db: &DatabaseConnection, registration_id: i32) -> Result<Deletion, DbErr> {
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
    for e in &held {
        release(&txn, registration_id, e).await?;
    }
    registration::Entity::delete_by_id(registration_id).exec(&txn).await?;
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
