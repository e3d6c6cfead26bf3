//! The photo rule on arbitrary bytes: never panics; an accepted file's size is in bounds.
#![no_main]

use app::domain::photo::{check_photo, PhotoSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Small bounds so short inputs reach the header walk.
    let spec = PhotoSpec { min_bytes: 0, min_width: 1, min_height: 1, ..PhotoSpec::default() };
    if let Ok(info) = check_photo(data, &spec) {
        assert!(info.width <= spec.max_side && info.height <= spec.max_side);
    }
    let _ = check_photo(data, &PhotoSpec::default());
});
