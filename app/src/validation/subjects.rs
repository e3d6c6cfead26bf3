//! Exam site and subjects (报考科目): the choice checked against the site's offer for the
//! session — offered there, each subject once, no more than the site's maximum (subjects
//! already paid count), and seats shown as available. The final seat claim is an atomic
//! update in the database; this rule only keeps a candidate from choosing what is visibly
//! impossible. Fees are integer fen.

use super::declaration::TruthfulForm;
use super::school::SchoolNeeds;
use super::{Ctx, FieldErrors, FieldSpec};
use crate::domain::message::{Lang, Problem};
use serde::{Deserialize, Serialize};

pub const SITE: FieldSpec =
    FieldSpec {
        name: "site", label: "考点", required: true, max_length: None, input_mode: None, autocomplete: "off"
    };
pub const SUBJECTS: FieldSpec = FieldSpec {
    name: "subjects",
    label: "报考科目",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

/// One subject as a site offers it in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferedSubject {
    pub code: String,
    pub level: u8,
    pub name: String,
    pub fee_fen: i64,
    pub remaining: i32,
}

/// A subject the registration already holds (at this site or, before a site change, at
/// another one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldSubject {
    pub code: String,
    pub name: String,
    pub site_code: String,
    pub paid: bool,
}

/// What a site offers in a session, and what the candidate already holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteOffer {
    pub site_code: String,
    pub max_subjects: u8,
    pub subjects: Vec<OfferedSubject>,
    /// Everything the registration holds now, at any site: a held subject at this site
    /// needs no new seat; one at another site is cancelled by choosing this site.
    pub held: Vec<HeldSubject>,
    /// What an in-school site requires of the school information, and what the
    /// candidate's saved information gives.
    #[serde(default)]
    pub needs: SchoolNeeds,
    #[serde(default)]
    pub given: SchoolNeeds,
}

/// The subject step as posted: the site and the whole set of subjects wanted there (the
/// boxes ticked), plus the declaration. What changes is the difference from what is held.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub subjects: Vec<String>,
    #[serde(default)]
    pub declare: Option<String>,
    /// The holdings version the page showed (a hidden field; not a rule of its own). The
    /// seat desk applies a confirmed choice only to those same holdings, so a page left
    /// open while another tab changed them cannot cancel what it never listed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidChoice {
    pub site_code: String,
    /// Every subject wanted, in the order of the site's table.
    pub subjects: Vec<String>,
    /// Wanted and not held at this site: each needs a seat.
    pub added: Vec<String>,
    /// Held and no longer wanted (or held at another site): each seat goes back.
    pub cancelled: Vec<HeldSubject>,
    /// Fee of the wanted subjects not yet paid, in fen.
    pub unpaid_fee_fen: i64,
}

impl ValidChoice {
    pub fn changes_nothing(&self) -> bool {
        self.added.is_empty() && self.cancelled.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceError {
    SiteMissing,
    SiteUnknown,
    SiteLocked,
    NoneChosen,
    NotOffered {
        code: String,
    },
    Duplicate {
        name: String,
    },
    PaidKept {
        name: String,
    },
    TooMany {
        max: u8,
        chosen: usize,
    },
    /// An in-school site, and the candidate's information lacks what it requires.
    SchoolInfo {
        missing: String,
    },
    Full {
        name: String,
    },
    /// What the registration holds changed after the page was shown (another tab or window,
    /// the 24-hour expiry, a payment starting); server-side only.
    Changed,
}

impl Problem for ChoiceError {
    fn code(&self) -> &'static str {
        match self {
            Self::SiteMissing | Self::NoneChosen => "required",
            Self::SiteUnknown => "unknown",
            Self::SiteLocked => "site_locked",
            Self::NotOffered { .. } => "not_offered",
            Self::Duplicate { .. } => "duplicate",
            Self::PaidKept { .. } => "paid",
            Self::TooMany { .. } => "too_many",
            Self::SchoolInfo { .. } => "school_info",
            Self::Full { .. } => "full",
            Self::Changed => "changed",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::SiteMissing) => "请选择考点".into(),
            (Lang::ZhCn, Self::SiteUnknown) => "所选考点不在本次考试的报名考点中，请重新选择".into(),
            (Lang::ZhCn, Self::SiteLocked) => "您已有科目缴费成功，不能更换考点".into(),
            (Lang::ZhCn, Self::NoneChosen) => "请至少选择一个报考科目".into(),
            (Lang::ZhCn, Self::NotOffered { code }) => format!("科目“{code}”不是本考点本次考试开考的科目"),
            (Lang::ZhCn, Self::Duplicate { name }) => format!("同一科目只能报考一次：{name}"),
            (Lang::ZhCn, Self::PaidKept { name }) => format!("“{name}”已缴费，不能取消"),
            (Lang::ZhCn, Self::TooMany { max, chosen }) => {
                format!("本考点最多可报考{max}科，您共选择了{chosen}科，请减少科目")
            }
            (Lang::ZhCn, Self::SchoolInfo { missing }) => {
                format!("本考点是校内考点，要求填写{missing}。请先在“个人信息采集”中填写，再选择本考点")
            }
            (Lang::ZhCn, Self::Full { name }) => format!("“{name}”已无剩余名额，请选择其他科目"),
            (Lang::ZhCn, Self::Changed) => {
                "您的报考信息刚刚在其他页面或窗口中发生了变化，本次提交未保存。请核对本页显示的信息后重新提交".into()
            }
            (Lang::En, Self::SiteMissing) => "Choose an exam site".into(),
            (Lang::En, Self::SiteUnknown) => "That site does not take registrations for this session".into(),
            (Lang::En, Self::SiteLocked) => "A subject is paid: the site cannot change".into(),
            (Lang::En, Self::NoneChosen) => "Choose at least one subject".into(),
            (Lang::En, Self::NotOffered { code }) => format!("Subject “{code}” is not offered at this site"),
            (Lang::En, Self::Duplicate { name }) => format!("Each subject only once: {name}"),
            (Lang::En, Self::PaidKept { name }) => format!("“{name}” is paid and cannot be cancelled"),
            (Lang::En, Self::TooMany { max, chosen }) => {
                format!("At most {max} subjects at this site; you chose {chosen}")
            }
            (Lang::En, Self::SchoolInfo { missing }) => {
                format!("An in-school site: fill in {missing} in your information first")
            }
            (Lang::En, Self::Full { name }) => format!("“{name}” has no seats left"),
            (Lang::En, Self::Changed) => {
                "Your subjects changed in another tab or window meanwhile; nothing was saved. Check this page and submit again".into()
            }
        }
    }
}

impl SubjectForm {
    pub fn parse(&self, ctx: &Ctx, offer: &SiteOffer) -> Result<ValidChoice, FieldErrors> {
        let mut errors = FieldErrors::new();
        let lang = ctx.lang;
        let site = self.site.trim();
        if site.is_empty() {
            errors.add(SITE.name, &ChoiceError::SiteMissing, lang);
        } else if site != offer.site_code {
            errors.add(SITE.name, &ChoiceError::SiteUnknown, lang);
        } else if offer.held.iter().any(|h| h.paid && h.site_code != site) {
            errors.add(SITE.name, &ChoiceError::SiteLocked, lang);
        } else if !offer.needs.missing(offer.given).is_empty() {
            let missing = offer.needs.missing(offer.given).join("、");
            errors.add(SITE.name, &ChoiceError::SchoolInfo { missing }, lang);
        }
        let site_ok = errors.is_empty();
        let mut chosen: Vec<&OfferedSubject> = Vec::new();
        for code in self.subjects.iter().map(|c| c.trim()) {
            match offer.subjects.iter().find(|s| s.code == code) {
                // Without a valid site, "not offered here" would only confuse.
                None if !site_ok => {}
                None => {
                    errors.add(SUBJECTS.name, &ChoiceError::NotOffered { code: code.chars().take(20).collect() }, lang)
                }
                Some(s) if chosen.iter().any(|c| c.code == s.code) => {
                    errors.add(SUBJECTS.name, &ChoiceError::Duplicate { name: s.name.clone() }, lang)
                }
                Some(s) => chosen.push(s),
            }
        }
        if self.subjects.is_empty() {
            errors.add(SUBJECTS.name, &ChoiceError::NoneChosen, lang);
        }
        let held_here = |code: &str| offer.held.iter().find(|h| h.site_code == offer.site_code && h.code == code);
        for paid in offer.held.iter().filter(|h| h.paid && h.site_code == offer.site_code) {
            if !chosen.iter().any(|c| c.code == paid.code) {
                errors.add(SUBJECTS.name, &ChoiceError::PaidKept { name: paid.name.clone() }, lang);
            }
        }
        if chosen.len() > usize::from(offer.max_subjects) {
            errors.add(SUBJECTS.name, &ChoiceError::TooMany { max: offer.max_subjects, chosen: chosen.len() }, lang);
        }
        if let Some(full) = chosen.iter().find(|s| s.remaining <= 0 && held_here(&s.code).is_none()) {
            errors.add(SUBJECTS.name, &ChoiceError::Full { name: full.name.clone() }, lang);
        }
        TruthfulForm { declare: self.declare.clone() }.parse(ctx).map_err(|e| errors.extend(e)).ok();
        let mut subjects: Vec<&OfferedSubject> = chosen;
        subjects.sort_by_key(|s| offer.subjects.iter().position(|o| o.code == s.code));
        errors.into_result(|| ValidChoice {
            site_code: offer.site_code.clone(),
            unpaid_fee_fen: subjects
                .iter()
                .filter(|s| !held_here(&s.code).is_some_and(|h| h.paid))
                .map(|s| s.fee_fen)
                .sum(),
            added: subjects.iter().filter(|s| held_here(&s.code).is_none()).map(|s| s.code.clone()).collect(),
            cancelled: offer
                .held
                .iter()
                .filter(|h| h.site_code != offer.site_code || !subjects.iter().any(|s| s.code == h.code))
                .cloned()
                .collect(),
            subjects: subjects.iter().map(|s| s.code.clone()).collect(),
        })
    }
}

/// A choice refused when it is applied (a subject full meanwhile, holdings changed since it
/// was confirmed), as the subjects field's error.
pub fn choice_error(problem: ChoiceError, lang: Lang) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(SUBJECTS.name, &problem, lang);
    errors
}

/// `¥80.00` from 8000 fen.
pub fn yuan(fen: i64) -> String {
    format!("¥{}.{:02}", fen / 100, (fen % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    fn offer(max: u8) -> SiteOffer {
        let s = |code: &str, name: &str, fee: i64, remaining: i32| OfferedSubject {
            code: code.into(),
            level: 2,
            name: name.into(),
            fee_fen: fee,
            remaining,
        };
        SiteOffer {
            site_code: "659028".into(),
            max_subjects: max,
            subjects: vec![
                s("65", "MS Office高级应用与设计", 8000, 10),
                s("66", "Python语言程序设计", 8000, 0),
                s("41", "网络工程师", 10000, 5),
            ],
            held: vec![],
            needs: SchoolNeeds::NONE,
            given: SchoolNeeds::NONE,
        }
    }

    #[test]
    fn an_in_school_site_needs_the_school_information_first() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let form =
            SubjectForm { site: "659028".into(), subjects: vec!["65".into()], declare: Some("yes".into()), seen: None };
        let needs = SchoolNeeds { department: true, student_no: true };
        let given = SchoolNeeds { department: true, student_no: false };
        let e = form.parse(&ctx, &SiteOffer { needs, given, ..offer(2) }).unwrap_err();
        assert_eq!(codes(e.clone()), ["site.school_info"]);
        assert!(e.get("site").unwrap().message.contains("要求填写学号"));
        assert!(form.parse(&ctx, &SiteOffer { needs, given: needs, ..offer(2) }).is_ok());
    }

    fn codes(e: FieldErrors) -> Vec<String> {
        e.iter().map(|e| e.code.clone()).collect()
    }

    fn held(code: &str, site: &str, paid: bool) -> HeldSubject {
        HeldSubject { code: code.into(), name: format!("科目{code}"), site_code: site.into(), paid }
    }

    fn f(site: &str, subjects: &[&str]) -> SubjectForm {
        SubjectForm {
            site: site.into(),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
            declare: Some("yes".into()),
            seen: None,
        }
    }

    #[test]
    fn a_valid_choice_totals_in_fen() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let v = f("659028", &["41", "65"]).parse(&ctx, &offer(2)).unwrap();
        assert_eq!(v.subjects, ["65", "41"]);
        assert_eq!(v.added, ["65", "41"]);
        assert!(v.cancelled.is_empty());
        assert_eq!(v.unpaid_fee_fen, 18000);
        assert_eq!(yuan(v.unpaid_fee_fen), "¥180.00");
    }

    #[test]
    fn refusals() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let none = SubjectForm::default();
        assert_eq!(
            codes(none.parse(&ctx, &offer(1)).unwrap_err()),
            ["site.required", "subjects.required", "declare.not_declared"]
        );
        assert_eq!(codes(f("650001", &["65"]).parse(&ctx, &offer(1)).unwrap_err()), ["site.unknown"]);
        assert_eq!(codes(f("659028", &["99"]).parse(&ctx, &offer(1)).unwrap_err()), ["subjects.not_offered"]);
        assert_eq!(codes(f("659028", &["65", "65"]).parse(&ctx, &offer(2)).unwrap_err()), ["subjects.duplicate"]);
        assert_eq!(codes(f("659028", &["65", "41"]).parse(&ctx, &offer(1)).unwrap_err()), ["subjects.too_many"]);
        let e = f("659028", &["66"]).parse(&ctx, &offer(1)).unwrap_err();
        assert_eq!(e.iter().next().unwrap().message, "“Python语言程序设计”已无剩余名额，请选择其他科目");
    }

    #[test]
    fn the_difference_from_what_is_held() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let mut o = offer(2);
        // A full subject already held keeps its seat.
        o.held = vec![held("66", "659028", false), held("65", "659028", false)];
        let v = f("659028", &["66", "41"]).parse(&ctx, &o).unwrap();
        assert_eq!(v.added, ["41"]);
        assert_eq!(v.cancelled, [held("65", "659028", false)]);
        assert!(f("659028", &["65", "66"]).parse(&ctx, &o).unwrap().changes_nothing());
        // A paid subject cannot be dropped; the maximum counts it.
        o.held = vec![held("65", "659028", true)];
        assert_eq!(codes(f("659028", &["41"]).parse(&ctx, &o).unwrap_err()), ["subjects.paid"]);
        let v = f("659028", &["65", "41"]).parse(&ctx, &o).unwrap();
        assert_eq!((v.added.clone(), v.unpaid_fee_fen), (vec!["41".to_string()], 10000));
        // Moving site cancels what is held elsewhere, unless something is paid there.
        o.held = vec![held("15", "650101", false)];
        assert_eq!(f("659028", &["65"]).parse(&ctx, &o).unwrap().cancelled, [held("15", "650101", false)]);
        o.held = vec![held("15", "650101", true)];
        assert_eq!(codes(f("659028", &["65"]).parse(&ctx, &o).unwrap_err()), ["site.site_locked"]);
    }
}
