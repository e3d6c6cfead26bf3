//! The common choice on PostgreSQL, one subject added, as a single statement.

use super::{Choice, Claim, SeatError};
use crate::server::audit;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, SqlErr, Statement};

/// The common choice on PostgreSQL as one statement, so one round trip and an implicit
/// transaction. It locks the registration's row first if it still holds what the choice was
/// confirmed against (as every change to what a registration holds does, so
/// a delete, the sweeper or a payment starting cannot interleave), takes the seat by
/// the conditional decrement, records the site only if the seat was taken, and inserts the
/// enrolment from both. A duplicate fails the whole statement on the unique key; no seat
/// left inserts nothing. Either way nothing changed. The subject's row stays locked only for
/// this one statement. The choice's audit entry, if it has one, is inserted with the
/// enrolment (`audited`), so the trail and the seat never disagree.
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
    ), audited AS (
        INSERT INTO audit_event (at, actor_kind, staff_id, pass_id, actor, address, site_code, kind, target, before, after)
        SELECT $3, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 FROM enrolled WHERE $18
        RETURNING id
    )
    SELECT EXISTS (SELECT 1 FROM reg) AS registered, EXISTS (SELECT 1 FROM enrolled) AS enrolled";

pub(super) async fn claim_one_pg(db: &DatabaseConnection, c: &Choice, claim: &Claim) -> Result<(), SeatError> {
    let mut values: Vec<sea_orm::Value> = vec![
        claim.offered_subject_id.into(),
        c.site_code.as_str().into(),
        c.now.into(),
        c.registration_id.into(),
        claim.subject_code.as_str().into(),
        claim.fee_fen.into(),
        c.version.into(),
    ];
    match c.audit.first() {
        Some(entry) => {
            values.extend(audit::values(entry));
            values.push(true.into());
        }
        None => {
            // Typed placeholders for an entry that is not written.
            values.extend(audit::values(&audit::Entry::new(
                audit::Actor::System,
                crate::views::staff::AuditKind::SubjectsChosen,
                None,
                "",
            )));
            values.push(false.into());
        }
    }
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
