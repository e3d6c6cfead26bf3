//! The staff console's accounts (issue 14): provincial admins and site staff, never a
//! pass. Statements here; the sign-in handlers in `accounts`, the session and its cookie in
//! `session`, the second factor in `totp`. An account signs in with its password and then
//! a TOTP code; a new account first sets its password through a one-time link (printed by
//! `server staff add`), and enrols its authenticator app at its first sign-in.
//!
//! Wrong passwords and wrong codes count against the account in the database (so every
//! server sees the same count and a restart forgets nothing): `MAX_FAILURES` in a row lock
//! it for `LOCKOUT`.

pub mod accounts;
pub mod arrangement;
pub mod config;
pub mod dashboard;
pub mod export;
pub mod payments;
pub mod people;
pub mod preview;
pub mod printouts;
pub mod reconcile;
pub mod review;
pub mod roster_file;
pub mod rosters;
pub mod search;
pub mod session;
pub mod totp;
pub mod trail;

use crate::server::cookies;
use crate::server::entity::staff::{self, Role};
use crate::server::entity::{staff_session, staff_site, staff_token};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};

/// What the TOTP secret is sealed for (`crypto::DataKey`).
pub const TOTP_PURPOSE: &str = "staff.totp";

/// Wrong passwords or codes in a row before the account is locked.
pub const MAX_FAILURES: i32 = 5;
pub const LOCKOUT: Duration = Duration::minutes(15);
/// How long a set-password link is good for.
pub const SET_PASSWORD_VALID: Duration = Duration::hours(72);

pub fn email_key(email: &str) -> String {
    email.to_lowercase()
}

pub async fn by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<staff::Model>, DbErr> {
    staff::Entity::find().filter(staff::Column::EmailKey.eq(email_key(email))).one(db).await
}

pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<staff::Model>, DbErr> {
    staff::Entity::find_by_id(id).one(db).await
}

/// The sites a site account may act for, by code.
pub async fn sites_of(db: &impl ConnectionTrait, staff_id: i32) -> Result<Vec<String>, DbErr> {
    let rows = staff_site::Entity::find()
        .filter(staff_site::Column::StaffId.eq(staff_id))
        .order_by_asc(staff_site::Column::SiteCode)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| r.site_code).collect())
}

/// The sites the account sees, by code: a provincial admin its province's, a site account
/// its own.
pub async fn visible_sites(
    db: &impl ConnectionTrait,
    who: &session::StaffSignedIn,
) -> Result<Vec<crate::server::entity::exam_site::Model>, DbErr> {
    use crate::server::entity::exam_site;
    let sites = exam_site::Entity::find().filter(exam_site::Column::ProvinceCode.eq(who.staff.province_code.as_str()));
    let sites = match who.staff.role {
        Role::Province => sites,
        Role::Site => sites.filter(exam_site::Column::Code.is_in(who.sites.iter().cloned())),
    };
    sites.order_by_asc(exam_site::Column::Code).all(db).await
}

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub province_code: String,
    /// A site account's sites (none for a provincial admin).
    pub sites: Vec<String>,
}

#[derive(Debug)]
pub enum Created {
    Created(Box<staff::Model>),
    /// An account with this address exists already; nothing changed.
    EmailTaken,
}

/// Creates the account (no password yet) and its sites, in one transaction, with `audit`
/// (when a person in the console did it) on the trail.
pub async fn create(
    db: &DatabaseConnection,
    new: &NewStaff,
    now: DateTime<Utc>,
    audit: Vec<crate::server::audit::Entry>,
) -> Result<Created, DbErr> {
    let txn = db.begin().await?;
    if by_email(&txn, &new.email).await?.is_some() {
        txn.rollback().await?;
        return Ok(Created::EmailTaken);
    }
    let row = staff::ActiveModel {
        email: Set(new.email.clone()),
        email_key: Set(email_key(&new.email)),
        name: Set(new.name.clone()),
        role: Set(new.role),
        province_code: Set(new.province_code.clone()),
        password_hash: Set(None),
        totp_secret: Set(None),
        totp_confirmed_at: Set(None),
        totp_last_step: Set(None),
        failed_attempts: Set(0),
        locked_until: Set(None),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for site in &new.sites {
        staff_site::ActiveModel { staff_id: Set(row.id), site_code: Set(site.clone()) }.insert(&txn).await?;
    }
    crate::server::audit::record(&txn, now, audit).await?;
    txn.commit().await?;
    Ok(Created::Created(Box::new(row)))
}

/// A new one-time set-password link's token for the account.
pub async fn issue_set_password(db: &impl ConnectionTrait, staff_id: i32, now: DateTime<Utc>) -> Result<String, DbErr> {
    let token = cookies::new_token().map_err(|e| DbErr::Custom(e.to_string()))?;
    staff_token::ActiveModel {
        staff_id: Set(staff_id),
        token_hash: Set(cookies::hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + SET_PASSWORD_VALID),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The account a live, unused set-password token belongs to (never a disabled one).
pub async fn set_password_owner(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<staff::Model>, DbErr> {
    let Some(row) = staff_token::Entity::find()
        .filter(staff_token::Column::TokenHash.eq(cookies::hash(token)))
        .filter(staff_token::Column::UsedAt.is_null())
        .filter(staff_token::Column::ExpiresAt.gt(now))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(by_id(db, row.staff_id).await?.filter(|s| s.disabled_at.is_none()))
}

/// Uses the token (once: a conditional update) and sets the account's password; every
/// session of the account ends and its failure count is cleared. `None`: the token was
/// used, expired or unknown, nothing changed.
pub async fn set_password(
    db: &DatabaseConnection,
    token: &str,
    password_hash: String,
    now: DateTime<Utc>,
) -> Result<Option<i32>, DbErr> {
    let txn = db.begin().await?;
    let Some(owner) = set_password_owner(&txn, token, now).await? else {
        txn.rollback().await?;
        return Ok(None);
    };
    let used = staff_token::Entity::update_many()
        .col_expr(staff_token::Column::UsedAt, Expr::value(now))
        .filter(staff_token::Column::TokenHash.eq(cookies::hash(token)))
        .filter(staff_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        txn.rollback().await?;
        return Ok(None);
    }
    staff::Entity::update_many()
        .col_expr(staff::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(staff::Column::FailedAttempts, Expr::value(0))
        .col_expr(staff::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(staff::Column::UpdatedAt, Expr::value(now))
        .filter(staff::Column::Id.eq(owner.id))
        .exec(&txn)
        .await?;
    staff_session::Entity::delete_many().filter(staff_session::Column::StaffId.eq(owner.id)).exec(&txn).await?;
    txn.commit().await?;
    Ok(Some(owner.id))
}

/// Whether the account is locked at `now`, and until when.
pub fn locked(s: &staff::Model, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    s.locked_until.filter(|until| *until > now)
}

/// Counts one wrong password or code, in the database (one statement, so attempts on
/// several servers at once all count); the `MAX_FAILURES`th in a row locks the account for
/// `LOCKOUT` and starts the count again.
pub async fn record_failure(db: &impl ConnectionTrait, staff_id: i32, now: DateTime<Utc>) -> Result<(), DbErr> {
    staff::Entity::update_many()
        .col_expr(staff::Column::FailedAttempts, Expr::col(staff::Column::FailedAttempts).add(1))
        .filter(staff::Column::Id.eq(staff_id))
        .exec(db)
        .await?;
    staff::Entity::update_many()
        .col_expr(staff::Column::LockedUntil, Expr::value(now + LOCKOUT))
        .col_expr(staff::Column::FailedAttempts, Expr::value(0))
        .filter(staff::Column::Id.eq(staff_id))
        .filter(staff::Column::FailedAttempts.gte(MAX_FAILURES))
        .exec(db)
        .await?;
    Ok(())
}

/// Keeps a new (sealed) TOTP secret for an account that has not confirmed one; `false`
/// if it has (an enrolled secret is never replaced by a sign-in).
pub async fn offer_totp_secret(
    db: &impl ConnectionTrait,
    staff_id: i32,
    sealed: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = staff::Entity::update_many()
        .col_expr(staff::Column::TotpSecret, Expr::value(sealed))
        .col_expr(staff::Column::UpdatedAt, Expr::value(now))
        .filter(staff::Column::Id.eq(staff_id))
        .filter(staff::Column::TotpConfirmedAt.is_null())
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Accepts the code of time step `step`, once: only if no code of this or a later step
/// was accepted before (a conditional update, so the same code sent twice at once is
/// accepted once). The first accepted code confirms the enrolment.
pub async fn accept_step(
    db: &impl ConnectionTrait,
    staff_id: i32,
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = staff::Entity::update_many()
        .col_expr(staff::Column::TotpLastStep, Expr::value(step))
        .col_expr(staff::Column::TotpConfirmedAt, Expr::col(staff::Column::TotpConfirmedAt).if_null(Expr::value(now)))
        .col_expr(staff::Column::FailedAttempts, Expr::value(0))
        .filter(staff::Column::Id.eq(staff_id))
        .filter(staff::Column::TotpLastStep.is_null().or(staff::Column::TotpLastStep.lt(step)))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
