//! Personal information (基本信息): 性别, 出生日期, 民族, 职业, 文化程度, 培训类型 — all required.
//! Gender and birth date must agree with what the document number encodes; the message
//! says which field disagrees and what the document says.

use super::{check_choice, Ctx, FieldErrors, FieldNote, FieldSpec, Notes};
use crate::domain::codes::{self, CodeList};
use crate::domain::national_id::check_birth_date;
use crate::domain::text::{normalize_date, normalize_text};
use crate::domain::{Date, DocumentError, DocumentNumber, Gender, Lang, Problem};
use serde::{Deserialize, Serialize};

const fn select(name: &'static str, label: &'static str) -> FieldSpec {
    FieldSpec { name, label, required: true, max_length: None, input_mode: None, autocomplete: "off" }
}

pub const GENDER: FieldSpec = select("gender", "性别");
pub const BIRTH_DATE: FieldSpec = FieldSpec {
    name: "birth_date",
    label: "出生日期",
    required: true,
    max_length: Some(16),
    input_mode: Some("numeric"),
    autocomplete: "bday",
};
pub const ETHNICITY: FieldSpec = select("ethnicity", "民族");
pub const OCCUPATION: FieldSpec = select("occupation", "职业");
pub const EDUCATION: FieldSpec = select("education", "文化程度");
pub const TRAINING: FieldSpec = select("training_type", "培训类型");

pub const FIELDS: [&str; 6] =
    [GENDER.name, BIRTH_DATE.name, ETHNICITY.name, OCCUPATION.name, EDUCATION.name, TRAINING.name];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalForm {
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub birth_date: String,
    #[serde(default)]
    pub ethnicity: String,
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub training_type: String,
}

/// What a document number says about its holder, where it says anything. The browser gets
/// these (never the number) so it can judge gender and birth date as the server does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocFacts {
    pub gender: Option<Gender>,
    pub birth_date: Option<Date>,
}

impl DocFacts {
    pub fn of(document: Option<&DocumentNumber>) -> Self {
        Self {
            gender: document.and_then(DocumentNumber::gender),
            birth_date: document.and_then(DocumentNumber::birth_date),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidPersonal {
    pub gender: Gender,
    pub birth_date: Date,
    pub ethnicity: &'static str,
    pub occupation: &'static str,
    pub education: &'static str,
    pub training_type: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PersonalError {
    GenderMissing,
    GenderMismatch { document: Gender },
    DateMissing,
    DateFormat,
    DateInvalid,
    Birth(DocumentError),
    DateMismatch { document: Date },
}

impl Problem for PersonalError {
    fn code(&self) -> &'static str {
        match self {
            Self::GenderMissing | Self::DateMissing => "required",
            Self::GenderMismatch { .. } | Self::DateMismatch { .. } => "mismatch",
            Self::DateFormat => "format",
            Self::DateInvalid => "invalid",
            Self::Birth(DocumentError::BirthInFuture) => "future",
            Self::Birth(_) => "age",
        }
    }

    fn message(&self, lang: Lang) -> String {
        use crate::domain::national_id::{MAX_AGE, MIN_AGE};
        match (lang, self) {
            (Lang::ZhCn, Self::GenderMissing) => "请选择性别".into(),
            (Lang::ZhCn, Self::GenderMismatch { document }) => {
                format!("性别与证件号码不符：证件号码表示的性别为{}", document.label_zh())
            }
            (Lang::ZhCn, Self::DateMissing) => "请填写出生日期".into(),
            (Lang::ZhCn, Self::DateFormat) => "出生日期应按“年-月-日”填写，如 2001-02-03".into(),
            (Lang::ZhCn, Self::DateInvalid) => "出生日期不存在，请核对年、月、日".into(),
            (Lang::ZhCn, Self::Birth(DocumentError::BirthInFuture)) => "出生日期不能晚于今天".into(),
            (Lang::ZhCn, Self::Birth(_)) => format!("出生日期表示的年龄不在{MIN_AGE}至{MAX_AGE}岁之间，请核对"),
            (Lang::ZhCn, Self::DateMismatch { document }) => {
                format!("出生日期与证件号码不符：证件号码中的出生日期为{}", document.to_chinese())
            }
            (Lang::En, Self::GenderMissing) => "Choose the gender".into(),
            (Lang::En, Self::GenderMismatch { .. }) => "The gender does not match the document number".into(),
            (Lang::En, Self::DateMissing) => "Enter the date of birth".into(),
            (Lang::En, Self::DateFormat) => "Enter the date of birth as year-month-day, like 2001-02-03".into(),
            (Lang::En, Self::DateInvalid) => "The date of birth does not exist".into(),
            (Lang::En, Self::Birth(DocumentError::BirthInFuture)) => "The date of birth is in the future".into(),
            (Lang::En, Self::Birth(_)) => format!("The date of birth gives an age outside {MIN_AGE} to {MAX_AGE}"),
            (Lang::En, Self::DateMismatch { document }) => {
                format!("The date of birth does not match the document number ({document})")
            }
        }
    }
}

impl PersonalForm {
    /// The form pre-filled from what the document encodes.
    pub fn prefilled(facts: &DocFacts) -> Self {
        Self {
            gender: facts.gender.map(|g| g.code().to_owned()).unwrap_or_default(),
            birth_date: facts.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            ..Self::default()
        }
    }

    pub fn normalize(&self) -> (PersonalForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let form = PersonalForm {
            gender: normalize_text(&self.gender).value,
            birth_date: notes.take(BIRTH_DATE.name, normalize_date(&self.birth_date)),
            ethnicity: normalize_text(&self.ethnicity).value,
            occupation: normalize_text(&self.occupation).value,
            education: normalize_text(&self.education).value,
            training_type: normalize_text(&self.training_type).value,
        };
        (form, notes.0)
    }

    /// `document` is the candidate's parsed document, when known: gender and birth date
    /// must agree with it.
    pub fn parse(&self, ctx: &Ctx, document: Option<&DocumentNumber>) -> Result<ValidPersonal, FieldErrors> {
        self.parse_with(ctx, &DocFacts::of(document))
    }

    /// The same rule given only what the document says (the browser's case).
    pub fn parse_with(&self, ctx: &Ctx, facts: &DocFacts) -> Result<ValidPersonal, FieldErrors> {
        let (form, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let lang = ctx.lang;

        let gender = match Gender::from_code(&form.gender) {
            None => {
                errors.add(GENDER.name, &PersonalError::GenderMissing, lang);
                None
            }
            Some(g) => match facts.gender {
                Some(d) if d != g => {
                    errors.add(GENDER.name, &PersonalError::GenderMismatch { document: d }, lang);
                    None
                }
                _ => Some(g),
            },
        };

        let birth_date = parse_birth_date(&form.birth_date, ctx.today, facts.birth_date)
            .map_err(|e| errors.add(BIRTH_DATE.name, &e, lang))
            .ok();

        let choice = |errors: &mut FieldErrors, spec: &FieldSpec, value: &str, list: &CodeList| {
            check_choice(errors, spec, value, list, lang)
        };
        let ethnicity = choice(&mut errors, &ETHNICITY, &form.ethnicity, codes::ethnicity());
        let occupation = choice(&mut errors, &OCCUPATION, &form.occupation, codes::occupation());
        let education = choice(&mut errors, &EDUCATION, &form.education, codes::education());
        let training_type = choice(&mut errors, &TRAINING, &form.training_type, codes::training());

        match (gender, birth_date, ethnicity, occupation, education, training_type) {
            (
                Some(gender),
                Some(birth_date),
                Some(ethnicity),
                Some(occupation),
                Some(education),
                Some(training_type),
            ) => Ok(ValidPersonal { gender, birth_date, ethnicity, occupation, education, training_type }),
            _ => Err(errors.sorted_by(&FIELDS)),
        }
    }
}

fn parse_birth_date(value: &str, today: Date, document: Option<Date>) -> Result<Date, PersonalError> {
    if value.is_empty() {
        return Err(PersonalError::DateMissing);
    }
    let b = value.as_bytes();
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !value.bytes().filter(|c| *c != b'-').all(|c| c.is_ascii_digit())
    {
        return Err(PersonalError::DateFormat);
    }
    let date = Date::from_iso(value).ok_or(PersonalError::DateInvalid)?;
    check_birth_date(date, today).map_err(PersonalError::Birth)?;
    match document {
        Some(d) if d != date => Err(PersonalError::DateMismatch { document: d }),
        _ => Ok(date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::DocumentType;

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2025, 1, 6).unwrap())
    }

    fn form(gender: &str, birth: &str) -> PersonalForm {
        PersonalForm {
            gender: gender.into(),
            birth_date: birth.into(),
            ethnicity: "05".into(),
            occupation: "01".into(),
            education: "21".into(),
            training_type: "2".into(),
        }
    }

    #[test]
    fn agrees_with_the_document() {
        let doc = DocumentNumber::parse(DocumentType::ResidentId, "11010519491231002X", ctx().today).unwrap();
        assert!(form("female", "1949-12-31").parse(&ctx(), Some(&doc)).is_ok());
        assert!(form("female", "1949/12/31").parse(&ctx(), Some(&doc)).is_ok());
        let e = form("male", "1949-12-30").parse(&ctx(), Some(&doc)).unwrap_err();
        let got: Vec<_> = e.iter().map(|e| (e.code.as_str(), e.message.as_str())).collect();
        assert_eq!(
            got,
            [
                ("gender.mismatch", "性别与证件号码不符：证件号码表示的性别为女"),
                ("birth_date.mismatch", "出生日期与证件号码不符：证件号码中的出生日期为1949年12月31日"),
            ]
        );
        let pre = PersonalForm::prefilled(&DocFacts::of(Some(&doc)));
        assert_eq!((pre.gender.as_str(), pre.birth_date.as_str()), ("female", "1949-12-31"));
    }

    #[test]
    fn every_field_is_checked() {
        let e = PersonalForm::default().parse(&ctx(), None).unwrap_err();
        let codes: Vec<_> = e.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "gender.required",
                "birth_date.required",
                "ethnicity.required",
                "occupation.required",
                "education.required",
                "training_type.required"
            ]
        );
        let mut f = form("male", "2001-02-30");
        f.ethnicity = "57".into();
        let e = f.parse(&ctx(), None).unwrap_err();
        let codes: Vec<_> = e.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["birth_date.invalid", "ethnicity.unknown"]);
        assert_eq!(
            form("male", "2001-2").parse(&ctx(), None).unwrap_err().iter().next().unwrap().code,
            "birth_date.format"
        );
        assert_eq!(
            form("male", "2030-01-01").parse(&ctx(), None).unwrap_err().iter().next().unwrap().code,
            "birth_date.future"
        );
    }
}
