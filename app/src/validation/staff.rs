//! The staff console's sign-in: the address and password, then the second factor, a
//! six-digit TOTP code (RFC 6238) from the authenticator app. The password a new account
//! sets through its one-time link follows the candidates' password rule
//! (`account::NewPasswordForm`). What only the server knows (a wrong password, a code
//! that does not match) is the server's answer alone.

use super::account::{parse_current_password, parse_email, CURRENT_PASSWORD, EMAIL};
use super::{Ctx, FieldErrors, FieldNote, FieldSpec, Notes, Required};
use crate::domain::contact::Email;
use crate::domain::password::Password;
use crate::domain::text::normalize_ascii;
use serde::{Deserialize, Serialize};

pub const CODE: FieldSpec = FieldSpec {
    name: "code",
    label: "动态验证码",
    required: true,
    max_length: Some(16),
    input_mode: Some("numeric"),
    autocomplete: "one-time-code",
};

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// The one answer to a failed staff sign-in, whatever failed: no account, wrong password.
pub const STAFF_SIGN_IN_FAILED: Required =
    Required {
        code: "failed", zh: "电子邮箱或密码不正确", en: "The e-mail address or password is not right"
    };
const CODE_MISSING: Required = Required {
    code: "required",
    zh: "请输入验证器App上显示的6位数字",
    en: "Enter the 6 digits your authenticator app shows",
};
const CODE_FORMAT: Required =
    Required { code: "format", zh: "验证码是6位数字，请检查", en: "The code is 6 digits: check it" };
/// The server's answer to a code that does not match (or was used already).
pub const CODE_WRONG: Required = Required {
    code: "wrong",
    zh: "验证码不正确或已过期，请输入验证器App上当前显示的6位数字",
    en: "That code is not right or has expired: enter the 6 digits the app shows now",
};

/// 管理系统登录, as posted.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// Prints no password.
impl std::fmt::Debug for StaffSignInForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffSignInForm { .. }")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidStaffSignIn {
    pub email: Email,
    pub password: Password,
}

impl StaffSignInForm {
    pub fn normalize(&self) -> (StaffSignInForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let email = notes.take(EMAIL.name, normalize_ascii(&self.email, true));
        (StaffSignInForm { email, password: self.password.clone() }, notes.0)
    }

    /// What is shown again after a refused sign-in: the password is not sent back.
    pub fn without_password(&self) -> StaffSignInForm {
        StaffSignInForm { password: String::new(), ..self.clone() }
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<ValidStaffSignIn, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let email = parse_email(&f.email, &mut errors, ctx);
        let password = parse_current_password(&f.password, &STAFF_SIGN_IN_FAILED, &mut errors, ctx);
        match (email, password) {
            (Some(email), Some(password)) if errors.is_empty() => Ok(ValidStaffSignIn { email, password }),
            _ => Err(errors.sorted_by(&[EMAIL.name, CURRENT_PASSWORD.name])),
        }
    }
}

/// The second factor, as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

/// Six ASCII digits: the shape of a code, not yet checked against the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl CodeForm {
    /// Full-width digits become ASCII and spaces go ("123 456" as apps show it).
    pub fn normalize(&self) -> (CodeForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let code = notes.take(CODE.name, normalize_ascii(&self.code, true));
        (CodeForm { code }, notes.0)
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<TotpCode, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        if f.code.is_empty() {
            errors.add(CODE.name, &CODE_MISSING, ctx.lang);
        } else if f.code.len() != CODE_DIGITS || !f.code.bytes().all(|b| b.is_ascii_digit()) {
            errors.add(CODE.name, &CODE_FORMAT, ctx.lang);
        }
        if errors.is_empty() {
            Ok(TotpCode(f.code))
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2026, 12, 3).unwrap())
    }

    fn code_of(raw: &str) -> Result<String, Vec<String>> {
        CodeForm { code: raw.into() }
            .parse(&ctx())
            .map(|c| c.as_str().to_owned())
            .map_err(|e| e.iter().map(|e| e.code.clone()).collect())
    }

    #[test]
    fn a_code_is_six_digits_as_typed_or_as_apps_show_them() {
        assert_eq!(code_of("123456"), Ok("123456".into()));
        assert_eq!(code_of(" 123 456 "), Ok("123456".into()));
        assert_eq!(code_of("１２３４５６"), Ok("123456".into()));
        assert_eq!(code_of(""), Err(vec!["code.required".into()]));
        for bad in ["12345", "1234567", "12345a", "12-456", "١٢٣٤٥٦"] {
            assert_eq!(code_of(bad), Err(vec!["code.format".into()]), "{bad}");
        }
    }

    #[test]
    fn sign_in_needs_an_address_and_a_password() {
        let codes = |f: StaffSignInForm| -> Vec<String> {
            f.parse(&ctx()).map(|_| Vec::new()).unwrap_or_else(|e| e.iter().map(|e| e.code.clone()).collect())
        };
        assert_eq!(codes(StaffSignInForm::default()), ["email.required", "password.required"]);
        assert_eq!(
            codes(StaffSignInForm { email: "not-an-address".into(), password: "x".into() }).len(),
            1,
            "a malformed address is refused"
        );
        let long = StaffSignInForm { email: "a@b.cn".into(), password: "x".repeat(200) };
        assert_eq!(codes(long), ["password.failed"]);
        let ok = StaffSignInForm { email: " ａ@b.cn ".into(), password: "secret".into() }.parse(&ctx()).unwrap();
        assert_eq!(ok.email.as_str(), "a@b.cn");
        assert!(
            !format!("{:?}", StaffSignInForm { password: "secret".into(), ..Default::default() }).contains("secret")
        );
    }
}

// ---- 工作人员账号 ----

pub const ACCOUNT_NAME: FieldSpec = FieldSpec {
    name: "name",
    label: "姓名",
    required: true,
    max_length: Some(60),
    input_mode: None,
    autocomplete: "off",
};
pub const ROLE: FieldSpec =
    FieldSpec {
        name: "role", label: "身份", required: true, max_length: None, input_mode: None, autocomplete: "off"
    };
pub const ACCOUNT_SITE: FieldSpec =
    FieldSpec {
        name: "site", label: "考点", required: false, max_length: None, input_mode: None, autocomplete: "off"
    };

/// A staff name: up to this many characters.
pub const ACCOUNT_NAME_MAX: usize = 30;

/// What a new account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NewRole {
    /// 省级管理员: every site of the province.
    Province,
    /// 考点老师: one site.
    Site,
}

impl NewRole {
    pub const ALL: [NewRole; 2] = [NewRole::Site, NewRole::Province];

    pub fn code(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Site => "site",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Province => "省级管理员（管理全省所有考点）",
            Self::Site => "考点老师（只管理一个考点）",
        }
    }
}

/// What the province does to one account from the list of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    /// 停用: it signs in to nothing; its sessions and unused links end.
    Disable,
    /// 启用 again.
    Enable,
    /// 解除锁定 after too many wrong passwords or codes.
    Unlock,
    /// 重发设置密码链接: a new one-time link by mail (a forgotten password, an expired link).
    SendLink,
}

impl AccountAction {
    pub const ALL: [AccountAction; 4] = [Self::Disable, Self::Enable, Self::Unlock, Self::SendLink];

    pub fn code(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Enable => "enable",
            Self::Unlock => "unlock",
            Self::SendLink => "link",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Disable => "停用",
            Self::Enable => "启用",
            Self::Unlock => "解除锁定",
            Self::SendLink => "重发设置密码链接",
        }
    }
}

/// One account's action, as its button posts it (hidden fields, so a value that does not
/// read is a crafted or broken request, not a person's typing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountActionForm {
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub action: String,
}

impl AccountActionForm {
    /// The account's id and the action; `None` when either does not read.
    pub fn parse(&self) -> Option<(i32, AccountAction)> {
        let id = self.account.trim().parse::<i32>().ok().filter(|id| *id > 0)?;
        let action = AccountAction::ALL.into_iter().find(|a| a.code() == self.action.trim())?;
        Some((id, action))
    }
}

/// 新增工作人员账号, as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAccountForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub site: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidStaffAccount {
    pub email: Email,
    pub name: String,
    pub role: NewRole,
    /// The site of a site account; `None` for a provincial admin.
    pub site: Option<String>,
}

const ROLE_MISSING: Required = Required { code: "required", zh: "请选择身份", en: "Choose a role" };
const SITE_MISSING: Required =
    Required {
        code: "required", zh: "考点老师的账号请选择所管理的考点", en: "Choose the site this account runs"
    };
const SITE_UNKNOWN: Required =
    Required { code: "unknown", zh: "请从列表中选择本省的考点", en: "Choose a site of the province" };
const NAME_MISSING: Required = Required { code: "required", zh: "请填写姓名", en: "Fill in the name" };
const NAME_BAD: Required = Required {
    code: "format",
    zh: "姓名最多30个字，不能含有控制字符",
    en: "At most 30 characters, no control characters",
};

impl StaffAccountForm {
    pub fn normalize(&self) -> (StaffAccountForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let email = notes.take(EMAIL.name, normalize_ascii(&self.email, true));
        let name = notes.take(ACCOUNT_NAME.name, crate::domain::text::normalize_text(&self.name));
        (
            StaffAccountForm { email, name, role: self.role.trim().to_owned(), site: self.site.trim().to_owned() },
            notes.0,
        )
    }

    /// `sites`: the codes of the province's sites, one of which a site account runs.
    pub fn parse(&self, ctx: &Ctx, sites: &[&str]) -> Result<ValidStaffAccount, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let email = parse_email(&f.email, &mut errors, ctx);
        let count = f.name.chars().count();
        let name = if f.name.is_empty() {
            errors.add(ACCOUNT_NAME.name, &NAME_MISSING, ctx.lang);
            None
        } else if count > ACCOUNT_NAME_MAX || f.name.chars().any(char::is_control) {
            errors.add(ACCOUNT_NAME.name, &NAME_BAD, ctx.lang);
            None
        } else {
            Some(f.name.clone())
        };
        let role = NewRole::ALL.into_iter().find(|r| r.code() == f.role);
        if role.is_none() {
            errors.add(ROLE.name, &ROLE_MISSING, ctx.lang);
        }
        let site = match role {
            Some(NewRole::Site) if f.site.is_empty() => {
                errors.add(ACCOUNT_SITE.name, &SITE_MISSING, ctx.lang);
                None
            }
            Some(NewRole::Site) if !sites.contains(&f.site.as_str()) => {
                errors.add(ACCOUNT_SITE.name, &SITE_UNKNOWN, ctx.lang);
                None
            }
            Some(NewRole::Site) => Some(f.site.clone()),
            _ => None,
        };
        match (email, name, role) {
            (Some(email), Some(name), Some(role)) if errors.is_empty() => {
                Ok(ValidStaffAccount { email, name, role, site })
            }
            _ => Err(errors.sorted_by(&[EMAIL.name, ACCOUNT_NAME.name, ROLE.name, ACCOUNT_SITE.name])),
        }
    }
}

#[cfg(test)]
mod account_tests {
    use super::*;
    use crate::domain::Date;

    #[test]
    fn a_new_account_has_an_address_a_name_a_role_and_a_site_for_a_site_account() {
        let ctx = Ctx::new(Date::new(2026, 12, 4).unwrap());
        let form = StaffAccountForm {
            email: " Laoshi@XJU.example.cn ".into(),
            name: "阿依古丽".into(),
            role: "site".into(),
            site: "650101".into(),
        };
        let v = form.parse(&ctx, &["650101", "659028"]).unwrap();
        assert_eq!((v.role, v.site.as_deref()), (NewRole::Site, Some("650101")));
        let codes = |f: StaffAccountForm| -> Vec<String> {
            f.parse(&ctx, &["650101"]).unwrap_err().iter().map(|e| e.code.clone()).collect()
        };
        assert_eq!(codes(StaffAccountForm { site: "".into(), ..form.clone() }), ["site.required"]);
        assert_eq!(codes(StaffAccountForm { site: "110101".into(), ..form.clone() }), ["site.unknown"]);
        assert_eq!(codes(StaffAccountForm::default()), ["email.required", "name.required", "role.required"]);
        assert_eq!(codes(StaffAccountForm { name: "名".repeat(31), ..form.clone() }), ["name.format"]);
        let admin = StaffAccountForm { role: "province".into(), site: "".into(), ..form };
        assert_eq!(admin.parse(&ctx, &["650101"]).unwrap().site, None);
    }
}
