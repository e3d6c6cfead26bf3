//! 考生查询: the registrations of the province's current session, found by one box (a name
//! or part of one, a NEEA ID, an e-mail address, an order number, or a full document
//! number) and combined filters (site, subject, payment state), 50 to a page; and one
//! registration's page with what it holds, its orders and its whole history from the audit
//! trail. A site account finds only its own sites' registrations.
//!
//! A document number is never searched in clear: the typed number is read by each document
//! type's own rule and matched through the same keyed lookup hash the pass stores
//! (`DataKey::lookup_hash`); no plaintext number is stored or scanned.

use super::session::StaffSignedIn;
use crate::domain::document::{mask, DocumentNumber, DocumentType};
use crate::server::call::Call;
use crate::server::clock::to_beijing;
use crate::server::entity::payment_order::OrderStatus;
use crate::server::entity::registration::ReviewState;
use crate::server::entity::staff::Role;
use crate::server::entity::{audit_event, enrolment, pass, payment_order, registration, subject};
use crate::server::fault::Fault;
use crate::server::passes;
use crate::views::staff::{
    CandidatePage, CandidateQuery, CandidateRow, CandidatesPage, HeldLine, OrderLine, StaffSite,
};
use crate::views::AppError;
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;

/// Registrations on one page.
pub const PAGE: u64 = 50;

/// The lookup hashes of `typed` read as each document type that accepts it.
fn doc_hashes(call: &Call, typed: &str) -> Vec<String> {
    let today = call.ctx().today;
    DocumentType::ALL
        .into_iter()
        .filter_map(|t| DocumentNumber::parse(t, typed, today).ok())
        .map(|n| call.state.data_key.lookup_hash(n.doc_type().code(), n.expose()))
        .collect()
}

/// `%typed%` with the pattern characters taken literally.
fn containing(typed: &str) -> LikeExpr {
    let escaped: String = typed
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    LikeExpr::new(format!("%{escaped}%")).escape('\\')
}

/// The registrations the account may see: the current session's; a site account's only
/// at its own sites.
pub(super) fn visible(who: &StaffSignedIn, session_id: i32) -> Condition {
    let c = Condition::all().add(registration::Column::SessionId.eq(session_id));
    match who.staff.role {
        Role::Province => c,
        Role::Site => c.add(registration::Column::SiteCode.is_in(who.sites.iter().cloned())),
    }
}

fn registrations_with(condition: Condition) -> sea_orm::sea_query::SelectStatement {
    Query::select().column(enrolment::Column::RegistrationId).from(enrolment::Entity).cond_where(condition).to_owned()
}

pub(super) fn matching(call: &Call, query: &CandidateQuery) -> Condition {
    let mut c = Condition::all();
    if !query.site.is_empty() {
        c = c.add(registration::Column::SiteCode.eq(query.site.as_str()));
    }
    let typed = query.q.as_str();
    if !typed.is_empty() {
        let mut passes = Condition::any()
            .add(Expr::col((pass::Entity, pass::Column::Name)).like(containing(typed)))
            .add(pass::Column::NeeaId.eq(typed.to_uppercase()))
            .add(pass::Column::EmailKey.eq(typed.to_lowercase()));
        let hashes = doc_hashes(call, typed);
        if !hashes.is_empty() {
            passes = passes.add(pass::Column::DocNumberHash.is_in(hashes));
        }
        // A masked number as the lists show it (`6501**********002X`): its keyed hash.
        if typed.contains('*') {
            if let Some(hash) = call.state.data_key.masked_hash(typed) {
                passes = passes.add(pass::Column::DocMaskedHash.eq(hash));
            }
        }
        let by_pass = Query::select().column(pass::Column::Id).from(pass::Entity).cond_where(passes).to_owned();
        let by_order = Query::select()
            .column(payment_order::Column::RegistrationId)
            .from(payment_order::Entity)
            .and_where(payment_order::Column::OrderNo.eq(typed))
            .to_owned();
        c = c.add(
            Condition::any()
                .add(registration::Column::PassId.in_subquery(by_pass))
                .add(registration::Column::Id.in_subquery(by_order)),
        );
    }
    if !query.subject.is_empty() {
        let held = registrations_with(Condition::all().add(enrolment::Column::SubjectCode.eq(query.subject.as_str())));
        c = c.add(registration::Column::Id.in_subquery(held));
    }
    match query.paid.as_str() {
        "paid" => {
            c = c.add(
                registration::Column::Id
                    .in_subquery(registrations_with(Condition::all().add(enrolment::Column::PaidAt.is_not_null()))),
            )
        }
        "unpaid" => {
            c = c.add(
                registration::Column::Id
                    .in_subquery(registrations_with(Condition::all().add(enrolment::Column::PaidAt.is_null()))),
            )
        }
        "none" => c = c.add(registration::Column::Id.not_in_subquery(registrations_with(Condition::all()))),
        _ => {}
    }
    let state = match query.review.as_str() {
        "pending" => Some(ReviewState::Pending),
        "approved" => Some(ReviewState::Approved),
        "rejected" => Some(ReviewState::Rejected),
        _ => None,
    };
    match (state, query.review.as_str()) {
        (Some(s), _) => c = c.add(registration::Column::ReviewState.eq(s)),
        (None, "none") => c = c.add(registration::Column::ReviewState.is_null()),
        _ => {}
    }
    c
}

/// The pass's document number, masked. A number that cannot be opened costs its row's
/// number, not the page.
pub(super) fn masked_number(call: &Call, p: &pass::Model) -> String {
    passes::doc_number(&call.state.data_key, p).map(|n| mask(&n)).unwrap_or_else(|e| {
        tracing::warn!(pass = p.id, error = %e, "a document number could not be opened");
        "（无法读取）".to_owned()
    })
}

/// The rows of `regs` as the list shows them (masked numbers opened and masked here).
async fn rows(
    call: &Call,
    db: &impl ConnectionTrait,
    regs: &[registration::Model],
) -> Result<Vec<CandidateRow>, Fault> {
    let passes = passes_by_id(db, regs.iter().map(|r| r.pass_id)).await?;
    let enrolments = enrolment::Entity::find()
        .filter(enrolment::Column::RegistrationId.is_in(regs.iter().map(|r| r.id)))
        .order_by_asc(enrolment::Column::SubjectCode)
        .all(db)
        .await?;
    let names: HashMap<String, String> =
        subject::Entity::find().all(db).await?.into_iter().map(|s| (s.code, s.name)).collect();
    let mut out = Vec::with_capacity(regs.len());
    for r in regs {
        let Some(p) = passes.get(&r.pass_id) else { continue };
        out.push(CandidateRow {
            registration: r.id,
            neea_id: p.neea_id.clone(),
            name: p.name.clone(),
            masked_number: masked_number(call, p),
            site: r.site_code.clone(),
            subjects: enrolments
                .iter()
                .filter(|e| e.registration_id == r.id)
                .map(|e| HeldLine {
                    code: e.subject_code.clone(),
                    name: names.get(&e.subject_code).cloned().unwrap_or_default(),
                    paid: e.paid_at.is_some(),
                })
                .collect(),
            locked: r.locked_at.is_some(),
        });
    }
    Ok(out)
}

pub async fn candidates_page(call: &Call, query: CandidateQuery) -> Result<CandidatesPage, Fault> {
    let who = call.staff().await?;
    let query = CandidateQuery {
        q: query.q.trim().to_owned(),
        site: query.site.trim().to_owned(),
        subject: query.subject.trim().to_owned(),
        paid: query.paid.trim().to_owned(),
        review: query.review.trim().to_owned(),
        page: query.page,
    };
    if !query.site.is_empty() {
        who.require_site(&query.site)?;
    }
    let db = call.state.db.read();
    let session = super::config::open_session_of(db, &who).await?;
    let found = registration::Entity::find().filter(visible(&who, session.id)).filter(matching(call, &query));
    let total = found.clone().count(db).await?;
    let pages = Ord::max(u32::try_from(total.div_ceil(PAGE)).unwrap_or(u32::MAX), 1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let regs =
        found.order_by_asc(registration::Column::Id).offset(u64::from(page - 1) * PAGE).limit(PAGE).all(db).await?;
    let sites = super::visible_sites(db, &who).await?;
    let subjects = super::config::catalogue_for(db, &session).await?;
    Ok(CandidatesPage {
        rows: rows(call, db, &regs).await?,
        query: CandidateQuery { page: Some(page), ..query },
        total,
        page,
        pages,
        sites: sites.into_iter().map(|s| StaffSite { code: s.code, name: s.name }).collect(),
        subjects: subjects.iter().map(super::config::catalogue_entry).collect(),
    })
}

/// Registration `id` of the province's current session, if the account may act for it:
/// `Forbidden` at a site it may not (as every other site's page; a site account also for a
/// registration with no site yet), `NotFound` when there is none.
pub(super) async fn registration_of(
    db: &impl ConnectionTrait,
    who: &StaffSignedIn,
    id: i32,
) -> Result<registration::Model, Fault> {
    let session = super::config::open_session_of(db, who).await?;
    let reg = registration::Entity::find_by_id(id)
        .filter(registration::Column::SessionId.eq(session.id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    match (&reg.site_code, who.staff.role) {
        (Some(site), _) => who.require_site(site)?,
        (None, Role::Province) => {}
        (None, Role::Site) => return Err(AppError::Forbidden.into()),
    }
    Ok(reg)
}

/// The passes of `ids`, by id.
pub(super) async fn passes_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, pass::Model>, sea_orm::DbErr> {
    let found = pass::Entity::find().filter(pass::Column::Id.is_in(ids)).all(db).await?;
    Ok(found.into_iter().map(|p| (p.id, p)).collect())
}

/// One registration: what it holds, its orders and its history from the trail.
pub async fn candidate_page(call: &Call, id: i32) -> Result<CandidatePage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let reg = registration_of(db, &who, id).await?;
    let row = rows(call, db, std::slice::from_ref(&reg)).await?.pop().ok_or(AppError::NotFound)?;
    let email = pass::Entity::find_by_id(reg.pass_id).one(db).await?.map(|p| p.email).unwrap_or_default();
    let orders = payment_order::Entity::find()
        .filter(payment_order::Column::RegistrationId.eq(reg.id))
        .order_by_asc(payment_order::Column::Id)
        .all(db)
        .await?;
    // The candidate's own actions and what happened to the registration, by its id.
    let history = audit_event::Entity::find()
        .filter(audit_event::Column::Target.eq(reg.id.to_string()))
        .filter(
            Condition::any()
                .add(audit_event::Column::Kind.starts_with("enrolment."))
                .add(audit_event::Column::Kind.starts_with("payment."))
                .add(audit_event::Column::Kind.starts_with("registration.")),
        )
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?;
    let school =
        [("院系", &reg.department), ("专业", &reg.major), ("班级", &reg.class_name), ("学号", &reg.student_no)]
            .into_iter()
            .filter_map(|(label, v)| v.clone().map(|v| (label.to_owned(), v)))
            .collect();
    Ok(CandidatePage {
        row,
        email,
        gender: reg.gender.clone(),
        birth_date: reg.birth_date.map(|d| d.to_string()),
        school,
        orders: orders
            .into_iter()
            .map(|o| OrderLine {
                order_no: o.order_no,
                status: match o.status {
                    OrderStatus::Open => "open",
                    OrderStatus::Paid => "paid",
                    OrderStatus::Closed => "closed",
                }
                .to_owned(),
                amount_fen: o.amount_fen,
                created: to_beijing(o.created_at),
            })
            .collect(),
        history: history.into_iter().map(super::trail::row).collect(),
    })
}
