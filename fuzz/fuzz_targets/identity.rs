//! Every document type's rule and the name rule on arbitrary text: never panic, and a
//! valid verdict survives re-parsing its own normalised output.
#![no_main]

use app::domain::{Date, DocumentType};
use app::validation::identity::IdentityForm;
use app::validation::Ctx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (number, name) = text.split_once('\u{1}').unwrap_or((text, "张三"));
    let ctx = Ctx { allow_legacy_id: true, ..Ctx::new(Date::new(2025, 1, 6).unwrap()) };
    for t in DocumentType::ALL {
        let form = IdentityForm { doc_type: t.code().into(), doc_number: number.into(), name: name.into() };
        if let Ok(valid) = form.parse(&ctx) {
            assert_eq!(valid.to_form().parse(&ctx).unwrap(), valid);
        }
        let (once, _) = form.normalize();
        assert_eq!(once.normalize().0, once);
    }
});
