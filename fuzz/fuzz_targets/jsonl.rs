//! The JSON-Lines reader of `server validate`: any line gets a verdict, never a panic.
#![no_main]

use app::domain::Date;
use app::validation::verdict::judge_line;
use app::validation::Ctx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
    let verdict = judge_line(&line, &ctx);
    assert_eq!(verdict.ok, verdict.errors.is_empty());
});
