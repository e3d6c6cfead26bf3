//! 网上审核: what a site's staff decide about a registration the candidate asked to have
//! reviewed. Approve, or send it back (退回) with at least one reason from the list and,
//! for 其他 or to say more, a line of free text the candidate reads on the status page and
//! in the mail. One decision posted for one registration carries the version of it the
//! page showed (`version`), so a stale page never overwrites a newer state; a bulk decision
//! names the filter instead (`BulkReviewForm`). The reasons and the words are the same for
//! the staff page, the candidate's page and the mail.

use super::config::bounded;
use super::{FieldErrors, FieldSpec, Required};
use crate::domain::text::normalize_text;
use crate::domain::Lang;
use serde::{Deserialize, Serialize};

pub const DECISION: FieldSpec = FieldSpec {
    name: "decision",
    label: "审核结果",
    required: true,
    max_length: Some(8),
    input_mode: None,
    autocomplete: "off",
};
pub const REASONS: FieldSpec = FieldSpec {
    name: "reasons",
    label: "退回原因",
    required: false,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};
pub const NOTE: FieldSpec = FieldSpec {
    name: "note",
    label: "补充说明",
    required: false,
    max_length: Some(NOTE_MAX),
    input_mode: None,
    autocomplete: "off",
};

/// The longest free text of a rejection.
pub const NOTE_MAX: usize = 200;

/// Why a registration is sent back: the commonest complaints first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReviewReason {
    PhotoNotId,
    PhotoBackground,
    PhotoUnclear,
    PhotoHeadroom,
    InfoInconsistent,
    SchoolInfo,
    GroupSignUp,
    Other,
}

impl ReviewReason {
    pub const ALL: [ReviewReason; 8] = [
        Self::PhotoNotId,
        Self::PhotoBackground,
        Self::PhotoUnclear,
        Self::PhotoHeadroom,
        Self::InfoInconsistent,
        Self::SchoolInfo,
        Self::GroupSignUp,
        Self::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::PhotoNotId => "photo_not_id",
            Self::PhotoBackground => "photo_background",
            Self::PhotoUnclear => "photo_unclear",
            Self::PhotoHeadroom => "photo_headroom",
            Self::InfoInconsistent => "info_inconsistent",
            Self::SchoolInfo => "school_info",
            Self::GroupSignUp => "group_sign_up",
            Self::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The reason as the candidate reads it (and staff tick it).
    pub fn words(self) -> &'static str {
        match self {
            Self::PhotoNotId => "照片不是规范的证件照（须为近期正面免冠半身照，不能用生活照、艺术照或美颜照片）",
            Self::PhotoBackground => "照片背景颜色不符合本考点的要求",
            Self::PhotoUnclear => "照片模糊、过暗或过亮，看不清面部",
            Self::PhotoHeadroom => "照片构图不对：头部过大、过小或不完整",
            Self::InfoInconsistent => "报名信息与证件信息不一致",
            Self::SchoolInfo => "院系、专业、班级或学号不完整或不正确",
            Self::GroupSignUp => "本考点不接受中介机构代报名，请考生本人报名",
            Self::Other => "其他原因（见补充说明）",
        }
    }

    /// Reasons kept as the column holds them: codes, comma-separated.
    pub fn join(reasons: &[ReviewReason]) -> String {
        reasons.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
    }

    /// The reasons of a stored list in words.
    pub fn words_of(stored: Option<&str>) -> Vec<String> {
        Self::split(stored.unwrap_or_default()).into_iter().map(|r| r.words().to_owned()).collect()
    }

    /// The reasons of a stored list; unknown codes (from a newer version) are skipped.
    pub fn split(stored: &str) -> Vec<ReviewReason> {
        stored.split(',').filter_map(Self::from_code).collect()
    }
}

/// What staff decided, once it passes the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject { reasons: Vec<ReviewReason>, note: Option<String> },
}

/// The decision part of a review form, as posted: `decision` is `approve` or `reject`;
/// `reasons` repeats, one per ticked box.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub note: String,
}

impl DecisionForm {
    /// Takes one posted pair; `false` when the key is not one of the decision's.
    pub fn take(&mut self, key: &str, value: String) -> bool {
        match key {
            "decision" => self.decision = value,
            "reasons" => self.reasons.push(value),
            "note" => self.note = value,
            _ => return false,
        }
        true
    }

    pub fn normalize(&self) -> DecisionForm {
        DecisionForm {
            decision: self.decision.trim().to_owned(),
            reasons: self.reasons.iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()).collect(),
            note: normalize_text(&self.note).value.trim().to_owned(),
        }
    }

    pub fn parse(&self, lang: Lang) -> Result<Decision, FieldErrors> {
        let f = self.normalize();
        let mut e = FieldErrors::new();
        match f.decision.as_str() {
            "approve" => return Ok(Decision::Approve),
            "reject" => {}
            _ => {
                e.add(
                    DECISION.name,
                    &Required { code: "required", zh: "请选择通过或退回", en: "Choose approve or send back" },
                    lang,
                );
                return Err(e);
            }
        }
        let mut reasons = Vec::new();
        for code in &f.reasons {
            match ReviewReason::from_code(code) {
                Some(r) if !reasons.contains(&r) => reasons.push(r),
                Some(_) => {}
                None => e.add(
                    REASONS.name,
                    &Required {
                        code: "unknown",
                        zh: "退回原因不在列表中，请从列表中选择",
                        en: "Choose the reasons from the list",
                    },
                    lang,
                ),
            }
        }
        if reasons.is_empty() && e.is_empty() {
            e.add(
                REASONS.name,
                &Required {
                    code: "required",
                    zh: "请至少选择一个退回原因，考生据此修改",
                    en: "Choose at least one reason, so the candidate knows what to correct",
                },
                lang,
            );
        }
        if !bounded(&mut e, &NOTE, &f.note, NOTE_MAX, lang) {
            // Said by the shared text rule.
        } else if f.note.is_empty() && reasons.contains(&ReviewReason::Other) {
            e.add(
                NOTE.name,
                &Required {
                    code: "required",
                    zh: "选择“其他原因”时，请在补充说明里写明原因",
                    en: "Say what the other reason is",
                },
                lang,
            );
        }
        if !e.is_empty() {
            return Err(e.sorted_by(&[DECISION.name, REASONS.name, NOTE.name]));
        }
        Ok(Decision::Reject { reasons, note: (!f.note.is_empty()).then_some(f.note) })
    }
}

/// One registration's decision, as its card on the queue posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    pub registration: String,
    /// The registration's `holdings_version` as the page showed it.
    #[serde(default)]
    pub version: String,
    /// The queue's filter the card was shown under (to return to it).
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub subject: String,
    #[serde(flatten)]
    pub decision: DecisionForm,
}

impl ReviewForm {
    /// The form from its posted pairs (`reasons` repeats).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "registration" => f.registration = v,
                "version" => f.version = v,
                "site" => f.site = v,
                "subject" => f.subject = v,
                other => {
                    f.decision.take(other, v);
                }
            }
        }
        f
    }
}

/// The decision for every pending registration the queue's filter matches, asked for no
/// later than `upto` (the moment the page was shown: one that arrives later is not decided
/// unseen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkReviewForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub subject: String,
    /// RFC 3339.
    #[serde(default)]
    pub upto: String,
    #[serde(flatten)]
    pub decision: DecisionForm,
}

impl BulkReviewForm {
    /// The form from its posted pairs (`reasons` repeats).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "site" => f.site = v,
                "subject" => f.subject = v,
                "upto" => f.upto = v,
                other => {
                    f.decision.take(other, v);
                }
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(decision: &str, reasons: &[&str], note: &str) -> DecisionForm {
        DecisionForm {
            decision: decision.into(),
            reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
            note: note.into(),
        }
    }

    fn codes(e: FieldErrors) -> Vec<String> {
        e.iter().map(|e| e.code.clone()).collect()
    }

    #[test]
    fn approval_needs_nothing_more() {
        assert_eq!(form("approve", &[], "").parse(Lang::ZhCn), Ok(Decision::Approve));
        assert_eq!(form(" approve ", &["nonsense"], "").parse(Lang::ZhCn), Ok(Decision::Approve));
    }

    #[test]
    fn a_rejection_needs_a_reason_from_the_list() {
        assert_eq!(codes(form("reject", &[], "").parse(Lang::ZhCn).unwrap_err()), ["reasons.required"]);
        assert_eq!(codes(form("reject", &["photo_blur"], "").parse(Lang::ZhCn).unwrap_err()), ["reasons.unknown"]);
        assert_eq!(codes(form("reject", &["other"], "  ").parse(Lang::ZhCn).unwrap_err()), ["note.required"]);
        assert_eq!(codes(form("", &[], "").parse(Lang::ZhCn).unwrap_err()), ["decision.required"]);
        let long = "长".repeat(NOTE_MAX + 1);
        assert_eq!(codes(form("reject", &["other"], &long).parse(Lang::ZhCn).unwrap_err()), ["note.too_long"]);
        assert_eq!(codes(form("reject", &["other"], "a\u{7}b").parse(Lang::ZhCn).unwrap_err()), ["note.control"]);
        let ok = form("reject", &["photo_background", "photo_background", "other"], " 请换蓝底照片 ").parse(Lang::ZhCn);
        assert_eq!(
            ok,
            Ok(Decision::Reject {
                reasons: vec![ReviewReason::PhotoBackground, ReviewReason::Other],
                note: Some("请换蓝底照片".into())
            })
        );
    }

    #[test]
    fn reasons_survive_their_column() {
        let all = ReviewReason::ALL.to_vec();
        assert_eq!(ReviewReason::split(&ReviewReason::join(&all)), all);
        assert_eq!(ReviewReason::split("photo_not_id,retired_code"), [ReviewReason::PhotoNotId]);
        assert!(ReviewReason::join(&all).len() <= 200, "fits review_reasons");
        for r in ReviewReason::ALL {
            assert!(!r.words().is_empty());
        }
    }
}
