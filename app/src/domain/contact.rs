//! Contact details: postcode, e-mail address and free text (addresses, school names).

use super::message::{Lang, Problem};

/// A Chinese postal code: exactly six digits (some start with 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Postcode(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostcodeError;

impl Postcode {
    pub fn parse(s: &str) -> Result<Self, PostcodeError> {
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(PostcodeError)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Problem for PostcodeError {
    fn code(&self) -> &'static str {
        "format"
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => "邮政编码应为6位数字".into(),
            Lang::En => "A postcode is 6 digits".into(),
        }
    }
}

/// An e-mail address of the common form `local@domain.tld` (RFC 5321 lengths; no quoted
/// local parts or IP literals, which no candidate uses).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Format,
    TooLong,
}

pub const EMAIL_MAX: usize = 254;

impl Email {
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        if s.len() > EMAIL_MAX {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.split_once('@').ok_or(EmailError::Format)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()));
        if local_ok && domain_ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(EmailError::Format)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An address as shown or logged where the whole would say too much: `l***@example.com`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

impl Problem for EmailError {
    fn code(&self) -> &'static str {
        match self {
            Self::Format => "format",
            Self::TooLong => "too_long",
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::Format) => "电子邮箱格式不正确，应类似 name@example.com".into(),
            (Lang::ZhCn, Self::TooLong) => format!("电子邮箱最多{EMAIL_MAX}个字符"),
            (Lang::En, Self::Format) => "Enter an e-mail address like name@example.com".into(),
            (Lang::En, Self::TooLong) => format!("An e-mail address has at most {EMAIL_MAX} characters"),
        }
    }
}

/// Free text of bounded length: no control characters and no angle brackets (they are
/// never part of an address or a school name, and keep markup out of exports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    TooLong { max: usize, found: usize, what: &'static str },
    Character { found: char, what: &'static str },
}

pub fn check_text(s: &str, max: usize, what: &'static str) -> Result<(), TextError> {
    if let Some(found) = s.chars().find(|c| c.is_control() || matches!(c, '<' | '>')) {
        return Err(TextError::Character { found, what });
    }
    let found = s.chars().count();
    if found > max {
        return Err(TextError::TooLong { max, found, what });
    }
    Ok(())
}

impl Problem for TextError {
    fn code(&self) -> &'static str {
        match self {
            Self::TooLong { .. } => "too_long",
            Self::Character { .. } => "character",
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::ZhCn, Self::TooLong { max, found, what }) => format!("{what}最多{max}个字，您输入了{found}个"),
            (Lang::ZhCn, Self::Character { found, what }) if found.is_control() => {
                format!("{what}中有不可见的控制字符，请删除后重新输入")
            }
            (Lang::ZhCn, Self::Character { found, what }) => format!("{what}中不能包含“{found}”"),
            (Lang::En, Self::TooLong { max, found, .. }) => format!("At most {max} characters; you entered {found}"),
            (Lang::En, Self::Character { .. }) => "Remove the character that is not allowed here".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes() {
        assert!(Postcode::parse("830000").is_ok());
        assert!(Postcode::parse("010010").is_ok());
        for bad in ["83000", "8300000", "83000a", ""] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for ok in ["a@b.cn", "zhang.san+ncre@mail.example.com", "x_1@sub-domain.example.org"] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a", "a@b", "a@@b.cn", "@b.cn", "a@.cn", "a@b.c", "a b@c.cn", "a..b@c.cn", "a@-b.cn", "a@b.c1"]
        {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Email::parse(&format!("{}@b.cn", "a".repeat(300))), Err(EmailError::TooLong));
    }

    #[test]
    fn masked_emails() {
        assert_eq!(mask_email("zhang.san@example.com"), "z***@example.com");
        assert_eq!(mask_email("张@例子.cn"), "张***@例子.cn");
        assert_eq!(mask_email("nothing"), "***");
    }

    #[test]
    fn text_bounds() {
        assert!(check_text("新疆乌鲁木齐市", 100, "地址").is_ok());
        assert!(matches!(check_text(&"字".repeat(101), 100, "地址"), Err(TextError::TooLong { .. })));
        assert!(matches!(check_text("a<b", 100, "地址"), Err(TextError::Character { found: '<', .. })));
        assert!(matches!(check_text("a\u{7}b", 100, "地址"), Err(TextError::Character { .. })));
    }
}
