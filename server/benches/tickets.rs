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
//!    two-worker runtime; downloads per second, p50 and p99, beside the same candidate's
//!    status page in the same run;
//! 5. the whole 编排 request over HTTP for 20,000 candidates at three sites with 200 rooms
//!    among them (`arrangement_request`).
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
use std::time::{Duration, Instant};

/// The allocator the server binary runs with (server/src/main.rs), so the figures are the
/// served site's: with glibc's malloc, its arenas were ~18 % of this bench's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

    // 2. Cached: the digest of the inputs, the lookup, and the response body (shared, not copied).
    let cache = PdfCache::new(256 << 20);
    let pages: Vec<Vec<TicketFacts>> = (0..1000).map(|n| vec![facts(&keys, n)]).collect();
    let file = axum::body::Bytes::from(
        ticket::render(&fonts, &[TicketPage { facts: &pages[0][0], photo: Some(&photo) }]).expect("render"),
    );
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
        drop(std::hint::black_box(axum::body::Body::from(hit)));
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
    arrangement_request();
}
const PASSWORD: &str = "Bench-密码-2025";
const CLIENTS: usize = 16;
const RUSH: Duration = Duration::from_secs(5);

/// A candidate signed up through the API (then marked verified), with a registration at
/// 650101 whose subject 24 is paid and placed in room 01 of batch 01, written directly (the
/// journey and 编排 are measured elsewhere); their session cookie.
async fn arranged_candidate(db: &app::server::db::Db, router: &axum::Router) -> String {
    use app::server::entity::{enrolment, exam_batch, exam_room, offered_subject, pass, placement, registration};
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
    let offering = offering_of(w, session.id, "650101").await;
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

/// What exam session `session_id` offers at `site` (the demo seed offers every site).
async fn offering_of(
    db: &sea_orm::DatabaseConnection,
    session_id: i32,
    site: &str,
) -> app::server::entity::site_offering::Model {
    use app::server::entity::site_offering;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    site_offering::Entity::find()
        .filter(site_offering::Column::SessionId.eq(session_id))
        .filter(site_offering::Column::SiteCode.eq(site))
        .one(db)
        .await
        .expect("db")
        .unwrap_or_else(|| panic!("the session offers {site}"))
}

async fn get(router: axum::Router, cookie: String, path: &'static str) -> (http::StatusCode, usize) {
    use tower::ServiceExt;
    let req = http::Request::get(path).header("cookie", cookie).body(axum::body::Body::empty()).expect("request");
    let res = router.oneshot(req).await.expect("infallible");
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
    (status, body.len())
}

/// `CLIENTS` clients asking for `path` one after another for `RUSH`, each request served
/// on the server's runtime: requests a second, p50 and p99 in ms, and the count.
fn rush(
    client_rt: &tokio::runtime::Runtime,
    server: &tokio::runtime::Handle,
    router: &axum::Router,
    cookie: &str,
    path: &'static str,
) -> (f64, f64, f64, usize) {
    let (count, elapsed, mut times) = client_rt.block_on(async {
        let start = Instant::now();
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                let (router, cookie, server) = (router.clone(), cookie.to_owned(), server.clone());
                tokio::spawn(async move {
                    let mut times = Vec::new();
                    while start.elapsed() < RUSH {
                        let t = Instant::now();
                        let (status, _) = server.spawn(get(router.clone(), cookie.clone(), path)).await.expect("task");
                        assert_eq!(status, http::StatusCode::OK, "{path}");
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
    (count as f64 / elapsed.as_secs_f64(), ms(percentile(&times, 0.5)), ms(percentile(&times, 0.99)), count)
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
    let (status, bytes) = server_rt.block_on(get(router.clone(), cookie.clone(), app::urls::TICKET_PDF));
    assert_eq!(status, http::StatusCode::OK, "the first download");
    println!("ticket over HTTP: first download (rendered) {:.1} ms, {bytes} B", ms(t.elapsed()));
    // The baseline in the same run: the same candidate's status page (the session, the
    // registration and its enrolments, the placements, a page rendered), then the ticket.
    for (what, path) in [("status page (baseline)", app::urls::STATUS), ("ticket PDF, cached", app::urls::TICKET_PDF)] {
        let (rate, p50, p99, count) = rush(&client_rt, &server, &router, &cookie, path);
        println!(
            "over HTTP, {CLIENTS} clients, {what}: {rate:7.0} /s  p50 {p50:.2} ms  p99 {p99:.2} ms  ({count} in {RUSH:?})"
        );
    }
    drop(router);
    server_rt.shutdown_timeout(Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The demo's three sites with their share of the 200 rooms (a site numbers at most 99: two
/// digits of the ticket number), and the candidates dealt to them in turn.
const SITES: [(&str, i32); 3] = [("650101", 67), ("659028", 67), ("650105", 66)];
const CANDIDATES: usize = 20_000;
const BATCHES: i32 = 9;

/// 5. The whole 编排 request over HTTP: 20,000 paid candidates (a quarter with a second
///    subject) dealt to the demo's three sites, 200 rooms of 30 seats among them, 9 batches
///    at each; a staff member of all three posts 编排待编排的考生 for each site in turn (编排
///    runs per site); each request reads the site's paid subjects and placements, plans,
///    writes every placement with its ticket number and the audit entry in one transaction,
///    and answers. The figure is the three requests' time together. Then 1,000 late payments
///    and the same posts again, then 重新编排全部 at each site.
fn arrangement_request() {
    use app::server::entity::{enrolment, exam_batch, exam_room, offered_subject, placement, registration};
    use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let dir = std::env::temp_dir().join(format!("ncre-bench-arrange-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}/bench.db?mode=rwc", dir.display());
    rt.block_on(async {
        let db = server::startup::connect(&url).await.expect("db");
        server::startup::migrate(&db).await.expect("migrate");
        let w = db.write();
        let now = chrono::Utc::now();
        server::seed::load_demo(w, now).await.expect("seed");
        let regs = server::seed::load_candidates(w, CANDIDATES, now).await.expect("candidates");
        let session = app::server::journey::repo::open_session(w).await.expect("db").expect("a session").session;
        let paid = |reg: i32, o: &offered_subject::Model| enrolment::ActiveModel {
            registration_id: Set(reg),
            offered_subject_id: Set(o.id),
            subject_code: Set(o.subject_code.clone()),
            fee_fen: Set(o.fee_fen),
            chosen_at: Set(now),
            paid_at: Set(Some(now)),
            ..Default::default()
        };
        let first = chrono::DateTime::parse_from_rfc3339("2025-03-29T09:00:00+08:00").expect("time").to_utc();
        // Each site's two subjects, to pay the late second subjects with below.
        let mut offered_at: Vec<Vec<offered_subject::Model>> = Vec::new();
        let mut subjects = 0;
        for (k, &(site, rooms)) in SITES.iter().enumerate() {
            let mine: Vec<i32> = regs.iter().skip(k).step_by(SITES.len()).copied().collect();
            for chunk in mine.chunks(500) {
                registration::Entity::update_many()
                    .col_expr(registration::Column::SiteCode, sea_orm::sea_query::Expr::value(site))
                    .filter(registration::Column::Id.is_in(chunk.to_vec()))
                    .exec(w)
                    .await
                    .expect("site");
            }
            let offering = offering_of(w, session.id, site).await;
            let offered = offered_subject::Entity::find()
                .filter(offered_subject::Column::OfferingId.eq(offering.id))
                .order_by_asc(offered_subject::Column::Id)
                .all(w)
                .await
                .expect("db");
            assert!(offered.len() >= 2, "two subjects at {site}");
            let mut rows: Vec<enrolment::ActiveModel> = Vec::new();
            for (i, &reg) in mine.iter().enumerate() {
                rows.push(paid(reg, &offered[i % 2]));
                if i % 4 == 0 && i + 1_000 < mine.len() {
                    rows.push(paid(reg, &offered[(i + 1) % 2]));
                }
            }
            subjects += rows.len();
            for chunk in rows.chunks(500) {
                enrolment::Entity::insert_many(chunk.to_vec()).exec_without_returning(w).await.expect("enrolments");
            }
            let both = format!("{},{}", offered[0].subject_code, offered[1].subject_code);
            let room_rows = (1..=rooms).map(|n| exam_room::ActiveModel {
                site_code: Set(site.into()),
                number: Set(n),
                name: Set(format!("{n}号机房")),
                seats: Set(30),
                subjects: Set(both.clone()),
                created_at: Set(now),
                ..Default::default()
            });
            exam_room::Entity::insert_many(room_rows).exec_without_returning(w).await.expect("rooms");
            let batches = (0..BATCHES).map(|n| {
                let starts =
                    first + chrono::Duration::days(i64::from(n / 3)) + chrono::Duration::hours(i64::from(n % 3) * 3);
                exam_batch::ActiveModel {
                    session_id: Set(session.id),
                    site_code: Set(site.into()),
                    number: Set(n + 1),
                    starts_at: Set(starts),
                    ends_at: Set(starts + chrono::Duration::minutes(120)),
                    subjects: Set(both.clone()),
                    created_at: Set(now),
                    ..Default::default()
                }
            });
            exam_batch::Entity::insert_many(batches).exec_without_returning(w).await.expect("batches");
            offered_at.push(offered);
        }

        let mut settings = server::config::Settings::for_tests(&url);
        settings.rate_limit_factor = 0;
        let state = server::startup::state(db.clone(), &settings, app::server::Clock::System).expect("state");
        let router = server::startup::build_router(state);
        let cookie = site_staff(w, now).await;
        // One post per site; the time of all of them and of each.
        let post_all = |mode: &'static str| {
            let (router, cookie) = (router.clone(), cookie.clone());
            async move {
                use tower::ServiceExt;
                let mut each = Vec::new();
                for (site, _) in SITES {
                    let req = http::Request::post(app::urls::STAFF_ARRANGE)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("accept", "text/html")
                        .header("cookie", cookie.clone())
                        .body(axum::body::Body::from(format!("site={site}&{mode}")))
                        .expect("request");
                    let t = Instant::now();
                    let res = router.clone().oneshot(req).await.expect("infallible");
                    let status = res.status();
                    let _ = axum::body::to_bytes(res.into_body(), usize::MAX).await;
                    assert_eq!(status, http::StatusCode::SEE_OTHER, "编排 at {site} answered {status}");
                    each.push(t.elapsed());
                }
                let shown: Vec<String> = each.iter().map(|d| format!("{:.0}", ms(*d))).collect();
                (each.iter().sum::<Duration>(), shown.join(" + "))
            }
        };
        let placements = || async { placement::Entity::find().count(db.read()).await.expect("count") };
        let rooms: i32 = SITES.iter().map(|(_, r)| r).sum();
        let (took, each) = post_all("mode=new").await;
        let placed = placements().await;
        println!(
            "编排 over HTTP, {CANDIDATES} candidates ({subjects} paid subjects) at {} sites, {rooms} rooms × 30 seats, {BATCHES} batches each: {:.0} ms ({each} ms), {placed} placed",
            SITES.len(),
            ms(took)
        );
        assert_eq!(placed as usize, subjects, "every paid subject placed");
        // 1,000 late payments: the last thousand candidates' second subjects.
        let late: Vec<enrolment::ActiveModel> = regs[regs.len() - 1_000..]
            .iter()
            .enumerate()
            .map(|(j, &reg)| {
                let i = regs.len() - 1_000 + j;
                let offered = &offered_at[i % SITES.len()];
                paid(reg, &offered[(i / SITES.len() + 1) % 2])
            })
            .collect();
        for chunk in late.chunks(500) {
            enrolment::Entity::insert_many(chunk.to_vec()).exec_without_returning(w).await.expect("late");
        }
        let (took, each) = post_all("mode=new").await;
        println!(
            "编排 over HTTP, again after 1,000 late payments: {:.0} ms ({each} ms), {} placed in all",
            ms(took),
            placements().await
        );
        let (took, each) = post_all("mode=all&confirm=yes").await;
        println!(
            "重新编排全部 over HTTP (clears, then places everyone): {:.0} ms ({each} ms), {} placed",
            ms(took),
            placements().await
        );
    });
    rt.shutdown_timeout(Duration::from_secs(1));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A site account for the three sites with a session past both factors, written directly (the
/// sign-in is measured by the sign_in bench); its cookie.
async fn site_staff(db: &sea_orm::DatabaseConnection, now: chrono::DateTime<chrono::Utc>) -> String {
    use app::server::entity::{staff, staff_session};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    let new = app::server::staff::NewStaff {
        email: "arrange@ncre.test".into(),
        name: "编排员".into(),
        role: staff::Role::Site,
        province_code: "65".into(),
        sites: SITES.iter().map(|(site, _)| (*site).to_owned()).collect(),
    };
    app::server::staff::accounts::add(db, "http://bench.test", &new, now).await.expect("db").expect("an account");
    let account = staff::Entity::find()
        .filter(staff::Column::Email.eq("arrange@ncre.test"))
        .one(db)
        .await
        .expect("db")
        .expect("the account");
    let token = app::server::cookies::new_token().expect("randomness");
    staff_session::ActiveModel {
        token_hash: Set(app::server::cookies::hash(&token)),
        staff_id: Set(account.id),
        stage: Set(staff_session::Stage::Full),
        created_at: Set(now),
        last_seen_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .expect("a staff session");
    format!("{}={token}", app::server::staff::session::COOKIE.name)
}
