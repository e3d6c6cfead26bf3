//! Properties of the rules over generated inputs (native only; the corpus in
//! `shared_rules.rs` covers the wasm build).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use app::domain::national_id::mod11_2_check;
use app::domain::person_name::PersonName;
use app::domain::region::PROVINCES;
use app::domain::text::{normalize_ascii, normalize_date, normalize_document_number, normalize_name};
use app::domain::{Date, DocumentNumber, DocumentType};
use app::validation::contact::ContactForm;
use app::validation::identity::IdentityForm;
use app::validation::personal::PersonalForm;
use proptest::prelude::*;

fn today() -> Date {
    Date::new(2025, 1, 6).unwrap()
}

/// A valid 18-digit resident ID: any province, any real birth date giving an age of 6–100.
fn valid_resident_id() -> impl Strategy<Value = String> {
    (0..PROVINCES.len(), 0u32..10_000, 1925u16..=2018, 1u8..=12, 1u8..=31, 0u32..1000).prop_filter_map(
        "real date",
        |(p, area, year, month, day, seq)| {
            let birth = Date::new(year, month, day)?;
            let first17 = format!("{}{area:04}{year:04}{month:02}{day:02}{seq:03}", PROVINCES[p].0);
            let _ = birth;
            Some(format!("{first17}{}", mod11_2_check(first17.as_bytes())?))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_single_digit_change_of_a_valid_id_is_refused(id in valid_resident_id(), pos in 0usize..18, with in 0u8..11) {
        prop_assert!(DocumentNumber::parse(DocumentType::ResidentId, &id, today()).is_ok());
        let new = if with == 10 { 'X' } else { char::from(b'0' + with) };
        prop_assume!(id.as_bytes()[pos] as char != new);
        let mut changed = id.clone().into_bytes();
        changed[pos] = new as u8;
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(DocumentNumber::parse(DocumentType::ResidentId, &changed, today()).is_err(), "{} accepted", changed);
    }

    #[test]
    fn normalisation_is_idempotent(s in prop_oneof!["\\PC{0,40}", any::<String>(), "[ \\n\\t\\u{3000}\\-x·．a1１]{0,12}"]) {
        for f in [normalize_document_number, normalize_name, normalize_date] {
            let once = f(&s);
            let twice = f(&once.value);
            prop_assert_eq!(&once.value, &twice.value);
            prop_assert!(twice.changes.is_empty(), "{:?} changed again: {:?}", once.value, twice.changes);
        }
        let once = normalize_ascii(&s, true);
        prop_assert_eq!(normalize_ascii(&once.value, true).value, once.value);
    }

    #[test]
    fn form_normalisation_is_idempotent(a in "\\PC{0,20}", b in "\\PC{0,20}", c in "\\PC{0,20}") {
        let identity = IdentityForm { doc_type: a.clone(), doc_number: b.clone(), name: c.clone() };
        let (once, _) = identity.normalize();
        let (twice, notes) = once.normalize();
        prop_assert_eq!(once, twice);
        prop_assert!(notes.is_empty());
        let contact = ContactForm { postcode: a, address: b, email: c };
        let (once, _) = contact.normalize();
        prop_assert_eq!(once.normalize().0, once);
    }

    #[test]
    fn parse_of_render_is_identity(id in valid_resident_id(), name_len in 2usize..6) {
        let doc = DocumentNumber::parse(DocumentType::ResidentId, &id, today()).unwrap();
        prop_assert_eq!(DocumentNumber::parse(doc.doc_type(), doc.expose(), today()).unwrap(), doc.clone());
        let birth = doc.birth_date().unwrap();
        prop_assert_eq!(Date::from_iso(&birth.to_string()), Some(birth));
        let name = PersonName::parse(&"张".repeat(name_len), false).unwrap();
        prop_assert_eq!(PersonName::parse(name.as_str(), false).unwrap(), name);
        // A saved identity shown again as a form parses to the same value.
        let form = IdentityForm { doc_type: "resident_id".into(), doc_number: id.to_lowercase(), name: "买买提．艾力".into() };
        let valid = form.parse(&app::validation::Ctx::new(today())).unwrap();
        prop_assert_eq!(valid.to_form().parse(&app::validation::Ctx::new(today())).unwrap(), valid);
    }

    #[test]
    fn rules_never_panic(a in "\\PC{0,60}", b in "\\PC{0,60}", c in "\\PC{0,30}") {
        let ctx = app::validation::Ctx::new(today());
        for t in DocumentType::ALL {
            let _ = IdentityForm { doc_type: t.code().into(), doc_number: a.clone(), name: b.clone() }.parse(&ctx);
        }
        let _ = PersonalForm { gender: a.clone(), birth_date: b.clone(), ethnicity: c.clone(), ..PersonalForm::default() }
            .parse(&ctx, None);
        let _ = app::domain::photo::check_photo(a.as_bytes(), &Default::default());
    }
}
