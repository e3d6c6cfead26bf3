//! School (学校信息): 院系, 专业, 班级, 学号 — optional, bounded in length and characters.

use super::contact::optional;
use super::{Ctx, FieldErrors, FieldNote, FieldSpec, Notes};
use crate::domain::contact::check_text;
use crate::domain::message::{Lang, Problem};
use crate::domain::text::{normalize_ascii, normalize_text};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 50;
pub const STUDENT_NO_MAX: usize = 30;

const fn text(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec { name, label, required: false, max_length: Some(NAME_MAX * 2), input_mode: None, autocomplete: "off" }
}

pub const DEPARTMENT: FieldSpec = text("department", "院系");
pub const MAJOR: FieldSpec = text("major", "专业");
pub const CLASS: FieldSpec = text("class_name", "班级");
pub const STUDENT_NO: FieldSpec = FieldSpec {
    name: "student_no",
    label: "学号",
    required: false,
    max_length: Some(STUDENT_NO_MAX + 4),
    input_mode: None,
    autocomplete: "off",
};

pub const FIELDS: [&str; 4] = [DEPARTMENT.name, MAJOR.name, CLASS.name, STUDENT_NO.name];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolForm {
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub major: String,
    #[serde(default)]
    pub class_name: String,
    #[serde(default)]
    pub student_no: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidSchool {
    pub department: Option<String>,
    pub major: Option<String>,
    pub class_name: Option<String>,
    pub student_no: Option<String>,
}

/// What an in-school site (校内考点) requires of its candidates' school information, as the
/// province or the site configured it; or, for a candidate, what they have filled in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolNeeds {
    pub department: bool,
    pub student_no: bool,
}

impl SchoolNeeds {
    pub const NONE: SchoolNeeds = SchoolNeeds { department: false, student_no: false };

    /// What `form` fills in (non-empty once normalised).
    pub fn given_by(form: &SchoolForm) -> SchoolNeeds {
        let (f, _) = form.normalize();
        SchoolNeeds { department: !f.department.is_empty(), student_no: !f.student_no.is_empty() }
    }

    /// The labels of what `self` asks for and `given` lacks, in page order.
    pub fn missing(self, given: SchoolNeeds) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.department && !given.department {
            out.push(DEPARTMENT.label);
        }
        if self.student_no && !given.student_no {
            out.push(STUDENT_NO.label);
        }
        out
    }

    /// `院系、学号`: what is asked, in words (empty when nothing is).
    pub fn words(self) -> String {
        self.missing(SchoolNeeds::NONE).join("、")
    }
}

/// A field the candidate's in-school site requires, left empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeededBySite {
    pub label: &'static str,
}

impl Problem for NeededBySite {
    fn code(&self) -> &'static str {
        "needed_by_site"
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => format!("您报考的考点是校内考点，要求填写{}", self.label),
            Lang::En => format!("Your exam site (in-school) requires this: {}", self.label),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StudentNoError {
    TooLong { found: usize },
    Character,
}

impl Problem for StudentNoError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLong { .. } => "too_long",
            Self::Character => "character",
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::TooLong { found }) => format!("学号最多{STUDENT_NO_MAX}个字符，您输入了{found}个"),
            (Lang::ZhCn, Self::Character) => "学号只能包含英文字母、数字和连字符“-”".into(),
            (Lang::En, Self::TooLong { found }) => format!("At most {STUDENT_NO_MAX} characters; you entered {found}"),
            (Lang::En, Self::Character) => "A student number has only letters, digits and hyphens".into(),
        }
    }
}

impl SchoolForm {
    pub fn normalize(&self) -> (SchoolForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let form = SchoolForm {
            department: notes.take(DEPARTMENT.name, normalize_text(&self.department)),
            major: notes.take(MAJOR.name, normalize_text(&self.major)),
            class_name: notes.take(CLASS.name, normalize_text(&self.class_name)),
            student_no: notes.take(STUDENT_NO.name, normalize_ascii(&self.student_no, true)),
        };
        (form, notes.0)
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<ValidSchool, FieldErrors> {
        self.parse_for(ctx, SchoolNeeds::NONE)
    }

    /// `parse`, with the fields the candidate's site requires (`needs`) required.
    pub fn parse_for(&self, ctx: &Ctx, needs: SchoolNeeds) -> Result<ValidSchool, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let given = SchoolNeeds::given_by(&f);
        for (spec, needed, filled) in
            [(&DEPARTMENT, needs.department, given.department), (&STUDENT_NO, needs.student_no, given.student_no)]
        {
            if needed && !filled {
                errors.add(spec.name, &NeededBySite { label: spec.label }, ctx.lang);
            }
        }
        let mut name = |spec: &FieldSpec, value: &str| {
            optional(value, |v| {
                check_text(v, NAME_MAX, spec.label)
                    .map(|()| v.to_owned())
                    .map_err(|e| errors.add(spec.name, &e, ctx.lang))
            })
        };
        let department = name(&DEPARTMENT, &f.department);
        let major = name(&MAJOR, &f.major);
        let class_name = name(&CLASS, &f.class_name);
        let student_no = optional(&f.student_no, |v| {
            let found = v.chars().count();
            let verdict = if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                Err(StudentNoError::Character)
            } else if found > STUDENT_NO_MAX {
                Err(StudentNoError::TooLong { found })
            } else {
                Ok(v.to_owned())
            };
            verdict.map_err(|e| errors.add(STUDENT_NO.name, &e, ctx.lang))
        });
        errors.into_result(|| ValidSchool {
            department: department.flatten(),
            major: major.flatten(),
            class_name: class_name.flatten(),
            student_no: student_no.flatten(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    #[test]
    fn bounds() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let ok = SchoolForm {
            department: "信息工程学院".into(),
            major: "计算机应用技术".into(),
            class_name: "计应2301班".into(),
            student_no: "２０２３-０１".into(),
        };
        assert_eq!(ok.parse(&ctx).unwrap().student_no.as_deref(), Some("2023-01"));
        let bad = SchoolForm {
            department: "院".repeat(51),
            major: String::new(),
            class_name: "a>b".into(),
            student_no: "20#3".into(),
        };
        let codes: Vec<_> = bad.parse(&ctx).unwrap_err().iter().map(|e| e.code.clone()).collect();
        assert_eq!(codes, ["department.too_long", "class_name.character", "student_no.character"]);
    }
}
