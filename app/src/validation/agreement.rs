//! Step 报名协议: the candidate must tick 我已阅读并接受 before anything else happens.

use super::{check_ticked, Ctx, FieldErrors, FieldSpec, Required};
use serde::{Deserialize, Serialize};

pub const ACCEPT: FieldSpec = FieldSpec {
    name: "accept",
    label: "我已阅读并接受以上报名协议、用户服务协议和隐私政策",
    required: true,
    max_length: None,
    input_mode: None,
    autocomplete: "off",
};

const NOT_ACCEPTED: Required = Required {
    code: "not_accepted",
    zh: "请阅读报名协议，并勾选“我已阅读并接受”后再继续",
    en: "Read the agreement and tick “I have read and accept” to continue",
};

/// The posted form: a checkbox sends its value only when ticked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    pub accept: Option<String>,
}

/// Proof that the agreement was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Accepted;

impl AgreementForm {
    pub fn parse(&self, ctx: &Ctx) -> Result<Accepted, FieldErrors> {
        let mut errors = FieldErrors::new();
        // Only the value the page sends counts; a bare "accept=" is an unticked box.
        check_ticked(&mut errors, &ACCEPT, self.accept.as_deref(), &NOT_ACCEPTED, ctx.lang);
        errors.into_result(|| Accepted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    #[test]
    fn only_a_ticked_box_passes() {
        let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
        assert!(AgreementForm { accept: Some("yes".into()) }.parse(&ctx).is_ok());
        for bad in [None, Some(String::new()), Some("no".into()), Some("YES ".into())] {
            let errs = AgreementForm { accept: bad }.parse(&ctx).unwrap_err();
            assert_eq!(errs.get("accept").unwrap().code, "accept.not_accepted");
        }
    }
}
