//! What every domain error can say about itself: a stable code and plain words in each
//! language we ship. The validation layer attaches the field; the pages only print.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// A reason a value was refused.
pub trait Problem {
    /// Stable machine code without the field prefix, e.g. `checksum`.
    fn code(&self) -> &'static str;
    /// The sentence shown to the user.
    fn message(&self, lang: Lang) -> String;
}
