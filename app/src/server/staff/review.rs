//! 网上审核, the staff side: the queue of registrations waiting for review at the account's
//! sites (oldest request first, filtered by site and subject), each with its photo, its
//! information and its subjects; a decision for one (at the version its card showed) or for
//! every pending registration the filter matches that was asked for by the time the page was
//! shown. The decisions themselves, their trail entries and their conditions live with the
//! registration (`journey::review::decide`); this module checks who may decide what, and
//! mails the candidate.

use super::search::{masked_number, passes_by_id, registration_of, visible};
use super::session::StaffSignedIn;
use crate::domain::codes;
use crate::domain::document::{DocumentType, Gender};
use crate::domain::photo::Background;
use crate::server::call::Call;
use crate::server::clock::to_beijing;
use crate::server::entity::registration::{self, ReviewState};
use crate::server::entity::{audit_event, enrolment, exam_site, subject};
use crate::server::fault::Fault;
use crate::server::journey::review::{decide, decision_mail, Decided};
use crate::server::journey::UNPAID_HOLD;
use crate::urls::{self, Notice};
use crate::validation::review::{BulkReviewForm, Decision, ReviewForm, ReviewReason};
use crate::views::staff::{AuditKind, DecidedRow, ReviewCard, ReviewPage, ReviewQuery, ReviewSubject, StaffSite};
use crate::views::{AppError, Next};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// Recent decisions listed under the queue.
const DECIDED: u64 = 20;

/// The pending registrations of `site`/`subject` (empty: any) the account may see.
fn queue(who: &StaffSignedIn, session_id: i32, site: &str, subject: &str) -> Condition {
    let mut c = visible(who, session_id).add(registration::Column::ReviewState.eq(ReviewState::Pending));
    if !site.is_empty() {
        c = c.add(registration::Column::SiteCode.eq(site));
    }
    if !subject.is_empty() {
        let holding = Query::select()
            .column(enrolment::Column::RegistrationId)
            .from(enrolment::Entity)
            .and_where(enrolment::Column::SubjectCode.eq(subject))
            .to_owned();
        c = c.add(registration::Column::Id.in_subquery(holding));
    }
    c
}

/// The facts a reviewer compares with the photo and the document: personal, contact, school.
fn facts(reg: &registration::Model) -> Vec<(String, String)> {
    let gender = reg.gender.as_deref().and_then(Gender::from_code).map(|g| g.label_zh().to_owned());
    [
        ("性别", gender.unwrap_or_default()),
        ("出生日期", reg.birth_date.map(|d| d.to_string()).unwrap_or_default()),
        ("民族", codes::ethnicity().words(reg.ethnicity.as_deref())),
        ("职业", codes::occupation().words(reg.occupation.as_deref())),
        ("文化程度", codes::education().words(reg.education.as_deref())),
        ("培训类型", codes::training().words(reg.training_type.as_deref())),
        ("邮编", reg.postcode.clone().unwrap_or_default()),
        ("地址", reg.address.clone().unwrap_or_default()),
        ("电子邮箱", reg.contact_email.clone().unwrap_or_default()),
        ("院系", reg.department.clone().unwrap_or_default()),
        ("专业", reg.major.clone().unwrap_or_default()),
        ("班级", reg.class_name.clone().unwrap_or_default()),
        ("学号", reg.student_no.clone().unwrap_or_default()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

pub async fn review_page(call: &Call, query: ReviewQuery) -> Result<ReviewPage, Fault> {
    let who = call.staff().await?;
    let query = ReviewQuery { site: query.site.trim().to_owned(), subject: query.subject.trim().to_owned(), ..query };
    if !query.site.is_empty() {
        who.require_site(&query.site)?;
    }
    let db = call.state.db.read();
    let now = call.state.clock.now();
    let session = super::config::open_session_of(db, &who).await?;
    let found = registration::Entity::find().filter(queue(&who, session.id, &query.site, &query.subject));
    let total = found.clone().count(db).await?;
    let regs = found
        .order_by_asc(registration::Column::ReviewRequestedAt)
        .order_by_asc(registration::Column::Id)
        .limit(crate::views::staff::REVIEW_CARDS)
        .all(db)
        .await?;
    let decided_regs = registration::Entity::find()
        .filter(visible(&who, session.id))
        .filter(registration::Column::ReviewState.is_in([ReviewState::Approved, ReviewState::Rejected]))
        .order_by_desc(registration::Column::ReviewedAt)
        .limit(DECIDED)
        .all(db)
        .await?;
    let passes = passes_by_id(db, regs.iter().chain(&decided_regs).map(|r| r.pass_id)).await?;
    let held = enrolment::Entity::find()
        .filter(enrolment::Column::RegistrationId.is_in(regs.iter().map(|r| r.id)))
        .order_by_asc(enrolment::Column::SubjectCode)
        .all(db)
        .await?;
    let names: HashMap<String, subject::Model> =
        subject::Entity::find().all(db).await?.into_iter().map(|s| (s.code.clone(), s)).collect();
    let sites = super::visible_sites(db, &who).await?;
    let site_of: HashMap<&str, &exam_site::Model> = sites.iter().map(|s| (s.code.as_str(), s)).collect();
    let cards = regs
        .iter()
        .filter_map(|r| {
            let p = passes.get(&r.pass_id)?;
            let site = r.site_code.as_deref().and_then(|c| site_of.get(c));
            Some(ReviewCard {
                registration: r.id,
                version: r.holdings_version,
                neea_id: p.neea_id.clone(),
                name: p.name.clone(),
                doc_type: DocumentType::from_code(&p.doc_type).map(|t| t.label_zh()).unwrap_or_default().to_owned(),
                masked_number: masked_number(call, p),
                site: site.map(|s| format!("({}){}", s.code, s.name)).unwrap_or_default(),
                background: site
                    .and_then(|s| Background::from_code(&s.photo_background))
                    .unwrap_or_default()
                    .label_zh()
                    .to_owned(),
                requested: to_beijing(r.review_requested_at.unwrap_or(r.updated_at)),
                facts: facts(r),
                subjects: held
                    .iter()
                    .filter(|e| e.registration_id == r.id)
                    .map(|e| ReviewSubject {
                        line: names
                            .get(&e.subject_code)
                            .map(|s| format!("({}){}", s.code, s.name))
                            .unwrap_or_else(|| e.subject_code.clone()),
                        deadline: to_beijing(e.chosen_at + UNPAID_HOLD),
                    })
                    .collect(),
                has_photo: r.photo_key.is_some(),
                photo_facts: r.photo_facts.as_deref().and_then(|f| serde_json::from_str(f).ok()),
                wanted: site.and_then(|s| Background::from_code(&s.photo_background)).unwrap_or_default(),
            })
        })
        .collect();
    let decided = decided_regs
        .iter()
        .filter_map(|r| {
            let p = passes.get(&r.pass_id)?;
            Some(DecidedRow {
                registration: r.id,
                neea_id: p.neea_id.clone(),
                name: p.name.clone(),
                approved: r.review_state == Some(ReviewState::Approved),
                reasons: ReviewReason::words_of(r.review_reasons.as_deref()),
                at: to_beijing(r.reviewed_at?),
            })
        })
        .collect();
    let subjects = super::config::catalogue_for(db, &session).await?;
    Ok(ReviewPage {
        query,
        cards,
        total,
        upto: now.to_rfc3339(),
        reviewing_sites: sites.iter().filter(|s| s.requires_review).map(|s| s.code.clone()).collect(),
        sites: sites.iter().map(|s| StaffSite { code: s.code.clone(), name: s.name.clone() }).collect(),
        subjects: subjects.iter().map(super::config::catalogue_entry).collect(),
        decided,
    })
}

/// Writes one decision and mails the candidate; what happened.
async fn apply(
    call: &Call,
    who: &StaffSignedIn,
    reg: &registration::Model,
    version: Option<i32>,
    decision: &Decision,
) -> Result<Decided, Fault> {
    let kind = match decision {
        Decision::Approve => AuditKind::ReviewApproved,
        Decision::Reject { .. } => AuditKind::ReviewRejected,
    };
    let entry = super::config::entry(call, who, kind, reg.site_code.as_deref(), reg.id.to_string());
    let now = call.state.clock.now();
    let decided = decide(call.state.db.write(), reg.id, version, decision, who.staff.id, entry, now).await?;
    if decided == Decided::Done {
        if let Some(p) = passes_by_id(call.state.db.read(), [reg.pass_id]).await?.remove(&reg.pass_id) {
            call.state
                .mailer
                .send_later(decision_mail(&call.state.public_url, &p.email, &p.name, decision, now), "review");
        }
        tracing::info!(
            staff = who.staff.id,
            registration = reg.id,
            approved = matches!(decision, Decision::Approve),
            "review decided"
        );
    }
    Ok(decided)
}

fn notice_of(decision: &Decision) -> Notice {
    match decision {
        Decision::Approve => Notice::ReviewApproved,
        Decision::Reject { .. } => Notice::ReviewRejected,
    }
}

/// 通过 / 退回 for one registration, as its card showed it.
pub async fn decide_one(call: &Call, form: ReviewForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let decision = form.decision.parse(call.ctx().lang).map_err(AppError::Invalid)?;
    let id = form.registration.trim().parse::<i32>().map_err(|_| AppError::BadRequest)?;
    let version = form.version.trim().parse::<i32>().map_err(|_| AppError::BadRequest)?;
    let reg = match registration_of(call.state.db.read(), &who, id).await {
        // Its seats released since the card was shown, it lost its site with them: said so
        // to the site it asked, as anyone else is refused.
        Err(Fault::Refused(AppError::Forbidden)) if asked_at_own_site(call, &who, id).await? => {
            return Err(AppError::ReviewSeatsLost.into())
        }
        other => other?,
    };
    match apply(call, &who, &reg, Some(version), &decision).await? {
        Decided::Done => {
            Ok(Next { url: urls::with_notice(&queue_url(&form.site, &form.subject, &[]), notice_of(&decision)) })
        }
        Decided::Stale => Err(AppError::ReviewStale.into()),
        Decided::SeatsLost => Err(AppError::ReviewSeatsLost.into()),
    }
}

/// The decision for every pending registration the filter matches that was asked for by
/// `upto`; each is decided (or left) exactly as one card would be, so one whose seats went
/// meanwhile is left pending for a look, and the others outside the filter are untouched.
pub async fn decide_bulk(call: &Call, form: BulkReviewForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let decision = form.decision.parse(call.ctx().lang).map_err(AppError::Invalid)?;
    let upto = DateTime::parse_from_rfc3339(form.upto.trim()).map_err(|_| AppError::BadRequest)?.with_timezone(&Utc);
    let (site, subject) = (form.site.trim(), form.subject.trim());
    if !site.is_empty() {
        who.require_site(site)?;
    }
    let db = call.state.db.read();
    let session = super::config::open_session_of(db, &who).await?;
    let regs = registration::Entity::find()
        .filter(queue(&who, session.id, site, subject))
        .filter(registration::Column::ReviewRequestedAt.lte(upto))
        .order_by_asc(registration::Column::ReviewRequestedAt)
        .order_by_asc(registration::Column::Id)
        .all(db)
        .await?;
    let (mut done, mut skipped) = (0u32, 0u32);
    for reg in &regs {
        match apply(call, &who, reg, Some(reg.holdings_version), &decision).await? {
            Decided::Done => done += 1,
            Decided::Stale | Decided::SeatsLost => skipped += 1,
        }
    }
    tracing::info!(staff = who.staff.id, done, skipped, "bulk review decided");
    let (done, skipped) = (done.to_string(), skipped.to_string());
    let url = queue_url(site, subject, &[("done", &done), ("skipped", &skipped)]);
    Ok(Next { url: urls::with_notice(&url, notice_of(&decision)) })
}

/// The queue under a filter, with `extra` query pairs.
pub fn queue_url(site: &str, subject: &str, extra: &[(&str, &str)]) -> String {
    let mut pairs = vec![("site", site.trim()), ("subject", subject.trim())];
    pairs.extend_from_slice(extra);
    urls::with_query(urls::STAFF_REVIEW, &pairs)
}

/// Whether registration `id`, now without a site, last asked for review at a site of the
/// account (as its trail entry says).
async fn asked_at_own_site(call: &Call, who: &StaffSignedIn, id: i32) -> Result<bool, Fault> {
    let db = call.state.db.read();
    let siteless = registration::Entity::find_by_id(id).one(db).await?.is_some_and(|r| r.site_code.is_none());
    if !siteless {
        return Ok(false);
    }
    let asked = audit_event::Entity::find()
        .filter(audit_event::Column::Target.eq(id.to_string()))
        .filter(audit_event::Column::Kind.eq(AuditKind::ReviewRequested.code()))
        .order_by_desc(audit_event::Column::Id)
        .one(db)
        .await?;
    Ok(asked.and_then(|e| e.site_code).is_some_and(|site| who.may_act_for(&site)))
}

/// The stored photo key of registration `id`, if the account may see it.
pub async fn photo_key(call: &Call, id: i32) -> Result<Option<String>, Fault> {
    let who = call.staff().await?;
    Ok(registration_of(call.state.db.read(), &who, id).await?.photo_key)
}
