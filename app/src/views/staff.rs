//! The staff console's pages as they travel: plain data; the words are the page's.

use serde::{Deserialize, Serialize};

/// What a staff account is, for the page to put into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffRole {
    Province,
    Site,
}

/// A site the account acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSite {
    pub code: String,
    pub name: String,
}

/// The console's first page: who is signed in and the sites they act for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHome {
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    pub province: String,
    pub sites: Vec<StaffSite>,
}

/// The second-factor page; `enrol` at the first sign-in, while no code has been given yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorPage {
    pub email: String,
    pub enrol: Option<Enrolment>,
}

/// What an authenticator app needs: the secret as a QR code and as text to type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolment {
    /// Base32, in groups of four for reading.
    pub secret: String,
    /// The `otpauth://` link as an SVG QR code (made on the server, no script).
    pub qr_svg: String,
}

/// The set-password page: whether the link is good, and for which address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetPasswordPage {
    pub email: Option<String>,
}
