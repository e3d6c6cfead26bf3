//! The photo step's words that are not the photo rule's own (`domain::photo`): no file
//! chosen, a body over the upload cap. Shared so the browser and the server say the same.

use super::{FieldErrors, Required};
use crate::domain::photo::{check_photo, PhotoInfo, PhotoSpec};
use crate::domain::Lang;

/// The file input's name; errors are reported against it.
pub const PHOTO_FIELD: &str = "photo";
/// Largest upload read by the server: far above any acceptable photo, far below harm.
pub const MAX_UPLOAD: usize = 2 * 1024 * 1024;

pub const NO_FILE: Required =
    Required { code: "required", zh: "请选择要上传的照片文件", en: "Choose a photo file to upload" };

pub const TOO_BIG: Required = Required {
    code: "too_big",
    zh: "上传的文件超过2MB，已拒绝。请选择不大于200KB的JPEG证件照",
    en: "The upload is over 2 MB; choose a JPEG photo of at most 200 KB",
};

pub fn error(problem: &impl crate::domain::Problem, lang: Lang) -> FieldErrors {
    let mut errors = FieldErrors::new();
    errors.add(PHOTO_FIELD, problem, lang);
    errors
}

/// The whole check of a chosen file, as the browser runs it before uploading and the server
/// before decoding: nothing chosen, over the upload cap, then the photo rule.
pub fn check_upload(bytes: Option<&[u8]>, spec: &PhotoSpec, lang: Lang) -> Result<PhotoInfo, FieldErrors> {
    match bytes {
        None | Some([]) => Err(error(&NO_FILE, lang)),
        Some(b) if b.len() > MAX_UPLOAD => Err(error(&TOO_BIG, lang)),
        Some(b) => check_photo(b, spec).map_err(|e| error(&e, lang)),
    }
}
