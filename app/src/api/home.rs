//! The home page's data: which session and site, and how far this browser's draft has got.

use super::{AppError, IdentitySummary, SiteInfo};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    pub site: Option<SiteInfo>,
    pub agreement_accepted: bool,
    pub identity: Option<IdentitySummary>,
}

#[server(prefix = "/api", endpoint = "home", input = GetUrl)]
pub async fn get_home() -> Result<HomeView, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::steps::home(&call).await
}
