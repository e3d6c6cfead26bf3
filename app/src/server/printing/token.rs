//! The ticket QR code's signature (Ed25519). The key comes from configuration
//! (`TICKET_SIGNING_KEY`, PKCS#8 hex, or derived from the data key when unset); a scanned
//! token is checked with the public key alone, so a door device holding only the public
//! key can tell a genuine ticket from an edited or invented one.

pub use crate::domain::arrangement::TokenProblem;
use crate::domain::arrangement::{TicketNumber, TicketToken};
use pay_protocol::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

pub struct TicketKeys {
    signing: SigningKey,
    public: VerifyingKey,
}

impl std::fmt::Debug for TicketKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TicketKeys").field(&self.public.to_hex()).finish()
    }
}

/// The 8-byte digest of a document a token carries: the document type's code and the
/// number, so a token cannot be moved to another person's document unseen.
pub fn document_digest(doc_type: &str, number: &str) -> [u8; 8] {
    let mut h = Sha256::new();
    h.update(b"ncre ticket document v1\0");
    h.update(doc_type.as_bytes());
    h.update([0]);
    h.update(number.trim().to_uppercase().as_bytes());
    let full = h.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

impl TicketKeys {
    pub fn new(signing: SigningKey) -> Self {
        let public = signing.public();
        Self { signing, public }
    }

    pub fn public_hex(&self) -> String {
        self.public.to_hex()
    }

    pub fn sign(&self, ticket: &TicketNumber, session: u32, document: [u8; 8]) -> TicketToken {
        let signature = self.signing.sign_bytes(TicketToken::message(ticket, session, &document).as_bytes());
        TicketToken { ticket: ticket.clone(), session, document, signature }
    }

    /// Checks a scanned token with the public key, then that it is of `session`.
    pub fn verify(&self, token: &TicketToken, session: u32) -> Result<(), TokenProblem> {
        verify_with(&self.public, token, session)
    }
}

/// The check itself, needing only the public key.
pub fn verify_with(public: &VerifyingKey, token: &TicketToken, session: u32) -> Result<(), TokenProblem> {
    let message = TicketToken::message(&token.ticket, token.session, &token.document);
    token.verdict(public.verify_bytes(message.as_bytes(), &token.signature).is_ok(), session)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(seed: u8) -> TicketKeys {
        TicketKeys::new(SigningKey::from_seed(&[seed; 32]).unwrap())
    }

    #[test]
    fn a_signed_token_verifies_and_any_edit_is_refused() {
        let k = keys(1);
        let ticket = TicketNumber::parse("6524650101010205").unwrap();
        let doc = document_digest("resident_id", "11010519491231002X");
        assert_eq!(doc, document_digest("resident_id", " 11010519491231002x "));
        assert_ne!(doc, document_digest("passport", "11010519491231002X"));
        let token = k.sign(&ticket, 3, doc);
        let text = token.text();
        let back = TicketToken::parse(&text).unwrap();
        assert_eq!(k.verify(&back, 3), Ok(()));
        assert_eq!(k.verify(&back, 4), Err(TokenProblem::OtherSession));
        assert_eq!(keys(2).verify(&back, 3), Err(TokenProblem::BadSignature), "another key's");

        // Change any one hex digit or digit of the text: the shape may still parse, the
        // signature never holds.
        for i in 0..text.len() {
            let c = text.as_bytes()[i];
            if c == b'.' {
                continue;
            }
            let other = if c == b'1' { '2' } else { '1' };
            let mut edited = text.clone();
            edited.replace_range(i..=i, &other.to_string());
            if let Ok(t) = TicketToken::parse(&edited) {
                assert!(k.verify(&t, t.session).is_err(), "edited at {i}: {edited}");
            }
        }
    }
}
