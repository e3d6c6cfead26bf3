//! The wire format between us (the merchant) and a payment platform, as the sandbox
//! platform speaks it: every message is a flat map of text fields plus `sign`, an Ed25519
//! signature over the canonical string (fields other than `sign` sorted by name, `name=value`
//! joined by `&`, the way Alipay signs). Requests we send are signed with the merchant key;
//! everything the platform sends (answers, notifications, return links) with the platform
//! key. Keys are PKCS#8 (private) and raw 32-byte (public) Ed25519 keys in hex.
//!
//! Shared by our gateway client and the sandbox platform (`pay-sandbox`), so both sides sign
//! and name things identically.

use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use std::collections::BTreeMap;

/// One message's fields, `sign` included once signed.
pub type Fields = BTreeMap<String, String>;

pub const SIGN: &str = "sign";

/// Trade states as the platform reports them (the names Alipay uses).
pub const WAIT_BUYER_PAY: &str = "WAIT_BUYER_PAY";
pub const TRADE_SUCCESS: &str = "TRADE_SUCCESS";
pub const TRADE_CLOSED: &str = "TRADE_CLOSED";
pub const TRADE_NOT_EXIST: &str = "TRADE_NOT_EXIST";

/// What a notification is answered with once it is applied (exactly these bytes).
pub const NOTIFY_ACK: &str = "success";

/// How the candidate paid, as a notification's and a query's `method` field names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Alipay,
    Wechat,
    Unionpay,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::Alipay, Method::Wechat, Method::Unionpay];

    /// The method a field names; `None` for a name the protocol does not have.
    pub fn parse(text: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == text)
    }

    /// The name on the wire (and in our database).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Alipay => "alipay",
            Method::Wechat => "wechat",
            Method::Unionpay => "unionpay",
        }
    }

    /// The method's name as candidates know it, on our pages and the sandbox's cashier alike.
    pub fn label(self) -> &'static str {
        match self {
            Method::Alipay => "支付宝",
            Method::Wechat => "微信支付",
            Method::Unionpay => "银联",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not hex")]
    NotHex,
    #[error("not an Ed25519 PKCS#8 private key")]
    BadPrivateKey,
    #[error("not a 32-byte Ed25519 public key")]
    BadPublicKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the signature is missing or does not match")]
pub struct BadSignature;

/// The text that is signed: every field except `sign`, sorted, `k=v` joined by `&`.
pub fn canonical(fields: &Fields) -> String {
    let mut out = String::new();
    for (k, v) in fields.iter().filter(|(k, _)| k.as_str() != SIGN) {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// A private key that signs messages.
pub struct SigningKey(Ed25519KeyPair);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SigningKey").field(&self.public().to_hex()).finish()
    }
}

impl SigningKey {
    /// A fresh key, as PKCS#8 hex (what configuration holds).
    pub fn generate_hex() -> String {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).expect("the system random source works");
        hex::encode(doc.as_ref())
    }

    pub fn from_hex(pkcs8_hex: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(pkcs8_hex.trim()).map_err(|_| KeyError::NotHex)?;
        Ed25519KeyPair::from_pkcs8(&bytes).map(SigningKey).map_err(|_| KeyError::BadPrivateKey)
    }

    /// The key of a 32-byte seed (a key derived from another secret).
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, KeyError> {
        Ed25519KeyPair::from_seed_unchecked(seed).map(SigningKey).map_err(|_| KeyError::BadPrivateKey)
    }

    /// The 64-byte signature of `message` (for payloads that are not field maps).
    pub fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        out.copy_from_slice(self.0.sign(message).as_ref());
        out
    }

    pub fn public(&self) -> VerifyingKey {
        VerifyingKey(self.0.public_key().as_ref().to_vec())
    }

    /// Adds (or replaces) `sign` on `fields`.
    pub fn sign(&self, fields: &mut Fields) {
        let signature = self.0.sign(canonical(fields).as_bytes());
        fields.insert(SIGN.into(), hex::encode(signature.as_ref()));
    }
}

/// A public key that checks messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyingKey(Vec<u8>);

impl VerifyingKey {
    pub fn from_hex(hex_key: &str) -> Result<Self, KeyError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| KeyError::NotHex)?;
        if bytes.len() != 32 {
            return Err(KeyError::BadPublicKey);
        }
        Ok(VerifyingKey(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(&self.0)
    }

    /// Checks a signature made by `SigningKey::sign_bytes`.
    pub fn verify_bytes(&self, message: &[u8], signature: &[u8]) -> Result<(), BadSignature> {
        UnparsedPublicKey::new(&ED25519, &self.0).verify(message, signature).map_err(|_| BadSignature)
    }

    /// Checks `sign` against the other fields.
    pub fn verify(&self, fields: &Fields) -> Result<(), BadSignature> {
        let sig = fields.get(SIGN).and_then(|s| hex::decode(s).ok()).ok_or(BadSignature)?;
        UnparsedPublicKey::new(&ED25519, &self.0).verify(canonical(fields).as_bytes(), &sig).map_err(|_| BadSignature)
    }
}

/// `application/x-www-form-urlencoded` text of the fields.
pub fn to_form(fields: &Fields) -> String {
    form_urlencoded::Serializer::new(String::new()).extend_pairs(fields.iter()).finish()
}

/// Fields of a form body or query string. A repeated name is refused (`None`): a signed
/// message names each field once, and a second copy could smuggle a different value past
/// whoever reads the first.
pub fn from_form(text: &str) -> Option<Fields> {
    let mut out = Fields::new();
    for (k, v) in form_urlencoded::parse(text.as_bytes()) {
        if out.insert(k.into_owned(), v.into_owned()).is_some() {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn canonical_is_sorted_and_leaves_out_the_signature() {
        let f = fields(&[("b", "2"), ("sign", "x"), ("a", "1 and &")]);
        assert_eq!(canonical(&f), "a=1 and &&b=2");
    }

    #[test]
    fn a_signature_verifies_and_any_change_breaks_it() {
        let key = SigningKey::from_hex(&SigningKey::generate_hex()).unwrap();
        let public = VerifyingKey::from_hex(&key.public().to_hex()).unwrap();
        let mut f = fields(&[("out_trade_no", "NCRE_65-2025010611-8060053629"), ("amount_fen", "8000")]);
        key.sign(&mut f);
        assert_eq!(public.verify(&f), Ok(()));
        let mut changed = f.clone();
        changed.insert("amount_fen".into(), "1".into());
        assert_eq!(public.verify(&changed), Err(BadSignature));
        let mut added = f.clone();
        added.insert("extra".into(), String::new());
        assert_eq!(public.verify(&added), Err(BadSignature));
        let mut unsigned = f.clone();
        unsigned.remove(SIGN);
        assert_eq!(public.verify(&unsigned), Err(BadSignature));
        let other = SigningKey::from_hex(&SigningKey::generate_hex()).unwrap().public();
        assert_eq!(other.verify(&f), Err(BadSignature));
    }

    #[test]
    fn forms_round_trip_and_repeated_names_are_refused() {
        let f = fields(&[("a", "第75次NCRE考试费"), ("b", "x=y&z")]);
        assert_eq!(from_form(&to_form(&f)), Some(f));
        assert_eq!(from_form("a=1&a=2"), None);
    }

    #[test]
    fn every_method_reads_back_from_its_name() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.as_str()), Some(m));
            assert!(!m.label().is_empty());
        }
        assert_eq!(Method::parse("paypal"), None);
        assert_eq!(Method::parse("Alipay"), None);
    }

    #[test]
    fn bad_keys_are_refused_not_panicked_on() {
        assert_eq!(SigningKey::from_hex("zz").unwrap_err(), KeyError::NotHex);
        let seeded = SigningKey::from_seed(&[7; 32]).unwrap();
        assert_eq!(seeded.public(), SigningKey::from_seed(&[7; 32]).unwrap().public());
        let sig = seeded.sign_bytes(b"message");
        assert!(seeded.public().verify_bytes(b"message", &sig).is_ok());
        assert!(seeded.public().verify_bytes(b"messagf", &sig).is_err());
        assert!(SigningKey::from_seed(&[8; 32]).unwrap().public().verify_bytes(b"message", &sig).is_err());
        assert_eq!(SigningKey::from_hex("00ff").unwrap_err(), KeyError::BadPrivateKey);
        assert_eq!(VerifyingKey::from_hex("00ff").unwrap_err(), KeyError::BadPublicKey);
    }
}
