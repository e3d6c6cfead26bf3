//! Admission tickets (准考证) and the sites' printouts (签到表, 门贴, 桌贴) as PDF, made on
//! the server by krilla with Noto Sans CJK (Debian's `fonts-noto-cjk`, installed by the
//! scripts), each font subset into the file. Pure layout: the pages are drawn from plain
//! facts (`ticket::TicketFacts`, `sheets::RoomSheet`) gathered by the routes; nothing here
//! reads the database. The few things both PDF routes answer with are at the end.
//!
//! Rendering is CPU work of a few milliseconds: the routes run it on the blocking pool, at
//! most `RENDERS_AT_ONCE` at a time, and keep each finished file in `cache::PdfCache` under
//! a digest of everything drawn, so a changed input is a new key and a print-opening rush
//! renders each ticket once.

pub mod cache;
pub mod sheets;
pub mod ticket;
pub mod token;

use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::{BitsPerComponent, CustomImage, Image, ImageColorspace};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, Glyph, GlyphId, KrillaGlyph};
use skrifa::instance::{LocationRef, Size as FontSize};
use skrifa::string::StringId;
use skrifa::{FontRef, MetadataProvider};
use std::path::Path;
use std::sync::Arc;

/// Renders running at once: one per core; more would only queue inside the blocking pool
/// and hold their inputs in memory meanwhile.
pub fn renders_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// What the routes print with: the fonts (or why there are none), the ticket key, the
/// cache of finished files, and the gate that bounds renders at once.
#[derive(Debug)]
pub struct Printing {
    fonts: Result<Fonts, PrintError>,
    pub keys: token::TicketKeys,
    pub cache: cache::PdfCache,
    renders: tokio::sync::Semaphore,
}

/// The cache's default budget: 256 MiB holds some 2,000 tickets of 130 KB.
pub const DEFAULT_CACHE_BYTES: usize = 256 << 20;

impl Printing {
    /// Fonts that cannot be read leave printing off (each PDF route answers that it is not
    /// available) rather than stopping the whole site; the reason is logged at start-up.
    pub fn new(font_dir: &Path, keys: token::TicketKeys, cache_bytes: usize) -> Self {
        let fonts = Fonts::load(font_dir);
        if let Err(e) = &fonts {
            tracing::error!(error = %e, "no PDF fonts: tickets and printouts are unavailable (install fonts-noto-cjk or set PDF_FONT_DIR)");
        }
        Self {
            fonts,
            keys,
            cache: cache::PdfCache::new(cache_bytes),
            renders: tokio::sync::Semaphore::new(renders_at_once()),
        }
    }

    pub fn fonts(&self) -> Result<&Fonts, PrintError> {
        self.fonts.as_ref().map_err(Clone::clone)
    }

    /// The file under `key`: from the cache, or made by `draw` on the blocking pool (at most
    /// `renders_at_once` at a time) and kept.
    pub async fn file<F>(&self, key: cache::Key, draw: F) -> Result<(axum::body::Bytes, bool), PrintError>
    where
        F: FnOnce(&Fonts) -> Result<Vec<u8>, PrintError> + Send + 'static,
    {
        if let Some(file) = self.cache.get(&key) {
            return Ok((file, true));
        }
        let fonts = self.fonts()?.clone();
        let _permit = self.renders.acquire().await.map_err(|_| PrintError::Pdf("shutting down".into()))?;
        // Another request for the same file may have made it while this one waited.
        if let Some(file) = self.cache.get(&key) {
            return Ok((file, true));
        }
        let file = tokio::task::spawn_blocking(move || draw(&fonts))
            .await
            .map_err(|e| PrintError::Pdf(format!("render task: {e}")))??;
        let file = axum::body::Bytes::from(file);
        self.cache.put(key, file.clone());
        Ok((file, false))
    }
}

/// Where Debian's `fonts-noto-cjk` puts its files (`PDF_FONT_DIR` overrides).
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";
const REGULAR_FILE: &str = "NotoSansCJK-Regular.ttc";
const BOLD_FILE: &str = "NotoSansCJK-Bold.ttc";
/// The face of each collection with the Simplified Chinese glyph forms.
const FAMILY: &str = "Noto Sans CJK SC";

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;
/// Millimetres to points.
pub fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrintError {
    #[error("fonts: {0}")]
    Fonts(String),
    #[error("a photo is not a JPEG krilla reads: {0}")]
    Photo(String),
    #[error("the QR code does not hold the token")]
    Qr,
    #[error("pdf: {0}")]
    Pdf(String),
}

/// One face of a font collection, with what the layout measures text by.
#[derive(Clone)]
pub struct Face {
    font: Font,
    data: Arc<Vec<u8>>,
    index: u32,
}

impl Face {
    fn load(dir: &Path, file: &str) -> Result<Self, PrintError> {
        let path = dir.join(file);
        let data = std::fs::read(&path).map_err(|e| PrintError::Fonts(format!("{}: {e}", path.display())))?;
        let data = Arc::new(data);
        let index = (0..32)
            .find(|&i| {
                FontRef::from_index(&data, i).is_ok_and(|f| {
                    f.localized_strings(StringId::FAMILY_NAME)
                        .english_or_first()
                        .is_some_and(|n| n.to_string() == FAMILY)
                })
            })
            .ok_or_else(|| PrintError::Fonts(format!("{}: no face named {FAMILY}", path.display())))?;
        let font = Font::new(krilla::Data::from(data.clone()), index)
            .ok_or_else(|| PrintError::Fonts(format!("{}: krilla cannot read face {index}", path.display())))?;
        Ok(Self { font, data, index })
    }

    fn reader(&self) -> Option<FontRef<'_>> {
        FontRef::from_index(&self.data, self.index).ok()
    }

    /// The glyphs of one line of text, each advancing by its own width (no shaping is
    /// needed for Chinese, digits and Latin letters); a character the font lacks draws its
    /// "missing" glyph rather than nothing.
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let Some(font) = self.reader() else { return Vec::new() };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(FontSize::unscaled(), LocationRef::default());
        let em = f32::from(font.metrics(FontSize::unscaled(), LocationRef::default()).units_per_em.max(1));
        text.char_indices()
            .map(|(i, c)| {
                let glyph = charmap.map(c).unwrap_or_default();
                let advance = metrics.advance_width(glyph).unwrap_or(0.0) / em;
                KrillaGlyph::new(GlyphId::new(glyph.to_u32()), advance, 0.0, 0.0, 0.0, i..i + c.len_utf8(), None)
            })
            .collect()
    }

    /// The width of `text` at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        self.glyphs(text).iter().map(|g| g.x_advance(size)).sum()
    }

    /// `text` broken into lines no wider than `width` (between any two characters of
    /// Chinese; a run of Latin letters or digits is kept whole when it fits a line).
    pub fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in pieces(paragraph) {
                let candidate = format!("{line}{word}");
                if line.is_empty() || self.width(&candidate, size) <= width {
                    line = candidate;
                    continue;
                }
                lines.push(std::mem::take(&mut line).trim_end().to_owned());
                line = word.trim_start().to_owned();
                // A single piece wider than the line is cut where it overflows.
                while self.width(&line, size) > width && line.chars().count() > 1 {
                    let mut head = String::new();
                    for c in line.chars() {
                        if !head.is_empty() && self.width(&format!("{head}{c}"), size) > width {
                            break;
                        }
                        head.push(c);
                    }
                    line = line[head.len()..].to_owned();
                    lines.push(head);
                }
            }
            lines.push(line.trim_end().to_owned());
        }
        lines
    }
}

/// Breakable pieces of a paragraph: each Chinese character on its own, runs of other
/// characters (with their following space) together.
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_run = false;
    for (i, c) in text.char_indices() {
        let wide = !c.is_ascii();
        if wide {
            if in_run && start < i {
                out.push(&text[start..i]);
            }
            out.push(&text[i..i + c.len_utf8()]);
            start = i + c.len_utf8();
            in_run = false;
        } else if c == ' ' {
            out.push(&text[start..=i]);
            start = i + 1;
            in_run = false;
        } else {
            if !in_run {
                start = i;
            }
            in_run = true;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The two weights every page uses, read once at start-up.
#[derive(Clone)]
pub struct Fonts {
    pub regular: Face,
    pub bold: Face,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fonts(Noto Sans CJK SC)")
    }
}

impl Fonts {
    pub fn load(dir: &Path) -> Result<Self, PrintError> {
        Ok(Self { regular: Face::load(dir, REGULAR_FILE)?, bold: Face::load(dir, BOLD_FILE)? })
    }
}

/// Drawing helpers over a page's surface (origin top left, y down, points).
pub struct Canvas<'s, 'p> {
    pub surface: &'s mut Surface<'p>,
}

impl Canvas<'_, '_> {
    /// `text` with its baseline at `y`, starting at `x`.
    pub fn text(&mut self, face: &Face, x: f32, y: f32, size: f32, text: &str) {
        if text.is_empty() {
            return;
        }
        let glyphs = face.glyphs(text);
        self.surface.draw_glyphs(Point::from_xy(x, y), &glyphs, face.font.clone(), text, size, false);
    }

    pub fn centred(&mut self, face: &Face, centre: f32, y: f32, size: f32, text: &str) {
        let w = face.width(text, size);
        self.text(face, centre - w / 2.0, y, size, text);
    }

    /// `text` at the largest size up to `size` that fits `width`.
    pub fn fitted(&mut self, face: &Face, x: f32, y: f32, size: f32, width: f32, text: &str) {
        let w = face.width(text, size);
        let size = if w > width && w > 0.0 { (size * width / w).max(5.0) } else { size };
        self.text(face, x, y, size, text);
    }

    /// Wrapped lines from `(x, y)` down at `(size, leading)`; the y after the last line.
    pub fn paragraph(
        &mut self,
        face: &Face,
        (x, y): (f32, f32),
        (size, leading): (f32, f32),
        width: f32,
        text: &str,
    ) -> f32 {
        let mut y = y;
        for line in face.wrap(text, size, width) {
            self.text(face, x, y, size, &line);
            y += leading;
        }
        y
    }

    pub fn stroke_rect(&mut self, x: f32, y: f32, w: f32, h: f32, width: f32) {
        if let Some(path) = rect_path(x, y, w, h) {
            self.stroke(&path, width);
        }
    }

    pub fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        let mut path = PathBuilder::new();
        path.move_to(x1, y1);
        path.line_to(x2, y2);
        if let Some(path) = path.finish() {
            self.stroke(&path, width);
        }
    }

    /// A light grey box (a photo's place when there is no photo).
    pub fn shade(&mut self, x: f32, y: f32, w: f32, h: f32) {
        let Some(path) = rect_path(x, y, w, h) else { return };
        self.surface.set_fill(Some(Fill {
            paint: krilla::color::luma::Color::new(230).into(),
            opacity: NormalizedF32::ONE,
            rule: Default::default(),
        }));
        self.surface.draw_path(&path);
        self.surface.set_fill(Some(Fill::default()));
    }

    /// `path` outlined in black, then back to filling (what text needs).
    fn stroke(&mut self, path: &krilla::geom::Path, width: f32) {
        self.surface.set_fill(None);
        self.surface.set_stroke(Some(Stroke { width, ..Stroke::default() }));
        self.surface.draw_path(path);
        self.surface.set_stroke(None);
        self.surface.set_fill(Some(Fill::default()));
    }

    pub fn image(&mut self, image: Image, x: f32, y: f32, w: f32, h: f32) {
        let Some(size) = Size::from_wh(w, h) else { return };
        self.surface.push_transform(&Transform::from_translate(x, y));
        self.surface.draw_image(image, size);
        self.surface.pop();
    }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut path = PathBuilder::new();
    path.push_rect(Rect::from_xywh(x, y, w, h)?);
    path.finish()
}

/// A stored photo (always a JPEG: the upload step re-encodes every photo), embedded as is.
pub fn photo(jpeg: &[u8]) -> Result<Image, PrintError> {
    Image::from_jpeg(krilla::Data::from(jpeg.to_vec()), true).map_err(PrintError::Photo)
}

/// A QR code as a one-bit-per-module grey image with a quiet zone of 4 modules, drawn
/// without smoothing so each module prints sharp.
pub fn qr(text: &str) -> Result<Image, PrintError> {
    let code = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).map_err(|_| PrintError::Qr)?;
    let quiet = 4;
    let side = code.size() + 2 * quiet;
    let mut pixels = Vec::with_capacity(usize::try_from(side * side).unwrap_or(0));
    for y in 0..side {
        for x in 0..side {
            pixels.push(if code.get_module(x - quiet, y - quiet) { 0 } else { 255 });
        }
    }
    let side = u32::try_from(side).map_err(|_| PrintError::Qr)?;
    Image::from_custom(Modules { pixels: Arc::new(pixels), side }, false).map_err(|_| PrintError::Qr)
}

#[derive(Clone, Hash)]
struct Modules {
    pixels: Arc<Vec<u8>>,
    side: u32,
}

impl CustomImage for Modules {
    fn color_channel(&self) -> &[u8] {
        &self.pixels
    }
    fn alpha_channel(&self) -> Option<&[u8]> {
        None
    }
    fn bits_per_component(&self) -> BitsPerComponent {
        BitsPerComponent::Eight
    }
    fn size(&self) -> (u32, u32) {
        (self.side, self.side)
    }
    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }
    fn color_space(&self) -> ImageColorspace {
        ImageColorspace::Luma
    }
}

/// A new A4 document's finished bytes.
pub fn finish(document: krilla::Document) -> Result<Vec<u8>, PrintError> {
    document.finish().map_err(|e| PrintError::Pdf(format!("{e:?}")))
}

pub fn a4() -> Result<krilla::page::PageSettings, PrintError> {
    krilla::page::PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| PrintError::Pdf("page size".into()))
}

// ---- What the two PDF routes (the candidate's ticket, the staff's printouts) share ----

/// A finished PDF as a download, never kept by anyone but the browser that asked.
pub fn pdf_response(file: axum::body::Bytes, name: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    use http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
    (
        [
            (CONTENT_TYPE, "application/pdf".to_owned()),
            (CACHE_CONTROL, "private, no-store".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        axum::body::Body::from(file),
    )
        .into_response()
}

/// A failure to print, as the user is told it: missing fonts are a known state of the
/// server (503); anything else is ours, logged with its cause.
pub fn printing_fault(e: &PrintError) -> crate::server::fault::Fault {
    match e {
        PrintError::Fonts(_) => crate::views::AppError::PrintingUnavailable.into(),
        other => crate::server::fault::Fault::broken(&format!("printing: {other}")),
    }
}

/// `2025-03-29 09:00–11:00（北京时间）`: a batch as tickets and printouts print it.
pub fn batch_time(b: &crate::server::entity::exam_batch::Model) -> String {
    use crate::server::clock::format_beijing;
    let end = format_beijing(b.ends_at);
    format!("{}–{}（北京时间）", format_beijing(b.starts_at), end.get(11..).unwrap_or(&end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_keep_latin_runs_and_split_chinese() {
        assert_eq!(pieces("考生须知 NCRE 2025年"), vec!["考", "生", "须", "知", " ", "NCRE ", "2025", "年"]);
        assert_eq!(pieces(""), Vec::<&str>::new());
    }
}
