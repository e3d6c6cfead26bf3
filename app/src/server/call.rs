//! One request as the step handlers see it, whether it came through a server function
//! (JavaScript on) or a plain form post (JavaScript off): state, headers, request id, the
//! browser session, and the cookies to send back.

use super::entity::web_session;
use super::{session, AppState};
use crate::api::AppError;
use crate::validation::Ctx;
use http::header::{HeaderMap, HeaderValue, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::fmt::Display;
use std::sync::{Mutex, PoisonError};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

enum CookieSink {
    /// A server function: headers go on its `ResponseOptions`.
    ServerFn(ResponseOptions),
    /// A plain axum handler collects them and adds them to its response.
    Collected(Mutex<Vec<HeaderValue>>),
}

pub struct Call {
    pub state: AppState,
    headers: HeaderMap,
    request_id: String,
    cookies: CookieSink,
}

impl Call {
    /// Inside a server function or a page render.
    pub fn from_context() -> Result<Self, AppError> {
        let parts = use_context::<Parts>();
        let request_id = parts.as_ref().map(request_id_of).unwrap_or_else(|| "-".into());
        match (use_context::<AppState>(), parts, use_context::<ResponseOptions>()) {
            (Some(state), Some(parts), Some(res)) => {
                Ok(Self { state, headers: parts.headers, request_id, cookies: CookieSink::ServerFn(res) })
            }
            _ => {
                tracing::error!("server function called without app state or request parts");
                Err(AppError::Internal { request_id })
            }
        }
    }

    /// Inside an axum handler.
    pub fn for_handler(state: AppState, parts: &Parts) -> Self {
        Self {
            state,
            headers: parts.headers.clone(),
            request_id: request_id_of(parts),
            cookies: CookieSink::Collected(Mutex::new(Vec::new())),
        }
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The rules' context: Beijing's today and the language.
    pub fn ctx(&self) -> Ctx {
        Ctx::new(self.state.clock.today())
    }

    /// Logs an internal failure with its cause and returns what the user may see.
    pub fn internal(&self, cause: impl Display) -> AppError {
        tracing::error!(error = %cause, "internal error");
        AppError::Internal { request_id: self.request_id.clone() }
    }

    /// The browser's existing session, if any.
    /// The browser's live session, if any: one idle too long or too old is ended here (the
    /// row deleted, so the token is dead even if the browser keeps it).
    pub async fn session(&self) -> Result<Option<web_session::Model>, AppError> {
        let Some(token) = session::token_from(&self.headers) else { return Ok(None) };
        let db = &self.state.db;
        let Some(row) = session::find(db, &token).await.map_err(|e| self.internal(e))? else { return Ok(None) };
        let now = self.state.clock.now();
        match session::liveness(&row, now) {
            session::Liveness::Expired => {
                session::end(db, row.id).await.map_err(|e| self.internal(e))?;
                tracing::info!(web_session = row.id, "session expired");
                Ok(None)
            }
            session::Liveness::Live { touch } => {
                if touch {
                    session::touch(db, row.id, now).await.map_err(|e| self.internal(e))?;
                }
                Ok(Some(row))
            }
        }
    }

    /// The browser's session, started now if it has none.
    pub async fn session_or_new(&self) -> Result<web_session::Model, AppError> {
        if let Some(s) = self.session().await? {
            return Ok(s);
        }
        let token = session::new_token().map_err(|e| self.internal(e))?;
        let row =
            session::create(&self.state.db, &token, self.state.clock.now()).await.map_err(|e| self.internal(e))?;
        let value =
            HeaderValue::from_str(&session::cookie(&token, self.state.secure_cookies)).map_err(|e| self.internal(e))?;
        match &self.cookies {
            CookieSink::ServerFn(res) => res.append_header(SET_COOKIE, value),
            CookieSink::Collected(v) => v.lock().unwrap_or_else(PoisonError::into_inner).push(value),
        }
        Ok(row)
    }

    /// Cookies an axum handler must add to its response.
    pub fn take_cookies(&self) -> Vec<HeaderValue> {
        match &self.cookies {
            CookieSink::ServerFn(_) => Vec::new(),
            CookieSink::Collected(v) => std::mem::take(&mut *v.lock().unwrap_or_else(PoisonError::into_inner)),
        }
    }
}

fn request_id_of(parts: &Parts) -> String {
    parts.headers.get(REQUEST_ID_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned()
}
