//! The staff console's server functions, under `/staff/api/` so the console's cookie (sent
//! only under `/staff`) reaches them and a candidate's session never stands in for it.

use crate::views::staff::{SecondFactorPage, SetPasswordPage, StaffHome};
use crate::views::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(prefix = "/staff/api", endpoint = "home", input = GetUrl)]
pub async fn get_staff_home() -> Result<StaffHome, AppError> {
    handled!(staff::accounts::home)
}

#[server(prefix = "/staff/api", endpoint = "second_factor_page", input = GetUrl)]
pub async fn get_second_factor_page() -> Result<SecondFactorPage, AppError> {
    handled!(staff::accounts::second_factor_page)
}

#[server(prefix = "/staff/api", endpoint = "set_password_page", input = GetUrl)]
pub async fn get_set_password_page(token: String) -> Result<SetPasswordPage, AppError> {
    handled!(staff::accounts::set_password_page, token)
}
