//! Signed-in browser sessions: a random token in an HttpOnly cookie, only its SHA-256 in
//! the database, each row belonging to one pass. A session starts at sign-in (a new token
//! every time) and ends at sign-out, at a password reset, after 30 minutes without a
//! request, or 12 hours after it began, whichever comes first.

use crate::server::entity::{pass, web_session};
use chrono::{DateTime, Duration, Utc};
use http::header::{HeaderMap, COOKIE};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter,
    QuerySelect, RelationDef,
};
use sha2::{Digest, Sha256};

pub const COOKIE_NAME: &str = "ncre_sid";

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

/// The session token from the request's cookies, if it has the shape we issue.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 256 random bits from the operating system.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

/// Tells the browser to forget its session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{secure}")
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
