//! Per-call time of the full information-step validation in the browser (wasm32 in
//! headless Chromium). A benchmark, not part of `scripts/test`:
//! `cargo test --release -p app --target wasm32-unknown-unknown --test bench_browser -- --nocapture`
//! (with the runner and CHROMEDRIVER set as in scripts/test). It fails only if the
//! workload stops passing the rules; the figure is printed.
#![cfg(target_arch = "wasm32")]

#[path = "../benches/support/workload.rs"]
mod workload;

use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn information_step_per_call_time() {
    let w = workload::Workload::default();
    assert!(w.run(), "the workload must pass the rules");
    for _ in 0..500 {
        std::hint::black_box(w.run());
    }
    let mut samples = Vec::new();
    for _ in 0..10 {
        let n = 2_000;
        let start = js_sys::Date::now();
        for _ in 0..n {
            std::hint::black_box(w.run());
        }
        samples.push((js_sys::Date::now() - start) * 1000.0 / f64::from(n));
    }
    samples.sort_by(f64::total_cmp);
    console_log!(
        "information step, browser (wasm32, Chromium): median {:.1} µs/call, best {:.1} µs/call (10 rounds of 2,000)",
        samples[samples.len() / 2],
        samples[0]
    );
}
