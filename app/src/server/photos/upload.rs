//! 照片信息采集 on the server: the upload (a multipart form post without JavaScript, the raw
//! file from the page's script with it), the shared photo rule again, re-encoding
//! (`photos::process`, metadata stripped), storage behind `PhotoStore` under a random key,
//! and serving the photo to its owner only. Bodies are capped at 2 MiB before any parsing.

use crate::domain::photo::PhotoSpec;
use crate::server::call::Call;
use crate::server::fault::Fault;
use crate::server::forms::finish;
use crate::server::journey;
use crate::server::photos::process;
use crate::server::photos::store::PhotoKey;
use crate::server::AppState;
use crate::urls::{self, Notice};
use crate::validation::photo::{self, MAX_UPLOAD as MAX_BODY, NO_FILE, PHOTO_FIELD, TOO_BIG};
use crate::validation::Required;
use crate::views::{AppError, Next, NoFields};
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::StatusCode;

fn field_error(problem: &impl crate::domain::Problem, call: &Call) -> AppError {
    AppError::Invalid(photo::error(problem, call.ctx().lang))
}

/// A form post is read to the end up to this size before it is judged, so the browser gets
/// our page and not a connection reset half-way through sending a too-large file.
const DRAIN_LIMIT: usize = 8 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(urls::PHOTO, post(form_upload).layer(DefaultBodyLimit::max(DRAIN_LIMIT)))
        .route(urls::API_PHOTO, post(script_upload).layer(DefaultBodyLimit::max(MAX_BODY)))
        .route(urls::PHOTO_IMAGE, get(image))
        .route(urls::STAFF_PHOTO, get(staff_image))
}

/// Checks, re-encodes and stores `bytes` as the caller's photo.
pub async fn save(call: &Call, bytes: Vec<u8>) -> Result<Next, Fault> {
    let reg = journey::photo_target(call).await?;
    // The browser's whole check first (nothing chosen, over the cap, the photo rule): the
    // same verdict in the same words whichever way the file came.
    photo::check_upload(Some(&bytes), &PhotoSpec::default(), call.ctx().lang).map_err(AppError::Invalid)?;
    let processed = process::process(bytes, PhotoSpec::default()).await.map_err(|e| field_error(&e, call))?;
    let key = PhotoKey::new_random()?;
    call.state.photos.put(&key, processed.jpeg).await?;
    let now = call.state.clock.now();
    let facts = serde_json::to_string(&processed.facts).ok();
    let old = crate::server::journey::repo::set_photo(call.state.db.write(), reg.id, key.as_str(), facts, now).await?;
    if let Some(old) = old {
        forget(call, &old).await;
    }
    tracing::info!(registration = reg.id, width = processed.width, height = processed.height, "photo saved");
    Ok(Next { url: urls::with_notice(urls::PHOTO, Notice::PhotoSaved) })
}

/// Removes a stored photo; a failure is logged (the file is orphaned, never served).
pub async fn forget(call: &Call, key: &str) {
    let Ok(key) = PhotoKey::parse(key) else { return };
    if let Err(e) = call.state.photos.delete(&key).await {
        tracing::warn!(error = %e, "photo not deleted from the store");
    }
}

async fn form_upload(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let Ok(body) = axum::body::to_bytes(body, DRAIN_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, TOO_BIG.zh).into_response();
    };
    let too_big = body.len() > MAX_BODY + 64 * 1024;
    let outcome = match Multipart::from_request(Request::from_parts(parts.clone(), Body::from(body)), &state).await {
        _ if too_big => Err(field_error(&TOO_BIG, &call).into()),
        Err(_) => Err(field_error(&NO_FILE, &call).into()),
        Ok(mut multipart) => match read_file(&mut multipart).await {
            Ok(Some(bytes)) => save(&call, bytes.to_vec()).await,
            Ok(None) => Err(field_error(&NO_FILE, &call).into()),
            Err(too_big) => Err(field_error(&too_big, &call).into()),
        },
    };
    finish(&state, &call, parts, NoFields {}, Vec::new(), outcome, Some(urls::PHOTO)).await
}

/// The `photo` part's bytes; `Err` when the body is over the cap.
async fn read_file(multipart: &mut Multipart) -> Result<Option<Bytes>, Required> {
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some(PHOTO_FIELD) => {
                return field.bytes().await.map(Some).map_err(|_| TOO_BIG);
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Ok(None),
            Err(_) => return Err(TOO_BIG),
        }
    }
}

/// The page's script sends the file itself as the body (so the browser can report upload
/// progress) and gets the server function's JSON answer.
async fn script_upload(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state, &parts);
    let outcome = match axum::body::to_bytes(body, MAX_BODY).await {
        Err(_) => Err(field_error(&TOO_BIG, &call)),
        Ok(bytes) => call.answer(save(&call, bytes.to_vec()).await),
    };
    let mut response = match outcome {
        Ok(next) => Json(Ok::<Next, AppError>(next)).into_response(),
        Err(err) => {
            let status = StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            (status, Json(Err::<Next, AppError>(err))).into_response()
        }
    };
    for cookie in call.take_cookies() {
        response.headers_mut().append(http::header::SET_COOKIE, cookie);
    }
    response
}

/// The caller's own photo; nobody else's can be named.
async fn image(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let call = Call::for_handler(state, &parts);
    let key = journey::own_photo_key(&call).await;
    serve(&call, key).await
}

/// A registration's photo for staff who may see its site (`?id=`), for review.
async fn staff_image(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let call = Call::for_handler(state, &parts);
    let id = parts.uri.query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "id").and_then(|(_, v)| v.parse::<i32>().ok())
    });
    let Some(id) = id else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let key = crate::server::staff::review::photo_key(&call, id).await;
    serve(&call, key).await
}

/// The stored photo `key` names, never cached by anyone but the browser that asked.
async fn serve(call: &Call, key: Result<Option<String>, Fault>) -> Response {
    match call.answer(key) {
        Ok(Some(key)) => match PhotoKey::parse(&key) {
            Ok(key) => match call.state.photos.get(&key).await {
                Ok(Some(bytes)) => {
                    ([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, "private, no-store")], Body::from(bytes))
                        .into_response()
                }
                Ok(None) => StatusCode::NOT_FOUND.into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "photo not read from the store");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            },
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        },
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::NOT_FOUND).into_response(),
    }
}
