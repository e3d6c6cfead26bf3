//! The registration journey after the agreement: 个人信息采集, 报考科目采集 (with its
//! confirmation), 照片信息采集 and 报名信息. The views here are shared: the browser builds
//! the confirmation from the same data and the same function as the no-JS page.

use super::home::PassBrief;
use super::WindowState;
use crate::domain::photo::PhotoSpec;
use crate::validation::info::InfoForm;
use crate::validation::personal::DocFacts;
use crate::validation::subjects::{yuan, HeldSubject, OfferedSubject, SiteOffer, SubjectForm, ValidChoice};
use crate::validation::Ctx;
use serde::{Deserialize, Serialize};

/// 个人信息采集: the identity from the pass (read-only), what the document says, and the
/// saved (or pre-filled) values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoPage {
    pub ctx: Ctx,
    pub identity: PassBrief,
    pub facts: DocFacts,
    pub saved: InfoForm,
    /// Read-only: locked (rule 4) or outside the window (rule 9); the words say which.
    pub read_only: Option<String>,
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
}

impl SiteChoice {
    /// The rule's view of this site for a candidate holding `held`.
    pub fn offer(&self, held: &[HeldSubject]) -> SiteOffer {
        SiteOffer {
            site_code: self.code.clone(),
            max_subjects: self.max_subjects,
            subjects: self.subjects.clone(),
            held: held.to_vec(),
        }
    }
}

/// The offer the rule judges a posted form against: the chosen site's, or an empty one
/// (site unknown) when the site is not one of the session's.
pub fn offer_for(sites: &[SiteChoice], site: &str, held: &[HeldSubject]) -> SiteOffer {
    sites.iter().find(|s| s.code == site.trim()).map(|s| s.offer(held)).unwrap_or(SiteOffer {
        site_code: String::new(),
        max_subjects: 0,
        subjects: Vec::new(),
        held: held.to_vec(),
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
    pub read_only: Option<String>,
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

pub fn level_label(level: u8) -> &'static str {
    match level {
        1 => "一级",
        2 => "二级",
        3 => "三级",
        _ => "四级",
    }
}

impl SubjectLine {
    pub fn of(s: &OfferedSubject) -> Self {
        Self { level: level_label(s.level).into(), subject: format!("({}){}", s.code, s.name), fee: yuan(s.fee_fen) }
    }
}

/// 报考信息确认 (screen 5): what 确定 will save. Built by one function on both sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    pub name: String,
    pub doc_type_label: String,
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
                .unwrap_or_else(|| SubjectLine { level: String::new(), subject: fallback.into(), fee: String::new() })
        };
        Self {
            name: identity.name.clone(),
            doc_type_label: identity.doc_type_label.clone(),
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
    pub read_only: Option<String>,
}

/// One step of the chain on the status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepState {
    pub name: String,
    /// `已完成`, `未完成`, `不可打印` …
    pub state: String,
    pub done: bool,
}

/// One row of the subject table on the status page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentRow {
    pub line: SubjectLine,
    /// `已支付` / `支付中` / `未支付`
    pub payment: String,
    /// `已编排` / `未编排`
    pub arrangement: String,
    /// `网上报名`
    pub method: String,
    pub site: String,
    pub room: String,
    /// For an unpaid subject not in payment: `2025-01-07 10:00` (Beijing), when it is
    /// released unless paid or in payment by then.
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeView {
    pub title: String,
    pub body: String,
    /// `考试通告` or `考点通告`
    pub kind: String,
    pub published: String,
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
    /// Why not, in words, when it is not.
    pub view_only_reason: Option<String>,
    pub notices: Vec<NoticeView>,
    /// Where the money is, in plain words (`views::payment::money_words`).
    pub money: Vec<String>,
    /// 支付: unpaid subjects, a photo, inside the window.
    pub can_pay: bool,
    /// An order is open at the platform (更新 asks it now).
    pub paying: bool,
    /// 增报: something paid, room under the site's maximum, no order open, window open.
    pub can_add: bool,
}
