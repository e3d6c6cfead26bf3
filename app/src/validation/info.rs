//! The information step (个人信息采集): 基本信息, 联系方式 and 学校 on one form, each part
//! judged by its own rule. The identity is the pass's and is not part of the form; its parsed
//! number is passed in so gender and birth date must agree with it.

use super::contact::{ContactForm, ValidContact};
use super::personal::{DocFacts, PersonalForm, ValidPersonal};
use super::school::{SchoolForm, ValidSchool};
use super::{contact, personal, school, Ctx, FieldErrors, FieldNote};
use serde::{Deserialize, Serialize};

/// The form exactly as posted; field names are those of the three parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoForm {
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
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub major: String,
    #[serde(default)]
    pub class_name: String,
    #[serde(default)]
    pub student_no: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidInfo {
    pub personal: ValidPersonal,
    pub contact: ValidContact,
    pub school: ValidSchool,
}

impl InfoForm {
    pub fn personal(&self) -> PersonalForm {
        PersonalForm {
            gender: self.gender.clone(),
            birth_date: self.birth_date.clone(),
            ethnicity: self.ethnicity.clone(),
            occupation: self.occupation.clone(),
            education: self.education.clone(),
            training_type: self.training_type.clone(),
        }
    }

    pub fn contact(&self) -> ContactForm {
        ContactForm { postcode: self.postcode.clone(), address: self.address.clone(), email: self.email.clone() }
    }

    pub fn school(&self) -> SchoolForm {
        SchoolForm {
            department: self.department.clone(),
            major: self.major.clone(),
            class_name: self.class_name.clone(),
            student_no: self.student_no.clone(),
        }
    }

    fn from_parts(p: PersonalForm, c: ContactForm, s: SchoolForm) -> Self {
        Self {
            gender: p.gender,
            birth_date: p.birth_date,
            ethnicity: p.ethnicity,
            occupation: p.occupation,
            education: p.education,
            training_type: p.training_type,
            postcode: c.postcode,
            address: c.address,
            email: c.email,
            department: s.department,
            major: s.major,
            class_name: s.class_name,
            student_no: s.student_no,
        }
    }

    /// A new form: gender and birth date pre-filled from the document where it encodes them.
    pub fn prefilled(facts: &DocFacts) -> Self {
        Self::from_parts(PersonalForm::prefilled(facts), ContactForm::default(), SchoolForm::default())
    }

    pub fn normalize(&self) -> (InfoForm, Vec<FieldNote>) {
        let (p, mut notes) = self.personal().normalize();
        let (c, n) = self.contact().normalize();
        notes.extend(n);
        let (s, n) = self.school().normalize();
        notes.extend(n);
        (Self::from_parts(p, c, s), notes)
    }

    /// Every part's errors, in page order.
    pub fn parse(&self, ctx: &Ctx, facts: &DocFacts) -> Result<ValidInfo, FieldErrors> {
        let personal = self.personal().parse_with(ctx, facts);
        let contact = self.contact().parse(ctx);
        let school = self.school().parse(ctx);
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
    fn all_parts_judged_in_page_order() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let form = InfoForm { postcode: "12".into(), student_no: "学号".into(), ..Default::default() };
        let codes: Vec<String> =
            form.parse(&ctx, &DocFacts::default()).unwrap_err().iter().map(|e| e.code.clone()).collect();
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
    fn prefilled_from_the_document_and_checked_against_it() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        let doc = DocumentNumber::parse(DocumentType::ResidentId, "11010519491231002X", ctx.today).unwrap();
        let facts = DocFacts::of(Some(&doc));
        let mut form = InfoForm::prefilled(&facts);
        assert_eq!((form.gender.as_str(), form.birth_date.as_str()), ("female", "1949-12-31"));
        form.ethnicity = "01".into();
        form.occupation = "01".into();
        form.education = "21".into();
        form.training_type = "3".into();
        form.gender = "male".into();
        let e = form.parse(&ctx, &facts).unwrap_err();
        assert_eq!(e.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["gender.mismatch"]);
    }
}
