//! Step 缴费确认 (REGISTRATION.md screen 8): the candidate confirms the information is
//! correct, and that paid subjects can no longer change or be refunded, before paying.

use super::{check_ticked, Ctx, FieldErrors, FieldSpec, Required};
use serde::{Deserialize, Serialize};

pub const CONFIRM: FieldSpec = FieldSpec {
    name: "confirm",
    label: "我已核对以上报考信息准确无误，并知晓缴费成功后报考信息不能修改、不能退费",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

const NOT_CONFIRMED: Required = Required {
    code: "not_confirmed",
    zh: "请核对报考信息，并勾选确认后再去支付",
    en: "Check the information and tick the confirmation before paying",
};

/// The posted form: a checkbox sends its value only when ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayForm {
    #[serde(default)]
    pub confirm: Option<String>,
}

/// Proof that the candidate confirmed before paying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmed;

impl PayForm {
    pub fn parse(&self, ctx: &Ctx) -> Result<Confirmed, FieldErrors> {
        let mut errors = FieldErrors::new();
        check_ticked(&mut errors, &CONFIRM, self.confirm.as_deref(), &NOT_CONFIRMED, ctx.lang);
        errors.into_result(|| Confirmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    #[test]
    fn only_a_ticked_box_passes() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        assert!(PayForm { confirm: Some("yes".into()) }.parse(&ctx).is_ok());
        for bad in [None, Some(String::new()), Some("on".into())] {
            let errs = PayForm { confirm: bad }.parse(&ctx).unwrap_err();
            assert_eq!(errs.get("confirm").unwrap().code, "confirm.not_confirmed");
            assert_eq!(errs.get("confirm").unwrap().message, "请核对报考信息，并勾选确认后再去支付");
        }
    }
}
