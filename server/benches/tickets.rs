//! Admission tickets as PDF. `cargo bench -p server --bench tickets` prints:
//!
//! 1. cold renders: a ticket page (photo, QR code, every field, notices, 考生须知) drawn and
//!    subset anew each time, each with its own ticket number and token; renders per second on
//!    one thread and on every core, with p50 and p99 of one render;
//! 2. cached downloads: what a repeat download costs the server once its file is made (the
//!    facts' digest, the cache lookup, the response body), per second on one thread;
//! 3. a 30-seat 考场's sign-in sheet with 30 photos, and a whole site of 20 such 考场 (all
//!    three printouts), ms each;
//! 4. cached downloads over HTTP: a signed-in, paid, arranged candidate's
//!    `GET /register/ticket.pdf` through the real router (session, the reads that gather the
//!    facts, the gates, the cache, the body), 16 clients for 5 s on the server's own
//!    two-worker runtime; downloads per second, p50 and p99.
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
    http_downloads();
}
const PASSWORD: &str = "Bench-密码-2025";
const CLIENTS: usize = 16;
const RUSH: Duration = Duration::from_secs(5);

/// A candidate signed up through the API (then marked verified), with a registration at
/// 650101 whose subject 24 is paid and placed in room 01 of batch 01, written directly (the
/// journey and 编排 are measured elsewhere); their session cookie.
async fn arranged_candidate(db: &app::server::db::Db, router: &axum::Router) -> String {
    use app::server::entity::{
        enrolment, exam_batch, exam_room, offered_subject, pass, placement, registration, site_offering,
    };
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    use tower::ServiceExt;
    let call = |path: &str, body: serde_json::Value| {
        http::Request::post(path)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .expect("request")
    };
    let up = serde_json::json!({"form": {"email": "ticket@example.com", "doc_type": "resident_id",
        "doc_number": "11010519491231002X", "name": "阿依古丽", "password": PASSWORD, "password2": PASSWORD}});
    let res = router.clone().oneshot(call("/api/sign_up", up)).await.expect("infallible");
    assert_eq!(res.status(), http::StatusCode::OK, "sign-up");
    let w = db.write();
    let now = chrono::Utc::now();
    let p = pass::Entity::find().one(w).await.expect("db").expect("the pass");
    pass::Entity::update(pass::ActiveModel { id: Set(p.id), email_verified_at: Set(Some(now)), ..Default::default() })
        .exec(w)
        .await
        .expect("verified");
    let session = app::server::journey::repo::open_session(w).await.expect("db").expect("a session").session;
    let offering = site_offering::Entity::find()
        .filter(site_offering::Column::SessionId.eq(session.id))
        .filter(site_offering::Column::SiteCode.eq("650101"))
        .one(w)
        .await
        .expect("db")
        .expect("650101 offers");
    let offered = offered_subject::Entity::find()
        .filter(offered_subject::Column::OfferingId.eq(offering.id))
        .filter(offered_subject::Column::SubjectCode.eq("24"))
        .one(w)
        .await
        .expect("db")
        .expect("24 at 650101");
    let reg = registration::Entity::insert(registration::ActiveModel {
        pass_id: Set(p.id),
        session_id: Set(session.id),
        agreement_accepted_at: Set(Some(now)),
        personal_saved_at: Set(Some(now)),
        site_code: Set(Some("650101".into())),
        declared_at: Set(Some(now)),
        locked_at: Set(Some(now)),
        holdings_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(w)
    .await
    .expect("registration")
    .last_insert_id;
    let enrolment = enrolment::Entity::insert(enrolment::ActiveModel {
        registration_id: Set(reg),
        offered_subject_id: Set(offered.id),
        subject_code: Set("24".into()),
        fee_fen: Set(offered.fee_fen),
        chosen_at: Set(now),
        paid_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(w)
    .await
    .expect("enrolment")
    .last_insert_id;
    let room = exam_room::Entity::insert(exam_room::ActiveModel {
        site_code: Set("650101".into()),
        number: Set(1),
        name: Set("一号机房".into()),
        seats: Set(30),
        subjects: Set(String::new()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(w)
    .await
    .expect("room")
    .last_insert_id;
    let day = chrono::DateTime::parse_from_rfc3339("2025-03-29T09:00:00+08:00").expect("time").to_utc();
    let batch = exam_batch::Entity::insert(exam_batch::ActiveModel {
        session_id: Set(session.id),
        site_code: Set("650101".into()),
        number: Set(1),
        starts_at: Set(day),
        ends_at: Set(day + chrono::Duration::minutes(90)),
        subjects: Set(String::new()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(w)
    .await
    .expect("batch")
    .last_insert_id;
    let ticket = TicketNumber::new("24", session.number, "650101", 1, 1, 5).expect("ticket");
    placement::Entity::insert(placement::ActiveModel {
        session_id: Set(session.id),
        site_code: Set("650101".into()),
        enrolment_id: Set(enrolment),
        registration_id: Set(reg),
        batch_id: Set(batch),
        room_id: Set(room),
        seat: Set(5),
        ticket_number: Set(ticket.as_str().into()),
        placed_at: Set(now),
        ..Default::default()
    })
    .exec(w)
    .await
    .expect("placement");
    let sign_in = serde_json::json!({"form": {"login": "ticket@example.com", "password": PASSWORD}});
    let res = router.clone().oneshot(call("/api/sign_in", sign_in)).await.expect("infallible");
    assert_eq!(res.status(), http::StatusCode::OK, "sign-in");
    let cookie = res
        .headers()
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("ncre_sid="))
        .expect("a session cookie");
    cookie.split(';').next().unwrap_or_default().to_owned()
}

async fn download(router: axum::Router, cookie: String) -> (http::StatusCode, usize) {
    use tower::ServiceExt;
    let req = http::Request::get(app::urls::TICKET_PDF)
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .expect("request");
    let res = router.oneshot(req).await.expect("infallible");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
    (status, body.len())
}

fn http_downloads() {
    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let client_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("rt");
    let server = server_rt.handle().clone();
    let dir = std::env::temp_dir().join(format!("ncre-bench-tickets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    let (router, cookie) = server_rt.block_on(async {
        let db = server::startup::connect(&url).await.expect("db");
        server::startup::migrate(&db).await.expect("migrate");
        server::seed::load_demo(db.write(), chrono::Utc::now()).await.expect("seed");
        let mut settings = server::config::Settings::for_tests(&url);
        settings.rate_limit_factor = 0;
        let state = server::startup::state(db.clone(), &settings, app::server::Clock::System).expect("state");
        let router = server::startup::build_router(state);
        let cookie = arranged_candidate(&db, &router).await;
        (router, cookie)
    });
    let t = Instant::now();
    let (status, bytes) = server_rt.block_on(download(router.clone(), cookie.clone()));
    assert_eq!(status, http::StatusCode::OK, "the first download");
    println!("ticket over HTTP: first download (rendered) {:.1} ms, {bytes} B", ms(t.elapsed()));
    let (count, elapsed, mut times) = client_rt.block_on(async {
        let start = Instant::now();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (router, cookie, server) = (router.clone(), cookie.clone(), server.clone());
                tokio::spawn(async move {
                    let mut times = Vec::new();
                    while start.elapsed() < RUSH {
                        let t = Instant::now();
                        let (status, _) = server.spawn(download(router.clone(), cookie.clone())).await.expect("task");
                        assert_eq!(status, http::StatusCode::OK);
                        times.push(t.elapsed());
                    }
                    times
                })
            })
            .collect();
        let mut all = Vec::new();
        for c in clients {
            all.extend(c.await.expect("client"));
        }
        (all.len(), start.elapsed(), all)
    });
    times.sort_unstable();
    println!(
        "ticket over HTTP, cached, {CLIENTS} clients: {:7.0} downloads/s  p50 {:.2} ms  p99 {:.2} ms  ({count} in {elapsed:.1?})",
        count as f64 / elapsed.as_secs_f64(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
    drop(router);
    server_rt.shutdown_timeout(Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&dir);
}
