//! Staff sessions: their own cookie (`ncre_staff`, sent only under `/staff`, `SameSite=Strict`),
//! their own table, and shorter lives than a candidate's: 8 hours from sign-in at most, 30
//! minutes without a request, and 5 minutes for the step between password and code. A
//! session that has only the password opens the second-factor page and nothing else; the
//! code ends it and starts a new one (a new token), so a token seen before the second
//! factor never becomes a full session.
//!
//! A candidate's cookie is never read here, and this cookie never reaches a candidate page:
//! the two kinds of session cannot stand in for each other.

use crate::server::call::Call;
use crate::server::cookies::{self, SessionCookie};
use crate::server::entity::staff::{self, Role};
use crate::server::entity::staff_session::{self, Stage};
use crate::server::fault::Fault;
use crate::urls;
use crate::views::AppError;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(8);
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// Between a right password and the code.
pub const SECOND_FACTOR_TIMEOUT: Duration = Duration::minutes(5);
/// `last_seen_at` is written at most this often.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

pub const COOKIE: SessionCookie = SessionCookie {
    name: "ncre_staff",
    path: urls::STAFF,
    same_site: "Strict",
    max_age_secs: Some(ABSOLUTE_TIMEOUT.num_seconds()),
};

/// A staff account as a request acts for it: the account, its session and, for a site
/// account, its sites.
#[derive(Debug, Clone)]
pub struct StaffSignedIn {
    pub session: staff_session::Model,
    pub staff: staff::Model,
    pub sites: Vec<String>,
}

impl StaffSignedIn {
    /// Whether the account may see and change `site_code`: a provincial admin every site of
    /// its province (the code's first two digits), a site account only its own.
    pub fn may_act_for(&self, site_code: &str) -> bool {
        match self.staff.role {
            Role::Province => site_code.len() == 6 && site_code.starts_with(&self.staff.province_code),
            Role::Site => self.sites.iter().any(|s| s == site_code),
        }
    }

    /// `Forbidden` unless the account may act for `site_code`.
    pub fn require_site(&self, site_code: &str) -> Result<(), AppError> {
        if self.may_act_for(site_code) {
            Ok(())
        } else {
            tracing::warn!(staff = self.staff.id, site = site_code, "staff refused another site");
            Err(AppError::Forbidden)
        }
    }

    /// `Forbidden` unless the account is a provincial admin.
    pub fn require_province(&self) -> Result<(), AppError> {
        match self.staff.role {
            Role::Province => Ok(()),
            Role::Site => Err(AppError::Forbidden),
        }
    }
}

fn live(s: &staff_session::Model, now: DateTime<Utc>) -> Option<bool> {
    let limit = match s.stage {
        Stage::Password => SECOND_FACTOR_TIMEOUT,
        Stage::Full => ABSOLUTE_TIMEOUT,
    };
    let alive = now - s.created_at < limit && now - s.last_seen_at < IDLE_TIMEOUT;
    alive.then(|| now - s.last_seen_at >= TOUCH_EVERY)
}

async fn find(db: &impl ConnectionTrait, token: &str) -> Result<Option<staff_session::Model>, DbErr> {
    staff_session::Entity::find().filter(staff_session::Column::TokenHash.eq(cookies::hash(token))).one(db).await
}

async fn end(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    staff_session::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

impl Call {
    /// The staff session the browser carries at `stage`, with its account; a session past
    /// its time is ended here (its row deleted). `None`: no such live session.
    async fn staff_at(&self, stage: Stage) -> Result<Option<StaffSignedIn>, Fault> {
        let Some(token) = COOKIE.token_in(self.headers()) else { return Ok(None) };
        let db = &self.state.db;
        let Some(session) = find(db.read(), &token).await? else { return Ok(None) };
        let now = self.state.clock.now();
        let Some(touch) = live(&session, now) else {
            end(db.write(), session.id).await?;
            tracing::info!(staff_session = session.id, "staff session expired");
            return Ok(None);
        };
        if session.stage != stage {
            return Ok(None);
        }
        let Some(staff) = super::by_id(db.read(), session.staff_id).await? else { return Ok(None) };
        // Disabling ends the account's sessions; one that raced it ends here.
        if staff.disabled_at.is_some() {
            end(db.write(), session.id).await?;
            return Ok(None);
        }
        if touch {
            staff_session::Entity::update_many()
                .col_expr(staff_session::Column::LastSeenAt, Expr::value(now))
                .filter(staff_session::Column::Id.eq(session.id))
                .exec(db.write())
                .await?;
        }
        let sites = match staff.role {
            Role::Site => super::sites_of(db.read(), staff.id).await?,
            Role::Province => Vec::new(),
        };
        Ok(Some(StaffSignedIn { session, staff, sites }))
    }

    /// The fully signed-in staff account (password and code), or `StaffSignInRequired`.
    pub async fn staff(&self) -> Result<StaffSignedIn, Fault> {
        Ok(self.staff_at(Stage::Full).await?.ok_or(AppError::StaffSignInRequired)?)
    }

    /// The account between its password and its code, or `StaffSignInRequired`.
    pub async fn staff_half_signed_in(&self) -> Result<StaffSignedIn, Fault> {
        Ok(self.staff_at(Stage::Password).await?.ok_or(AppError::StaffSignInRequired)?)
    }

    /// Starts a staff session at `stage` with a brand-new token; the staff session the
    /// browser came with (if any) ends.
    pub async fn start_staff_session(&self, staff_id: i32, stage: Stage) -> Result<staff_session::Model, Fault> {
        self.end_staff_session().await?;
        let token = cookies::new_token()?;
        let now = self.state.clock.now();
        let row = staff_session::ActiveModel {
            token_hash: Set(cookies::hash(&token)),
            staff_id: Set(staff_id),
            stage: Set(stage),
            created_at: Set(now),
            last_seen_at: Set(now),
            ..Default::default()
        }
        .insert(self.state.db.write())
        .await?;
        self.set_cookie(&COOKIE.set(&token, self.state.secure_cookies))?;
        Ok(row)
    }

    /// Ends the browser's staff session on the server and tells the browser to forget it.
    pub async fn end_staff_session(&self) -> Result<(), Fault> {
        let Some(token) = COOKIE.token_in(self.headers()) else { return Ok(()) };
        if let Some(row) = find(self.state.db.read(), &token).await? {
            end(self.state.db.write(), row.id).await?;
            tracing::info!(staff_session = row.id, "staff session ended");
        }
        self.set_cookie(&COOKIE.clear(self.state.secure_cookies))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(stage: Stage, started: DateTime<Utc>, seen: DateTime<Utc>) -> staff_session::Model {
        staff_session::Model {
            id: 1,
            token_hash: String::new(),
            staff_id: 1,
            stage,
            created_at: started,
            last_seen_at: seen,
        }
    }

    #[test]
    fn lifetimes() {
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let full = |started_ago: i64, seen_ago: i64| {
            live(&session(Stage::Full, t0 - Duration::minutes(started_ago), t0 - Duration::minutes(seen_ago)), t0)
        };
        assert_eq!(full(0, 0), Some(false));
        assert_eq!(full(60, 2), Some(true), "touched at most once a minute");
        assert_eq!(full(60, 30), None, "30 minutes idle");
        assert_eq!(full(8 * 60 - 1, 1), Some(true));
        assert_eq!(full(8 * 60, 1), None, "8 hours after sign-in");
        let half = |ago: i64| live(&session(Stage::Password, t0 - Duration::minutes(ago), t0), t0);
        assert_eq!(half(4), Some(false));
        assert_eq!(half(5), None, "5 minutes for the code");
    }

    #[test]
    fn the_cookie_is_the_consoles_own() {
        let c = COOKIE.set("t", true);
        assert!(c.starts_with("ncre_staff=t; Path=/staff; Max-Age=28800; HttpOnly; SameSite=Strict; Secure"), "{c}");
    }
}
