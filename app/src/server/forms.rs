//! Form posts without JavaScript. Each form's `action` is its own page URL; the handler
//! runs the very step function the server function runs. Success answers 303 to the next
//! page (post/redirect/get); a refusal renders the same page again, in the same response,
//! with the entered values, the error summary and the messages beside the fields.

use super::call::Call;
use super::fault::Fault;
use super::journey;
use super::passes::accounts;
use super::payment::candidate;
use super::staff;
use super::AppState;
use crate::urls::{self, Notice};
use crate::validation::account::{NewPasswordForm, ResetRequestForm, SignInForm, SignUpForm, TokenForm};
use crate::validation::agreement::AgreementForm;
use crate::validation::arrangement::{ArrangeForm, BatchForm, DoorForm, RoomForm};
use crate::validation::config::{NoticeForm, OfferForm, SessionForm, SiteForm};
use crate::validation::identity::IdentityForm;
use crate::validation::info::InfoForm;
use crate::validation::payment::PayForm;
use crate::validation::review::{BulkReviewForm, ReviewForm};
use crate::validation::staff::{AccountActionForm, CodeForm, StaffAccountForm, StaffSignInForm};
use crate::validation::subjects::SubjectForm;
use crate::validation::{FieldErrors, FieldNote};
use crate::views::journey::{preview_page, PreviewDraft, PreviewStep};
use crate::views::staff::{OrderQueryForm, RefundForm, RosterDecisionForm};
use crate::views::{AppError, Next, NoFields, Posted};
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use http::header::{HeaderValue, LOCATION, RETRY_AFTER, SET_COOKIE};
use http::StatusCode;
use leptos::prelude::provide_context;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(urls::AGREEMENT, post(handle::<AgreementStep>))
        .route(urls::INFO, post(handle::<InfoStep>))
        .route(urls::SUBJECTS, post(subjects_post))
        .route(urls::DELETE, post(handle::<DeleteStep>))
        .route(urls::SIGN_UP, post(handle::<SignUpStep>))
        .route(urls::SIGN_IN, post(handle::<SignInStep>))
        .route(urls::SIGN_OUT, post(handle::<SignOutStep>))
        .route(urls::VERIFY, post(handle::<VerifyStep>))
        .route(urls::RESEND, post(handle::<ResendStep>))
        .route(urls::RESET, post(handle::<ResetRequestStep>))
        .route(urls::NEW_PASSWORD, post(handle::<NewPasswordStep>))
        .route(urls::PASS, post(handle::<EditPassStep>))
        .route(urls::PAY, post(handle::<PayStep>))
        .route(urls::PAYMENT_RESULT, post(handle::<RefreshStep>))
        .route(urls::STAFF_SIGN_IN, post(handle::<StaffSignInStep>))
        .route(urls::STAFF_SECOND_FACTOR, post(handle::<StaffCodeStep>))
        .route(urls::STAFF_SET_PASSWORD, post(handle::<StaffSetPasswordStep>))
        .route(urls::STAFF_SIGN_OUT, post(handle::<StaffSignOutStep>))
        .route(urls::STAFF_SESSION, post(handle::<StaffSessionStep>))
        .route(urls::STAFF_SITE, post(handle::<StaffSiteStep>))
        .route(urls::STAFF_SITE_NEW, post(handle::<StaffNewSiteStep>))
        .route(urls::STAFF_OFFER, post(handle::<StaffOfferStep>))
        .route(urls::STAFF_OFFER_REMOVE, post(handle::<StaffRemoveOfferStep>))
        .route(urls::STAFF_NOTICES, post(handle::<StaffNoticeStep>))
        .route(urls::STAFF_ACCOUNTS, post(handle::<StaffAccountStep>))
        .route(urls::STAFF_ACCOUNT_ACTION, post(handle::<StaffAccountActionStep>))
        .route(urls::STAFF_REFUND, post(handle::<StaffRefundStep>))
        .route(urls::STAFF_ORDER_QUERY, post(handle::<StaffOrderQueryStep>))
        .route(urls::REVIEW, post(handle::<ReviewRequestStep>))
        .route(urls::REVIEW_WITHDRAW, post(handle::<ReviewWithdrawStep>))
        .route(urls::STAFF_REVIEW_DECIDE, post(handle_pairs::<ReviewDecideStep>))
        .route(urls::STAFF_REVIEW_BULK, post(handle_pairs::<ReviewBulkStep>))
        .route(urls::STAFF_ROSTER_REPORT, post(handle::<StaffRosterDecideStep>))
        .route(urls::STAFF_ROOMS, post(handle::<StaffRoomStep>))
        .route(urls::STAFF_ROOM_REMOVE, post(handle::<StaffRoomRemoveStep>))
        .route(urls::STAFF_BATCHES, post(handle::<StaffBatchStep>))
        .route(urls::STAFF_BATCH_REMOVE, post(handle::<StaffBatchRemoveStep>))
        .route(urls::STAFF_ARRANGE, post(handle::<StaffArrangeStep>))
        .route(urls::STAFF_DOOR, post(handle::<StaffDoorStep>))
        .route(urls::STAFF_PREVIEW_INFO, post(preview_info_post))
        .route(urls::STAFF_PREVIEW_SUBJECTS, post(preview_subjects_post))
}

/// A form step whose posted values are shown again as they are (nothing to normalise).
macro_rules! step {
    ($name:ident, $form:ty, |$call:ident, $f:ident| $submit:expr, |$g:ident| $shown:expr $(, page: $page:expr)?) => {
        struct $name;
        impl FormStep for $name {
            type Form = $form;
            $(const PAGE: Option<&'static str> = Some($page);)?
            fn submit($call: &Call, $f: Self::Form) -> impl Future<Output = Result<Next, Fault>> + Send {
                $submit
            }
            fn normalize($g: &Self::Form) -> (Self::Form, Vec<FieldNote>) {
                $shown
            }
        }
    };
}

step!(SignUpStep, SignUpForm, |call, f| accounts::sign_up(call, f), |f| {
    let (values, notes) = f.normalize();
    (values.without_passwords(), notes)
});
step!(SignInStep, SignInForm, |call, f| accounts::sign_in(call, f), |f| {
    let (values, notes) = f.normalize();
    (values.without_password(), notes)
});
step!(SignOutStep, NoFields, |call, _f| accounts::sign_out(call), |f| (f.clone(), Vec::new()), page: urls::HOME);
step!(VerifyStep, TokenForm, |call, f| accounts::verify_email(call, f), |f| (f.clone(), Vec::new()));
step!(ResendStep, NoFields, |call, _f| accounts::resend_verification(call), |f| (f.clone(), Vec::new()), page: urls::PASS);
step!(ResetRequestStep, ResetRequestForm, |call, f| accounts::request_reset(call, f), |f| f.normalize());
step!(NewPasswordStep, NewPasswordForm, |call, f| accounts::reset_password(call, f), |f| {
    (f.without_passwords(), Vec::new())
});
step!(EditPassStep, IdentityForm, |call, f| accounts::edit_pass(call, f), |f| f.normalize());

/// A form step as the no-JS handler drives it.
trait FormStep {
    type Form: DeserializeOwned + Serialize + Clone + Send + Sync + 'static;
    fn submit(call: &Call, form: Self::Form) -> impl Future<Output = Result<Next, Fault>> + Send;
    /// The values to show again and what normalisation changed.
    fn normalize(form: &Self::Form) -> (Self::Form, Vec<FieldNote>);
    /// The page a refusal is shown on, when the form's URL is not a page of its own.
    const PAGE: Option<&'static str> = None;
}

struct AgreementStep;
impl FormStep for AgreementStep {
    type Form = AgreementForm;
    fn submit(call: &Call, form: Self::Form) -> impl Future<Output = Result<Next, Fault>> + Send {
        journey::accept_agreement(call, form)
    }
    fn normalize(form: &Self::Form) -> (Self::Form, Vec<FieldNote>) {
        (form.clone(), Vec::new())
    }
}

step!(PayStep, PayForm, |call, f| candidate::start_payment(call, f), |f| (f.clone(), Vec::new()));
step!(RefreshStep, NoFields, |call, _f| candidate::refresh(call), |f| (f.clone(), Vec::new()), page: urls::PAYMENT_RESULT);
step!(StaffSignInStep, StaffSignInForm, |call, f| staff::accounts::sign_in(call, f), |f| {
    let (values, notes) = f.normalize();
    (values.without_password(), notes)
});
// A refused code is not shown again: the next one is typed afresh.
step!(StaffCodeStep, CodeForm, |call, f| staff::accounts::second_factor(call, f), |_f| (
    CodeForm::default(),
    Vec::new()
));
step!(StaffSetPasswordStep, NewPasswordForm, |call, f| staff::accounts::set_password(call, f), |f| {
    (f.without_passwords(), Vec::new())
});
step!(StaffSignOutStep, NoFields, |call, _f| staff::accounts::sign_out(call), |f| (f.clone(), Vec::new()), page: urls::STAFF);
step!(StaffSessionStep, SessionForm, |call, f| staff::config::save_session(call, f), |f| f.normalize());
step!(StaffSiteStep, SiteForm, |call, f| staff::config::update_site(call, f), |f| f.normalize());
step!(StaffNewSiteStep, SiteForm, |call, f| staff::config::create_site(call, f), |f| f.normalize());
step!(StaffOfferStep, OfferForm, |call, f| staff::config::save_offer(call, f), |f| f.normalize());
// Refused (the subject is in use, or not this account's), it is told on the subject's page.
step!(StaffRemoveOfferStep, OfferForm, |call, f| staff::config::remove_offer(call, f), |f| f.normalize(), page: urls::STAFF_OFFER);
step!(StaffAccountStep, StaffAccountForm, |call, f| staff::people::create_account(call, f), |f| f.normalize());
step!(StaffRefundStep, RefundForm, |call, f| staff::payments::record_refund(call, f), |f| (f.clone(), Vec::new()), page: urls::STAFF_PAYMENTS);
step!(StaffOrderQueryStep, OrderQueryForm, |call, f| staff::payments::query_order(call, f), |f| (f.clone(), Vec::new()), page: urls::STAFF_PAYMENTS);
step!(StaffAccountActionStep, AccountActionForm, |call, f| staff::people::act_on_account(call, f), |f| (f.clone(), Vec::new()), page: urls::STAFF_ACCOUNTS);
step!(StaffNoticeStep, NoticeForm, |call, f| staff::config::publish_notice(call, f), |f| f.normalize());
// Refused (already decided, left too long), it is told on the upload's own report.
step!(StaffRosterDecideStep, RosterDecisionForm, |call, f| staff::rosters::decide(call, f), |f| (
    f.clone(),
    Vec::new()
));
step!(StaffRoomStep, RoomForm, |call, f| staff::arrangement::add_room(call, f), |f| f.normalize());
step!(StaffRoomRemoveStep, RoomForm, |call, f| staff::arrangement::remove_room(call, f), |f| f.normalize(), page: urls::STAFF_ROOMS);
step!(StaffBatchStep, BatchForm, |call, f| staff::arrangement::add_batch(call, f), |f| f.normalize());
step!(StaffBatchRemoveStep, BatchForm, |call, f| staff::arrangement::remove_batch(call, f), |f| f.normalize(), page: urls::STAFF_BATCHES);
step!(StaffArrangeStep, ArrangeForm, |call, f| staff::arrangement::arrange_site(call, f), |f| (f.clone(), Vec::new()));
step!(StaffDoorStep, DoorForm, |call, f| staff::arrangement::check_in(call, f), |f| f.normalize());
step!(InfoStep, InfoForm, |call, f| journey::save_info(call, f), |f| f.normalize());
step!(ReviewRequestStep, NoFields, |call, _f| journey::review::request(call), |f| (f.clone(), Vec::new()), page: urls::STATUS);
step!(ReviewWithdrawStep, NoFields, |call, _f| journey::review::withdraw(call), |f| (f.clone(), Vec::new()), page: urls::STATUS);
step!(DeleteStep, NoFields, |call, _f| journey::delete_registration(call), |f| (f.clone(), Vec::new()), page: urls::STATUS);

/// The subject step posts repeated `subjects` keys (one per ticked box), which the plain
/// form extractor cannot read, and a `confirmed` answer from the confirmation page:
/// absent → a valid choice renders the confirmation (nothing saved); `yes` → saved;
/// `no` (取消) → the form again with the choice kept.
async fn subjects_post(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let Some((form, confirmed)) = read_subject_post(body).await else {
        return unreadable();
    };
    if confirmed.as_deref() == Some("no") {
        return kept(&state, &call, parts, form, urls::SUBJECTS).await;
    }
    let outcome = journey::save_subjects(&call, form.clone(), confirmed.as_deref() == Some("yes")).await;
    finish(&state, &call, parts, form, Vec::new(), outcome, None).await
}

/// A form's posted pairs, keys repeating as they were sent.
async fn read_pairs(body: Body) -> Option<Vec<(String, String)>> {
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.ok()?;
    Some(form_urlencoded::parse(&bytes).into_owned().collect())
}

/// A form whose keys may repeat (a review's reasons), read from its pairs; refused, shown on
/// `page` with the values as normalised.
trait PairsStep {
    type Form: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    fn read(pairs: Vec<(String, String)>) -> Self::Form;
    fn page(form: &Self::Form) -> String;
    fn shown(form: Self::Form) -> Self::Form;
    fn submit(call: &Call, form: Self::Form) -> impl Future<Output = Result<Next, Fault>> + Send;
}

async fn handle_pairs<S: PairsStep>(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let Some(pairs) = read_pairs(body).await else {
        return unreadable();
    };
    let form = S::read(pairs);
    let page = S::page(&form);
    let outcome = S::submit(&call, form.clone()).await;
    finish(&state, &call, parts, S::shown(form), Vec::new(), outcome, Some(&page)).await
}

/// One card's 通过 / 退回: refused, the queue again under the card's filter with the messages
/// on that card.
struct ReviewDecideStep;
impl PairsStep for ReviewDecideStep {
    type Form = ReviewForm;
    fn read(pairs: Vec<(String, String)>) -> ReviewForm {
        ReviewForm::from_pairs(pairs)
    }
    fn page(f: &ReviewForm) -> String {
        staff::review::queue_url(&f.site, &f.subject, &[])
    }
    fn shown(f: ReviewForm) -> ReviewForm {
        ReviewForm { decision: f.decision.normalize(), ..f }
    }
    fn submit(call: &Call, f: ReviewForm) -> impl Future<Output = Result<Next, Fault>> + Send {
        staff::review::decide_one(call, f)
    }
}

/// The decision for the queue's filtered set.
struct ReviewBulkStep;
impl PairsStep for ReviewBulkStep {
    type Form = BulkReviewForm;
    fn read(pairs: Vec<(String, String)>) -> BulkReviewForm {
        BulkReviewForm::from_pairs(pairs)
    }
    fn page(f: &BulkReviewForm) -> String {
        staff::review::queue_url(&f.site, &f.subject, &[])
    }
    fn shown(f: BulkReviewForm) -> BulkReviewForm {
        BulkReviewForm { decision: f.decision.normalize(), ..f }
    }
    fn submit(call: &Call, f: BulkReviewForm) -> impl Future<Output = Result<Next, Fault>> + Send {
        staff::review::decide_bulk(call, f)
    }
}

fn unreadable() -> Response {
    (StatusCode::BAD_REQUEST, "表单内容无法识别，请返回上一页重新填写。").into_response()
}

/// A subject post's form (repeated `subjects` keys) and its `confirmed` answer.
async fn read_subject_post(body: Body) -> Option<(SubjectForm, Option<String>)> {
    let mut form = SubjectForm::default();
    let mut confirmed = None;
    for (k, v) in read_pairs(body).await? {
        match k.as_str() {
            "site" => form.site = v,
            "subjects" => form.subjects.push(v),
            "declare" => form.declare = Some(v),
            "seen" => form.seen = v.parse().ok(),
            "confirmed" => confirmed = Some(v),
            _ => {}
        }
    }
    Some((form, confirmed))
}

/// 取消 on the no-JS confirmation: the form again at `page`, the choice kept.
async fn kept(state: &AppState, call: &Call, parts: http::request::Parts, form: SubjectForm, page: &str) -> Response {
    let posted = Posted { values: form, errors: FieldErrors::new(), notes: Vec::new(), problem: None };
    render_with(state, call, posted, Request::from_parts(as_get(parts, page), Body::empty())).await
}

/// The site a preview post is for (`?site=`), and the unsaved settings it shows, if any.
fn preview_of(parts: &http::request::Parts) -> (String, Option<PreviewDraft>) {
    let query = parts.uri.query().unwrap_or_default();
    let get = |key: &str| form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == key).map(|(_, v)| v.into_owned());
    let site = get("site").unwrap_or_default();
    let draft = PreviewDraft::from_query(&site, get);
    (site, draft)
}

/// A site's preview of the information step: the candidates' rules, nothing stored; a
/// refusal is shown on the preview page.
async fn preview_info_post(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let (site, draft) = preview_of(&parts);
    let form = match Form::<InfoForm>::from_request(Request::from_parts(parts.clone(), body), &state).await {
        Ok(Form(form)) => form,
        Err(_) => return unreadable(),
    };
    let page = preview_page(&site, PreviewStep::Info, draft.as_ref());
    let outcome = staff::preview::check_info(&call, site, draft, form.clone()).await;
    let (values, notes) = form.normalize();
    finish(&state, &call, parts, values, notes, outcome, Some(&page)).await
}

/// A site's preview of the subject step, with its no-JS confirmation; nothing stored.
async fn preview_subjects_post(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let (site, draft) = preview_of(&parts);
    let Some((form, confirmed)) = read_subject_post(body).await else {
        return unreadable();
    };
    let page = preview_page(&site, PreviewStep::Subjects, draft.as_ref());
    if confirmed.as_deref() == Some("no") {
        return kept(&state, &call, parts, form, &page).await;
    }
    let confirmed = confirmed.as_deref() == Some("yes");
    let outcome = staff::preview::check_subjects(&call, site, draft, form.clone(), confirmed).await;
    finish(&state, &call, parts, form, Vec::new(), outcome, Some(&page)).await
}

fn as_get(mut parts: http::request::Parts, page: &str) -> http::request::Parts {
    if let Ok(uri) = page.parse() {
        parts.uri = uri;
    }
    parts.method = http::Method::GET;
    parts
}

async fn handle<S: FormStep>(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let call = Call::for_handler(state.clone(), &parts);
    let form = match Form::<S::Form>::from_request(Request::from_parts(parts.clone(), body), &state).await {
        Ok(Form(form)) => form,
        Err(rejection) => {
            tracing::warn!(error = %rejection, "unreadable form post");
            return (StatusCode::BAD_REQUEST, "表单内容无法识别，请返回上一页重新填写。").into_response();
        }
    };
    let outcome = S::submit(&call, form.clone()).await;
    let (values, notes) = S::normalize(&form);
    finish(&state, &call, parts, values, notes, outcome, S::PAGE).await
}

/// The answer to a no-JS post: 303 onwards, or the page (`page`, else the post's own URL as
/// a GET) again with the refusal, its status and any `Retry-After`, and the call's cookies.
pub async fn finish<F>(
    state: &AppState,
    call: &Call,
    parts: http::request::Parts,
    values: F,
    notes: Vec<FieldNote>,
    outcome: Result<Next, Fault>,
    page: Option<&str>,
) -> Response
where
    F: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    let mut response = match call.answer(outcome) {
        Ok(Next { url }) => see_other(&url),
        Err(AppError::StepOrder { go_to }) => see_other(&go_to),
        Err(AppError::SignInRequired) => see_other(&urls::with_notice(urls::SIGN_IN, Notice::SignInRequired)),
        Err(AppError::StaffSignInRequired) => {
            see_other(&urls::with_notice(urls::STAFF_SIGN_IN, Notice::StaffSignInRequired))
        }
        Err(err) => {
            let status = StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let retry_after = match &err {
                AppError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
                _ => None,
            };
            let (errors, problem) = match err {
                AppError::Invalid(errors) => (errors, None),
                other => (FieldErrors::new(), Some(other)),
            };
            let posted = Posted { values, errors, notes, problem };
            let parts = match page {
                Some(p) => as_get(parts, p),
                None => parts,
            };
            let mut page = render_with(state, call, posted, Request::from_parts(parts, Body::empty())).await;
            *page.status_mut() = status;
            if let Some(secs) = retry_after {
                page.headers_mut().insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            page
        }
    };
    for cookie in call.take_cookies() {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

fn see_other(url: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(url) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// Renders the app for this request with the refused form in context. The page learns who
/// is signed in from what the post's `call` found (no second lookup); if the post started
/// or ended a session, `call` forgot it and the page looks again.
async fn render_with<F>(state: &AppState, call: &Call, posted: Posted<F>, mut req: Request) -> Response
where
    F: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    match call.signed_in_now() {
        Some(known) => req.extensions_mut().insert(known),
        None => req.extensions_mut().remove::<super::call::SignedInNow>(),
    };
    if let Some(prepared) = call.take_prepared() {
        req.extensions_mut().insert(prepared);
    }
    let st = state.clone();
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(st.clone());
            provide_context(posted.clone());
        },
        move || crate::shell(options.clone()),
    );
    handler(req).await
}
