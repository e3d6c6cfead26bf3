//! Admission tickets as PDF. `cargo bench -p server --bench tickets` prints:
//!
//! 1. cold renders: a ticket page (photo, QR code, every field, notices, 考生须知) drawn and
//!    subset anew each time, each with its own ticket number and token; renders per second on
//!    one thread and on every core, with p50 and p99 of one render;
//! 2. cached downloads: what a repeat download costs the server once its file is made (the
//!    facts' digest, the cache lookup, the response body), per second on one thread;
//! 3. a 30-seat 考场's sign-in sheet with 30 photos, and a whole site of 20 such 考场 (all
//!    three printouts), ms each.
//!
//! The fonts are Debian's fonts-noto-cjk (`PDF_FONT_DIR` to override), the photo the browser
//! suite's 480×640 fixture as the upload step stores it.

use app::domain::arrangement::TicketNumber;
use app::domain::photo::PhotoSpec;
use app::server::photos::process;
use app::server::printing::cache::{key_of, PdfCache};
use app::server::printing::sheets::{self, Printout, RoomSheet, SheetRow};
use app::server::printing::ticket::{self, TicketFacts, TicketPage};
use app::server::printing::token::{document_digest, TicketKeys};
use app::server::printing::{Fonts, DEFAULT_FONT_DIR};
use pay_protocol::SigningKey;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn facts(keys: &TicketKeys, n: u32) -> TicketFacts {
    let seat = n % 30 + 1;
    let room = (n / 30) % 99 + 1;
    let ticket = TicketNumber::parse(&format!("247565010101{room:02}{seat:02}")).expect("a ticket number");
    let number = format!("65010219900101{:04}", n % 10_000);
    TicketFacts {
        session: "第75次 2025年03月全国计算机等级考试".into(),
        name: "阿依古丽·买买提".into(),
        document_type: "中华人民共和国居民身份证".into(),
        document_number: number.clone(),
        ticket: ticket.as_str().into(),
        subject: "(24)C语言程序设计".into(),
        site: "(650101)新疆大学".into(),
        exam_room: format!("01{room:02}考场（{room}号机房）"),
        seat: format!("{seat:02}"),
        time: "2025-03-29 09:00–10:30（北京时间）".into(),
        notices: vec![("考点须知".into(), "请从东门进入，考前30分钟到达机房门口候考，携带2B铅笔和黑色签字笔。".into())],
        photo_key: Some(format!("photo-{n}")),
        token: keys.sign(&ticket, 3, document_digest("resident_id", &number)).text(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = std::env::var("PDF_FONT_DIR").unwrap_or_else(|_| DEFAULT_FONT_DIR.into());
    let fonts = Fonts::load(std::path::Path::new(&dir)).expect("fonts-noto-cjk (scripts/test installs it)");
    let keys = TicketKeys::new(SigningKey::from_seed(&[3; 32]).expect("key"));
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures/photo.jpg");
    let upload = std::fs::read(&fixture).expect("photo fixture");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    let photo = rt.block_on(process::process(upload, PhotoSpec::default())).expect("a valid photo").jpeg;

    // Warm up (fonts' first use, allocator).
    for n in 0..20 {
        let f = facts(&keys, n);
        ticket::render(&fonts, &[TicketPage { facts: &f, photo: Some(&photo) }]).expect("render");
    }

    // 1. Cold renders.
    let per_thread = 300u32;
    let one = |offset: u32| -> Vec<Duration> {
        (0..per_thread)
            .map(|i| {
                let f = facts(&keys, offset + i);
                let t = Instant::now();
                let pdf = ticket::render(&fonts, &[TicketPage { facts: &f, photo: Some(&photo) }]).expect("render");
                assert!(pdf.len() > photo.len());
                t.elapsed()
            })
            .collect()
    };
    let t = Instant::now();
    let mut single = one(1000);
    let single_rate = f64::from(per_thread) / t.elapsed().as_secs_f64();
    single.sort_unstable();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let t = Instant::now();
    let mut all: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores).map(|c| s.spawn(move || one(10_000 * (c as u32 + 1)))).collect();
        handles.into_iter().flat_map(|h| h.join().expect("thread")).collect()
    });
    let all_rate = f64::from(per_thread) * cores as f64 / t.elapsed().as_secs_f64();
    all.sort_unstable();
    let size = {
        let f = facts(&keys, 1);
        ticket::render(&fonts, &[TicketPage { facts: &f, photo: Some(&photo) }]).expect("render").len()
    };
    println!("ticket PDF, cold (drawn and subset each time; {size} B, of which the photo {} B):", photo.len());
    println!(
        "  1 thread : {single_rate:7.0} renders/s  p50 {:.2} ms  p99 {:.2} ms",
        ms(percentile(&single, 0.5)),
        ms(percentile(&single, 0.99))
    );
    println!(
        "  {cores} threads: {all_rate:7.0} renders/s  p50 {:.2} ms  p99 {:.2} ms",
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99))
    );

    // 2. Cached: the digest of the facts, the lookup, and the body copy a response makes.
    let cache = PdfCache::new(256 << 20);
    let pages: Vec<Vec<TicketFacts>> = (0..1000).map(|n| vec![facts(&keys, n)]).collect();
    let file =
        Arc::new(ticket::render(&fonts, &[TicketPage { facts: &pages[0][0], photo: Some(&photo) }]).expect("render"));
    for p in &pages {
        cache.put(key_of("ticket", p), file.clone());
    }
    let rounds = 20_000usize;
    let mut times = Vec::with_capacity(rounds);
    let t = Instant::now();
    for i in 0..rounds {
        let s = Instant::now();
        let key = key_of("ticket", &pages[i % pages.len()]);
        let hit = cache.get(&key).expect("cached");
        let body = axum::body::Bytes::from(hit.as_ref().clone());
        std::hint::black_box(body);
        times.push(s.elapsed());
    }
    let rate = rounds as f64 / t.elapsed().as_secs_f64();
    times.sort_unstable();
    println!(
        "ticket PDF, cached (digest + lookup + body), 1 thread: {rate:7.0} downloads/s  p50 {:.3} ms  p99 {:.3} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );

    // 3. Printouts.
    let room = |r: u32| RoomSheet {
        session: "第75次 2025年03月全国计算机等级考试".into(),
        site: "(650101)新疆大学".into(),
        exam_room: format!("01{r:02}"),
        room: format!("{r}号机房"),
        time: "2025-03-29 09:00–10:30（北京时间）".into(),
        rows: (1..=30)
            .map(|seat| SheetRow {
                seat: seat as u8,
                name: "阿依古丽".into(),
                masked_number: "6501**********0010".into(),
                ticket: format!("247565010101{r:02}{seat:02}"),
                subject: "24 C语言程序设计".into(),
                photo_key: Some("p".into()),
            })
            .collect(),
    };
    let look = |_: &str| Some(photo.as_slice());
    let one_room = [room(1)];
    let t = Instant::now();
    let sheet = sheets::render(&fonts, Printout::SignIn, &one_room, &look).expect("sheet");
    println!("sign-in sheet, 30 seats with photos: {:.1} ms, {} B", ms(t.elapsed()), sheet.len());
    let site: Vec<RoomSheet> = (1..=20).map(room).collect();
    let t = Instant::now();
    let whole = sheets::render(&fonts, Printout::All, &site, &look).expect("site");
    println!(
        "whole site, 20 考场 × 30 (door list, sign-in sheet, desk labels): {:.1} ms, {} B",
        ms(t.elapsed()),
        whole.len()
    );
}
