//! One verdict per input line, for bulk checks (`server validate`) and for the corpus that
//! proves the browser and the server judge alike: `{"step": "...", "fields": {...}}` in,
//! `{"ok", "errors": [{"field", "code", "message"}], "normalized", "derived"}` out.

use super::contact::ContactForm;
use super::identity::IdentityForm;
use super::personal::PersonalForm;
use super::school::SchoolForm;
use super::{Ctx, FieldErrors, FieldNote};
use crate::domain::DocumentType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictError {
    pub field: String,
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub ok: bool,
    pub errors: Vec<VerdictError>,
    pub normalized: BTreeMap<String, String>,
    pub derived: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Line {
    step: String,
    #[serde(default)]
    fields: serde_json::Value,
}

/// The personal step may name the document, so gender and birth date can be checked
/// against it.
#[derive(Deserialize)]
struct PersonalLine {
    #[serde(flatten)]
    form: PersonalForm,
    #[serde(default)]
    doc_type: String,
    #[serde(default)]
    doc_number: String,
}

impl Verdict {
    fn input_error(code: &str, message: &str) -> Self {
        Verdict {
            ok: false,
            errors: vec![VerdictError { field: String::new(), code: code.into(), message: message.into() }],
            normalized: BTreeMap::new(),
            derived: BTreeMap::new(),
        }
    }

    fn from(
        result: Result<(), FieldErrors>,
        normalized: BTreeMap<String, String>,
        derived: BTreeMap<String, String>,
    ) -> Self {
        let errors = match result {
            Ok(()) => Vec::new(),
            Err(e) => e
                .iter()
                .map(|e| VerdictError { field: e.field.clone(), code: e.code.clone(), message: e.message.clone() })
                .collect(),
        };
        Verdict { ok: errors.is_empty(), errors, normalized, derived }
    }
}

fn map<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<String, String> {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// Judges one JSON line. Never panics: a line that is not JSON, names no known step or
/// has fields of the wrong type gets an error verdict of its own.
pub fn judge_line(line: &str, ctx: &Ctx) -> Verdict {
    let Ok(line) = serde_json::from_str::<Line>(line) else {
        return Verdict::input_error("input.json", "该行不是有效的JSON，或缺少 step 字段");
    };
    let fields = if line.fields.is_null() { serde_json::Value::Object(Default::default()) } else { line.fields };
    macro_rules! fields_as {
        ($t:ty) => {
            match serde_json::from_value::<$t>(fields) {
                Ok(f) => f,
                Err(_) => return Verdict::input_error("input.fields", "fields 须为对象，且各字段的值须为字符串"),
            }
        };
    }
    match line.step.as_str() {
        "identity" => judge_identity(&fields_as!(IdentityForm), ctx),
        "personal" => {
            let l = fields_as!(PersonalLine);
            let document = IdentityForm { doc_type: l.doc_type, doc_number: l.doc_number, name: String::new() };
            let document = document.parse_document(ctx);
            let (n, _) = l.form.normalize();
            let result = l.form.parse(ctx, document.as_ref()).map(|_| ());
            let normalized = map([
                ("gender", &n.gender),
                ("birth_date", &n.birth_date),
                ("ethnicity", &n.ethnicity),
                ("occupation", &n.occupation),
                ("education", &n.education),
                ("training_type", &n.training_type),
            ]);
            Verdict::from(result, normalized, BTreeMap::new())
        }
        "contact" => {
            let f = fields_as!(ContactForm);
            let (n, _) = f.normalize();
            let normalized = map([("postcode", &n.postcode), ("address", &n.address), ("email", &n.email)]);
            Verdict::from(f.parse(ctx).map(|_| ()), normalized, BTreeMap::new())
        }
        "school" => {
            let f = fields_as!(SchoolForm);
            let (n, _) = f.normalize();
            let normalized = map([
                ("department", &n.department),
                ("major", &n.major),
                ("class_name", &n.class_name),
                ("student_no", &n.student_no),
            ]);
            Verdict::from(f.parse(ctx).map(|_| ()), normalized, BTreeMap::new())
        }
        _ => Verdict::input_error("input.step", "step 须为 identity、personal、contact 或 school"),
    }
}

fn judge_identity(form: &IdentityForm, ctx: &Ctx) -> Verdict {
    let (n, _notes): (IdentityForm, Vec<FieldNote>) = form.normalize();
    let mut derived = BTreeMap::new();
    if let Some(doc) = form.parse_document(ctx) {
        if let Some(d) = doc.birth_date() {
            derived.insert("birth_date".to_owned(), d.to_string());
        }
        if let Some(g) = doc.gender() {
            derived.insert("gender".to_owned(), g.code().to_owned());
        }
    }
    let doc_type = DocumentType::from_code(&n.doc_type).map(DocumentType::code).unwrap_or(&n.doc_type);
    let normalized = map([("doc_type", doc_type), ("doc_number", &n.doc_number), ("name", &n.name)]);
    Verdict::from(form.parse(ctx).map(|_| ()), normalized, derived)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2025, 1, 6).unwrap())
    }

    #[test]
    fn identity_verdict_derives_and_normalises() {
        let v = judge_line(
            r#"{"step":"identity","fields":{"doc_type":"resident_id","doc_number":"11010519491231002x","name":"买买提．艾力"}}"#,
            &ctx(),
        );
        assert!(v.ok, "{v:?}");
        assert_eq!(v.normalized["doc_number"], "11010519491231002X");
        assert_eq!(v.normalized["name"], "买买提·艾力");
        assert_eq!(v.derived["birth_date"], "1949-12-31");
        assert_eq!(v.derived["gender"], "female");
    }

    #[test]
    fn bad_lines_get_their_own_verdict() {
        for (line, code) in [
            ("not json", "input.json"),
            (r#"{"fields":{}}"#, "input.json"),
            (r#"{"step":"nope","fields":{}}"#, "input.step"),
            (r#"{"step":"identity","fields":{"doc_number":5}}"#, "input.fields"),
            (r#"{"step":"identity","fields":[1]}"#, "input.fields"),
        ] {
            let v = judge_line(line, &ctx());
            assert!(!v.ok);
            assert_eq!(v.errors[0].code, code, "{line}");
        }
    }

    #[test]
    fn personal_checks_against_the_document() {
        let v = judge_line(
            r#"{"step":"personal","fields":{"doc_type":"resident_id","doc_number":"11010519491231002X","gender":"male","birth_date":"1949-12-31","ethnicity":"01","occupation":"01","education":"21","training_type":"3"}}"#,
            &ctx(),
        );
        assert_eq!(v.errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>(), ["gender.mismatch"]);
    }
}
