//! Crash safety and graceful stops (issue 17), with the real server binary on the test's
//! database (SQLite here, PostgreSQL in the suite's second run):
//! - killed with SIGKILL in the middle of a load of saves, seat claims and payment
//!   notifications: everything it answered "saved" to is in the database, the seat counters
//!   agree with the enrolments, SQLite's integrity check passes, and the notifications the
//!   platform retries after the restart are applied exactly once;
//! - stopped with SIGTERM while sign-ins and seat claims are in flight: each is answered,
//!   and the process exits cleanly.
//!
//! The candidates are made in-process (sessions live in the database, so the binary knows
//! their cookies); the binary runs on the system clock, so the fixture's clock starts now.

use crate::binary::{call, candidates, log_path, newest_registration, notify, Server};
use crate::helpers::{counters_agree, run, spawn_app_at, TestApp, MERCHANT, PASSWORD};
use crate::journey::{info_for, through_subjects};
use app::server::entity::payment_order::OrderStatus;
use app::server::entity::{enrolment, payment, payment_order, registration};
use http::StatusCode;
use pay_protocol as protocol;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The site and subjects of the claim load: each candidate switches between the two.
const SITE: &str = "650101";
const SUBJECTS: [&str; 2] = ["36", "24"];

fn address(k: u32) -> String {
    format!("乌鲁木齐市天山区{k}号")
}

/// What one save loop saw: the last address the server said it saved, and the one it was
/// sending when the server died (it may or may not have been committed).
#[derive(Debug, Default)]
struct Saves {
    acked: Option<String>,
    in_flight: Option<String>,
}

/// Saves the information form again and again with a new address, until an answer fails.
async fn save_loop(client: reqwest::Client, base: String, cookie: String, n: u32, acks: Arc<AtomicUsize>) -> Saves {
    let mut seen = Saves::default();
    for k in 1.. {
        let mut form = info_for(n);
        form["address"] = json!(address(k));
        match call(&client, &base, "/api/info", json!({ "form": form }), &cookie).await {
            Some(200) => {
                seen.acked = Some(address(k));
                acks.fetch_add(1, Ordering::Relaxed);
            }
            Some(other) => panic!("an information save answered {other}"),
            None => {
                seen.in_flight = Some(address(k));
                break;
            }
        }
    }
    seen
}

/// The subjects a claim loop holds: acknowledged, and being sent when the server died.
#[derive(Debug, Default)]
struct Claims {
    acked: Option<BTreeSet<String>>,
    in_flight: Option<BTreeSet<String>>,
}

/// Switches the candidate's subject between the two of `SUBJECTS` (a cancel and a claim in
/// one choice), until an answer fails. A full subject is a fine answer (nothing changes).
async fn claim_loop(client: reqwest::Client, base: String, cookie: String, acks: Arc<AtomicUsize>) -> Claims {
    let mut seen = Claims::default();
    for k in 0usize.. {
        let subject = SUBJECTS[k % 2];
        let form = json!({"site": SITE, "subjects": [subject], "declare": "yes"});
        let wanted = BTreeSet::from([subject.to_owned()]);
        match call(&client, &base, "/api/subjects", json!({ "form": form }), &cookie).await {
            Some(200) => {
                seen.acked = Some(wanted);
                acks.fetch_add(1, Ordering::Relaxed);
            }
            Some(failed @ 500..) => panic!("a subject choice answered {failed}"),
            // Refused (the subject is full): the holdings stay what they were.
            Some(_) => {}
            None => {
                seen.in_flight = Some(wanted);
                break;
            }
        }
    }
    seen
}

async fn held_subjects(app: &TestApp, registration_id: i32) -> BTreeSet<String> {
    let held = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(registration_id));
    held.all(&app.db).await.unwrap().into_iter().map(|e| e.subject_code).collect()
}

async fn registration(app: &TestApp, id: i32) -> registration::Model {
    registration::Entity::find_by_id(id).one(&app.db).await.unwrap().expect("the registration")
}

#[test]
fn killed_mid_load_it_keeps_every_answer_and_applies_retried_payments_once() {
    run(async {
        let app = spawn_app_at(chrono::Utc::now()).await;
        app.sandbox.set_deliver_notifies(false);
        let client = reqwest::Client::new();
        // Savers: the agreement accepted, information saved over and over.
        let savers = candidates(&app, 1, 12, "save").await;
        let mut saver_regs = Vec::new();
        for (_, cookie) in &savers {
            let reply = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(cookie)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            saver_regs.push(newest_registration(&app).await);
        }
        // Claimers: information saved, then switching subjects; the subjects have fewer seats
        // than claimers, so some choices are refused as full.
        let claimers = candidates(&app, 101, 12, "claim").await;
        let mut claimer_regs = Vec::new();
        for (n, cookie) in &claimers {
            through_subjects(&app, cookie, *n, SITE, &SUBJECTS[..1]).await;
            claimer_regs.push(newest_registration(&app).await);
        }
        for code in SUBJECTS {
            let session = app::server::journey::repo::open_session(&app.db).await.unwrap().unwrap();
            let (offered, _) =
                session.site(SITE).unwrap().subjects.iter().find(|(_, s)| s.code == code).unwrap().clone();
            let held = enrolment::Entity::find()
                .filter(enrolment::Column::OfferedSubjectId.eq(offered.id))
                .all(&app.db)
                .await
                .unwrap()
                .len() as i32;
            let capacity = 9.max(held);
            app.db
                .execute_unprepared(&format!(
                    "UPDATE offered_subject SET capacity = {capacity}, remaining = {} WHERE id = {}",
                    capacity - held,
                    offered.id
                ))
                .await
                .unwrap();
        }
        // Payers: an open order each, paid at the platform; the notifications are sent by the
        // test, during the load and again (as the platform retries) after the restart.
        let mut payments = Vec::new();
        for n in 201..209 {
            let (_, order_no) = crate::payment::paying(&app, n, "659028", &["65"]).await;
            let fields = app.sandbox.pay(MERCHANT, &order_no, "wechat").expect("paid at the platform");
            payments.push((order_no, fields));
        }

        let log = log_path("crash");
        let mut server = Server::start(&app, &log, &[]);
        server.ready(&client).await;
        let (save_acks, claim_acks) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let saves: Vec<_> = savers
            .iter()
            .map(|(n, cookie)| {
                tokio::spawn(save_loop(client.clone(), server.base.clone(), cookie.clone(), *n, save_acks.clone()))
            })
            .collect();
        let claims: Vec<_> = claimers
            .iter()
            .map(|(_, cookie)| {
                tokio::spawn(claim_loop(client.clone(), server.base.clone(), cookie.clone(), claim_acks.clone()))
            })
            .collect();
        // The notifications one by one while the saves and claims go on.
        let acked_payments = Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let notifier = {
            let (client, base, payments) = (client.clone(), server.base.clone(), payments.clone());
            let (acked, stop) = (acked_payments.clone(), stop.clone());
            tokio::spawn(async move {
                for (no, fields) in payments.iter().take(payments.len() - 2) {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    match notify(&client, &base, fields).await {
                        Some((200, body)) if body == protocol::NOTIFY_ACK => acked.lock().unwrap().push(no.clone()),
                        Some(other) => panic!("a notification answered {other:?}"),
                        None => break,
                    }
                    tokio::time::sleep(Duration::from_millis(30)).await;
                }
            })
        };
        // Kill it once every kind of write has been answered a few times, mid-load.
        let started = Instant::now();
        while save_acks.load(Ordering::Relaxed) < 60
            || claim_acks.load(Ordering::Relaxed) < 40
            || acked_payments.lock().unwrap().len() < 3
        {
            assert!(started.elapsed() < Duration::from_secs(120), "the load made no progress; log: {}", log.display());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        notifier.await.unwrap();
        let mut saved = Vec::new();
        for t in saves {
            saved.push(t.await.unwrap());
        }
        let mut claimed = Vec::new();
        for t in claims {
            claimed.push(t.await.unwrap());
        }

        // Everything answered is there; what was in flight is there or not, never half.
        if app.settings.database_url.starts_with("sqlite") {
            let row = app
                .db
                .query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), "PRAGMA integrity_check"))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(row.try_get_by_index::<String>(0).unwrap(), "ok");
        }
        for (((n, _), seen), id) in savers.iter().zip(&saved).zip(&saver_regs) {
            let now = registration(&app, *id).await.address;
            assert!(seen.acked.is_some(), "candidate {n} saved nothing before the kill");
            assert!(
                now == seen.acked || now == seen.in_flight,
                "candidate {n}: the database holds {now:?}, the server said it saved {:?} (then sent {:?})",
                seen.acked,
                seen.in_flight
            );
        }
        for (((n, _), seen), id) in claimers.iter().zip(&claimed).zip(&claimer_regs) {
            let held = held_subjects(&app, *id).await;
            let acked = seen.acked.clone().unwrap_or_else(|| BTreeSet::from([SUBJECTS[0].to_owned()]));
            assert!(
                held == acked || Some(&held) == seen.in_flight.as_ref(),
                "candidate {n}: holds {held:?}, the server said {acked:?} (then sent {:?})",
                seen.in_flight
            );
        }
        counters_agree(&app).await;
        let acked_payments = acked_payments.lock().unwrap().clone();
        for no in &acked_payments {
            let order = payment_order::Entity::find().filter(payment_order::Column::OrderNo.eq(no.as_str()));
            let order = order.one(&app.db).await.unwrap().unwrap();
            assert_eq!(order.status, OrderStatus::Paid, "order {no} was acknowledged");
        }

        // Started again: ready, and the platform's retries of every notification are applied
        // once each (some orders the start-up reconciliation has settled already).
        let mut server = Server::start(&app, &log, &[]);
        server.ready(&client).await;
        for (no, fields) in payments.iter().chain(payments.iter()) {
            let answer = notify(&client, &server.base, fields).await;
            assert_eq!(answer, Some((200, protocol::NOTIFY_ACK.to_owned())), "the retry of {no}");
        }
        for (no, _) in &payments {
            let order = payment_order::Entity::find().filter(payment_order::Column::OrderNo.eq(no.as_str()));
            let order = order.one(&app.db).await.unwrap().unwrap();
            assert_eq!(order.status, OrderStatus::Paid, "order {no}");
            let applied =
                payment::Entity::find().filter(payment::Column::OrderId.eq(order.id)).all(&app.db).await.unwrap();
            assert_eq!(applied.len(), 1, "order {no} paid once");
        }
        counters_agree(&app).await;
        server.kill();
        let _ = std::fs::remove_file(&log);
    })
}

#[test]
fn sigterm_answers_what_is_in_flight_and_exits_cleanly() {
    run(async {
        let app = spawn_app_at(chrono::Utc::now()).await;
        let client = reqwest::Client::new();
        let people = candidates(&app, 301, 6, "term").await;
        for (_, cookie) in &people {
            let reply = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(cookie)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        }
        let log = log_path("sigterm");
        // A second of warning after the signal, as behind a load balancer: `/readyz` says
        // stopping while what was sent is still taken in.
        // And its metrics on their own address, to see the sign-ins queued before the signal.
        let metrics = format!("127.0.0.1:{}", crate::binary::free_port());
        let mut server = Server::start(&app, &log, &[("SHUTDOWN_DELAY_SECS", "1"), ("METRICS_ADDR", &metrics)]);
        server.ready(&client).await;
        let queued = || {
            let (client, url) = (client.clone(), format!("http://{metrics}/metrics"));
            async move {
                let text = client.get(url).send().await.expect("metrics answer").text().await.unwrap();
                let line = text.lines().find(|l| l.starts_with("password_queue_depth ")).expect("the queue's gauge");
                line.rsplit(' ').next().unwrap().parse::<f64>().unwrap()
            }
        };
        assert_eq!(queued().await, 0.0);
        let site_metrics = client.get(format!("{}/metrics", server.base)).send().await.unwrap();
        assert_eq!(site_metrics.status(), StatusCode::NOT_FOUND, "not on the site's address");
        // Sign-ins queue for the hashing threads (each takes tens of milliseconds), so many
        // are still being worked on when the signal comes; saves go alongside.
        let mut work = Vec::new();
        for round in 0..5 {
            for (n, cookie) in &people {
                let (c, base) = (client.clone(), server.base.clone());
                let login = format!("term{n}@example.com");
                work.push(tokio::spawn(async move {
                    let form = json!({"form": {"login": login, "password": PASSWORD}});
                    call(&c, &base, "/api/sign_in", form, "").await
                }));
                let (c, base, cookie) = (client.clone(), server.base.clone(), cookie.clone());
                let mut form = info_for(*n);
                form["address"] = json!(address(round));
                work.push(tokio::spawn(
                    async move { call(&c, &base, "/api/info", json!({ "form": form }), &cookie).await },
                ));
            }
        }
        // The signal once sign-ins are waiting for the hashing threads: in flight for sure.
        let started = Instant::now();
        while queued().await < 5.0 {
            assert!(started.elapsed() < Duration::from_secs(20), "the sign-ins never queued");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.terminate();
        let signalled = Instant::now();
        let ready = loop {
            let r = client.get(format!("{}/readyz", server.base)).send().await.expect("still listening");
            if r.status() != StatusCode::OK || signalled.elapsed() > Duration::from_millis(900) {
                break (r.status(), r.text().await.unwrap());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert_eq!(ready, (StatusCode::SERVICE_UNAVAILABLE, "stopping\n".to_owned()));
        let answers: Vec<_> = futures_join(work).await;
        for a in &answers {
            assert_eq!(*a, Some(200), "a request in flight at SIGTERM was not answered: {answers:?}");
        }
        // It exits on its own, with success.
        let status = loop {
            if let Some(status) = server.child.try_wait().unwrap() {
                break status;
            }
            assert!(signalled.elapsed() < Duration::from_secs(30), "still running 30 s after SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        assert!(status.success(), "exit status {status}; log: {}", std::fs::read_to_string(&log).unwrap_or_default());
        // And it no longer listens.
        assert!(client.get(format!("{}/healthz", server.base)).send().await.is_err());
        let _ = std::fs::remove_file(&log);
    })
}

async fn futures_join<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}
