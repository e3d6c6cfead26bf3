//! Identity documents: the type a candidate chooses and the number parsed by that type's
//! rule. Birth date and gender are derived where the document encodes them.

use super::date::Date;
use super::message::{Lang, Problem};
use super::national_id::{ResidentId, ResidentIdError};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Self::Male => "male",
            Self::Female => "female",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Male => "男",
            Self::Female => "女",
        }
    }
}

/// Document types a candidate may register with. The wire code is stable (forms, JSON,
/// database); the label is what the candidate sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    ResidentId,
}

impl DocumentType {
    /// Every type, in the order the select lists them.
    pub const ALL: [DocumentType; 1] = [DocumentType::ResidentId];

    pub fn code(self) -> &'static str {
        match self {
            Self::ResidentId => "resident_id",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::ResidentId => "中华人民共和国居民身份证",
        }
    }

    /// The longest normalised number of this type, for the input's `maxlength` hint. The
    /// raw input may be longer (spaces, hyphens), so the hint allows for a few separators.
    pub fn max_len(self) -> usize {
        match self {
            Self::ResidentId => 18,
        }
    }
}

/// A document number valid for its type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DocumentNumber {
    ResidentId(ResidentId),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentNumberError {
    ResidentId(ResidentIdError),
}

impl DocumentNumber {
    /// Parses a normalised number by the rule of `doc_type`.
    pub fn parse(
        doc_type: DocumentType,
        number: &str,
        today: Date,
    ) -> Result<Self, DocumentNumberError> {
        match doc_type {
            DocumentType::ResidentId => ResidentId::parse(number, today)
                .map(Self::ResidentId)
                .map_err(DocumentNumberError::ResidentId),
        }
    }

    pub fn doc_type(&self) -> DocumentType {
        match self {
            Self::ResidentId(_) => DocumentType::ResidentId,
        }
    }

    /// The full number. Callers that show or log it use `Display` (masked) instead.
    pub fn expose(&self) -> &str {
        match self {
            Self::ResidentId(id) => id.as_str(),
        }
    }

    pub fn birth_date(&self) -> Option<Date> {
        match self {
            Self::ResidentId(id) => Some(id.birth_date()),
        }
    }

    pub fn gender(&self) -> Option<Gender> {
        match self {
            Self::ResidentId(id) => Some(id.gender()),
        }
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask(self.expose()))
    }
}

impl Problem for DocumentNumberError {
    fn code(&self) -> &'static str {
        match self {
            Self::ResidentId(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        match self {
            Self::ResidentId(e) => e.message(lang),
        }
    }
}

/// Masks a document number for display and logs: the first four and last four characters
/// stay, everything between becomes `*` (`6501**********123X`). Numbers of eight characters
/// or fewer keep only their last two.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    let (head, tail) = if n > 8 { (4, 4) } else { (0, n.min(2)) };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(mask("65010220010203123X"), "6501**********123X");
        assert_eq!(mask("H1234567"), "******67");
        assert_eq!(mask(""), "");
    }

    #[test]
    fn codes_round_trip() {
        for t in DocumentType::ALL {
            assert_eq!(DocumentType::from_code(t.code()), Some(t));
        }
        assert_eq!(DocumentType::from_code("nope"), None);
    }
}
