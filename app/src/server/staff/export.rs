//! 导出报名数据: the registrations 考生查询's filter matches (a site account: its own sites
//! only), with the columns chosen, as CSV or XLSX. Document numbers are masked unless the
//! province asks for them in full; every export is on the audit trail (who, the filter, the
//! columns, whether numbers were full, how many rows) before a byte is sent.
//!
//! Bounded memory whatever the size: registrations are read 500 at a time by id (keyset,
//! never an offset), each page turned into rows and let go. CSV is streamed as it is made,
//! pulled by the client (nothing is read ahead of what the connection takes). XLSX is
//! written by rust_xlsxwriter in constant-memory mode (each row goes to a temporary file)
//! off the async threads, then the finished file is streamed from disk and deleted.

use super::search::{matching, passes_by_id, visible};
use super::session::StaffSignedIn;
use crate::domain::codes;
use crate::domain::document::{mask, DocumentType, Gender};
use crate::server::audit;
use crate::server::call::Call;
use crate::server::clock::beijing;
use crate::server::crypto::DataKey;
use crate::server::entity::registration::{self, ReviewState};
use crate::server::entity::staff::Role;
use crate::server::entity::{enrolment, exam_site, subject};
use crate::server::fault::Fault;
use crate::server::forms::finish;
use crate::server::AppState;
use crate::urls;
use crate::validation::export::{ExportColumn, ExportForm, ExportFormat, ValidExport, FULL_NUMBERS};
use crate::validation::Required;
use crate::views::staff::{AuditKind, CandidateQuery, ExportPage, StaffSite};
use crate::views::{AppError, Next};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::stream;
use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;

/// Registrations read at once.
pub const PAGE: u64 = 500;

pub fn routes() -> Router<AppState> {
    Router::new().route(urls::STAFF_EXPORT_DOWNLOAD, get(download))
}

pub async fn export_page(call: &Call, filter: CandidateQuery) -> Result<ExportPage, Fault> {
    let who = call.staff().await?;
    if !filter.site.trim().is_empty() {
        who.require_site(filter.site.trim())?;
    }
    let db = call.state.db.read();
    let session = super::config::open_session_of(db, &who).await?;
    let total = registration::Entity::find()
        .filter(visible(&who, session.id))
        .filter(matching(call, &filter))
        .count(db)
        .await?;
    let sites = super::visible_sites(db, &who).await?;
    let subjects = super::config::catalogue_for(db, &session).await?;
    Ok(ExportPage {
        filter,
        total,
        may_export_full_numbers: who.staff.role == Role::Province,
        sites: sites.into_iter().map(|s| StaffSite { code: s.code, name: s.name }).collect(),
        subjects: subjects.iter().map(super::config::catalogue_entry).collect(),
    })
}

/// What one export reads and writes, checked and on the trail.
struct Plan {
    export: ValidExport,
    condition: Condition,
    rows: u64,
}

async fn plan(call: &Call, form: &ExportForm) -> Result<Plan, Fault> {
    let who = call.staff().await?;
    let export = form.parse(call.ctx().lang).map_err(AppError::Invalid)?;
    let site = export.filter.site.trim();
    if !site.is_empty() {
        who.require_site(site)?;
    }
    if export.full_numbers && who.staff.role != Role::Province {
        return Err(call.refuse_field(
            FULL_NUMBERS.name,
            &Required {
                code: "province_only",
                zh: "只有省级管理员可以导出完整证件号码；考点导出的证件号码是隐藏部分数字的",
                en: "Only the province may export full document numbers",
            },
        ));
    }
    let db = call.state.db.read();
    let session = super::config::open_session_of(db, &who).await?;
    let condition = visible(&who, session.id).add(matching(call, &export.filter));
    let rows = registration::Entity::find().filter(condition.clone()).count(db).await?;
    record(call, &who, &export, rows).await?;
    Ok(Plan { export, condition, rows })
}

/// The export's trail entry: who, the filter, the columns, full numbers or not, the rows.
async fn record(call: &Call, who: &StaffSignedIn, e: &ValidExport, rows: u64) -> Result<(), Fault> {
    let f = &e.filter;
    let filter: Vec<String> =
        [("关键词", &f.q), ("考点", &f.site), ("科目", &f.subject), ("缴费", &f.paid), ("审核", &f.review)]
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", v.trim()))
            .collect();
    let site = (!f.site.trim().is_empty()).then(|| f.site.trim());
    let entry = super::config::entry(call, who, AuditKind::ExportDownloaded, site, "registrations").created(&json!({
        "format": e.format.code(),
        "columns": e.columns.iter().map(|c| c.heading()).collect::<Vec<_>>().join("、"),
        "filter": if filter.is_empty() { "全部".to_owned() } else { filter.join("，") },
        "full_numbers": if e.full_numbers { "完整" } else { "隐藏部分数字" },
        "rows": rows.to_string(),
    }));
    audit::record(call.state.db.write(), call.state.clock.now(), vec![entry]).await?;
    tracing::info!(
        staff = who.staff.id,
        rows,
        format = e.format.code(),
        full = e.full_numbers,
        "registrations exported"
    );
    Ok(())
}

/// What the rows are made from, besides the registrations themselves.
struct Lookups {
    sites: HashMap<String, String>,
    subjects: HashMap<String, String>,
}

/// `code → (code)name`, as every list names a site or a subject.
fn labels(rows: impl IntoIterator<Item = (String, String)>) -> HashMap<String, String> {
    rows.into_iter().map(|(code, name)| (code.clone(), format!("({code}){name}"))).collect()
}

async fn lookups(db: &DatabaseConnection) -> Result<Lookups, DbErr> {
    Ok(Lookups {
        sites: labels(exam_site::Entity::find().all(db).await?.into_iter().map(|s| (s.code, s.name))),
        subjects: labels(subject::Entity::find().all(db).await?.into_iter().map(|s| (s.code, s.name))),
    })
}

/// Reads the registrations after `after`, a page, as rows of cells; `None` when done.
struct Reader {
    db: DatabaseConnection,
    key: Arc<DataKey>,
    condition: Condition,
    columns: Vec<ExportColumn>,
    full_numbers: bool,
    lookups: Lookups,
    after: i32,
    unreadable: u64,
}

impl Reader {
    async fn next_page(&mut self) -> Result<Option<Vec<Vec<String>>>, DbErr> {
        let regs = registration::Entity::find()
            .filter(self.condition.clone())
            .filter(registration::Column::Id.gt(self.after))
            .order_by_asc(registration::Column::Id)
            .limit(PAGE)
            .all(&self.db)
            .await?;
        let Some(last) = regs.last() else { return Ok(None) };
        self.after = last.id;
        let passes = passes_by_id(&self.db, regs.iter().map(|r| r.pass_id)).await?;
        let mut held: HashMap<i32, Vec<enrolment::Model>> = HashMap::new();
        for e in enrolment::Entity::find()
            .filter(enrolment::Column::RegistrationId.is_in(regs.iter().map(|r| r.id)))
            .order_by_asc(enrolment::Column::SubjectCode)
            .all(&self.db)
            .await?
        {
            held.entry(e.registration_id).or_default().push(e);
        }
        let mut rows = Vec::with_capacity(regs.len());
        let columns = self.columns.clone();
        for r in &regs {
            let Some(p) = passes.get(&r.pass_id) else { continue };
            let subjects = held.get(&r.id).map(Vec::as_slice).unwrap_or_default();
            let row = columns.iter().map(|c| self.cell(*c, r, p, subjects)).collect();
            rows.push(row);
        }
        Ok(Some(rows))
    }

    fn cell(
        &mut self,
        column: ExportColumn,
        r: &registration::Model,
        p: &crate::server::entity::pass::Model,
        held: &[enrolment::Model],
    ) -> String {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match column {
            ExportColumn::NeeaId => p.neea_id.clone(),
            ExportColumn::Name => p.name.clone(),
            ExportColumn::DocType => {
                DocumentType::from_code(&p.doc_type).map(|t| t.label_zh()).unwrap_or_default().to_owned()
            }
            ExportColumn::DocNumber => match crate::server::passes::doc_number(&self.key, p) {
                Ok(n) if self.full_numbers => n,
                Ok(n) => mask(&n),
                Err(_) => {
                    self.unreadable += 1;
                    "（无法读取）".to_owned()
                }
            },
            ExportColumn::Gender => {
                r.gender.as_deref().and_then(Gender::from_code).map(|g| g.label_zh().to_owned()).unwrap_or_default()
            }
            ExportColumn::BirthDate => r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            ExportColumn::Ethnicity => codes::ethnicity().words(r.ethnicity.as_deref()),
            ExportColumn::Education => codes::education().words(r.education.as_deref()),
            ExportColumn::Site => r
                .site_code
                .as_deref()
                .map(|c| self.lookups.sites.get(c).cloned().unwrap_or_else(|| c.to_owned()))
                .unwrap_or_default(),
            ExportColumn::Subjects => held
                .iter()
                .map(|e| self.lookups.subjects.get(&e.subject_code).cloned().unwrap_or_else(|| e.subject_code.clone()))
                .collect::<Vec<_>>()
                .join("；"),
            ExportColumn::Payment => {
                let paid = held.iter().filter(|e| e.paid_at.is_some()).count();
                if held.is_empty() {
                    "未选科目".to_owned()
                } else {
                    format!("已缴费{paid}科，未缴费{}科", held.len() - paid)
                }
            }
            ExportColumn::Review => match r.review_state {
                None => "未申请",
                Some(ReviewState::Pending) => "待审核",
                Some(ReviewState::Approved) => "审核通过",
                Some(ReviewState::Rejected) => "审核未通过",
            }
            .to_owned(),
            ExportColumn::Email => p.email.clone(),
            ExportColumn::Address => text(&r.address),
            ExportColumn::Department => text(&r.department),
            ExportColumn::Major => text(&r.major),
            ExportColumn::ClassName => text(&r.class_name),
            ExportColumn::StudentNo => text(&r.student_no),
        }
    }
}

/// One CSV field: quoted when it must be, and a leading `= + - @` (which a spreadsheet would
/// run as a formula) made plain text with an apostrophe.
fn csv_field(out: &mut String, value: &str) {
    let guarded = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let quote = guarded || value.contains([',', '"', '\n', '\r']);
    if quote {
        out.push('"');
    }
    if guarded {
        out.push('\'');
    }
    for c in value.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
}

fn csv_line(out: &mut String, cells: impl IntoIterator<Item = impl AsRef<str>>) {
    for (i, c) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(out, c.as_ref());
    }
    out.push_str("\r\n");
}

/// The CSV, a page of rows a chunk, pulled as the connection takes it. A byte-order mark
/// first, so spreadsheet programs read the Chinese as UTF-8.
fn csv_body(reader: Reader) -> Body {
    let mut head = String::from("\u{feff}");
    csv_line(&mut head, reader.columns.iter().map(|c| c.heading()));
    let first = stream::once(async move { Ok::<Bytes, std::io::Error>(Bytes::from(head)) });
    let rows = stream::try_unfold(reader, |mut reader| async move {
        match reader.next_page().await {
            Ok(Some(rows)) => {
                let mut out = String::new();
                for row in rows {
                    csv_line(&mut out, row);
                }
                Ok(Some((Bytes::from(out), reader)))
            }
            Ok(None) => {
                if reader.unreadable > 0 {
                    tracing::warn!(
                        rows = reader.unreadable,
                        "document numbers that could not be opened were exported as unreadable"
                    );
                }
                Ok(None)
            }
            Err(e) => {
                // Headers are gone already: the download ends short, and the log says why.
                tracing::error!(error = %e, "export stopped: the database failed");
                Err(std::io::Error::other("export stopped"))
            }
        }
    });
    Body::from_stream(futures_util::StreamExt::chain(first, rows))
}

#[derive(Debug, thiserror::Error)]
enum XlsxFailure {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("a writer task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// The XLSX: rows written in constant memory off the async threads, the workbook saved to a
/// temporary file, which is opened, unlinked, and streamed.
async fn xlsx_body(mut reader: Reader) -> Result<Body, XlsxFailure> {
    use rust_xlsxwriter::Workbook;
    let dir = std::env::temp_dir();
    let mut workbook = Workbook::new();
    workbook.set_tempdir(&dir)?;
    let mut sheet = workbook.new_worksheet_with_constant_memory();
    sheet.set_name("报名数据")?;
    for (col, c) in reader.columns.iter().enumerate() {
        sheet.write_string(0, u16::try_from(col).unwrap_or(u16::MAX), c.heading())?;
    }
    let mut next_row: u32 = 1;
    while let Some(rows) = reader.next_page().await? {
        let start = next_row;
        next_row += u32::try_from(rows.len()).unwrap_or(u32::MAX);
        sheet = tokio::task::spawn_blocking(move || -> Result<_, rust_xlsxwriter::XlsxError> {
            for (i, row) in rows.iter().enumerate() {
                for (col, value) in row.iter().enumerate() {
                    sheet.write_string(start + i as u32, col as u16, value)?;
                }
            }
            Ok(sheet)
        })
        .await??;
    }
    let mut name = [0u8; 12];
    let _ = getrandom::fill(&mut name);
    let path = dir.join(format!("ncre-export-{}.xlsx", hex::encode(name)));
    let saved = path.clone();
    tokio::task::spawn_blocking(move || -> Result<(), rust_xlsxwriter::XlsxError> {
        workbook.push_worksheet(sheet);
        workbook.save(&saved)
    })
    .await??;
    let file = tokio::fs::File::open(&path).await;
    // Gone from the directory at once; the open handle keeps it until it is sent.
    let _ = tokio::fs::remove_file(&path).await;
    let file = file?;
    let chunks = stream::try_unfold(file, |mut file| async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 64 * 1024];
        let n = file.read(&mut buf).await?;
        if n == 0 {
            return Ok::<_, std::io::Error>(None);
        }
        buf.truncate(n);
        Ok(Some((Bytes::from(buf), file)))
    });
    Ok(Body::from_stream(chunks))
}

fn attachment(format: ExportFormat, at: chrono::DateTime<chrono::Utc>) -> String {
    let stamp = at.with_timezone(&beijing()).format("%Y%m%d-%H%M");
    format!(
        "attachment; filename=\"ncre-registrations-{stamp}.{ext}\"; filename*=UTF-8''{}-{stamp}.{ext}",
        urls::percent_encode("报名数据"),
        ext = format.code()
    )
}

async fn download(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let form =
        ExportForm::from_pairs(form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).into_owned());
    let plan = match plan(&call, &form).await {
        Ok(plan) => plan,
        Err(fault) => {
            let outcome: Result<Next, Fault> = Err(fault);
            return finish(&state, &call, parts, form, Vec::new(), outcome, Some(urls::STAFF_EXPORT)).await;
        }
    };
    let db = call.state.db.read().clone();
    let lookups = match lookups(&db).await {
        Ok(l) => l,
        Err(e) => {
            return finish(&state, &call, parts, form, Vec::new(), Err(e.into()), Some(urls::STAFF_EXPORT)).await;
        }
    };
    let reader = Reader {
        db,
        key: call.state.data_key.clone(),
        condition: plan.condition,
        columns: plan.export.columns.clone(),
        full_numbers: plan.export.full_numbers,
        lookups,
        after: 0,
        unreadable: 0,
    };
    let format = plan.export.format;
    let body = match format {
        ExportFormat::Csv => csv_body(reader),
        ExportFormat::Xlsx => match xlsx_body(reader).await {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, rows = plan.rows, "the XLSX export could not be written");
                let fault: Fault = AppError::Internal { request_id: call.request_id().to_owned() }.into();
                return finish(&state, &call, parts, form, Vec::new(), Err(fault), Some(urls::STAFF_EXPORT)).await;
            }
        },
    };
    let content_type = match format {
        ExportFormat::Csv => "text/csv; charset=utf-8",
        ExportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    let mut response = (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (CONTENT_DISPOSITION, attachment(format, call.state.clock.now())),
            (CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response();
    for cookie in call.take_cookies() {
        response.headers_mut().append(http::header::SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        let mut out = String::new();
        csv_line(&mut out, ["张三", "a,b", "say \"hi\"", "=1+1", "-3", "plain"]);
        assert_eq!(out, "张三,\"a,b\",\"say \"\"hi\"\"\",\"'=1+1\",\"'-3\",plain\r\n");
    }
}
