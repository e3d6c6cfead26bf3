//! Exam site and subjects (报考科目): the choice checked against the site's offer for the
//! session — offered there, each subject once, no more than the site's maximum (subjects
//! already paid count), and seats shown as available. The final seat claim is an atomic
//! update in the database; this rule only keeps a candidate from choosing what is visibly
//! impossible. Fees are integer fen.

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

/// What a site offers in a session, and what the candidate already holds there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteOffer {
    pub site_code: String,
    pub max_subjects: u8,
    pub subjects: Vec<OfferedSubject>,
    /// Subjects this candidate already holds at the site (paid or chosen before): they
    /// count towards the maximum and need no new seat.
    pub held: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubjectForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub subjects: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidChoice {
    pub site_code: String,
    /// Subject codes in the order of the site's table.
    pub subjects: Vec<String>,
    /// Fee of the chosen subjects, in fen.
    pub total_fee_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ChoiceError {
    SiteMissing,
    SiteUnknown,
    NoneChosen,
    NotOffered { code: String },
    Duplicate { name: String },
    TooMany { max: u8, chosen: usize },
    Full { name: String },
}

impl Problem for ChoiceError {
    fn code(&self) -> &'static str {
        match self {
            Self::SiteMissing | Self::NoneChosen => "required",
            Self::SiteUnknown => "unknown",
            Self::NotOffered { .. } => "not_offered",
            Self::Duplicate { .. } => "duplicate",
            Self::TooMany { .. } => "too_many",
            Self::Full { .. } => "full",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::SiteMissing) => "请选择考点".into(),
            (Lang::ZhCn, Self::SiteUnknown) => "所选考点不在本次考试的报名考点中，请重新选择".into(),
            (Lang::ZhCn, Self::NoneChosen) => "请至少选择一个报考科目".into(),
            (Lang::ZhCn, Self::NotOffered { code }) => format!("科目“{code}”不是本考点本次考试开考的科目"),
            (Lang::ZhCn, Self::Duplicate { name }) => format!("同一科目只能报考一次：{name}"),
            (Lang::ZhCn, Self::TooMany { max, chosen }) => {
                format!("本考点最多可报考{max}科，您共选择了{chosen}科，请减少科目")
            }
            (Lang::ZhCn, Self::Full { name }) => format!("“{name}”已无剩余名额，请选择其他科目"),
            (Lang::En, Self::SiteMissing) => "Choose an exam site".into(),
            (Lang::En, Self::SiteUnknown) => "That site does not take registrations for this session".into(),
            (Lang::En, Self::NoneChosen) => "Choose at least one subject".into(),
            (Lang::En, Self::NotOffered { code }) => format!("Subject “{code}” is not offered at this site"),
            (Lang::En, Self::Duplicate { name }) => format!("Each subject only once: {name}"),
            (Lang::En, Self::TooMany { max, chosen }) => {
                format!("At most {max} subjects at this site; you chose {chosen}")
            }
            (Lang::En, Self::Full { name }) => format!("“{name}” has no seats left"),
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
        }
        let mut chosen: Vec<&OfferedSubject> = Vec::new();
        for code in self.subjects.iter().map(|c| c.trim()) {
            match offer.subjects.iter().find(|s| s.code == code) {
                None => {
                    errors.add(SUBJECTS.name, &ChoiceError::NotOffered { code: code.chars().take(20).collect() }, lang)
                }
                Some(s) if chosen.iter().any(|c| c.code == s.code) || offer.held.contains(&s.code) => {
                    errors.add(SUBJECTS.name, &ChoiceError::Duplicate { name: s.name.clone() }, lang)
                }
                Some(s) => chosen.push(s),
            }
        }
        if self.subjects.is_empty() {
            errors.add(SUBJECTS.name, &ChoiceError::NoneChosen, lang);
        }
        let total = chosen.len() + offer.held.len();
        if total > usize::from(offer.max_subjects) {
            errors.add(SUBJECTS.name, &ChoiceError::TooMany { max: offer.max_subjects, chosen: total }, lang);
        }
        if let Some(full) = chosen.iter().find(|s| s.remaining <= 0) {
            errors.add(SUBJECTS.name, &ChoiceError::Full { name: full.name.clone() }, lang);
        }
        let mut subjects: Vec<&OfferedSubject> = chosen;
        subjects.sort_by_key(|s| offer.subjects.iter().position(|o| o.code == s.code));
        errors.into_result(|| ValidChoice {
            site_code: offer.site_code.clone(),
            total_fee_fen: subjects.iter().map(|s| s.fee_fen).sum(),
            subjects: subjects.iter().map(|s| s.code.clone()).collect(),
        })
    }
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
        }
    }

    fn codes(e: FieldErrors) -> Vec<String> {
        e.iter().map(|e| e.code.clone()).collect()
    }

    #[test]
    fn a_valid_choice_totals_in_fen() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let form = SubjectForm { site: "659028".into(), subjects: vec!["41".into(), "65".into()] };
        let v = form.parse(&ctx, &offer(2)).unwrap();
        assert_eq!(v.subjects, ["65", "41"]);
        assert_eq!(v.total_fee_fen, 18000);
        assert_eq!(yuan(v.total_fee_fen), "¥180.00");
    }

    #[test]
    fn refusals() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let f = |site: &str, subjects: &[&str]| SubjectForm {
            site: site.into(),
            subjects: subjects.iter().map(|s| s.to_string()).collect(),
        };
        assert_eq!(codes(f("", &[]).parse(&ctx, &offer(1)).unwrap_err()), ["site.required", "subjects.required"]);
        assert_eq!(codes(f("650001", &["65"]).parse(&ctx, &offer(1)).unwrap_err()), ["site.unknown"]);
        assert_eq!(codes(f("659028", &["99"]).parse(&ctx, &offer(1)).unwrap_err()), ["subjects.not_offered"]);
        assert_eq!(codes(f("659028", &["65", "65"]).parse(&ctx, &offer(2)).unwrap_err()), ["subjects.duplicate"]);
        assert_eq!(codes(f("659028", &["65", "41"]).parse(&ctx, &offer(1)).unwrap_err()), ["subjects.too_many"]);
        let e = f("659028", &["66"]).parse(&ctx, &offer(1)).unwrap_err();
        assert_eq!(e.iter().next().unwrap().message, "“Python语言程序设计”已无剩余名额，请选择其他科目");
        let mut held = offer(2);
        held.held = vec!["65".into()];
        assert_eq!(codes(f("659028", &["41", "65"]).parse(&ctx, &held).unwrap_err()), ["subjects.duplicate"]);
        assert!(f("659028", &["41"]).parse(&ctx, &held).is_ok());
    }
}
