//! 编排 of a large site: 20,000 candidates (a quarter with two subjects, 25,000 subjects in
//! all) across 200 rooms of 30 seats in 6 batches, natively.
//! `cargo bench -p app --bench arrangement`; figures in docs/PERFORMANCE.md.
#![allow(clippy::unwrap_used)]

use app::domain::arrangement::{arrange, Batch, Entry, Room};
use std::collections::BTreeSet;
use std::time::Instant;

const CODES: [&str; 8] = ["14", "15", "24", "26", "28", "61", "65", "66"];

fn codes(pick: impl Fn(usize) -> bool) -> BTreeSet<String> {
    CODES.iter().enumerate().filter(|(i, _)| pick(*i)).map(|(_, c)| (*c).to_owned()).collect()
}

fn main() {
    // Every room hosts 14, 15 and 65 (the most taken) and a third of the others; every batch
    // sits all subjects; two batches a day for three days.
    let rooms: Vec<Room> = (0..200)
        .map(|i| Room {
            id: i + 1,
            number: (i % 99 + 1) as u8,
            seats: 30,
            subjects: codes(|c| c < 2 || c == 6 || (c + i as usize).is_multiple_of(3)),
        })
        .collect();
    let batches: Vec<Batch> = (0..6)
        .map(|i| {
            let day = i64::from(i / 2) * 24 * 60;
            let starts = day + if i % 2 == 0 { 9 * 60 } else { 14 * 60 };
            Batch { id: 1000 + i, number: (i + 1) as u8, starts, ends: starts + 120, subjects: codes(|_| true) }
        })
        .collect();
    let mut entries = Vec::new();
    for c in 0..20_000 {
        let first = CODES[c % CODES.len()];
        entries.push(Entry { enrolment: entries.len() as i32 + 1, candidate: c as i32 + 1, subject: first.into() });
        if c.is_multiple_of(4) {
            let second = CODES[(c / 4 + 3) % CODES.len()];
            if second != first {
                entries.push(Entry {
                    enrolment: entries.len() as i32 + 1,
                    candidate: c as i32 + 1,
                    subject: second.into(),
                });
            }
        }
    }
    let seats: u32 = rooms.iter().map(|r| u32::from(r.seats)).sum::<u32>() * batches.len() as u32;

    let time = |label: &str, run: &dyn Fn() -> (usize, usize)| {
        let (placed, unplaced) = run();
        let mut samples = Vec::new();
        for _ in 0..10 {
            let start = Instant::now();
            std::hint::black_box(run());
            samples.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        samples.sort_by(f64::total_cmp);
        println!(
            "{label}: median {:.1} ms, worst {:.1} ms of 10 ({placed} placed, {unplaced} reported)",
            samples[5], samples[9]
        );
    };
    println!(
        "arrangement: {} subjects of 20,000 candidates, {} rooms, {} batches, {seats} seats",
        entries.len(),
        rooms.len(),
        batches.len()
    );
    time("first run, nobody placed", &|| {
        let plan = arrange(&rooms, &batches, &entries, &[]);
        (plan.placed.len(), plan.unplaced.len())
    });
    let all = arrange(&rooms, &batches, &entries, &[]).placed;
    let late = entries.len() - 1000;
    let early = arrange(&rooms, &batches, &entries[..late], &[]).placed;
    time("re-run after 1,000 late payments", &|| {
        let plan = arrange(&rooms, &batches, &entries, &early);
        (plan.placed.len(), plan.unplaced.len())
    });
    time("re-run with everyone placed", &|| {
        let plan = arrange(&rooms, &batches, &entries, &all);
        (plan.placed.len(), plan.unplaced.len())
    });
}
