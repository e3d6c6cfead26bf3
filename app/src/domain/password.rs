//! The pass password rule: 8–128 characters, not one of the common passwords shipped as
//! data (`codes/common-passwords.txt`), and not the account's own e-mail or document number.

use super::message::{Lang, Problem};
use std::sync::OnceLock;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// A password that passed the rule. Its `Debug` prints nothing of it, so it cannot leak
/// into a log by accident; `expose` is the one way to read it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// A password as typed at sign-in: compared with the stored hash, not judged by the
    /// rule (a pass keeps working when the list of common passwords grows).
    pub fn typed(password: String) -> Self {
        Self(password)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordError {
    Empty,
    TooShort { found: usize },
    TooLong { found: usize },
    Common,
    Personal,
}

fn common() -> &'static Vec<String> {
    static LIST: OnceLock<Vec<String>> = OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("codes/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_lowercase)
            .collect()
    })
}

/// Checks a new password. `personal` holds what an attacker knows about the account
/// (its e-mail, its document number).
pub fn check_password(password: &str, personal: &[&str]) -> Result<Password, PasswordError> {
    let found = password.chars().count();
    if found == 0 {
        return Err(PasswordError::Empty);
    }
    if found < MIN_CHARS {
        return Err(PasswordError::TooShort { found });
    }
    if found > MAX_CHARS {
        return Err(PasswordError::TooLong { found });
    }
    let lower = password.to_lowercase();
    if common().contains(&lower) {
        return Err(PasswordError::Common);
    }
    if personal.iter().any(|p| !p.is_empty() && p.to_lowercase() == lower) {
        return Err(PasswordError::Personal);
    }
    Ok(Password(password.to_owned()))
}

impl Problem for PasswordError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::TooShort { .. } => "too_short",
            Self::TooLong { .. } => "too_long",
            Self::Common => "common",
            Self::Personal => "personal",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::Empty) => "请设置密码".into(),
            (Lang::ZhCn, Self::TooShort { found }) => format!("密码至少{MIN_CHARS}个字符，您输入了{found}个"),
            (Lang::ZhCn, Self::TooLong { found }) => format!("密码最多{MAX_CHARS}个字符，您输入了{found}个"),
            (Lang::ZhCn, Self::Common) => "这个密码太常见，很容易被猜中，请换一个".into(),
            (Lang::ZhCn, Self::Personal) => "密码不能与电子邮箱或证件号码相同".into(),
            (Lang::En, Self::Empty) => "Set a password".into(),
            (Lang::En, Self::TooShort { found }) => format!("At least {MIN_CHARS} characters; you entered {found}"),
            (Lang::En, Self::TooLong { found }) => format!("At most {MAX_CHARS} characters; you entered {found}"),
            (Lang::En, Self::Common) => "This password is too common to be safe; choose another".into(),
            (Lang::En, Self::Personal) => "The password cannot be your e-mail address or document number".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_and_lists() {
        assert_eq!(check_password("", &[]), Err(PasswordError::Empty));
        assert_eq!(check_password("abc1234", &[]), Err(PasswordError::TooShort { found: 7 }));
        assert_eq!(check_password(&"a".repeat(129), &[]), Err(PasswordError::TooLong { found: 129 }));
        assert_eq!(check_password("PassW0rd", &[]), Err(PasswordError::Common));
        assert_eq!(check_password("Woaini1314", &[]), Err(PasswordError::Common));
        assert_eq!(
            check_password("11010519491231002x", &["11010519491231002X", "a@b.cn"]),
            Err(PasswordError::Personal)
        );
        assert!(check_password("天山雪莲-2025-春", &["11010519491231002X"]).is_ok());
        assert!(check_password("correct horse battery staple", &[]).is_ok());
        let p = check_password("correct horse battery staple", &[]).unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
    }
}
