//! The information step (个人信息采集): 基本信息, 联系方式 and 学校 on one form, each part
//! judged by its own rule. The identity is the pass's and is not part of the form; its parsed
//! number is passed in so gender and birth date must agree with it.

use super::contact::{ContactForm, ValidContact};
use super::personal::{DocFacts, PersonalForm, ValidPersonal};
use super::school::{SchoolForm, SchoolNeeds, ValidSchool};
use super::{contact, personal, school, Ctx, FieldErrors, FieldNote};
use serde::{Deserialize, Serialize};

/// The form exactly as posted: the three parts' fields side by side (flattened, so the
/// field names are the parts' own, in the post and in JSON alike).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoForm {
    #[serde(flatten)]
    pub personal: PersonalForm,
    #[serde(flatten)]
    pub contact: ContactForm,
    #[serde(flatten)]
    pub school: SchoolForm,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInfo {
    pub personal: ValidPersonal,
    pub contact: ValidContact,
    pub school: ValidSchool,
}

impl InfoForm {
    /// A new form: gender and birth date pre-filled from the document where it encodes them.
    pub fn prefilled(facts: &DocFacts) -> Self {
        Self { personal: PersonalForm::prefilled(facts), ..Self::default() }
    }

    pub fn normalize(&self) -> (InfoForm, Vec<FieldNote>) {
        let (personal, mut notes) = self.personal.normalize();
        let (contact, n) = self.contact.normalize();
        notes.extend(n);
        let (school, n) = self.school.normalize();
        notes.extend(n);
        (Self { personal, contact, school }, notes)
    }

    /// Every part's errors, in page order. `needs`: what the candidate's site (once chosen)
    /// requires of the school part.
    pub fn parse(&self, ctx: &Ctx, facts: &DocFacts, needs: SchoolNeeds) -> Result<ValidInfo, FieldErrors> {
        let personal = self.personal.parse_with(ctx, facts);
        let contact = self.contact.parse(ctx);
        let school = self.school.parse_for(ctx, needs);
        match (personal, contact, school) {
            (Ok(personal), Ok(contact), Ok(school)) => Ok(ValidInfo { personal, contact, school }),
            (p, c, s) => {
                let mut errors = FieldErrors::new();
                for e in [p.err(), c.err(), s.err()].into_iter().flatten() {
                    errors.extend(e);
                }
                let order: Vec<&str> = personal::FIELDS
                    .iter()
                    .chain(contact::FIELDS.iter())
                    .chain(school::FIELDS.iter())
                    .copied()
                    .collect();
                Err(errors.sorted_by(&order))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Date, DocumentNumber, DocumentType};

    #[test]
    fn an_in_school_site_requires_its_fields() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let mut form = InfoForm::default();
        form.school.department = "  ".into();
        let needs = SchoolNeeds { department: true, student_no: true };
        let e = form.school.parse_for(&ctx, needs).unwrap_err();
        let codes: Vec<String> = e.iter().map(|e| e.code.clone()).collect();
        assert_eq!(codes, ["department.needed_by_site", "student_no.needed_by_site"]);
        assert_eq!(e.get("student_no").unwrap().message, "您报考的考点是校内考点，要求填写学号");
        form.school.department = "信息学院".into();
        form.school.student_no = "2023-01".into();
        assert!(form.school.parse_for(&ctx, needs).is_ok());
        assert!(InfoForm::default().school.parse(&ctx).is_ok(), "optional elsewhere");
        assert_eq!(needs.words(), "院系、学号");
        assert_eq!(needs.missing(SchoolNeeds::given_by(&form.school)), Vec::<&str>::new());
    }

    #[test]
    fn all_parts_judged_in_page_order() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let mut form = InfoForm::default();
        form.contact.postcode = "12".into();
        form.school.student_no = "学号".into();
        let codes: Vec<String> = form
            .parse(&ctx, &DocFacts::default(), SchoolNeeds::NONE)
            .unwrap_err()
            .iter()
            .map(|e| e.code.clone())
            .collect();
        assert_eq!(
            codes,
            [
                "gender.required",
                "birth_date.required",
                "ethnicity.required",
                "occupation.required",
                "education.required",
                "training_type.required",
                "postcode.format",
                "student_no.character"
            ]
        );
    }

    #[test]
    fn the_parts_travel_as_one_flat_form() {
        let mut form = InfoForm::default();
        form.personal.gender = "male".into();
        form.contact.postcode = "830000".into();
        form.school.class_name = "1班".into();
        let json = serde_json::to_value(&form).unwrap();
        assert_eq!(json["gender"], "male");
        assert_eq!(json["postcode"], "830000");
        assert_eq!(json["class_name"], "1班");
        assert_eq!(json.as_object().unwrap().len(), 13, "{json}");
        let back: InfoForm =
            serde_json::from_value(serde_json::json!({"postcode": "830000", "major": "计算机"})).unwrap();
        assert_eq!((back.contact.postcode.as_str(), back.school.major.as_str()), ("830000", "计算机"));
        assert_eq!(back.personal, PersonalForm::default());
    }

    #[test]
    fn prefilled_from_the_document_and_checked_against_it() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let doc = DocumentNumber::parse(DocumentType::ResidentId, "11010519491231002X", ctx.today).unwrap();
        let facts = DocFacts::of(Some(&doc));
        let mut form = InfoForm::prefilled(&facts);
        assert_eq!((form.personal.gender.as_str(), form.personal.birth_date.as_str()), ("female", "1949-12-31"));
        form.personal.ethnicity = "01".into();
        form.personal.occupation = "01".into();
        form.personal.education = "21".into();
        form.personal.training_type = "3".into();
        form.personal.gender = "male".into();
        let e = form.parse(&ctx, &facts, SchoolNeeds::NONE).unwrap_err();
        assert_eq!(e.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["gender.mismatch"]);
    }
}
