//! What whoever runs the site relies on: the probes (`/healthz`, `/readyz`), the metrics
//! (`/metrics`, on their own listener) and `server backup`, a consistent SQLite copy taken
//! while the site writes.

use crate::helpers::spawn_app;
use http::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use server::backup::{self, BackupError};
use server::startup;
use std::path::PathBuf;
use std::process::Command;

#[tokio::test]
async fn the_probes_answer_without_a_session_in_plain_words() {
    let app = spawn_app().await;
    let alive = app.get("/healthz", None).await;
    assert_eq!(alive.status, StatusCode::OK);
    assert_eq!(alive.body, "ok\n");
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "ready\n");
    assert!(ready.headers["content-type"].to_str().unwrap().starts_with("text/plain"));
    assert!(ready.headers.get("set-cookie").is_none(), "a probe starts no session");

    // A schema behind this build (as before `server migrate` on a deploy) is not ready.
    let newest = "DELETE FROM seaql_migrations WHERE version = (SELECT MAX(version) FROM seaql_migrations)";
    app.db.execute_unprepared(newest).await.unwrap();
    let behind = app.get("/readyz", None).await;
    assert_eq!(behind.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(behind.body, "migrations pending\n");
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK, "alive all the same");
}

/// `/metrics` counts requests by route pattern, status and method, payment notifications by
/// outcome, the password queue and the seat desk's batches; it is served only by the metrics
/// router, and no label carries anything a person typed.
#[tokio::test]
async fn metrics_count_by_pattern_and_outcome_and_carry_no_personal_data() {
    use tower::ServiceExt;
    let app = spawn_app().await;
    let email = "metrics.person@example.com";
    let doc = crate::helpers::resident_id(77);
    let cookie = app.candidate(email, &doc).await;
    assert_eq!(app.get("/", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/", Some(&cookie)).await.status, StatusCode::OK);
    let unknown = format!("/no-such-page/{doc}");
    assert_eq!(app.get(&unknown, None).await.status, StatusCode::NOT_FOUND);
    let forged = http::Request::post(app::urls::PAY_NOTIFY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(format!("out_trade_no=1&buyer={email}")))
        .unwrap();
    assert_eq!(app.send(forged).await.status, StatusCode::BAD_REQUEST);
    crate::journey::through_subjects(&app, &cookie, 77, "650101", &["36"]).await;

    assert_eq!(app.get("/metrics", None).await.status, StatusCode::NOT_FOUND, "not on the site's address");
    let res = server::metrics::router(&app.state)
        .oneshot(http::Request::get("/metrics").body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let body = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
    let text = String::from_utf8(body.to_vec()).unwrap();
    let line = |prefix: &str| -> f64 {
        let found = text.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no `{prefix}` in\n{text}"));
        found.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(line(r#"http_requests_total{route="/",method="GET",status="200"}"#), 2.0);
    // The unknown page and `/metrics` asked of the site.
    assert_eq!(line(r#"http_requests_total{route="(static or unknown)",method="GET",status="404"}"#), 2.0);
    assert_eq!(line(r#"http_request_duration_seconds_count{route="/",method="GET"}"#), 2.0);
    assert_eq!(line(r#"payment_notifications_total{outcome="refused"}"#), 1.0);
    assert_eq!(line("password_queue_depth "), 0.0, "every hash finished");
    if app.settings.database_url.starts_with("sqlite") {
        assert!(line("seat_desk_batch_size_count ") >= 1.0, "the subject choice went through the desk");
    }
    for secret in [email, doc.as_str(), "metrics.person"] {
        assert!(!text.contains(secret), "`{secret}` in the metrics");
    }
    assert!(!text.contains("no-such-page"), "a path asked for, not declared, became a label");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ncre-backup-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn count(db: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// While the app's writer inserts rows one commit at a time, a backup taken from another
/// connection (as `server backup` runs beside the server) holds exactly the rows committed
/// before some moment: 1..k with no gap, every table and the schema with them.
#[tokio::test]
async fn a_backup_taken_while_writing_is_a_checked_consistent_copy() {
    let app = spawn_app().await;
    let url = app.settings.database_url.clone();
    if !url.starts_with("sqlite:") {
        // On PostgreSQL the command refuses and names the right tool.
        let dbs = startup::connect(&url).await.unwrap();
        let out = backup::sqlite_into(dbs.write(), &scratch("pg").join("copy.db")).await;
        assert!(matches!(out, Err(BackupError::NotSqlite)), "{out:?}");
        assert!(out.unwrap_err().to_string().contains("pg_dump"));
        return;
    }
    app.db.execute_unprepared("CREATE TABLE probe (n INTEGER PRIMARY KEY)").await.unwrap();
    let writer = app.db.clone();
    let writing = tokio::spawn(async move {
        for n in 1..=3000i64 {
            let insert =
                Statement::from_sql_and_values(DbBackend::Sqlite, "INSERT INTO probe (n) VALUES (?)", [n.into()]);
            writer.execute_raw(insert).await.unwrap();
        }
    });
    while count(&app.db, "SELECT count(*) FROM probe").await < 200 {
        tokio::task::yield_now().await;
    }
    let other = startup::connect(&url).await.unwrap();
    let path = scratch("live").join("ncre-backup.db");
    let done = backup::sqlite_into(other.write(), &path).await.unwrap();
    writing.await.unwrap();
    assert_eq!(done.bytes, std::fs::metadata(&path).unwrap().len());
    backup::check(&path).await.unwrap();

    let copy = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", path.display())).await.unwrap();
    let k = count(&copy, "SELECT count(*) FROM probe").await;
    assert!((200..=3000).contains(&k), "{k} rows");
    assert_eq!(count(&copy, "SELECT max(n) FROM probe").await, k, "a prefix of the commits, no gap");
    for table in ["seaql_migrations", "exam_site", "subject", "staff"] {
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(count(&copy, &sql).await, count(&app.db, &sql).await, "{table}");
    }
    // Nothing but the backup itself is left in its folder.
    let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [std::ffi::OsString::from("ncre-backup.db")]);
}

fn server_backup(db: &std::path::Path, path: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(["backup".as_ref(), path.as_os_str()])
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("APP_DATA_KEY", "7".repeat(64))
        .env("APP_PUBLIC_URL", "https://ncre.example")
        .output()
        .expect("server binary runs")
}

/// The command: a new file, checked; never over an existing one; a missing folder said so.
#[tokio::test]
async fn the_backup_command_never_overwrites_and_says_why() {
    let dir = scratch("cli");
    let db = dir.join("live.db");
    let dbs = startup::connect(&format!("sqlite://{}?mode=rwc", db.display())).await.unwrap();
    startup::migrate(&dbs).await.unwrap();
    server::seed::load_demo(dbs.write(), chrono::Utc::now()).await.unwrap();

    let path = dir.join("first.db");
    let out = server_backup(&db, &path);
    assert!(out.status.success(), "{out:?}");
    backup::check(&path).await.unwrap();
    let before = std::fs::read(&path).unwrap();

    let again = server_backup(&db, &path);
    assert!(!again.status.success());
    let err = String::from_utf8(again.stderr).unwrap();
    assert!(err.contains("exists already"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "the first backup untouched");

    let nowhere = server_backup(&db, &dir.join("no-such-folder").join("b.db"));
    assert!(!nowhere.status.success());
    assert!(String::from_utf8(nowhere.stderr).unwrap().contains("not a file name in an existing folder"));
}
