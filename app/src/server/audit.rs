//! The audit trail: every staff change and the candidates' key actions, each written in the
//! transaction of the change it records (so a change is never without its entry, nor an
//! entry without its change). An entry names who (a staff e-mail, a candidate's NEEA ID,
//! or the system), when, from which address, what, and the fields that changed with their
//! old and new values. Callers pass values that are safe to keep: never a full document
//! number, never a password or a secret.

use super::entity::audit_event::{self, ActorKind};
use crate::views::staff::AuditKind;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait};
use serde::Serialize;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// Who acted.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff {
        id: i32,
        email: String,
    },
    Candidate {
        pass_id: i32,
        neea_id: String,
    },
    /// The sweeper, reconciliation: no person.
    System,
}

/// One entry to write.
#[derive(Debug, Clone)]
pub struct Entry {
    pub actor: Actor,
    pub address: Option<IpAddr>,
    pub site: Option<String>,
    pub kind: AuditKind,
    /// What the change was made to: `659028`, `659028/24`, a registration id.
    pub target: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Entry {
    pub fn new(actor: Actor, kind: AuditKind, site: Option<&str>, target: impl Into<String>) -> Self {
        Entry {
            actor,
            address: None,
            site: site.map(str::to_owned),
            kind,
            target: target.into(),
            before: None,
            after: None,
        }
    }

    pub fn from(mut self, address: IpAddr) -> Self {
        self.address = (!address.is_unspecified()).then_some(address);
        self
    }

    /// Records the fields that differ between `old` and `new` (both serialised as JSON
    /// objects): the old values as `before`, the new as `after`. Equal values are left out,
    /// so an edit that changed one field shows one field.
    pub fn changed<T: Serialize>(mut self, old: &T, new: &T) -> Self {
        let (before, after) = differences(object(old), object(new));
        self.before = Some(Value::Object(before));
        self.after = Some(Value::Object(after));
        self
    }

    /// A thing that came into being: all its fields as `after`.
    pub fn created<T: Serialize>(mut self, new: &T) -> Self {
        self.after = Some(Value::Object(object(new)));
        self
    }

    /// A thing that went away: all its fields as `before`.
    pub fn removed<T: Serialize>(mut self, old: &T) -> Self {
        self.before = Some(Value::Object(object(old)));
        self
    }
}

fn object<T: Serialize>(v: &T) -> Map<String, Value> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => m,
        Ok(other) => Map::from_iter([("value".to_owned(), other)]),
        Err(_) => Map::new(),
    }
}

fn differences(old: Map<String, Value>, mut new: Map<String, Value>) -> (Map<String, Value>, Map<String, Value>) {
    let mut before = Map::new();
    let mut after = Map::new();
    for (k, v) in old {
        match new.remove(&k) {
            Some(n) if n == v => {}
            Some(n) => {
                before.insert(k.clone(), v);
                after.insert(k, n);
            }
            None => {
                before.insert(k, v);
            }
        }
    }
    after.extend(new);
    (before, after)
}

/// Who acted, as the trail's columns hold it: kind, staff id, pass id, name.
fn columns_of(actor: &Actor) -> (ActorKind, Option<i32>, Option<i32>, String) {
    match actor {
        Actor::Staff { id, email } => (ActorKind::Staff, Some(*id), None, email.clone()),
        Actor::Candidate { pass_id, neea_id } => (ActorKind::Candidate, None, Some(*pass_id), neea_id.clone()),
        Actor::System => (ActorKind::System, None, None, "系统".to_owned()),
    }
}

/// Writes `entries` in one statement, in the caller's transaction.
pub async fn record(db: &impl ConnectionTrait, at: DateTime<Utc>, entries: Vec<Entry>) -> Result<(), DbErr> {
    record_at(db, entries.into_iter().map(|e| (at, e)).collect()).await
}

/// `record` for entries of different moments.
pub async fn record_at(db: &impl ConnectionTrait, entries: Vec<(DateTime<Utc>, Entry)>) -> Result<(), DbErr> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows = entries.into_iter().map(|(at, e)| {
        let (kind, staff_id, pass_id, actor) = columns_of(&e.actor);
        audit_event::ActiveModel {
            at: Set(at),
            actor_kind: Set(kind),
            staff_id: Set(staff_id),
            pass_id: Set(pass_id),
            actor: Set(actor),
            address: Set(e.address.map(|a| a.to_string())),
            site_code: Set(e.site),
            kind: Set(e.kind.code().to_owned()),
            target: Set(e.target),
            before: Set(e.before.map(|v| v.to_string())),
            after: Set(e.after.map(|v| v.to_string())),
            ..Default::default()
        }
    });
    audit_event::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(())
}

/// The columns after `at` of one entry (actor_kind, staff_id, pass_id, actor, address,
/// site_code, kind, target, before, after), for a statement written by hand: the
/// one-statement claim on PostgreSQL.
pub fn values(e: &Entry) -> [sea_orm::Value; 10] {
    let (kind, staff_id, pass_id, actor) = columns_of(&e.actor);
    let kind: &str = match kind {
        ActorKind::Staff => "staff",
        ActorKind::Candidate => "candidate",
        ActorKind::System => "system",
    };
    [
        kind.into(),
        staff_id.into(),
        pass_id.into(),
        actor.into(),
        e.address.map(|a| a.to_string()).into(),
        e.site.clone().into(),
        e.kind.code().into(),
        e.target.clone().into(),
        e.before.as_ref().map(Value::to_string).into(),
        e.after.as_ref().map(Value::to_string).into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Offer {
        fee_fen: i64,
        capacity: i32,
        name: &'static str,
    }

    #[test]
    fn only_changed_fields_are_kept_with_old_and_new_values() {
        let e = Entry::new(Actor::System, AuditKind::SubjectUpdated, Some("650101"), "650101/24").changed(
            &Offer { fee_fen: 8000, capacity: 100, name: "C" },
            &Offer { fee_fen: 9000, capacity: 100, name: "C" },
        );
        assert_eq!(e.before, Some(json!({"fee_fen": 8000})));
        assert_eq!(e.after, Some(json!({"fee_fen": 9000})));
        let created = Entry::new(Actor::System, AuditKind::SubjectAdded, None, "x").created(&Offer {
            fee_fen: 1,
            capacity: 2,
            name: "C",
        });
        assert_eq!(created.before, None);
        assert_eq!(created.after, Some(json!({"fee_fen": 1, "capacity": 2, "name": "C"})));
    }

    #[test]
    fn fields_only_on_one_side_are_kept_on_that_side() {
        let (b, a) = differences(
            json!({"a": 1, "gone": true}).as_object().unwrap().clone(),
            json!({"a": 1, "new": "x"}).as_object().unwrap().clone(),
        );
        assert_eq!(Value::Object(b), json!({"gone": true}));
        assert_eq!(Value::Object(a), json!({"new": "x"}));
    }
}
