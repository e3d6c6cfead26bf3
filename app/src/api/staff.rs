//! The staff console's server functions, under `/staff/api/` so the console's cookie (sent
//! only under `/staff`) reaches them and a candidate's session never stands in for it.

use crate::validation::info::InfoForm;
use crate::validation::subjects::SubjectForm;
use crate::views::arrangement::{ArrangePage, BatchesPage, DoorPage, RoomsPage};
use crate::views::journey::{InfoPage, PreviewDraft, SubjectsPage};
use crate::views::staff::{
    AuditPage, AuditQuery, CandidatePage, CandidateQuery, CandidatesPage, ExportPage, NoticesPage, OfferPage,
    OrderListQuery, PaymentsPage, ReconcilePage, ReviewPage, ReviewQuery, RosterQuery, RosterReportPage, RostersPage,
    SecondFactorPage, SessionPage, SetPasswordPage, SitePage, SitesPage, StaffAccountsPage, StaffHome,
};
use crate::views::AppError;
use crate::views::Next;
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

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

#[server(prefix = "/staff/api", endpoint = "session_page", input = GetUrl)]
pub async fn get_staff_session_page() -> Result<SessionPage, AppError> {
    handled!(staff::config::session_page)
}

#[server(prefix = "/staff/api", endpoint = "sites_page", input = GetUrl)]
pub async fn get_staff_sites_page() -> Result<SitesPage, AppError> {
    handled!(staff::config::sites_page)
}

/// One site's page; `code` empty: the page to create one.
#[server(prefix = "/staff/api", endpoint = "site_page", input = GetUrl)]
pub async fn get_staff_site_page(code: String) -> Result<SitePage, AppError> {
    if code.is_empty() {
        handled!(staff::config::new_site_page)
    } else {
        handled!(staff::config::site_page, code)
    }
}

/// One offered subject's page; `subject` empty: the page to add one.
#[server(prefix = "/staff/api", endpoint = "offer_page", input = GetUrl)]
pub async fn get_staff_offer_page(site: String, subject: String) -> Result<OfferPage, AppError> {
    handled!(staff::config::offer_page, site, subject)
}

#[server(prefix = "/staff/api", endpoint = "notices_page", input = GetUrl)]
pub async fn get_staff_notices_page() -> Result<NoticesPage, AppError> {
    handled!(staff::config::notices_page)
}

#[server(prefix = "/staff/api", endpoint = "candidates_page", input = GetUrl)]
pub async fn get_staff_candidates_page(query: CandidateQuery) -> Result<CandidatesPage, AppError> {
    handled!(staff::search::candidates_page, query)
}

#[server(prefix = "/staff/api", endpoint = "candidate_page", input = GetUrl)]
pub async fn get_staff_candidate_page(id: i32) -> Result<CandidatePage, AppError> {
    handled!(staff::search::candidate_page, id)
}

#[server(prefix = "/staff/api", endpoint = "review_page", input = GetUrl)]
pub async fn get_staff_review_page(query: ReviewQuery) -> Result<ReviewPage, AppError> {
    handled!(staff::review::review_page, query)
}

#[server(prefix = "/staff/api", endpoint = "export_page", input = GetUrl)]
pub async fn get_staff_export_page(filter: CandidateQuery) -> Result<ExportPage, AppError> {
    handled!(staff::export::export_page, filter)
}

#[server(prefix = "/staff/api", endpoint = "reconcile_page", input = GetUrl)]
pub async fn get_staff_reconcile_page(day: String) -> Result<ReconcilePage, AppError> {
    handled!(staff::reconcile::report, day)
}

#[server(prefix = "/staff/api", endpoint = "payments_page", input = GetUrl)]
pub async fn get_staff_payments_page(query: OrderListQuery) -> Result<PaymentsPage, AppError> {
    handled!(staff::payments::payments_page, query)
}

#[server(prefix = "/staff/api", endpoint = "audit_page", input = GetUrl)]
pub async fn get_staff_audit_page(query: AuditQuery) -> Result<AuditPage, AppError> {
    handled!(staff::trail::audit_page, query)
}

#[server(prefix = "/staff/api", endpoint = "preview_info_page", input = GetUrl)]
pub async fn get_preview_info_page(site: String, draft: Option<PreviewDraft>) -> Result<InfoPage, AppError> {
    handled!(staff::preview::info_page, site, draft)
}

#[server(prefix = "/staff/api", endpoint = "preview_subjects_page", input = GetUrl)]
pub async fn get_preview_subjects_page(site: String, draft: Option<PreviewDraft>) -> Result<SubjectsPage, AppError> {
    handled!(staff::preview::subjects_page, site, draft)
}

/// The information step's rules for a site's preview; stores nothing.
#[server(prefix = "/staff/api", endpoint = "preview_info", input = Json)]
pub async fn preview_info(site: String, draft: Option<PreviewDraft>, form: InfoForm) -> Result<Next, AppError> {
    handled!(staff::preview::check_info, site, draft, form)
}

/// The subject step's rules for a site's preview (after its dialog's 确定); stores nothing.
#[server(prefix = "/staff/api", endpoint = "preview_subjects", input = Json)]
pub async fn preview_subjects(site: String, draft: Option<PreviewDraft>, form: SubjectForm) -> Result<Next, AppError> {
    handled!(staff::preview::check_subjects, site, draft, form, true)
}

#[server(prefix = "/staff/api", endpoint = "accounts_page", input = GetUrl)]
pub async fn get_staff_accounts_page() -> Result<StaffAccountsPage, AppError> {
    handled!(staff::people::accounts_page)
}

#[server(prefix = "/staff/api", endpoint = "rosters_page", input = GetUrl)]
pub async fn get_staff_rosters_page(query: RosterQuery) -> Result<RostersPage, AppError> {
    handled!(staff::rosters::rosters_page, query)
}

#[server(prefix = "/staff/api", endpoint = "roster_report_page", input = GetUrl)]
pub async fn get_staff_roster_report_page(id: i32) -> Result<RosterReportPage, AppError> {
    handled!(staff::rosters::report_page, id)
}

#[server(prefix = "/staff/api", endpoint = "rooms_page", input = GetUrl)]
pub async fn get_staff_rooms_page(site: String) -> Result<RoomsPage, AppError> {
    handled!(staff::arrangement::rooms_page, site)
}

#[server(prefix = "/staff/api", endpoint = "batches_page", input = GetUrl)]
pub async fn get_staff_batches_page(site: String) -> Result<BatchesPage, AppError> {
    handled!(staff::arrangement::batches_page, site)
}

#[server(prefix = "/staff/api", endpoint = "arrange_page", input = GetUrl)]
pub async fn get_staff_arrange_page(site: String) -> Result<ArrangePage, AppError> {
    handled!(staff::arrangement::arrange_page, site)
}

#[server(prefix = "/staff/api", endpoint = "door_page", input = GetUrl)]
pub async fn get_staff_door_page(site: String, ticket: String) -> Result<DoorPage, AppError> {
    handled!(staff::arrangement::door_page, site, ticket)
}
