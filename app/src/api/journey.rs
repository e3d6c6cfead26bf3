//! The registration journey after the agreement: 个人信息采集, 报考科目采集, 照片信息采集
//! and 报名信息.

use crate::validation::info::InfoForm;
use crate::validation::subjects::SubjectForm;
use crate::views::journey::{InfoPage, PhotoPage, StatusPage, SubjectsPage};
use crate::views::{AppError, Next, NoFields};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[server(prefix = "/api", endpoint = "info_page", input = GetUrl)]
pub async fn get_info_page() -> Result<InfoPage, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::info_page(&call).await
}

#[server(prefix = "/api", endpoint = "info", input = Json)]
pub async fn save_info(form: InfoForm) -> Result<Next, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::save_info(&call, form).await
}

#[server(prefix = "/api", endpoint = "subjects_page", input = GetUrl)]
pub async fn get_subjects_page() -> Result<SubjectsPage, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::subjects_page(&call).await
}

/// Saves the choice. The browser calls it only after its confirmation dialog's 确定.
#[server(prefix = "/api", endpoint = "subjects", input = Json)]
pub async fn save_subjects(form: SubjectForm) -> Result<Next, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::save_subjects(&call, form, true).await
}

/// Seats left per subject at `site`, for the subject table to stay current while the
/// candidate looks at it (polled every 15 s while the page is visible, and on focus).
#[server(prefix = "/api", endpoint = "capacity", input = GetUrl)]
pub async fn get_capacity(site: String) -> Result<Vec<(String, i32)>, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::capacity(&call, &site).await
}

#[server(prefix = "/api", endpoint = "photo_page", input = GetUrl)]
pub async fn get_photo_page() -> Result<PhotoPage, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::photo_page(&call).await
}

#[server(prefix = "/api", endpoint = "status_page", input = GetUrl)]
pub async fn get_status_page() -> Result<StatusPage, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::status_page(&call).await
}

#[server(prefix = "/api", endpoint = "delete_registration", input = Json)]
pub async fn delete_registration(form: NoFields) -> Result<Next, AppError> {
    let _ = form;
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::delete_registration(&call).await
}
