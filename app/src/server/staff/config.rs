//! The staff console's configuration: the province's exam session (考次), its sites (考点)
//! with their windows and options, the subjects each site offers (fee and capacity), and
//! notices. Every handler checks the account's role and site before it reads or writes
//! anything; every change is written in one transaction with its audit entry, and the
//! candidates' held copy of the configuration is dropped after it, so the next candidate
//! request sees it. Capacity moves through `seats::set_capacity`, one conditional statement
//! against the same counter claims use, so editing it in a rush never oversells.

use super::session::StaffSignedIn;
use crate::domain::photo::Background;
use crate::server::audit::{self, Actor, Entry};
use crate::server::call::Call;
use crate::server::clock::{from_beijing, from_date, to_beijing, to_date};
use crate::server::cookies;
use crate::server::entity::staff::Role;
use crate::server::entity::{
    enrolment, exam_session, exam_site, notice, offered_subject, province, site_offering, subject,
};
use crate::server::fault::Fault;
use crate::server::seats::{self, Capacity};
use crate::urls::{self, Notice};
use crate::validation::config::{
    capacity_below_taken, fee_input, NoticeForm, OfferForm, Says, SessionForm, SiteForm, ValidSite, CAPACITY,
    SESSION_NUMBER, SITE_CODE,
};
use crate::views::staff::{
    AuditKind, CatalogueEntry, NoticeRow, NoticesPage, OfferPage, OfferRow, SessionPage, SitePage, SiteRow, SitesPage,
};
use crate::views::{AppError, Next};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::{json, Value};
use std::collections::HashMap;

fn actor(who: &StaffSignedIn) -> Actor {
    Actor::Staff { id: who.staff.id, email: who.staff.email.clone() }
}

/// A trail entry of a change `who` makes from this request's address.
pub(super) fn entry(
    call: &Call,
    who: &StaffSignedIn,
    kind: AuditKind,
    site: Option<&str>,
    target: impl Into<String>,
) -> Entry {
    Entry::new(actor(who), kind, site, target).from(call.client_addr())
}

/// The province's open session: its newest.
pub async fn current_session(db: &impl ConnectionTrait, province: &str) -> Result<Option<exam_session::Model>, DbErr> {
    exam_session::Entity::find()
        .filter(exam_session::Column::ProvinceCode.eq(province))
        .order_by_desc(exam_session::Column::Number)
        .one(db)
        .await
}

pub(super) async fn open_session_of(
    db: &impl ConnectionTrait,
    who: &StaffSignedIn,
) -> Result<exam_session::Model, Fault> {
    Ok(current_session(db, &who.staff.province_code).await?.ok_or(AppError::NoSession)?)
}

/// The page's name for a session: `第75次 2025年03月全国计算机等级考试`.
pub(super) fn session_title(s: &exam_session::Model) -> String {
    format!("第{}次 {}", s.number, s.name)
}

fn saved(url: String) -> Result<Next, Fault> {
    Ok(Next { url: urls::with_notice(&url, Notice::StaffSaved) })
}

// ---- 考次 ----

fn session_form(s: &exam_session::Model) -> SessionForm {
    SessionForm {
        number: s.number.to_string(),
        name: s.name.clone(),
        first_day: s.exam_first_day.map(|d| to_date(d).to_string()).unwrap_or_default(),
        last_day: s.exam_last_day.map(|d| to_date(d).to_string()).unwrap_or_default(),
        ticket_print: s.ticket_print_starts_at.map(|t| to_beijing(t).to_string()).unwrap_or_default(),
    }
}

pub async fn session_page(call: &Call) -> Result<SessionPage, Fault> {
    let who = call.staff().await?;
    who.require_province()?;
    let db = call.state.db.read();
    let province = province::Entity::find_by_id(who.staff.province_code.clone()).one(db).await?;
    let session = current_session(db, &who.staff.province_code).await?;
    Ok(SessionPage {
        province: province.map(|p| format!("({}){}", p.code, p.name)).unwrap_or_default(),
        form: session.as_ref().map(session_form).unwrap_or_default(),
    })
}

/// Saves the open session (creates it when the province has none). Its number stays
/// unique in the province.
pub async fn save_session(call: &Call, form: SessionForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    who.require_province()?;
    let valid = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let current = current_session(&txn, &who.staff.province_code).await?;
    let clash = exam_session::Entity::find()
        .filter(exam_session::Column::ProvinceCode.eq(who.staff.province_code.as_str()))
        .filter(exam_session::Column::Number.eq(valid.number))
        .filter(exam_session::Column::Id.ne(current.as_ref().map_or(-1, |s| s.id)))
        .one(&txn)
        .await?;
    if clash.is_some() {
        return Err(call.refuse_field(
            SESSION_NUMBER.name,
            &Says {
                code: "taken",
                zh: format!("第{}次考次已经存在，请填写其他考次", valid.number),
                en: format!("Session {} exists already", valid.number),
            },
        ));
    }
    let (first, last) = (from_date(valid.first_day), from_date(valid.last_day));
    let ticket = valid.ticket_print.map(from_beijing);
    let (row, old) = match current {
        Some(s) => {
            let old = session_form(&s);
            let mut a: exam_session::ActiveModel = s.into();
            a.number = Set(valid.number);
            a.name = Set(valid.name.clone());
            a.exam_first_day = Set(Some(first));
            a.exam_last_day = Set(Some(last));
            a.ticket_print_starts_at = Set(ticket);
            (a.update(&txn).await?, Some(old))
        }
        None => {
            let a = exam_session::ActiveModel {
                number: Set(valid.number),
                name: Set(valid.name.clone()),
                province_code: Set(who.staff.province_code.clone()),
                ticket_print_starts_at: Set(ticket),
                exam_first_day: Set(Some(first)),
                exam_last_day: Set(Some(last)),
                ..Default::default()
            };
            (a.insert(&txn).await?, None)
        }
    };
    let new = session_form(&row);
    let e = entry(call, &who, AuditKind::SessionUpdated, None, format!("第{}次", row.number));
    let e = match old {
        Some(old) => e.changed(&old, &new),
        None => e.created(&new),
    };
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    call.state.catalogue.invalidate();
    tracing::info!(staff = who.staff.id, session = row.id, "session saved");
    saved(urls::STAFF_SESSION.into())
}

// ---- 考点 ----

fn site_form(site: &exam_site::Model, offering: Option<&site_offering::Model>) -> SiteForm {
    let tick = |b: bool| b.then(|| "on".to_owned());
    SiteForm {
        code: site.code.clone(),
        name: site.name.clone(),
        opens: offering.map(|o| to_beijing(o.window_opens_at).to_string()).unwrap_or_default(),
        closes: offering.map(|o| to_beijing(o.window_closes_at).to_string()).unwrap_or_default(),
        max_subjects: offering.map(|o| o.max_subjects.to_string()).unwrap_or_default(),
        self_print: tick(site.allows_self_print),
        background: site.photo_background.clone(),
        needs_department: tick(site.requires_department),
        needs_student_no: tick(site.requires_student_no),
        needs_review: tick(site.requires_review),
    }
}

/// A site's settings as the trail records them.
fn site_record(f: &SiteForm) -> Value {
    json!({
        "name": f.name,
        "opens": f.opens,
        "closes": f.closes,
        "max_subjects": f.max_subjects,
        "self_print": f.self_print.is_some(),
        "background": f.background,
        "needs_department": f.needs_department.is_some(),
        "needs_student_no": f.needs_student_no.is_some(),
        "needs_review": f.needs_review.is_some(),
    })
}

pub(super) async fn offering_of(
    db: &impl ConnectionTrait,
    session_id: i32,
    site: &str,
) -> Result<Option<site_offering::Model>, DbErr> {
    site_offering::Entity::find()
        .filter(site_offering::Column::SessionId.eq(session_id))
        .filter(site_offering::Column::SiteCode.eq(site))
        .one(db)
        .await
}

pub async fn sites_page(call: &Call) -> Result<SitesPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let session = open_session_of(db, &who).await?;
    let sites = super::visible_sites(db, &who).await?;
    let offerings: HashMap<String, site_offering::Model> = site_offering::Entity::find()
        .filter(site_offering::Column::SessionId.eq(session.id))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.site_code.clone(), o))
        .collect();
    let counts: HashMap<i32, i64> = offered_subject::Entity::find()
        .select_only()
        .column(offered_subject::Column::OfferingId)
        .column_as(offered_subject::Column::Id.count(), "n")
        .filter(offered_subject::Column::OfferingId.is_in(offerings.values().map(|o| o.id)))
        .group_by(offered_subject::Column::OfferingId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let rows = sites
        .into_iter()
        .map(|s| {
            let offering = offerings.get(&s.code);
            SiteRow {
                window: offering.map(|o| (to_beijing(o.window_opens_at), to_beijing(o.window_closes_at))),
                subjects: offering.and_then(|o| counts.get(&o.id)).map_or(0, |n| usize::try_from(*n).unwrap_or(0)),
                code: s.code,
                name: s.name,
            }
        })
        .collect();
    Ok(SitesPage {
        session: session_title(&session),
        sites: rows,
        may_create: who.staff.role == Role::Province,
        province_code: who.staff.province_code.clone(),
    })
}

/// The national catalogue's subjects in force on the session's first exam day.
pub(super) async fn catalogue_for(
    db: &impl ConnectionTrait,
    session: &exam_session::Model,
) -> Result<Vec<subject::Model>, DbErr> {
    let mut all = subject::Entity::find().all(db).await?;
    if let Some(day) = session.exam_first_day {
        all.retain(|s| s.valid_from.is_none_or(|f| f <= day) && s.valid_to.is_none_or(|t| day <= t));
    }
    all.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    Ok(all)
}

pub(super) fn catalogue_entry(s: &subject::Model) -> CatalogueEntry {
    CatalogueEntry { level: u8::try_from(s.level).unwrap_or(0), code: s.code.clone(), name: s.name.clone() }
}

/// The offering's subjects with their seats and paid count, in catalogue order.
async fn offer_rows(
    db: &impl ConnectionTrait,
    offering: Option<&site_offering::Model>,
    catalogue: &[subject::Model],
) -> Result<Vec<OfferRow>, DbErr> {
    let Some(offering) = offering else { return Ok(Vec::new()) };
    let offered =
        offered_subject::Entity::find().filter(offered_subject::Column::OfferingId.eq(offering.id)).all(db).await?;
    let paid: HashMap<i32, i64> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::OfferedSubjectId)
        .column_as(enrolment::Column::Id.count(), "n")
        .filter(enrolment::Column::OfferedSubjectId.is_in(offered.iter().map(|o| o.id)))
        .filter(enrolment::Column::PaidAt.is_not_null())
        .group_by(enrolment::Column::OfferedSubjectId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut rows: Vec<OfferRow> = offered
        .iter()
        .map(|o| {
            let subj = catalogue.iter().find(|s| s.code == o.subject_code);
            OfferRow {
                level: subj.map_or(0, |s| u8::try_from(s.level).unwrap_or(0)),
                code: o.subject_code.clone(),
                name: subj.map(|s| s.name.clone()).unwrap_or_default(),
                fee_fen: o.fee_fen,
                capacity: o.capacity,
                taken: o.capacity - o.remaining,
                remaining: o.remaining,
                paid: paid.get(&o.id).copied().unwrap_or(0),
            }
        })
        .collect();
    rows.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
    Ok(rows)
}

fn addable(catalogue: &[subject::Model], offers: &[OfferRow]) -> Vec<CatalogueEntry> {
    catalogue.iter().filter(|s| !offers.iter().any(|o| o.code == s.code)).map(catalogue_entry).collect()
}

pub async fn site_page(call: &Call, code: String) -> Result<SitePage, Fault> {
    let who = call.staff().await?;
    who.require_site(&code)?;
    let db = call.state.db.read();
    let session = open_session_of(db, &who).await?;
    let site = exam_site::Entity::find_by_id(code.clone()).one(db).await?.ok_or(AppError::NotFound)?;
    let offering = offering_of(db, session.id, &code).await?;
    let catalogue = catalogue_for(db, &session).await?;
    let offers = offer_rows(db, offering.as_ref(), &catalogue).await?;
    Ok(SitePage {
        session: session_title(&session),
        existing: Some(site.code.clone()),
        province_code: who.staff.province_code.clone(),
        form: site_form(&site, offering.as_ref()),
        addable: addable(&catalogue, &offers),
        offers,
    })
}

/// A new site's page (the province only): an empty form with the usual defaults.
pub async fn new_site_page(call: &Call) -> Result<SitePage, Fault> {
    let who = call.staff().await?;
    who.require_province()?;
    let session = open_session_of(call.state.db.read(), &who).await?;
    Ok(SitePage {
        session: session_title(&session),
        existing: None,
        province_code: who.staff.province_code.clone(),
        form: SiteForm {
            code: who.staff.province_code.clone(),
            max_subjects: "2".into(),
            background: Background::Any.code().into(),
            ..Default::default()
        },
        offers: Vec::new(),
        addable: Vec::new(),
    })
}

fn window_of(v: &ValidSite) -> (DateTime<Utc>, DateTime<Utc>, i16) {
    (from_beijing(v.opens), from_beijing(v.closes), i16::from(v.max_subjects))
}

async fn put_offering(
    db: &impl ConnectionTrait,
    session_id: i32,
    existing: Option<site_offering::Model>,
    v: &ValidSite,
) -> Result<site_offering::Model, DbErr> {
    let (opens, closes, max) = window_of(v);
    match existing {
        Some(o) => {
            let mut a: site_offering::ActiveModel = o.into();
            a.window_opens_at = Set(opens);
            a.window_closes_at = Set(closes);
            a.max_subjects = Set(max);
            a.update(db).await
        }
        None => {
            site_offering::ActiveModel {
                session_id: Set(session_id),
                site_code: Set(v.code.clone()),
                window_opens_at: Set(opens),
                window_closes_at: Set(closes),
                max_subjects: Set(max),
                ..Default::default()
            }
            .insert(db)
            .await
        }
    }
}

/// Saves an existing site's settings and its window in the open session. The code is the
/// one posted (hidden); it never changes.
pub async fn update_site(call: &Call, form: SiteForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let code = form.normalize().0.code;
    who.require_site(&code)?;
    let valid = form.parse(&call.ctx(), &who.staff.province_code).map_err(AppError::Invalid)?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let session = open_session_of(&txn, &who).await?;
    let site = exam_site::Entity::find_by_id(code.clone()).one(&txn).await?.ok_or(AppError::NotFound)?;
    let offering = offering_of(&txn, session.id, &code).await?;
    let old = site_record(&site_form(&site, offering.as_ref()));
    let mut a: exam_site::ActiveModel = site.into();
    a.name = Set(valid.name.clone());
    a.allows_self_print = Set(valid.allows_self_print);
    a.photo_background = Set(valid.background.code().to_owned());
    a.requires_department = Set(valid.requires_department);
    a.requires_student_no = Set(valid.requires_student_no);
    a.requires_review = Set(valid.requires_review);
    let site = a.update(&txn).await?;
    let offering = put_offering(&txn, session.id, offering, &valid).await?;
    let new = site_record(&site_form(&site, Some(&offering)));
    let e = entry(call, &who, AuditKind::SiteUpdated, Some(&code), code.clone()).changed(&old, &new);
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    call.state.catalogue.invalidate();
    tracing::info!(staff = who.staff.id, site = %code, "site saved");
    saved(format!("{}?code={code}", urls::STAFF_SITE))
}

/// Creates a site of the province and its place in the open session (the province only).
pub async fn create_site(call: &Call, form: SiteForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    who.require_province()?;
    let valid = form.parse(&call.ctx(), &who.staff.province_code).map_err(AppError::Invalid)?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let session = open_session_of(&txn, &who).await?;
    if exam_site::Entity::find_by_id(valid.code.clone()).one(&txn).await?.is_some() {
        return Err(call.refuse_field(
            SITE_CODE.name,
            &Says {
                code: "taken",
                zh: format!("考点代码{}已经有考点使用，请检查后重新填写", valid.code),
                en: format!("Site code {} is in use", valid.code),
            },
        ));
    }
    let site = exam_site::ActiveModel {
        code: Set(valid.code.clone()),
        name: Set(valid.name.clone()),
        province_code: Set(who.staff.province_code.clone()),
        allows_self_print: Set(valid.allows_self_print),
        photo_background: Set(valid.background.code().to_owned()),
        requires_department: Set(valid.requires_department),
        requires_student_no: Set(valid.requires_student_no),
        requires_review: Set(valid.requires_review),
    }
    .insert(&txn)
    .await?;
    let offering = put_offering(&txn, session.id, None, &valid).await?;
    let new = site_record(&site_form(&site, Some(&offering)));
    let e = entry(call, &who, AuditKind::SiteCreated, Some(&site.code), site.code.clone()).created(&new);
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    call.state.catalogue.invalidate();
    tracing::info!(staff = who.staff.id, site = %site.code, "site created");
    saved(format!("{}?code={}", urls::STAFF_SITE, site.code))
}

// ---- 开考科目 ----

/// The site (checked against the account), its offering in the open session and the
/// catalogue in force: what every subject handler starts from.
async fn offer_context(
    db: &impl ConnectionTrait,
    who: &StaffSignedIn,
    site: &str,
) -> Result<(exam_site::Model, site_offering::Model, Vec<subject::Model>), Fault> {
    who.require_site(site)?;
    let session = open_session_of(db, who).await?;
    let site = exam_site::Entity::find_by_id(site.to_owned()).one(db).await?.ok_or(AppError::NotFound)?;
    let offering = offering_of(db, session.id, &site.code).await?.ok_or(AppError::NotFound)?;
    let catalogue = catalogue_for(db, &session).await?;
    Ok((site, offering, catalogue))
}

/// One offered subject's page (`subject` given) or the page to add one (`subject` empty).
pub async fn offer_page(call: &Call, site: String, subject: String) -> Result<OfferPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let (site, offering, catalogue) = offer_context(db, &who, &site).await?;
    let offers = offer_rows(db, Some(&offering), &catalogue).await?;
    let current = if subject.is_empty() {
        None
    } else {
        Some(offers.iter().find(|o| o.code == subject).cloned().ok_or(AppError::NotFound)?)
    };
    let form = OfferForm {
        site: site.code.clone(),
        subject: subject.clone(),
        fee: current.as_ref().map(|c| fee_input(c.fee_fen)).unwrap_or_default(),
        capacity: current.as_ref().map(|c| c.capacity.to_string()).unwrap_or_default(),
    };
    Ok(OfferPage { site: site.code, site_name: site.name, addable: addable(&catalogue, &offers), current, form })
}

fn offer_record(o: &offered_subject::Model) -> Value {
    json!({ "fee": fee_input(o.fee_fen), "capacity": o.capacity })
}

/// Adds a subject to a site, or sets an offered one's fee and capacity. Raising the capacity
/// frees seats at once; lowering it below the seats taken is refused with the numbers.
pub async fn save_offer(call: &Call, form: OfferForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let site_code = form.normalize().0.site;
    who.require_site(&site_code)?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let (site, offering, catalogue) = offer_context(&txn, &who, &site_code).await?;
    let codes: Vec<&str> = catalogue.iter().map(|s| s.code.as_str()).collect();
    let valid = form.parse(&call.ctx(), &codes).map_err(AppError::Invalid)?;
    let target = format!("{}/{}", site.code, valid.subject);
    let existing = offered_subject::Entity::find()
        .filter(offered_subject::Column::OfferingId.eq(offering.id))
        .filter(offered_subject::Column::SubjectCode.eq(valid.subject.as_str()))
        .one(&txn)
        .await?;
    let e = match existing {
        Some(o) => {
            let old = offer_record(&o);
            match seats::set_capacity(&txn, o.id, valid.capacity).await? {
                Capacity::Set => {}
                Capacity::BelowTaken { taken } => {
                    txn.rollback().await?;
                    return Err(call.refuse_field(CAPACITY.name, &capacity_below_taken(taken)));
                }
                Capacity::Gone => return Err(AppError::NotFound.into()),
            }
            offered_subject::Entity::update_many()
                .col_expr(offered_subject::Column::FeeFen, Expr::value(valid.fee_fen))
                .filter(offered_subject::Column::Id.eq(o.id))
                .exec(&txn)
                .await?;
            let now_row = offered_subject::Entity::find_by_id(o.id).one(&txn).await?.ok_or(AppError::NotFound)?;
            entry(call, &who, AuditKind::SubjectUpdated, Some(&site.code), target)
                .changed(&old, &offer_record(&now_row))
        }
        None => {
            let row = offered_subject::ActiveModel {
                offering_id: Set(offering.id),
                subject_code: Set(valid.subject.clone()),
                fee_fen: Set(valid.fee_fen),
                capacity: Set(valid.capacity),
                remaining: Set(valid.capacity),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            entry(call, &who, AuditKind::SubjectAdded, Some(&site.code), target).created(&offer_record(&row))
        }
    };
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    call.state.catalogue.invalidate();
    tracing::info!(staff = who.staff.id, site = %site.code, subject = %valid.subject, "subject saved");
    saved(format!("{}?code={}", urls::STAFF_SITE, site.code))
}

/// Takes a subject off a site: only while no candidate holds it and no order names it.
pub async fn remove_offer(call: &Call, form: OfferForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let (form, _) = form.normalize();
    who.require_site(&form.site)?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let (site, offering, _) = offer_context(&txn, &who, &form.site).await?;
    let o = offered_subject::Entity::find()
        .filter(offered_subject::Column::OfferingId.eq(offering.id))
        .filter(offered_subject::Column::SubjectCode.eq(form.subject.as_str()))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if !seats::remove_offered(&txn, o.id).await? {
        txn.rollback().await?;
        return Err(AppError::SubjectInUse.into());
    }
    let e = entry(call, &who, AuditKind::SubjectRemoved, Some(&site.code), format!("{}/{}", site.code, o.subject_code))
        .removed(&offer_record(&o));
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    call.state.catalogue.invalidate();
    tracing::info!(staff = who.staff.id, site = %site.code, subject = %o.subject_code, "subject removed");
    Ok(Next { url: urls::with_notice(&format!("{}?code={}", urls::STAFF_SITE, site.code), Notice::StaffRemoved) })
}

// ---- 通告 ----

/// Where the account may publish: the province its 考试通告 (`""`) and every site, a site
/// account its own sites.
async fn notice_targets(db: &impl ConnectionTrait, who: &StaffSignedIn) -> Result<Vec<(String, String)>, DbErr> {
    let mut out = Vec::new();
    if who.staff.role == Role::Province {
        out.push((String::new(), "考试通告（全省考生）".to_owned()));
    }
    for s in super::visible_sites(db, who).await? {
        out.push((s.code.clone(), format!("考点通告：({}){}", s.code, s.name)));
    }
    Ok(out)
}

pub async fn notices_page(call: &Call) -> Result<NoticesPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let session = open_session_of(db, &who).await?;
    let mut q = notice::Entity::find().filter(notice::Column::SessionId.eq(session.id));
    if who.staff.role == Role::Site {
        q = q.filter(
            Condition::any()
                .add(notice::Column::SiteCode.is_null())
                .add(notice::Column::SiteCode.is_in(who.sites.iter().cloned())),
        );
    }
    let now = call.state.clock.now();
    let notices = q
        .order_by_desc(notice::Column::PublishedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            site: n.site_code,
            title: n.title,
            published: to_beijing(n.published_at),
            scheduled: n.published_at > now,
        })
        .collect();
    let targets = notice_targets(db, &who).await?;
    let form = NoticeForm { site: targets.first().map(|t| t.0.clone()).unwrap_or_default(), ..Default::default() };
    Ok(NoticesPage { notices, targets, form })
}

/// Publishes a notice now or at its publish time: the province's to every candidate, a
/// site's to the site's candidates.
pub async fn publish_notice(call: &Call, form: NoticeForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let site = form.normalize().0.site;
    if site.is_empty() {
        who.require_province()?;
    } else {
        who.require_site(&site)?;
    }
    let valid = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let session = open_session_of(&txn, &who).await?;
    if let Some(code) = &valid.site {
        exam_site::Entity::find_by_id(code.clone()).one(&txn).await?.ok_or(AppError::NotFound)?;
    }
    let published_at = valid.publish_at.map_or(now, from_beijing);
    let token = cookies::new_token()?;
    let row = notice::ActiveModel {
        slug: Set(format!("n-{}", &token[..16])),
        session_id: Set(session.id),
        site_code: Set(valid.site.clone()),
        title: Set(valid.title.clone()),
        body: Set(valid.body.clone()),
        published_at: Set(published_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let record = json!({ "title": row.title, "body": row.body, "published": to_beijing(published_at).to_string() });
    let e = entry(call, &who, AuditKind::NoticePublished, valid.site.as_deref(), row.slug.clone()).created(&record);
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    call.state.catalogue.invalidate();
    tracing::info!(staff = who.staff.id, notice = row.id, "notice published");
    saved(urls::STAFF_NOTICES.into())
}
