//! 网上审核 (issue 15): at a site that reviews registrations, the candidate asks for review
//! (申请审核) once the information, the photo and the subjects are in; that locks the
//! registration (rule 4) until the site decides. Approved, it may be paid and stays locked
//! (what was approved is what is paid); sent back (退回) with reasons, it unlocks for
//! correction and can be asked for again. A pending request can be taken back (撤回), which
//! unlocks it too.
//!
//! Every change is one conditional UPDATE of the registration row: a request applies only
//! to the holdings it was judged on, a decision only to a registration still pending at the
//! version the staff page showed (`holdings_version`, raised by every change here, by the
//! seat desk and by the sweeper). So an approval racing the candidate's withdrawal, a
//! second teacher or a stale page leaves exactly one outcome, and its trail entry is written
//! in the same transaction. The 24 hours of rule 7 keep running while a request waits; a
//! seat released meanwhile makes the approval fail with its own words. A decision starts
//! the unpaid subjects' 24 hours afresh: an approved candidate has a day to pay, a rejected
//! one a day to correct and ask again.

use super::{mine_held, require_open, session, window_for, OpenSession, Site, UNPAID_HOLD};
use crate::server::audit::{self, Actor, Entry};
use crate::server::call::Call;
use crate::server::clock::format_beijing;
use crate::server::entity::registration::{self, ReviewState};
use crate::server::entity::{enrolment, pass};
use crate::server::fault::Fault;
use crate::server::mail::Mail;
use crate::server::payment::orders::open_order_of;
use crate::urls::{self, Notice};
use crate::validation::review::{Decision, ReviewReason};
use crate::views::journey::{ReviewStatus, ReviewView};
use crate::views::staff::AuditKind;
use crate::views::{AppError, Next};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;

/// Whether `reg` must be approved before it is paid: its site reviews, and nothing of it is
/// paid yet (a candidate adding a subject after paying, 增报, was accepted already).
pub(crate) fn required(site: Option<&Site>, held: &[enrolment::Model]) -> bool {
    site.is_some_and(|s| s.site.requires_review) && !held.iter().any(|e| e.paid_at.is_some())
}

/// The payment gate: `ReviewRequired` while a required review is not approved.
pub(crate) fn require_approved(
    s: &OpenSession,
    reg: &registration::Model,
    held: &[enrolment::Model],
) -> Result<(), AppError> {
    let site = reg.site_code.as_deref().and_then(|c| s.site(c));
    if !required(site, held) || reg.review_state == Some(ReviewState::Approved) {
        return Ok(());
    }
    Err(AppError::ReviewRequired { pending: reg.review_state == Some(ReviewState::Pending) })
}

/// What is still missing before review can be asked for, in words.
fn missing(reg: &registration::Model, held: &[enrolment::Model]) -> Vec<String> {
    let mut out = Vec::new();
    if reg.personal_saved_at.is_none() {
        out.push("个人信息".to_owned());
    }
    if held.is_empty() {
        out.push("报考科目".to_owned());
    }
    if reg.photo_key.is_none() {
        out.push("照片".to_owned());
    }
    out
}

/// The status page's review section.
pub(crate) fn view(
    now: DateTime<Utc>,
    s: &OpenSession,
    reg: &registration::Model,
    held: &[enrolment::Model],
    paying: bool,
) -> ReviewView {
    let site = reg.site_code.as_deref().and_then(|c| s.site(c));
    let open = require_open(window_for(now, s, reg.site_code.as_deref())).is_ok();
    let at = |t: Option<DateTime<Utc>>| t.map(format_beijing).unwrap_or_default();
    let status = if !required(site, held) {
        ReviewStatus::NotRequired
    } else {
        match reg.review_state {
            None => ReviewStatus::NotRequested,
            Some(ReviewState::Pending) => ReviewStatus::Pending { since: at(reg.review_requested_at) },
            Some(ReviewState::Approved) => ReviewStatus::Approved { at: at(reg.reviewed_at) },
            Some(ReviewState::Rejected) => ReviewStatus::Rejected {
                at: at(reg.reviewed_at),
                reasons: ReviewReason::words_of(reg.review_reasons.as_deref()),
                note: reg.review_note.clone(),
            },
        }
    };
    let missing = missing(reg, held);
    let askable = matches!(status, ReviewStatus::NotRequested | ReviewStatus::Rejected { .. });
    ReviewView {
        can_request: askable && open && !paying && missing.is_empty(),
        missing: if askable { missing } else { Vec::new() },
        can_withdraw: matches!(status, ReviewStatus::Pending { .. }),
        status,
    }
}

fn candidate_entry(call: &Call, pass: &pass::Model, kind: AuditKind, reg: &registration::Model) -> Entry {
    let actor = Actor::Candidate { pass_id: pass.id, neea_id: pass.neea_id.clone() };
    Entry::new(actor, kind, reg.site_code.as_deref(), reg.id.to_string()).from(call.client_addr())
}

/// 申请审核: the registration, complete and inside its window, goes to the site's queue and
/// is locked. Asked twice, it is one request.
pub async fn request(call: &Call) -> Result<Next, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let (reg, held) = mine_held(call, &who, &s).await?.ok_or_else(|| super::go(urls::AGREEMENT))?;
    let status = Next { url: urls::with_notice(urls::STATUS, Notice::ReviewRequested) };
    if reg.review_state == Some(ReviewState::Pending) {
        return Ok(status);
    }
    let now = call.state.clock.now();
    require_open(window_for(now, &s, reg.site_code.as_deref()))?;
    if reg.personal_saved_at.is_none() {
        return Err(super::go(urls::INFO).into());
    }
    if held.is_empty() {
        return Err(super::go(urls::SUBJECTS).into());
    }
    if reg.photo_key.is_none() {
        return Err(super::go(urls::PHOTO).into());
    }
    let site = reg.site_code.as_deref().and_then(|c| s.site(c));
    if !required(site, &held) || reg.review_state == Some(ReviewState::Approved) {
        return Ok(Next { url: urls::STATUS.into() });
    }
    if open_order_of(call.state.db.read(), reg.id).await?.is_some() {
        return Err(AppError::PaymentInProgress.into());
    }
    let txn = call.state.db.write().begin().await?;
    let asked = registration::Entity::update_many()
        .col_expr(registration::Column::ReviewState, Expr::value(ReviewState::Pending))
        .col_expr(registration::Column::ReviewRequestedAt, Expr::value(now))
        .col_expr(registration::Column::LockedAt, Expr::value(now))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version())
        .filter(registration::Column::Id.eq(reg.id))
        .filter(registration::Column::HoldingsVersion.eq(reg.holdings_version))
        .filter(registration::Column::LockedAt.is_null())
        .exec(&txn)
        .await?;
    if asked.rows_affected == 0 {
        // It changed under us (a seat released, a payment started in another tab): the
        // status page shows what it is now.
        txn.rollback().await?;
        return Ok(Next { url: urls::STATUS.into() });
    }
    let entry = candidate_entry(call, &who.pass, AuditKind::ReviewRequested, &reg)
        .changed(&json!({ "review": reg.review_state.map(code) }), &json!({ "review": "requested" }));
    audit::record(&txn, now, vec![entry]).await?;
    txn.commit().await?;
    tracing::info!(registration = reg.id, "review requested; registration locked");
    Ok(status)
}

/// 撤回审核申请: a pending request is taken back and the registration unlocked.
pub async fn withdraw(call: &Call) -> Result<Next, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let (reg, _) = mine_held(call, &who, &s).await?.ok_or_else(|| super::go(urls::AGREEMENT))?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let taken = registration::Entity::update_many()
        .col_expr(registration::Column::ReviewState, Expr::value(Option::<String>::None))
        .col_expr(registration::Column::LockedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version())
        .filter(registration::Column::Id.eq(reg.id))
        .filter(registration::Column::ReviewState.eq(ReviewState::Pending))
        .exec(&txn)
        .await?;
    if taken.rows_affected == 1 {
        let entry = candidate_entry(call, &who.pass, AuditKind::ReviewWithdrawn, &reg)
            .changed(&json!({ "review": "requested" }), &json!({ "review": "withdrawn" }));
        audit::record(&txn, now, vec![entry]).await?;
        txn.commit().await?;
        tracing::info!(registration = reg.id, "review request withdrawn; registration unlocked");
        return Ok(Next { url: urls::with_notice(urls::STATUS, Notice::ReviewWithdrawn) });
    }
    // Decided first (or never asked): the status page says what it is.
    txn.rollback().await?;
    Ok(Next { url: urls::STATUS.into() })
}

fn code(state: ReviewState) -> &'static str {
    match state {
        ReviewState::Pending => "requested",
        ReviewState::Approved => "approved",
        ReviewState::Rejected => "rejected",
    }
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decided {
    /// Written.
    Done,
    /// Not pending at that version any more: nothing written.
    Stale,
    /// An approval of a registration that holds no subject: nothing written.
    SeatsLost,
}

/// Applies `decision` to registration `id` if it is still pending at `version` (`None`: at
/// whatever version it is now, for a bulk decision over a filter that was read afresh).
/// `entry` is the decision's trail entry without its values.
pub async fn decide(
    db: &DatabaseConnection,
    id: i32,
    version: Option<i32>,
    decision: &Decision,
    staff_id: i32,
    entry: Entry,
    now: DateTime<Utc>,
) -> Result<Decided, DbErr> {
    let txn = db.begin().await?;
    let mut update = registration::Entity::update_many()
        .col_expr(registration::Column::ReviewedAt, Expr::value(now))
        .col_expr(registration::Column::ReviewedBy, Expr::value(staff_id))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .col_expr(registration::Column::HoldingsVersion, registration::raised_holdings_version());
    update = match decision {
        Decision::Approve => update
            .col_expr(registration::Column::ReviewState, Expr::value(ReviewState::Approved))
            .col_expr(registration::Column::ReviewReasons, Expr::value(Option::<String>::None))
            .col_expr(registration::Column::ReviewNote, Expr::value(Option::<String>::None)),
        Decision::Reject { reasons, note } => update
            .col_expr(registration::Column::ReviewState, Expr::value(ReviewState::Rejected))
            .col_expr(registration::Column::ReviewReasons, Expr::value(ReviewReason::join(reasons)))
            .col_expr(registration::Column::ReviewNote, Expr::value(note.clone()))
            .col_expr(registration::Column::LockedAt, Expr::value(Option::<DateTime<Utc>>::None)),
    };
    let mut which = Condition::all()
        .add(registration::Column::Id.eq(id))
        .add(registration::Column::ReviewState.eq(ReviewState::Pending));
    if let Some(v) = version {
        which = which.add(registration::Column::HoldingsVersion.eq(v));
    }
    let done = update.filter(which).exec(&txn).await?;
    // The row is ours now (or the update found nothing): what it holds cannot change under
    // this transaction.
    let held = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(id)).all(&txn).await?;
    let unpaid: Vec<i32> = held.iter().filter(|e| e.paid_at.is_none()).map(|e| e.id).collect();
    if done.rows_affected == 0 {
        txn.rollback().await?;
        // Nothing held: the sweeper took the last seat (and the request with it).
        let lost = held.is_empty() && matches!(decision, Decision::Approve);
        return Ok(if lost { Decided::SeatsLost } else { Decided::Stale });
    }
    if unpaid.is_empty() && matches!(decision, Decision::Approve) {
        txn.rollback().await?;
        return Ok(Decided::SeatsLost);
    }
    // The unpaid subjects' 24 hours start again: a day to pay, or to correct and ask again.
    enrolment::Entity::update_many()
        .col_expr(enrolment::Column::ChosenAt, Expr::value(now))
        .filter(enrolment::Column::Id.is_in(unpaid))
        .exec(&txn)
        .await?;
    let after = match decision {
        Decision::Approve => json!({ "review": "approved" }),
        Decision::Reject { reasons, note } => json!({
            "review": "rejected",
            "reasons": reasons.iter().map(|r| r.words()).collect::<Vec<_>>().join("；"),
            "note": note,
        }),
    };
    audit::record(&txn, now, vec![entry.changed(&json!({ "review": "requested" }), &after)]).await?;
    txn.commit().await?;
    Ok(Decided::Done)
}

/// The mail telling the candidate of a decision.
pub fn decision_mail(base: &str, to: &str, name: &str, decision: &Decision, now: DateTime<Utc>) -> Mail {
    match decision {
        Decision::Approve => Mail {
            to: to.to_owned(),
            subject: "NCRE考试报名系统：您的报名已通过考点审核".into(),
            body: format!(
                "{name}，您好：\n\n您的报名信息已通过考点网上审核。请在 {} （北京时间）前登录报名系统完成缴费，逾期未缴费的科目名额会被释放：\n\n{base}{}\n\n\
                 缴费成功才算报名成功。\n",
                format_beijing(now + UNPAID_HOLD),
                urls::STATUS,
            ),
        },
        Decision::Reject { reasons, note } => {
            let mut lines: Vec<String> = reasons.iter().map(|r| format!("· {}", r.words())).collect();
            if let Some(note) = note {
                lines.push(format!("· 补充说明：{note}"));
            }
            Mail {
                to: to.to_owned(),
                subject: "NCRE考试报名系统：您的报名需要修改后重新申请审核".into(),
                body: format!(
                    "{name}，您好：\n\n考点审核了您的报名信息，需要您修改后重新申请审核。原因：\n\n{}\n\n\
                     报名信息已解锁，请在 {} （北京时间）前登录报名系统修改，然后点“申请审核”，逾期未重新申请的科目名额会被释放：\n\n{base}{}\n",
                    lines.join("\n"),
                    format_beijing(now + UNPAID_HOLD),
                    urls::STATUS,
                ),
            }
        }
    }
}
