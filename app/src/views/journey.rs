//! The registration journey after the agreement: 个人信息采集, 报考科目采集 (with its
//! confirmation), 照片信息采集 and 报名信息. The views here are shared: the browser builds
//! the confirmation from the same data and the same function as the no-JS page.

use super::home::PassBrief;
use super::{AppError, WindowState};
use crate::domain::photo::{Background, PhotoSpec};
use crate::domain::DocumentType;
use crate::urls;
use crate::validation::config::{OfferForm, SiteForm};
use crate::validation::info::InfoForm;
use crate::validation::personal::DocFacts;
use crate::validation::school::SchoolNeeds;
use crate::validation::subjects::{yuan, HeldSubject, OfferedSubject, SiteOffer, SubjectForm, ValidChoice};
use crate::validation::Ctx;
use serde::{Deserialize, Serialize};

/// Where a candidate step's form goes: the candidate's own step, or a staff preview of one
/// site, which checks with the same rules and stores nothing. A preview may show settings
/// typed but not saved yet (`draft`), and then judges its submissions by them too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum FormTarget {
    #[default]
    Candidate,
    Preview {
        site: String,
        #[serde(default)]
        draft: Option<Box<PreviewDraft>>,
    },
}

impl FormTarget {
    pub fn is_preview(&self) -> bool {
        matches!(self, Self::Preview { .. })
    }

    /// Where the information form posts.
    pub fn info_action(&self) -> String {
        match self {
            Self::Candidate => urls::INFO.into(),
            Self::Preview { site, draft } => preview_url(urls::STAFF_PREVIEW_INFO, site, draft.as_deref()),
        }
    }

    /// Where the subject form (and its no-JS confirmation) posts.
    pub fn subjects_action(&self) -> String {
        match self {
            Self::Candidate => urls::SUBJECTS.into(),
            Self::Preview { site, draft } => preview_url(urls::STAFF_PREVIEW_SUBJECTS, site, draft.as_deref()),
        }
    }

    /// The page the no-JS site chooser asks again (`?site=` is its own field).
    pub fn subjects_page(&self) -> &'static str {
        match self {
            Self::Candidate => urls::SUBJECTS,
            Self::Preview { .. } => urls::STAFF_PREVIEW,
        }
    }
}

/// Settings typed on a console page and not saved, which a preview shows in place of the
/// saved ones; never stored. The server judges a draft by the settings' own rules and
/// shows the saved settings instead when it does not pass them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreviewDraft {
    /// The site's settings form (its `code` is the previewed site's).
    Site(SiteForm),
    /// One subject's fee and capacity at the site (its `site` is the previewed site).
    Offer(OfferForm),
}

const TICKED: &str = "on";

impl PreviewDraft {
    /// The draft as query parameters (`draft=site&name=…`), to follow `?site=…`.
    pub fn query(&self) -> String {
        let tick = |t: &Option<String>| t.as_ref().map(|_| TICKED).unwrap_or_default();
        let pairs: Vec<(&str, &str)> = match self {
            Self::Site(f) => vec![
                ("draft", "site"),
                ("name", &f.name),
                ("opens", &f.opens),
                ("closes", &f.closes),
                ("max_subjects", &f.max_subjects),
                ("background", &f.background),
                ("self_print", tick(&f.self_print)),
                ("needs_department", tick(&f.needs_department)),
                ("needs_student_no", tick(&f.needs_student_no)),
                ("needs_review", tick(&f.needs_review)),
            ],
            Self::Offer(f) => {
                vec![("draft", "offer"), ("subject", &f.subject), ("fee", &f.fee), ("capacity", &f.capacity)]
            }
        };
        pairs
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urls::percent_encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The draft a preview URL of `site` carries (`get` reads its query), if any.
    pub fn from_query(site: &str, get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let text = |k: &str| get(k).unwrap_or_default();
        let tick = |k: &str| get(k).filter(|v| !v.is_empty());
        match get("draft").as_deref() {
            Some("site") => Some(Self::Site(SiteForm {
                code: site.to_owned(),
                name: text("name"),
                opens: text("opens"),
                closes: text("closes"),
                max_subjects: text("max_subjects"),
                self_print: tick("self_print"),
                background: text("background"),
                needs_department: tick("needs_department"),
                needs_student_no: tick("needs_student_no"),
                needs_review: tick("needs_review"),
            })),
            Some("offer") => Some(Self::Offer(OfferForm {
                site: site.to_owned(),
                subject: text("subject"),
                fee: text("fee"),
                capacity: text("capacity"),
            })),
            _ => None,
        }
    }
}

/// Which candidate step a preview page shows: one at a time, so the page loads that step's
/// own bundle (the candidates' `info` or `subjects`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreviewStep {
    Info,
    /// The site's window, maximum, requirements and subjects: what most settings change.
    #[default]
    Subjects,
}

impl PreviewStep {
    pub const ALL: [PreviewStep; 2] = [Self::Info, Self::Subjects];

    pub fn code(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Subjects => "subjects",
        }
    }

    /// `?step=`; anything else is the default.
    pub fn from_code(code: Option<&str>) -> Self {
        Self::ALL.into_iter().find(|s| Some(s.code()) == code).unwrap_or_default()
    }
}

/// The preview page of `site` at `step`, with `draft`.
pub fn preview_page(site: &str, step: PreviewStep, draft: Option<&PreviewDraft>) -> String {
    preview_url(&format!("{}?step={}", urls::STAFF_PREVIEW, step.code()), site, draft)
}

/// A preview URL (`path` is the page or one of its form posts) of `site`, with `draft`.
pub fn preview_url(path: &str, site: &str, draft: Option<&PreviewDraft>) -> String {
    let base = urls::with_site(path, site);
    match draft {
        Some(d) => format!("{base}&{}", d.query()),
        None => base,
    }
}

/// 个人信息采集: the identity from the pass (read-only), what the document says, and the
/// saved (or pre-filled) values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoPage {
    pub ctx: Ctx,
    pub identity: PassBrief,
    pub facts: DocFacts,
    pub saved: InfoForm,
    /// Read-only: locked (rule 4) or outside the window (rule 9); the page says which.
    pub read_only: Option<AppError>,
    /// What the chosen site (once there is one) requires of the school part.
    pub needs: SchoolNeeds,
    /// The site (`(650101)新疆大学`) whose 学籍库 filled in the school fields, if one did.
    #[serde(default)]
    pub roster: Option<String>,
    #[serde(default)]
    pub target: FormTarget,
}

/// One site of the session as the chooser shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteChoice {
    pub code: String,
    /// `(659028)新疆应用职业技术学院`
    pub label: String,
    /// `2025-01-06 10:00 至 2025-01-10 19:30`
    pub window: String,
    pub window_state: WindowState,
    pub max_subjects: u8,
    pub subjects: Vec<OfferedSubject>,
    /// An in-school site's required school fields.
    pub needs: SchoolNeeds,
    /// The photo background the site asks for.
    pub background: Background,
}

impl SiteChoice {
    /// The rule's view of this site for a candidate holding `held` whose information
    /// gives `given`.
    pub fn offer(&self, held: &[HeldSubject], given: SchoolNeeds) -> SiteOffer {
        SiteOffer {
            site_code: self.code.clone(),
            max_subjects: self.max_subjects,
            subjects: self.subjects.clone(),
            held: held.to_vec(),
            needs: self.needs,
            given,
        }
    }
}

/// The offer the rule judges a posted form against: the chosen site's, or an empty one
/// (site unknown) when the site is not one of the session's.
pub fn offer_for(sites: &[SiteChoice], site: &str, held: &[HeldSubject], given: SchoolNeeds) -> SiteOffer {
    sites.iter().find(|s| s.code == site.trim()).map(|s| s.offer(held, given)).unwrap_or(SiteOffer {
        site_code: String::new(),
        max_subjects: 0,
        subjects: Vec::new(),
        held: held.to_vec(),
        needs: SchoolNeeds::NONE,
        given,
    })
}

/// 报考科目采集.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectsPage {
    pub ctx: Ctx,
    pub identity: PassBrief,
    pub sites: Vec<SiteChoice>,
    pub held: Vec<HeldSubject>,
    /// The form as saved: the registration's site and subjects.
    pub saved: SubjectForm,
    /// Read-only: locked, being paid for, or outside the window.
    pub read_only: Option<AppError>,
    /// What the candidate's saved information gives of what in-school sites require.
    pub given: SchoolNeeds,
    /// The sites (`(650101)新疆大学`) whose 学籍库 lists the candidate: `sites` holds only
    /// those (and one where something is paid already).
    #[serde(default)]
    pub roster: Option<String>,
    #[serde(default)]
    pub target: FormTarget,
}

impl SubjectsPage {
    pub fn site(&self, code: &str) -> Option<&SiteChoice> {
        self.sites.iter().find(|s| s.code == code)
    }
}

/// One subject line of the confirmation and the tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectLine {
    /// `二级`
    pub level: String,
    /// `(65)MS Office高级应用与设计`
    pub subject: String,
    /// `¥80.00`
    pub fee: String,
}

/// The NCRE's four levels; anything else is shown as unknown, never as a real level.
pub fn level_label(level: u8) -> &'static str {
    match level {
        1 => "一级",
        2 => "二级",
        3 => "三级",
        4 => "四级",
        _ => "级别未知",
    }
}

impl SubjectLine {
    /// A subject as every table shows it: its level, `(code)name`, and a fee.
    pub fn new(level: u8, code: &str, name: &str, fee_fen: i64) -> Self {
        Self { level: level_label(level).into(), subject: format!("({code}){name}"), fee: yuan(fee_fen) }
    }

    /// A subject the session no longer offers: only its code (and the fee, if known).
    pub fn unknown(code: &str, fee_fen: Option<i64>) -> Self {
        Self { level: String::new(), subject: code.into(), fee: fee_fen.map(yuan).unwrap_or_default() }
    }

    pub fn of(s: &OfferedSubject) -> Self {
        Self::new(s.level, &s.code, &s.name, s.fee_fen)
    }
}

/// 报考信息确认 (screen 5): what 确定 will save. Built by one function on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub name: String,
    pub doc_type: Option<DocumentType>,
    pub masked_number: String,
    pub site: String,
    pub cancelled: Vec<SubjectLine>,
    pub added: Vec<SubjectLine>,
    pub all: Vec<SubjectLine>,
    /// Fee of the subjects still to pay, `¥80.00`.
    pub to_pay: String,
}

impl Confirmation {
    pub fn build(identity: &PassBrief, sites: &[SiteChoice], choice: &ValidChoice) -> Self {
        let site = sites.iter().find(|s| s.code == choice.site_code);
        let line = |site_code: &str, code: &str, fallback: &str| {
            sites
                .iter()
                .find(|s| s.code == site_code)
                .and_then(|s| s.subjects.iter().find(|x| x.code == code))
                .map(SubjectLine::of)
                .unwrap_or_else(|| SubjectLine::unknown(fallback, None))
        };
        Self {
            name: identity.name.clone(),
            doc_type: identity.doc_type,
            masked_number: identity.masked_number.clone(),
            site: site.map(|s| s.label.clone()).unwrap_or_default(),
            cancelled: choice.cancelled.iter().map(|h| line(&h.site_code, &h.code, &h.name)).collect(),
            added: choice.added.iter().map(|c| line(&choice.site_code, c, c)).collect(),
            all: choice.subjects.iter().map(|c| line(&choice.site_code, c, c)).collect(),
            to_pay: yuan(choice.unpaid_fee_fen),
        }
    }
}

/// 照片信息采集.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoPage {
    pub spec: PhotoSpec,
    /// A photo is saved: the page shows it (from `/register/photo/image`, owner only).
    pub saved: bool,
    /// Changes the cache key of the preview when the photo changes.
    pub version: String,
    pub read_only: Option<AppError>,
    /// What was measured of the saved photo, as advice.
    pub facts: Option<crate::domain::photo_facts::PhotoFacts>,
    /// The background the registration's site asks for.
    pub background: Background,
}

/// The steps of the candidate's chain (screen 7), in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Agreement,
    Identity,
    Personal,
    Subjects,
    Photo,
    Payment,
    Complete,
    Ticket,
    Exam,
    End,
}

impl Step {
    pub fn words(self) -> &'static str {
        match self {
            Step::Agreement => "报名协议",
            Step::Identity => "证件信息采集",
            Step::Personal => "个人信息采集",
            Step::Subjects => "报考科目采集",
            Step::Photo => "照片信息采集",
            Step::Payment => "报考科目缴费",
            Step::Complete => "完成报名",
            Step::Ticket => "打印准考证",
            Step::Exam => "参加考试",
            Step::End => "结束",
        }
    }
}

/// Where a step of the chain stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    Done,
    NotDone,
    /// The admission ticket can be printed now, or not yet.
    Printable,
    NotPrintable,
    NotStarted,
    NotEnded,
}

impl Progress {
    pub fn words(self) -> &'static str {
        match self {
            Progress::Done => "已完成",
            Progress::NotDone => "未完成",
            Progress::Printable => "可打印",
            Progress::NotPrintable => "不可打印",
            Progress::NotStarted => "未开始",
            Progress::NotEnded => "未结束",
        }
    }

    /// Shown as a finished step.
    pub fn done(self) -> bool {
        self == Progress::Done
    }
}

/// One step of the chain on the status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepState {
    pub step: Step,
    pub progress: Progress,
}

/// Whether a held subject is paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SubjectPayment {
    Paid,
    /// In an order open at the platform.
    Paying,
    Unpaid,
}

impl SubjectPayment {
    pub fn words(self) -> &'static str {
        match self {
            SubjectPayment::Paid => "已支付",
            SubjectPayment::Paying => "支付中",
            SubjectPayment::Unpaid => "未支付",
        }
    }
}

/// How a subject was registered (报名方式): online is the only way so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Channel {
    Online,
}

impl Channel {
    pub fn words(self) -> &'static str {
        match self {
            Channel::Online => "网上报名",
        }
    }
}

/// Whether a subject's admission ticket (准考证) can be printed, and if not, why: the
/// gates of REGISTRATION.md screen 10 in the order a candidate can act on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketGate {
    Printable,
    /// Only paid subjects get a ticket.
    NotPaid,
    /// The site hands tickets out itself.
    SiteDoesNotPrint,
    /// The site has not placed the subject in a room yet.
    NotArranged,
    /// Printing opens at this time (Beijing, `2025-03-24 10:00`).
    NotYet {
        from: String,
    },
    /// The province has not set the print start yet.
    NoPrintTime,
}

impl TicketGate {
    pub fn words(&self) -> String {
        match self {
            TicketGate::Printable => "可打印".into(),
            TicketGate::NotPaid => "该科目未缴费，缴费成功并编排考场后才能打印准考证".into(),
            TicketGate::SiteDoesNotPrint => "本考点不提供考生自行打印准考证，请按考点通知领取".into(),
            TicketGate::NotArranged => "考点尚未编排考场，编排后才能打印准考证".into(),
            TicketGate::NotYet { from } => format!("准考证打印开始时间为 {from}（北京时间），届时可以打印"),
            TicketGate::NoPrintTime => "准考证打印时间尚未公布，请留意考试通告".into(),
        }
    }

    /// The gate of one subject: paid first, then the site, the arrangement and the time.
    pub fn of(paid: bool, site_prints: bool, arranged: bool, print_from: Option<(bool, String)>) -> Self {
        match (paid, site_prints, arranged, print_from) {
            (false, ..) => TicketGate::NotPaid,
            (_, false, ..) => TicketGate::SiteDoesNotPrint,
            (_, _, false, _) => TicketGate::NotArranged,
            (.., None) => TicketGate::NoPrintTime,
            (.., Some((false, from))) => TicketGate::NotYet { from },
            (.., Some((true, _))) => TicketGate::Printable,
        }
    }
}

/// One row of the subject table on the status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentRow {
    pub line: SubjectLine,
    /// `65`: what the ticket's download link names.
    pub code: String,
    pub payment: SubjectPayment,
    /// Placed in a room and seat (编排).
    pub arranged: bool,
    pub channel: Channel,
    pub site: String,
    pub room: String,
    /// The 准考证 of this subject.
    pub ticket: TicketGate,
    /// For an unpaid subject not in payment: `2025-01-07 10:00` (Beijing), when it is
    /// released unless paid or in payment by then.
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub title: String,
    pub body: String,
    /// A notice of the site (考点通告) rather than of the session (考试通告).
    pub of_site: bool,
    pub published: String,
}

/// Where the registration's 网上审核 stands, as the candidate reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewStatus {
    /// The site does not review registrations (or something is paid already).
    NotRequired,
    /// The site reviews; not asked for yet.
    NotRequested,
    /// Asked for at this time (Beijing); locked meanwhile.
    Pending {
        since: String,
    },
    Approved {
        at: String,
    },
    /// Sent back: the reasons in words and the staff's note.
    Rejected {
        at: String,
        reasons: Vec<String>,
        note: Option<String>,
    },
}

/// The status page's review section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub status: ReviewStatus,
    /// 申请审核 is possible now.
    pub can_request: bool,
    /// What is still missing before it can be asked for (a photo, a subject), in words.
    pub missing: Vec<String>,
    /// 撤回审核申请 is possible now.
    pub can_withdraw: bool,
}

/// 报名信息 (screen 7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPage {
    pub identity: PassBrief,
    pub neea_id: String,
    pub session_name: String,
    pub site: Option<String>,
    pub window: Option<String>,
    pub steps: Vec<StepState>,
    pub locked: bool,
    pub rows: Vec<EnrolmentRow>,
    pub paid_count: usize,
    pub total_unpaid: String,
    /// Changes are possible now (window open, not locked).
    pub can_change: bool,
    /// Deleting is possible now (window open, not locked, nothing paid).
    pub can_delete: bool,
    /// Why not, when it is not.
    pub view_only_reason: Option<AppError>,
    pub notices: Vec<NoticeView>,
    /// Where the money is, in plain words (`views::payment::money_words`).
    pub money: Vec<String>,
    /// 支付: unpaid subjects, a photo, inside the window.
    pub can_pay: bool,
    /// An order is open at the platform (更新 asks it now).
    pub paying: bool,
    /// 增报: something paid, room under the site's maximum, no order open, window open.
    pub can_add: bool,
    pub review: ReviewView,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A preview URL carries a draft there and back, and its form posts carry it on.
    #[cfg(feature = "ssr")]
    #[test]
    fn a_draft_survives_its_url() {
        let query = |url: &str| -> Vec<(String, String)> {
            let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
            form_urlencoded::parse(q.as_bytes()).into_owned().collect()
        };
        let site = SiteForm {
            code: "650101".into(),
            name: "新疆大学 & 附属".into(),
            opens: "2025-01-05 10:00".into(),
            closes: "2025-04-05 18:00".into(),
            max_subjects: "1".into(),
            self_print: None,
            background: "red".into(),
            needs_department: Some("on".into()),
            needs_student_no: None,
            needs_review: Some("on".into()),
        };
        let offer =
            OfferForm { site: "650101".into(), subject: "24".into(), fee: "80.50".into(), capacity: "9".into() };
        for draft in [PreviewDraft::Site(site), PreviewDraft::Offer(offer)] {
            let url = preview_url(urls::STAFF_PREVIEW, "650101", Some(&draft));
            let pairs = query(&url);
            let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
            assert_eq!(get("site").as_deref(), Some("650101"));
            assert_eq!(PreviewDraft::from_query("650101", get), Some(draft.clone()), "{url}");
            let target = FormTarget::Preview { site: "650101".into(), draft: Some(Box::new(draft.clone())) };
            assert_eq!(target.info_action(), preview_url(urls::STAFF_PREVIEW_INFO, "650101", Some(&draft)));
        }
        assert_eq!(preview_url(urls::STAFF_PREVIEW, "650101", None), "/staff/preview?site=650101");
        assert_eq!(PreviewDraft::from_query("650101", |_| None), None);
    }

    #[test]
    fn a_subject_line_names_only_real_levels() {
        let line = SubjectLine::new(2, "65", "MS Office高级应用与设计", 8000);
        assert_eq!(
            (line.level.as_str(), line.subject.as_str(), line.fee.as_str()),
            ("二级", "(65)MS Office高级应用与设计", "¥80.00")
        );
        assert_eq!(SubjectLine::new(4, "41", "网络工程师", 8000).level, "四级");
        // Corrupt data is shown as unknown, never as a real level.
        for corrupt in [0, 5, 255] {
            assert_eq!(level_label(corrupt), "级别未知");
        }
        let gone = SubjectLine::unknown("99", Some(5));
        assert_eq!((gone.level.as_str(), gone.subject.as_str(), gone.fee.as_str()), ("", "99", "¥0.05"));
        assert_eq!(SubjectLine::unknown("99", None).fee, "");
    }

    #[test]
    fn every_step_and_state_has_words() {
        use Progress::*;
        for p in [Done, NotDone, Printable, NotPrintable, NotStarted, NotEnded] {
            assert!(!p.words().is_empty());
            assert_eq!(p.done(), p == Done);
        }
        assert_eq!(SubjectPayment::Paying.words(), "支付中");
        assert_eq!(Step::Ticket.words(), "打印准考证");
    }

    #[test]
    fn a_ticket_waits_for_payment_the_site_the_arrangement_and_the_time() {
        let at = |open: bool| Some((open, "2025-03-24 10:00".to_owned()));
        assert_eq!(TicketGate::of(false, true, true, at(true)), TicketGate::NotPaid);
        assert_eq!(TicketGate::of(true, false, true, at(true)), TicketGate::SiteDoesNotPrint);
        assert_eq!(TicketGate::of(true, true, false, at(true)), TicketGate::NotArranged);
        assert_eq!(TicketGate::of(true, true, true, None), TicketGate::NoPrintTime);
        let early = TicketGate::of(true, true, true, at(false));
        assert_eq!(early.words(), "准考证打印开始时间为 2025-03-24 10:00（北京时间），届时可以打印");
        assert_eq!(TicketGate::of(true, true, true, at(true)), TicketGate::Printable);
    }
}
