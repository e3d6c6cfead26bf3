//! 学籍库 (school rosters): a site's staff upload its students as CSV or XLSX; every row is
//! checked by the forms' own rules (`validation::roster`), and the report lists every
//! refused cell. Nothing reaches the roster until the staff press 导入 (only the rows that
//! passed are imported) or 放弃; a checked file waits `VALID` for that. Importing updates
//! a student already on the site's roster (same document: `DataKey::lookup_hash`, as a
//! pass is found) and adds the others, so uploading again never duplicates; each import is
//! on the audit trail.
//!
//! No document number is kept: a staged row and a roster row hold the keyed hash and the
//! masked form. A candidate whose pass has the same hash finds the school fields filled in
//! from the roster (`school_for`) and may register only at the roster's sites
//! (`sites_for`).

use super::session::StaffSignedIn;
use crate::domain::codes;
use crate::domain::document::mask;
use crate::domain::DocumentType;
use crate::server::audit;
use crate::server::call::Call;
use crate::server::clock::to_beijing;
use crate::server::entity::roster_upload::{self, UploadState};
use crate::server::entity::{exam_site, roster_entry, staff};
use crate::server::fault::Fault;
use crate::server::forms::finish;
use crate::server::AppState;
use crate::urls::{self, Notice};
use crate::validation::roster::{self, RowProblem, FILE, SITE};
use crate::validation::school::{SchoolForm, SchoolNeeds};
use crate::validation::Required;
use crate::views::staff::{
    AuditKind, RosterDecisionForm, RosterEntryRow, RosterQuery, RosterReportPage, RosterSite, RosterState,
    RosterUploadForm, RosterUploadRow, RostersPage,
};
use crate::views::{AppError, Next};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// How long a checked file waits for 导入 or 放弃.
pub const VALID: Duration = Duration::hours(24);
/// Students on one page of the list.
const PAGE: u64 = 50;
/// Uploads listed on the page.
const RECENT_UPLOADS: u64 = 10;
/// Roster rows read or written at once while importing.
const BATCH: usize = 500;
/// A post is read up to this size, so a too-large file gets our page, not a reset.
const DRAIN_LIMIT: usize = roster::MAX_FILE + 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(urls::STAFF_ROSTERS, post(upload).layer(DefaultBodyLimit::max(DRAIN_LIMIT)))
        .route(urls::STAFF_ROSTER_TEMPLATE, get(template))
}

/// A row that passed, as staged and as imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StagedRow {
    doc_type: String,
    hash: String,
    masked: String,
    name: String,
    ethnicity: Option<String>,
    department: Option<String>,
    major: Option<String>,
    class_name: Option<String>,
    student_no: Option<String>,
}

impl StagedRow {
    fn same_as(&self, e: &roster_entry::Model) -> bool {
        self.doc_type == e.doc_type
            && self.masked == e.doc_masked
            && self.name == e.name
            && self.ethnicity == e.ethnicity
            && self.department == e.department
            && self.major == e.major
            && self.class_name == e.class_name
            && self.student_no == e.student_no
    }
}

fn needs_of(site: &exam_site::Model) -> SchoolNeeds {
    SchoolNeeds { department: site.requires_department, student_no: site.requires_student_no }
}

// ---- the pages ----

pub async fn rosters_page(call: &Call, query: RosterQuery) -> Result<RostersPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let visible = super::visible_sites(db, &who).await?;
    let chosen = query.site.trim();
    if !chosen.is_empty() {
        who.require_site(chosen)?;
    }
    let site =
        if chosen.is_empty() { visible.first().map(|s| s.code.clone()).unwrap_or_default() } else { chosen.to_owned() };
    let mut sites = Vec::with_capacity(visible.len());
    for s in &visible {
        let students =
            roster_entry::Entity::find().filter(roster_entry::Column::SiteCode.eq(s.code.as_str())).count(db).await?;
        sites.push(RosterSite { code: s.code.clone(), name: s.name.clone(), students, needs: needs_of(s).words() });
    }
    let total = sites.iter().find(|s| s.code == site).map_or(0, |s| s.students);
    let pages = Ord::max(u32::try_from(total.div_ceil(PAGE)).unwrap_or(u32::MAX), 1);
    let page = query.page.unwrap_or(1).clamp(1, pages);
    let entries = roster_entry::Entity::find()
        .filter(roster_entry::Column::SiteCode.eq(site.as_str()))
        .order_by_asc(roster_entry::Column::Id)
        .offset(u64::from(page - 1) * PAGE)
        .limit(PAGE)
        .all(db)
        .await?;
    let uploads = roster_upload::Entity::find()
        .filter(roster_upload::Column::SiteCode.eq(site.as_str()))
        .order_by_desc(roster_upload::Column::Id)
        .limit(RECENT_UPLOADS)
        .all(db)
        .await?;
    let now = call.state.clock.now();
    let names = staff_names(db, uploads.iter().map(|u| u.staff_id)).await?;
    Ok(RostersPage {
        sites,
        site,
        entries: entries.into_iter().map(entry_row).collect(),
        total,
        page,
        pages,
        uploads: uploads.iter().map(|u| upload_row(u, &names, now)).collect(),
    })
}

pub async fn report_page(call: &Call, id: i32) -> Result<RosterReportPage, Fault> {
    let who = call.staff().await?;
    let db = call.state.db.read();
    let upload = visible_upload(db, &who, id).await?;
    let site = exam_site::Entity::find_by_id(upload.site_code.clone()).one(db).await?;
    let names = staff_names(db, [upload.staff_id]).await?;
    let problems: Vec<RowProblem> = serde_json::from_str(&upload.problems).unwrap_or_default();
    Ok(RosterReportPage {
        upload: upload_row(&upload, &names, call.state.clock.now()),
        site_name: site.map(|s| s.name).unwrap_or_default(),
        problems,
        valid_hours: VALID.num_hours(),
    })
}

/// The upload, provided the account may see its site (otherwise as if there were none).
async fn visible_upload(
    db: &impl ConnectionTrait,
    who: &StaffSignedIn,
    id: i32,
) -> Result<roster_upload::Model, Fault> {
    let upload = roster_upload::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    who.require_site(&upload.site_code)?;
    Ok(upload)
}

async fn staff_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<HashMap<i32, String>, DbErr> {
    let ids: Vec<i32> = ids.into_iter().collect();
    let rows = staff::Entity::find().filter(staff::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows.into_iter().map(|s| (s.id, s.name)).collect())
}

fn entry_row(e: roster_entry::Model) -> RosterEntryRow {
    let o = |v: Option<String>| v.unwrap_or_default();
    RosterEntryRow {
        doc_type: DocumentType::from_code(&e.doc_type).map_or_else(|| e.doc_type.clone(), |t| t.label_zh().to_owned()),
        masked_number: e.doc_masked,
        name: e.name,
        ethnicity: codes::ethnicity().words(e.ethnicity.as_deref()),
        department: o(e.department),
        major: o(e.major),
        class_name: o(e.class_name),
        student_no: o(e.student_no),
        updated: to_beijing(e.updated_at),
    }
}

fn expired(u: &roster_upload::Model, now: DateTime<Utc>) -> bool {
    u.state == UploadState::Staged && now >= u.created_at + VALID
}

fn upload_row(u: &roster_upload::Model, names: &HashMap<i32, String>, now: DateTime<Utc>) -> RosterUploadRow {
    let state = match u.state {
        UploadState::Staged if expired(u, now) => RosterState::Expired,
        UploadState::Staged => RosterState::Staged,
        UploadState::Imported => RosterState::Imported {
            inserted: u.inserted.unwrap_or(0),
            updated: u.updated.unwrap_or(0),
            unchanged: u.unchanged.unwrap_or(0),
        },
        UploadState::Discarded => RosterState::Discarded,
    };
    RosterUploadRow {
        id: u.id,
        site: u.site_code.clone(),
        file_name: u.file_name.clone(),
        at: to_beijing(u.created_at),
        by: names.get(&u.staff_id).cloned().unwrap_or_default(),
        rows: u.total_rows,
        good: u.good_rows,
        bad: u.bad_rows,
        state,
    }
}

// ---- the upload ----

/// What the upload form sent.
struct Posted {
    site: String,
    file: Option<(String, Vec<u8>)>,
}

async fn read_post(multipart: &mut Multipart) -> Result<Posted, ()> {
    let mut posted = Posted { site: String::new(), file: None };
    while let Some(field) = multipart.next_field().await.map_err(|_| ())? {
        match field.name() {
            Some(n) if n == SITE.name => posted.site = field.text().await.map_err(|_| ())?,
            Some(n) if n == FILE.name => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(|_| ())?;
                if !bytes.is_empty() {
                    posted.file = Some((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    Ok(posted)
}

const NO_FILE: Required = Required {
    code: "required",
    zh: "请选择要上传的学籍库文件（CSV或.xlsx）",
    en: "Choose the roster file (CSV or .xlsx)",
};
const NO_SITE: Required = Required { code: "required", zh: "请选择考点", en: "Choose the site" };

/// The no-JS post of the upload form (the same with JavaScript on): checked and staged, on
/// to the report; refused, 学籍库 again with the message beside the field.
async fn upload(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    // Signed in first: nobody else's post is read at all.
    if let Err(fault) = call.staff().await {
        return finish(&state, &call, parts, RosterUploadForm::default(), Vec::new(), Err(fault), None).await;
    }
    let (outcome, site) = match axum::body::to_bytes(body, DRAIN_LIMIT).await {
        Err(_) => (Err(call.refuse_field(FILE.name, &roster::FileProblem::TooBig)), String::new()),
        Ok(body) => match Multipart::from_request(Request::from_parts(parts.clone(), Body::from(body)), &state).await {
            Err(_) => (Err(call.refuse_field(FILE.name, &NO_FILE)), String::new()),
            Ok(mut multipart) => match read_post(&mut multipart).await {
                Err(()) => (Err(call.refuse_field(FILE.name, &NO_FILE)), String::new()),
                Ok(posted) => {
                    let site = posted.site.clone();
                    (stage(&call, posted).await, site)
                }
            },
        },
    };
    finish(&state, &call, parts, RosterUploadForm { site }, Vec::new(), outcome, None).await
}

/// Checks the file by the roster rule and stages what passed; on to its report.
async fn stage(call: &Call, posted: Posted) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let code = posted.site.trim().to_owned();
    if code.is_empty() {
        return Err(call.refuse_field(SITE.name, &NO_SITE));
    }
    who.require_site(&code)?;
    let site =
        exam_site::Entity::find_by_id(code.clone()).one(call.state.db.read()).await?.ok_or(AppError::NotFound)?;
    let Some((file_name, bytes)) = posted.file else {
        return Err(call.refuse_field(FILE.name, &NO_FILE));
    };
    let ctx = call.ctx();
    let needs = needs_of(&site);
    // Reading a large sheet is CPU work: off the async threads.
    let checked = tokio::task::spawn_blocking(move || {
        super::roster_file::read(&bytes).and_then(|cells| roster::check(&cells, &ctx, needs))
    })
    .await
    .map_err(|e| Fault::Broken(format!("roster check: {e}")))?;
    let checked = checked.map_err(|p| call.refuse_field(FILE.name, &p))?;
    let key = &call.state.data_key;
    let rows: Vec<StagedRow> = checked
        .good
        .iter()
        .map(|(_, v)| {
            let number = &v.identity.number;
            StagedRow {
                doc_type: number.doc_type().code().to_owned(),
                hash: key.lookup_hash(number.doc_type().code(), number.expose()),
                masked: mask(number.expose()),
                name: v.identity.name.as_str().to_owned(),
                ethnicity: v.ethnicity.map(str::to_owned),
                department: v.school.department.clone(),
                major: v.school.major.clone(),
                class_name: v.school.class_name.clone(),
                student_no: v.school.student_no.clone(),
            }
        })
        .collect();
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let file_name: String = file_name.chars().filter(|c| !c.is_control()).take(100).collect();
    let row = roster_upload::ActiveModel {
        site_code: Set(code.clone()),
        staff_id: Set(who.staff.id),
        file_name: Set(if file_name.is_empty() { "（未命名）".into() } else { file_name }),
        created_at: Set(call.state.clock.now()),
        state: Set(UploadState::Staged),
        total_rows: Set(count(checked.rows)),
        good_rows: Set(count(checked.good.len())),
        bad_rows: Set(count(checked.bad)),
        rows: Set(serde_json::to_string(&rows).map_err(|e| Fault::Broken(e.to_string()))?),
        problems: Set(serde_json::to_string(&checked.problems).map_err(|e| Fault::Broken(e.to_string()))?),
        ..Default::default()
    }
    .insert(call.state.db.write())
    .await?;
    tracing::info!(staff = who.staff.id, site = %code, rows = checked.rows, bad = checked.bad, "roster file checked");
    Ok(Next { url: report_url(row.id) })
}

pub fn report_url(id: i32) -> String {
    format!("{}?id={id}", urls::STAFF_ROSTER_REPORT)
}

// ---- the decision ----

const ACTION: &str = "action";

fn refusal(zh: &'static str) -> Required {
    Required { code: "state", zh, en: "This upload can no longer be imported or discarded" }
}

/// 导入 (the rows that passed) or 放弃, once, for a staged upload of the account's site.
pub async fn decide(call: &Call, form: RosterDecisionForm) -> Result<Next, Fault> {
    let who = call.staff().await?;
    let id: i32 = form.id.trim().parse().map_err(|_| AppError::NotFound)?;
    let upload = visible_upload(call.state.db.read(), &who, id).await?;
    let now = call.state.clock.now();
    if upload.state != UploadState::Staged {
        return Err(call.refuse_field(ACTION, &refusal("这个文件已经处理过（已导入或已放弃），不能再次操作")));
    }
    if expired(&upload, now) {
        return Err(call.refuse_field(ACTION, &refusal("上传已超过24小时，为避免导入过时的名单，请重新上传文件")));
    }
    match form.action.as_str() {
        "import" => import(call, &who, upload, now).await,
        "discard" => {
            let done = roster_upload::Entity::update_many()
                .col_expr(roster_upload::Column::State, Expr::value(UploadState::Discarded))
                .col_expr(roster_upload::Column::DecidedAt, Expr::value(now))
                .col_expr(roster_upload::Column::Rows, Expr::value("[]"))
                .filter(roster_upload::Column::Id.eq(upload.id))
                .filter(roster_upload::Column::State.eq(UploadState::Staged))
                .exec(call.state.db.write())
                .await?;
            if done.rows_affected == 0 {
                return Err(call.refuse_field(ACTION, &refusal("这个文件已经处理过（已导入或已放弃），不能再次操作")));
            }
            tracing::info!(staff = who.staff.id, upload = upload.id, "roster upload discarded");
            let page = urls::with_query(urls::STAFF_ROSTERS, &[("site", upload.site_code.as_str())]);
            Ok(Next { url: urls::with_notice(&page, Notice::RosterDiscarded) })
        }
        _ => {
            Err(call
                .refuse_field(ACTION, &Required { code: "required", zh: "请选择导入或放弃", en: "Import or discard" }))
        }
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, Copy)]
struct Applied {
    inserted: usize,
    updated: usize,
    unchanged: usize,
}

async fn import(
    call: &Call,
    who: &StaffSignedIn,
    upload: roster_upload::Model,
    now: DateTime<Utc>,
) -> Result<Next, Fault> {
    let rows: Vec<StagedRow> =
        serde_json::from_str(&upload.rows).map_err(|e| Fault::Broken(format!("staged roster rows: {e}")))?;
    let txn = call.state.db.write().begin().await?;
    // The upload is claimed first: a second press (another tab, a double click) finds it
    // decided and changes nothing.
    let claimed = roster_upload::Entity::update_many()
        .col_expr(roster_upload::Column::State, Expr::value(UploadState::Imported))
        .col_expr(roster_upload::Column::DecidedAt, Expr::value(now))
        .filter(roster_upload::Column::Id.eq(upload.id))
        .filter(roster_upload::Column::State.eq(UploadState::Staged))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        txn.rollback().await?;
        return Err(call.refuse_field(ACTION, &refusal("这个文件已经处理过（已导入或已放弃），不能再次操作")));
    }
    let mut applied = Applied::default();
    for batch in rows.chunks(BATCH) {
        apply(&txn, &upload, batch, now, &mut applied).await?;
    }
    let n = |v: usize| i32::try_from(v).unwrap_or(i32::MAX);
    roster_upload::Entity::update_many()
        .col_expr(roster_upload::Column::Inserted, Expr::value(n(applied.inserted)))
        .col_expr(roster_upload::Column::Updated, Expr::value(n(applied.updated)))
        .col_expr(roster_upload::Column::Unchanged, Expr::value(n(applied.unchanged)))
        .col_expr(roster_upload::Column::Rows, Expr::value("[]"))
        .filter(roster_upload::Column::Id.eq(upload.id))
        .exec(&txn)
        .await?;
    let entry =
        super::config::entry(call, who, AuditKind::RosterImported, Some(&upload.site_code), upload.id.to_string())
            .created(&json!({
                "file": upload.file_name,
                "rows": upload.total_rows.to_string(),
                "refused": upload.bad_rows.to_string(),
                "inserted": applied.inserted.to_string(),
                "updated": applied.updated.to_string(),
                "unchanged": applied.unchanged.to_string(),
            }));
    audit::record(&txn, now, vec![entry]).await?;
    txn.commit().await?;
    tracing::info!(
        staff = who.staff.id,
        upload = upload.id,
        inserted = applied.inserted,
        updated = applied.updated,
        unchanged = applied.unchanged,
        "roster imported"
    );
    Ok(Next { url: urls::with_notice(&report_url(upload.id), Notice::RosterImported) })
}

/// One batch of staged rows onto the site's roster: new documents added, changed ones
/// updated, the same left alone.
async fn apply(
    db: &impl ConnectionTrait,
    upload: &roster_upload::Model,
    batch: &[StagedRow],
    now: DateTime<Utc>,
    applied: &mut Applied,
) -> Result<(), DbErr> {
    let existing: HashMap<String, roster_entry::Model> = roster_entry::Entity::find()
        .filter(roster_entry::Column::SiteCode.eq(upload.site_code.as_str()))
        .filter(roster_entry::Column::DocNumberHash.is_in(batch.iter().map(|r| r.hash.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.doc_number_hash.clone(), e))
        .collect();
    let mut new = Vec::new();
    for row in batch {
        match existing.get(&row.hash) {
            Some(e) if row.same_as(e) => applied.unchanged += 1,
            Some(e) => {
                roster_entry::ActiveModel {
                    id: Set(e.id),
                    doc_type: Set(row.doc_type.clone()),
                    doc_masked: Set(row.masked.clone()),
                    name: Set(row.name.clone()),
                    ethnicity: Set(row.ethnicity.clone()),
                    department: Set(row.department.clone()),
                    major: Set(row.major.clone()),
                    class_name: Set(row.class_name.clone()),
                    student_no: Set(row.student_no.clone()),
                    upload_id: Set(upload.id),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .update(db)
                .await?;
                applied.updated += 1;
            }
            None => {
                new.push(roster_entry::ActiveModel {
                    site_code: Set(upload.site_code.clone()),
                    doc_type: Set(row.doc_type.clone()),
                    doc_number_hash: Set(row.hash.clone()),
                    doc_masked: Set(row.masked.clone()),
                    name: Set(row.name.clone()),
                    ethnicity: Set(row.ethnicity.clone()),
                    department: Set(row.department.clone()),
                    major: Set(row.major.clone()),
                    class_name: Set(row.class_name.clone()),
                    student_no: Set(row.student_no.clone()),
                    upload_id: Set(upload.id),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                });
                applied.inserted += 1;
            }
        }
    }
    if !new.is_empty() {
        roster_entry::Entity::insert_many(new).exec_without_returning(db).await?;
    }
    Ok(())
}

// ---- the template ----

/// The file to fill in: the headings and one example row, as CSV with a BOM (so Excel
/// opens it as UTF-8).
async fn template() -> Response {
    let mut body = String::from("\u{feff}");
    for row in roster::template_rows() {
        body.push_str(&row.join(","));
        body.push_str("\r\n");
    }
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"roster-template.csv\"; filename*=UTF-8''%E5%AD%A6%E7%B1%8D%E5%BA%93%E6%A8%A1%E6%9D%BF.csv"),
            (CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

// ---- the candidate's side ----

/// The candidate's roster rows (by their pass's keyed hash), oldest first.
pub(crate) async fn rosters_of(db: &impl ConnectionTrait, doc_hash: &str) -> Result<Vec<roster_entry::Model>, DbErr> {
    roster_entry::Entity::find()
        .filter(roster_entry::Column::DocNumberHash.eq(doc_hash))
        .order_by_asc(roster_entry::Column::Id)
        .all(db)
        .await
}

/// The school fields a roster row fills in.
pub(crate) fn school_of(e: &roster_entry::Model) -> SchoolForm {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    SchoolForm {
        department: o(&e.department),
        major: o(&e.major),
        class_name: o(&e.class_name),
        student_no: o(&e.student_no),
    }
}
