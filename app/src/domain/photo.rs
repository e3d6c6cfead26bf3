//! The photo rule as a pure function over the file's bytes and the site's spec: a JPEG by
//! its magic bytes, dimensions read from the frame header (no pixel is decoded, so a
//! header claiming 60000×60000 costs nothing), size and ratio bounds. The browser runs it
//! on the chosen file before any upload; the server runs it again on what arrived.

use super::message::{Lang, Problem};
use serde::{Deserialize, Serialize};

/// A site's photo requirements (defaults from the NCRE notice: JPEG, at least 144×192,
/// portrait 3:4, 20–200 KB).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoSpec {
    pub min_width: u32,
    pub min_height: u32,
    /// Largest width or height accepted: a bigger header is a decompression bomb or a
    /// camera original, not an ID photo.
    pub max_side: u32,
    pub ratio_width: u32,
    pub ratio_height: u32,
    /// Allowed deviation from the ratio, in per mille of the height.
    pub ratio_tolerance_permille: u32,
    pub min_bytes: usize,
    pub max_bytes: usize,
}

impl Default for PhotoSpec {
    fn default() -> Self {
        Self {
            min_width: 144,
            min_height: 192,
            max_side: 4000,
            ratio_width: 3,
            ratio_height: 4,
            ratio_tolerance_permille: 30,
            min_bytes: 20 * 1024,
            max_bytes: 200 * 1024,
        }
    }
}

/// The background colour a site asks for (per site; light blue and white are the ones seen).
/// The stored code is the contract with the database; the page puts it into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Background {
    #[default]
    Any,
    White,
    LightBlue,
    Red,
}

impl Background {
    pub const ALL: [Background; 4] = [Background::Any, Background::White, Background::LightBlue, Background::Red];

    pub fn code(self) -> &'static str {
        match self {
            Self::Any => "any",
            Self::White => "white",
            Self::LightBlue => "light_blue",
            Self::Red => "red",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Any => "不限",
            Self::White => "白色",
            Self::LightBlue => "浅蓝色",
            Self::Red => "红色",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoInfo {
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
}

/// Why a photo is refused. All but `Undecodable` come from `check_photo`; `Undecodable`
/// (the header passed, a full decode failed) only from the server, which decodes every upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoError {
    Empty,
    NotJpeg { looks_like: Option<&'static str> },
    TooSmallFile { bytes: usize, min: usize },
    TooLargeFile { bytes: usize, max: usize },
    Truncated,
    TooLargeImage { width: u32, height: u32, max: u32 },
    TooSmallImage { width: u32, height: u32, min_width: u32, min_height: u32 },
    Ratio { width: u32, height: u32 },
    Undecodable,
}

/// Checks `bytes` against `spec`.
pub fn check_photo(bytes: &[u8], spec: &PhotoSpec) -> Result<PhotoInfo, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if !bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(PhotoError::NotJpeg { looks_like: sniff(bytes) });
    }
    if bytes.len() > spec.max_bytes {
        return Err(PhotoError::TooLargeFile { bytes: bytes.len(), max: spec.max_bytes });
    }
    if bytes.len() < spec.min_bytes {
        return Err(PhotoError::TooSmallFile { bytes: bytes.len(), min: spec.min_bytes });
    }
    let (width, height) = frame_size(bytes).ok_or(PhotoError::Truncated)?;
    if !ends_with_eoi(bytes) {
        return Err(PhotoError::Truncated);
    }
    if width > spec.max_side || height > spec.max_side {
        return Err(PhotoError::TooLargeImage { width, height, max: spec.max_side });
    }
    if width < spec.min_width || height < spec.min_height {
        return Err(PhotoError::TooSmallImage {
            width,
            height,
            min_width: spec.min_width,
            min_height: spec.min_height,
        });
    }
    // |w/h − rw/rh| ≤ tol/1000 · rw/rh, in integers: |w·rh − h·rw|·1000 ≤ tol·h·rw.
    let lhs =
        (u64::from(width) * u64::from(spec.ratio_height)).abs_diff(u64::from(height) * u64::from(spec.ratio_width));
    if lhs * 1000 > u64::from(spec.ratio_tolerance_permille) * u64::from(height) * u64::from(spec.ratio_width) {
        return Err(PhotoError::Ratio { width, height });
    }
    Ok(PhotoInfo { width, height, bytes: bytes.len() })
}

/// What a non-JPEG file probably is, for a more helpful message.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG") {
        Some("PNG")
    } else if bytes.starts_with(b"GIF8") {
        Some("GIF")
    } else if bytes.starts_with(b"BM") {
        Some("BMP")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("WebP")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        Some("HEIC")
    } else {
        None
    }
}

/// Walks the marker segments up to the first start-of-frame and reads its size.
/// `None` if the file ends (or breaks) before a frame header.
pub fn frame_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut pos = 2;
    loop {
        // Markers may be preceded by fill bytes 0xFF.
        if *bytes.get(pos)? != 0xFF {
            return None;
        }
        while *bytes.get(pos)? == 0xFF {
            pos += 1;
        }
        let marker = *bytes.get(pos)?;
        pos += 1;
        match marker {
            // Standalone markers: no length.
            0x01 | 0xD0..=0xD7 => continue,
            // End of image or start of scan before any frame header.
            0xD9 | 0xDA => return None,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(pos)?, *bytes.get(pos + 1)?]));
        if len < 2 {
            return None;
        }
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let seg = bytes.get(pos + 2..pos + len)?;
            if seg.len() < 5 {
                return None;
            }
            let height = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
            let width = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
            return (width > 0 && height > 0).then_some((width, height));
        }
        pos += len;
    }
}

/// A complete JPEG ends with the end-of-image marker (some writers pad with zeros after it).
fn ends_with_eoi(bytes: &[u8]) -> bool {
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    end >= 2 && bytes[end - 2..end] == [0xFF, 0xD9]
}

fn kb(bytes: usize) -> String {
    format!("{:.0}KB", bytes as f64 / 1024.0)
}

impl Problem for PhotoError {
    fn code(&self) -> &'static str {
        match self {
            Self::Empty => "required",
            Self::NotJpeg { .. } => "not_jpeg",
            Self::TooSmallFile { .. } => "file_too_small",
            Self::TooLargeFile { .. } => "file_too_large",
            Self::Truncated => "truncated",
            Self::TooLargeImage { .. } => "image_too_large",
            Self::TooSmallImage { .. } => "image_too_small",
            Self::Ratio { .. } => "ratio",
            Self::Undecodable => "undecodable",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::ZhCn => match self {
                Self::Empty => "请选择照片文件".into(),
                Self::NotJpeg { looks_like: Some(kind) } => {
                    format!("所选文件是{kind}图片，不是JPG格式。请用图片工具另存为JPG格式后重新选择")
                }
                Self::NotJpeg { looks_like: None } => "所选文件不是JPG格式的照片，请重新选择".into(),
                Self::TooSmallFile { bytes, min } => {
                    format!("照片文件太小（{}），应不小于{}。请使用更清晰的照片", kb(*bytes), kb(*min))
                }
                Self::TooLargeFile { bytes, max } => {
                    format!("照片文件太大（{}），应不大于{}。请压缩后重新选择", kb(*bytes), kb(*max))
                }
                Self::Truncated => "照片文件不完整或已损坏，请重新选择文件".into(),
                Self::TooLargeImage { width, height, max } => {
                    format!("照片尺寸过大（{width}×{height}像素），宽和高都不能超过{max}像素")
                }
                Self::TooSmallImage { width, height, min_width, min_height } => {
                    format!("照片尺寸太小（{width}×{height}像素），应至少为{min_width}×{min_height}像素（宽×高）")
                }
                Self::Ratio { width, height } => {
                    format!("照片宽高比例应为3:4（竖版），所选照片为{width}×{height}像素，请裁剪后重新选择")
                }
                Self::Undecodable => "照片文件已损坏，无法读取。请用相机或手机重新导出一张JPEG照片后再上传".into(),
            },
            Lang::En => match self {
                Self::Empty => "Choose a photo file".into(),
                Self::NotJpeg { looks_like: Some(kind) } => format!("The file is a {kind} image, not a JPEG"),
                Self::NotJpeg { looks_like: None } => "The file is not a JPEG photo".into(),
                Self::TooSmallFile { bytes, min } => {
                    format!("The file is too small ({}); at least {}", kb(*bytes), kb(*min))
                }
                Self::TooLargeFile { bytes, max } => {
                    format!("The file is too large ({}); at most {}", kb(*bytes), kb(*max))
                }
                Self::Truncated => "The file is incomplete or damaged".into(),
                Self::TooLargeImage { width, height, max } => {
                    format!("The photo is too large ({width}×{height}); at most {max} pixels a side")
                }
                Self::TooSmallImage { width, height, min_width, min_height } => {
                    format!("The photo is too small ({width}×{height}); at least {min_width}×{min_height}")
                }
                Self::Ratio { width, height } => format!("The photo must be portrait 3:4; it is {width}×{height}"),
                Self::Undecodable => {
                    "The photo file is damaged and cannot be read; export a new JPEG and try again".into()
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JPEG-shaped file: SOI, an APP0, a SOF0 of the given size, padding, EOI.
    pub fn jpeg(width: u16, height: u16, total: usize) -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
        b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
        b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
        b.extend_from_slice(&height.to_be_bytes());
        b.extend_from_slice(&width.to_be_bytes());
        b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 0x3F, 0]);
        while b.len() + 2 < total {
            b.push(0x55);
        }
        b.extend_from_slice(&[0xFF, 0xD9]);
        b
    }

    #[test]
    fn accepts_the_default_spec() {
        let spec = PhotoSpec::default();
        assert_eq!(
            check_photo(&jpeg(144, 192, 30_000), &spec),
            Ok(PhotoInfo { width: 144, height: 192, bytes: 30_000 })
        );
        assert!(check_photo(&jpeg(300, 400, 60_000), &spec).is_ok());
    }

    #[test]
    fn refuses_each_bound() {
        let spec = PhotoSpec::default();
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0; 30_000]].concat();
        assert_eq!(check_photo(&png, &spec), Err(PhotoError::NotJpeg { looks_like: Some("PNG") }));
        assert_eq!(check_photo(&[], &spec), Err(PhotoError::Empty));
        assert_eq!(
            check_photo(&jpeg(144, 192, 10_000), &spec),
            Err(PhotoError::TooSmallFile { bytes: 10_000, min: 20_480 })
        );
        assert!(matches!(check_photo(&jpeg(144, 192, 300_000), &spec), Err(PhotoError::TooLargeFile { .. })));
        let mut truncated = jpeg(144, 192, 30_000);
        truncated.truncate(25_000);
        assert_eq!(check_photo(&truncated, &spec), Err(PhotoError::Truncated));
        assert_eq!(check_photo(&jpeg(144, 192, 30_000)[..21_000], &spec), Err(PhotoError::Truncated));
        assert_eq!(
            check_photo(&jpeg(60000, 60000, 30_000), &spec),
            Err(PhotoError::TooLargeImage { width: 60000, height: 60000, max: 4000 })
        );
        assert!(matches!(check_photo(&jpeg(120, 160, 30_000), &spec), Err(PhotoError::TooSmallImage { .. })));
        assert_eq!(check_photo(&jpeg(192, 192, 30_000), &spec), Err(PhotoError::Ratio { width: 192, height: 192 }));
    }

    #[test]
    fn header_walk_never_panics_on_garbage() {
        let mut b = vec![0xFF, 0xD8, 0xFF];
        for i in 0..2000u32 {
            b.push((i.wrapping_mul(2_654_435_761) >> 13) as u8);
            let _ = frame_size(&b);
        }
    }
}
