//! 200,000 registrations exported as CSV and as XLSX in bounded memory (issue 15). A test
//! binary of its own, so the process's peak resident size (`VmHWM`) is this test's alone:
//! the rows are made by SQL inside the database (nothing of them in this process), the peak
//! is read, the exports are read through to the end chunk by chunk and thrown away, and the
//! peak may have grown by no more than `BOUND` — far less than the files (CSV ≈ 65 MB),
//! which an export that gathered its rows or its file in memory would exceed.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)]
#[path = "integration/helpers.rs"]
mod helpers;
#[allow(dead_code)]
#[path = "integration/staff_session.rs"]
mod staff_session;

use app::server::entity::staff::Role;
use axum::body::Body;
use helpers::*;
use http_body_util::BodyExt;
use sea_orm::ConnectionTrait;
use tower::ServiceExt;

const ROWS: u32 = 200_000;
/// The most the peak may grow while both exports run.
const BOUND: u64 = 32 * 1024 * 1024;

fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() * 1024
}

/// Streams the export at `query` to its end; its size in bytes.
async fn drain(app: &TestApp, cookie: &str, query: &str) -> u64 {
    let path = format!("{}?{query}", app::urls::STAFF_EXPORT_DOWNLOAD);
    let mut req = http::Request::get(&path).header("cookie", cookie).body(Body::empty()).unwrap();
    let addr: std::net::SocketAddr = "10.1.2.3:40000".parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    let response = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
    let mut body = response.into_body();
    let mut size = 0u64;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame.unwrap().into_data() {
            size += data.len() as u64;
        }
    }
    size
}

/// `ROWS` registrations at 650101, each a copy of one real one (its pass sealed as sign-up
/// seals it) under its own e-mail, NEEA ID and number hash.
async fn many(app: &TestApp) {
    app.accept_agreement().await;
    let sql = [
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < {ROWS}) \
             INSERT INTO pass (email, email_key, email_verified_at, password_hash, doc_type, doc_number, \
             doc_number_hash, name, neea_id, created_at, updated_at) \
             SELECT 'm' || i || '@example.com', 'm' || i || '@example.com', p.email_verified_at, p.password_hash, \
             p.doc_type, p.doc_number, printf('%064d', i), '买买提·艾力', printf('%032X', i), p.created_at, p.updated_at \
             FROM n, (SELECT * FROM pass LIMIT 1) p"
        ),
        "UPDATE registration SET site_code = '650101', gender = 'male', ethnicity = '05', \
         address = '新疆维吾尔自治区乌鲁木齐市天山区解放南路一段第二十三号院三单元五楼', department = '信息工程学院', \
         major = '计算机科学与技术', class_name = '计科2301班', student_no = '2023010101'"
            .to_owned(),
        "INSERT INTO registration (pass_id, session_id, agreement_accepted_at, personal_saved_at, created_at, \
         updated_at, holdings_version, site_code, gender, ethnicity, address, department, major, class_name, student_no) \
         SELECT p.id, r.session_id, r.agreement_accepted_at, r.created_at, r.created_at, r.updated_at, 0, r.site_code, \
         r.gender, r.ethnicity, r.address, r.department, r.major, r.class_name, r.student_no \
         FROM pass p, (SELECT * FROM registration LIMIT 1) r WHERE p.id NOT IN (SELECT pass_id FROM registration)"
            .to_owned(),
    ];
    for s in sql {
        app.db.execute_unprepared(&s).await.unwrap();
    }
}

#[test]
fn two_hundred_thousand_rows_export_in_bounded_memory() {
    // SQLite only: the rows are made by SQLite's SQL.
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        return;
    }
    run(async {
        let app = spawn_app().await;
        many(&app).await;
        let (province, _) = staff_session::signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        let before = peak_rss();
        let columns = "columns=neea_id&columns=name&columns=doc_type&columns=doc_number&columns=gender\
                       &columns=ethnicity&columns=site&columns=subjects&columns=payment&columns=review\
                       &columns=address&columns=department&columns=major&columns=class_name&columns=student_no";
        let csv = drain(&app, &province, &format!("format=csv&{columns}")).await;
        let after_csv = peak_rss();
        let xlsx = drain(&app, &province, &format!("format=xlsx&{columns}")).await;
        let after = peak_rss();
        eprintln!(
            "{ROWS} rows: CSV {} MB, XLSX {} MB; peak {} MB before, {} MB after CSV, {} MB after XLSX",
            csv >> 20,
            xlsx >> 20,
            before >> 20,
            after_csv >> 20,
            after >> 20
        );
        assert!(csv > 3 * BOUND / 2, "the CSV ({csv} bytes) is far bigger than the bound");
        assert!(xlsx > 1 << 20, "an XLSX of every row ({xlsx} bytes)");
        assert!(after.saturating_sub(before) < BOUND, "the peak grew by {} MB", (after - before) >> 20);
    })
}
