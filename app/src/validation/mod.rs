//! One module per form step. Each holds the raw form (strings, exactly as posted) and a
//! `parse` that turns it into a valid value or a `FieldErrors`. The WASM client calls the
//! same `parse` as the user types and on submit; the server calls it again before touching
//! the database. Messages come from the domain errors, so both sides print the same words.

pub mod account;
pub mod agreement;
pub mod arrangement;
pub mod config;
pub mod contact;
pub mod declaration;
pub mod export;
pub mod identity;
pub mod info;
pub mod payment;
pub mod personal;
pub mod photo;
pub mod review;
pub mod roster;
pub mod school;
pub mod staff;
pub mod subjects;
pub mod verdict;

use crate::domain::codes::CodeList;
use crate::domain::text::Normalized;
use crate::domain::{Date, Lang, Normalization, Problem};
use serde::{Deserialize, Serialize};

/// What a rule may depend on besides the form itself: "today" (injected, so the browser, the
/// server and the tests agree on it), the language, and the site's options. The server
/// builds it and hands the very same value to the page, so the browser judges alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ctx {
    pub today: Date,
    pub lang: Lang,
    /// The site accepts old 15-digit resident ID numbers (most do not).
    pub allow_legacy_id: bool,
}

impl Ctx {
    pub fn new(today: Date) -> Self {
        Self { today, lang: Lang::ZhCn, allow_legacy_id: false }
    }
}

/// One refused field: which field, a stable code (`doc_number.checksum`) and the sentence
/// shown beside the field and in the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// Every refused field of one submission, in the order the fields appear on the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `problem` against `field`. One error per field: the first one found wins,
    /// since the user fixes one thing at a time.
    pub fn add(&mut self, field: &str, problem: &impl Problem, lang: Lang) {
        if self.get(field).is_none() {
            self.0.push(FieldError {
                field: field.to_owned(),
                code: format!("{field}.{}", problem.code()),
                message: problem.message(lang),
            });
        }
    }

    /// Adds another form part's errors (one per field still holds).
    pub fn extend(&mut self, other: FieldErrors) {
        for e in other.0 {
            if self.get(&e.field).is_none() {
                self.0.push(e);
            }
        }
    }

    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }

    /// Keeps only the errors of the fields `keep` accepts (the ones the user has left).
    pub fn only(mut self, keep: impl Fn(&str) -> bool) -> Self {
        self.0.retain(|e| keep(&e.field));
        self
    }

    /// Orders the errors as the fields appear on the form.
    /// The same errors with each field renamed (a form shown several times on one page
    /// gives each copy's inputs their own ids).
    pub fn renamed(&self, name: impl Fn(&str) -> String) -> FieldErrors {
        FieldErrors(self.0.iter().map(|e| FieldError { field: name(&e.field), ..e.clone() }).collect())
    }

    pub fn sorted_by(mut self, order: &[&str]) -> Self {
        self.0.sort_by_key(|e| order.iter().position(|f| *f == e.field).unwrap_or(usize::MAX));
        self
    }

    /// `Ok(value)` when nothing was refused.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

/// A change normalisation made to one field, reported back to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldNote {
    pub field: String,
    pub change: Normalization,
}

impl FieldNote {
    pub fn message(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::ZhCn => self.change.message_zh(),
            Lang::En => self.change.message_en(),
        }
    }
}

/// HTML hints for one input, generated from the rule that governs the field so that no
/// bound exists only in markup. The server's `parse` enforces the same bounds regardless.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// The form field's name and the input's id (error summary links point at it).
    pub name: &'static str,
    pub label: &'static str,
    pub required: bool,
    pub max_length: Option<usize>,
    pub input_mode: Option<&'static str>,
    pub autocomplete: &'static str,
}

/// A problem that is not tied to a parse error type: a missing required choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Required {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

impl Problem for Required {
    fn code(&self) -> &'static str {
        self.code
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => self.zh.to_owned(),
            Lang::En => self.en.to_owned(),
        }
    }
}

/// Collects the notes of a form's normalisation, field by field.
#[derive(Debug, Default)]
pub struct Notes(pub Vec<FieldNote>);

impl Notes {
    /// Records what normalising `field` changed and returns the normalised value.
    pub fn take(&mut self, field: &str, n: Normalized) -> String {
        self.0.extend(n.changes.into_iter().map(|change| FieldNote { field: field.to_owned(), change }));
        n.value
    }
}

/// A choice from a code list (民族, 职业, …): the code if it is on the list; otherwise an
/// error saying what to choose.
pub fn check_choice(
    errors: &mut FieldErrors,
    spec: &FieldSpec,
    value: &str,
    list: &CodeList,
    lang: Lang,
) -> Option<&'static str> {
    let code = value.trim();
    let found = list.entries().iter().find(|(c, _)| *c == code).map(|(c, _)| *c);
    if found.is_none() {
        errors.add(spec.name, &Choose { label: spec.label, empty: code.is_empty() }, lang);
    }
    found
}

/// A select left empty or sent with a value not on its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choose {
    pub label: &'static str,
    pub empty: bool,
}

impl Problem for Choose {
    fn code(&self) -> &'static str {
        if self.empty {
            "required"
        } else {
            "unknown"
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self.empty) {
            (Lang::ZhCn, true) => format!("请选择{}", self.label),
            (Lang::ZhCn, false) => format!("请从列表中选择{}", self.label),
            (Lang::En, _) => "Choose one of the options".into(),
        }
    }
}

/// A required checkbox (declarations): ticked only when it sends exactly `yes`.
pub fn check_ticked(
    errors: &mut FieldErrors,
    spec: &FieldSpec,
    value: Option<&str>,
    problem: &Required,
    lang: Lang,
) -> bool {
    let ticked = value == Some("yes");
    if !ticked {
        errors.add(spec.name, problem, lang);
    }
    ticked
}
