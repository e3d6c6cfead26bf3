//! The home page's data (screen 1): the signed-in pass, the session, and how far the
//! candidate's registration has got.

use super::WindowState;
use crate::domain::DocumentType;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeView {
    /// `None`: nobody is signed in.
    pub pass: Option<PassBrief>,
    /// `None`: no session is open for registration.
    pub session: Option<SessionBrief>,
    /// `None`: no registration yet (or nobody signed in).
    pub status: Option<HomeStatus>,
}

/// The pass as pages show it: the number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassBrief {
    /// `None` only for a corrupt stored code; the page puts the type into words.
    pub doc_type: Option<DocumentType>,
    pub masked_number: String,
    pub name: String,
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionBrief {
    pub number: i32,
    pub name: String,
    /// `(65)新疆维吾尔自治区`
    pub province: String,
    /// The registration's site's window, or the session's before a site is chosen.
    pub window_state: WindowState,
    /// 准考证打印开始时间 (Beijing).
    pub ticket_print_starts: Option<String>,
}

/// The statuses of screen 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeStatus {
    pub site: Option<String>,
    pub window: Option<String>,
    pub agreement: bool,
    pub personal: bool,
    pub photo: bool,
    pub locked: bool,
    pub subjects: usize,
    pub paid: usize,
}
