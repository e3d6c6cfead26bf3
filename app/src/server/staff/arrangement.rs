//! 考场编排 (issue 16): a site's rooms and batches, placing its candidates' paid subjects
//! into them (`domain::arrangement` decides; this module reads and writes), and 检录 at the
//! door by ticket number.
//!
//! Every change runs in one transaction that first touches the site's row, so two staff
//! pressing 编排 (or adding a room) at once take turns instead of numbering or seating the
//! same thing twice; the unique indexes of migration 12 would refuse a double seat anyway.
//! Each change is on the audit trail. The candidate's status page reads its placements
//! (`placed_of`) for the 编排状态 and 考场 columns.

use super::config::{entry, offering_of, open_session_of, session_title};
use super::session::StaffSignedIn;
use crate::domain::arrangement::{self, codes_of, codes_text, Batch, Entry, Placement, Room, Seat, TicketNumber};
use crate::server::audit;
use crate::server::call::Call;
use crate::server::clock::{from_beijing, to_beijing, to_date};
use crate::server::entity::{
    check_in, enrolment, exam_batch, exam_room, exam_session, exam_site, offered_subject, pass, placement,
    registration, subject,
};
use crate::server::fault::Fault;
use crate::server::printing::token::document_digest;
use crate::urls::{self, Notice};
use crate::validation::arrangement::{
    ArrangeForm, ArrangeMode, BatchForm, DoorEntry, DoorForm, RoomForm, ROOM_NAME, STARTS, TICKET,
};
use crate::validation::config::Says;
use crate::views::arrangement::{
    ArrangePage, BatchRow, BatchesPage, DoorCard, DoorPage, ExamRoomRow, RoomRow, RoomsPage, UnplacedRow,
};
use crate::views::staff::AuditKind;
use crate::views::{AppError, Next};
use sea_orm::sea_query::{Expr, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;
use std::collections::HashMap;

/// The site a page or change is for, in the open session, with the codes it offers.
struct SiteContext {
    session: exam_session::Model,
    site: exam_site::Model,
    offered: Vec<String>,
}

impl SiteContext {
    fn offered(&self) -> Vec<&str> {
        self.offered.iter().map(String::as_str).collect()
    }
}

/// `code` empty: the first site the account sees (a site account's own).
async fn site_context(db: &impl ConnectionTrait, who: &StaffSignedIn, code: &str) -> Result<SiteContext, Fault> {
    let session = open_session_of(db, who).await?;
    let site = if code.is_empty() {
        super::visible_sites(db, who).await?.into_iter().next().ok_or(AppError::NotFound)?
    } else {
        who.require_site(code)?;
        exam_site::Entity::find_by_id(code.to_owned()).one(db).await?.ok_or(AppError::NotFound)?
    };
    let mut offered = match offering_of(db, session.id, &site.code).await? {
        Some(o) => offered_subject::Entity::find()
            .filter(offered_subject::Column::OfferingId.eq(o.id))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.subject_code)
            .collect(),
        None => Vec::new(),
    };
    offered.sort();
    Ok(SiteContext { session, site, offered })
}

/// The open session and the site (checked against the account) a printout is for.
pub(super) async fn site_scope(
    db: &impl ConnectionTrait,
    who: &StaffSignedIn,
    code: &str,
) -> Result<(exam_session::Model, exam_site::Model), Fault> {
    let ctx = site_context(db, who, code).await?;
    Ok((ctx.session, ctx.site))
}

/// Makes the transaction wait for any other change to the site's arrangement (PostgreSQL
/// locks the row; SQLite has one writer at a time anyway).
async fn lock_site(db: &impl ConnectionTrait, code: &str) -> Result<(), DbErr> {
    exam_site::Entity::update_many()
        .col_expr(exam_site::Column::Code, Expr::col(exam_site::Column::Code))
        .filter(exam_site::Column::Code.eq(code))
        .exec(db)
        .await
        .map(|_| ())
}

fn page_url(path: &str, site: &str) -> String {
    format!("{path}?site={site}")
}

fn small(n: i32) -> u8 {
    u8::try_from(n).unwrap_or(0)
}

async fn rooms_of(db: &impl ConnectionTrait, site: &str) -> Result<Vec<exam_room::Model>, DbErr> {
    exam_room::Entity::find()
        .filter(exam_room::Column::SiteCode.eq(site))
        .order_by_asc(exam_room::Column::Number)
        .all(db)
        .await
}

async fn batches_of(db: &impl ConnectionTrait, session: i32, site: &str) -> Result<Vec<exam_batch::Model>, DbErr> {
    exam_batch::Entity::find()
        .filter(exam_batch::Column::SessionId.eq(session))
        .filter(exam_batch::Column::SiteCode.eq(site))
        .order_by_asc(exam_batch::Column::StartsAt)
        .order_by_asc(exam_batch::Column::Number)
        .all(db)
        .await
}

/// Placements per room (or per batch): `column` is `RoomId` or `BatchId`.
async fn placed_by(
    db: &impl ConnectionTrait,
    session: i32,
    site: &str,
    column: placement::Column,
) -> Result<HashMap<i32, u64>, DbErr> {
    let rows: Vec<(i32, i64)> = placement::Entity::find()
        .select_only()
        .column(column)
        .column_as(placement::Column::Id.count(), "n")
        .filter(placement::Column::SessionId.eq(session))
        .filter(placement::Column::SiteCode.eq(site))
        .group_by(column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or(0))).collect())
}

/// A room or batch as the trail records it.
fn room_record(r: &exam_room::Model) -> serde_json::Value {
    json!({ "number": r.number, "name": r.name, "seats": r.seats, "subjects": r.subjects })
}

fn batch_record(b: &exam_batch::Model) -> serde_json::Value {
    json!({
        "number": b.number,
        "starts": to_beijing(b.starts_at).to_string(),
        "ends": to_beijing(b.ends_at).to_string(),
        "subjects": b.subjects,
    })
}

/// The row a 删除 button names.
fn row_id(form_id: &str) -> Result<i32, Fault> {
    Ok(form_id.trim().parse().map_err(|_| AppError::NotFound)?)
}

/// A room or batch anyone is arranged into stays (`column` is `RoomId` or `BatchId`).
async fn refuse_if_in_use(db: &impl ConnectionTrait, column: placement::Column, id: i32) -> Result<(), Fault> {
    if placement::Entity::find().filter(column.eq(id)).count(db).await? > 0 {
        return Err(AppError::ArrangementInUse.into());
    }
    Ok(())
}

// ---- 机房 ----

pub async fn rooms_page(call: &Call, site: String) -> Result<RoomsPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let ctx = site_context(db, &who, &site).await?;
    let placed = placed_by(db, ctx.session.id, &ctx.site.code, placement::Column::RoomId).await?;
    let rooms = rooms_of(db, &ctx.site.code)
        .await?
        .into_iter()
        .map(|r| RoomRow {
            id: r.id,
            number: small(r.number),
            placed: placed.get(&r.id).copied().unwrap_or(0),
            name: r.name,
            seats: small(r.seats),
            subjects: r.subjects,
        })
        .collect();
    let form = RoomForm { site: ctx.site.code.clone(), ..RoomForm::default() };
    Ok(RoomsPage { site: ctx.site.code, site_name: ctx.site.name, offered: ctx.offered, rooms, form })
}

/// Adds a room, numbered after the site's highest (numbers are never reused while a room
/// exists: they are in ticket numbers).
pub async fn add_room(call: &Call, form: RoomForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let code = form.normalize().0.site;
    who.require_site(&code)?;
    let txn = call.state.db.write().begin().await?;
    let ctx = site_context(&txn, &who, &code).await?;
    let valid = form.parse(&call.ctx(), &ctx.offered()).map_err(AppError::Invalid)?;
    lock_site(&txn, &code).await?;
    let rooms = rooms_of(&txn, &code).await?;
    if rooms.iter().any(|r| r.name == valid.name) {
        return Err(call.refuse_field(
            ROOM_NAME.name,
            &Says {
                code: "taken",
                zh: format!("本考点已有名为“{}”的机房", valid.name),
                en: "The site has a room of that name".into(),
            },
        ));
    }
    let number = rooms.iter().map(|r| r.number).max().unwrap_or(0) + 1;
    if number > i32::from(arrangement::MAX_NUMBER) {
        return Err(call.refuse_field(
            ROOM_NAME.name,
            &Says {
                code: "too_many",
                zh: format!("一个考点最多{}个机房", arrangement::MAX_NUMBER),
                en: format!("A site has at most {} rooms", arrangement::MAX_NUMBER),
            },
        ));
    }
    let now = call.state.clock.now();
    let subjects = codes_text(&valid.subjects);
    let row = exam_room::ActiveModel {
        site_code: Set(code.clone()),
        number: Set(number),
        name: Set(valid.name.clone()),
        seats: Set(i32::from(valid.seats)),
        subjects: Set(subjects),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let e = entry(call, &who, AuditKind::RoomAdded, Some(&code), format!("{code}/room/{}", row.number))
        .created(&room_record(&row));
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    tracing::info!(staff = who.staff.id, site = %code, room = number, "room added");
    Ok(Next { url: urls::with_notice(&page_url(urls::STAFF_ROOMS, &code), Notice::StaffSaved) })
}

pub async fn remove_room(call: &Call, form: RoomForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let code = form.site.trim().to_owned();
    who.require_site(&code)?;
    let id = row_id(&form.id)?;
    let txn = call.state.db.write().begin().await?;
    lock_site(&txn, &code).await?;
    let room = exam_room::Entity::find_by_id(id)
        .filter(exam_room::Column::SiteCode.eq(code.as_str()))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    refuse_if_in_use(&txn, placement::Column::RoomId, id).await?;
    exam_room::Entity::delete_by_id(id).exec(&txn).await?;
    let now = call.state.clock.now();
    let e = entry(call, &who, AuditKind::RoomRemoved, Some(&code), format!("{code}/room/{}", room.number))
        .removed(&room_record(&room));
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    Ok(Next { url: urls::with_notice(&page_url(urls::STAFF_ROOMS, &code), Notice::StaffRemoved) })
}

// ---- 场次 ----

fn session_days(s: &exam_session::Model) -> Option<(crate::domain::Date, crate::domain::Date)> {
    Some((to_date(s.exam_first_day?), to_date(s.exam_last_day?)))
}

pub async fn batches_page(call: &Call, site: String) -> Result<BatchesPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let ctx = site_context(db, &who, &site).await?;
    let placed = placed_by(db, ctx.session.id, &ctx.site.code, placement::Column::BatchId).await?;
    let batches = batches_of(db, ctx.session.id, &ctx.site.code)
        .await?
        .into_iter()
        .map(|b| BatchRow {
            id: b.id,
            number: small(b.number),
            starts: to_beijing(b.starts_at),
            ends: to_beijing(b.ends_at),
            placed: placed.get(&b.id).copied().unwrap_or(0),
            subjects: b.subjects,
        })
        .collect();
    let form = BatchForm { site: ctx.site.code.clone(), ..BatchForm::default() };
    Ok(BatchesPage {
        session: session_title(&ctx.session),
        days: session_days(&ctx.session),
        site: ctx.site.code,
        site_name: ctx.site.name,
        offered: ctx.offered,
        batches,
        form,
    })
}

/// Adds a batch of the open session. Two batches of a site never overlap: every room
/// serves each batch.
pub async fn add_batch(call: &Call, form: BatchForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let code = form.normalize().0.site;
    who.require_site(&code)?;
    let txn = call.state.db.write().begin().await?;
    let ctx = site_context(&txn, &who, &code).await?;
    let valid = form.parse(&call.ctx(), &ctx.offered(), session_days(&ctx.session)).map_err(AppError::Invalid)?;
    lock_site(&txn, &code).await?;
    let (starts, ends) = (from_beijing(valid.starts), from_beijing(valid.ends));
    let batches = batches_of(&txn, ctx.session.id, &code).await?;
    if let Some(b) = batches.iter().find(|b| b.starts_at < ends && starts < b.ends_at) {
        let (s, t) = (to_beijing(b.starts_at), to_beijing(b.ends_at));
        return Err(call.refuse_field(
            STARTS.name,
            &Says {
                code: "overlaps",
                zh: format!("与第{}场（{} 至 {:02}:{:02}）时间重叠", b.number, s, t.hour(), t.minute()),
                en: format!("Overlaps batch {} ({s} to {:02}:{:02})", b.number, t.hour(), t.minute()),
            },
        ));
    }
    let number = batches.iter().map(|b| b.number).max().unwrap_or(0) + 1;
    if number > i32::from(arrangement::MAX_NUMBER) {
        return Err(call.refuse_field(
            STARTS.name,
            &Says {
                code: "too_many",
                zh: format!("一个考点最多{}个场次", arrangement::MAX_NUMBER),
                en: format!("A site has at most {} batches", arrangement::MAX_NUMBER),
            },
        ));
    }
    let now = call.state.clock.now();
    let subjects = codes_text(&valid.subjects);
    let row = exam_batch::ActiveModel {
        session_id: Set(ctx.session.id),
        site_code: Set(code.clone()),
        number: Set(number),
        starts_at: Set(starts),
        ends_at: Set(ends),
        subjects: Set(subjects),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let e = entry(call, &who, AuditKind::BatchAdded, Some(&code), format!("{code}/batch/{number}"))
        .created(&batch_record(&row));
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    tracing::info!(staff = who.staff.id, site = %code, batch = number, "batch added");
    Ok(Next { url: urls::with_notice(&page_url(urls::STAFF_BATCHES, &code), Notice::StaffSaved) })
}

pub async fn remove_batch(call: &Call, form: BatchForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let code = form.site.trim().to_owned();
    who.require_site(&code)?;
    let id = row_id(&form.id)?;
    let txn = call.state.db.write().begin().await?;
    lock_site(&txn, &code).await?;
    let batch = exam_batch::Entity::find_by_id(id)
        .filter(exam_batch::Column::SiteCode.eq(code.as_str()))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    refuse_if_in_use(&txn, placement::Column::BatchId, id).await?;
    exam_batch::Entity::delete_by_id(id).exec(&txn).await?;
    let now = call.state.clock.now();
    let e = entry(call, &who, AuditKind::BatchRemoved, Some(&code), format!("{code}/batch/{}", batch.number))
        .removed(&batch_record(&batch));
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    Ok(Next { url: urls::with_notice(&page_url(urls::STAFF_BATCHES, &code), Notice::StaffRemoved) })
}

// ---- 编排 ----

/// Everything the arrangement of one site reads.
struct Inputs {
    rooms: Vec<exam_room::Model>,
    batches: Vec<exam_batch::Model>,
    /// Paid subjects, by payment time then id (the order seats are given in).
    paid: Vec<enrolment::Model>,
    existing: Vec<placement::Model>,
}

impl Inputs {
    async fn load(db: &impl ConnectionTrait, session: i32, site: &str) -> Result<Self, DbErr> {
        let of_site = Query::select()
            .column(registration::Column::Id)
            .from(registration::Entity)
            .and_where(registration::Column::SessionId.eq(session))
            .and_where(registration::Column::SiteCode.eq(site))
            .to_owned();
        let paid = enrolment::Entity::find()
            .filter(enrolment::Column::RegistrationId.in_subquery(of_site))
            .filter(enrolment::Column::PaidAt.is_not_null())
            .order_by_asc(enrolment::Column::PaidAt)
            .order_by_asc(enrolment::Column::Id)
            .all(db)
            .await?;
        let existing = placement::Entity::find()
            .filter(placement::Column::SessionId.eq(session))
            .filter(placement::Column::SiteCode.eq(site))
            .all(db)
            .await?;
        Ok(Inputs { rooms: rooms_of(db, site).await?, batches: batches_of(db, session, site).await?, paid, existing })
    }

    fn plan(&self) -> arrangement::Plan {
        let rooms: Vec<Room> = self
            .rooms
            .iter()
            .map(|r| Room { id: r.id, number: small(r.number), seats: small(r.seats), subjects: codes_of(&r.subjects) })
            .collect();
        let batches: Vec<Batch> = self
            .batches
            .iter()
            .map(|b| Batch {
                id: b.id,
                number: small(b.number),
                starts: b.starts_at.timestamp() / 60,
                ends: b.ends_at.timestamp() / 60,
                subjects: codes_of(&b.subjects),
            })
            .collect();
        let entries: Vec<Entry> = self
            .paid
            .iter()
            .map(|e| Entry { enrolment: e.id, candidate: e.registration_id, subject: e.subject_code.clone() })
            .collect();
        let existing: Vec<Placement> = self
            .existing
            .iter()
            .map(|p| Placement {
                enrolment: p.enrolment_id,
                seat: Seat { batch: p.batch_id, room: p.room_id, seat: small(p.seat) },
            })
            .collect();
        arrangement::arrange(&rooms, &batches, &entries, &existing)
    }
}

/// What the candidate's 考场 column says: `0102考场（一号机房）12号`.
fn room_words(ticket: &TicketNumber, room: &exam_room::Model) -> String {
    format!("{}考场（{}）{:02}号", ticket.exam_room(), room.name, ticket.seat())
}

/// One arranged subject of a registration: its placement, room and batch.
#[derive(Debug, Clone)]
pub struct Placed {
    pub placement: placement::Model,
    pub ticket: TicketNumber,
    pub room: exam_room::Model,
    pub batch: exam_batch::Model,
}

impl Placed {
    /// A placement read with its room and batch, keyed by its enrolment (`None` for a
    /// malformed ticket number, which `arrange` never writes).
    pub fn of(placement: placement::Model, room: exam_room::Model, batch: exam_batch::Model) -> Option<(i32, Placed)> {
        let ticket = TicketNumber::parse(&placement.ticket_number).ok()?;
        Some((placement.enrolment_id, Placed { placement, ticket, room, batch }))
    }

    /// `0102考场（一号机房）12号`.
    pub fn words(&self) -> String {
        room_words(&self.ticket, &self.room)
    }
}

/// A registration's arranged subjects, by enrolment id: one indexed read of its placements
/// joined to their rooms and batches (the ticket download's every request makes it).
pub async fn placed_of(db: &impl ConnectionTrait, registration: i32) -> Result<HashMap<i32, Placed>, DbErr> {
    let rows = placement::Entity::find()
        .filter(placement::Column::RegistrationId.eq(registration))
        .find_also_related(exam_room::Entity)
        .find_also_related(exam_batch::Entity)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(p, room, batch)| Placed::of(p, room?, batch?)).collect())
}

pub async fn arrange_page(call: &Call, site: String) -> Result<ArrangePage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let ctx = site_context(db, &who, &site).await?;
    let inputs = Inputs::load(db, ctx.session.id, &ctx.site.code).await?;
    let plan = inputs.plan();
    let mut taken: HashMap<(i32, i32), u64> = HashMap::new();
    for p in &inputs.existing {
        *taken.entry((p.batch_id, p.room_id)).or_default() += 1;
    }
    let mut exam_rooms = Vec::new();
    for b in &inputs.batches {
        for r in &inputs.rooms {
            exam_rooms.push(ExamRoomRow {
                code: format!("{:02}{:02}", b.number, r.number),
                starts: to_beijing(b.starts_at),
                ends: to_beijing(b.ends_at),
                room: r.name.clone(),
                seats: small(r.seats),
                taken: taken.get(&(b.id, r.id)).copied().unwrap_or(0),
            });
        }
    }
    let unplaced = unplaced_rows(db, &inputs, &plan).await?;
    Ok(ArrangePage {
        session: session_title(&ctx.session),
        rooms: inputs.rooms.len(),
        batches: inputs.batches.len(),
        paid: inputs.paid.len(),
        placed: inputs.existing.len(),
        exam_rooms,
        unplaced,
        unplaced_total: plan.unplaced.len(),
        sites: super::visible_sites(db, &who).await?.into_iter().map(|s| (s.code, s.name)).collect(),
        form: ArrangeForm { site: ctx.site.code.clone(), mode: "new".into(), confirm: None },
        site: ctx.site.code,
        site_name: ctx.site.name,
    })
}

/// At most this many unplaced subjects are listed by name (the count is always whole).
const UNPLACED_LISTED: usize = 200;

async fn unplaced_rows(
    db: &impl ConnectionTrait,
    inputs: &Inputs,
    plan: &arrangement::Plan,
) -> Result<Vec<UnplacedRow>, DbErr> {
    // Subjects the plan would place are not listed: only what 编排 cannot place.
    let listed: Vec<_> = plan.unplaced.iter().take(UNPLACED_LISTED).collect();
    let by_id: HashMap<i32, &enrolment::Model> = inputs.paid.iter().map(|e| (e.id, e)).collect();
    let registrations: Vec<i32> =
        listed.iter().filter_map(|(id, _)| by_id.get(id).map(|e| e.registration_id)).collect();
    let regs = registration::Entity::find().filter(registration::Column::Id.is_in(registrations)).all(db).await?;
    let passes: HashMap<i32, String> = pass::Entity::find()
        .filter(pass::Column::Id.is_in(regs.iter().map(|r| r.pass_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let names: HashMap<i32, String> =
        regs.iter().map(|r| (r.id, passes.get(&r.pass_id).cloned().unwrap_or_default())).collect();
    Ok(listed
        .into_iter()
        .filter_map(|(id, why)| {
            let e = by_id.get(id)?;
            Some(UnplacedRow {
                registration: e.registration_id,
                name: names.get(&e.registration_id).cloned().unwrap_or_default(),
                subject: e.subject_code.clone(),
                reason: why.words().to_owned(),
            })
        })
        .collect())
}

/// Runs 编排 for a site: places the paid subjects without a seat (`new`), or takes every
/// seat back first (`all`, and `clear` without placing again), confirmed by the form.
pub async fn arrange_site(call: &Call, form: ArrangeForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let code = form.site.trim().to_owned();
    who.require_site(&code)?;
    let mode = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let ctx = site_context(&txn, &who, &code).await?;
    lock_site(&txn, &code).await?;
    let mut cleared = 0;
    if mode != ArrangeMode::New {
        cleared = placement::Entity::delete_many()
            .filter(placement::Column::SessionId.eq(ctx.session.id))
            .filter(placement::Column::SiteCode.eq(code.as_str()))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    let (mut placed, mut unplaced) = (0, 0);
    if mode != ArrangeMode::Clear {
        let inputs = Inputs::load(&txn, ctx.session.id, &code).await?;
        let plan = inputs.plan();
        unplaced = plan.unplaced.len();
        placed = write_plan(&txn, &ctx, &inputs, &plan, now).await?;
    }
    let kind = if mode == ArrangeMode::New { AuditKind::Arranged } else { AuditKind::Rearranged };
    let mode_word = match mode {
        ArrangeMode::New => "new",
        ArrangeMode::All => "all",
        ArrangeMode::Clear => "clear",
    };
    let e = entry(call, &who, kind, Some(&code), code.clone())
        .created(&json!({ "mode": mode_word, "cleared": cleared, "placed": placed, "unplaced": unplaced }));
    audit::record(&txn, now, vec![e]).await?;
    txn.commit().await?;
    tracing::info!(staff = who.staff.id, site = %code, mode = mode_word, cleared, placed, unplaced, "arranged");
    let notice = if mode == ArrangeMode::Clear { Notice::StaffRemoved } else { Notice::Arranged };
    Ok(Next { url: urls::with_notice(&page_url(urls::STAFF_ARRANGE, &code), notice) })
}

/// Writes the plan's new placements; the count written.
async fn write_plan(
    db: &impl ConnectionTrait,
    ctx: &SiteContext,
    inputs: &Inputs,
    plan: &arrangement::Plan,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, Fault> {
    let rooms: HashMap<i32, &exam_room::Model> = inputs.rooms.iter().map(|r| (r.id, r)).collect();
    let batches: HashMap<i32, &exam_batch::Model> = inputs.batches.iter().map(|b| (b.id, b)).collect();
    let paid: HashMap<i32, &enrolment::Model> = inputs.paid.iter().map(|e| (e.id, e)).collect();
    let mut rows = Vec::with_capacity(plan.placed.len());
    for p in &plan.placed {
        let (Some(room), Some(batch), Some(e)) =
            (rooms.get(&p.seat.room), batches.get(&p.seat.batch), paid.get(&p.enrolment))
        else {
            return Err(Fault::broken("a placement names a room, batch or subject not read"));
        };
        let ticket = TicketNumber::new(
            &e.subject_code,
            ctx.session.number,
            &ctx.site.code,
            small(batch.number),
            small(room.number),
            p.seat.seat,
        )
        .ok_or_else(|| Fault::broken("a ticket number does not fit its digits"))?;
        rows.push(placement::ActiveModel {
            session_id: Set(ctx.session.id),
            site_code: Set(ctx.site.code.clone()),
            enrolment_id: Set(e.id),
            registration_id: Set(e.registration_id),
            batch_id: Set(batch.id),
            room_id: Set(room.id),
            seat: Set(i32::from(p.seat.seat)),
            ticket_number: Set(ticket.as_str().to_owned()),
            placed_at: Set(now),
            ..Default::default()
        });
    }
    let count = rows.len();
    // Ten columns a row: 500 rows stay well inside every database's limit on parameters.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        placement::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    Ok(count)
}

// ---- 检录 ----

/// The placement of a ticket number in the open session, at a site the account may act for.
async fn placement_of(
    db: &impl ConnectionTrait,
    who: &StaffSignedIn,
    session: i32,
    ticket: &TicketNumber,
) -> Result<Option<placement::Model>, Fault> {
    let found = placement::Entity::find()
        .filter(placement::Column::SessionId.eq(session))
        .filter(placement::Column::TicketNumber.eq(ticket.as_str()))
        .one(db)
        .await?;
    match found {
        Some(p) => {
            who.require_site(&p.site_code)?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

fn refuse_token(call: &Call, code: &'static str, zh: &str) -> Fault {
    call.refuse_field(TICKET.name, &Says { code, zh: zh.into(), en: "This QR code is refused".into() })
}

/// A scanned QR code must carry the ticket key's signature over what it says and be of the
/// open session: checked first, with the public key alone, before its number is looked up.
fn signed(call: &Call, entry: &DoorEntry, session: &exam_session::Model) -> Result<(), Fault> {
    let DoorEntry::Scanned(token) = entry else { return Ok(()) };
    let session_id = u32::try_from(session.id).unwrap_or(u32::MAX);
    call.state
        .printing
        .keys
        .verify(token, session_id)
        .map_err(|problem| refuse_token(call, problem.code(), problem.words()))
}

/// A scanned QR code (its signature checked by `signed`) must also name the document the
/// candidate registered with; a typed number is taken as typed (staff compare the photo and
/// the document by eye).
async fn same_document(
    call: &Call,
    db: &impl ConnectionTrait,
    entry: &DoorEntry,
    p: &placement::Model,
) -> Result<(), Fault> {
    let DoorEntry::Scanned(token) = entry else { return Ok(()) };
    let reg = registration::Entity::find_by_id(p.registration_id).one(db).await?.ok_or(AppError::NotFound)?;
    let pass = pass::Entity::find_by_id(reg.pass_id).one(db).await?.ok_or(AppError::NotFound)?;
    let number = crate::server::passes::doc_number(&call.state.data_key, &pass)?;
    if document_digest(&pass.doc_type, &number) != token.document {
        return Err(refuse_token(
            call,
            "other_document",
            "二维码中的证件信息与报名记录不一致（准考证可能属于他人或已作废），请核对考生证件",
        ));
    }
    Ok(())
}

fn no_such_ticket(call: &Call) -> Fault {
    call.refuse_field(
        TICKET.name,
        &Says {
            code: "unknown",
            zh: "本考次没有这个准考证号，请核对；若考生的准考证是重新编排前打印的，已经作废".into(),
            en: "No such ticket number in this session".into(),
        },
    )
}

async fn door_card(call: &Call, db: &impl ConnectionTrait, p: &placement::Model) -> Result<DoorCard, Fault> {
    let reg = registration::Entity::find_by_id(p.registration_id).one(db).await?.ok_or(AppError::NotFound)?;
    let pass = pass::Entity::find_by_id(reg.pass_id).one(db).await?.ok_or(AppError::NotFound)?;
    let room = exam_room::Entity::find_by_id(p.room_id).one(db).await?.ok_or(AppError::NotFound)?;
    let batch = exam_batch::Entity::find_by_id(p.batch_id).one(db).await?.ok_or(AppError::NotFound)?;
    let ticket = TicketNumber::parse(&p.ticket_number).map_err(|_| Fault::broken("a stored ticket number"))?;
    let subject = subject::Entity::find_by_id(ticket.subject().to_owned()).one(db).await?;
    let checked = check_in::Entity::find().filter(check_in::Column::PlacementId.eq(p.id)).one(db).await?;
    let checked_in = match checked {
        Some(c) => {
            let by = super::by_id(db, c.staff_id).await?.map(|s| s.name).unwrap_or_default();
            Some((to_beijing(c.checked_at), by))
        }
        None => None,
    };
    Ok(DoorCard {
        registration: reg.id,
        ticket: ticket.as_str().to_owned(),
        name: pass.name.clone(),
        document: super::search::masked_number(call, &pass),
        subject: subject.map_or_else(|| ticket.subject().to_owned(), |s| format!("{} {}", s.code, s.name)),
        exam_room: ticket.exam_room().to_owned(),
        room: room.name,
        seat: ticket.seat(),
        starts: to_beijing(batch.starts_at),
        ends: to_beijing(batch.ends_at),
        has_photo: reg.photo_key.is_some(),
        checked_in,
    })
}

/// The door's page: the form, and the ticket `ticket` names when it is one of the account's.
pub async fn door_page(call: &Call, site: String, ticket: String) -> Result<DoorPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let ctx = site_context(db, &who, &site).await?;
    let form = DoorForm { site: ctx.site.code.clone(), ticket: ticket.clone() };
    let found = match form.parse(&call.ctx()) {
        Ok(entry) if !ticket.is_empty() => match placement_of(db, &who, ctx.session.id, entry.ticket()).await? {
            Some(p)
                if signed(call, &entry, &ctx.session).is_ok() && same_document(call, db, &entry, &p).await.is_ok() =>
            {
                Some(door_card(call, db, &p).await?)
            }
            _ => None,
        },
        _ => None,
    };
    Ok(DoorPage {
        site: ctx.site.code,
        site_name: ctx.site.name,
        form,
        found,
        public_key: call.state.printing.keys.public_hex(),
        session: u32::try_from(ctx.session.id).unwrap_or(u32::MAX),
    })
}

/// Checks a ticket in (once: a second time finds the first) and shows its candidate.
pub async fn check_in(call: &Call, form: DoorForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let (f, _) = form.normalize();
    who.require_site(&f.site)?;
    let scanned = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let ticket = scanned.ticket().clone();
    let now = call.state.clock.now();
    let txn = call.state.db.write().begin().await?;
    let session = open_session_of(&txn, &who).await?;
    signed(call, &scanned, &session)?;
    let Some(p) = placement_of(&txn, &who, session.id, &ticket).await? else {
        return Err(no_such_ticket(call));
    };
    same_document(call, &txn, &scanned, &p).await?;
    let recorded = check_in::Entity::insert(check_in::ActiveModel {
        placement_id: Set(p.id),
        staff_id: Set(who.staff.id),
        checked_at: Set(now),
        ..Default::default()
    })
    .on_conflict(OnConflict::column(check_in::Column::PlacementId).do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    let notice = if recorded == 0 {
        Notice::CheckedInAgain
    } else {
        let e =
            entry(call, &who, AuditKind::CheckedIn, Some(&p.site_code), ticket.as_str().to_owned()).created(&json!({
                "ticket": ticket.as_str(),
                "registration": p.registration_id,
                "via": if matches!(scanned, DoorEntry::Scanned(_)) { "二维码" } else { "输入准考证号" },
            }));
        audit::record(&txn, now, vec![e]).await?;
        Notice::CheckedIn
    };
    txn.commit().await?;
    tracing::info!(staff = who.staff.id, site = %p.site_code, again = recorded == 0, "checked in");
    let url = format!("{}?site={}&ticket={}", urls::STAFF_DOOR, p.site_code, ticket.as_str());
    Ok(Next { url: urls::with_notice(&url, notice) })
}
