//! The open exam session's reference data (province, sites, windows, fees, maxima, the
//! subject catalogue), read by every candidate page but changed only by configuration.
//! Reading it took six queries per page; it is held in memory instead and read again at
//! most every `ttl` (and at once after `invalidate`, which the configuration screens call
//! when they change it). Several servers each hold their own copy: a change made on one is
//! seen by the others within `ttl`.
//!
//! Seats left are not reference data: they change with every claim. The held copy's
//! `remaining` counters are as old as the copy; `with_live_seats` reads the current ones
//! (one query) for the pages and checks that show or judge them.

use crate::server::entity::offered_subject;
use crate::server::journey::repo::{self, OpenSession};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// How long a read copy is used before it is read again.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct Catalogue {
    ttl: Duration,
    held: RwLock<Option<Held>>,
}

#[derive(Debug, Clone)]
struct Held {
    read_at: Instant,
    /// `None`: no exam session is configured (also worth remembering).
    session: Option<Arc<OpenSession>>,
}

impl Catalogue {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, held: RwLock::new(None) }
    }

    /// The open session as of at most `ttl` ago.
    pub async fn open_session(&self, db: &impl ConnectionTrait) -> Result<Option<Arc<OpenSession>>, DbErr> {
        if let Some(held) = self.held.read().unwrap_or_else(PoisonError::into_inner).as_ref() {
            if held.read_at.elapsed() < self.ttl {
                return Ok(held.session.clone());
            }
        }
        // Requests arriving together when the copy expires may each read it once; the reads
        // are equal and the last one stays.
        let read_at = Instant::now();
        let session = repo::open_session(db).await?.map(Arc::new);
        *self.held.write().unwrap_or_else(PoisonError::into_inner) = Some(Held { read_at, session: session.clone() });
        Ok(session)
    }

    /// Forgets the held copy: the next request reads the configuration again.
    pub fn invalidate(&self) {
        *self.held.write().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// `session` with every subject's seats left as they are in the database now.
pub async fn with_live_seats(db: &impl ConnectionTrait, session: &OpenSession) -> Result<OpenSession, DbErr> {
    let offerings: Vec<i32> = session.sites.iter().map(|s| s.offering.id).collect();
    let left: HashMap<i32, i32> = offered_subject::Entity::find()
        .select_only()
        .column(offered_subject::Column::Id)
        .column(offered_subject::Column::Remaining)
        .filter(offered_subject::Column::OfferingId.is_in(offerings))
        .into_tuple::<(i32, i32)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut live = session.clone();
    for site in &mut live.sites {
        for (offered, _) in &mut site.subjects {
            if let Some(n) = left.get(&offered.id) {
                offered.remaining = *n;
            }
        }
    }
    Ok(live)
}
