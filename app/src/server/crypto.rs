//! Personal data at rest. Document numbers are stored sealed (XChaCha20-Poly1305, a fresh
//! random nonce each time, the column's purpose as associated data) and found by a keyed
//! hash (HMAC-SHA-256), so a copy of the database reveals neither the numbers nor, by
//! guessing, which rows hold a given number. Both subkeys derive from one 32-byte data key
//! given by configuration (`APP_DATA_KEY`).

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

const VERSION: &str = "v1";

pub struct DataKey {
    cipher: XChaCha20Poly1305,
    mac_key: [u8; 32],
    /// The key itself, only to derive further subkeys from (`subkey`).
    root: [u8; 32],
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the data key must be 64 hexadecimal characters (32 bytes)")]
    BadKey,
    #[error("no randomness for a nonce")]
    Random,
    #[error("sealed value is malformed or was not made with this key")]
    Open,
}

fn derive(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    // HMAC as a PRF: one subkey per purpose from the one configured key.
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(key) else { return [0; 32] };
    mac.update(label);
    mac.finalize().into_bytes().into()
}

impl DataKey {
    pub fn from_hex(hex_key: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| CryptoError::BadKey)?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        let enc = derive(&key, b"ncre data key v1: encryption");
        Ok(Self {
            cipher: XChaCha20Poly1305::new(&enc.into()),
            mac_key: derive(&key, b"ncre data key v1: lookup hash"),
            root: key,
        })
    }

    /// A 32-byte secret of its own for `label` (the default ticket-signing key's seed):
    /// knowing it reveals nothing of the data key or of the other subkeys.
    pub fn subkey(&self, label: &str) -> [u8; 32] {
        derive(&self.root, format!("ncre data key v1: {label}").as_bytes())
    }

    /// Seals `plaintext` for the column named by `purpose` (`registration.doc_number`):
    /// `v1:` + hex(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, purpose: &str, plaintext: &str) -> Result<String, CryptoError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|_| CryptoError::Random)?;
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext.as_bytes(), aad: purpose.as_bytes() })
            .map_err(|_| CryptoError::Open)?;
        Ok(format!("{VERSION}:{}{}", hex::encode(nonce), hex::encode(sealed)))
    }

    /// Opens a value sealed by `seal` for the same purpose.
    pub fn open(&self, purpose: &str, sealed: &str) -> Result<String, CryptoError> {
        let body = sealed.strip_prefix("v1:").ok_or(CryptoError::Open)?;
        let bytes = hex::decode(body).map_err(|_| CryptoError::Open)?;
        if bytes.len() < 24 + 16 {
            return Err(CryptoError::Open);
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: purpose.as_bytes() })
            .map_err(|_| CryptoError::Open)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Open)
    }

    /// The keyed hash a document is looked up by: the same document, the same hash.
    /// The keyed hash a document number is found by from its masked form (`mask_key`), for
    /// any type; `None` when it has none.
    pub fn masked_hash(&self, number: &str) -> Option<String> {
        crate::domain::document::mask_key(number).map(|k| self.lookup_hash("masked", &k))
    }

    pub fn lookup_hash(&self, doc_type: &str, number: &str) -> String {
        let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(&self.mac_key) else { return String::new() };
        mac.update(doc_type.as_bytes());
        mac.update(&[0]);
        mac.update(number.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn seals_and_opens() {
        let k = DataKey::from_hex(KEY).unwrap();
        let a = k.seal("registration.doc_number", "11010519491231002X").unwrap();
        let b = k.seal("registration.doc_number", "11010519491231002X").unwrap();
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("11010519491231002X"));
        assert_eq!(k.open("registration.doc_number", &a).unwrap(), "11010519491231002X");
        assert_eq!(k.open("pass.doc_number", &a), Err(CryptoError::Open), "bound to its purpose");
        let other = DataKey::from_hex(&"ff".repeat(32)).unwrap();
        assert_eq!(other.open("registration.doc_number", &a), Err(CryptoError::Open));
        let mut tampered = a.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == '0' { '1' } else { '0' });
        assert_eq!(k.open("registration.doc_number", &tampered), Err(CryptoError::Open));
        assert_eq!(k.open("registration.doc_number", "11010519491231002X"), Err(CryptoError::Open));
    }

    #[test]
    fn lookup_hash_is_stable_and_keyed() {
        let k = DataKey::from_hex(KEY).unwrap();
        let h = k.lookup_hash("resident_id", "11010519491231002X");
        assert_eq!(h.len(), 64);
        assert_eq!(h, k.lookup_hash("resident_id", "11010519491231002X"));
        assert_ne!(h, k.lookup_hash("passport", "11010519491231002X"));
        assert_ne!(h, DataKey::from_hex(&"ff".repeat(32)).unwrap().lookup_hash("resident_id", "11010519491231002X"));
        assert!(DataKey::from_hex("abc").is_err());
        assert_eq!(format!("{k:?}"), "DataKey(..)");
    }
}
