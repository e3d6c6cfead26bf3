//! The home page's data (screen 1).

use crate::views::home::HomeView;
use crate::views::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/api", endpoint = "home", input = GetUrl)]
pub async fn get_home() -> Result<HomeView, AppError> {
    handled!(journey::home)
}
