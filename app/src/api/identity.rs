//! Step 证件信息采集.

use super::{AppError, IdentitySummary, Next};
use crate::validation::identity::IdentityForm;
use crate::validation::Ctx;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};
use serde::{Deserialize, Serialize};

/// What the identity page needs: the server's rule context (so the browser's rules use the
/// same "today" and site options as the server's), whether the agreement came first, and
/// the saved values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityPage {
    pub ctx: Ctx,
    pub agreement_accepted: bool,
    pub saved: Option<IdentityForm>,
}

#[server(prefix = "/api", endpoint = "identity_page", input = GetUrl)]
pub async fn get_identity_page() -> Result<IdentityPage, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::steps::identity_page(&call).await
}

/// The saved identity for display: masked number, derived birth date and gender.
#[server(prefix = "/api", endpoint = "identity_summary", input = GetUrl)]
pub async fn get_identity_summary() -> Result<Option<IdentitySummary>, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::steps::identity_summary(&call).await
}

#[server(prefix = "/api", endpoint = "identity", input = Json)]
pub async fn save_identity(form: IdentityForm) -> Result<Next, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::steps::save_identity(&call, form).await
}
