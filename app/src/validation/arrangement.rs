//! The forms of 考场编排: a room (机房) of a site, an exam batch (场次) of a site in the
//! open session, and the order to arrange. Like every form, parsed in the browser as staff
//! type and again on the server before anything is written; what the database alone knows
//! (the site's offered subjects, the session's exam days) is passed in.

use super::config::{minute, norm_ascii, norm_minute, norm_text, number, spec, text, Says};
use super::{Ctx, FieldErrors, FieldNote, FieldSpec, Notes, Required};
use crate::domain::arrangement::{codes_of, TicketNumber, TicketNumberError, TicketToken, MAX_SEATS};
use crate::domain::{Date, Lang, Minute};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub const ROOM_NAME: FieldSpec = spec("name", "机房名称", true, ROOM_NAME_MAX);
pub const SEATS: FieldSpec = FieldSpec {
    name: "seats",
    label: "座位数",
    required: true,
    max_length: Some(2),
    input_mode: Some("numeric"),
    autocomplete: "off",
};
pub const SUBJECTS: FieldSpec = spec("subjects", "科目代码", false, 200);
pub const STARTS: FieldSpec = spec("starts", "开始时间", true, 16);
pub const ENDS: FieldSpec = spec("ends", "结束时间", true, 16);
pub const CONFIRM: FieldSpec = spec("confirm", "确认重新编排全部考生", false, 3);
pub const TICKET: FieldSpec = FieldSpec {
    name: "ticket",
    label: "准考证号",
    required: true,
    // 16 digits and the spaces a person types between groups, or the ticket's QR code as a
    // scanner types it (about 170 characters).
    max_length: Some(240),
    input_mode: Some("numeric"),
    autocomplete: "off",
};

const ROOM_NAME_MAX: usize = 40;
/// The longest batch: NCRE papers run 90 to 150 minutes.
const BATCH_MAX_MINUTES: u32 = 240;

/// The subject codes a room or batch takes: codes separated by spaces, commas or 、, each one
/// the site offers; none means every subject the site offers.
fn subject_codes(errors: &mut FieldErrors, value: &str, offered: &[&str], lang: Lang) -> Option<BTreeSet<String>> {
    if offered.is_empty() {
        errors.add(
            SUBJECTS.name,
            &Required {
                code: "none_offered",
                zh: "本考点还没有开考科目，请先在考点设置中添加开考科目",
                en: "The site offers no subjects yet: add them in the site's settings first",
            },
            lang,
        );
        return None;
    }
    let codes = codes_of(value);
    if codes.is_empty() {
        return Some(offered.iter().map(|c| (*c).to_owned()).collect());
    }
    let unknown: Vec<&str> = codes.iter().map(String::as_str).filter(|c| !offered.contains(c)).collect();
    if unknown.is_empty() {
        return Some(codes);
    }
    errors.add(
        SUBJECTS.name,
        &Says {
            code: "not_offered",
            zh: format!("本考点没有开考科目{}；可填写：{}", unknown.join("、"), offered.join("、")),
            en: format!("The site does not offer {}; it offers {}", unknown.join(", "), offered.join(", ")),
        },
        lang,
    );
    None
}

/// A room as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomForm {
    #[serde(default)]
    pub site: String,
    /// Set only by the 删除 button's form: the row to remove.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub seats: String,
    #[serde(default)]
    pub subjects: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRoom {
    pub site: String,
    pub name: String,
    pub seats: u8,
    pub subjects: BTreeSet<String>,
}

impl RoomForm {
    pub fn normalize(&self) -> (RoomForm, Vec<FieldNote>) {
        let mut n = Notes::default();
        let f = RoomForm {
            site: self.site.trim().to_owned(),
            id: self.id.trim().to_owned(),
            name: norm_text(&mut n, &ROOM_NAME, &self.name),
            seats: norm_ascii(&mut n, &SEATS, &self.seats),
            subjects: norm_minute(&mut n, &SUBJECTS, &self.subjects),
        };
        (f, n.0)
    }

    /// `offered`: the subject codes the site offers.
    pub fn parse(&self, ctx: &Ctx, offered: &[&str]) -> Result<ValidRoom, FieldErrors> {
        let (f, _) = self.normalize();
        let lang = ctx.lang;
        let mut e = FieldErrors::new();
        let name = text(&mut e, &ROOM_NAME, &f.name, ROOM_NAME_MAX, lang);
        let seats = number::<u8>(&mut e, &SEATS, &f.seats, 1..=i64::from(MAX_SEATS), lang);
        let subjects = subject_codes(&mut e, &f.subjects, offered, lang);
        match (name, seats, subjects) {
            (Some(name), Some(seats), Some(subjects)) if e.is_empty() => {
                Ok(ValidRoom { site: f.site, name, seats, subjects })
            }
            _ => Err(e.sorted_by(&[ROOM_NAME.name, SEATS.name, SUBJECTS.name])),
        }
    }
}

/// An exam batch as posted: its start and end in Beijing time, `2025-03-29 09:00`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    pub site: String,
    /// Set only by the 删除 button's form: the row to remove.
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub ends: String,
    #[serde(default)]
    pub subjects: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBatch {
    pub site: String,
    pub starts: Minute,
    pub ends: Minute,
    pub subjects: BTreeSet<String>,
}

fn minutes_of_day(m: Minute) -> u32 {
    u32::from(m.hour()) * 60 + u32::from(m.minute())
}

impl BatchForm {
    pub fn normalize(&self) -> (BatchForm, Vec<FieldNote>) {
        let mut n = Notes::default();
        let f = BatchForm {
            site: self.site.trim().to_owned(),
            id: self.id.trim().to_owned(),
            starts: norm_minute(&mut n, &STARTS, &self.starts),
            ends: norm_minute(&mut n, &ENDS, &self.ends),
            subjects: norm_minute(&mut n, &SUBJECTS, &self.subjects),
        };
        (f, n.0)
    }

    /// `offered`: the site's subject codes; `days`: the session's first and last exam day,
    /// when set.
    pub fn parse(&self, ctx: &Ctx, offered: &[&str], days: Option<(Date, Date)>) -> Result<ValidBatch, FieldErrors> {
        let (f, _) = self.normalize();
        let lang = ctx.lang;
        let mut e = FieldErrors::new();
        let starts = minute(&mut e, &STARTS, &f.starts, lang);
        let ends = minute(&mut e, &ENDS, &f.ends, lang);
        if let (Some(s), Some((first, last))) = (starts, days) {
            if s.date() < first || s.date() > last {
                e.add(
                    STARTS.name,
                    &Says {
                        code: "outside_session",
                        zh: format!("场次须在本考次的考试日期内（{first} 至 {last}）"),
                        en: format!("A batch must fall on the session's exam days ({first} to {last})"),
                    },
                    lang,
                );
            }
        }
        if let (Some(s), Some(t)) = (starts, ends) {
            let length = minutes_of_day(t).checked_sub(minutes_of_day(s));
            if t.date() != s.date() || length.is_none_or(|l| l == 0) {
                e.add(
                    ENDS.name,
                    &Required {
                        code: "not_after_start",
                        zh: "结束时间须与开始时间在同一天，并且晚于开始时间",
                        en: "The end must be later on the same day as the start",
                    },
                    lang,
                );
            } else if length.is_some_and(|l| l > BATCH_MAX_MINUTES) {
                e.add(
                    ENDS.name,
                    &Says {
                        code: "too_long",
                        zh: format!("一个场次最长{BATCH_MAX_MINUTES}分钟"),
                        en: format!("A batch lasts at most {BATCH_MAX_MINUTES} minutes"),
                    },
                    lang,
                );
            }
        }
        let subjects = subject_codes(&mut e, &f.subjects, offered, lang);
        match (starts, ends, subjects) {
            (Some(starts), Some(ends), Some(subjects)) if e.is_empty() => {
                Ok(ValidBatch { site: f.site, starts, ends, subjects })
            }
            _ => Err(e.sorted_by(&[STARTS.name, ENDS.name, SUBJECTS.name])),
        }
    }
}

/// What 编排 is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrangeMode {
    /// Keep every seat given and place the subjects without one.
    New,
    /// Take every seat back and place everyone again (confirmed).
    All,
    /// Take every seat back and place no one (confirmed): before a room or batch is removed.
    Clear,
}

/// The order to arrange a site, as posted: `mode` is `new`, `all` or `clear`; the last two
/// take back every seat given, so they need the confirmation ticked (beside the button,
/// with or without JavaScript).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrangeForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub confirm: Option<String>,
}

impl ArrangeForm {
    pub fn parse(&self, ctx: &Ctx) -> Result<ArrangeMode, FieldErrors> {
        let confirmed = self.confirm.as_deref().is_some_and(|c| !c.is_empty());
        let mode = match self.mode.trim() {
            "all" => ArrangeMode::All,
            "clear" => ArrangeMode::Clear,
            _ => return Ok(ArrangeMode::New),
        };
        if confirmed {
            return Ok(mode);
        }
        let mut e = FieldErrors::new();
        e.add(
            CONFIRM.name,
            &Required {
                code: "confirm",
                zh: "这会收回已分配的全部座位和准考证号，请先勾选确认",
                en: "This takes back every seat and ticket number: tick to confirm first",
            },
            ctx.lang,
        );
        Err(e)
    }
}

/// What the door's field held: a typed number, or a scanned QR code whose signature the
/// server checks before anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DoorEntry {
    Typed(TicketNumber),
    Scanned(TicketToken),
}

impl DoorEntry {
    pub fn ticket(&self) -> &TicketNumber {
        match self {
            DoorEntry::Typed(t) => t,
            DoorEntry::Scanned(token) => &token.ticket,
        }
    }
}

/// A ticket number typed at the door (检录), or its QR code scanned, as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub ticket: String,
}

impl DoorForm {
    pub fn normalize(&self) -> (DoorForm, Vec<FieldNote>) {
        let mut n = Notes::default();
        let f = DoorForm { site: self.site.trim().to_owned(), ticket: norm_minute(&mut n, &TICKET, &self.ticket) };
        (f, n.0)
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<DoorEntry, FieldErrors> {
        let (f, _) = self.normalize();
        let mut e = FieldErrors::new();
        if TicketToken::looks_like(&f.ticket) {
            return TicketToken::parse(&f.ticket).map(DoorEntry::Scanned).map_err(|_| {
                let problem = Required {
                    code: "token",
                    zh: "二维码内容无法识别：请重新扫描，或输入准考证上的16位准考证号",
                    en: "The QR code could not be read: scan again or type the 16-digit number",
                };
                e.add(TICKET.name, &problem, ctx.lang);
                e
            });
        }
        let problem = match TicketNumber::parse(&f.ticket) {
            Ok(t) => return Ok(DoorEntry::Typed(t)),
            Err(_) if f.ticket.is_empty() => {
                Required { code: "required", zh: "请填写准考证号", en: "Enter the ticket number" }
            }
            Err(TicketNumberError::Shape) => Required {
                code: "shape",
                zh: "准考证号是16位数字，请核对后重新输入",
                en: "A ticket number has 16 digits",
            },
            Err(TicketNumberError::ZeroPart) => Required {
                code: "zero_part",
                zh: "准考证号有误：场次、机房和座位号都不会是00，请核对",
                en: "No batch, room or seat is numbered 00",
            },
        };
        e.add(TICKET.name, &problem, ctx.lang);
        Err(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2025, 3, 1).unwrap())
    }
    fn codes(e: FieldErrors) -> Vec<String> {
        e.iter().map(|e| e.code.clone()).collect()
    }
    const OFFERED: [&str; 3] = ["15", "24", "65"];

    #[test]
    fn a_room_takes_a_name_seats_and_codes_the_site_offers() {
        let form = RoomForm {
            site: "650101".into(),
            id: String::new(),
            name: " 一号机房 ".into(),
            seats: "３０".into(),
            subjects: "65，24".into(),
        };
        let room = form.parse(&ctx(), &OFFERED).unwrap();
        assert_eq!((room.name.as_str(), room.seats), ("一号机房", 30));
        assert_eq!(room.subjects.into_iter().collect::<Vec<_>>(), ["24", "65"]);
        let all = RoomForm { subjects: String::new(), ..form.clone() }.parse(&ctx(), &OFFERED).unwrap();
        assert_eq!(all.subjects.len(), 3, "none written: every subject offered");
        let bad = RoomForm { name: String::new(), seats: "100".into(), subjects: "65 99".into(), ..form.clone() };
        assert_eq!(
            codes(bad.parse(&ctx(), &OFFERED).unwrap_err()),
            ["name.required", "seats.range", "subjects.not_offered"]
        );
        let none = form.parse(&ctx(), &[]).unwrap_err();
        assert_eq!(none.iter().next().unwrap().message, "本考点还没有开考科目，请先在考点设置中添加开考科目");
    }

    #[test]
    fn a_batch_is_later_on_the_same_day_within_the_session() {
        let days = Some((Date::new(2025, 3, 29).unwrap(), Date::new(2025, 3, 30).unwrap()));
        let form = BatchForm {
            site: "650101".into(),
            id: String::new(),
            starts: "2025-03-29 09:00".into(),
            ends: "2025-03-29 10:30".into(),
            subjects: "65".into(),
        };
        let b = form.parse(&ctx(), &OFFERED, days).unwrap();
        assert_eq!((b.starts.to_string(), b.ends.to_string()), ("2025-03-29 09:00".into(), "2025-03-29 10:30".into()));
        let reversed = BatchForm { ends: "2025-03-29 08:00".into(), ..form.clone() };
        assert_eq!(codes(reversed.parse(&ctx(), &OFFERED, days).unwrap_err()), ["ends.not_after_start"]);
        let long = BatchForm { ends: "2025-03-29 14:00".into(), ..form.clone() };
        assert_eq!(codes(long.parse(&ctx(), &OFFERED, days).unwrap_err()), ["ends.too_long"]);
        let outside = BatchForm { starts: "2025-04-01 09:00".into(), ends: "2025-04-01 10:00".into(), ..form.clone() };
        assert_eq!(codes(outside.parse(&ctx(), &OFFERED, days).unwrap_err()), ["starts.outside_session"]);
        let garbled = BatchForm { starts: "9点".into(), ends: String::new(), ..form };
        assert_eq!(codes(garbled.parse(&ctx(), &OFFERED, days).unwrap_err()), ["starts.format", "ends.required"]);
    }

    #[test]
    fn a_ticket_number_at_the_door_is_sixteen_digits() {
        let f = |t: &str| DoorForm { site: "650101".into(), ticket: t.into() }.parse(&ctx());
        assert_eq!(f(" ６５７５ 6501 0101 0105 ").unwrap().ticket().as_str(), "6575650101010105");
        assert_eq!(codes(f("").unwrap_err()), ["ticket.required"]);
        // A scanned QR code: its shape here, its signature on the server.
        let token = format!("NCRE1.6575650101010105.3.{}.{}", "0A".repeat(8), "1B".repeat(64));
        assert!(matches!(f(&token).unwrap(), DoorEntry::Scanned(t) if t.ticket.as_str() == "6575650101010105"));
        assert_eq!(codes(f(&token[..token.len() - 2]).unwrap_err()), ["ticket.token"]);
        assert!(token.len() <= TICKET.max_length.unwrap_or(0));
        assert_eq!(codes(f("657565010101010").unwrap_err()), ["ticket.shape"]);
        assert_eq!(codes(f("6575650101010100").unwrap_err()), ["ticket.zero_part"]);
    }

    #[test]
    fn arranging_everyone_again_needs_the_tick() {
        let f = ArrangeForm { site: "650101".into(), mode: "all".into(), confirm: None };
        assert_eq!(codes(f.parse(&ctx()).unwrap_err()), ["confirm.confirm"]);
        assert_eq!(ArrangeForm { confirm: Some("on".into()), ..f.clone() }.parse(&ctx()), Ok(ArrangeMode::All));
        assert_eq!(ArrangeForm { mode: "clear".into(), ..f.clone() }.parse(&ctx()).unwrap_err().len(), 1);
        assert_eq!(ArrangeForm { mode: "new".into(), ..f }.parse(&ctx()), Ok(ArrangeMode::New));
    }
}
