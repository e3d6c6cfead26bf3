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

// ---- 编排 (issue 16) ----

use app::domain::arrangement::{arrange, Batch, Entry, Placement, Room, TicketNumber, Unplaced};
use std::collections::{BTreeSet, HashMap, HashSet};

const CODES: [&str; 4] = ["14", "15", "24", "65"];

fn code_set(mask: u8) -> BTreeSet<String> {
    CODES.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, c)| (*c).to_owned()).collect()
}

/// Rooms of 1–12 seats hosting any subset of the codes, numbered 1…
fn rooms() -> impl Strategy<Value = Vec<Room>> {
    prop::collection::vec((1u8..=12, 0u8..16), 0..6).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (seats, mask))| Room { id: 100 + i as i32, number: i as u8 + 1, seats, subjects: code_set(mask) })
            .collect()
    })
}

/// Batches at any of six start times (some overlapping), 60–150 minutes long.
fn batches() -> impl Strategy<Value = Vec<Batch>> {
    prop::collection::vec((0i64..6, 60i64..=150, 0u8..16), 0..5).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (slot, length, mask))| Batch {
                id: 200 + i as i32,
                number: i as u8 + 1,
                starts: slot * 90,
                ends: slot * 90 + length,
                subjects: code_set(mask),
            })
            .collect()
    })
}

/// Candidates with 1–3 distinct subjects each.
fn entries() -> impl Strategy<Value = Vec<Entry>> {
    prop::collection::vec(prop::sample::subsequence(CODES.to_vec(), 1..=3), 0..40).prop_map(|people| {
        let mut out = Vec::new();
        for (c, subjects) in people.into_iter().enumerate() {
            for s in subjects {
                out.push(Entry { enrolment: out.len() as i32 + 1, candidate: c as i32 + 1, subject: s.to_owned() });
            }
        }
        out
    })
}

/// Every invariant of a set of placements over the input.
fn check(rooms: &[Room], batches: &[Batch], entries: &[Entry], placed: &[Placement]) -> Result<(), TestCaseError> {
    let room = |id: i32| rooms.iter().find(|r| r.id == id).unwrap();
    let batch = |id: i32| batches.iter().find(|b| b.id == id).unwrap();
    let entry = |id: i32| entries.iter().find(|e| e.enrolment == id).unwrap();
    let mut seats = HashSet::new();
    let mut per_room: HashMap<(i32, i32), u32> = HashMap::new();
    let mut sitting: HashMap<i32, Vec<&Batch>> = HashMap::new();
    let mut once = HashSet::new();
    for p in placed {
        let (r, b, e) = (room(p.seat.room), batch(p.seat.batch), entry(p.enrolment));
        prop_assert!(once.insert(p.enrolment), "a subject placed twice");
        prop_assert!(seats.insert(p.seat), "two candidates in one seat of one batch");
        prop_assert!(p.seat.seat >= 1 && p.seat.seat <= r.seats, "a seat outside the room");
        *per_room.entry((b.id, r.id)).or_default() += 1;
        prop_assert!(
            r.subjects.contains(&e.subject) && b.subjects.contains(&e.subject),
            "a subject in the wrong room or batch"
        );
        let mine = sitting.entry(e.candidate).or_default();
        prop_assert!(
            mine.iter().all(|o| o.ends <= b.starts || b.ends <= o.starts),
            "one candidate in two overlapping batches"
        );
        mine.push(b);
    }
    for ((_, r), n) in per_room {
        prop_assert!(n <= u32::from(room(r).seats), "more than a room holds");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arrangement_keeps_every_invariant_and_accounts_for_everyone(
        rooms in rooms(), batches in batches(), entries in entries()
    ) {
        let plan = arrange(&rooms, &batches, &entries, &[]);
        check(&rooms, &batches, &entries, &plan.placed)?;
        // Everyone placed or reported, never both.
        let placed: HashSet<i32> = plan.placed.iter().map(|p| p.enrolment).collect();
        let reported: HashSet<i32> = plan.unplaced.iter().map(|(e, _)| *e).collect();
        prop_assert!(placed.is_disjoint(&reported));
        prop_assert_eq!(placed.len() + reported.len(), entries.len());
        // A reason is true: no batch, no room, or no free seat it could have taken.
        for (id, why) in &plan.unplaced {
            let e = entries.iter().find(|e| e.enrolment == *id).unwrap();
            let offering = batches.iter().any(|b| b.subjects.contains(&e.subject));
            let hosting = rooms.iter().any(|r| r.subjects.contains(&e.subject));
            match why {
                Unplaced::NoBatch => prop_assert!(!offering),
                Unplaced::NoRoom => prop_assert!(offering && !hosting),
                Unplaced::Full | Unplaced::Clash => prop_assert!(offering && hosting),
            }
        }
        // Deterministic: the same input, the same plan.
        prop_assert_eq!(arrange(&rooms, &batches, &entries, &[]), plan);
    }

    #[test]
    fn a_rerun_keeps_every_seat_and_places_only_the_new(
        rooms in rooms(), batches in batches(), entries in entries(), cut in 0usize..40
    ) {
        let cut = cut.min(entries.len());
        let first = arrange(&rooms, &batches, &entries[..cut], &[]);
        let second = arrange(&rooms, &batches, &entries, &first.placed);
        let old: HashSet<i32> = first.placed.iter().map(|p| p.enrolment).collect();
        prop_assert!(second.placed.iter().all(|p| !old.contains(&p.enrolment)), "a held seat given again");
        let all: Vec<Placement> = first.placed.iter().chain(&second.placed).copied().collect();
        check(&rooms, &batches, &entries, &all)?;
        // Nothing held is reported, and a second run with everything placed adds nothing.
        prop_assert!(second.unplaced.iter().all(|(e, _)| !old.contains(e)));
        let third = arrange(&rooms, &batches, &entries, &all);
        prop_assert!(third.placed.is_empty());
    }

    #[test]
    fn ticket_numbers_are_sixteen_digits_unique_per_seat(
        subject in 10u8..100, session in 1i32..1000, site in 100_000u32..1_000_000,
        batch in 1u8..=99, room in 1u8..=99, seat in 1u8..=99
    ) {
        let t = TicketNumber::new(&subject.to_string(), session, &site.to_string(), batch, room, seat).unwrap();
        prop_assert_eq!(t.as_str().len(), 16);
        prop_assert!(t.as_str().bytes().all(|b| b.is_ascii_digit()));
        prop_assert_eq!(TicketNumber::parse(t.as_str()), Ok(t.clone()));
        prop_assert_eq!(t.seat(), seat);
        prop_assert_eq!(t.exam_room(), format!("{batch:02}{room:02}"));
        let next = TicketNumber::new(&subject.to_string(), session, &site.to_string(), batch, room, seat % 99 + 1).unwrap();
        prop_assert!(seat % 99 + 1 == seat || next != t);
    }
}
