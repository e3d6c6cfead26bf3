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
    handled!(journey::info_page)
}

#[server(prefix = "/api", endpoint = "info", input = Json)]
pub async fn save_info(form: InfoForm) -> Result<Next, AppError> {
    handled!(journey::save_info, form)
}

#[server(prefix = "/api", endpoint = "subjects_page", input = GetUrl)]
pub async fn get_subjects_page() -> Result<SubjectsPage, AppError> {
    handled!(journey::subjects_page)
}

/// Saves the choice. The browser calls it only after its confirmation dialog's 确定.
#[server(prefix = "/api", endpoint = "subjects", input = Json)]
pub async fn save_subjects(form: SubjectForm) -> Result<Next, AppError> {
    handled!(journey::save_subjects, form, true)
}

/// Seats left per subject at `site`, for the subject table to stay current while the
/// candidate looks at it (polled every 15 s while the page is visible, and on focus).
#[server(prefix = "/api", endpoint = "capacity", input = GetUrl)]
pub async fn get_capacity(site: String) -> Result<Vec<(String, i32)>, AppError> {
    handled!(journey::capacity, &site)
}

#[server(prefix = "/api", endpoint = "photo_page", input = GetUrl)]
pub async fn get_photo_page() -> Result<PhotoPage, AppError> {
    handled!(journey::photo_page)
}

#[server(prefix = "/api", endpoint = "status_page", input = GetUrl)]
pub async fn get_status_page() -> Result<StatusPage, AppError> {
    handled!(journey::status_page)
}

#[server(prefix = "/api", endpoint = "delete_registration", input = Json)]
pub async fn delete_registration(form: NoFields) -> Result<Next, AppError> {
    let _ = form;
    handled!(journey::delete_registration)
}
