//! The personal, contact and school rules on arbitrary field values.
#![no_main]

use app::domain::Date;
use app::validation::contact::ContactForm;
use app::validation::personal::PersonalForm;
use app::validation::school::SchoolForm;
use app::validation::Ctx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\u{1}').map(str::to_owned);
    let mut next = || parts.next().unwrap_or_default();
    let ctx = Ctx::new(Date::new(2025, 1, 6).unwrap());
    let personal = PersonalForm {
        gender: next(),
        birth_date: next(),
        ethnicity: next(),
        occupation: next(),
        education: next(),
        training_type: next(),
    };
    let _ = personal.parse(&ctx, None);
    let contact = ContactForm { postcode: next(), address: next(), email: next() };
    let _ = contact.parse(&ctx);
    let school = SchoolForm { department: next(), major: next(), class_name: next(), student_no: next() };
    let _ = school.parse(&ctx);
});
