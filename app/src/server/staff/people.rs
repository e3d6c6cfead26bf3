//! 工作人员账号: the provincial admin lists the province's console accounts and adds one.
//! A new account has no password: a one-time set-password link (the same as `server staff
//! add` prints) is mailed to its address, and its first sign-in enrols its authenticator.

use super::{Created, NewStaff};
use crate::server::audit::{Actor, Entry};
use crate::server::call::Call;
use crate::server::entity::staff::{self, Role};
use crate::server::entity::staff_site;
use crate::server::fault::Fault;
use crate::server::mail::Mail;
use crate::urls::{self, Notice};
use crate::validation::account::EMAIL;
use crate::validation::staff::{NewRole, StaffAccountForm};
use crate::validation::Required;
use crate::views::staff::{AuditKind, StaffAccountRow, StaffAccountsPage, StaffRole, StaffSite};
use crate::views::{AppError, Next};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

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
    let entry = Entry::new(
        Actor::Staff { id: who.staff.id, email: who.staff.email.clone() },
        AuditKind::StaffCreated,
        valid.site.as_deref(),
        new.email.clone(),
    )
    .from(call.client_addr())
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
