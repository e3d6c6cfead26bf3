//! The staff console's configuration forms: an exam session (考次), a site (考点) with its
//! registration window, a subject offered at a site (fee and capacity), and a notice. Like
//! the candidates' steps, each is the raw form as posted and a `parse` the browser runs as
//! staff type and the server runs again before writing. What only the database knows (the
//! seats already taken, whether a code is in use) is the server's answer alone, in the same
//! shape: a message beside the field.

use super::{Choose, Ctx, FieldErrors, FieldNote, FieldSpec, Notes, Required};
use crate::domain::photo::Background;
use crate::domain::text::{normalize_ascii, normalize_text};
use crate::domain::{Date, Lang, Minute, Problem};
use serde::{Deserialize, Serialize};

pub(super) const fn spec(name: &'static str, label: &'static str, required: bool, max_length: usize) -> FieldSpec {
    FieldSpec { name, label, required, max_length: Some(max_length), input_mode: None, autocomplete: "off" }
}

pub(super) const fn numeric(name: &'static str, label: &'static str, max_length: usize) -> FieldSpec {
    FieldSpec {
        name,
        label,
        required: true,
        max_length: Some(max_length),
        input_mode: Some("numeric"),
        autocomplete: "off",
    }
}

pub const SESSION_NUMBER: FieldSpec = numeric("number", "考次", 4);
pub const SESSION_NAME: FieldSpec = spec("name", "考次名称", true, NAME_MAX);
pub const FIRST_DAY: FieldSpec = spec("first_day", "考试开始日期", true, 10);
pub const LAST_DAY: FieldSpec = spec("last_day", "考试结束日期", true, 10);
pub const TICKET_PRINT: FieldSpec = spec("ticket_print", "准考证打印开始时间", false, 19);

pub const SITE_CODE: FieldSpec = numeric("code", "考点代码", 6);
pub const SITE_NAME: FieldSpec = spec("name", "考点名称", true, NAME_MAX);
pub const OPENS: FieldSpec = spec("opens", "网上报名开始时间", true, 19);
pub const CLOSES: FieldSpec = spec("closes", "网上报名结束时间", true, 19);
pub const MAX_SUBJECTS: FieldSpec = numeric("max_subjects", "本考点最多可报考科目数", 2);
pub const SELF_PRINT: FieldSpec = spec("self_print", "允许考生自行打印准考证", false, 3);
pub const BACKGROUND: FieldSpec = spec("background", "照片背景颜色要求", true, 16);
pub const NEEDS_DEPARTMENT: FieldSpec = spec("needs_department", "考生必须填写院系（校内考点）", false, 3);
pub const NEEDS_STUDENT_NO: FieldSpec = spec("needs_student_no", "考生必须填写学号（校内考点）", false, 3);
pub const NEEDS_REVIEW: FieldSpec = spec("needs_review", "报名须经考点网上审核后才能缴费", false, 3);

pub const SUBJECT: FieldSpec = spec("subject", "科目", true, 4);
pub const FEE: FieldSpec = FieldSpec {
    name: "fee",
    label: "报名费（元）",
    required: true,
    max_length: Some(10),
    input_mode: Some("decimal"),
    autocomplete: "off",
};
pub const CAPACITY: FieldSpec = numeric("capacity", "容量（人）", 6);

pub const NOTICE_TITLE: FieldSpec = spec("title", "标题", true, 80);
pub const NOTICE_BODY: FieldSpec = spec("body", "正文", true, NOTICE_BODY_MAX);
pub const PUBLISH_AT: FieldSpec = spec("publish_at", "发布时间", false, 19);

const NAME_MAX: usize = 60;
const NOTICE_BODY_MAX: usize = 5000;
/// A session's number: 第1次 to 第999次.
const SESSION_NUMBER_MAX: u32 = 999;
/// What a site may offer one candidate in one session.
pub const MAX_SUBJECTS_LIMIT: u8 = 10;
/// The largest fee accepted, in yuan (seen: 30 to 100).
pub const FEE_MAX_YUAN: i64 = 1000;
/// The largest capacity of one subject at one site.
pub const CAPACITY_MAX: i32 = 100_000;

/// A tick box as posted: present (any value) when ticked.
fn ticked(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.is_empty())
}

/// A refusal whose words carry numbers (a bound, what is already taken).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Says {
    pub code: &'static str,
    pub zh: String,
    pub en: String,
}

impl Problem for Says {
    fn code(&self) -> &'static str {
        self.code
    }
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => self.zh.clone(),
            Lang::En => self.en.clone(),
        }
    }
}

pub(super) fn missing(label: &str) -> Says {
    Says { code: "required", zh: format!("请填写{label}"), en: "Fill this in".into() }
}

/// Text of 1 to `max` characters, no control characters; `None` (and an error) otherwise.
pub(super) fn text(errors: &mut FieldErrors, spec: &FieldSpec, value: &str, max: usize, lang: Lang) -> Option<String> {
    if value.is_empty() {
        errors.add(spec.name, &missing(spec.label), lang);
        return None;
    }
    bounded(errors, spec, value, max, lang).then(|| value.to_owned())
}

/// Whether free text (empty allowed) keeps to `max` characters and holds no control
/// characters; `false` with the error added otherwise.
pub(super) fn bounded(errors: &mut FieldErrors, spec: &FieldSpec, value: &str, max: usize, lang: Lang) -> bool {
    let count = value.chars().count();
    if count > max {
        errors.add(
            spec.name,
            &Says {
                code: "too_long",
                zh: format!("{}最多{max}个字，现在是{count}个字", spec.label),
                en: format!("At most {max} characters (now {count})"),
            },
            lang,
        );
    } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        errors.add(
            spec.name,
            &Required {
                code: "control",
                zh: "含有无法显示的控制字符，请删除后重新输入",
                en: "Remove the invisible control characters",
            },
            lang,
        );
    } else {
        return true;
    }
    false
}

/// A whole number in `range`, written in ASCII or full-width digits.
pub(super) fn number<T: TryFrom<i64> + Copy>(
    errors: &mut FieldErrors,
    spec: &FieldSpec,
    value: &str,
    range: std::ops::RangeInclusive<i64>,
    lang: Lang,
) -> Option<T> {
    if value.is_empty() {
        errors.add(spec.name, &missing(spec.label), lang);
        return None;
    }
    let parsed = value.bytes().all(|b| b.is_ascii_digit()).then(|| value.parse::<i64>().ok()).flatten();
    match parsed.filter(|n| range.contains(n)).and_then(|n| T::try_from(n).ok()) {
        Some(n) => Some(n),
        None => {
            let (lo, hi) = (range.start(), range.end());
            errors.add(
                spec.name,
                &Says {
                    code: "range",
                    zh: format!("{}请填写{lo}到{hi}之间的整数", spec.label),
                    en: format!("Enter a whole number from {lo} to {hi}"),
                },
                lang,
            );
            None
        }
    }
}

pub(super) fn minute(errors: &mut FieldErrors, spec: &FieldSpec, value: &str, lang: Lang) -> Option<Minute> {
    if value.is_empty() {
        errors.add(spec.name, &missing(spec.label), lang);
        return None;
    }
    let found = Minute::parse(value);
    if found.is_none() {
        errors.add(
            spec.name,
            &Says {
                code: "format",
                zh: format!("{}请按“2025-01-06 10:00”的格式填写（北京时间）", spec.label),
                en: "Write it as 2025-01-06 10:00 (Beijing time)".into(),
            },
            lang,
        );
    }
    found
}

fn date(errors: &mut FieldErrors, spec: &FieldSpec, value: &str, lang: Lang) -> Option<Date> {
    if value.is_empty() {
        errors.add(spec.name, &missing(spec.label), lang);
        return None;
    }
    let found = Date::from_iso(value);
    if found.is_none() {
        errors.add(
            spec.name,
            &Says {
                code: "format",
                zh: format!("{}请按“2025-03-29”的格式填写一个真实的日期", spec.label),
                en: "Write a real date as 2025-03-29".into(),
            },
            lang,
        );
    }
    found
}

pub(super) fn norm_text(notes: &mut Notes, spec: &FieldSpec, v: &str) -> String {
    notes.take(spec.name, normalize_text(v))
}

pub(super) fn norm_ascii(notes: &mut Notes, spec: &FieldSpec, v: &str) -> String {
    notes.take(spec.name, normalize_ascii(v, true))
}

/// A date-time keeps its inner space (`2025-01-06 10:00`): trim and full-width only.
pub(super) fn norm_minute(notes: &mut Notes, spec: &FieldSpec, v: &str) -> String {
    notes.take(spec.name, normalize_ascii(v, false))
}

// ---- 考次 ----

/// 考次设置, as posted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub first_day: String,
    #[serde(default)]
    pub last_day: String,
    #[serde(default)]
    pub ticket_print: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidSession {
    pub number: i32,
    pub name: String,
    pub first_day: Date,
    pub last_day: Date,
    pub ticket_print: Option<Minute>,
}

impl SessionForm {
    pub fn normalize(&self) -> (SessionForm, Vec<FieldNote>) {
        let mut n = Notes::default();
        let f = SessionForm {
            number: norm_ascii(&mut n, &SESSION_NUMBER, &self.number),
            name: norm_text(&mut n, &SESSION_NAME, &self.name),
            first_day: norm_ascii(&mut n, &FIRST_DAY, &self.first_day),
            last_day: norm_ascii(&mut n, &LAST_DAY, &self.last_day),
            ticket_print: norm_minute(&mut n, &TICKET_PRINT, &self.ticket_print),
        };
        (f, n.0)
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<ValidSession, FieldErrors> {
        let (f, _) = self.normalize();
        let lang = ctx.lang;
        let mut e = FieldErrors::new();
        let number = number::<i32>(&mut e, &SESSION_NUMBER, &f.number, 1..=i64::from(SESSION_NUMBER_MAX), lang);
        let name = text(&mut e, &SESSION_NAME, &f.name, NAME_MAX, lang);
        let first_day = date(&mut e, &FIRST_DAY, &f.first_day, lang);
        let last_day = date(&mut e, &LAST_DAY, &f.last_day, lang);
        if let (Some(a), Some(b)) = (first_day, last_day) {
            if b < a {
                e.add(
                    LAST_DAY.name,
                    &Required {
                        code: "before_first",
                        zh: "考试结束日期不能早于开始日期",
                        en: "The last day cannot be before the first",
                    },
                    lang,
                );
            }
        }
        let ticket_print =
            if f.ticket_print.is_empty() { None } else { minute(&mut e, &TICKET_PRINT, &f.ticket_print, lang) };
        if let (Some(t), Some(b)) = (ticket_print, last_day) {
            if t.date() > b {
                e.add(
                    TICKET_PRINT.name,
                    &Required {
                        code: "after_exam",
                        zh: "准考证打印开始时间不能晚于考试结束日期",
                        en: "Ticket printing must start before the exam ends",
                    },
                    lang,
                );
            }
        }
        match (number, name, first_day, last_day) {
            (Some(number), Some(name), Some(first_day), Some(last_day)) if e.is_empty() => {
                Ok(ValidSession { number, name, first_day, last_day, ticket_print })
            }
            _ => Err(e.sorted_by(&[
                SESSION_NUMBER.name,
                SESSION_NAME.name,
                FIRST_DAY.name,
                LAST_DAY.name,
                TICKET_PRINT.name,
            ])),
        }
    }
}

// ---- 考点 ----

/// 考点设置, as posted. `code` is typed when the province creates a site and sent hidden
/// when a site is edited (it never changes: candidates' registrations name it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub opens: String,
    #[serde(default)]
    pub closes: String,
    #[serde(default)]
    pub max_subjects: String,
    #[serde(default)]
    pub self_print: Option<String>,
    #[serde(default)]
    pub background: String,
    #[serde(default)]
    pub needs_department: Option<String>,
    #[serde(default)]
    pub needs_student_no: Option<String>,
    #[serde(default)]
    pub needs_review: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidSite {
    pub code: String,
    pub name: String,
    pub opens: Minute,
    pub closes: Minute,
    pub max_subjects: u8,
    pub allows_self_print: bool,
    pub background: Background,
    pub requires_department: bool,
    pub requires_student_no: bool,
    pub requires_review: bool,
}

const SITE_ORDER: [&str; 10] = [
    SITE_CODE.name,
    SITE_NAME.name,
    OPENS.name,
    CLOSES.name,
    MAX_SUBJECTS.name,
    SELF_PRINT.name,
    BACKGROUND.name,
    NEEDS_DEPARTMENT.name,
    NEEDS_STUDENT_NO.name,
    NEEDS_REVIEW.name,
];

impl SiteForm {
    pub fn normalize(&self) -> (SiteForm, Vec<FieldNote>) {
        let mut n = Notes::default();
        let f = SiteForm {
            code: norm_ascii(&mut n, &SITE_CODE, &self.code),
            name: norm_text(&mut n, &SITE_NAME, &self.name),
            opens: norm_minute(&mut n, &OPENS, &self.opens),
            closes: norm_minute(&mut n, &CLOSES, &self.closes),
            max_subjects: norm_ascii(&mut n, &MAX_SUBJECTS, &self.max_subjects),
            background: self.background.trim().to_owned(),
            ..self.clone()
        };
        (f, n.0)
    }

    /// `province` is the two-digit code of the province the site belongs to: a site code
    /// starts with it.
    pub fn parse(&self, ctx: &Ctx, province: &str) -> Result<ValidSite, FieldErrors> {
        let (f, _) = self.normalize();
        let lang = ctx.lang;
        let mut e = FieldErrors::new();
        let code = if f.code.is_empty() {
            e.add(SITE_CODE.name, &missing(SITE_CODE.label), lang);
            None
        } else if f.code.len() != 6 || !f.code.bytes().all(|b| b.is_ascii_digit()) {
            e.add(
                SITE_CODE.name,
                &Required { code: "format", zh: "考点代码是6位数字", en: "A site code is 6 digits" },
                lang,
            );
            None
        } else if !f.code.starts_with(province) {
            e.add(
                SITE_CODE.name,
                &Says {
                    code: "province",
                    zh: format!("考点代码的前两位是省份代码，本省应以{province}开头"),
                    en: format!("A site code starts with the province code {province}"),
                },
                lang,
            );
            None
        } else {
            Some(f.code.clone())
        };
        let name = text(&mut e, &SITE_NAME, &f.name, NAME_MAX, lang);
        let opens = minute(&mut e, &OPENS, &f.opens, lang);
        let closes = minute(&mut e, &CLOSES, &f.closes, lang);
        if let (Some(a), Some(b)) = (opens, closes) {
            if b <= a {
                e.add(
                    CLOSES.name,
                    &Required {
                        code: "before_opens",
                        zh: "网上报名结束时间必须晚于开始时间",
                        en: "The window must close after it opens",
                    },
                    lang,
                );
            }
        }
        let max_subjects =
            number::<u8>(&mut e, &MAX_SUBJECTS, &f.max_subjects, 1..=i64::from(MAX_SUBJECTS_LIMIT), lang);
        let background = Background::from_code(&f.background);
        if background.is_none() {
            e.add(BACKGROUND.name, &Choose { label: BACKGROUND.label, empty: f.background.is_empty() }, lang);
        }
        match (code, name, opens, closes, max_subjects, background) {
            (Some(code), Some(name), Some(opens), Some(closes), Some(max_subjects), Some(background))
                if e.is_empty() =>
            {
                Ok(ValidSite {
                    code,
                    name,
                    opens,
                    closes,
                    max_subjects,
                    allows_self_print: ticked(&f.self_print),
                    background,
                    requires_department: ticked(&f.needs_department),
                    requires_student_no: ticked(&f.needs_student_no),
                    requires_review: ticked(&f.needs_review),
                })
            }
            _ => Err(e.sorted_by(&SITE_ORDER)),
        }
    }
}

// ---- 考点开考科目 ----

/// A subject offered at a site, as posted: `site` hidden, `subject` chosen from the
/// national catalogue (or hidden when an offered one is edited), fee and capacity typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub fee: String,
    #[serde(default)]
    pub capacity: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidOffer {
    pub site: String,
    pub subject: String,
    pub fee_fen: i64,
    pub capacity: i32,
}

/// The server's refusal of a capacity below the seats already taken.
pub fn capacity_below_taken(taken: i32) -> Says {
    Says {
        code: "below_taken",
        zh: format!("已有{taken}名考生报考这个科目，容量不能少于{taken}"),
        en: format!("{taken} candidates have taken this subject: the capacity cannot be below {taken}"),
    }
}

/// A fee in yuan, `80`, `80.5` or `80.00` (a leading `¥` or `￥` and a trailing `元` are
/// dropped), as whole fen; more than two decimals, zero or a negative amount is refused.
pub fn parse_fee(raw: &str) -> Result<i64, Says> {
    let v = raw.trim_start_matches(['¥', '￥']).trim_end_matches('元').trim();
    let (whole, part) = v.split_once('.').unwrap_or((v, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let bad = || Says {
        code: "format",
        zh: format!("报名费请填写金额，如 80 或 80.50（元），最多两位小数，不超过{FEE_MAX_YUAN}元"),
        en: format!("Enter an amount such as 80 or 80.50 (yuan), at most two decimals, up to {FEE_MAX_YUAN}"),
    };
    if whole.is_empty() || whole.len() > 4 || part.len() > 2 || !digits(whole) || !digits(part) {
        return Err(bad());
    }
    let yuan: i64 = whole.parse().map_err(|_| bad())?;
    let fen: i64 = if part.is_empty() { 0 } else { format!("{part:0<2}").parse().map_err(|_| bad())? };
    let total = yuan * 100 + fen;
    if total <= 0 || total > FEE_MAX_YUAN * 100 {
        return Err(bad());
    }
    Ok(total)
}

/// `80` or `80.50`: a fee as the form shows it again.
pub fn fee_input(fen: i64) -> String {
    if fen % 100 == 0 {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

impl OfferForm {
    pub fn normalize(&self) -> (OfferForm, Vec<FieldNote>) {
        let mut n = Notes::default();
        let f = OfferForm {
            site: self.site.trim().to_owned(),
            subject: self.subject.trim().to_owned(),
            fee: norm_ascii(&mut n, &FEE, &self.fee),
            capacity: norm_ascii(&mut n, &CAPACITY, &self.capacity),
        };
        (f, n.0)
    }

    /// `catalogue` holds the subject codes that may be chosen (the national catalogue, in
    /// force for the session).
    pub fn parse(&self, ctx: &Ctx, catalogue: &[&str]) -> Result<ValidOffer, FieldErrors> {
        let (f, _) = self.normalize();
        let lang = ctx.lang;
        let mut e = FieldErrors::new();
        let subject = catalogue.iter().find(|c| **c == f.subject).map(|c| (*c).to_owned());
        if subject.is_none() {
            e.add(SUBJECT.name, &Choose { label: SUBJECT.label, empty: f.subject.is_empty() }, lang);
        }
        let fee_fen = if f.fee.is_empty() {
            e.add(FEE.name, &missing("报名费"), lang);
            None
        } else {
            parse_fee(&f.fee).map_err(|p| e.add(FEE.name, &p, lang)).ok()
        };
        let capacity = number::<i32>(&mut e, &CAPACITY, &f.capacity, 0..=i64::from(CAPACITY_MAX), lang);
        match (subject, fee_fen, capacity) {
            (Some(subject), Some(fee_fen), Some(capacity)) if e.is_empty() => {
                Ok(ValidOffer { site: f.site, subject, fee_fen, capacity })
            }
            _ => Err(e.sorted_by(&[SUBJECT.name, FEE.name, CAPACITY.name])),
        }
    }
}

// ---- 通告 ----

/// A notice, as posted: `site` empty for the province's 考试通告, a site code for a
/// 考点通告; `publish_at` empty means now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeForm {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub publish_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidNotice {
    pub site: Option<String>,
    pub title: String,
    pub body: String,
    pub publish_at: Option<Minute>,
}

impl NoticeForm {
    pub fn normalize(&self) -> (NoticeForm, Vec<FieldNote>) {
        let mut n = Notes::default();
        let f = NoticeForm {
            site: self.site.trim().to_owned(),
            title: norm_text(&mut n, &NOTICE_TITLE, &self.title),
            body: norm_text(&mut n, &NOTICE_BODY, &self.body),
            publish_at: norm_minute(&mut n, &PUBLISH_AT, &self.publish_at),
        };
        (f, n.0)
    }

    pub fn parse(&self, ctx: &Ctx) -> Result<ValidNotice, FieldErrors> {
        let (f, _) = self.normalize();
        let lang = ctx.lang;
        let mut e = FieldErrors::new();
        let title = text(&mut e, &NOTICE_TITLE, &f.title, 80, lang);
        let body = text(&mut e, &NOTICE_BODY, &f.body, NOTICE_BODY_MAX, lang);
        let publish_at = if f.publish_at.is_empty() { None } else { minute(&mut e, &PUBLISH_AT, &f.publish_at, lang) };
        match (title, body) {
            (Some(title), Some(body)) if e.is_empty() => {
                Ok(ValidNotice { site: (!f.site.is_empty()).then_some(f.site), title, body, publish_at })
            }
            _ => Err(e.sorted_by(&[NOTICE_TITLE.name, NOTICE_BODY.name, PUBLISH_AT.name])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx::new(Date::new(2026, 12, 4).unwrap())
    }

    fn codes(e: FieldErrors) -> Vec<String> {
        e.iter().map(|e| e.code.clone()).collect()
    }

    fn site() -> SiteForm {
        SiteForm {
            code: "650101".into(),
            name: "乌鲁木齐职业大学".into(),
            opens: "2025-01-06 10:00".into(),
            closes: "2025-01-10T19:30".into(),
            max_subjects: "2".into(),
            self_print: Some("on".into()),
            background: "light_blue".into(),
            needs_department: None,
            needs_student_no: Some("on".into()),
            needs_review: None,
        }
    }

    #[test]
    fn a_site_parses_with_its_window_and_options() {
        let v = site().parse(&ctx(), "65").unwrap();
        assert_eq!(v.code, "650101");
        assert_eq!(v.opens.to_string(), "2025-01-06 10:00");
        assert_eq!(v.closes.to_string(), "2025-01-10 19:30");
        assert_eq!(v.max_subjects, 2);
        assert!(v.allows_self_print && v.requires_student_no && !v.requires_department);
        assert_eq!(v.background, Background::LightBlue);
        let full_width = SiteForm { code: "６５０１０１".into(), max_subjects: "２".into(), ..site() };
        assert_eq!(full_width.parse(&ctx(), "65").unwrap().code, "650101");
    }

    #[test]
    fn a_site_code_is_six_digits_of_its_province() {
        let code = |c: &str| codes(SiteForm { code: c.into(), ..site() }.parse(&ctx(), "65").unwrap_err());
        assert_eq!(code(""), ["code.required"]);
        assert_eq!(code("65010"), ["code.format"]);
        assert_eq!(code("65010a"), ["code.format"]);
        assert_eq!(code("110101"), ["code.province"]);
        let e = SiteForm { code: "110101".into(), ..site() }.parse(&ctx(), "65").unwrap_err();
        assert!(e.iter().next().unwrap().message.contains("65"));
    }

    #[test]
    fn a_window_closes_after_it_opens_and_bounds_are_said() {
        let e = SiteForm { closes: "2025-01-06 10:00".into(), ..site() }.parse(&ctx(), "65").unwrap_err();
        assert_eq!(codes(e), ["closes.before_opens"]);
        let e = SiteForm { opens: "2025/01/06".into(), max_subjects: "0".into(), background: "green".into(), ..site() }
            .parse(&ctx(), "65")
            .unwrap_err();
        assert_eq!(codes(e.clone()), ["opens.format", "max_subjects.range", "background.unknown"]);
        assert!(e.get("max_subjects").unwrap().message.contains("1到10"));
        let e = SiteForm { name: "考".repeat(61), ..site() }.parse(&ctx(), "65").unwrap_err();
        assert_eq!(codes(e), ["name.too_long"]);
        let e = SiteForm::default().parse(&ctx(), "65").unwrap_err();
        assert_eq!(
            codes(e),
            [
                "code.required",
                "name.required",
                "opens.required",
                "closes.required",
                "max_subjects.required",
                "background.required"
            ]
        );
    }

    #[test]
    fn fees_are_yuan_with_at_most_two_decimals() {
        assert_eq!(parse_fee("80"), Ok(8000));
        assert_eq!(parse_fee("80.5"), Ok(8050));
        assert_eq!(parse_fee("80.05"), Ok(8005));
        assert_eq!(parse_fee("¥100.00"), Ok(10000));
        assert_eq!(parse_fee("30元"), Ok(3000));
        assert_eq!(parse_fee("1000"), Ok(100_000));
        for bad in ["", "0", "0.00", "-5", "80.555", "1000.01", "1e3", "80,5", ".5", "abc", "99999"] {
            assert!(parse_fee(bad).is_err(), "{bad}");
        }
        assert_eq!(fee_input(8000), "80");
        assert_eq!(fee_input(8050), "80.50");
        for fen in [1, 99, 100, 8005, 100_000] {
            assert_eq!(parse_fee(&fee_input(fen)), Ok(fen));
        }
    }

    #[test]
    fn an_offer_is_a_catalogue_subject_a_fee_and_a_capacity() {
        let form =
            OfferForm { site: "650101".into(), subject: "24".into(), fee: " ８０ ".into(), capacity: "120".into() };
        let v = form.parse(&ctx(), &["24", "65"]).unwrap();
        assert_eq!((v.subject.as_str(), v.fee_fen, v.capacity), ("24", 8000, 120));
        let e = OfferForm { subject: "27".into(), fee: "".into(), capacity: "-1".into(), ..form.clone() }
            .parse(&ctx(), &["24"])
            .unwrap_err();
        assert_eq!(codes(e), ["subject.unknown", "fee.required", "capacity.range"]);
        assert!(
            OfferForm { capacity: "0".into(), ..form.clone() }.parse(&ctx(), &["24"]).is_ok(),
            "0 closes a subject"
        );
        assert!(OfferForm { capacity: "100001".into(), ..form }.parse(&ctx(), &["24"]).is_err());
        assert!(capacity_below_taken(7).message(Lang::ZhCn).contains("7"));
    }

    #[test]
    fn a_session_has_its_days_in_order_and_printing_before_the_end() {
        let form = SessionForm {
            number: "75".into(),
            name: "2025年03月全国计算机等级考试".into(),
            first_day: "2025-03-29".into(),
            last_day: "2025-03-31".into(),
            ticket_print: "2025-03-20 09:00".into(),
        };
        let v = form.parse(&ctx()).unwrap();
        assert_eq!((v.number, v.ticket_print.unwrap().to_string()), (75, "2025-03-20 09:00".into()));
        assert!(SessionForm { ticket_print: "".into(), ..form.clone() }.parse(&ctx()).unwrap().ticket_print.is_none());
        let e = SessionForm { last_day: "2025-03-28".into(), ..form.clone() }.parse(&ctx()).unwrap_err();
        assert_eq!(codes(e), ["last_day.before_first"]);
        let e = SessionForm { ticket_print: "2025-04-01 09:00".into(), ..form.clone() }.parse(&ctx()).unwrap_err();
        assert_eq!(codes(e), ["ticket_print.after_exam"]);
        let e = SessionForm { number: "0".into(), first_day: "2025-02-30".into(), ..form }.parse(&ctx()).unwrap_err();
        assert_eq!(codes(e), ["number.range", "first_day.format"]);
    }

    #[test]
    fn a_notice_needs_a_title_and_a_body() {
        let form = NoticeForm {
            site: "".into(),
            title: " 考试须知 ".into(),
            body: "请携带身份证。".into(),
            publish_at: "".into(),
        };
        let v = form.parse(&ctx()).unwrap();
        assert_eq!((v.site, v.title.as_str(), v.publish_at), (None, "考试须知", None));
        let e = NoticeForm { title: "".into(), body: "x\u{7}".into(), publish_at: "soon".into(), ..form }
            .parse(&ctx())
            .unwrap_err();
        assert_eq!(codes(e), ["title.required", "body.control", "publish_at.format"]);
    }
}
