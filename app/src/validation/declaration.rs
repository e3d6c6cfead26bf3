//! Declarations: boxes a candidate must tick — the agreement (see `agreement`), that the
//! information is true (information step), and that the order is right (payment step).

use super::{check_ticked, Ctx, FieldErrors, FieldSpec, Required};
use serde::{Deserialize, Serialize};

pub const TRUTHFUL: FieldSpec = FieldSpec {
    name: "declare",
    label: "我保证以上信息是真实和准确的",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

pub const PAYMENT_CONFIRMED: FieldSpec = FieldSpec {
    name: "confirm",
    label: "我已核对报考信息和缴费金额，确认无误",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

const NOT_DECLARED: Required = Required {
    code: "not_declared",
    zh: "请勾选“我保证以上信息是真实和准确的”后再提交",
    en: "Tick “I confirm the information is true and accurate” to submit",
};

const NOT_CONFIRMED: Required = Required {
    code: "not_confirmed",
    zh: "请核对报考信息和缴费金额，并勾选确认后再去支付",
    en: "Check the subjects and the amount, and tick to confirm before paying",
};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthfulForm {
    #[serde(default)]
    pub declare: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentConfirmForm {
    #[serde(default)]
    pub confirm: Option<String>,
}

/// Proof that a declaration box was ticked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Declared;

impl TruthfulForm {
    pub fn parse(&self, ctx: &Ctx) -> Result<Declared, FieldErrors> {
        let mut errors = FieldErrors::new();
        check_ticked(&mut errors, &TRUTHFUL, self.declare.as_deref(), &NOT_DECLARED, ctx.lang);
        errors.into_result(|| Declared)
    }
}

impl PaymentConfirmForm {
    pub fn parse(&self, ctx: &Ctx) -> Result<Declared, FieldErrors> {
        let mut errors = FieldErrors::new();
        check_ticked(&mut errors, &PAYMENT_CONFIRMED, self.confirm.as_deref(), &NOT_CONFIRMED, ctx.lang);
        errors.into_result(|| Declared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    #[test]
    fn boxes_must_be_ticked() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        assert!(TruthfulForm { declare: Some("yes".into()) }.parse(&ctx).is_ok());
        assert_eq!(
            TruthfulForm::default().parse(&ctx).unwrap_err().get("declare").unwrap().code,
            "declare.not_declared"
        );
        assert!(PaymentConfirmForm { confirm: Some("yes".into()) }.parse(&ctx).is_ok());
        assert!(PaymentConfirmForm { confirm: Some("on".into()) }.parse(&ctx).is_err());
    }
}
