//! The home page's data: the signed-in pass, which session and site, and how far the
//! candidate's registration has got.

use super::{AppError, IdentitySummary, SiteInfo};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// `None`: nobody is signed in.
    pub pass: Option<PassBrief>,
    pub site: Option<SiteInfo>,
    pub agreement_accepted: bool,
    pub identity: Option<IdentitySummary>,
}

/// The pass as the home page shows it (screen 1): the number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassBrief {
    pub doc_type_label: String,
    pub masked_number: String,
    pub name: String,
    pub verified: bool,
}

#[server(prefix = "/api", endpoint = "home", input = GetUrl)]
pub async fn get_home() -> Result<HomeView, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::steps::home(&call).await
}
