//! Every path of the site, defined once: the route table (`Page`), form actions and links in
//! the pages, redirects, and the server's own routes all name these constants. A path
//! literal anywhere else in the site's sources fails `tests::no_path_literal_elsewhere`
//! (the one exception, `#[server(prefix = "/api")]`, is an attribute that takes a literal).
//!
//! Compiled into the browser too (the islands post to these paths), so nothing here is
//! server-only.

use leptos_router::{PartialPathMatch, PathSegment, PossibleRouteMatch, StaticSegment};

// The candidate's registration, step by step (REGISTRATION.md screens 3–9).
pub const HOME: &str = "/";
pub const AGREEMENT: &str = "/register/agreement";
pub const INFO: &str = "/register/info";
pub const SUBJECTS: &str = "/register/subjects";
pub const PHOTO: &str = "/register/photo";
/// The signed-in candidate's own stored photo (there is no URL naming a photo's key).
pub const PHOTO_IMAGE: &str = "/register/photo/image";
pub const STATUS: &str = "/register/status";
/// The candidate's admission tickets as PDF (`?subject=65` for one subject's page).
pub const TICKET_PDF: &str = "/register/ticket.pdf";
pub const PAY: &str = "/register/pay";
/// The payment's result; a post asks the platform again.
pub const PAYMENT_RESULT: &str = "/register/payment";
pub const DELETE: &str = "/register/delete";
/// 申请审核, and taking the request back (at a site that reviews registrations).
pub const REVIEW: &str = "/register/review";
pub const REVIEW_WITHDRAW: &str = "/register/review/withdraw";

// The pass (通行证): the candidate's account.
pub const PASS: &str = "/pass";
pub const SIGN_UP: &str = "/pass/sign-up";
pub const SIGN_IN: &str = "/pass/sign-in";
pub const SIGN_OUT: &str = "/pass/sign-out";
pub const VERIFY: &str = "/pass/verify";
pub const RESEND: &str = "/pass/verify/resend";
pub const RESET: &str = "/pass/reset";
pub const NEW_PASSWORD: &str = "/pass/reset/new";

// The staff console (考点老师 and the provincial office): its own sign-in and session
// cookie, sent only under this prefix.
pub const STAFF: &str = "/staff";
pub const STAFF_SIGN_IN: &str = "/staff/sign-in";
/// The second factor (a TOTP code), and its enrolment at the first sign-in.
pub const STAFF_SECOND_FACTOR: &str = "/staff/second-factor";
/// The one-time link a new account sets its password with.
pub const STAFF_SET_PASSWORD: &str = "/staff/set-password";
pub const STAFF_SIGN_OUT: &str = "/staff/sign-out";
/// The console's server functions (`#[server(prefix = "/staff/api")]` spells it too): under
/// `/staff`, where its cookie is sent.
pub const STAFF_API: &str = "/staff/api";
pub const STAFF_SESSION: &str = "/staff/session";
pub const STAFF_SITES: &str = "/staff/sites";
/// One site: `?code=650101`; without a code the province creates one.
pub const STAFF_SITE: &str = "/staff/site";
pub const STAFF_SITE_NEW: &str = "/staff/site/new";
/// One offered subject: `?site=650101&subject=24`; without `subject`, one to add.
pub const STAFF_OFFER: &str = "/staff/offer";
pub const STAFF_OFFER_REMOVE: &str = "/staff/offer/remove";
pub const STAFF_NOTICES: &str = "/staff/notices";
pub const STAFF_AUDIT: &str = "/staff/audit";
pub const STAFF_CANDIDATES: &str = "/staff/candidates";
pub const STAFF_CANDIDATE: &str = "/staff/candidate";
pub const STAFF_PAYMENTS: &str = "/staff/payments";
pub const STAFF_REFUND: &str = "/staff/payments/refunded";
pub const STAFF_ORDER_QUERY: &str = "/staff/payments/query";
/// 对账报告 of one day (`?day=2025-01-06`).
pub const STAFF_RECONCILE: &str = "/staff/payments/report";
/// 网上审核: the queue (`?site=&subject=`), one decision, a decision for the filtered set,
/// and a registration's photo as staff see it (`?id=`).
pub const STAFF_REVIEW: &str = "/staff/review";
pub const STAFF_REVIEW_DECIDE: &str = "/staff/review/decide";
pub const STAFF_REVIEW_BULK: &str = "/staff/review/bulk";
pub const STAFF_PHOTO: &str = "/staff/photo";
/// 导出报名数据: the form (the 考生查询 filter in its query), and the file itself.
pub const STAFF_EXPORT: &str = "/staff/export";
pub const STAFF_EXPORT_DOWNLOAD: &str = "/staff/export/download";
/// 学籍库: a site's students (`?site=&page=`; a file posted here is checked and staged), an
/// upload's report and decision (`?id=`), and the file template.
pub const STAFF_ROSTERS: &str = "/staff/rosters";
pub const STAFF_ROSTER_REPORT: &str = "/staff/rosters/report";
pub const STAFF_ROSTER_TEMPLATE: &str = "/staff/rosters/template.csv";
/// 考场编排 of one site (`?site=`): its rooms, its batches, and the arrangement.
pub const STAFF_ROOMS: &str = "/staff/rooms";
pub const STAFF_ROOM_REMOVE: &str = "/staff/rooms/remove";
pub const STAFF_BATCHES: &str = "/staff/batches";
pub const STAFF_BATCH_REMOVE: &str = "/staff/batches/remove";
pub const STAFF_ARRANGE: &str = "/staff/arrange";
/// 检录 at a site's door (`?site=`, and `&ticket=` once looked up).
pub const STAFF_DOOR: &str = "/staff/door";
/// A site's printouts as PDF: `?site=&kind=sign-in|door|labels|all[&room=0102]`.
pub const STAFF_PRINTOUT: &str = "/staff/printout.pdf";
/// The province's console accounts, and a new one (the province only).
pub const STAFF_ACCOUNTS: &str = "/staff/accounts";
pub const STAFF_ACCOUNT_ACTION: &str = "/staff/accounts/action";
/// A site's candidate pages as its candidates see them (`?site=650101`); their forms post
/// to the two below, which check and store nothing.
pub const STAFF_PREVIEW: &str = "/staff/preview";
pub const STAFF_PREVIEW_INFO: &str = "/staff/preview/info";
pub const STAFF_PREVIEW_SUBJECTS: &str = "/staff/preview/subjects";

/// Whether the page at `path` may be shown in a frame of our own pages: only the staff
/// preview (and the answers to its form posts), beside a site's settings.
pub fn is_framable(path: &str) -> bool {
    [STAFF_PREVIEW, STAFF_PREVIEW_INFO, STAFF_PREVIEW_SUBJECTS].contains(&path)
}

// What the payment platform calls back and sends the browser back to.
pub const PAY_NOTIFY: &str = "/pay/notify";
pub const PAY_RETURN: &str = "/pay/return";

/// Where every server function lives (`#[server(prefix = "/api")]` spells it too).
pub const API: &str = "/api";
/// The photo upload with JavaScript on (the bytes as the body, with progress).
pub const API_PHOTO: &str = "/api/photo";

// Static files, as built (served under content-hashed names: `server::assets`).
/// The directory of the built CSS, JS and WebAssembly.
pub const PKG: &str = "/pkg";
pub const STYLESHEET: &str = "/pkg/ncre.css";
/// The all-islands bundle, for a page whose own bundle was not built (`cargo leptos watch`).
pub const FALLBACK_JS: &str = "/pkg/ncre.js";
pub const FALLBACK_WASM: &str = "/pkg/ncre.wasm";
pub const FAVICON: &str = "/favicon.svg";
/// The loader that picks the page's bundle and hydrates its islands.
pub const CLIENT_JS: &str = "/client.js";

/// What a finished action says on the page it leads to: `?notice=<code>`. Only these codes
/// are shown (`components::layout::NoticeBanner` puts them into words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    SignUpSent,
    Verified,
    VerifySent,
    ResetSent,
    PasswordReset,
    SignedOut,
    PassSaved,
    RegistrationDeleted,
    PhotoSaved,
    SignInRequired,
    StaffSignInRequired,
    StaffSignedOut,
    StaffPasswordSet,
    StaffSaved,
    StaffRemoved,
    PreviewPassed,
    StaffAccountCreated,
    StaffDisabled,
    StaffEnabled,
    StaffUnlocked,
    StaffLinkSent,
    RefundRecorded,
    OrderPaid,
    OrderClosed,
    OrderPending,
    ReviewRequested,
    ReviewWithdrawn,
    ReviewApproved,
    ReviewRejected,
    RosterImported,
    RosterDiscarded,
    Arranged,
    CheckedIn,
    CheckedInAgain,
}

impl Notice {
    pub const ALL: [Notice; 34] = [
        Notice::SignUpSent,
        Notice::Verified,
        Notice::VerifySent,
        Notice::ResetSent,
        Notice::PasswordReset,
        Notice::SignedOut,
        Notice::PassSaved,
        Notice::RegistrationDeleted,
        Notice::PhotoSaved,
        Notice::SignInRequired,
        Notice::StaffSignInRequired,
        Notice::StaffSignedOut,
        Notice::StaffPasswordSet,
        Notice::StaffSaved,
        Notice::StaffRemoved,
        Notice::PreviewPassed,
        Notice::StaffAccountCreated,
        Notice::StaffDisabled,
        Notice::StaffEnabled,
        Notice::StaffUnlocked,
        Notice::StaffLinkSent,
        Notice::RefundRecorded,
        Notice::OrderPaid,
        Notice::OrderClosed,
        Notice::OrderPending,
        Notice::ReviewRequested,
        Notice::ReviewWithdrawn,
        Notice::ReviewApproved,
        Notice::ReviewRejected,
        Notice::RosterImported,
        Notice::RosterDiscarded,
        Notice::Arranged,
        Notice::CheckedIn,
        Notice::CheckedInAgain,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Notice::SignUpSent => "sign-up-sent",
            Notice::Verified => "verified",
            Notice::VerifySent => "verify-sent",
            Notice::ResetSent => "reset-sent",
            Notice::PasswordReset => "password-reset",
            Notice::SignedOut => "signed-out",
            Notice::PassSaved => "pass-saved",
            Notice::RegistrationDeleted => "registration-deleted",
            Notice::PhotoSaved => "photo-saved",
            Notice::SignInRequired => "sign-in-required",
            Notice::StaffSignInRequired => "staff-sign-in-required",
            Notice::StaffSignedOut => "staff-signed-out",
            Notice::StaffPasswordSet => "staff-password-set",
            Notice::StaffSaved => "saved",
            Notice::StaffRemoved => "removed",
            Notice::PreviewPassed => "preview-passed",
            Notice::StaffAccountCreated => "account-created",
            Notice::StaffDisabled => "account-disabled",
            Notice::StaffEnabled => "account-enabled",
            Notice::StaffUnlocked => "account-unlocked",
            Notice::StaffLinkSent => "account-link-sent",
            Notice::RefundRecorded => "refund-recorded",
            Notice::OrderPaid => "order-paid",
            Notice::OrderClosed => "order-closed",
            Notice::OrderPending => "order-pending",
            Notice::ReviewRequested => "review-requested",
            Notice::ReviewWithdrawn => "review-withdrawn",
            Notice::ReviewApproved => "review-approved",
            Notice::ReviewRejected => "review-rejected",
            Notice::RosterImported => "roster-imported",
            Notice::RosterDiscarded => "roster-discarded",
            Notice::Arranged => "arranged",
            Notice::CheckedIn => "checked-in",
            Notice::CheckedInAgain => "checked-in-again",
        }
    }

    pub fn from_code(code: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.code() == code)
    }
}

/// `path` with `?notice=<code>`.
pub fn with_notice(path: &str, notice: Notice) -> String {
    let join = if path.contains('?') { '&' } else { '?' };
    format!("{path}{join}notice={}", notice.code())
}

/// A page's whole path as a route of the route table: matches exactly the segments of
/// `self.0`, one after the other, the way a tuple of `StaticSegment`s does (so
/// `Page(urls::INFO)` is `(StaticSegment("register"), StaticSegment("info"))`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page(pub &'static str);

impl Page {
    fn segments(self) -> impl Iterator<Item = &'static str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }
}

impl PossibleRouteMatch for Page {
    fn optional(&self) -> bool {
        false
    }

    fn test<'a>(&self, path: &'a str) -> Option<PartialPathMatch<'a>> {
        if self.segments().next().is_none() {
            return StaticSegment("").test(path);
        }
        let (mut rest, mut matched) = (path, 0);
        for segment in self.segments() {
            let m = StaticSegment(segment).test(rest)?;
            matched += m.matched().len();
            rest = m.remaining();
        }
        Some(PartialPathMatch::new(rest, Vec::new(), &path[..matched]))
    }

    fn generate_path(&self, path: &mut Vec<PathSegment>) {
        if self.segments().next().is_none() {
            StaticSegment("").generate_path(path);
        }
        for segment in self.segments() {
            StaticSegment(segment).generate_path(path);
        }
    }
}

/// `path?site=…`: a page about one site (the preview's).
pub fn with_site(path: &str, site: &str) -> String {
    let join = if path.contains('?') { '&' } else { '?' };
    format!("{path}{join}site={}", percent_encode(site))
}

/// `path` with the query of `pairs` (values percent-encoded), leaving out the empty ones:
/// the links of a filtered page.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> =
        pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", percent_encode(v))).collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// `s` percent-encoded (its UTF-8 bytes) for a URL's query or label: all but the unreserved
/// characters (RFC 3986) and `@`, which may stand as it is in both.
pub fn percent_encode(s: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(page: Page, path: &str) -> Option<(String, String)> {
        page.test(path).map(|m| (m.matched().to_owned(), m.remaining().to_owned()))
    }

    fn generated(route: &impl PossibleRouteMatch) -> Vec<PathSegment> {
        let mut out = Vec::new();
        route.generate_path(&mut out);
        out
    }

    #[test]
    fn a_page_matches_as_its_static_segments_do() {
        let tuple = (StaticSegment("register"), StaticSegment("info"));
        for path in ["/register/info", "/register/info/", "/register/infos", "/register", "/registerinfo", "/", ""] {
            assert_eq!(
                matches(Page(INFO), path),
                tuple.test(path).map(|m| (m.matched().to_owned(), m.remaining().to_owned())),
                "{path}"
            );
        }
        assert_eq!(matches(Page(INFO), "/register/info"), Some(("/register/info".into(), String::new())));
        assert_eq!(matches(Page(INFO), "/register/subjects"), None);
        assert_eq!(
            generated(&Page(NEW_PASSWORD)),
            generated(&(StaticSegment("pass"), StaticSegment("reset"), StaticSegment("new")))
        );
    }

    #[test]
    fn home_matches_as_the_empty_segment_does() {
        for path in ["/", "", "/pass"] {
            assert_eq!(
                matches(Page(HOME), path),
                StaticSegment("").test(path).map(|m| (m.matched().to_owned(), m.remaining().to_owned())),
                "{path}"
            );
        }
        assert_eq!(generated(&Page(HOME)), generated(&StaticSegment("")));
    }

    #[test]
    fn every_notice_code_reads_back() {
        for notice in Notice::ALL {
            assert_eq!(Notice::from_code(notice.code()), Some(notice));
        }
        assert_eq!(Notice::from_code("nonsense"), None);
        assert_eq!(with_notice(SIGN_IN, Notice::Verified), "/pass/sign-in?notice=verified");
    }
}
