//! 打印准考证: the signed-in candidate's admission tickets as one PDF, a page per subject
//! (`?subject=65` for one). Each subject passes the same gate as the status page shows
//! (`TicketGate`: paid, the site self-prints, arranged, from the print start); a refused
//! download shows the status page with exactly why and from when.

use super::repo::draft_with_seats;
use super::{format_beijing, session};
use crate::domain::arrangement::TicketNumber;
use crate::domain::document::DocumentType;
use crate::server::call::Call;
use crate::server::fault::Fault;
use crate::server::forms::finish;
use crate::server::passes;
use crate::server::printing::cache::key_of;
use crate::server::printing::ticket::{self, TicketFacts, TicketPage};
use crate::server::printing::token::document_digest;
use crate::server::printing::{batch_time, pdf_response, printing_fault};
use crate::server::staff::arrangement::Placed;
use crate::server::AppState;
use crate::urls;
use crate::views::journey::TicketGate;
use crate::views::{AppError, NoFields};
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(urls::TICKET_PDF, get(download))
}

async fn download(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let subject = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "subject").map(|(_, v)| v.trim().to_owned())
    });
    match tickets(&call, subject.filter(|s| !s.is_empty())).await {
        Ok((file, name)) => pdf_response(file, &name),
        Err(fault) => {
            let outcome = Err(fault);
            finish(&state, &call, parts, NoFields::default(), Vec::new(), outcome, Some(urls::STATUS)).await
        }
    }
}

/// What the print gates need of the open session and the registration's site.
async fn tickets(call: &Call, subject: Option<String>) -> Result<(axum::body::Bytes, String), Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    // The registration, its subjects and their seats in one read (with the session, the
    // request's only reads when the file is cached).
    let Some((reg, enrolments, placed)) = draft_with_seats(call.state.db.read(), who.pass.id, s.session.id).await?
    else {
        return Err(AppError::StepOrder { go_to: urls::STATUS.into() }.into());
    };
    let now = call.state.clock.now();
    let site = reg.site_code.as_deref().and_then(|c| s.site(c));
    let site_prints = site.is_some_and(|x| x.site.allows_self_print);
    let print_from = s.session.ticket_print_starts_at.map(|t| (now >= t, format_beijing(t)));
    let chosen: Vec<_> = match &subject {
        Some(code) => {
            let e = enrolments.iter().find(|e| &e.subject_code == code).ok_or(AppError::NotFound)?;
            vec![e]
        }
        None => enrolments.iter().collect(),
    };
    let mut printable: Vec<&Placed> = Vec::new();
    let mut refused = None;
    for e in &chosen {
        let p = placed.get(&e.id);
        match TicketGate::of(e.paid_at.is_some(), site_prints, p.is_some(), print_from.clone()) {
            TicketGate::Printable => printable.extend(p),
            gate => {
                let label = s.line(e.offered_subject_id, &e.subject_code, e.fee_fen).subject;
                refused.get_or_insert_with(|| format!("{label}：{}", gate.words()));
            }
        }
    }
    if printable.is_empty() || (subject.is_some() && refused.is_some()) {
        let why = refused.unwrap_or_else(|| "您还没有报考科目，没有可以打印的准考证".into());
        return Err(AppError::NotPrintable { why }.into());
    }
    let Some(site) = site else {
        return Err(AppError::StepOrder { go_to: urls::STATUS.into() }.into());
    };
    let doc_type = DocumentType::from_code(&who.pass.doc_type).map_or("证件", |t| t.label_zh());
    let notices: Vec<(String, String)> = s
        .notices_for(Some(&site.site.code), now)
        .into_iter()
        .filter(|n| n.site_code.is_some())
        .map(|n| (n.title.clone(), n.body.clone()))
        .collect();
    let session_id = u32::try_from(s.session.id).map_err(|_| Fault::broken("a session id out of range"))?;
    // Each page's facts but the document number and the token, which are filled in only
    // when the file is drawn.
    let mut pages: Vec<(TicketFacts, &TicketNumber)> = printable
        .iter()
        .map(|p| {
            let subject = enrolments
                .iter()
                .find(|e| e.id == p.placement.enrolment_id)
                .map(|e| s.line(e.offered_subject_id, &e.subject_code, e.fee_fen).subject)
                .unwrap_or_else(|| p.ticket.subject().to_owned());
            let facts = TicketFacts {
                session: format!("第{}次 {}", s.session.number, s.session.name),
                name: who.pass.name.clone(),
                document_type: doc_type.to_owned(),
                document_number: String::new(),
                ticket: p.ticket.as_str().to_owned(),
                subject,
                site: site.label(),
                exam_room: format!("{}考场（{}）", p.ticket.exam_room(), p.room.name),
                seat: format!("{:02}", p.ticket.seat()),
                time: batch_time(&p.batch),
                notices: notices.clone(),
                photo_key: reg.photo_key.clone(),
                token: String::new(),
            };
            (facts, &p.ticket)
        })
        .collect();
    pages.sort_by(|(a, _), (b, _)| a.time.cmp(&b.time).then_with(|| a.ticket.cmp(&b.ticket)));
    let name = match pages.as_slice() {
        [(one, _)] => format!("zkz-{}.pdf", one.ticket),
        _ => format!("zkz-{}.pdf", who.pass.neea_id),
    };
    // The file's key: what it shows, with the sealed document number standing in for the
    // number and for the token (the same sealed text opens to the same number, which with
    // the ticket and the session makes the same token), so a repeat download neither opens
    // the number nor signs anything.
    let shown: Vec<&TicketFacts> = pages.iter().map(|(f, _)| f).collect();
    let key = key_of("ticket", &(session_id, &who.pass.doc_type, &who.pass.doc_number, shown));
    let printing = &call.state.printing;
    if let Some(file) = printing.cache.get(&key) {
        return Ok((file, name));
    }
    let number = passes::doc_number(&call.state.data_key, &who.pass)?;
    let digest = document_digest(&who.pass.doc_type, &number);
    let pages: Vec<TicketFacts> = pages
        .into_iter()
        .map(|(facts, ticket)| TicketFacts {
            document_number: number.clone(),
            token: printing.keys.sign(ticket, session_id, digest).text(),
            ..facts
        })
        .collect();
    let photo = match reg.photo_key.as_deref().map(crate::server::photos::store::PhotoKey::parse) {
        Some(Ok(k)) => call.state.photos.get(&k).await.map_err(|e| Fault::broken(&format!("photo store: {e}")))?,
        _ => None,
    };
    let (file, cached) = printing
        .file(key, move |fonts| {
            let list: Vec<TicketPage<'_>> =
                pages.iter().map(|f| TicketPage { facts: f, photo: photo.as_deref() }).collect();
            ticket::render(fonts, &list)
        })
        .await
        .map_err(|e| printing_fault(&e))?;
    tracing::info!(registration = reg.id, pages = printable.len(), cached, bytes = file.len(), "admission ticket");
    Ok((file, name))
}
