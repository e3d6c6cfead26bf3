//! Session cookies and the random tokens behind them: a token is 256 random bits in an
//! HttpOnly cookie, and only its SHA-256 is stored, so a stolen database opens no session.
//! Candidates and staff each have their own cookie (`SessionCookie`), never the other's.

use http::header::{HeaderMap, COOKIE};
use sha2::{Digest, Sha256};

/// One kind of session cookie: its name, the paths it is sent to, and its lifetime.
#[derive(Debug, Clone, Copy)]
pub struct SessionCookie {
    pub name: &'static str,
    pub path: &'static str,
    /// `Lax` or `Strict`.
    pub same_site: &'static str,
    /// `Max-Age` in seconds; `None` for a cookie that ends with the browser.
    pub max_age_secs: Option<i64>,
}

impl SessionCookie {
    /// The token the request carries in this cookie, if it has the shape we issue.
    pub fn token_in(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == self.name)
            .map(|(_, v)| v.to_owned())
            .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    /// The `Set-Cookie` value that starts a session with `token`.
    pub fn set(&self, token: &str, secure: bool) -> String {
        let age = self.max_age_secs.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
        format!("{}={token}; Path={}{age}; HttpOnly; SameSite={}{}", self.name, self.path, self.same_site, flag(secure))
    }

    /// The `Set-Cookie` value that tells the browser to forget the cookie.
    pub fn clear(&self, secure: bool) -> String {
        format!("{}=; Path={}; Max-Age=0; HttpOnly; SameSite={}{}", self.name, self.path, self.same_site, flag(secure))
    }
}

fn flag(secure: bool) -> &'static str {
    if secure {
        "; Secure"
    } else {
        ""
    }
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 256 random bits from the operating system, as 64 hex digits.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    const C: SessionCookie = SessionCookie { name: "x_sid", path: "/x", same_site: "Strict", max_age_secs: Some(60) };

    #[test]
    fn finds_only_its_own_cookie_of_the_issued_shape() {
        let token = new_token().unwrap();
        let mut h = HeaderMap::new();
        h.append(COOKIE, format!("other={token}; x_sid={token}").parse().unwrap());
        assert_eq!(C.token_in(&h), Some(token.clone()));
        let mut h = HeaderMap::new();
        h.append(COOKIE, format!("other={token}; x_sid=short").parse().unwrap());
        assert_eq!(C.token_in(&h), None);
    }

    #[test]
    fn cookies_carry_path_lifetime_and_flags() {
        assert_eq!(C.set("t", true), "x_sid=t; Path=/x; Max-Age=60; HttpOnly; SameSite=Strict; Secure");
        assert_eq!(C.clear(false), "x_sid=; Path=/x; Max-Age=0; HttpOnly; SameSite=Strict");
    }
}
