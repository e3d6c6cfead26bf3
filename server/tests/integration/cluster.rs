//! Several servers, one database (issue 17). On PostgreSQL (the suite's second run), two
//! server processes behind nginx act as one site:
//! - a candidate signs in on one server and goes on on the other, and through the proxy;
//! - a photo saved through one is served by the other (one photo folder for both);
//! - seats are never oversold, whichever server each claim arrives at;
//! - the sweeper, the reconciliation and a repeated payment notification, run by both
//!   servers at once, each do their work once;
//! - a rate limit counts the attempts made on both.
//!
//! On SQLite (the first run) a second server on the same file refuses to start, saying
//! why: SQLite has one writer, and several servers need PostgreSQL.

use crate::binary::{call, candidates, newest_registration, notify, Proxy, Server};
use crate::helpers::{counters_agree, run, spawn_app_at, TestApp, MERCHANT};
use crate::journey::{info_for, test_photo, through_subjects};
use app::server::entity::payment_order::OrderStatus;
use app::server::entity::{audit_event, enrolment, payment, payment_order};
use http::StatusCode;
use pay_protocol::{self as protocol, Fields};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::time::Duration;

/// An open order for a new candidate at 659028, paid at the platform, its notification held
/// back: the order number and the notification the platform would send.
async fn paid_at_the_platform(app: &TestApp, n: u32) -> (String, Fields) {
    let (_, order_no) = crate::payment::paying(app, n, "659028", &["65"]).await;
    let fields = app.sandbox.pay(MERCHANT, &order_no, "alipay").expect("paid at the platform");
    (order_no, fields)
}

async fn order(app: &TestApp, no: &str) -> payment_order::Model {
    let found = payment_order::Entity::find().filter(payment_order::Column::OrderNo.eq(no));
    found.one(&app.db).await.unwrap().unwrap()
}

/// The order's payments and its `payment.apply` entries on the trail.
async fn applied(app: &TestApp, no: &str) -> (usize, usize) {
    let o = order(app, no).await;
    let payments = payment::Entity::find().filter(payment::Column::OrderId.eq(o.id)).all(&app.db).await.unwrap();
    let trail = audit_event::Entity::find()
        .filter(audit_event::Column::Kind.eq("payment.apply"))
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.after.as_deref().is_some_and(|a| a.contains(no)))
        .count();
    (payments.len(), trail)
}

/// Waits (up to 20 s) for `done`.
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    for _ in 0..400 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what}: not within 20 s");
}

async fn sign_in(client: &reqwest::Client, base: &str, login: &str, password: &str) -> (u16, Option<String>) {
    let res = client
        .post(format!("{base}/api/sign_in"))
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(json!({"form": {"login": login, "password": password}}).to_string())
        .send()
        .await
        .expect("an answer");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ncre_sid="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    (res.status().as_u16(), cookie)
}

#[test]
fn two_servers_behind_a_proxy_act_as_one_site() {
    run(async {
        let app = spawn_app_at(chrono::Utc::now()).await;
        app.sandbox.set_deliver_notifies(false);
        let client = reqwest::Client::new();
        let log = crate::binary::log_path("cluster");
        let settings = [("TRUSTED_PROXIES", "127.0.0.1"), ("PAY_RECONCILE_SECS", "1")];
        if app.settings.database_url.starts_with("sqlite") {
            let mut a = Server::start(&app, &log, &settings);
            a.ready(&client).await;
            let mut b = Server::start(&app, &log, &settings);
            assert!(!b.exited(Duration::from_secs(30)).await.success());
            let said = std::fs::read_to_string(&log).unwrap();
            assert!(said.contains("another server is already serving the SQLite database"), "{said}");
            assert!(said.contains("several servers need PostgreSQL"), "{said}");
            let alive = client.get(format!("{}/readyz", a.base)).send().await.unwrap();
            assert_eq!(alive.status(), StatusCode::OK, "the first goes on serving");
            a.kill();
            // Killed, it leaves no lock behind: a server starts again at once.
            let mut again = Server::start(&app, &log, &settings);
            again.ready(&client).await;
            again.kill();
            let _ = std::fs::remove_file(&log);
            return;
        }

        // Before the servers start: a subject chosen 25 hours ago and never paid (both sweep
        // at start), and an order paid at the platform whose notification never came (both
        // reconcile at start, then every second).
        let (n, stale) = candidates(&app, 401, 1, "stale").await.remove(0);
        through_subjects(&app, &stale, n, "650101", &["14"]).await;
        let stale_registration = newest_registration(&app).await;
        let long_ago = app.clock.now() - chrono::Duration::hours(25);
        enrolment::Entity::update_many()
            .col_expr(enrolment::Column::ChosenAt, sea_orm::sea_query::Expr::value(long_ago))
            .filter(enrolment::Column::RegistrationId.eq(stale_registration))
            .exec(&app.db)
            .await
            .unwrap();
        let (unnotified, _) = paid_at_the_platform(&app, 411).await;
        let (notified, notification) = paid_at_the_platform(&app, 412).await;
        // Claimers for a subject of 10 seats; the candidates who sign in later.
        let claimers = candidates(&app, 421, 24, "cclaim").await;
        for (n, cookie) in &claimers {
            let reply = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(cookie)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            let reply = app.call("/api/info", json!({"form": info_for(*n)}), Some(cookie)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        let session = app::server::journey::repo::open_session(&app.db).await.unwrap().unwrap();
        let (offered, _) =
            session.site("650101").unwrap().subjects.iter().find(|(_, s)| s.code == "42").unwrap().clone();
        let sql = format!("UPDATE offered_subject SET capacity = 10, remaining = 10 WHERE id = {}", offered.id);
        app.db.execute_unprepared(&sql).await.unwrap();
        let walker = candidates(&app, 451, 1, "cwalk").await.remove(0).0;
        let guessed = candidates(&app, 452, 1, "cguess").await.remove(0).0;

        let mut a = Server::start(&app, &log, &settings);
        let mut b = Server::start(&app, &log, &settings);
        a.ready(&client).await;
        b.ready(&client).await;
        let proxy = Proxy::start(&[&a, &b]).await;

        // Signed in on A, going on on B and through the proxy.
        let (status, cookie) =
            sign_in(&client, &a.base, &format!("cwalk{walker}@example.com"), crate::helpers::PASSWORD).await;
        assert_eq!(status, 200);
        let cookie = cookie.expect("a session cookie from A");
        let accept = json!({"form": {"accept": "yes"}});
        assert_eq!(
            call(&client, &b.base, "/api/agreement", accept.clone(), "").await,
            Some(401),
            "B knows nobody without it"
        );
        assert_eq!(call(&client, &b.base, "/api/agreement", accept, &cookie).await, Some(200));
        for _ in 0..2 {
            // Twice, so the proxy sends it to each server once.
            let form = json!({"form": info_for(walker)});
            assert_eq!(call(&client, &proxy.base, "/api/info", form, &cookie).await, Some(200));
        }
        let form = json!({"form": {"site": "650101", "subjects": ["24"], "declare": "yes"}});
        assert_eq!(call(&client, &proxy.base, "/api/subjects", form, &cookie).await, Some(200));
        // A photo saved through A is served by B.
        let photo = client
            .post(format!("{}/api/photo", a.base))
            .header("content-type", "image/jpeg")
            .header("cookie", &cookie)
            .body(test_photo(480, 640))
            .send()
            .await
            .unwrap();
        assert_eq!(photo.status(), StatusCode::OK);
        let image = |base: String| {
            let (client, cookie) = (client.clone(), cookie.clone());
            async move {
                let r =
                    client.get(format!("{base}/register/photo/image")).header("cookie", cookie).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::OK);
                r.bytes().await.unwrap().to_vec()
            }
        };
        let from_b = image(b.base.clone()).await;
        assert!(from_b.starts_with(&[0xFF, 0xD8]), "a JPEG from B");
        assert_eq!(from_b, image(a.base.clone()).await, "the same photo from both");

        // 24 claims for 10 seats, spread over A, B and the proxy: 10 win, whoever served them.
        let bases = [a.base.clone(), b.base.clone(), proxy.base.clone()];
        let tasks: Vec<_> = claimers
            .iter()
            .enumerate()
            .map(|(i, (_, cookie))| {
                let (client, base, cookie) = (client.clone(), bases[i % 3].clone(), cookie.clone());
                tokio::spawn(async move {
                    let form = json!({"form": {"site": "650101", "subjects": ["42"], "declare": "yes"}});
                    call(&client, &base, "/api/subjects", form, &cookie).await
                })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Some(200) => won += 1,
                Some(422) => {}
                other => panic!("a claim answered {other:?}"),
            }
        }
        assert_eq!(won, 10, "exactly the seats there are");
        let held = enrolment::Entity::find()
            .filter(enrolment::Column::OfferedSubjectId.eq(offered.id))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(held.len(), 10);

        // The same notification nine times at once, to each server and through the proxy:
        // applied once.
        let tasks: Vec<_> = (0..9)
            .map(|i| {
                let (client, base, fields) = (client.clone(), bases[i % 3].clone(), notification.clone());
                tokio::spawn(async move { notify(&client, &base, &fields).await })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Some((200, protocol::NOTIFY_ACK.to_owned())));
        }
        assert_eq!(order(&app, &notified).await.status, OrderStatus::Paid);
        assert_eq!(applied(&app, &notified).await, (1, 1), "one payment, on the trail once");

        // Both reconcile every second: the unnotified order is found and applied once.
        until("the reconciliation", || async { order(&app, &unnotified).await.status == OrderStatus::Paid }).await;
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        assert_eq!(applied(&app, &unnotified).await, (1, 1), "one payment, on the trail once");

        // Both swept at start: the stale subject is gone, its seat back once.
        until("the sweep", || async {
            enrolment::Entity::find()
                .filter(enrolment::Column::RegistrationId.eq(stale_registration))
                .all(&app.db)
                .await
                .unwrap()
                .is_empty()
        })
        .await;
        counters_agree(&app).await;

        // An account allows 10 sign-in attempts at once (then one every 3 minutes). It signed
        // in once when it was made; nine wrong passwords, spread over the servers and the
        // proxy, use up the rest, and the next attempt is refused for waiting, anywhere.
        let login = format!("cguess{guessed}@example.com");
        for i in 0..9 {
            let (status, _) = sign_in(&client, &bases[i % 3], &login, "not-the-password-1A").await;
            assert_ne!(status, 429, "attempt {} refused early", i + 1);
        }
        for base in &bases {
            let (status, _) = sign_in(&client, base, &login, crate::helpers::PASSWORD).await;
            assert_eq!(status, 429, "the account's limit counts both servers' attempts");
        }
        drop(proxy);
        a.kill();
        b.kill();
        let _ = std::fs::remove_file(&log);
    })
}
