//! Per-call time of the full information-step validation, natively.
//! `cargo bench -p app --bench validation`; the browser figure comes from
//! `app/tests/bench_browser.rs` (see docs/PERFORMANCE.md).
#![allow(clippy::unwrap_used)]

#[path = "support/workload.rs"]
mod workload;

use std::time::Instant;

fn main() {
    let w = workload::Workload::default();
    assert!(w.run(), "the workload must pass the rules");
    for _ in 0..1000 {
        std::hint::black_box(w.run());
    }
    let mut samples = Vec::new();
    for _ in 0..20 {
        let n = 5_000;
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(w.run());
        }
        samples.push(start.elapsed().as_nanos() as f64 / f64::from(n));
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "information step, native: median {:.1} µs/call, best {:.1} µs/call ({} rounds of 5,000)",
        samples[samples.len() / 2] / 1000.0,
        samples[0] / 1000.0,
        samples.len()
    );
}
