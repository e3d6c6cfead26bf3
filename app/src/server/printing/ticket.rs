//! The admission ticket (准考证): one A4 page per arranged subject, with the photo, the
//! candidate's name and full document number, the ticket number, subject, site, 考场,
//! seat and time, the site's notices, 考生须知, and the QR code of the signed token.

use super::{a4, finish, mm, photo, qr, Canvas, Fonts, PrintError, PAGE_WIDTH};
use serde::Serialize;

/// Everything one ticket page shows (and the cache key is made of).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TicketFacts {
    /// `第70次 2025年3月全国计算机等级考试`.
    pub session: String,
    pub name: String,
    /// `居民身份证`.
    pub document_type: String,
    pub document_number: String,
    pub ticket: String,
    /// `24 二级C语言程序设计`.
    pub subject: String,
    /// `(650101)新疆大学`.
    pub site: String,
    /// `0102考场（一号机房）`.
    pub exam_room: String,
    /// `05`.
    pub seat: String,
    /// `2025年3月29日 09:00–11:00（北京时间）`.
    pub time: String,
    /// The site's notices (title, body), newest first.
    pub notices: Vec<(String, String)>,
    /// The stored photo drawn (its key names its bytes: a new photo is a new key).
    pub photo_key: Option<String>,
    /// The QR code's text (`domain::arrangement::TicketToken`).
    pub token: String,
}

/// 考生须知, as printed on every ticket.
pub const RULES: [&str; 7] = [
    "考生凭本准考证和报名时所用的有效身份证件原件参加考试，二者缺一不可。",
    "考生应在考试开始前30分钟到达考场，交验准考证和身份证件后按座位号入座，并将两证放在桌面左上角以便核验。",
    "考试开始15分钟后不得入场；考试期间不得提前离开考场。",
    "考生只准携带必要的文具入场，不得携带书籍资料、手机、智能手表等通讯和电子设备；已带入的须按监考人员要求存放。",
    "考生应遵守考场规则，服从监考人员安排；违纪、作弊者按《国家教育考试违规处理办法》处理。",
    "考试结束后请妥善保管本准考证，查询成绩和领取证书时需要使用。",
    "准考证上的二维码供考场检录核验身份使用，请勿涂改、折损。",
];

/// One page's facts and its photo's bytes (when there is a photo and it could be read).
pub struct TicketPage<'a> {
    pub facts: &'a TicketFacts,
    pub photo: Option<&'a [u8]>,
}

pub fn render(fonts: &Fonts, pages: &[TicketPage<'_>]) -> Result<Vec<u8>, PrintError> {
    let mut document = krilla::Document::new();
    for p in pages {
        let mut page = document.start_page_with(a4()?);
        let mut surface = page.surface();
        draw(&mut Canvas { surface: &mut surface }, fonts, p)?;
        surface.finish();
        page.finish();
    }
    finish(document)
}

const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_WIDTH - 56.0;

fn draw(c: &mut Canvas<'_, '_>, fonts: &Fonts, p: &TicketPage<'_>) -> Result<(), PrintError> {
    let f = p.facts;
    let centre = PAGE_WIDTH / 2.0;
    c.centred(&fonts.bold, centre, 76.0, 22.0, "全国计算机等级考试");
    c.centred(&fonts.bold, centre, 108.0, 22.0, "准　考　证");
    c.centred(&fonts.regular, centre, 130.0, 11.0, &f.session);

    // The table on the left, the photo and the QR code on the right.
    let top = 148.0;
    let row = 30.0;
    let photo_w = mm(33.0);
    let photo_h = mm(48.0);
    let photo_x = RIGHT - photo_w - 10.0;
    let table_right = photo_x - 12.0;
    let rows: [(&str, &str); 9] = [
        ("姓　　名", &f.name),
        ("证件类型", &f.document_type),
        ("证件号码", &f.document_number),
        ("准考证号", &f.ticket),
        ("报考科目", &f.subject),
        ("考　　点", &f.site),
        ("考　　场", &f.exam_room),
        ("座  位  号", &f.seat),
        ("考试时间", &f.time),
    ];
    let bottom = top + row * rows.len() as f32;
    c.stroke_rect(LEFT, top, RIGHT - LEFT, bottom - top, 1.0);
    c.line(LEFT + 78.0, top, LEFT + 78.0, bottom, 0.5);
    c.line(table_right, top, table_right, bottom, 0.5);
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = top + row * i as f32;
        if i > 0 {
            c.line(LEFT, y, table_right, y, 0.5);
        }
        c.text(&fonts.bold, LEFT + 10.0, y + 19.5, 11.0, label);
        let face = if *label == "准考证号" { &fonts.bold } else { &fonts.regular };
        c.fitted(face, LEFT + 88.0, y + 19.5, 12.0, table_right - LEFT - 96.0, value);
    }
    let photo_y = top + 10.0;
    match p.photo {
        Some(bytes) => c.image(photo(bytes)?, photo_x, photo_y, photo_w, photo_h),
        None => {
            c.shade(photo_x, photo_y, photo_w, photo_h);
            c.centred(&fonts.regular, photo_x + photo_w / 2.0, photo_y + photo_h / 2.0, 9.0, "照片");
        }
    }
    c.stroke_rect(photo_x, photo_y, photo_w, photo_h, 0.5);
    let qr_side = photo_w;
    let qr_y = photo_y + photo_h + 14.0;
    c.image(qr(&f.token)?, photo_x, qr_y, qr_side, qr_side);
    c.centred(&fonts.regular, photo_x + photo_w / 2.0, qr_y + qr_side + 10.0, 7.5, "检录二维码");

    // The site's notices, then the rules, as far as the page goes.
    let width = RIGHT - LEFT;
    let mut y = bottom + 30.0;
    let floor = 790.0;
    if !f.notices.is_empty() {
        c.text(&fonts.bold, LEFT, y, 13.0, "考点通知");
        y += 20.0;
        let mut lines = Vec::new();
        for (title, body) in &f.notices {
            lines.extend(fonts.bold.wrap(title, 10.0, width));
            lines.extend(fonts.regular.wrap(body, 10.0, width).into_iter().map(|l| format!("\u{0}{l}")));
        }
        // At most a third of what is left, so the rules always fit.
        let room = (((floor - y) / 3.0) / 15.0).floor().max(2.0) as usize;
        let cut = lines.len() > room;
        for line in lines.iter().take(if cut { room - 1 } else { room }) {
            match line.strip_prefix('\u{0}') {
                Some(body) => c.text(&fonts.regular, LEFT, y, 10.0, body),
                None => c.text(&fonts.bold, LEFT, y, 10.0, line),
            }
            y += 15.0;
        }
        if cut {
            c.text(&fonts.regular, LEFT, y, 10.0, "……（通知全文见报名网站“考点通知”）");
            y += 15.0;
        }
        y += 12.0;
    }
    c.text(&fonts.bold, LEFT, y, 13.0, "考生须知");
    y += 20.0;
    for (i, rule) in RULES.iter().enumerate() {
        let number = format!("{}. ", i + 1);
        let indent = fonts.regular.width(&number, 10.0);
        c.text(&fonts.regular, LEFT, y, 10.0, &number);
        y = c.paragraph(&fonts.regular, (LEFT + indent, y), (10.0, 15.0), width - indent, rule);
        if y > floor {
            break;
        }
    }
    c.centred(
        &fonts.regular,
        PAGE_WIDTH / 2.0,
        812.0,
        8.0,
        "本准考证由全国计算机等级考试报名系统生成；涂改无效，二维码经签名，可在检录时核验真伪。",
    );
    Ok(())
}
