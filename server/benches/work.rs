//! The heavy parts of a request that are not the page render. `cargo bench -p server --bench
//! work` prints:
//!
//! 1. gzip of a real page (the sign-up page as the router renders it) at levels 1, 2 and 4 with
//!    the server's own gzip backend (zlib-rs, server/Cargo.toml), µs per page and bytes;
//! 2. storing an uploaded photo (`process::process`: the header rule, a full decode and a fresh
//!    JPEG encode) of the browser suite's 480×640 fixture, ms per photo.
//!
//! Each figure is the median of 15 rounds, so a busy moment of the shared machine moves it less.

use app::domain::photo::PhotoSpec;
use app::server::photos::process;
use app::server::Clock;
use axum::body::Body;
use http::Request;
use server::config::Settings;
use server::startup;
use std::io::Write;
use std::time::{Duration, Instant};
use tower::ServiceExt;

const ROUNDS: usize = 15;

/// Median time per call of `f`, run `per_round` times in each of `ROUNDS` rounds.
fn median_per_call(per_round: u32, mut f: impl FnMut()) -> Duration {
    let mut rounds: Vec<Duration> = (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_round {
                f();
            }
            t.elapsed() / per_round
        })
        .collect();
    rounds.sort_unstable();
    rounds[ROUNDS / 2]
}

fn gzip(page: &[u8], level: u32) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::with_capacity(page.len() / 2), flate2::Compression::new(level));
    e.write_all(page).expect("in memory");
    e.finish().expect("in memory")
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let dir = std::env::temp_dir().join(format!("ncre-bench-work-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let page = rt.block_on(async {
        let db = startup::connect(&url).await.expect("db");
        startup::migrate(&db).await.expect("migrate");
        let router =
            startup::build_router(startup::state(db, &Settings::for_tests(&url), Clock::System).expect("state"));
        let res = router.oneshot(Request::get("/pass/sign-up").body(Body::empty()).expect("request")).await;
        let body = res.expect("infallible").into_body();
        axum::body::to_bytes(body, 1 << 20).await.expect("page")
    });
    println!("gzip of the sign-up page ({} B), server's backend:", page.len());
    for level in [1, 2, 4] {
        let size = gzip(&page, level).len();
        let t = median_per_call(2_000, || drop(std::hint::black_box(gzip(&page, level))));
        println!("  level {level}: {:>6.1} µs, {size} B", t.as_secs_f64() * 1e6);
    }

    let fixture =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/fixtures/photo.jpg")).expect("fixture");
    let stored = rt.block_on(process::process(fixture.clone(), PhotoSpec::default())).expect("valid photo");
    let t = median_per_call(20, || {
        rt.block_on(process::process(fixture.clone(), PhotoSpec::default())).expect("valid photo");
    });
    println!(
        "storing a photo ({}×{}, {} B in, {} B stored): {:.2} ms",
        stored.width,
        stored.height,
        fixture.len(),
        stored.jpeg.len(),
        t.as_secs_f64() * 1e3
    );
    let _ = std::fs::remove_dir_all(&dir);
}
