//! One request as the step handlers see it, whether it came through a server function
//! (JavaScript on) or a plain form post (JavaScript off): state, headers, request id, the
//! browser session, and the cookies to send back.

use super::cookies;
use super::entity::{pass, web_session};
use super::fault::Fault;
use super::limits::Action;
use super::passes::session;
use super::AppState;
use crate::validation::Ctx;
use crate::views::AppError;
use axum::extract::ConnectInfo;
use http::header::{HeaderMap, HeaderValue, RETRY_AFTER, SET_COOKIE};
use http::request::Parts;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
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
    /// The TCP peer (`None` in tests that call the router directly).
    peer: Option<IpAddr>,
    /// Who the browser is signed in as, when already known for this request
    /// (`SignedInNow`); forgotten when the request starts or ends a session.
    known: Mutex<Option<Option<SignedIn>>>,
    /// A page's data a refused post already built from its own reads (`prepare`), handed
    /// to the page rendered after it in the same request.
    prepared: Mutex<Option<Prepared>>,
}

/// See `Call::prepare`. Travels in the request's extensions from the post to its page.
#[derive(Clone)]
pub struct Prepared(std::sync::Arc<dyn std::any::Any + Send + Sync>);

/// The browser's signed-in pass as looked up once for the whole request, before any
/// handler runs (`resolve_session`): a page asks for it from its header and again from its
/// body, and both parts are rendered at once, so they share this instead of a lookup each.
#[derive(Debug, Clone)]
pub struct SignedInNow(pub Option<SignedIn>);

/// Middleware for the app's routes (pages, server functions, form posts; not static files):
/// looks up the session the request carries (one query, or none without a session cookie)
/// and puts the answer in the request's extensions, where every `Call` of the request finds
/// it. Nothing here holds a lock across the lookup.
pub async fn resolve_session(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (mut parts, body) = req.into_parts();
    // The staff console never acts on a candidate's session: not even looked up there.
    let path = parts.uri.path();
    if path == crate::urls::STAFF || path.strip_prefix(crate::urls::STAFF).is_some_and(|r| r.starts_with('/')) {
        parts.extensions.insert(SignedInNow(None));
        return next.run(axum::extract::Request::from_parts(parts, body)).await;
    }
    let call = Call::for_handler(state, &parts);
    // A failure is logged; each handler then looks again and answers it its own way.
    if let Ok(who) = call.answer(call.look_up().await) {
        parts.extensions.insert(SignedInNow(who));
    }
    next.run(axum::extract::Request::from_parts(parts, body)).await
}

/// A signed-in pass and its session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub session: web_session::Model,
    pub pass: pass::Model,
}

fn peer_of(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

impl Call {
    /// Inside a server function or a page render.
    pub fn from_context() -> Result<Self, AppError> {
        let parts = use_context::<Parts>();
        let request_id = parts.as_ref().map(request_id_of).unwrap_or_else(|| "-".into());
        match (use_context::<AppState>(), parts, use_context::<ResponseOptions>()) {
            (Some(state), Some(parts), Some(res)) => {
                let peer = peer_of(&parts);
                Ok(Self {
                    state,
                    headers: parts.headers,
                    request_id,
                    cookies: CookieSink::ServerFn(res),
                    peer,
                    known: Mutex::new(parts.extensions.get::<SignedInNow>().map(|k| k.0.clone())),
                    prepared: Mutex::new(parts.extensions.get::<Prepared>().cloned()),
                })
            }
            _ => {
                tracing::error!("server function called without app state or request parts");
                Err(AppError::Internal { request_id })
            }
        }
    }

    /// A server function's answer with its real HTTP status: server functions answer every
    /// error with 500 unless told otherwise, and each `AppError` knows its own (422 for
    /// refused fields, 409 for a step out of order, 429 with `Retry-After` …). Used by every
    /// function in `api` (its `handled!`), so the client and proxies see the status the
    /// error means without anyone re-reading the body.
    /// A candidate page that calls a server function while it renders keeps its own status:
    /// only a request to the function's own URL (under `urls::API` or `urls::STAFF_API`)
    /// gets the error's; a staff page redirects or answers 403 (see below).
    pub fn with_status<T>(answer: Result<T, AppError>) -> Result<T, AppError> {
        let Err(e) = &answer else { return answer };
        let path = use_context::<Parts>().map(|p| p.uri.path().to_owned()).unwrap_or_default();
        let under = |prefix: &str| path.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'));
        let called_directly = under(crate::urls::API) || under(crate::urls::STAFF_API);
        // A staff page says what its data's error means in its own status: it sends a
        // browser without a staff session to the sign-in page, and refuses with 403.
        if !called_directly && (path == crate::urls::STAFF || under(crate::urls::STAFF)) {
            match e {
                AppError::StaffSignInRequired => leptos_axum::redirect(&crate::urls::with_notice(
                    crate::urls::STAFF_SIGN_IN,
                    crate::urls::Notice::StaffSignInRequired,
                )),
                AppError::Forbidden | AppError::NotFound => {
                    if let Some(res) = use_context::<ResponseOptions>() {
                        res.set_status(
                            http::StatusCode::from_u16(e.http_status()).unwrap_or(http::StatusCode::FORBIDDEN),
                        );
                    }
                }
                _ => {}
            }
            return answer;
        }
        if let (Some(res), true) = (use_context::<ResponseOptions>(), called_directly) {
            res.set_status(
                http::StatusCode::from_u16(e.http_status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
            );
            if let AppError::RateLimited { retry_after_secs } = e {
                res.insert_header(RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
        }
        answer
    }

    /// Inside an axum handler.
    pub fn for_handler(state: AppState, parts: &Parts) -> Self {
        Self {
            state,
            headers: parts.headers.clone(),
            request_id: request_id_of(parts),
            cookies: CookieSink::Collected(Mutex::new(Vec::new())),
            peer: peer_of(parts),
            known: Mutex::new(parts.extensions.get::<SignedInNow>().map(|k| k.0.clone())),
            prepared: Mutex::new(None),
        }
    }

    /// The client's address: the peer, or what a configured proxy says it forwarded for.
    pub fn client_addr(&self) -> IpAddr {
        let peer = self.peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        self.state.trusted_proxies.client(peer, &self.headers)
    }

    /// Counts one attempt at `action` against the client's address and `account` (in the
    /// database, so every server counts the same attempts).
    pub async fn limit(&self, action: Action, account: Option<&str>) -> Result<(), Fault> {
        let (db, now) = (self.state.db.write(), self.state.clock.now());
        match self.state.limits.check(db, now, action, self.client_addr(), account).await? {
            Ok(()) => Ok(()),
            Err(wait) => {
                tracing::warn!(?action, "rate limit reached");
                let retry_after_secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                Err(AppError::RateLimited { retry_after_secs }.into())
            }
        }
    }

    /// The request's headers (cookies, for the staff session).
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The rules' context: Beijing's today and the language.
    pub fn ctx(&self) -> Ctx {
        Ctx::new(self.state.clock.today())
    }

    /// A refusal the server alone can make (a taken address, a wrong password, seats
    /// already taken), said beside `field` like the shared rules' own.
    pub fn refuse_field(&self, field: &str, problem: &impl crate::domain::Problem) -> Fault {
        let mut errors = crate::validation::FieldErrors::new();
        errors.add(field, problem, self.ctx().lang);
        AppError::Invalid(errors).into()
    }

    /// A handler's answer as the user may see it: a refusal as it is; a broken one logged
    /// with its cause, the user told only the request id.
    pub fn answer<T>(&self, handled: Result<T, Fault>) -> Result<T, AppError> {
        handled.map_err(|fault| match fault {
            Fault::Refused(e) => e,
            Fault::Broken(cause) => {
                tracing::error!(error = %cause, "internal error");
                AppError::Internal { request_id: self.request_id.clone() }
            }
        })
    }

    /// The signed-in pass, if the browser has a live session: one idle too long or too old
    /// is ended here (the row deleted, so the token is dead even if the browser keeps it).
    /// Looked up once per request (the page's header and the page itself both ask).
    pub async fn signed_in(&self) -> Result<Option<SignedIn>, Fault> {
        if let Some(known) = self.known.lock().unwrap_or_else(PoisonError::into_inner).clone() {
            return Ok(known);
        }
        let who = self.look_up().await?;
        *self.known.lock().unwrap_or_else(PoisonError::into_inner) = Some(who.clone());
        Ok(who)
    }

    /// One query for the session and its pass.
    async fn look_up(&self) -> Result<Option<SignedIn>, Fault> {
        let Some(token) = session::COOKIE.token_in(&self.headers) else { return Ok(None) };
        let db = &self.state.db;
        let Some((row, pass)) = session::find_with_pass(db.read(), &token).await? else {
            return Ok(None);
        };
        let now = self.state.clock.now();
        match session::liveness(&row, now) {
            session::Liveness::Expired => {
                session::end(db.write(), row.id).await?;
                tracing::info!(web_session = row.id, "session expired");
                Ok(None)
            }
            session::Liveness::Live { touch } => {
                if touch {
                    session::touch(db.write(), row.id, now).await?;
                }
                Ok(Some(SignedIn { session: row, pass }))
            }
        }
    }

    /// What this call knows about who is signed in, for a page rendered after it in the
    /// same request (`None` when it never looked, or its session just started or ended).
    pub fn signed_in_now(&self) -> Option<SignedInNow> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner).clone().map(SignedInNow)
    }

    /// Keeps `page` for the page rendered after this call in the same request, so it need
    /// not read again what this call just read. Only for a post that changed nothing.
    pub fn prepare<T: Send + Sync + 'static>(&self, page: T) {
        *self.prepared.lock().unwrap_or_else(PoisonError::into_inner) = Some(Prepared(std::sync::Arc::new(page)));
    }

    /// What `prepare` kept, if it was a `T`.
    pub fn prepared<T: Clone + 'static>(&self) -> Option<T> {
        self.prepared
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .and_then(|p| p.0.downcast_ref::<T>().cloned())
    }

    /// For the page rendered after this call: what it prepared.
    pub fn take_prepared(&self) -> Option<Prepared> {
        self.prepared.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Forgets what this request looked up (its session just started or ended).
    fn forget_signed_in(&self) {
        *self.known.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// The caller as a candidate: signed in with a verified e-mail address.
    pub async fn candidate(&self) -> Result<SignedIn, Fault> {
        let who = self.signed_in().await?.ok_or(AppError::SignInRequired)?;
        if who.pass.email_verified_at.is_none() {
            return Err(AppError::Unverified.into());
        }
        Ok(who)
    }

    /// Signs the browser in to `pass_id` with a brand-new session token; the session the
    /// browser came with (if any) ends, so a token planted before sign-in is worthless.
    pub async fn start_session(&self, pass_id: i32) -> Result<web_session::Model, Fault> {
        self.delete_current_session().await?;
        self.forget_signed_in();
        let token = cookies::new_token()?;
        let row = session::create(self.state.db.write(), &token, pass_id, self.state.clock.now()).await?;
        self.set_cookie(&session::COOKIE.set(&token, self.state.secure_cookies))?;
        Ok(row)
    }

    /// Ends the browser's session on the server and tells the browser to drop the cookie.
    pub async fn end_session(&self) -> Result<(), Fault> {
        self.forget_signed_in();
        if self.delete_current_session().await? {
            self.set_cookie(&session::COOKIE.clear(self.state.secure_cookies))?;
        }
        Ok(())
    }

    /// Deletes the row of the session the browser presented; whether it presented one.
    async fn delete_current_session(&self) -> Result<bool, Fault> {
        let Some(token) = session::COOKIE.token_in(&self.headers) else { return Ok(false) };
        if let Some(row) = session::find(self.state.db.read(), &token).await? {
            session::end(self.state.db.write(), row.id).await?;
            tracing::info!(web_session = row.id, "session ended");
        }
        Ok(true)
    }

    pub(crate) fn set_cookie(&self, cookie: &str) -> Result<(), Fault> {
        let value = HeaderValue::from_str(cookie)?;
        match &self.cookies {
            CookieSink::ServerFn(res) => res.append_header(SET_COOKIE, value),
            CookieSink::Collected(v) => v.lock().unwrap_or_else(PoisonError::into_inner).push(value),
        }
        Ok(())
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
