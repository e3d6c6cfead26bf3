//! What can be measured of an ID photo beyond the format rule, to help: the size in pixels
//! and bytes, the shape, an estimate of the background colour from the border, how even the
//! background is, the brightness of the middle of the picture (where the face is) and a
//! sharpness estimate (the variance of the Laplacian of the luminance, on a copy scaled to a
//! fixed height so it does not depend on the resolution). The server measures once when a
//! photo is saved; staff see the figures on the review card, the candidate the same words as
//! advice on the photo page. Nothing here refuses a photo, and nothing looks for a face.

use super::photo::Background;
use serde::{Deserialize, Serialize};

/// The measurements of one photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoFacts {
    pub width: u32,
    pub height: u32,
    pub bytes: u32,
    /// The mean colour of the top and side border bands (the bottom holds the shoulders).
    pub border: [u8; 3],
    /// The standard deviation of the border's luminance: high when the background is not
    /// one plain colour (a room, a wall with a shadow).
    pub border_spread: u8,
    /// Mean luminance (0–255) of the middle of the picture.
    pub brightness: u8,
    /// Variance of the Laplacian of the luminance, scaled to `SHARPNESS_HEIGHT` rows.
    pub sharpness: u32,
}

/// The height the sharpness is measured at.
pub const SHARPNESS_HEIGHT: u32 = 320;
/// Below this, the picture is probably out of focus or shaken.
pub const BLURRED_BELOW: u32 = 40;
/// The middle of the picture darker or brighter than this is hard to see.
pub const DARK_BELOW: u8 = 70;
pub const BRIGHT_ABOVE: u8 = 225;
/// A border spread above this is not a plain background.
pub const UNEVEN_ABOVE: u8 = 32;

fn luma(p: [u8; 3]) -> f64 {
    0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2])
}

fn clamp_u8(v: f64) -> u8 {
    v.round().clamp(0.0, 255.0) as u8
}

/// Measures a photo of `width`×`height` RGB pixels (`rgb`, row by row) stored in `bytes`.
/// A buffer shorter than its size says is measured as far as it goes.
pub fn measure(width: u32, height: u32, rgb: &[u8], bytes: usize) -> PhotoFacts {
    let (w, h) = (width as usize, height as usize);
    let at = |x: usize, y: usize| -> [u8; 3] {
        let i = (y * w + x) * 3;
        match rgb.get(i..i + 3) {
            Some(p) => [p[0], p[1], p[2]],
            None => [0, 0, 0],
        }
    };
    // The border: the top 8 % and the outer 8 % of each side above the lower third.
    let band_x = (w / 12).max(1);
    let band_y = (h / 12).max(1);
    let (mut sum, mut lumas) = ([0f64; 3], Vec::new());
    let step = ((w * h) / 40_000).max(1);
    let mut n = 0usize;
    for y in 0..(h * 2 / 3).max(1) {
        for x in 0..w {
            let in_band = y < band_y || x < band_x || x >= w.saturating_sub(band_x);
            if !in_band || (y * w + x) % step != 0 {
                continue;
            }
            let p = at(x, y);
            for c in 0..3 {
                sum[c] += f64::from(p[c]);
            }
            lumas.push(luma(p));
            n += 1;
        }
    }
    let n = n.max(1) as f64;
    let border = [clamp_u8(sum[0] / n), clamp_u8(sum[1] / n), clamp_u8(sum[2] / n)];
    let mean = lumas.iter().sum::<f64>() / n;
    let spread = (lumas.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / n).sqrt();
    // The middle: the central half in each direction.
    let (mut middle, mut m) = (0f64, 0usize);
    for y in (h / 4)..(h * 3 / 4) {
        for x in ((w / 4)..(w * 3 / 4)).step_by(step.min(8)) {
            middle += luma(at(x, y));
            m += 1;
        }
    }
    PhotoFacts {
        width,
        height,
        bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
        border,
        border_spread: clamp_u8(spread),
        brightness: clamp_u8(middle / m.max(1) as f64),
        sharpness: sharpness(w, h, &at),
    }
}

/// The variance of the 4-neighbour Laplacian of the luminance of a box-filtered copy
/// `SHARPNESS_HEIGHT` rows high.
fn sharpness(w: usize, h: usize, at: &impl Fn(usize, usize) -> [u8; 3]) -> u32 {
    if w < 3 || h < 3 {
        return 0;
    }
    let sh = (SHARPNESS_HEIGHT as usize).min(h);
    let sw = ((w * sh) / h).max(3);
    // Each small pixel: the mean luminance of the block of big ones it covers.
    let mut small = vec![0f64; sw * sh];
    for sy in 0..sh {
        let (y0, y1) = (sy * h / sh, ((sy + 1) * h / sh).max(sy * h / sh + 1));
        for sx in 0..sw {
            let (x0, x1) = (sx * w / sw, ((sx + 1) * w / sw).max(sx * w / sw + 1));
            let (mut s, mut k) = (0f64, 0usize);
            for y in y0..y1.min(h) {
                for x in x0..x1.min(w) {
                    s += luma(at(x, y));
                    k += 1;
                }
            }
            small[sy * sw + sx] = s / k.max(1) as f64;
        }
    }
    let mut values = Vec::with_capacity(sw * sh);
    for y in 1..sh - 1 {
        for x in 1..sw - 1 {
            let c = small[y * sw + x];
            let l = small[(y - 1) * sw + x] + small[(y + 1) * sw + x] + small[y * sw + x - 1] + small[y * sw + x + 1]
                - 4.0 * c;
            values.push(l);
        }
    }
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    var.round().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// The colour of a background as people name it, from its mean RGB.
pub fn colour_name(rgb: [u8; 3]) -> &'static str {
    let [r, g, b] = rgb.map(i32::from);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    let saturation = max - min;
    if saturation < 30 {
        return match max {
            m if m >= 200 => "白色",
            m if m >= 90 => "灰色",
            _ => "黑色或很暗",
        };
    }
    if r > g + 40 && r > b + 40 {
        return "红色";
    }
    if b > r + 20 && b >= g {
        return if max >= 170 && min >= 100 { "浅蓝色" } else { "蓝色" };
    }
    "其他颜色"
}

/// Whether a border of this colour is what `wanted` asks for.
pub fn matches(wanted: Background, rgb: [u8; 3]) -> bool {
    match wanted {
        Background::Any => true,
        Background::White => colour_name(rgb) == "白色",
        Background::LightBlue => colour_name(rgb) == "浅蓝色",
        Background::Red => colour_name(rgb) == "红色",
    }
}

/// Something the measurements suggest is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Finding {
    Background { wanted: Background },
    Uneven,
    Dark,
    Bright,
    Blurred,
}

impl Finding {
    /// The advice in plain words.
    pub fn words(self) -> String {
        match self {
            Finding::Background { wanted } => {
                format!("背景颜色看起来不是考点要求的{}，请换用{}背景的照片", wanted.label_zh(), wanted.label_zh())
            }
            Finding::Uneven => "背景看起来不是单一的纯色（可能有杂物、阴影或图案），证件照应为纯色背景".into(),
            Finding::Dark => "照片中间部分偏暗，面部可能看不清，请在光线充足处重新拍摄".into(),
            Finding::Bright => "照片中间部分过亮，面部细节可能看不清，请避免强光直射或闪光过曝".into(),
            Finding::Blurred => "照片可能不够清晰（对焦不准或拍摄时晃动），请重新拍摄清晰的照片".into(),
        }
    }
}

impl PhotoFacts {
    /// What looks off, for a site that asks for `wanted`.
    pub fn findings(&self, wanted: Background) -> Vec<Finding> {
        let mut out = Vec::new();
        if !matches(wanted, self.border) {
            out.push(Finding::Background { wanted });
        }
        if self.border_spread > UNEVEN_ABOVE {
            out.push(Finding::Uneven);
        }
        if self.brightness < DARK_BELOW {
            out.push(Finding::Dark);
        } else if self.brightness > BRIGHT_ABOVE {
            out.push(Finding::Bright);
        }
        if self.sharpness < BLURRED_BELOW {
            out.push(Finding::Blurred);
        }
        out
    }

    /// The figures, as (label, value) in words.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let brightness = match self.brightness {
            b if b < DARK_BELOW => "偏暗",
            b if b > BRIGHT_ABOVE => "过亮",
            _ => "适中",
        };
        vec![
            ("尺寸", format!("{}×{} 像素（宽×高）", self.width, self.height)),
            ("宽高比", format!("{:.2}（标准为 3:4 = 0.75）", f64::from(self.width) / f64::from(self.height.max(1)))),
            ("文件大小", format!("{} KB", self.bytes.div_ceil(1024))),
            ("背景颜色（估计）", colour_name(self.border).to_owned()),
            ("亮度（0–255）", format!("{}，{brightness}", self.brightness)),
            (
                "清晰度（估计）",
                format!("{}，{}", self.sharpness, if self.sharpness < BLURRED_BELOW { "可能模糊" } else { "清晰" }),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A portrait: `bg` border, a face-coloured ellipse in the middle; `edges` adds a
    /// fine checker inside the face (detail that blurring removes).
    fn portrait(w: u32, h: u32, bg: [u8; 3], face: [u8; 3], edges: bool) -> Vec<u8> {
        let mut out = Vec::with_capacity((w * h * 3) as usize);
        for y in 0..h {
            for x in 0..w {
                let (dx, dy) = (f64::from(x) - f64::from(w) / 2.0, f64::from(y) - f64::from(h) * 0.55);
                let inside = (dx / (f64::from(w) * 0.3)).powi(2) + (dy / (f64::from(h) * 0.35)).powi(2) < 1.0;
                let mut p = if inside { face } else { bg };
                if inside && edges && (x / 2 + y / 2) % 2 == 0 {
                    p = p.map(|c| c.saturating_sub(60));
                }
                out.extend_from_slice(&p);
            }
        }
        out
    }

    /// `rgb` blurred by a (2r+1)² box, separably.
    fn box_blur(rgb: &[u8], w: u32, h: u32, r: i64) -> Vec<u8> {
        let (w, h) = (i64::from(w), i64::from(h));
        let pass = |src: &[u8], horizontal: bool| -> Vec<u8> {
            let mut out = vec![0u8; src.len()];
            for y in 0..h {
                for x in 0..w {
                    for c in 0..3 {
                        let (mut s, mut k) = (0u32, 0u32);
                        for d in -r..=r {
                            let (xx, yy) = if horizontal { (x + d, y) } else { (x, y + d) };
                            if (0..w).contains(&xx) && (0..h).contains(&yy) {
                                s += u32::from(src[((yy * w + xx) * 3 + c) as usize]);
                                k += 1;
                            }
                        }
                        out[((y * w + x) * 3 + c) as usize] = (s / k) as u8;
                    }
                }
            }
            out
        };
        pass(&pass(rgb, true), false)
    }

    #[test]
    fn a_sharp_well_lit_photo_on_the_asked_background_has_no_findings() {
        let rgb = portrait(480, 640, [180, 215, 245], [220, 180, 150], true);
        let facts = measure(480, 640, &rgb, 50_000);
        assert_eq!(colour_name(facts.border), "浅蓝色", "{facts:?}");
        assert_eq!(facts.findings(Background::LightBlue), [], "{facts:?}");
        assert_eq!(facts.findings(Background::Any), []);
        assert_eq!(facts.findings(Background::White), [Finding::Background { wanted: Background::White }]);
        assert!(facts.lines().iter().any(|(k, v)| *k == "尺寸" && v.starts_with("480×640")));
    }

    #[test]
    fn blur_darkness_glare_and_busy_backgrounds_are_found() {
        // The same sharp portrait out of focus (a wide box blur) reads as blurred.
        let flat = measure(
            480,
            640,
            &box_blur(&portrait(480, 640, [250, 250, 250], [200, 170, 150], true), 480, 640, 9),
            30_000,
        );
        assert!(flat.findings(Background::White).contains(&Finding::Blurred), "{flat:?}");
        assert_eq!(colour_name(flat.border), "白色");
        let dark = measure(300, 400, &portrait(300, 400, [40, 40, 40], [50, 40, 35], true), 30_000);
        assert!(dark.findings(Background::Any).contains(&Finding::Dark), "{dark:?}");
        let bright = measure(300, 400, &portrait(300, 400, [255, 255, 255], [252, 252, 250], false), 30_000);
        assert!(bright.findings(Background::Any).contains(&Finding::Bright), "{bright:?}");
        // Stripes behind the person: not a plain background.
        let mut busy = portrait(300, 400, [255, 255, 255], [200, 170, 150], true);
        for (i, px) in busy.chunks_mut(3).enumerate() {
            if (i % 300) < 25 && (i / 300) % 20 < 10 {
                px.copy_from_slice(&[20, 20, 20]);
            }
        }
        assert!(measure(300, 400, &busy, 30_000).findings(Background::Any).contains(&Finding::Uneven));
    }

    #[test]
    fn colours_are_named_as_people_name_them() {
        assert_eq!(colour_name([255, 255, 255]), "白色");
        assert_eq!(colour_name([150, 200, 240]), "浅蓝色");
        assert_eq!(colour_name([30, 80, 200]), "蓝色");
        assert_eq!(colour_name([200, 30, 40]), "红色");
        assert_eq!(colour_name([128, 128, 128]), "灰色");
        assert_eq!(colour_name([100, 160, 60]), "其他颜色");
        assert!(matches(Background::Red, [210, 20, 30]) && !matches(Background::Red, [255, 255, 255]));
    }

    #[test]
    fn odd_buffers_are_measured_without_panicking() {
        let _ = measure(0, 0, &[], 0);
        let _ = measure(2, 2, &[1, 2, 3], 10);
        let _ = measure(1000, 1000, &[], 10);
    }
}
