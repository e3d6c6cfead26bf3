//! The one route table. Every page renders fully on the server before the first byte goes
//! out (`SsrMode::Async`): with JavaScript off there is no script to swap streamed parts in.
//! The app runs on the server only (islands): the router, the pages and the frame never
//! reach the browser; the forms inside the pages are islands (`#[island]`) and hydrate on
//! their own.

use crate::components::form::full_title;
use crate::components::layout::{Footer, Header};
use crate::pages::pass::{NewPasswordPage, PassPage, ResetRequestPage, SignInPage, SignUpPage, VerifyPage};
use crate::pages::staff::arrangement::{StaffArrangePage, StaffBatchesPage, StaffDoorPage, StaffRoomsPage};
use crate::pages::staff::config::{StaffNoticesPage, StaffOfferPage, StaffSessionPage, StaffSitePage, StaffSitesPage};
use crate::pages::staff::export::StaffExportPage;
use crate::pages::staff::payments::StaffPaymentsPage;
use crate::pages::staff::people::StaffAccountsPage;
use crate::pages::staff::preview::StaffPreviewPage;
use crate::pages::staff::reconcile::StaffReconcilePage;
use crate::pages::staff::review::StaffReviewPage;
use crate::pages::staff::rosters::{StaffRosterReportPage, StaffRostersPage};
use crate::pages::staff::search::{StaffCandidatePage, StaffCandidatesPage};
use crate::pages::staff::trail::StaffAuditPage;
use crate::pages::staff::{StaffHomePage, StaffSecondFactorPage, StaffSetPasswordPage, StaffSignInPage};
use crate::pages::{
    agreement::AgreementPage,
    delete::DeletePage,
    home::HomePage,
    info::InfoPage,
    not_found::NotFound,
    pay::{PayPage, PaymentResultPage},
    photo::PhotoPage,
    status::StatusPage,
    subjects::SubjectsPage,
};
use crate::urls::{self, Page};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::SsrMode;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| full_title(&page) />
        <Router>
            <Header />
            <main id="main-content" class="container">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=Page(urls::HOME) view=HomePage ssr=SsrMode::Async />
                    <Route
                        path=Page(urls::AGREEMENT)
                        view=AgreementPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=Page(urls::INFO)
                        view=InfoPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=Page(urls::SUBJECTS)
                        view=SubjectsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=Page(urls::PHOTO)
                        view=PhotoPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=Page(urls::STATUS)
                        view=StatusPage
                        ssr=SsrMode::Async
                    />
                    <Route path=Page(urls::PAY) view=PayPage ssr=SsrMode::Async />
                    <Route
                        path=Page(urls::PAYMENT_RESULT)
                        view=PaymentResultPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=Page(urls::DELETE)
                        view=DeletePage
                        ssr=SsrMode::Async
                    />
                    <Route path=Page(urls::PASS) view=PassPage ssr=SsrMode::Async />
                    <Route path=Page(urls::SIGN_UP) view=SignUpPage ssr=SsrMode::Async />
                    <Route path=Page(urls::SIGN_IN) view=SignInPage ssr=SsrMode::Async />
                    <Route path=Page(urls::VERIFY) view=VerifyPage ssr=SsrMode::Async />
                    <Route
                        path=Page(urls::RESET)
                        view=ResetRequestPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=Page(urls::NEW_PASSWORD)
                        view=NewPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=Page(urls::STAFF) view=StaffHomePage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_SIGN_IN) view=StaffSignInPage ssr=SsrMode::Async />
                    <Route
                        path=Page(urls::STAFF_SECOND_FACTOR)
                        view=StaffSecondFactorPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=Page(urls::STAFF_SET_PASSWORD)
                        view=StaffSetPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=Page(urls::STAFF_SESSION) view=StaffSessionPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_SITES) view=StaffSitesPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_SITE) view=StaffSitePage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_SITE_NEW) view=StaffSitePage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_OFFER) view=StaffOfferPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_NOTICES) view=StaffNoticesPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_AUDIT) view=StaffAuditPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_CANDIDATES) view=StaffCandidatesPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_CANDIDATE) view=StaffCandidatePage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_PAYMENTS) view=StaffPaymentsPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_REVIEW) view=StaffReviewPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_EXPORT) view=StaffExportPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_ROSTERS) view=StaffRostersPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_ROSTER_REPORT) view=StaffRosterReportPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_ROOMS) view=StaffRoomsPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_BATCHES) view=StaffBatchesPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_ARRANGE) view=StaffArrangePage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_DOOR) view=StaffDoorPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_RECONCILE) view=StaffReconcilePage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_PREVIEW) view=StaffPreviewPage ssr=SsrMode::Async />
                    <Route path=Page(urls::STAFF_ACCOUNTS) view=StaffAccountsPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <Footer />
        </Router>
    }
}
