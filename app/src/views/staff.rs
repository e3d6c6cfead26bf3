//! The staff console's pages as they travel: plain data; the words are the page's.

use serde::{Deserialize, Serialize};

/// What a staff account is, for the page to put into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffRole {
    Province,
    Site,
}

/// A site the account acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSite {
    pub code: String,
    pub name: String,
}

/// The console's first page: who is signed in and the sites they act for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHome {
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    pub province: String,
    pub sites: Vec<StaffSite>,
    /// `None` while the province has no session.
    pub dashboard: Option<Dashboard>,
}

/// 报名情况: the open session's figures for each site the account sees.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub session: String,
    /// Registrations that have not chosen a site yet (the province only).
    pub unsited: Option<i64>,
    pub sites: Vec<SiteFigures>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteFigures {
    pub code: String,
    pub name: String,
    /// Registrations that chose this site.
    pub registrations: i64,
    /// Subjects chosen (enrolments) and of those paid.
    pub chosen: i64,
    pub paid: i64,
    /// Money of payments applied, in fen.
    pub received_fen: i64,
    /// Payments received that are owed back.
    pub refund_due: i64,
    pub seats: Vec<SeatsLeft>,
}

/// One offered subject's seats: the capacity less the enrolments holding one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatsLeft {
    pub level: u8,
    pub code: String,
    pub name: String,
    pub capacity: i32,
    pub chosen: i64,
    pub paid: i64,
    pub left: i64,
}

/// The second-factor page; `enrol` at the first sign-in, while no code has been given yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorPage {
    pub email: String,
    pub enrol: Option<Enrolment>,
}

/// What an authenticator app needs: the secret as a QR code and as text to type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Base32, in groups of four for reading.
    pub secret: String,
    /// The `otpauth://` link as an SVG QR code (made on the server, no script).
    pub qr_svg: String,
}

/// The set-password page: whether the link is good, and for which address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPasswordPage {
    pub email: Option<String>,
}

// ---- 配置 ----

use crate::domain::Minute;
use crate::validation::config::{NoticeForm, OfferForm, SessionForm, SiteForm};

/// 考次设置: the session open for registration, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPage {
    /// `(65)新疆维吾尔自治区`
    pub province: String,
    pub form: SessionForm,
}

/// One site in the list of sites.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteRow {
    pub code: String,
    pub name: String,
    /// The registration window in the open session, `None` when the site takes no part.
    pub window: Option<(Minute, Minute)>,
    pub subjects: usize,
}

/// 考点管理: the sites the account acts for; the province may add one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitesPage {
    pub session: String,
    pub sites: Vec<SiteRow>,
    pub may_create: bool,
    /// The province's two-digit code (a new site's code starts with it).
    pub province_code: String,
}

/// A subject offered at a site, with its seats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferRow {
    pub level: u8,
    pub code: String,
    pub name: String,
    pub fee_fen: i64,
    pub capacity: i32,
    /// Seats held by candidates (capacity − remaining).
    pub taken: i32,
    pub remaining: i32,
    /// Candidates who have paid for it.
    pub paid: i64,
}

/// A subject of the national catalogue a site may add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    pub level: u8,
    pub code: String,
    pub name: String,
}

/// One site's configuration in the open session: its settings form, the subjects it
/// offers, and what may still be added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SitePage {
    pub session: String,
    /// `None`: a new site (the province is creating it).
    pub existing: Option<String>,
    pub province_code: String,
    pub form: SiteForm,
    pub offers: Vec<OfferRow>,
    pub addable: Vec<CatalogueEntry>,
}

/// One offered subject (or one to add) with its form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferPage {
    pub site: String,
    pub site_name: String,
    /// The offered subject as it is now; `None` while adding.
    pub current: Option<OfferRow>,
    pub addable: Vec<CatalogueEntry>,
    pub form: OfferForm,
}

/// A notice as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeRow {
    pub site: Option<String>,
    pub title: String,
    pub published: Minute,
    /// Its publish time is still to come: candidates do not see it yet.
    pub scheduled: bool,
}

/// 通告管理: the session's notices the account may see and the form for a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticesPage {
    pub notices: Vec<NoticeRow>,
    /// Where the account may publish: `""` (考试通告, the province only) and site codes.
    pub targets: Vec<(String, String)>,
    pub form: NoticeForm,
}

/// What an entry on the audit trail records (stored by `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditKind {
    SessionUpdated,
    SiteCreated,
    SiteUpdated,
    SubjectAdded,
    SubjectUpdated,
    SubjectRemoved,
    NoticePublished,
    SubjectsChosen,
    SubjectsCancelled,
    PaymentApplied,
    RegistrationDeleted,
    SeatsExpired,
    StaffCreated,
    StaffDisabled,
    StaffEnabled,
    StaffUnlocked,
    StaffLinkSent,
    RefundRecorded,
    OrderQueried,
    ReviewRequested,
    ReviewWithdrawn,
    ReviewApproved,
    ReviewRejected,
    ExportDownloaded,
    RosterImported,
    RoomAdded,
    RoomRemoved,
    BatchAdded,
    BatchRemoved,
    Arranged,
    Rearranged,
    CheckedIn,
    PrintoutDownloaded,
}

impl AuditKind {
    pub const ALL: [AuditKind; 33] = [
        Self::SessionUpdated,
        Self::SiteCreated,
        Self::SiteUpdated,
        Self::SubjectAdded,
        Self::SubjectUpdated,
        Self::SubjectRemoved,
        Self::NoticePublished,
        Self::SubjectsChosen,
        Self::SubjectsCancelled,
        Self::PaymentApplied,
        Self::RegistrationDeleted,
        Self::SeatsExpired,
        Self::StaffCreated,
        Self::StaffDisabled,
        Self::StaffEnabled,
        Self::StaffUnlocked,
        Self::StaffLinkSent,
        Self::RefundRecorded,
        Self::OrderQueried,
        Self::ReviewRequested,
        Self::ReviewWithdrawn,
        Self::ReviewApproved,
        Self::ReviewRejected,
        Self::ExportDownloaded,
        Self::RosterImported,
        Self::RoomAdded,
        Self::RoomRemoved,
        Self::BatchAdded,
        Self::BatchRemoved,
        Self::Arranged,
        Self::Rearranged,
        Self::CheckedIn,
        Self::PrintoutDownloaded,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::SessionUpdated => "session.update",
            Self::SiteCreated => "site.create",
            Self::SiteUpdated => "site.update",
            Self::SubjectAdded => "subject.add",
            Self::SubjectUpdated => "subject.update",
            Self::SubjectRemoved => "subject.remove",
            Self::NoticePublished => "notice.publish",
            Self::SubjectsChosen => "enrolment.choose",
            Self::SubjectsCancelled => "enrolment.cancel",
            Self::PaymentApplied => "payment.apply",
            Self::RegistrationDeleted => "registration.delete",
            Self::SeatsExpired => "enrolment.expire",
            Self::StaffCreated => "staff.create",
            Self::StaffDisabled => "staff.disable",
            Self::StaffEnabled => "staff.enable",
            Self::StaffUnlocked => "staff.unlock",
            Self::StaffLinkSent => "staff.link",
            Self::RefundRecorded => "payment.refund",
            Self::OrderQueried => "payment.query",
            Self::ReviewRequested => "registration.review-request",
            Self::ReviewWithdrawn => "registration.review-withdraw",
            Self::ReviewApproved => "registration.review-approve",
            Self::ReviewRejected => "registration.review-reject",
            Self::ExportDownloaded => "export.registrations",
            Self::RosterImported => "roster.import",
            Self::RoomAdded => "room.add",
            Self::RoomRemoved => "room.remove",
            Self::BatchAdded => "batch.add",
            Self::BatchRemoved => "batch.remove",
            Self::Arranged => "arrangement.run",
            Self::Rearranged => "arrangement.reset",
            Self::CheckedIn => "ticket.check-in",
            Self::PrintoutDownloaded => "printout.download",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditActor {
    Staff,
    Candidate,
    System,
}

/// One entry of the trail. `before`/`after` are the fields that changed, as JSON text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i32,
    pub at: Minute,
    pub actor_kind: AuditActor,
    pub actor: String,
    pub address: Option<String>,
    pub site: Option<String>,
    /// `None` for a kind this build does not know (written by a newer one).
    pub kind: Option<AuditKind>,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The filters of the trail page, as in its query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub kind: String,
    /// Show entries older than this id (the next page).
    #[serde(default)]
    pub before: Option<i32>,
}

/// 操作记录: newest first, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub query: AuditQuery,
    pub rows: Vec<AuditRow>,
    /// The `before` of the next page, when there is one.
    pub older: Option<i32>,
    pub sites: Vec<StaffSite>,
}

/// One console account of the province, as the accounts page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccountRow {
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub sites: Vec<String>,
    /// The password is set (the one-time link was used).
    pub password_set: bool,
    /// The authenticator app is enrolled (a first code was accepted).
    pub enrolled: bool,
    pub locked: bool,
    /// 停用 by the province.
    pub disabled: bool,
    pub id: i32,
    /// The account looking at the list (it cannot disable itself).
    pub is_self: bool,
}

/// 工作人员账号 (the province only): the province's accounts and the form for a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccountsPage {
    pub accounts: Vec<StaffAccountRow>,
    pub sites: Vec<StaffSite>,
    pub form: crate::validation::staff::StaffAccountForm,
}

// ---- 考生查询 ----

pub use crate::validation::export::CandidateQuery;

/// The review filter's choices: (code, words).
pub const REVIEW_FILTERS: [(&str, &str); 4] =
    [("pending", "待审核"), ("approved", "审核通过"), ("rejected", "审核未通过"), ("none", "未申请审核")];

/// The payment filter's choices: (code, words).
pub const PAID_FILTERS: [(&str, &str); 3] =
    [("paid", "有已缴费科目"), ("unpaid", "有未缴费科目"), ("none", "尚未选择科目")];

/// One subject a registration holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldLine {
    pub code: String,
    pub name: String,
    pub paid: bool,
}

/// A registration as the results list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateRow {
    pub registration: i32,
    pub neea_id: String,
    pub name: String,
    /// `6501**********002X`: never the full number in a list.
    pub masked_number: String,
    pub site: Option<String>,
    pub subjects: Vec<HeldLine>,
    pub locked: bool,
}

/// 考生查询: the matching registrations of the session, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidatesPage {
    pub query: CandidateQuery,
    pub rows: Vec<CandidateRow>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub sites: Vec<StaffSite>,
    pub subjects: Vec<CatalogueEntry>,
}

/// An order of the registration, as its page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub order_no: String,
    /// `open`, `paid`, `closed`.
    pub status: String,
    pub amount_fen: i64,
    pub created: Minute,
}

/// One candidate's registration: what it holds, its orders, and its whole history from the
/// audit trail (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidatePage {
    pub row: CandidateRow,
    pub email: String,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
    pub school: Vec<(String, String)>,
    pub orders: Vec<OrderLine>,
    pub history: Vec<AuditRow>,
}

// ---- 缴费管理 ----

/// Money owed back, as the payments desk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRow {
    pub payment: i32,
    pub order_no: String,
    pub trade_no: String,
    pub amount_fen: i64,
    pub method: String,
    /// Why it is owed back, in words.
    pub reason: String,
    pub received: Minute,
    pub registration: i32,
    pub neea_id: String,
    pub name: String,
    pub site: Option<String>,
    /// Recorded as paid back, when.
    pub refunded: Option<Minute>,
}

/// An order still open at the platform, as the payments desk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRow {
    pub order: i32,
    pub order_no: String,
    pub amount_fen: i64,
    pub created: Minute,
    /// When it was paid or closed.
    pub settled: Option<Minute>,
    /// The platform's trade number and payment method, once paid.
    pub trade_no: Option<String>,
    pub method: Option<String>,
    pub registration: i32,
    pub neea_id: String,
    pub name: String,
    pub site: Option<String>,
}

/// The orders list's filter, as in its query string: `open` (the default), `paid`, `closed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderListQuery {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub page: Option<u32>,
}

/// The order states the list filters by, as the select shows them.
pub const ORDER_FILTERS: [(&str, &str); 3] = [("open", "待支付"), ("paid", "已支付"), ("closed", "已关闭")];

/// Orders on one page of the list.
pub const ORDERS_PER_PAGE: u64 = 50;

/// 缴费管理: what is owed back at the account's sites (still owed, and recorded in the last
/// 30 days), and their orders in one state a page at a time (open ones oldest first, the
/// others newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentsPage {
    pub refunds: Vec<RefundRow>,
    /// The list's state, a code of `ORDER_FILTERS`.
    pub status: String,
    pub orders: Vec<OrderRow>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// 向支付平台查询 one open order, as its button posts it (a hidden field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQueryForm {
    #[serde(default)]
    pub order: String,
}

/// 已退款, as its button posts it (a hidden field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundForm {
    #[serde(default)]
    pub payment: String,
}

// ---- 网上审核 ----

/// Cards on one page of the review queue.
pub const REVIEW_CARDS: u64 = 20;

/// The review queue's filter, as in its query string (a GET form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewQuery {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub subject: String,
    /// After a bulk decision: how many were decided and how many were left as they were.
    #[serde(default)]
    pub done: Option<u32>,
    #[serde(default)]
    pub skipped: Option<u32>,
}

/// A subject a registration under review holds, with when its seat is released unless paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSubject {
    pub line: String,
    pub deadline: Minute,
}

/// One registration waiting for review, as its card shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCard {
    pub registration: i32,
    /// The version the card's decision applies to.
    pub version: i32,
    pub neea_id: String,
    pub name: String,
    pub doc_type: String,
    pub masked_number: String,
    pub site: String,
    /// The site's photo background requirement, in words.
    pub background: String,
    pub requested: Minute,
    /// (label, value) of the personal, contact and school information.
    pub facts: Vec<(String, String)>,
    pub subjects: Vec<ReviewSubject>,
    pub has_photo: bool,
    /// What was measured of the photo, and the background the site asks for.
    pub photo_facts: Option<crate::domain::photo_facts::PhotoFacts>,
    pub wanted: crate::domain::photo::Background,
}

/// A recent decision, as the queue's history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecidedRow {
    pub registration: i32,
    pub neea_id: String,
    pub name: String,
    pub approved: bool,
    pub reasons: Vec<String>,
    pub at: Minute,
}

/// 网上审核: the pending registrations of the account's sites, oldest request first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewPage {
    pub query: ReviewQuery,
    pub cards: Vec<ReviewCard>,
    /// All pending registrations the filter matches (the cards are the first of them).
    pub total: u64,
    /// The moment the page was made (RFC 3339): a bulk decision takes only requests made
    /// by then.
    pub upto: String,
    pub sites: Vec<StaffSite>,
    pub subjects: Vec<CatalogueEntry>,
    /// The sites of the account that review registrations.
    pub reviewing_sites: Vec<String>,
    pub decided: Vec<DecidedRow>,
}

// ---- 导出报名数据 ----

/// The export form: the registrations 考生查询's filter matches, how many, and whether the
/// account may ask for full document numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportPage {
    pub filter: CandidateQuery,
    pub total: u64,
    pub may_export_full_numbers: bool,
    pub sites: Vec<StaffSite>,
    pub subjects: Vec<CatalogueEntry>,
}

// ---- 对账报告 ----

/// One order whose state here and at the payment platform differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileDiff {
    pub order_no: String,
    /// Our state, in words.
    pub ours: String,
    pub amount_fen: i64,
    pub created: Minute,
    /// The difference, in words.
    pub words: String,
}

/// A day's orders compared with the platform.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcilePage {
    /// `2025-01-06`, Beijing.
    pub day: String,
    pub ours_paid: u32,
    pub ours_fen: i64,
    pub platform_paid: u32,
    pub platform_fen: i64,
    pub matched: u32,
    pub unreachable: u32,
    pub differences: Vec<ReconcileDiff>,
}

// ---- 学籍库 ----

/// 学籍库's page, as in its query string: the site shown and the page of its students.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterQuery {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub page: Option<u32>,
}

/// The upload form's values (the file is a part of its own and never shown again).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterUploadForm {
    #[serde(default)]
    pub site: String,
}

/// 导入 or 放弃 on an upload's report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterDecisionForm {
    #[serde(default)]
    pub id: String,
    /// `import` or `discard`.
    #[serde(default)]
    pub action: String,
}

/// A site as 学籍库 lists it: how many students it has, what it requires of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterSite {
    pub code: String,
    pub name: String,
    pub students: u64,
    /// `院系、学号` (an in-school site's required fields), empty when none.
    pub needs: String,
}

/// One student on a roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterEntryRow {
    pub doc_type: String,
    pub masked_number: String,
    pub name: String,
    pub ethnicity: String,
    pub department: String,
    pub major: String,
    pub class_name: String,
    pub student_no: String,
    pub updated: Minute,
}

/// Where an upload stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RosterState {
    /// Checked, waiting for 导入 or 放弃.
    Staged,
    /// Left staged too long: to be uploaded again.
    Expired,
    Imported {
        inserted: i32,
        updated: i32,
        unchanged: i32,
    },
    Discarded,
}

/// One uploaded file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterUploadRow {
    pub id: i32,
    pub site: String,
    pub file_name: String,
    pub at: Minute,
    pub by: String,
    pub rows: i32,
    pub good: i32,
    pub bad: i32,
    pub state: RosterState,
}

/// 学籍库: the account's sites, the chosen one's students a page at a time, its recent
/// uploads, and the upload form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RostersPage {
    pub sites: Vec<RosterSite>,
    /// The site shown (a code of `sites`), empty when the account has none.
    pub site: String,
    pub entries: Vec<RosterEntryRow>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub uploads: Vec<RosterUploadRow>,
}

/// An upload's report: every refused cell, and the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterReportPage {
    pub upload: RosterUploadRow,
    pub site_name: String,
    pub problems: Vec<crate::validation::roster::RowProblem>,
    /// How long a checked file waits for the decision, in hours.
    pub valid_hours: i64,
}
