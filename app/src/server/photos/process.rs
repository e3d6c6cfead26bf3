//! The server's half of a photo upload: the shared rule (`domain::photo::check_photo`) first,
//! then a full decode under hard limits and a fresh JPEG encode. Only pixels survive the round
//! trip, so no EXIF, GPS position, comment or ICC profile the camera or phone wrote is ever
//! stored; and a file that merely looks like a JPEG in its header is refused here.

use crate::domain::photo::{check_photo, PhotoError, PhotoSpec};
use crate::domain::photo_facts::{measure, PhotoFacts};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use std::io::Cursor;
use std::sync::OnceLock;
use tokio::sync::Semaphore;

/// JPEG quality of the stored copy: visually lossless for a portrait, a fraction of a camera's
/// size.
pub const QUALITY: u8 = 90;

/// Most bytes the decoder may allocate for one photo. The spec's 4000-pixel side and 3:4 ratio
/// allow at most 3000×4000 RGB (36 MiB); a header claiming more is refused before any pixel
/// buffer is allocated.
pub const MAX_DECODE_ALLOC: u64 = 64 * 1024 * 1024;

/// A photo as it is stored: re-encoded, without metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// What was measured of it (background, brightness, sharpness), as advice.
    pub facts: PhotoFacts,
}

/// Decodes in flight at once: one per core. A process-wide `static` rather than a value in
/// `AppState`, because the bound is a property of the machine, not of one router: every
/// caller (a page, a test, a job) shares the same cores. Each decode holds up to
/// `MAX_DECODE_ALLOC` as well, so the permits also bound memory.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get())))
}

/// Checks `bytes` against `spec`, then decodes and re-encodes them on the blocking pool.
///
/// The header check runs first and on the calling task: it reads no pixel, so a file the rule
/// refuses (wrong type, too big, a 60000×60000 header) costs nothing and gets the same words
/// the browser showed. A decoder failure is logged and reported as `PhotoError::Undecodable`.
pub async fn process(bytes: Vec<u8>, spec: PhotoSpec) -> Result<ProcessedPhoto, PhotoError> {
    check_photo(&bytes, &spec)?;
    // The semaphore is never closed, so `acquire` cannot fail; if it somehow did, decoding
    // without a permit is still correct, only less polite to the other requests.
    let permit = permits().acquire().await.ok();
    // The permit moves into the task: if the request is dropped mid-decode, the core stays
    // counted as busy until the decode really ends.
    let task = move || {
        let _permit = permit;
        reencode(&bytes, &spec)
    };
    match tokio::task::spawn_blocking(task).await {
        Ok(Ok(photo)) => Ok(photo),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "photo passed the header check but could not be decoded");
            Err(PhotoError::Undecodable)
        }
        Err(e) => {
            // A panic inside the decoder on a crafted file: to the user, a file we cannot read.
            tracing::warn!(error = %e, "photo decoding task failed");
            Err(PhotoError::Undecodable)
        }
    }
}

/// Decodes `bytes` as a JPEG, allowing no side above `spec.max_side` and no allocation above
/// `MAX_DECODE_ALLOC` (checked against the header before the pixel buffer exists).
fn decode(bytes: &[u8], spec: &PhotoSpec) -> image::ImageResult<DynamicImage> {
    let mut limits = Limits::default();
    limits.max_image_width = Some(spec.max_side);
    limits.max_image_height = Some(spec.max_side);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), ImageFormat::Jpeg);
    reader.limits(limits);
    reader.decode()
}

/// Why a decoded photo could not be stored again.
#[derive(Debug, thiserror::Error)]
enum ReencodeError {
    #[error(transparent)]
    Decode(#[from] image::ImageError),
    #[error("encoding: {0}")]
    Encode(#[from] jpeg_encoder::EncodingError),
    #[error("{0}×{1} pixels do not fit the encoder")]
    Size(u32, u32),
}

fn reencode(bytes: &[u8], spec: &PhotoSpec) -> Result<ProcessedPhoto, ReencodeError> {
    let image = decode(bytes, spec)?;
    let (width, height) = (image.width(), image.height());
    let (Ok(w), Ok(h)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(ReencodeError::Size(width, height));
    };
    // The encoder writes SOI, JFIF APP0, the tables, the frame and the scan: nothing of the
    // original's segments is copied. Colour is subsampled 4:2:0, as cameras and libjpeg do
    // for photographs: a third smaller and faster to write than 4:4:4, and invisible in a
    // portrait.
    let mut jpeg = Vec::new();
    let mut encoder = Encoder::new(&mut jpeg, QUALITY);
    encoder.set_sampling_factor(SamplingFactor::R_4_2_0);
    let rgb = image.to_rgb8();
    if image.color().has_color() {
        encoder.encode(rgb.as_raw(), w, h, ColorType::Rgb)?;
    } else {
        encoder.encode(image.to_luma8().as_raw(), w, h, ColorType::Luma)?;
    }
    let facts = measure(width, height, rgb.as_raw(), jpeg.len());
    Ok(ProcessedPhoto { jpeg, width, height, facts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::jpeg::JpegEncoder;
    use image::{GrayImage, ImageError, RgbImage};

    /// A deterministic noisy portrait: noise keeps the JPEG above the spec's 20 KB minimum.
    fn noisy_rgb(width: u32, height: u32) -> RgbImage {
        let mut state = 0x9E37_79B9_u32;
        RgbImage::from_fn(width, height, |x, y| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let n = (state & 0x3F) as u8;
            image::Rgb([(x % 190) as u8 + n, (y % 190) as u8 + n, 90 + n])
        })
    }

    fn encode(image: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        JpegEncoder::new_with_quality(&mut out, quality).encode_image(image).unwrap();
        out
    }

    fn valid_jpeg() -> Vec<u8> {
        let jpeg = encode(&noisy_rgb(300, 400), 85);
        // The fixture must itself pass the rule, or the tests below test nothing.
        check_photo(&jpeg, &PhotoSpec::default()).unwrap();
        jpeg
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Offset of the first byte after the SOS segment's header (the entropy-coded data).
    fn scan_start(jpeg: &[u8]) -> usize {
        let sos = jpeg.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        sos + 2 + usize::from(u16::from_be_bytes([jpeg[sos + 2], jpeg[sos + 3]]))
    }

    /// Overwrites the SOF0 size fields (height, then width).
    fn set_frame_size(jpeg: &mut [u8], width: u16, height: u16) {
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        jpeg[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    }

    #[tokio::test]
    async fn a_valid_jpeg_is_reencoded_without_exif() {
        let photo = process(valid_jpeg(), PhotoSpec::default()).await.unwrap();
        assert_eq!((photo.width, photo.height), (300, 400));
        assert!(photo.jpeg.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(!contains(&photo.jpeg, b"Exif"));
        let again = decode(&photo.jpeg, &PhotoSpec::default()).unwrap();
        assert_eq!((again.width(), again.height()), (300, 400));
    }

    /// The stored copy is the same picture: every channel of every pixel within a JPEG's
    /// loss of the original's (a smooth portrait-like gradient, so the loss is small).
    #[tokio::test]
    async fn the_stored_copy_looks_like_the_original() {
        let original =
            RgbImage::from_fn(300, 400, |x, y| image::Rgb([(x * 255 / 300) as u8, (y * 255 / 400) as u8, 180]));
        let spec = PhotoSpec { min_bytes: 0, ..PhotoSpec::default() };
        let photo = process(encode(&original, 95), spec).await.unwrap();
        let stored = decode(&photo.jpeg, &spec).unwrap().to_rgb8();
        assert_eq!(stored.dimensions(), original.dimensions());
        let diff: u64 = original.as_raw().iter().zip(stored.as_raw()).map(|(a, b)| u64::from(a.abs_diff(*b))).sum();
        let mean = diff as f64 / original.as_raw().len() as f64;
        assert!(mean < 3.0, "mean difference {mean:.2} per channel");
    }

    #[tokio::test]
    async fn exif_with_a_gps_position_is_dropped() {
        let mut jpeg = valid_jpeg();
        // APP1 "Exif\0\0" with a little-endian TIFF header and a tag block naming GPS.
        let mut payload = b"Exif\0\0II*\0\x08\0\0\0".to_vec();
        payload.extend_from_slice(b"GPSLatitude 39.9042 N GPSLongitude 116.4074 E comment");
        let len = u16::try_from(payload.len() + 2).unwrap();
        let mut app1 = vec![0xFF, 0xE1];
        app1.extend_from_slice(&len.to_be_bytes());
        app1.extend_from_slice(&payload);
        jpeg.splice(2..2, app1);
        assert!(contains(&jpeg, b"Exif") && contains(&jpeg, b"GPS"));

        let photo = process(jpeg, PhotoSpec::default()).await.unwrap();
        assert_eq!((photo.width, photo.height), (300, 400));
        assert!(!contains(&photo.jpeg, b"Exif"));
        assert!(!contains(&photo.jpeg, b"GPS"));
    }

    #[tokio::test]
    async fn greyscale_stays_greyscale() {
        let grey = GrayImage::from_fn(300, 400, |x, y| image::Luma([((x * 7 + y * 13) % 251) as u8]));
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 100).encode_image(&grey).unwrap();
        let spec = PhotoSpec { min_bytes: 0, ..PhotoSpec::default() };
        let photo = process(jpeg, spec).await.unwrap();
        assert!(!decode(&photo.jpeg, &spec).unwrap().color().has_color());
    }

    #[tokio::test]
    async fn a_png_is_not_a_jpeg() {
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0; 30_000]].concat();
        assert_eq!(process(png, PhotoSpec::default()).await, Err(PhotoError::NotJpeg { looks_like: Some("PNG") }));
    }

    #[tokio::test]
    async fn a_truncated_jpeg_is_refused_by_the_header_check() {
        let mut jpeg = valid_jpeg();
        jpeg.truncate(jpeg.len() - 100);
        assert_eq!(process(jpeg, PhotoSpec::default()).await, Err(PhotoError::Truncated));
    }

    /// zune-jpeg (image's JPEG decoder) is lenient about the entropy-coded data: a scan of
    /// garbage, or one that ends early, decodes into some pixels rather than an error, as
    /// browsers do. Such a file is a valid (if ugly) photo after re-encoding, and a person
    /// sees it on the summary page before paying. What only a full decode catches is a file
    /// whose tables are broken: here, a scan that refers to a Huffman table never defined.
    #[tokio::test]
    async fn garbage_entropy_data_decodes_to_a_valid_jpeg() {
        let mut jpeg = valid_jpeg();
        let (start, end) = (scan_start(&jpeg), jpeg.len() - 2);
        let mut state = 12_345_u32;
        for b in &mut jpeg[start..end] {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            // No 0xFF: a stray marker inside the scan would be another kind of damage.
            *b = ((state >> 16) as u8).min(0xFE);
        }
        check_photo(&jpeg, &PhotoSpec::default()).unwrap();

        let photo = process(jpeg, PhotoSpec::default()).await.unwrap();
        assert_eq!((photo.width, photo.height), (300, 400));
        let again = decode(&photo.jpeg, &PhotoSpec::default()).unwrap();
        assert_eq!((again.width(), again.height()), (300, 400));
    }

    #[tokio::test]
    async fn a_header_only_jpeg_is_undecodable() {
        // SOI, a frame header the rule accepts, padding, EOI: the rule sees a 300×400 JPEG,
        // the decoder finds neither tables nor a scan.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x90, 0x01, 0x2C];
        jpeg.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
        jpeg.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x02]);
        jpeg.resize(30_000, 0x55);
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        check_photo(&jpeg, &PhotoSpec::default()).unwrap();
        assert_eq!(process(jpeg, PhotoSpec::default()).await, Err(PhotoError::Undecodable));
    }

    #[tokio::test]
    async fn a_60000_pixel_header_is_refused_before_decoding() {
        let mut jpeg = valid_jpeg();
        set_frame_size(&mut jpeg, 60_000, 60_000);
        assert_eq!(
            process(jpeg, PhotoSpec::default()).await,
            Err(PhotoError::TooLargeImage { width: 60_000, height: 60_000, max: 4000 })
        );
    }

    /// Even with a spec that lets a huge header through the rule, the decoder's allocation
    /// limit refuses it before allocating the 9 GB pixel buffer the header asks for.
    #[test]
    fn the_decoder_limit_holds_even_when_the_spec_is_lax() {
        let mut jpeg = valid_jpeg();
        set_frame_size(&mut jpeg, 48_000, 64_000);
        let lax = PhotoSpec { max_side: u32::from(u16::MAX), ..PhotoSpec::default() };
        assert!(check_photo(&jpeg, &lax).is_ok());
        assert!(matches!(decode(&jpeg, &lax), Err(ImageError::Limits(_))));
    }
}
