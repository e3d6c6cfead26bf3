//! Seat claims per second, on SQLite and on PostgreSQL, each beside a raw single-statement
//! baseline on the same database in the same run. `cargo bench -p server --bench seats`
//! (or `scripts/bench`, which also starts a throw-away PostgreSQL cluster) prints, per
//! database:
//!
//! 1. raw: `UPDATE offered_subject SET remaining = remaining - 1 WHERE id = ? AND
//!    remaining > 0`, one autocommitted statement per operation on the writer the app
//!    writes with, over the same six subjects' counters the claims then use;
//! 2. claims: `SeatDesk::apply` (what 确定 runs: the conditional decrement, the enrolment
//!    insert and the registration's site, all or nothing), seats plentiful;
//! 3. oversubscribed: ten candidates for every seat, then the oversell count (enrolments
//!    beyond capacity, counters that disagree with capacity minus enrolments, or claims
//!    won beyond the seats there were), which must be 0;
//! 4. rate-limit checks: what the shared counters (`RateLimits::check`, one conditional
//!    upsert per bucket in `rate_limit`) add to a sign-in from a school lab: every check from
//!    one address, each for its own account (two buckets), first with quotas no check
//!    exceeds, then with the real quotas, where nearly every check is refused (an upsert
//!    that changes nothing and a read of the bucket's time for the wait).
//!
//! Each phase runs `CLIENTS` tasks at once pulling work from one counter, on a runtime with
//! one worker per core, and reports operations per second and p50/p99 latency. PostgreSQL
//! runs when `BENCH_POSTGRES_URL` names a server (a database is created for the run).

use app::server::db::Db;
use app::server::entity::{enrolment, offered_subject};
use app::server::limits::{Action, RateLimits};
use app::server::seats::{Choice, Claim, SeatDesk, SeatError};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, Statement,
};
use server::{seed, startup};
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;
const OPERATIONS: usize = 30_000;
const SITE: &str = "650101";
/// The oversubscribed phase's site and seats per subject (its demand is `OPERATIONS`).
const CONTESTED_SITE: &str = "659028";
const CONTESTED_SEATS: i32 = 500;

struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

impl Figures {
    fn line(&self, what: &str) -> String {
        format!("{what:<16} {:>9.0}/s   p50 {:>7.2} ms   p99 {:>7.2} ms", self.per_second, ms(self.p50), ms(self.p99))
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// Runs `op(i)` for i in 0..n with `CLIENTS` tasks at once; throughput and latency.
async fn drive<F, Fut>(n: usize, op: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (op, next) = (op.clone(), next.clone());
            tokio::spawn(async move {
                let mut times = Vec::with_capacity(n / CLIENTS + 1);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break times;
                    }
                    let t = Instant::now();
                    op(i).await;
                    times.push(t.elapsed());
                }
            })
        })
        .collect();
    let mut times = Vec::with_capacity(n);
    for t in tasks {
        times.extend(t.await.expect("a client task panicked"));
    }
    let elapsed = started.elapsed();
    times.sort_unstable();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    Figures { per_second: n as f64 / elapsed.as_secs_f64(), p50: at(0.50), p99: at(0.99) }
}

/// One subject claimed by one registration, as 确定 sends it, confirmed against holdings
/// `version` (fresh registrations are at 0; each applied choice raises it by one).
fn choice(registration_id: i32, site: &str, claim: Claim, version: i32) -> Choice {
    Choice {
        registration_id,
        site_code: site.into(),
        cancelled: Vec::new(),
        added: vec![claim],
        now: Utc::now(),
        version,
        audit: Vec::new(),
    }
}

/// The subjects offered at `site`, each set to `seats` seats.
async fn subjects_at(db: &DatabaseConnection, site: &str, seats: i32) -> Vec<Claim> {
    let session = app::server::journey::repo::open_session(db).await.expect("session").expect("an open session");
    let mut claims = Vec::new();
    for (offered, subject) in &session.site(site).expect("seeded site").subjects {
        let mut row: offered_subject::ActiveModel = offered.clone().into();
        row.capacity = Set(seats);
        row.remaining = Set(seats);
        row.update(db).await.expect("capacity");
        claims.push(Claim {
            offered_subject_id: offered.id,
            subject_code: subject.code.clone(),
            fee_fen: offered.fee_fen,
        });
    }
    claims
}

/// Enrolments beyond capacity, plus counters that disagree with capacity minus enrolments.
async fn oversold(db: &DatabaseConnection) -> i64 {
    let mut bad = 0;
    for o in offered_subject::Entity::find().all(db).await.expect("subjects") {
        let held = enrolment::Entity::find()
            .filter(enrolment::Column::OfferedSubjectId.eq(o.id))
            .count(db)
            .await
            .expect("count") as i64;
        bad += (held - i64::from(o.capacity)).max(0);
        if i64::from(o.remaining) != i64::from(o.capacity) - held || o.remaining < 0 {
            bad += 1;
        }
    }
    bad
}

async fn bench(label: &str, url: &str) {
    let dbs: Db = startup::connect(url).await.expect("connect");
    startup::migrate(&dbs).await.expect("migrate");
    let db = Arc::new(dbs.write().clone());
    seed::load_demo(&db, Utc::now()).await.expect("seed");
    let regs = Arc::new(seed::load_candidates(&db, OPERATIONS, Utc::now()).await.expect("candidates"));
    let desk = Arc::new(SeatDesk::new(&dbs, &app::server::metrics::Metrics::default()).expect("seat desk"));
    println!("{label}: {url_shown}", url_shown = url.split('?').next().unwrap_or(url));

    // 1. The raw baseline: one statement per operation, on the same subjects' counters as
    // the claims below (operation i on subject i mod 6), with seats that never run out.
    let raw_subjects: Arc<Vec<i32>> =
        Arc::new(subjects_at(&db, SITE, i32::MAX).await.iter().map(|c| c.offered_subject_id).collect());
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "UPDATE offered_subject SET remaining = remaining - 1 WHERE id = $1 AND remaining > 0"
        }
        _ => "UPDATE offered_subject SET remaining = remaining - 1 WHERE id = ? AND remaining > 0",
    };
    let raw = {
        let db = db.clone();
        let subjects = raw_subjects.clone();
        drive(OPERATIONS, move |i| {
            let (db, subjects) = (db.clone(), subjects.clone());
            async move {
                let stmt = Statement::from_sql_and_values(backend, sql, [subjects[i % subjects.len()].into()]);
                let done = db.execute_raw(stmt).await.expect("raw update");
                assert_eq!(done.rows_affected(), 1);
            }
        })
        .await
    };
    println!("  {}", raw.line("raw statement"));

    // 2. Claims with seats for everyone: each registration takes one subject.
    let claims = Arc::new(subjects_at(&db, SITE, OPERATIONS as i32).await);
    let claimed = {
        let (desk, regs, claims) = (desk.clone(), regs.clone(), claims.clone());
        drive(OPERATIONS, move |i| {
            let (desk, regs, claims) = (desk.clone(), regs.clone(), claims.clone());
            async move {
                let claim = claims[i % claims.len()].clone();
                desk.apply(choice(regs[i], SITE, claim, 0)).await.expect("a claim with seats left succeeds");
            }
        })
        .await
    };
    println!("  {}", claimed.line("claims"));
    println!("  ratio            {:>8.1} % of raw", 100.0 * claimed.per_second / raw.per_second);

    // 3. Ten candidates for every seat.
    let contested = Arc::new(subjects_at(&db, CONTESTED_SITE, CONTESTED_SEATS).await);
    let seats_there = CONTESTED_SEATS as usize * contested.len();
    let won = Arc::new(AtomicUsize::new(0));
    let rush = {
        let (desk, regs, contested, won) = (desk.clone(), regs.clone(), contested.clone(), won.clone());
        drive(OPERATIONS, move |i| {
            let (desk, regs, contested, won) = (desk.clone(), regs.clone(), contested.clone(), won.clone());
            async move {
                let claim = contested[i % contested.len()].clone();
                match desk.apply(choice(regs[i], CONTESTED_SITE, claim, 1)).await {
                    Ok(()) => {
                        won.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(SeatError::Full { .. }) => {}
                    Err(e) => panic!("a claim failed instead of winning or being told it is full: {e:?}"),
                }
            }
        })
        .await
    };
    let won = won.load(Ordering::Relaxed);
    let oversell = oversold(&db).await + won.saturating_sub(seats_there) as i64;
    println!("  {}", rush.line("oversubscribed"));
    println!("  won {won} of {seats_there} seats by {OPERATIONS} claims; oversold: {oversell}");
    assert_eq!(won, seats_there, "every seat is taken when demand is ten times supply");
    assert_eq!(oversell, 0, "oversold");

    // 4. Rate-limit checks, every one from the same lab address.
    let lab = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7));
    let (allowed, refused) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    for (what, factor) in [("limit, allowed", 1_000_000), ("limit, refused", 1)] {
        let limits = RateLimits::new(factor);
        let (db, allowed, refused) = (db.clone(), allowed.clone(), refused.clone());
        let checked = drive(OPERATIONS, move |i| {
            let (db, allowed, refused) = (db.clone(), allowed.clone(), refused.clone());
            async move {
                let account = format!("{factor}-{i}@example.com");
                match limits.check(&*db, Utc::now(), Action::SignIn, lab, Some(&account)).await {
                    Ok(Ok(())) => allowed.fetch_add(1, Ordering::Relaxed),
                    Ok(Err(_wait)) => refused.fetch_add(1, Ordering::Relaxed),
                    Err(e) => panic!("a rate-limit check failed: {e}"),
                };
            }
        })
        .await;
        println!("  {}", checked.line(what));
    }
    let (allowed, refused) = (allowed.load(Ordering::Relaxed), refused.load(Ordering::Relaxed));
    println!("  checks allowed {allowed}, refused {refused}");
    assert_eq!(allowed + refused, 2 * OPERATIONS, "every check has a verdict");
    assert!(refused > 0, "the real quotas refuse a flood from one address");
}

/// A fresh database on the PostgreSQL server at `base`, returning its URL.
async fn fresh_postgres(base: &str) -> String {
    let admin = startup::connect(base).await.expect("connect to PostgreSQL");
    let admin = admin.write();
    let name = format!("bench_{}", std::process::id());
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name}")).await.expect("drop");
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create");
    let (root, _) = base.rsplit_once('/').expect("a URL with a database name");
    format!("{root}/{name}")
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(cores).enable_all().build().expect("runtime");
    rt.block_on(async {
        println!("seat claims: {CLIENTS} clients, {OPERATIONS} operations per phase, {cores} cores");
        let dir = std::env::temp_dir().join(format!("ncre-bench-seats-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
        bench("SQLite", &url).await;
        std::fs::remove_dir_all(&dir).ok();
        match std::env::var("BENCH_POSTGRES_URL") {
            Ok(base) if !base.is_empty() => bench("PostgreSQL", &fresh_postgres(&base).await).await,
            _ => println!("PostgreSQL: not run (set BENCH_POSTGRES_URL, or use scripts/bench)"),
        }
    });
}
