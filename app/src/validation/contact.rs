//! Contact details (联系方式): 邮编, 地址, 电子邮箱 — each optional, validated when given.

use super::{Ctx, FieldErrors, FieldNote, FieldSpec, Notes};
use crate::domain::contact::{check_text, Email, Postcode, EMAIL_MAX};
use crate::domain::text::{normalize_ascii, normalize_text};
use serde::{Deserialize, Serialize};

pub const ADDRESS_MAX: usize = 100;

pub const POSTCODE: FieldSpec = FieldSpec {
    name: "postcode",
    label: "邮政编码",
    required: false,
    max_length: Some(12),
    input_mode: Some("numeric"),
    autocomplete: "postal-code",
};
pub const ADDRESS: FieldSpec = FieldSpec {
    name: "address",
    label: "通讯地址",
    required: false,
    max_length: Some(ADDRESS_MAX * 2),
    input_mode: None,
    autocomplete: "street-address",
};
pub const EMAIL: FieldSpec = FieldSpec {
    name: "email",
    label: "电子邮箱",
    required: false,
    max_length: Some(EMAIL_MAX + 8),
    input_mode: Some("email"),
    autocomplete: "email",
};

pub const FIELDS: [&str; 3] = [POSTCODE.name, ADDRESS.name, EMAIL.name];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidContact {
    pub postcode: Option<Postcode>,
    pub address: Option<String>,
    pub email: Option<Email>,
}

impl ContactForm {
    pub fn normalize(&self) -> (ContactForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let form = ContactForm {
            postcode: notes.take(POSTCODE.name, normalize_ascii(&self.postcode, true)),
            address: notes.take(ADDRESS.name, normalize_text(&self.address)),
            email: notes.take(EMAIL.name, normalize_ascii(&self.email, true)),
        };
        (form, notes.0)
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<ValidContact, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let postcode =
            optional(&f.postcode, |v| Postcode::parse(v).map_err(|e| errors.add(POSTCODE.name, &e, ctx.lang)));
        let address = optional(&f.address, |v| {
            check_text(v, ADDRESS_MAX, "地址")
                .map(|()| v.to_owned())
                .map_err(|e| errors.add(ADDRESS.name, &e, ctx.lang))
        });
        let email = optional(&f.email, |v| Email::parse(v).map_err(|e| errors.add(EMAIL.name, &e, ctx.lang)));
        errors.sorted_by(&FIELDS).into_result(|| ValidContact {
            postcode: postcode.flatten(),
            address: address.flatten(),
            email: email.flatten(),
        })
    }
}

/// Runs `parse` on a non-empty value; `Some(None)` for an empty one, `None` if refused.
pub fn optional<T>(value: &str, parse: impl FnOnce(&str) -> Result<T, ()>) -> Option<Option<T>> {
    if value.is_empty() {
        Some(None)
    } else {
        parse(value).ok().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    #[test]
    fn optional_but_checked() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        assert_eq!(ContactForm::default().parse(&ctx), Ok(ValidContact { postcode: None, address: None, email: None }));
        let ok =
            ContactForm {
                postcode: "８３０ ０００".into(), address: " 乌鲁木齐市 ".into(), email: "a@b.cn".into()
            };
        let v = ok.parse(&ctx).unwrap();
        assert_eq!(v.postcode.unwrap().as_str(), "830000");
        let bad = ContactForm { postcode: "8300".into(), address: "<b>".into(), email: "a@b".into() };
        let codes: Vec<_> = bad.parse(&ctx).unwrap_err().iter().map(|e| e.code.clone()).collect();
        assert_eq!(codes, ["postcode.format", "address.character", "email.format"]);
    }
}
