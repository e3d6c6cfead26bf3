//! Signed-in browser sessions of candidates: a random token in an HttpOnly cookie
//! (`cookies`), only its SHA-256 in the database, each row belonging to one pass. A session starts at sign-in (a new token
//! every time) and ends at sign-out, at a password reset, after 30 minutes without a
//! request, or 12 hours after it began, whichever comes first.

use crate::server::cookies::{hash, SessionCookie};
use crate::server::entity::{pass, web_session};
use crate::urls;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, RelationDef,
};

/// The candidate's cookie: the whole site, until the browser closes.
pub const COOKIE: SessionCookie =
    SessionCookie { name: "ncre_sid", path: urls::HOME, same_site: "Lax", max_age_secs: None };

pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, so reads do not all become writes.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Expired,
    /// `touch`: time to record this request as the latest activity.
    Live {
        touch: bool,
    },
}

pub fn liveness(s: &web_session::Model, now: DateTime<Utc>) -> Liveness {
    if now - s.last_seen_at >= IDLE_TIMEOUT || now - s.created_at >= ABSOLUTE_TIMEOUT {
        Liveness::Expired
    } else {
        Liveness::Live { touch: now - s.last_seen_at >= TOUCH_EVERY }
    }
}

pub async fn touch(db: &impl ConnectionTrait, id: i32, now: DateTime<Utc>) -> Result<(), DbErr> {
    web_session::Entity::update_many()
        .col_expr(web_session::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
        .filter(web_session::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Ends a session: the row goes, so its token is dead even if a browser keeps it.
pub async fn end(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    web_session::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// The session behind `token` and its pass, in one query.
pub async fn find_with_pass(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(web_session::Model, pass::Model)>, DbErr> {
    let to_pass: RelationDef =
        web_session::Entity::belongs_to(pass::Entity).from(web_session::Column::PassId).to(pass::Column::Id).into();
    let row = web_session::Entity::find()
        .filter(web_session::Column::TokenHash.eq(hash(token)))
        .join(JoinType::InnerJoin, to_pass)
        .select_also(pass::Entity)
        .one(db)
        .await?;
    Ok(row.and_then(|(session, pass)| pass.map(|p| (session, p))))
}

pub async fn find(db: &impl ConnectionTrait, token: &str) -> Result<Option<web_session::Model>, DbErr> {
    web_session::Entity::find().filter(web_session::Column::TokenHash.eq(hash(token))).one(db).await
}

pub async fn create(
    db: &impl ConnectionTrait,
    token: &str,
    pass_id: i32,
    now: DateTime<Utc>,
) -> Result<web_session::Model, DbErr> {
    web_session::ActiveModel {
        token_hash: Set(hash(token)),
        pass_id: Set(pass_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}
