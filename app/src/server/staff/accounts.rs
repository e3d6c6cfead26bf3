//! The staff console's sign-in handlers: password, then the second factor (enrolling the
//! authenticator app the first time), the one-time set-password link, sign-out, and the
//! console's first page. The no-JS form posts (`forms`) end here.

use super::session::StaffSignedIn;
use super::{totp, Created, NewStaff, TOTP_PURPOSE};
use crate::server::call::Call;
use crate::server::entity::exam_site;
use crate::server::entity::province;
use crate::server::entity::staff::Role;
use crate::server::entity::staff_session::Stage;
use crate::server::fault::Fault;
use crate::server::limits::Action;
use crate::server::passes::accounts::secret;
use crate::urls::{self, Notice};
use crate::validation::account::EMAIL;
use crate::validation::account::{token_shape_ok, NewPasswordForm};
use crate::validation::staff::{CodeForm, StaffSignInForm, CODE, CODE_WRONG, STAFF_SIGN_IN_FAILED};
use crate::validation::Required;
use crate::views::staff::{Enrolment, SecondFactorPage, SetPasswordPage, StaffHome, StaffRole, StaffSite};
use crate::views::{AppError, Next};
use chrono::{DateTime, Utc};
use sea_orm::EntityTrait;

/// The refusal of a right password of a disabled account.
const STAFF_DISABLED: Required = Required {
    code: "disabled",
    zh: "这个账号已被停用，不能登录。如需恢复，请联系省级考试机构",
    en: "This account is disabled. Ask the provincial office to enable it again",
};

fn locked_out(until: DateTime<Utc>, now: DateTime<Utc>) -> Fault {
    AppError::RateLimited { retry_after_secs: u64::try_from((until - now).num_seconds()).unwrap_or(1).max(1) }.into()
}

/// Password first. A right one starts a session that only opens the second-factor page.
pub async fn sign_in(call: &Call, form: StaffSignInForm) -> Result<Next, Fault> {
    let valid = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    call.limit(Action::StaffSignIn, Some(&super::email_key(valid.email.as_str()))).await?;
    let now = call.state.clock.now();
    let account = super::by_email(call.state.db.read(), valid.email.as_str()).await?;
    if let Some(until) = account.as_ref().and_then(|a| super::locked(a, now)) {
        tracing::info!("staff sign-in refused: account locked");
        return Err(locked_out(until, now));
    }
    // Unknown accounts and accounts without a password yet cost a dummy verify, so timing
    // tells nothing.
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let ok = call.state.passwords.verify(secret(&valid.password), stored).await?;
    match account {
        // The count of failures is not cleared here but by a right code: with the password
        // known, a wrong code then a right password again must not start the count afresh.
        // Said only to whoever knows the password.
        Some(a) if ok && a.disabled_at.is_some() => {
            tracing::info!(staff = a.id, "staff sign-in refused: account disabled");
            Err(call.refuse_field(EMAIL.name, &STAFF_DISABLED))
        }
        Some(a) if ok => {
            let session = call.start_staff_session(a.id, Stage::Password).await?;
            tracing::info!(staff = a.id, staff_session = session.id, "staff password accepted");
            Ok(Next { url: urls::STAFF_SECOND_FACTOR.into() })
        }
        Some(a) => {
            super::record_failure(call.state.db.write(), a.id, now).await?;
            tracing::info!(staff = a.id, "staff sign-in refused");
            Err(call.refuse_field(EMAIL.name, &STAFF_SIGN_IN_FAILED))
        }
        None => {
            tracing::info!("staff sign-in refused");
            Err(call.refuse_field(EMAIL.name, &STAFF_SIGN_IN_FAILED))
        }
    }
}

/// "ABCD EFGH …": a secret as a person types it.
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// The account's TOTP secret, opened; at the first sign-in a new one is made and kept
/// (sealed) until a code from it confirms it.
async fn secret_of(call: &Call, who: &StaffSignedIn) -> Result<String, Fault> {
    if let Some(sealed) = &who.staff.totp_secret {
        return Ok(call.state.data_key.open(TOTP_PURPOSE, sealed)?);
    }
    let fresh = totp::new_secret()?;
    let sealed = call.state.data_key.seal(TOTP_PURPOSE, &fresh)?;
    let now = call.state.clock.now();
    if super::offer_totp_secret(call.state.db.write(), who.staff.id, &sealed, now).await? {
        return Ok(fresh);
    }
    // Another request of the account kept its own first: use that one.
    let again = super::by_id(call.state.db.read(), who.staff.id).await?.and_then(|s| s.totp_secret);
    Ok(call.state.data_key.open(TOTP_PURPOSE, &again.ok_or_else(|| Fault::broken("TOTP secret vanished"))?)?)
}

pub async fn second_factor_page(call: &Call) -> Result<SecondFactorPage, Fault> {
    let who = call.staff_half_signed_in().await?;
    let enrol = if who.staff.totp_confirmed_at.is_some() {
        None
    } else {
        let secret = secret_of(call, &who).await?;
        let qr_svg = totp::qr_svg(&totp::otpauth_url(&secret, &who.staff.email))
            .ok_or_else(|| Fault::broken("enrolment QR code"))?;
        Some(Enrolment { secret: grouped(&secret), qr_svg })
    };
    Ok(SecondFactorPage { email: who.staff.email, enrol })
}

/// The code. A right one, never used before, ends the half session and starts a full one.
pub async fn second_factor(call: &Call, form: CodeForm) -> Result<Next, Fault> {
    let who = call.staff_half_signed_in().await?;
    let code = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    call.limit(Action::StaffSignIn, Some(&who.staff.email_key)).await?;
    let now = call.state.clock.now();
    if let Some(until) = super::locked(&who.staff, now) {
        return Err(locked_out(until, now));
    }
    let secret = secret_of(call, &who).await?;
    let unix = u64::try_from(now.timestamp()).map_err(|_| Fault::broken("clock before 1970"))?;
    let step = totp::matching_step(&secret, code.as_str(), unix)?;
    let accepted = match step.and_then(|s| i64::try_from(s).ok()) {
        Some(step) => super::accept_step(call.state.db.write(), who.staff.id, step, now).await?,
        None => false,
    };
    if !accepted {
        super::record_failure(call.state.db.write(), who.staff.id, now).await?;
        tracing::info!(staff = who.staff.id, reused = step.is_some(), "staff code refused");
        return Err(call.refuse_field(CODE.name, &CODE_WRONG));
    }
    let session = call.start_staff_session(who.staff.id, Stage::Full).await?;
    tracing::info!(staff = who.staff.id, staff_session = session.id, "staff signed in");
    Ok(Next { url: urls::STAFF.into() })
}

pub async fn set_password_page(call: &Call, token: String) -> Result<SetPasswordPage, Fault> {
    if !token_shape_ok(&token) {
        return Ok(SetPasswordPage { email: None });
    }
    let owner = super::set_password_owner(call.state.db.read(), &token, call.state.clock.now()).await?;
    Ok(SetPasswordPage { email: owner.map(|o| o.email) })
}

/// The one-time link's form: the candidates' password rule, the address as what the
/// password may not be.
pub async fn set_password(call: &Call, form: NewPasswordForm) -> Result<Next, Fault> {
    let (form, _) = form.normalize();
    if !token_shape_ok(&form.token) {
        return Err(AppError::TokenInvalid.into());
    }
    let now = call.state.clock.now();
    let owner =
        super::set_password_owner(call.state.db.read(), &form.token, now).await?.ok_or(AppError::TokenInvalid)?;
    let password = form.parse(&call.ctx(), &[&owner.email]).map_err(AppError::Invalid)?;
    let hash = call.state.passwords.hash(secret(&password)).await?;
    super::set_password(call.state.db.write(), &form.token, hash, now).await?.ok_or(AppError::TokenInvalid)?;
    tracing::info!(staff = owner.id, "staff password set; every session of the account ended");
    call.end_staff_session().await?;
    Ok(Next { url: urls::with_notice(urls::STAFF_SIGN_IN, Notice::StaffPasswordSet) })
}

pub async fn sign_out(call: &Call) -> Result<Next, Fault> {
    call.end_staff_session().await?;
    Ok(Next { url: urls::with_notice(urls::STAFF_SIGN_IN, Notice::StaffSignedOut) })
}

pub async fn home(call: &Call) -> Result<StaffHome, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let province = province::Entity::find_by_id(who.staff.province_code.clone()).one(db).await?;
    let sites = super::visible_sites(db, &who).await?;
    let dashboard = match super::config::current_session(db, &who.staff.province_code).await? {
        Some(session) => Some(super::dashboard::dashboard(db, &who, &session).await?),
        None => None,
    };
    Ok(StaffHome {
        name: who.staff.name,
        email: who.staff.email,
        role: match who.staff.role {
            Role::Province => StaffRole::Province,
            Role::Site => StaffRole::Site,
        },
        province: province.map(|p| p.name).unwrap_or_default(),
        sites: sites.into_iter().map(|s| StaffSite { code: s.code, name: s.name }).collect(),
        dashboard,
    })
}

/// `server staff add`: checks the account's sites (each of its province; a provincial
/// admin has none, a site account at least one), creates the account and returns its
/// one-time set-password link, or why not.
pub async fn add(
    db: &sea_orm::DatabaseConnection,
    public_url: &str,
    new: &NewStaff,
    now: DateTime<Utc>,
) -> Result<Result<String, String>, sea_orm::DbErr> {
    match (new.role, new.sites.is_empty()) {
        (Role::Province, false) => return Ok(Err("a provincial admin acts for every site: give no --site".into())),
        (Role::Site, true) => return Ok(Err("a site account needs at least one --site".into())),
        _ => {}
    }
    if new.province_code.is_empty() {
        return Ok(Err("--province: needed for a provincial admin".into()));
    }
    if province::Entity::find_by_id(new.province_code.clone()).one(db).await?.is_none() {
        return Ok(Err(format!("no province {}", new.province_code)));
    }
    for code in &new.sites {
        match exam_site::Entity::find_by_id(code.clone()).one(db).await? {
            Some(site) if site.province_code == new.province_code => {}
            Some(_) => return Ok(Err(format!("site {code} is not in province {}", new.province_code))),
            None => return Ok(Err(format!("no exam site {code}"))),
        }
    }
    let staff = match super::create(db, new, now, Vec::new()).await? {
        Created::Created(s) => s,
        Created::EmailTaken => return Ok(Err(format!("a staff account with {} exists already", new.email))),
    };
    let token = super::issue_set_password(db, staff.id, now).await?;
    tracing::info!(staff = staff.id, role = ?staff.role, "staff account created");
    Ok(Ok(format!("{public_url}{}?token={token}", urls::STAFF_SET_PASSWORD)))
}
