//! A site's printouts for each 考场 (a room in a batch): the sign-in sheet (签到表: photo,
//! name, masked number, ticket number, a box to sign), the door list (门贴: who sits where,
//! posted at the door) and the desk labels (桌贴: one per seat). Any of them for one 考场,
//! or all three for every 考场 of the site in one file.

use super::{a4, finish, mm, photo, Canvas, Fonts, PrintError, PAGE_HEIGHT, PAGE_WIDTH};
use serde::Serialize;

/// One 考场 and its candidates in seat order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoomSheet {
    /// `第70次 2025年3月全国计算机等级考试`.
    pub session: String,
    /// `(650101)新疆大学`.
    pub site: String,
    /// `0102`.
    pub exam_room: String,
    pub room: String,
    /// `2025年3月29日 09:00–11:00`.
    pub time: String,
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetRow {
    pub seat: u8,
    pub name: String,
    /// Never the full number on a sheet others see.
    pub masked_number: String,
    pub ticket: String,
    /// `24 二级C语言程序设计`.
    pub subject: String,
    pub photo_key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Printout {
    SignIn,
    DoorList,
    DeskLabels,
    /// All three of each 考场.
    All,
}

impl Printout {
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "sign-in" => Some(Self::SignIn),
            "door" => Some(Self::DoorList),
            "labels" => Some(Self::DeskLabels),
            "all" => Some(Self::All),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::SignIn => "sign-in",
            Self::DoorList => "door",
            Self::DeskLabels => "labels",
            Self::All => "all",
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Self::SignIn => "签到表",
            Self::DoorList => "门贴",
            Self::DeskLabels => "桌贴",
            Self::All => "考点全部打印材料",
        }
    }
    /// Whether the printout shows photos (and so needs them read).
    pub fn has_photos(self) -> bool {
        matches!(self, Self::SignIn | Self::All)
    }
}

/// A photo's bytes by its key, looked up while drawing.
pub type Photos<'a> = &'a dyn Fn(&str) -> Option<&'a [u8]>;

pub fn render(fonts: &Fonts, what: Printout, sheets: &[RoomSheet], photos: Photos<'_>) -> Result<Vec<u8>, PrintError> {
    let mut document = krilla::Document::new();
    for sheet in sheets {
        if matches!(what, Printout::DoorList | Printout::All) {
            door_list(&mut document, fonts, sheet)?;
        }
        if matches!(what, Printout::SignIn | Printout::All) {
            sign_in(&mut document, fonts, sheet, photos)?;
        }
        if matches!(what, Printout::DeskLabels | Printout::All) {
            desk_labels(&mut document, fonts, sheet)?;
        }
    }
    if sheets.is_empty() {
        let mut page = document.start_page_with(a4()?);
        let mut surface = page.surface();
        let mut c = Canvas { surface: &mut surface };
        c.centred(&fonts.bold, PAGE_WIDTH / 2.0, 120.0, 16.0, what.title());
        c.centred(&fonts.regular, PAGE_WIDTH / 2.0, 150.0, 11.0, "尚未编排考场：没有要打印的考生");
        surface.finish();
        page.finish();
    }
    finish(document)
}

const LEFT: f32 = 42.0;
const RIGHT: f32 = PAGE_WIDTH - 42.0;

/// The heading every printout page starts with; the y below it.
fn heading(c: &mut Canvas<'_, '_>, fonts: &Fonts, sheet: &RoomSheet, title: &str, page: usize, pages: usize) -> f32 {
    c.centred(&fonts.bold, PAGE_WIDTH / 2.0, 58.0, 18.0, &format!("{} {title}", sheet.session));
    let line = format!(
        "考点：{}　　考场：{}考场（{}）　　时间：{}　　第{page}页/共{pages}页",
        sheet.site, sheet.exam_room, sheet.room, sheet.time
    );
    c.fitted(&fonts.regular, LEFT, 82.0, 10.0, RIGHT - LEFT, &line);
    96.0
}

fn sign_in(
    document: &mut krilla::Document,
    fonts: &Fonts,
    sheet: &RoomSheet,
    photos: Photos<'_>,
) -> Result<(), PrintError> {
    let row_h = mm(18.0);
    let head_h = 22.0;
    let per_page = (((PAGE_HEIGHT - 60.0 - 96.0 - head_h) / row_h).floor() as usize).max(1);
    let pages = sheet.rows.len().div_ceil(per_page).max(1);
    // Columns: seat, photo, name, number, ticket, subject, signature.
    let cols = [LEFT, LEFT + 36.0, LEFT + 90.0, LEFT + 160.0, LEFT + 262.0, LEFT + 362.0, LEFT + 430.0, RIGHT];
    let titles = ["座位", "照片", "姓名", "证件号码", "准考证号", "科目", "考生签名"];
    for (n, chunk) in sheet.rows.chunks(per_page).chain(sheet.rows.is_empty().then_some(&[][..])).enumerate() {
        let mut page = document.start_page_with(a4()?);
        let mut surface = page.surface();
        let mut c = Canvas { surface: &mut surface };
        let top = heading(&mut c, fonts, sheet, "签到表", n + 1, pages);
        let bottom = top + head_h + row_h * chunk.len() as f32;
        c.stroke_rect(LEFT, top, RIGHT - LEFT, bottom - top, 1.0);
        for x in &cols[1..cols.len() - 1] {
            c.line(*x, top, *x, bottom, 0.5);
        }
        for (i, t) in titles.iter().enumerate() {
            c.centred(&fonts.bold, (cols[i] + cols[i + 1]) / 2.0, top + 15.0, 9.5, t);
        }
        for (i, r) in chunk.iter().enumerate() {
            let y = top + head_h + row_h * i as f32;
            c.line(LEFT, y, RIGHT, y, 0.5);
            let mid = y + row_h / 2.0 + 3.5;
            c.centred(&fonts.bold, (cols[0] + cols[1]) / 2.0, mid, 11.0, &format!("{:02}", r.seat));
            let (pw, ph) = (mm(11.0), mm(14.7));
            let (px, py) = ((cols[1] + cols[2] - pw) / 2.0, y + (row_h - ph) / 2.0);
            match r.photo_key.as_deref().and_then(photos) {
                Some(bytes) => c.image(photo(bytes)?, px, py, pw, ph),
                None => c.shade(px, py, pw, ph),
            }
            c.fitted(&fonts.regular, cols[2] + 4.0, mid, 10.5, cols[3] - cols[2] - 8.0, &r.name);
            c.fitted(&fonts.regular, cols[3] + 4.0, mid, 9.5, cols[4] - cols[3] - 8.0, &r.masked_number);
            c.fitted(&fonts.regular, cols[4] + 4.0, mid, 9.5, cols[5] - cols[4] - 8.0, &r.ticket);
            c.fitted(&fonts.regular, cols[5] + 4.0, mid, 8.5, cols[6] - cols[5] - 8.0, &r.subject);
        }
        c.text(
            &fonts.regular,
            LEFT,
            bottom + 22.0,
            9.0,
            "监考员签名：________________　　________________　　实到人数：______　缺考人数：______",
        );
        surface.finish();
        page.finish();
    }
    Ok(())
}

fn door_list(document: &mut krilla::Document, fonts: &Fonts, sheet: &RoomSheet) -> Result<(), PrintError> {
    let row_h = 19.0;
    let first_top = 150.0;
    let per_page = (((PAGE_HEIGHT - 60.0 - first_top - 20.0) / row_h).floor() as usize).max(1);
    let pages = sheet.rows.len().div_ceil(per_page).max(1);
    let cols = [LEFT, LEFT + 60.0, LEFT + 170.0, LEFT + 300.0, RIGHT];
    for (n, chunk) in sheet.rows.chunks(per_page).chain(sheet.rows.is_empty().then_some(&[][..])).enumerate() {
        let mut page = document.start_page_with(a4()?);
        let mut surface = page.surface();
        let mut c = Canvas { surface: &mut surface };
        heading(&mut c, fonts, sheet, "门贴", n + 1, pages);
        c.centred(&fonts.bold, PAGE_WIDTH / 2.0, 130.0, 26.0, &format!("第{}考场　{}", sheet.exam_room, sheet.room));
        let top = first_top;
        for (i, t) in ["座位号", "姓名", "准考证号", "科目"].iter().enumerate() {
            c.text(&fonts.bold, cols[i] + 4.0, top + 14.0, 11.0, t);
        }
        c.line(LEFT, top + 20.0, RIGHT, top + 20.0, 0.8);
        for (i, r) in chunk.iter().enumerate() {
            let y = top + 20.0 + row_h * (i as f32 + 1.0) - 5.0;
            c.text(&fonts.bold, cols[0] + 4.0, y, 11.0, &format!("{:02}", r.seat));
            c.fitted(&fonts.regular, cols[1] + 4.0, y, 11.0, cols[2] - cols[1] - 8.0, &r.name);
            c.text(&fonts.regular, cols[2] + 4.0, y, 10.5, &r.ticket);
            c.fitted(&fonts.regular, cols[3] + 4.0, y, 10.0, cols[4] - cols[3] - 8.0, &r.subject);
        }
        surface.finish();
        page.finish();
    }
    Ok(())
}

fn desk_labels(document: &mut krilla::Document, fonts: &Fonts, sheet: &RoomSheet) -> Result<(), PrintError> {
    // Two across, six down: cut apart and taped to each desk.
    let (across, down) = (2usize, 6usize);
    let top = 100.0;
    let w = (RIGHT - LEFT) / across as f32;
    let h = (PAGE_HEIGHT - 50.0 - top) / down as f32;
    let per_page = across * down;
    let pages = sheet.rows.len().div_ceil(per_page).max(1);
    for (n, chunk) in sheet.rows.chunks(per_page).chain(sheet.rows.is_empty().then_some(&[][..])).enumerate() {
        let mut page = document.start_page_with(a4()?);
        let mut surface = page.surface();
        let mut c = Canvas { surface: &mut surface };
        heading(&mut c, fonts, sheet, "桌贴", n + 1, pages);
        for (i, r) in chunk.iter().enumerate() {
            let x = LEFT + w * (i % across) as f32;
            let y = top + h * (i / across) as f32;
            c.stroke_rect(x + 4.0, y + 4.0, w - 8.0, h - 8.0, 0.8);
            c.text(&fonts.bold, x + 16.0, y + 48.0, 30.0, &format!("{:02}", r.seat));
            c.text(&fonts.regular, x + 16.0, y + 66.0, 9.0, "座位号");
            c.fitted(&fonts.bold, x + 80.0, y + 34.0, 16.0, w - 100.0, &r.name);
            c.text(&fonts.regular, x + 80.0, y + 54.0, 10.5, &format!("准考证号 {}", r.ticket));
            c.fitted(&fonts.regular, x + 80.0, y + 72.0, 9.5, w - 100.0, &r.subject);
            c.fitted(
                &fonts.regular,
                x + 16.0,
                y + h - 20.0,
                8.5,
                w - 32.0,
                &format!("第{}考场（{}）　{}", sheet.exam_room, sheet.room, sheet.time),
            );
        }
        surface.finish();
        page.finish();
    }
    Ok(())
}
