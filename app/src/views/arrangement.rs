//! What the pages of 考场编排 show: a site's rooms, its batches in the open session, and the
//! arrangement (each 考场 with its seats taken, and what cannot be placed and why).

use crate::domain::{Date, Minute};
use crate::validation::arrangement::{ArrangeForm, BatchForm, DoorForm, RoomForm};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomRow {
    pub id: i32,
    pub number: u8,
    pub name: String,
    pub seats: u8,
    /// Codes, `15,24,65`.
    pub subjects: String,
    /// Subjects arranged into it, all batches.
    pub placed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomsPage {
    pub site: String,
    pub site_name: String,
    /// The site's subject codes.
    pub offered: Vec<String>,
    pub rooms: Vec<RoomRow>,
    pub form: RoomForm,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: i32,
    pub number: u8,
    pub starts: Minute,
    pub ends: Minute,
    pub subjects: String,
    pub placed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchesPage {
    pub site: String,
    pub site_name: String,
    /// `第75次 2025年03月…`.
    pub session: String,
    /// The session's first and last exam day, when set: a batch falls within them.
    pub days: Option<(Date, Date)>,
    pub offered: Vec<String>,
    pub batches: Vec<BatchRow>,
    pub form: BatchForm,
}

/// One 考场: a room in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExamRoomRow {
    /// The ticket number's four digits: batch then room, `0102`.
    pub code: String,
    pub starts: Minute,
    pub ends: Minute,
    pub room: String,
    pub seats: u8,
    pub taken: u64,
}

/// A paid subject that has no seat, and why (what 编排 would report now).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnplacedRow {
    pub registration: i32,
    pub name: String,
    pub subject: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrangePage {
    pub site: String,
    pub site_name: String,
    pub session: String,
    pub rooms: usize,
    pub batches: usize,
    /// Paid subjects of the site's candidates in the session.
    pub paid: usize,
    /// Of them, arranged.
    pub placed: usize,
    pub exam_rooms: Vec<ExamRoomRow>,
    /// What cannot be placed now (at most `UNPLACED_LISTED` by name) and how many in all.
    pub unplaced: Vec<UnplacedRow>,
    pub unplaced_total: usize,
    /// The sites the account may arrange, code and name, to switch between.
    pub sites: Vec<(String, String)>,
    pub form: ArrangeForm,
}

/// 检录 at the door of a site: the form, and the ticket looked up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorPage {
    pub site: String,
    pub site_name: String,
    pub form: DoorForm,
    pub found: Option<DoorCard>,
    /// The ticket key's public half (hex): what a device verifies QR codes with offline.
    pub public_key: String,
    /// The open session's id: a genuine code of another session is refused too.
    pub session: u32,
}

/// A ticket's candidate as the door shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorCard {
    pub registration: i32,
    pub ticket: String,
    pub name: String,
    /// The document number masked.
    pub document: String,
    /// `24 C语言程序设计`.
    pub subject: String,
    /// `0102`.
    pub exam_room: String,
    pub room: String,
    pub seat: u8,
    pub starts: Minute,
    pub ends: Minute,
    pub has_photo: bool,
    /// When and by whom it was checked in, if it was.
    pub checked_in: Option<(Minute, String)>,
}
