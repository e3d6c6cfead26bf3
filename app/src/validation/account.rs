//! Pass accounts (通行证): sign-up, sign-in, password reset, e-mail verification. Each form
//! is parsed by the same function in the browser and on the server; what only the server
//! can know (an address already taken, a wrong password) is the server's answer alone.

use super::identity::{IdentityForm, ValidIdentity, DOC_NUMBER, DOC_TYPE, NAME};
use super::{Ctx, FieldErrors, FieldNote, FieldSpec, Notes, Required};
use crate::domain::contact::{Email, EMAIL_MAX};
use crate::domain::password::{check_password, Password, MAX_CHARS};
use crate::domain::text::{normalize_ascii, normalize_document_number};
use serde::{Deserialize, Serialize};

pub const EMAIL: FieldSpec = FieldSpec {
    name: "email",
    label: "电子邮箱",
    required: true,
    max_length: Some(EMAIL_MAX + 8),
    input_mode: Some("email"),
    autocomplete: "email",
};
pub const NEW_PASSWORD: FieldSpec = FieldSpec {
    name: "password",
    label: "密码",
    required: true,
    max_length: Some(MAX_CHARS * 2),
    input_mode: None,
    autocomplete: "new-password",
};
pub const CONFIRM_PASSWORD: FieldSpec = FieldSpec {
    name: "password2",
    label: "确认密码",
    required: true,
    max_length: Some(MAX_CHARS * 2),
    input_mode: None,
    autocomplete: "new-password",
};
pub const LOGIN: FieldSpec = FieldSpec {
    name: "login",
    label: "电子邮箱或证件号码",
    required: true,
    max_length: Some(EMAIL_MAX + 8),
    input_mode: None,
    autocomplete: "username",
};
pub const CURRENT_PASSWORD: FieldSpec = FieldSpec {
    name: "password",
    label: "密码",
    required: true,
    max_length: Some(MAX_CHARS * 2),
    input_mode: None,
    autocomplete: "current-password",
};

const EMAIL_MISSING: Required =
    Required { code: "required", zh: "请填写电子邮箱", en: "Enter your e-mail address" };
const CONFIRM_MISSING: Required =
    Required { code: "required", zh: "请再次输入密码", en: "Enter the password again" };
const CONFIRM_MISMATCH: Required =
    Required { code: "mismatch", zh: "两次输入的密码不一致", en: "The two passwords are not the same" };
const LOGIN_MISSING: Required =
    Required {
        code: "required", zh: "请填写电子邮箱或证件号码", en: "Enter your e-mail address or document number"
    };
const LOGIN_TOO_LONG: Required = Required {
    code: "too_long",
    zh: "电子邮箱或证件号码过长，请检查",
    en: "That is too long for an e-mail or a number",
};
const PASSWORD_MISSING: Required = Required { code: "required", zh: "请输入密码", en: "Enter your password" };

/// The one answer to a failed sign-in, whatever failed: no account, wrong password.
pub const SIGN_IN_FAILED: Required = Required {
    code: "failed",
    zh: "电子邮箱/证件号码或密码不正确",
    en: "The e-mail address, document number or password is not right",
};

/// Sign-up's fields in page order.
pub const SIGN_UP_FIELDS: [&str; 6] =
    [EMAIL.name, DOC_TYPE.name, DOC_NUMBER.name, NAME.name, NEW_PASSWORD.name, CONFIRM_PASSWORD.name];

/// Parses a required e-mail address (normalised: full-width to ASCII, spaces dropped).
pub(super) fn parse_email(raw: &str, errors: &mut FieldErrors, ctx: &Ctx) -> Option<Email> {
    if raw.is_empty() {
        errors.add(EMAIL.name, &EMAIL_MISSING, ctx.lang);
        return None;
    }
    Email::parse(raw).map_err(|e| errors.add(EMAIL.name, &e, ctx.lang)).ok()
}

/// The password of a sign-in: required, and no longer than any password we accept (so
/// hashing cost stays bounded); a longer one gets `failed`, the sign-in's one answer.
pub(super) fn parse_current_password(
    raw: &str,
    failed: &Required,
    errors: &mut FieldErrors,
    ctx: &Ctx,
) -> Option<Password> {
    if raw.is_empty() {
        errors.add(CURRENT_PASSWORD.name, &PASSWORD_MISSING, ctx.lang);
        None
    } else if raw.chars().count() > MAX_CHARS {
        errors.add(CURRENT_PASSWORD.name, failed, ctx.lang);
        None
    } else {
        Some(Password::typed(raw.to_owned()))
    }
}

/// A new password and its confirmation; `personal` is what the password may not equal.
fn parse_new_password(
    password: &str,
    confirm: &str,
    personal: &[&str],
    errors: &mut FieldErrors,
    ctx: &Ctx,
) -> Option<Password> {
    let valid = check_password(password, personal).map_err(|e| errors.add(NEW_PASSWORD.name, &e, ctx.lang)).ok();
    if confirm.is_empty() {
        errors.add(CONFIRM_PASSWORD.name, &CONFIRM_MISSING, ctx.lang);
    } else if confirm != password {
        errors.add(CONFIRM_PASSWORD.name, &CONFIRM_MISMATCH, ctx.lang);
    }
    valid.filter(|_| confirm == password)
}

/// 注册通行证, as posted.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    pub email: String,
    /// The identity step's own form, its fields posted flat beside the others.
    #[serde(flatten)]
    pub identity: IdentityForm,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password2: String,
}

/// Prints no password.
impl std::fmt::Debug for SignUpForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpForm").field("doc_type", &self.identity.doc_type).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSignUp {
    pub email: Email,
    pub identity: ValidIdentity,
    pub password: Password,
}

impl SignUpForm {
    /// Normalised values and notes. Passwords are never normalised: they are secrets, used
    /// byte for byte.
    pub fn normalize(&self) -> (SignUpForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let email = notes.take(EMAIL.name, normalize_ascii(&self.email, true));
        let (identity, identity_notes) = self.identity.normalize();
        notes.0.extend(identity_notes);
        let form = SignUpForm { email, identity, password: self.password.clone(), password2: self.password2.clone() };
        (form, notes.0)
    }

    /// What is shown again after a refused post: the passwords are not sent back.
    pub fn without_passwords(&self) -> SignUpForm {
        SignUpForm { password: String::new(), password2: String::new(), ..self.clone() }
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<ValidSignUp, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let email = parse_email(&f.email, &mut errors, ctx);
        let identity = match f.identity.parse(ctx) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.extend(e);
                None
            }
        };
        let password =
            parse_new_password(&f.password, &f.password2, &[&f.email, &f.identity.doc_number], &mut errors, ctx);
        match (email, identity, password) {
            (Some(email), Some(identity), Some(password)) if errors.is_empty() => {
                Ok(ValidSignUp { email, identity, password })
            }
            _ => Err(errors.sorted_by(&SIGN_UP_FIELDS)),
        }
    }
}

/// 登录, as posted.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub password: String,
}

impl std::fmt::Debug for SignInForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignInForm { .. }")
    }
}

/// Who is signing in: an e-mail address (compared in lower case) or a document number
/// (normalised as on the identity form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Login {
    Email(Email),
    Document(String),
}

impl Login {
    /// The key the sign-in rate limit counts under, the same whether the account exists.
    pub fn limit_key(&self) -> String {
        match self {
            Login::Email(e) => e.as_str().to_lowercase(),
            Login::Document(n) => n.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSignIn {
    pub login: Login,
    pub password: Password,
}

impl SignInForm {
    pub fn normalize(&self) -> (SignInForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let raw = self.login.trim();
        let login = if raw.contains('@') || raw.contains('＠') {
            notes.take(LOGIN.name, normalize_ascii(raw, true))
        } else {
            notes.take(LOGIN.name, normalize_document_number(raw))
        };
        (SignInForm { login, password: self.password.clone() }, notes.0)
    }

    /// What is shown again after a refused sign-in: the password is not sent back.
    pub fn without_password(&self) -> SignInForm {
        SignInForm { password: String::new(), ..self.clone() }
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<ValidSignIn, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let login = if f.login.is_empty() {
            errors.add(LOGIN.name, &LOGIN_MISSING, ctx.lang);
            None
        } else if f.login.chars().count() > EMAIL_MAX {
            errors.add(LOGIN.name, &LOGIN_TOO_LONG, ctx.lang);
            None
        } else if f.login.contains('@') {
            Email::parse(&f.login).map(Login::Email).map_err(|e| errors.add(LOGIN.name, &e, ctx.lang)).ok()
        } else {
            Some(Login::Document(f.login.clone()))
        };
        let password = parse_current_password(&f.password, &SIGN_IN_FAILED, &mut errors, ctx);
        match (login, password) {
            (Some(login), Some(password)) if errors.is_empty() => Ok(ValidSignIn { login, password }),
            _ => Err(errors.sorted_by(&[LOGIN.name, CURRENT_PASSWORD.name])),
        }
    }
}

/// 找回密码: the address to send a reset link to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetRequestForm {
    #[serde(default)]
    pub email: String,
}

impl ResetRequestForm {
    pub fn normalize(&self) -> (ResetRequestForm, Vec<FieldNote>) {
        let mut notes = Notes::default();
        let email = notes.take(EMAIL.name, normalize_ascii(&self.email, true));
        (ResetRequestForm { email }, notes.0)
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<Email, FieldErrors> {
        let (f, _) = self.normalize();
        let mut errors = FieldErrors::new();
        let email = parse_email(&f.email, &mut errors, ctx);
        match email {
            Some(e) if errors.is_empty() => Ok(e),
            _ => Err(errors),
        }
    }
}

/// 设置新密码: the mailed token (a hidden field) and the new password twice.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    pub token: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password2: String,
}

impl std::fmt::Debug for NewPasswordForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPasswordForm { .. }")
    }
}

impl NewPasswordForm {
    pub fn normalize(&self) -> (NewPasswordForm, Vec<FieldNote>) {
        (NewPasswordForm { token: self.token.trim().to_owned(), ..self.clone() }, Vec::new())
    }

    pub fn without_passwords(&self) -> NewPasswordForm {
        NewPasswordForm { token: self.token.clone(), ..Default::default() }
    }

    /// The browser knows nothing of the account; the server passes its e-mail and document
    /// number as `personal`, so the same rule refuses them.
    pub fn parse(&self, ctx: &Ctx, personal: &[&str]) -> Result<Password, FieldErrors> {
        let mut errors = FieldErrors::new();
        let password = parse_new_password(&self.password, &self.password2, personal, &mut errors, ctx);
        match password {
            Some(p) if errors.is_empty() => Ok(p),
            _ => Err(errors.sorted_by(&[NEW_PASSWORD.name, CONFIRM_PASSWORD.name])),
        }
    }
}

/// A form that carries only a mailed token (verify e-mail).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    pub token: String,
}

/// A mailed token has the shape we issue: 64 hexadecimal characters.
pub fn token_shape_ok(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Date;

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2025, 1, 6).unwrap())
    }

    fn codes(e: FieldErrors) -> Vec<String> {
        e.iter().map(|e| e.code.clone()).collect()
    }

    fn sign_up() -> SignUpForm {
        SignUpForm {
            email: "ｌｉ@example.com".into(),
            identity: IdentityForm {
                doc_type: "resident_id".into(),
                doc_number: "11010519491231002x".into(),
                name: "李四".into(),
            },
            password: "天山雪莲-2025-春".into(),
            password2: "天山雪莲-2025-春".into(),
        }
    }

    #[test]
    fn sign_up_parses_normalised_values() {
        let v = sign_up().parse(&ctx()).unwrap();
        assert_eq!(v.email.as_str(), "li@example.com");
        assert_eq!(v.identity.number.expose(), "11010519491231002X");
        assert_eq!(v.password.expose(), "天山雪莲-2025-春");
    }

    #[test]
    fn sign_up_reports_every_field_in_page_order() {
        let f = SignUpForm { password2: "x".into(), ..Default::default() };
        assert_eq!(
            codes(f.parse(&ctx()).unwrap_err()),
            ["email.required", "doc_type.required", "name.required", "password.required", "password2.mismatch"]
        );
        let f =
            SignUpForm { password: "11010519491231002X".into(), password2: "11010519491231002X".into(), ..sign_up() };
        assert_eq!(codes(f.parse(&ctx()).unwrap_err()), ["password.personal"]);
        let f = SignUpForm { password2: "".into(), ..sign_up() };
        assert_eq!(codes(f.parse(&ctx()).unwrap_err()), ["password2.required"]);
    }

    #[test]
    fn the_identity_travels_flat_beside_the_other_fields() {
        let json = serde_json::to_value(sign_up()).unwrap();
        assert_eq!((json["doc_type"].as_str(), json["name"].as_str()), (Some("resident_id"), Some("李四")));
        assert_eq!(json.as_object().unwrap().len(), 6, "{json}");
        let back: SignUpForm =
            serde_json::from_value(serde_json::json!({"email": "a@b.cn", "doc_number": "123"})).unwrap();
        assert_eq!((back.email.as_str(), back.identity.doc_number.as_str()), ("a@b.cn", "123"));
        assert_eq!(back.identity.name, "");
    }

    #[test]
    fn debug_output_never_holds_a_password() {
        let f = sign_up();
        assert!(!format!("{f:?}").contains("雪莲"));
        assert!(!format!("{:?}", f.parse(&ctx()).unwrap()).contains("雪莲"));
        let s = SignInForm { login: "a@b.cn".into(), password: "secret-123".into() };
        assert!(!format!("{s:?}").contains("secret"));
    }

    #[test]
    fn sign_in_takes_an_email_or_a_document_number() {
        let f = SignInForm { login: " Li@Example.com ".into(), password: "p".into() };
        let v = f.parse(&ctx()).unwrap();
        assert_eq!(v.login.limit_key(), "li@example.com");
        let f = SignInForm { login: "1101 0519 4912 3100 2x".into(), password: "p".into() };
        assert_eq!(f.parse(&ctx()).unwrap().login, Login::Document("11010519491231002X".into()));
        let f = SignInForm::default();
        assert_eq!(codes(f.parse(&ctx()).unwrap_err()), ["login.required", "password.required"]);
        let f = SignInForm { login: "a@b".into(), password: "x".repeat(129) };
        assert_eq!(codes(f.parse(&ctx()).unwrap_err()), ["login.format", "password.failed"]);
    }

    #[test]
    fn new_password_checks_the_personal_list_the_server_gives() {
        let f = NewPasswordForm {
            token: "t".into(),
            password: "li@example.com".into(),
            password2: "li@example.com".into(),
        };
        assert!(f.parse(&ctx(), &[]).is_ok());
        assert_eq!(codes(f.parse(&ctx(), &["LI@example.com"]).unwrap_err()), ["password.personal"]);
    }

    #[test]
    fn token_shape() {
        assert!(token_shape_ok(&"a1".repeat(32)));
        assert!(!token_shape_ok("a1"));
        assert!(!token_shape_ok(&"zz".repeat(32)));
    }
}
