//! 工作人员账号: the provincial admin lists the province's console accounts, adds one, and
//! disables, enables, unlocks or mails a new set-password link to one. A new account has no
//! password: a one-time set-password link (the same as `server staff add` prints) is mailed
//! to its address, and its first sign-in enrols its authenticator.

use super::{Created, NewStaff};
use crate::server::audit;
use crate::server::call::Call;
use crate::server::entity::staff::{self, Role};
use crate::server::entity::{staff_session, staff_site, staff_token};
use crate::server::fault::Fault;
use crate::server::mail::Mail;
use crate::urls::{self, Notice};
use crate::validation::account::EMAIL;
use crate::validation::staff::{AccountAction, AccountActionForm, NewRole, StaffAccountForm};
use crate::validation::Required;
use crate::views::staff::{AuditKind, StaffAccountRow, StaffAccountsPage, StaffRole, StaffSite};
use crate::views::{AppError, Next};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};
use serde_json::json;

const EMAIL_TAKEN: Required =
    Required {
        code: "taken", zh: "这个电子邮箱已经有管理系统账号", en: "This address has a console account already"
    };

pub async fn accounts_page(call: &Call) -> Result<StaffAccountsPage, Fault> {
    let who = call.staff().await?;
    who.require_province()?;
    let db = call.state.db.read();
    let now = call.state.clock.now();
    let accounts = staff::Entity::find()
        .filter(staff::Column::ProvinceCode.eq(who.staff.province_code.as_str()))
        .order_by_asc(staff::Column::Id)
        .all(db)
        .await?;
    let links = staff_site::Entity::find()
        .filter(staff_site::Column::StaffId.is_in(accounts.iter().map(|a| a.id)))
        .order_by_asc(staff_site::Column::SiteCode)
        .all(db)
        .await?;
    let sites = super::visible_sites(db, &who).await?;
    Ok(StaffAccountsPage {
        accounts: accounts
            .into_iter()
            .map(|a| StaffAccountRow {
                sites: links.iter().filter(|l| l.staff_id == a.id).map(|l| l.site_code.clone()).collect(),
                password_set: a.password_hash.is_some(),
                enrolled: a.totp_confirmed_at.is_some(),
                locked: super::locked(&a, now).is_some(),
                disabled: a.disabled_at.is_some(),
                id: a.id,
                is_self: a.id == who.staff.id,
                role: match a.role {
                    Role::Province => StaffRole::Province,
                    Role::Site => StaffRole::Site,
                },
                email: a.email,
                name: a.name,
            })
            .collect(),
        sites: sites.into_iter().map(|s| StaffSite { code: s.code, name: s.name }).collect(),
        form: StaffAccountForm { role: NewRole::Site.code().into(), ..Default::default() },
    })
}

fn set_password_mail(call: &Call, to: &str, name: &str, token: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "NCRE考试报名管理系统：请设置您的密码".into(),
        body: format!(
            "{name}，您好：\n\n省级考试机构为您开通了NCRE考试报名管理系统的账号（{to}）。请在72小时内打开下面的链接设置密码：\n\n\
             {}{}?token={token}\n\n链接只能使用一次。首次登录时需要在手机上用验证器App扫描二维码完成绑定。\n\
             如果您不知道这件事，请忽略本邮件并告知省级考试机构。\n",
            call.state.public_url,
            urls::STAFF_SET_PASSWORD,
        ),
    }
}

pub async fn create_account(call: &Call, form: StaffAccountForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    who.require_province()?;
    let db = call.state.db.write();
    let sites = super::visible_sites(db, &who).await?;
    let codes: Vec<&str> = sites.iter().map(|s| s.code.as_str()).collect();
    let valid = form.parse(&call.ctx(), &codes).map_err(AppError::Invalid)?;
    let now = call.state.clock.now();
    let new = NewStaff {
        email: valid.email.as_str().to_owned(),
        name: valid.name.clone(),
        role: match valid.role {
            NewRole::Province => Role::Province,
            NewRole::Site => Role::Site,
        },
        province_code: who.staff.province_code.clone(),
        sites: valid.site.iter().cloned().collect(),
    };
    let entry = super::config::entry(call, &who, AuditKind::StaffCreated, valid.site.as_deref(), new.email.clone())
        .created(
            &serde_json::json!({ "email": new.email, "name": new.name, "role": valid.role.code(), "sites": new.sites }),
        );
    let created = match super::create(db, &new, now, vec![entry]).await? {
        Created::Created(row) => row,
        Created::EmailTaken => {
            return Err(call.refuse_field(EMAIL.name, &EMAIL_TAKEN));
        }
    };
    let token = super::issue_set_password(db, created.id, now).await?;
    call.state.mailer.send_later(set_password_mail(call, &created.email, &created.name, &token), "staff-set-password");
    tracing::info!(staff = who.staff.id, created = created.id, "staff account created in the console");
    Ok(Next { url: urls::with_notice(urls::STAFF_ACCOUNTS, Notice::StaffAccountCreated) })
}

/// A link for a disabled account is refused: it could not be used.
const LINK_WHILE_DISABLED: Required = Required {
    code: "disabled",
    zh: "这个账号已停用：请先启用，再发送设置密码的链接",
    en: "This account is disabled: enable it before sending a set-password link",
};

/// The account's state as the trail records it.
fn status(s: &staff::Model, now: DateTime<Utc>) -> &'static str {
    if s.disabled_at.is_some() {
        "disabled"
    } else if super::locked(s, now).is_some() || s.failed_attempts > 0 {
        "locked"
    } else {
        "active"
    }
}

/// 停用, 启用, 解除锁定 or 重发设置密码链接, by the province, for one account of the
/// province. Each is one conditional statement in a transaction with its trail entry, so
/// two admins acting at once record one change; acting on an account already in the state
/// asked for changes nothing. Disabling ends the account's sessions and unused links at
/// once; an admin cannot disable their own account (so a province always keeps one).
pub async fn act_on_account(call: &Call, form: AccountActionForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    who.require_province()?;
    let (id, action) = form.parse().ok_or(AppError::BadRequest)?;
    let db = call.state.db.write();
    let target =
        super::by_id(db, id).await?.filter(|s| s.province_code == who.staff.province_code).ok_or(AppError::NotFound)?;
    if action == AccountAction::Disable && target.id == who.staff.id {
        return Err(AppError::Forbidden.into());
    }
    if action == AccountAction::SendLink && target.disabled_at.is_some() {
        return Err(call.refuse_field("account", &LINK_WHILE_DISABLED));
    }
    let now = call.state.clock.now();
    let sites = super::sites_of(db, target.id).await?;
    let txn = db.begin().await?;
    let update = staff::Entity::update_many().filter(staff::Column::Id.eq(target.id));
    let (changed, after) = match action {
        AccountAction::Disable => {
            let done = update
                .col_expr(staff::Column::DisabledAt, Expr::value(now))
                .col_expr(staff::Column::UpdatedAt, Expr::value(now))
                .filter(staff::Column::DisabledAt.is_null())
                .exec(&txn)
                .await?;
            staff_session::Entity::delete_many()
                .filter(staff_session::Column::StaffId.eq(target.id))
                .exec(&txn)
                .await?;
            staff_token::Entity::delete_many()
                .filter(staff_token::Column::StaffId.eq(target.id))
                .filter(staff_token::Column::UsedAt.is_null())
                .exec(&txn)
                .await?;
            (done.rows_affected == 1, "disabled")
        }
        AccountAction::Enable => {
            let done = update
                .col_expr(staff::Column::DisabledAt, Expr::value(Option::<DateTime<Utc>>::None))
                .col_expr(staff::Column::UpdatedAt, Expr::value(now))
                .filter(staff::Column::DisabledAt.is_not_null())
                .exec(&txn)
                .await?;
            (done.rows_affected == 1, "active")
        }
        AccountAction::Unlock => {
            let done = update
                .col_expr(staff::Column::FailedAttempts, Expr::value(0))
                .col_expr(staff::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
                .col_expr(staff::Column::UpdatedAt, Expr::value(now))
                .filter(staff::Column::FailedAttempts.gt(0).or(staff::Column::LockedUntil.is_not_null()))
                .exec(&txn)
                .await?;
            (done.rows_affected == 1, "active")
        }
        AccountAction::SendLink => (true, "link-sent"),
    };
    let token = match action {
        AccountAction::SendLink => Some(super::issue_set_password(&txn, target.id, now).await?),
        _ => None,
    };
    if changed {
        let kind = match action {
            AccountAction::Disable => AuditKind::StaffDisabled,
            AccountAction::Enable => AuditKind::StaffEnabled,
            AccountAction::Unlock => AuditKind::StaffUnlocked,
            AccountAction::SendLink => AuditKind::StaffLinkSent,
        };
        let entry = super::config::entry(call, &who, kind, sites.first().map(String::as_str), target.email.clone())
            .changed(&json!({ "status": status(&target, now) }), &json!({ "status": after }));
        audit::record(&txn, now, vec![entry]).await?;
    }
    txn.commit().await?;
    if let Some(token) = token {
        call.state
            .mailer
            .send_later(set_password_mail(call, &target.email, &target.name, &token), "staff-set-password");
    }
    tracing::info!(staff = who.staff.id, target = target.id, action = action.code(), changed, "staff account action");
    let notice = match action {
        AccountAction::Disable => Notice::StaffDisabled,
        AccountAction::Enable => Notice::StaffEnabled,
        AccountAction::Unlock => Notice::StaffUnlocked,
        AccountAction::SendLink => Notice::StaffLinkSent,
    };
    Ok(Next { url: urls::with_notice(urls::STAFF_ACCOUNTS, notice) })
}
