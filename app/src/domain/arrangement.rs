//! Arrangement (编排): placing each paid subject of a site's candidates into an exam batch
//! (场次), a computer room (机房) and a seat, and the 16-digit ticket number (准考证号) of
//! each placement. Pure: the server reads the site's rooms, batches, paid subjects and
//! existing placements, calls [`arrange`], and writes the new placements in one
//! transaction (`server::arrange`).
//!
//! The rules, each a property tested in `tests/properties.rs`:
//! - never two candidates in one seat of one batch, never more than a room holds;
//! - a candidate never sits two subjects in batches whose times overlap;
//! - a room hosts only the subjects it is set up for, a batch only the subjects chosen for it;
//! - existing placements are kept as they are: a re-run places only the new subjects;
//! - every subject is either placed or reported with the reason it could not be;
//! - the same input gives the same plan (entries are taken in the order given: the server
//!   passes them by payment time, then id).
//!
//! Choosing: a subject goes to the earliest batch (by start, then number) that offers it and
//! still has a seat in a room hosting it, and within that batch to the room least full by
//! share of its seats (ties: lower room number), at the lowest free seat. Filling batches in
//! order keeps later batches free for late payments; balancing rooms within a batch keeps
//! invigilation even.

use std::collections::{BTreeSet, HashMap};

/// Seats a room may have: the ticket number gives the seat two digits.
pub const MAX_SEATS: u8 = 99;
/// Rooms and batches a site may number: two digits each in the ticket number.
pub const MAX_NUMBER: u8 = 99;

/// Subject codes as written by staff or stored: separated by commas (ASCII or full-width),
/// 、 or spaces; blanks dropped, each kept once, in order.
pub fn codes_of(text: &str) -> BTreeSet<String> {
    text.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Codes as stored and shown: `15,24,65`.
pub fn codes_text(codes: &BTreeSet<String>) -> String {
    codes.iter().map(String::as_str).collect::<Vec<_>>().join(",")
}

/// A room as the arrangement sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    pub id: i32,
    /// 1..=99, unique in the site: the room's two digits of the ticket number.
    pub number: u8,
    /// 1..=99.
    pub seats: u8,
    /// The subject codes it can host.
    pub subjects: BTreeSet<String>,
}

/// An exam batch (场次) of the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub id: i32,
    /// 1..=99, unique in the site and session.
    pub number: u8,
    /// Start and end, in any one unit (the server passes minutes since the epoch); `ends > starts`.
    pub starts: i64,
    pub ends: i64,
    /// The subject codes sat in this batch.
    pub subjects: BTreeSet<String>,
}

impl Batch {
    fn overlaps(&self, other: &Batch) -> bool {
        self.starts < other.ends && other.starts < self.ends
    }
}

/// One paid subject of one candidate, waiting for or holding a seat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub enrolment: i32,
    /// The candidate (their registration): two of theirs never overlap in time.
    pub candidate: i32,
    pub subject: String,
}

/// Where a subject sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Seat {
    pub batch: i32,
    pub room: i32,
    /// 1..=the room's seats.
    pub seat: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    pub enrolment: i32,
    pub seat: Seat,
}

/// Why a subject could not be placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unplaced {
    /// No batch of the site is chosen for the subject.
    NoBatch,
    /// No room of the site can host the subject.
    NoRoom,
    /// Every seat of every room that hosts it is taken in every batch that offers it.
    Full,
    /// The seats left are in batches at the same time as the candidate's other subjects.
    Clash,
}

impl Unplaced {
    /// What the staff read in the report.
    pub fn words(self) -> &'static str {
        match self {
            Unplaced::NoBatch => "没有为该科目设置场次",
            Unplaced::NoRoom => "没有可承考该科目的机房",
            Unplaced::Full => "可承考该科目的机房座位已满",
            Unplaced::Clash => "剩余座位所在场次与该考生的其他科目时间冲突",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// The new placements, in the order they were made.
    pub placed: Vec<Placement>,
    /// The subjects left without a seat, with the reason.
    pub unplaced: Vec<(i32, Unplaced)>,
}

/// Taken seats of one room in one batch: bit `n - 1` for seat `n`.
#[derive(Debug, Clone, Copy, Default)]
struct Taken(u128);

impl Taken {
    fn count(self) -> u32 {
        self.0.count_ones()
    }
    fn take(&mut self, seat: u8) -> bool {
        let bit = 1u128 << (seat - 1);
        let free = self.0 & bit == 0;
        self.0 |= bit;
        free
    }
    /// The lowest free seat of a room of `seats`.
    fn lowest_free(self, seats: u8) -> Option<u8> {
        let seat = self.0.trailing_ones() as u8 + 1;
        // trailing_ones finds the first gap; seats above the room's size are never taken.
        (seat <= seats).then_some(seat)
    }
}

/// Places every entry without a placement. `existing` are kept as they are (a seat they hold
/// is never given again, whatever the rooms now say); entries that already hold one are
/// skipped.
pub fn arrange(rooms: &[Room], batches: &[Batch], entries: &[Entry], existing: &[Placement]) -> Plan {
    let mut batches: Vec<&Batch> = batches.iter().collect();
    batches.sort_by_key(|b| (b.starts, b.number, b.id));
    let mut rooms: Vec<&Room> = rooms.iter().collect();
    rooms.sort_by_key(|r| (r.number, r.id));
    let batch_index: HashMap<i32, usize> = batches.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
    let room_index: HashMap<i32, usize> = rooms.iter().enumerate().map(|(i, r)| (r.id, i)).collect();

    let mut taken = vec![Taken::default(); batches.len() * rooms.len()];
    let cell = |b: usize, r: usize| b * rooms.len() + r;
    let candidate_of: HashMap<i32, i32> = entries.iter().map(|e| (e.enrolment, e.candidate)).collect();
    // The batches each candidate already sits in.
    let mut sitting: HashMap<i32, Vec<usize>> = HashMap::new();
    let mut placed_already: BTreeSet<i32> = BTreeSet::new();
    for p in existing {
        placed_already.insert(p.enrolment);
        if let (Some(&b), Some(&r)) = (batch_index.get(&p.seat.batch), room_index.get(&p.seat.room)) {
            if (1..=128).contains(&p.seat.seat) {
                taken[cell(b, r)].take(p.seat.seat);
            }
            if let Some(&c) = candidate_of.get(&p.enrolment) {
                sitting.entry(c).or_default().push(b);
            }
        }
    }

    let mut plan = Plan::default();
    for entry in entries {
        if !placed_already.insert(entry.enrolment) {
            continue;
        }
        let offering: Vec<usize> =
            (0..batches.len()).filter(|&b| batches[b].subjects.contains(&entry.subject)).collect();
        let hosting: Vec<usize> = (0..rooms.len()).filter(|&r| rooms[r].subjects.contains(&entry.subject)).collect();
        if offering.is_empty() {
            plan.unplaced.push((entry.enrolment, Unplaced::NoBatch));
            continue;
        }
        if hosting.is_empty() {
            plan.unplaced.push((entry.enrolment, Unplaced::NoRoom));
            continue;
        }
        let busy = sitting.get(&entry.candidate).map(Vec::as_slice).unwrap_or_default();
        let mut clashed = false;
        let mut choice = None;
        for &b in &offering {
            // The least full room of this batch with a free seat, by share of its seats.
            let best = hosting
                .iter()
                .filter_map(|&r| {
                    let t = taken[cell(b, r)];
                    t.lowest_free(rooms[r].seats).map(|seat| (r, t.count(), seat))
                })
                .min_by(|&(ra, ta, _), &(rb, tb, _)| {
                    (u64::from(ta) * u64::from(rooms[rb].seats))
                        .cmp(&(u64::from(tb) * u64::from(rooms[ra].seats)))
                        .then(ra.cmp(&rb))
                });
            let Some((r, _, seat)) = best else { continue };
            if busy.iter().any(|&other| batches[other].overlaps(batches[b])) {
                clashed = true;
                continue;
            }
            choice = Some((b, r, seat));
            break;
        }
        match choice {
            Some((b, r, seat)) => {
                taken[cell(b, r)].take(seat);
                sitting.entry(entry.candidate).or_default().push(b);
                plan.placed.push(Placement {
                    enrolment: entry.enrolment,
                    seat: Seat { batch: batches[b].id, room: rooms[r].id, seat },
                });
            }
            None => plan.unplaced.push((entry.enrolment, if clashed { Unplaced::Clash } else { Unplaced::Full })),
        }
    }
    plan
}

/// The 16-digit admission-ticket number (准考证号): subject code (2), the session's number
/// (its last 2 digits), site code (6), 考场 (4: batch number then room number, a room in
/// one batch being one 考场), seat (2). Unique in a session: a seat of a batch holds one
/// candidate, and the site code is unique in the province.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNumber(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketNumberError {
    /// Not 16 digits.
    Shape,
    /// A batch, room or seat of 00.
    ZeroPart,
}

impl TicketNumber {
    /// `None` when a part does not fit its digits (a subject or site code of another length,
    /// a number of 0 or above 99).
    pub fn new(subject: &str, session: i32, site: &str, batch: u8, room: u8, seat: u8) -> Option<Self> {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        let part = |n: u8| (1..=99).contains(&n);
        (digits(subject, 2) && session >= 0 && digits(site, 6) && part(batch) && part(room) && part(seat))
            .then(|| Self(format!("{subject}{:02}{site}{batch:02}{room:02}{seat:02}", session % 100)))
    }

    /// A typed or scanned number: spaces ignored, then exactly 16 digits.
    pub fn parse(input: &str) -> Result<Self, TicketNumberError> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TicketNumberError::Shape);
        }
        if [&digits[10..12], &digits[12..14], &digits[14..16]].contains(&"00") {
            return Err(TicketNumberError::ZeroPart);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn subject(&self) -> &str {
        &self.0[..2]
    }
    pub fn site(&self) -> &str {
        &self.0[4..10]
    }
    /// The 考场 number: batch and room, `0102`.
    pub fn exam_room(&self) -> &str {
        &self.0[10..14]
    }
    pub fn seat(&self) -> u8 {
        self.0[14..16].parse().unwrap_or(0)
    }
}

impl std::fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the admission ticket's QR code carries: the ticket number, the session, an 8-byte
/// digest of the document (type and number) and an Ed25519 signature over the three, as
/// text QR codes hold compactly (digits, capitals and `.` only):
/// `NCRE1.6524650101010205.3.0F1E2D3C4B5A6978.<128 hex digits>`.
///
/// Parsing checks the shape only; the signature is checked where the public key is (the
/// server's `printing::token`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketToken {
    pub ticket: TicketNumber,
    pub session: u32,
    pub document: [u8; 8],
    pub signature: [u8; 64],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAToken;

/// Why a scanned token is refused, in the words the door shows, whichever checks it: the
/// server, or the door device itself with the public key alone (the same verdict, the same
/// words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    /// The signature is not the key's over these contents: edited, or not ours.
    BadSignature,
    /// Genuine, but of another session.
    OtherSession,
}

impl TokenProblem {
    pub fn code(self) -> &'static str {
        match self {
            Self::BadSignature => "forged",
            Self::OtherSession => "other_session",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Self::BadSignature => {
                "二维码验证失败：这张准考证不是本系统签发的，或内容被改动过。请核对考生证件，按考场规定处理"
            }
            Self::OtherSession => "这张准考证不是本考次的，请考生出示本次考试的准考证",
        }
    }
}

impl TicketToken {
    pub const PREFIX: &'static str = "NCRE1";

    /// The signed text: everything but the signature.
    pub fn message(ticket: &TicketNumber, session: u32, document: &[u8; 8]) -> String {
        format!("{}.{}.{session}.{}", Self::PREFIX, ticket.as_str(), to_hex(document))
    }

    pub fn text(&self) -> String {
        format!("{}.{}", Self::message(&self.ticket, self.session, &self.document), to_hex(&self.signature))
    }

    /// The verdict once the signature over `message` has been checked (by whoever holds the
    /// public key): the signature first, then that the token is of the open session.
    pub fn verdict(&self, signature_holds: bool, open_session: u32) -> Result<(), TokenProblem> {
        if !signature_holds {
            return Err(TokenProblem::BadSignature);
        }
        if self.session != open_session {
            return Err(TokenProblem::OtherSession);
        }
        Ok(())
    }

    /// Whether typed or scanned text is meant as a token rather than a bare number.
    pub fn looks_like(input: &str) -> bool {
        input.trim_start().get(..Self::PREFIX.len()).is_some_and(|p| p.eq_ignore_ascii_case(Self::PREFIX))
    }

    /// Scanned text: surrounding whitespace ignored, hex in either case.
    pub fn parse(input: &str) -> Result<Self, NotAToken> {
        let mut parts = input.trim().split('.');
        let (Some(prefix), Some(ticket), Some(session), Some(document), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(NotAToken);
        };
        if !prefix.eq_ignore_ascii_case(Self::PREFIX) || session.is_empty() || session.len() > 9 {
            return Err(NotAToken);
        }
        if ticket.len() != 16 || !session.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NotAToken);
        }
        let ticket = TicketNumber::parse(ticket).map_err(|_| NotAToken)?;
        Ok(Self {
            ticket,
            session: session.parse().map_err(|_| NotAToken)?,
            document: from_hex(document).ok_or(NotAToken)?,
            signature: from_hex(signature).ok_or(NotAToken)?,
        })
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    bytes.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)] as char, DIGITS[usize::from(b & 15)] as char]).collect()
}

/// `N` bytes from `2N` hex digits (either case); the door device reads the public key so.
pub fn from_hex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in digits.chunks(2).enumerate() {
        let high = char::from(pair[0]).to_digit(16)?;
        let low = char::from(pair[1]).to_digit(16)?;
        out[i] = u8::try_from(high * 16 + low).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_reads_back_and_refuses_what_is_not_one() {
        let ticket = TicketNumber::parse("6524650101010205").unwrap();
        let token = TicketToken { ticket, session: 3, document: [0xAB; 8], signature: [0x5C; 64] };
        let text = token.text();
        assert!(text.starts_with("NCRE1.6524650101010205.3.ABABABABABABABAB."));
        assert!(text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'.'));
        assert_eq!(TicketToken::parse(&text), Ok(token.clone()));
        assert_eq!(TicketToken::parse(&format!("  {}\n", text.to_lowercase())), Ok(token));
        assert!(TicketToken::looks_like(" ncre1.x"));
        assert!(!TicketToken::looks_like("6524650101010205"));
        for bad in [
            "",
            "NCRE1",
            &text[..text.len() - 1],
            &format!("{text}0"),
            &format!("{text}.1"),
            &text.replace("NCRE1", "NCRE2"),
            &text.replace(".3.", ".x."),
            &text.replace(".3.", ".."),
            &text.replace("6524650101010205", "652465010101020"),
            &text.replace("ABAB", "GBAB"),
        ] {
            assert_eq!(TicketToken::parse(bad), Err(NotAToken), "{bad}");
        }
    }

    fn set(codes: &[&str]) -> BTreeSet<String> {
        codes.iter().map(|c| (*c).to_owned()).collect()
    }
    fn room(id: i32, seats: u8, codes: &[&str]) -> Room {
        Room { id, number: id as u8, seats, subjects: set(codes) }
    }
    fn batch(id: i32, starts: i64, codes: &[&str]) -> Batch {
        Batch { id, number: id as u8, starts, ends: starts + 120, subjects: set(codes) }
    }
    fn entry(enrolment: i32, candidate: i32, subject: &str) -> Entry {
        Entry { enrolment, candidate, subject: subject.into() }
    }

    #[test]
    fn rooms_of_a_batch_fill_evenly_and_the_next_batch_takes_the_rest() {
        let rooms = [room(1, 2, &["65"]), room(2, 4, &["65"])];
        let batches = [batch(1, 0, &["65"]), batch(2, 1000, &["65"])];
        let entries: Vec<Entry> = (1..=8).map(|i| entry(i, i, "65")).collect();
        let plan = arrange(&rooms, &batches, &entries, &[]);
        let in_batch = |b: i32, r: i32| plan.placed.iter().filter(|p| p.seat.batch == b && p.seat.room == r).count();
        assert_eq!((in_batch(1, 1), in_batch(1, 2)), (2, 4));
        assert_eq!(in_batch(2, 1) + in_batch(2, 2), 2);
        // The first two go one to each room (both empty; the lower number first, then the
        // emptier by share).
        assert_eq!(plan.placed[0].seat, Seat { batch: 1, room: 1, seat: 1 });
        assert_eq!(plan.placed[1].seat, Seat { batch: 1, room: 2, seat: 1 });
        assert!(plan.unplaced.is_empty());
    }

    #[test]
    fn each_reason_is_reported() {
        let rooms = [room(1, 1, &["65", "24"])];
        let batches = [batch(1, 0, &["65", "24", "15"]), batch(2, 60, &["24"])];
        let entries = [entry(1, 1, "65"), entry(2, 2, "65"), entry(3, 1, "24"), entry(4, 3, "15"), entry(5, 4, "99")];
        let plan = arrange(&rooms, &batches, &entries, &[]);
        assert_eq!(plan.placed.len(), 1);
        // 2: the only seat of 65 is taken; 3: batch 2 overlaps the candidate's batch 1;
        // 4: no room hosts 15; 5: no batch offers 99.
        assert_eq!(
            plan.unplaced,
            vec![(2, Unplaced::Full), (3, Unplaced::Clash), (4, Unplaced::NoRoom), (5, Unplaced::NoBatch)]
        );
    }

    #[test]
    fn a_rerun_keeps_seats_and_places_only_the_new() {
        let rooms = [room(1, 3, &["65"])];
        let batches = [batch(1, 0, &["65"])];
        let first = arrange(&rooms, &batches, &[entry(1, 1, "65"), entry(2, 2, "65")], &[]);
        let entries = [entry(1, 1, "65"), entry(2, 2, "65"), entry(3, 3, "65")];
        let second = arrange(&rooms, &batches, &entries, &first.placed);
        assert_eq!(second.placed, vec![Placement { enrolment: 3, seat: Seat { batch: 1, room: 1, seat: 3 } }]);
    }

    #[test]
    fn a_token_verdict_checks_the_signature_before_the_session_and_says_why() {
        let token = TicketToken::parse(&format!("NCRE1.6524650101010205.3.{}.{}", "0F".repeat(8), "A".repeat(128)))
            .expect("the shape");
        assert_eq!(token.verdict(true, 3), Ok(()));
        assert_eq!(token.verdict(true, 4), Err(TokenProblem::OtherSession));
        assert_eq!(token.verdict(false, 4), Err(TokenProblem::BadSignature), "a forgery says so, whatever its session");
        assert_eq!(token.verdict(false, 3), Err(TokenProblem::BadSignature));
        assert!(TokenProblem::BadSignature.words().starts_with("二维码验证失败"));
        assert!(TokenProblem::OtherSession.words().contains("不是本考次"));
        assert_ne!(TokenProblem::BadSignature.code(), TokenProblem::OtherSession.code());
        assert_eq!(from_hex::<2>("0fA0"), Some([0x0F, 0xA0]));
        assert_eq!(from_hex::<2>("0fA"), None);
        assert_eq!(from_hex::<1>("g0"), None);
    }

    #[test]
    fn ticket_numbers_have_sixteen_digits_in_their_parts() {
        let t = TicketNumber::new("65", 75, "650101", 1, 12, 30).unwrap();
        assert_eq!(t.as_str(), "6575650101011230");
        assert_eq!((t.subject(), t.site(), t.exam_room(), t.seat()), ("65", "650101", "0112", 30));
        assert_eq!(TicketNumber::new("65", 175, "650101", 1, 1, 1).unwrap().as_str()[2..4], *"75");
        assert_eq!(TicketNumber::new("6", 75, "650101", 1, 1, 1), None);
        assert_eq!(TicketNumber::new("65", 75, "650101", 0, 1, 1), None);
        assert_eq!(TicketNumber::new("65", 75, "650101", 1, 1, 100), None);
        assert_eq!(TicketNumber::parse(" 6575 6501 0101 1230 "), Ok(t));
        assert_eq!(TicketNumber::parse("657565010101123"), Err(TicketNumberError::Shape));
        assert_eq!(TicketNumber::parse("65756501010112a0"), Err(TicketNumberError::Shape));
        assert_eq!(TicketNumber::parse("6575650101011200"), Err(TicketNumberError::ZeroPart));
    }
}
