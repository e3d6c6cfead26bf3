//! Step 证件信息采集: document type, document number and name. The number is normalised
//! (full-width → ASCII, spaces and hyphens dropped, `x` → `X`) and the name's dot variants
//! unified before the rules run; every change is reported back as a `FieldNote`.

use super::{Ctx, FieldErrors, FieldNote, FieldSpec, Required};
use crate::domain::person_name::{self, PersonName};
use crate::domain::text::{normalize_document_number, normalize_name, Normalized};
use crate::domain::{DocumentNumber, DocumentType};
use serde::{Deserialize, Serialize};

pub const DOC_TYPE: FieldSpec = FieldSpec {
    name: "doc_type",
    label: "证件类型",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

/// Room beyond the longest number for the spaces and hyphens people type between groups
/// of digits; they are removed by normalisation, so `maxlength` must not cut them off.
const SEPARATOR_ROOM: usize = 8;

pub const DOC_NUMBER: FieldSpec = FieldSpec {
    name: "doc_number",
    label: "证件号码",
    required: true,
    // 18: the longest number of any type (checked by a test below).
    max_length: Some(18 + SEPARATOR_ROOM),
    input_mode: Some("text"),
    autocomplete: "off",
};

pub const NAME: FieldSpec = FieldSpec {
    name: "name",
    label: "姓名",
    required: true,
    // Browsers count UTF-16 units: a name of rare characters needs two per character.
    max_length: Some(person_name::MAX_CHARS * 2),
    input_mode: None,
    autocomplete: "name",
};

/// Field order on the page; errors are reported in this order.
pub const FIELDS: [&str; 3] = [DOC_TYPE.name, DOC_NUMBER.name, NAME.name];

const DOC_TYPE_MISSING: Required =
    Required { code: "required", zh: "请选择证件类型", en: "Choose the document type" };

const LEGACY_NOT_ALLOWED: Required = Required {
    code: "not_allowed",
    zh: "本考点不接受15位旧版居民身份证号码，请选择“中华人民共和国居民身份证”并填写18位号码",
    en: "This site does not accept old 15-digit ID numbers: choose the resident ID card and enter the 18-digit number",
};

/// The posted form, as strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityForm {
    #[serde(default)]
    pub doc_type: String,
    #[serde(default)]
    pub doc_number: String,
    #[serde(default)]
    pub name: String,
}

/// A valid identity: the document number parsed by its type's rule and the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidIdentity {
    pub number: DocumentNumber,
    pub name: PersonName,
}

impl IdentityForm {
    /// The form with its values normalised, and the notes saying what changed. Idempotent.
    pub fn normalize(&self) -> (IdentityForm, Vec<FieldNote>) {
        let mut notes = Vec::new();
        let mut take = |field: &str, n: Normalized| {
            notes.extend(n.changes.into_iter().map(|change| FieldNote { field: field.to_owned(), change }));
            n.value
        };
        let doc_number = take(DOC_NUMBER.name, normalize_document_number(&self.doc_number));
        let name = take(NAME.name, normalize_name(&self.name));
        (IdentityForm { doc_type: self.doc_type.trim().to_owned(), doc_number, name }, notes)
    }

    pub fn doc_type(&self) -> Option<DocumentType> {
        DocumentType::from_code(self.doc_type.trim())
    }

    /// Parses the document number alone (for showing derived birth date and gender while
    /// the rest of the form is still being filled in).
    pub fn parse_document(&self, ctx: &Ctx) -> Option<DocumentNumber> {
        let (form, _) = self.normalize();
        DocumentNumber::parse(form.doc_type()?, &form.doc_number, ctx.today).ok()
    }

    /// The step's single rule: normalise, then check every field.
    pub fn parse(&self, ctx: &Ctx) -> Result<ValidIdentity, FieldErrors> {
        let (form, _) = self.normalize();
        let mut errors = FieldErrors::new();

        let doc_type = form.doc_type();
        let number = match doc_type {
            None => {
                errors.add(DOC_TYPE.name, &DOC_TYPE_MISSING, ctx.lang);
                None
            }
            Some(DocumentType::ResidentId15) if !ctx.allow_legacy_id => {
                errors.add(DOC_TYPE.name, &LEGACY_NOT_ALLOWED, ctx.lang);
                None
            }
            Some(t) => DocumentNumber::parse(t, &form.doc_number, ctx.today)
                .map_err(|e| errors.add(DOC_NUMBER.name, &e, ctx.lang))
                .ok(),
        };
        let allow_latin = doc_type.is_some_and(DocumentType::allows_latin_name);
        let name = PersonName::parse(&form.name, allow_latin).map_err(|e| errors.add(NAME.name, &e, ctx.lang)).ok();

        match (number, name) {
            (Some(number), Some(name)) if errors.is_empty() => Ok(ValidIdentity { number, name }),
            _ => Err(errors.sorted_by(&FIELDS)),
        }
    }
}

impl ValidIdentity {
    /// The form a saved identity is shown in again (normalised values).
    pub fn to_form(&self) -> IdentityForm {
        IdentityForm {
            doc_type: self.number.doc_type().code().to_owned(),
            doc_number: self.number.expose().to_owned(),
            name: self.name.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Date, Gender, Normalization};

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2025, 1, 6).unwrap())
    }

    fn form(doc_type: &str, doc_number: &str, name: &str) -> IdentityForm {
        IdentityForm { doc_type: doc_type.into(), doc_number: doc_number.into(), name: name.into() }
    }

    #[test]
    fn a_valid_form_parses_and_derives() {
        let v = form("resident_id", "11010519491231002x", "买买提．艾力").parse(&ctx()).unwrap();
        assert_eq!(v.number.expose(), "11010519491231002X");
        assert_eq!(v.number.gender(), Some(Gender::Female));
        assert_eq!(v.name.as_str(), "买买提·艾力");
    }

    #[test]
    fn full_width_digits_are_accepted_and_reported() {
        let f = form("resident_id", "１１０１０５１９４９１２３１００２Ｘ", "张三");
        assert!(f.parse(&ctx()).is_ok());
        let (_, notes) = f.normalize();
        assert_eq!(notes, vec![FieldNote { field: "doc_number".into(), change: Normalization::FullwidthToAscii }]);
    }

    #[test]
    fn every_field_is_reported_in_page_order() {
        let errs = form("", "123", "").parse(&ctx()).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["doc_type.required", "name.required"]);

        let errs = form("resident_id", "110105194912310021", "张 三").parse(&ctx()).unwrap_err();
        let codes: Vec<_> = errs.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["doc_number.checksum", "name.space"]);
        assert_eq!(errs.get("doc_number").unwrap().message, "证件号码最后一位校验码与前17位不符，请逐位核对");
    }

    #[test]
    fn maxlength_hint_fits_the_longest_number() {
        let longest = DocumentType::ALL.iter().map(|t| t.max_len()).max();
        assert_eq!(DOC_NUMBER.max_length, longest.map(|l| l + SEPARATOR_ROOM));
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        let f = form(" resident_id ", " 1101 0519-4912 31002x ", " 买买提•艾力 ");
        let (once, _) = f.normalize();
        let (twice, notes) = once.normalize();
        assert_eq!(once, twice);
        assert!(notes.is_empty());
    }
}
