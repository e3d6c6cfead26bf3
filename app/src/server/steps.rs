//! The step handlers: each runs the step's shared `parse` first and touches the database
//! only with a valid value. Server functions and no-JS form posts both end up here.

use super::accounts;
use super::call::Call;
use super::clock::format_beijing;
use super::entity::registration;
use super::repo::{self, Offering};
use crate::api::home::{HomeView, PassBrief};
use crate::api::identity::IdentityPage;
use crate::api::{AppError, IdentitySummary, Next, SiteInfo, WindowState};
use crate::domain::{DocumentNumber, DocumentType};
use crate::validation::agreement::AgreementForm;
use crate::validation::identity::IdentityForm;
use crate::validation::FieldNote;

pub const AGREEMENT_URL: &str = "/register/agreement";
pub const IDENTITY_URL: &str = "/register/identity";
pub const SUMMARY_URL: &str = "/register/summary";

async fn offering(call: &Call) -> Result<Offering, AppError> {
    repo::current_offering(&call.state.db).await.map_err(|e| call.internal(e))?.ok_or(AppError::NoSession)
}

fn window_state(call: &Call, o: &Offering) -> WindowState {
    let now = call.state.clock.now();
    if now < o.offering.window_opens_at {
        WindowState::NotYetOpen { opens: format_beijing(o.offering.window_opens_at) }
    } else if now >= o.offering.window_closes_at {
        WindowState::Closed
    } else {
        WindowState::Open
    }
}

/// Rule 9: outside the window nothing may be registered or changed.
fn require_open(call: &Call, o: &Offering) -> Result<(), AppError> {
    match window_state(call, o) {
        WindowState::Open => Ok(()),
        WindowState::NotYetOpen { opens } => Err(AppError::WindowNotOpen { opens }),
        WindowState::Closed => Err(AppError::WindowClosed),
    }
}

fn site_info(call: &Call, o: &Offering) -> SiteInfo {
    SiteInfo {
        session_name: o.session.name.clone(),
        session_number: o.session.number,
        province: format!("({}){}", o.province.code, o.province.name),
        site: format!("({}){}", o.site.code, o.site.name),
        window: format!(
            "{} 至 {}",
            format_beijing(o.offering.window_opens_at),
            format_beijing(o.offering.window_closes_at)
        ),
        window_state: window_state(call, o),
        max_subjects: o.offering.max_subjects,
    }
}

/// The candidate's registration for the open session, if any. Only ever the caller's own:
/// the pass comes from the session, never from the request.
async fn current_draft(call: &Call, pass_id: i32, o: &Offering) -> Result<Option<registration::Model>, AppError> {
    repo::draft(&call.state.db, pass_id, o.session.id).await.map_err(|e| call.internal(e))
}

/// The saved identity, opened and shown as it was accepted; birth date and gender come from
/// the number while it still parses under today's rules.
fn saved_identity(call: &Call, draft: &registration::Model) -> Option<(IdentityForm, IdentitySummary)> {
    let sealed = draft.doc_number.as_deref()?;
    let doc_number = match call.state.data_key.open(repo::DOC_NUMBER_PURPOSE, sealed) {
        Ok(n) => n,
        Err(e) => {
            // Another key, or a row from before sealing: as if not given.
            tracing::warn!(registration = draft.id, error = %e, "saved document number does not open");
            return None;
        }
    };
    let form = IdentityForm { doc_type: draft.doc_type.clone()?, doc_number, name: draft.name.clone()? };
    let number = DocumentType::from_code(&form.doc_type)
        .and_then(|t| DocumentNumber::parse(t, &form.doc_number, call.ctx().today).ok());
    let notes: Vec<FieldNote> =
        draft.identity_notes.as_deref().and_then(|n| serde_json::from_str(n).ok()).unwrap_or_default();
    let summary = IdentitySummary {
        doc_type: DocumentType::from_code(&form.doc_type).map(|t| t.label_zh()).unwrap_or_default().to_owned(),
        masked_number: crate::domain::document::mask(&form.doc_number),
        name: form.name.clone(),
        birth_date: number.as_ref().and_then(|n| n.birth_date()).map(|d| d.to_chinese()),
        gender: number.as_ref().and_then(|n| n.gender()).map(|g| g.label_zh().to_owned()),
        notes,
    };
    Some((form, summary))
}

pub async fn home(call: &Call) -> Result<HomeView, AppError> {
    let who = call.signed_in().await?;
    let pass = match &who {
        Some(w) => Some(accounts::pass_view(call, w, false)?).map(|v| PassBrief {
            doc_type_label: v.doc_type_label,
            masked_number: v.masked_number,
            name: v.name,
            verified: v.verified,
        }),
        None => None,
    };
    let o = match offering(call).await {
        Ok(o) => o,
        Err(AppError::NoSession) => {
            return Ok(HomeView { pass, site: None, agreement_accepted: false, identity: None })
        }
        Err(e) => return Err(e),
    };
    let draft = match &who {
        Some(w) => current_draft(call, w.pass.id, &o).await?,
        None => None,
    };
    Ok(HomeView {
        pass,
        site: Some(site_info(call, &o)),
        agreement_accepted: draft.as_ref().is_some_and(|d| d.agreement_accepted_at.is_some()),
        identity: draft.as_ref().and_then(|d| saved_identity(call, d)).map(|(_, s)| s),
    })
}

pub async fn accept_agreement(call: &Call, form: AgreementForm) -> Result<Next, AppError> {
    form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let who = call.candidate().await?;
    let o = offering(call).await?;
    require_open(call, &o)?;
    repo::accept_agreement(&call.state.db, who.pass.id, o.session.id, call.state.clock.now())
        .await
        .map_err(|e| call.internal(e))?;
    tracing::info!(pass = who.pass.id, "agreement accepted");
    Ok(Next { url: IDENTITY_URL.into() })
}

pub async fn identity_page(call: &Call) -> Result<IdentityPage, AppError> {
    let who = call.candidate().await?;
    let o = offering(call).await?;
    let draft = current_draft(call, who.pass.id, &o).await?;
    let saved = draft.as_ref().and_then(|d| saved_identity(call, d));
    Ok(IdentityPage {
        ctx: call.ctx(),
        agreement_accepted: draft.as_ref().is_some_and(|d| d.agreement_accepted_at.is_some()),
        saved: saved.map(|(f, _)| f),
    })
}

pub async fn identity_summary(call: &Call) -> Result<Option<IdentitySummary>, AppError> {
    let who = call.candidate().await?;
    let o = offering(call).await?;
    let draft = current_draft(call, who.pass.id, &o).await?;
    Ok(draft.as_ref().and_then(|d| saved_identity(call, d)).map(|(_, s)| s))
}

pub async fn save_identity(call: &Call, form: IdentityForm) -> Result<Next, AppError> {
    // The rules first: an invalid submission is refused before any lookup or write.
    let valid = form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let (_, notes) = form.normalize();
    let who = call.candidate().await?;
    let o = offering(call).await?;
    require_open(call, &o)?;
    let draft = current_draft(call, who.pass.id, &o)
        .await?
        .filter(|d| d.agreement_accepted_at.is_some())
        .ok_or_else(|| AppError::StepOrder { go_to: AGREEMENT_URL.into() })?;
    let draft_id = draft.id;
    repo::save_identity(&call.state.db, &call.state.data_key, draft, &valid, &notes, call.state.clock.now())
        .await
        .map_err(|e| call.internal(e))?;
    tracing::info!(registration = draft_id, document = %valid.number, "identity saved");
    Ok(Next { url: SUMMARY_URL.into() })
}
