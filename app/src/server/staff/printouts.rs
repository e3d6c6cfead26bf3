//! 打印材料: a site's sign-in sheets (签到表), door lists (门贴) and desk labels (桌贴) as
//! PDF, for one 考场 (`?room=0102`) or every 考场 of the site in one file. Names, masked
//! numbers and photos leave the system here, so each download is on the audit trail like an
//! export; the file is cached by a digest of everything drawn, like the tickets.

use super::arrangement::site_scope;
use super::config::entry;
use crate::domain::arrangement::TicketNumber;
use crate::server::audit;
use crate::server::call::Call;
use crate::server::entity::{exam_batch, exam_room, pass, placement, registration, subject};
use crate::server::fault::Fault;
use crate::server::forms::finish;
use crate::server::photos::store::PhotoKey;
use crate::server::printing::cache::key_of;
use crate::server::printing::sheets::{self, Printout, RoomSheet, SheetRow};
use crate::server::printing::{batch_time, pdf_response, printing_fault};
use crate::server::AppState;
use crate::urls;
use crate::views::staff::AuditKind;
use crate::views::{AppError, NoFields};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{stream, StreamExt};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new().route(urls::STAFF_PRINTOUT, get(download))
}

/// Photos read from the store at once for a sheet (a site has a few thousand).
const PHOTO_READS_AT_ONCE: usize = 8;

async fn download(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let q: HashMap<String, String> =
        form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).into_owned().collect();
    let get = |k: &str| q.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    match printout(&call, &get("site"), &get("kind"), &get("room")).await {
        Ok((file, name)) => pdf_response(file, &name),
        Err(fault) => {
            let back = format!("{}?site={}", urls::STAFF_ARRANGE, get("site"));
            let outcome = Err(fault);
            finish(&state, &call, parts, NoFields::default(), Vec::new(), outcome, Some(&back)).await
        }
    }
}

async fn printout(call: &Call, site: &str, kind: &str, room: &str) -> Result<(axum::body::Bytes, String), Fault> {
    let who = call.staff().await?;
    let what = Printout::from_code(kind).ok_or(AppError::NotFound)?;
    let db = call.state.db.read();
    let (session, site) = site_scope(db, &who, site).await?;
    let mut all = room_sheets(call, db, &session, &site).await?;
    if !room.is_empty() {
        all.retain(|s| s.exam_room == room);
        if all.is_empty() {
            return Err(AppError::NotFound.into());
        }
    }
    let rows: usize = all.iter().map(|s| s.rows.len()).sum();
    let target = if room.is_empty() { "全部考场".to_owned() } else { format!("{room}考场") };
    let e = entry(call, &who, AuditKind::PrintoutDownloaded, Some(&site.code), target).created(&json!({
        "printout": what.title(),
        "rooms": all.len().to_string(),
        "candidates": rows.to_string(),
    }));
    audit::record(call.state.db.write(), call.state.clock.now(), vec![e]).await?;
    let name = format!("{}-{}-{}.pdf", site.code, if room.is_empty() { "all" } else { room }, what.code());
    let key = key_of("sheets", &(what, &all));
    let printing = &call.state.printing;
    if let Some(file) = printing.cache.get(&key) {
        return Ok((file, name));
    }
    let photos = if what.has_photos() { read_photos(call, &all).await } else { HashMap::new() };
    let (file, cached) = printing
        .file(key, move |fonts| {
            let look = |k: &str| photos.get(k).map(Vec::as_slice);
            sheets::render(fonts, what, &all, &look)
        })
        .await
        .map_err(|e| printing_fault(&e))?;
    tracing::info!(staff = who.staff.id, site = %site.code, printout = what.code(), rows, cached, "printout");
    Ok((file, name))
}

/// Every 考场 of the site with its candidates in seat order.
async fn room_sheets(
    call: &Call,
    db: &sea_orm::DatabaseConnection,
    session: &crate::server::entity::exam_session::Model,
    site: &crate::server::entity::exam_site::Model,
) -> Result<Vec<RoomSheet>, Fault> {
    let placed = placement::Entity::find()
        .filter(placement::Column::SessionId.eq(session.id))
        .filter(placement::Column::SiteCode.eq(site.code.as_str()))
        .order_by_asc(placement::Column::TicketNumber)
        .all(db)
        .await?;
    let rooms: HashMap<i32, exam_room::Model> = exam_room::Entity::find()
        .filter(exam_room::Column::SiteCode.eq(site.code.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let batches: HashMap<i32, exam_batch::Model> = exam_batch::Entity::find()
        .filter(exam_batch::Column::SessionId.eq(session.id))
        .filter(exam_batch::Column::SiteCode.eq(site.code.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let subjects: HashMap<String, String> = subject::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.code.clone(), format!("{} {}", s.code, s.name)))
        .collect();
    let mut regs: HashMap<i32, registration::Model> = HashMap::new();
    let mut passes: HashMap<i32, pass::Model> = HashMap::new();
    // In chunks: an IN list of a whole site's ids would pass some databases' limits.
    for chunk in placed.chunks(500) {
        let found = registration::Entity::find()
            .filter(registration::Column::Id.is_in(chunk.iter().map(|p| p.registration_id)))
            .all(db)
            .await?;
        let pass_ids: Vec<i32> = found.iter().map(|r| r.pass_id).collect();
        for p in pass::Entity::find().filter(pass::Column::Id.is_in(pass_ids)).all(db).await? {
            passes.insert(p.id, p);
        }
        regs.extend(found.into_iter().map(|r| (r.id, r)));
    }
    let session_title = format!("第{}次 {}", session.number, session.name);
    let site_label = format!("({}){}", site.code, site.name);
    let mut sheets: Vec<RoomSheet> = Vec::new();
    for p in &placed {
        let (Some(room), Some(batch), Ok(ticket)) =
            (rooms.get(&p.room_id), batches.get(&p.batch_id), TicketNumber::parse(&p.ticket_number))
        else {
            continue;
        };
        let reg = regs.get(&p.registration_id);
        let person = reg.and_then(|r| passes.get(&r.pass_id));
        let row = SheetRow {
            seat: ticket.seat(),
            name: person.map(|x| x.name.clone()).unwrap_or_default(),
            masked_number: person.map(|x| super::search::masked_number(call, x)).unwrap_or_default(),
            ticket: ticket.as_str().to_owned(),
            subject: subjects.get(ticket.subject()).cloned().unwrap_or_else(|| ticket.subject().to_owned()),
            photo_key: reg.and_then(|r| r.photo_key.clone()),
        };
        match sheets.iter_mut().find(|s| s.exam_room == ticket.exam_room()) {
            Some(s) => s.rows.push(row),
            None => sheets.push(RoomSheet {
                session: session_title.clone(),
                site: site_label.clone(),
                exam_room: ticket.exam_room().to_owned(),
                room: room.name.clone(),
                time: batch_time(batch),
                rows: vec![row],
            }),
        }
    }
    sheets.sort_by(|a, b| a.exam_room.cmp(&b.exam_room));
    for s in &mut sheets {
        s.rows.sort_by_key(|r| r.seat);
    }
    Ok(sheets)
}

/// The photos the sheets show, by key; one that cannot be read is left out (its box is
/// drawn empty) and logged.
async fn read_photos(call: &Call, sheets: &[RoomSheet]) -> HashMap<String, Vec<u8>> {
    let keys: Vec<String> = sheets.iter().flat_map(|s| s.rows.iter().filter_map(|r| r.photo_key.clone())).collect();
    let store = call.state.photos.clone();
    stream::iter(keys)
        .map(|k| {
            let store = store.clone();
            async move {
                let parsed = PhotoKey::parse(&k).ok()?;
                match store.get(&parsed).await {
                    Ok(Some(bytes)) => Some((k, bytes.to_vec())),
                    Ok(None) => None,
                    Err(e) => {
                        tracing::warn!(error = %e, "a photo for a printout could not be read");
                        None
                    }
                }
            }
        })
        .buffer_unordered(PHOTO_READS_AT_ONCE)
        .filter_map(|x| async move { x })
        .collect()
        .await
}
