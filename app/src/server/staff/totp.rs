//! The second factor: time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30 s
//! steps), computed by the totp-rs crate. A code of the step before or after now is
//! accepted too (clocks drift), and the step a code belongs to is returned so a code is
//! accepted only once (`staff::accept_step`). Enrolment shows the secret as an
//! `otpauth://` link, as a QR code (SVG, drawn from qrcodegen's modules) and as base32 to
//! type in.

use std::fmt::Write as _;
use totp_rs::{Algorithm, Secret, TOTP};

pub const STEP_SECS: u64 = 30;
pub const DIGITS: usize = 6;
/// 160 bits, the size RFC 4226 recommends for HMAC-SHA1.
pub const SECRET_BYTES: usize = 20;
const ISSUER: &str = "NCRE报名管理";

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("no randomness for a TOTP secret")]
    Random,
    #[error("TOTP secret unusable: {0}")]
    Secret(String),
}

impl crate::server::fault::Cause for TotpError {}

/// A fresh secret, as base32 (how it is sealed, shown and typed).
pub fn new_secret() -> Result<String, TotpError> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|_| TotpError::Random)?;
    Ok(base32(&bytes))
}

fn base32(bytes: &[u8]) -> String {
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(),
    }
}

fn totp(secret_base32: &str) -> Result<TOTP, TotpError> {
    let bytes =
        Secret::Encoded(secret_base32.to_owned()).to_bytes().map_err(|e| TotpError::Secret(format!("{e:?}")))?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECS, bytes).map_err(|e| TotpError::Secret(e.to_string()))
}

/// The step of `unix_secs`.
pub fn step_of(unix_secs: u64) -> u64 {
    unix_secs / STEP_SECS
}

/// The code for `step` (what the authenticator app shows during it).
pub fn code_at(secret_base32: &str, step: u64) -> Result<String, TotpError> {
    Ok(totp(secret_base32)?.generate(step * STEP_SECS))
}

/// The step `code` belongs to, if it is the code of the step before, of, or after
/// `unix_secs`'s. Every candidate step is compared (in constant time), whichever matches.
pub fn matching_step(secret_base32: &str, code: &str, unix_secs: u64) -> Result<Option<u64>, TotpError> {
    let t = totp(secret_base32)?;
    let now = step_of(unix_secs);
    let mut found = None;
    for step in [now.saturating_sub(1), now, now + 1] {
        let expected = t.generate(step * STEP_SECS);
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && found.is_none() {
            found = Some(step);
        }
    }
    Ok(found)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` link authenticator apps read (Key Uri Format).
pub fn otpauth_url(secret_base32: &str, account: &str) -> String {
    let label = format!("{}:{}", crate::urls::percent_encode(ISSUER), crate::urls::percent_encode(account));
    format!(
        "otpauth://totp/{label}?secret={secret_base32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        crate::urls::percent_encode(ISSUER)
    )
}

/// `text` as a QR code in SVG (dark modules as one path, a quiet zone of 4 modules).
pub fn qr_svg(text: &str) -> Option<String> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let border = 4;
    let full = size + border * 2;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + border, y + border);
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"220\" height=\"220\" \
         role=\"img\" aria-label=\"绑定验证器App的二维码\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the secret is the ASCII "12345678901234567890".
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = base32(b"12345678901234567890");
        // The RFC's 8-digit values, of which a 6-digit code is the last six.
        for (t, eight) in
            [(59u64, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924")]
        {
            assert_eq!(code_at(&secret, step_of(t)).unwrap(), eight[2..], "t = {t}");
        }
    }

    #[test]
    fn the_step_before_and_after_are_accepted_and_no_other() {
        let secret = new_secret().unwrap();
        let now = 1_800_000_000u64;
        let s = step_of(now);
        for (step, ok) in [(s - 2, false), (s - 1, true), (s, true), (s + 1, true), (s + 2, false)] {
            let code = code_at(&secret, step).unwrap();
            assert_eq!(matching_step(&secret, &code, now).unwrap(), ok.then_some(step), "step {step}");
        }
        assert_eq!(matching_step(&secret, "12345", now).unwrap(), None);
    }

    #[test]
    fn secrets_are_160_random_bits_in_base32() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c)));
    }

    #[test]
    fn enrolment_link_and_qr() {
        let url = otpauth_url("JBSWY3DPEHPK3PXP", "li.ming@example.cn");
        assert!(url.starts_with("otpauth://totp/NCRE%E6"), "{url}");
        assert!(url.contains(":li.ming@example.cn?secret=JBSWY3DPEHPK3PXP&issuer="), "{url}");
        let svg = qr_svg(&url).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("M4,4h1v1h-1z"), "finder pattern's first module");
    }
}
