//! Payment (issue 7) against the sandbox platform running in-process on its own port, the app
//! on another: orders, notifications (over HTTP, and replayed or forged by the test with the
//! platform's key), the return, 更新, reconciliation, late payments and a restart.

use crate::helpers::{resident_id, run, spawn_app, TestApp, MERCHANT};
use crate::journey::{test_photo, through_subjects};
use app::server::entity::payment::{Outcome, RefundReason};
use app::server::entity::payment_order::OrderStatus;
use app::server::entity::{enrolment, offered_subject, payment, payment_order, registration};
use app::server::payment as pay;
use app::views::{AppError, Next};
use chrono::Duration;
use http::StatusCode;
use pay_protocol::{self as protocol, Fields, SigningKey};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

/// A candidate at site `site` holding `subjects`, photo saved, payment started: the cookie
/// and the order number. The platform's cashier address is checked to be the sandbox's.
pub async fn paying(app: &TestApp, n: u32, site: &str, subjects: &[&str]) -> (String, String) {
    let cookie = app.candidate(&format!("pay{n}@example.com"), &resident_id(n)).await;
    through_subjects(app, &cookie, n, site, subjects).await;
    let req = http::Request::post("/api/photo")
        .header("content-type", "image/jpeg")
        .header("cookie", cookie.clone())
        .body(axum::body::Body::from(test_photo(480, 640)))
        .unwrap();
    assert_eq!(app.send(req).await.status, StatusCode::OK);
    let order_no = start(app, &cookie).await;
    (cookie, order_no)
}

/// 去支付: the platform's address; the order number of the open order.
async fn start(app: &TestApp, cookie: &str) -> String {
    let reply = app.call("/api/pay", json!({"form": {"confirm": "yes"}}), Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let url = reply.json::<Next>().url;
    assert!(url.contains("/pay/"), "{url}");
    open_order(app).await.expect("an open order").order_no
}

/// The newest open order.
async fn open_order(app: &TestApp) -> Option<payment_order::Model> {
    use sea_orm::QueryOrder;
    let open = payment_order::Entity::find().filter(payment_order::Column::Status.eq(OrderStatus::Open));
    open.order_by_desc(payment_order::Column::Id).one(&app.db).await.unwrap()
}

async fn order(app: &TestApp, no: &str) -> payment_order::Model {
    payment_order::Entity::find().filter(payment_order::Column::OrderNo.eq(no)).one(&app.db).await.unwrap().unwrap()
}

/// Everything money touches, to show a refusal changed nothing.
async fn books(
    app: &TestApp,
) -> (
    Vec<payment_order::Model>,
    Vec<payment::Model>,
    Vec<enrolment::Model>,
    Vec<registration::Model>,
    Vec<offered_subject::Model>,
) {
    (
        payment_order::Entity::find().all(&app.db).await.unwrap(),
        payment::Entity::find().all(&app.db).await.unwrap(),
        enrolment::Entity::find().all(&app.db).await.unwrap(),
        app.registrations().await,
        offered_subject::Entity::find().all(&app.db).await.unwrap(),
    )
}

async fn notify(app: &TestApp, fields: &Fields) -> (StatusCode, String) {
    let req = http::Request::post(app::urls::PAY_NOTIFY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(protocol::to_form(fields)))
        .unwrap();
    let reply = app.send(req).await;
    (reply.status, reply.body)
}

async fn paid_enrolments(app: &TestApp) -> usize {
    enrolment::Entity::find().filter(enrolment::Column::PaidAt.is_not_null()).all(&app.db).await.unwrap().len()
}

/// Waits (bounded) until the order is paid here.
async fn until_paid(app: &TestApp, no: &str) {
    for _ in 0..100 {
        if order(app, no).await.status == OrderStatus::Paid {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("order {no} never paid");
}

#[test]
fn the_same_notification_ten_times_at_once_changes_state_once() {
    run(async {
        let app = std::sync::Arc::new(spawn_app().await);
        app.sandbox.set_deliver_notifies(false);
        let (cookie, no) = paying(&app, 31, "659028", &["65"]).await;
        let fields = app.sandbox.pay(MERCHANT, &no, "alipay").expect("paid at the platform");
        let replies: Vec<_> = (0..10)
            .map(|_| {
                let (app, fields) = (app.clone(), fields.clone());
                tokio::spawn(async move { notify(&app, &fields).await })
            })
            .collect();
        for r in replies {
            assert_eq!(r.await.unwrap(), (StatusCode::OK, protocol::NOTIFY_ACK.to_owned()));
        }
        let payments = payment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(payments.len(), 1);
        assert_eq!((payments[0].outcome, payments[0].source.as_str()), (Outcome::Applied, "notify"));
        let applied = app::server::entity::audit_event::Entity::find()
            .filter(app::server::entity::audit_event::Column::Kind.eq("payment.apply"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(applied.len(), 1, "the payment is on the trail once");
        assert_eq!(applied[0].site_code.as_deref(), Some("659028"));
        assert!(applied[0].after.as_deref().unwrap().contains(&no), "{:?}", applied[0]);
        let o = order(&app, &no).await;
        assert_eq!((o.status, o.method.as_deref()), (OrderStatus::Paid, Some("alipay")));
        assert_eq!(paid_enrolments(&app).await, 1);
        assert!(app.registrations().await[0].locked_at.is_some());
        let status = app.get("/register/status", Some(&cookie)).await;
        assert!(status.body.contains("已缴费") && status.body.contains("已支付"), "{}", status.body);
        // A day later, the platform's last retry: still success, still nothing new.
        app.clock.set(app.clock.now() + Duration::hours(25));
        assert_eq!(notify(&app, &fields).await.0, StatusCode::OK);
        assert_eq!(payment::Entity::find().all(&app.db).await.unwrap().len(), 1);
    })
}

#[test]
fn forged_or_mismatched_notifications_are_refused_and_change_nothing() {
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let (_, first) = paying(&app, 33, "659028", &["65"]).await;
        let genuine = app.sandbox.pay(MERCHANT, &first, "wechat").expect("paid");
        // A second candidate's order, still open.
        let (_, second) = paying(&app, 35, "650101", &["14"]).await;
        let before = books(&app).await;
        let resign = |change: &dyn Fn(&mut Fields), key: &SigningKey| {
            let mut f = genuine.clone();
            change(&mut f);
            key.sign(&mut f);
            f
        };
        let other_key = SigningKey::from_hex(&SigningKey::generate_hex()).unwrap();
        let cases: Vec<(&str, Fields)> = vec![
            ("forged signature", resign(&|_| {}, &other_key)),
            ("wrong amount", resign(&|f| drop(f.insert("amount_fen".into(), "1".into())), &app.platform_key)),
            (
                "unknown order",
                resign(
                    &|f| drop(f.insert("out_trade_no".into(), "NCRE_65-2025010612-0000000000".into())),
                    &app.platform_key,
                ),
            ),
            ("wrong merchant", resign(&|f| drop(f.insert("merchant_id".into(), "OTHER".into())), &app.platform_key)),
            (
                "not a success",
                resign(&|f| drop(f.insert("trade_status".into(), "WAIT_BUYER_PAY".into())), &app.platform_key),
            ),
            ("unsigned", {
                let mut f = genuine.clone();
                f.remove(protocol::SIGN);
                f
            }),
            // An old notification replayed for another order: its signature no longer fits.
            ("replayed for another order", {
                let mut f = genuine.clone();
                f.insert("out_trade_no".into(), second.clone());
                f
            }),
        ];
        for (what, fields) in cases {
            let (status, body) = notify(&app, &fields).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what}");
            assert_ne!(body, protocol::NOTIFY_ACK, "{what}");
            assert_eq!(books(&app).await, before, "{what} changed something");
        }
        let req = http::Request::post(app::urls::PAY_NOTIFY).body(axum::body::Body::from("a=1&a=2")).unwrap();
        assert_eq!(app.send(req).await.status, StatusCode::BAD_REQUEST);
        assert_eq!(books(&app).await, before);
        // The genuine one still works.
        assert_eq!(notify(&app, &genuine).await.0, StatusCode::OK);
        assert_eq!(order(&app, &first).await.status, OrderStatus::Paid);
    })
}

#[test]
fn a_notification_before_the_browser_returns_and_a_return_without_one() {
    run(async {
        let app = spawn_app().await;
        // Delivered over HTTP by the platform, before the browser comes back.
        let (cookie, no) = paying(&app, 37, "659028", &["65"]).await;
        app.sandbox.pay(MERCHANT, &no, "unionpay").expect("paid");
        until_paid(&app, &no).await;
        let back = app.get(&format!("{}?out_trade_no={no}", app::urls::PAY_RETURN), Some(&cookie)).await;
        assert_eq!(back.location(), Some(app::urls::PAYMENT_RESULT));
        let page = app.get(app::urls::PAYMENT_RESULT, Some(&cookie)).await;
        assert!(page.body.contains("已缴费") && page.body.contains("银联"), "{}", page.body);

        // No notification at all: the return page's query finds the payment.
        app.sandbox.set_deliver_notifies(false);
        let (cookie, no) = paying(&app, 39, "650101", &["14"]).await;
        let page = app.get(app::urls::PAYMENT_RESULT, Some(&cookie)).await;
        assert!(page.body.contains("处理中") && page.body.contains("请不要重复支付"), "{}", page.body);
        app.sandbox.pay(MERCHANT, &no, "alipay").expect("paid");
        app.get(&format!("{}?out_trade_no={no}", app::urls::PAY_RETURN), Some(&cookie)).await;
        assert_eq!(order(&app, &no).await.status, OrderStatus::Paid);
        let recorded = payment::Entity::find().filter(payment::Column::OrderNo.eq(&no)).one(&app.db).await.unwrap();
        assert_eq!(recorded.unwrap().source, "query");
        let status = app.get("/register/status", Some(&cookie)).await;
        for text in ["已支付", "已锁定", "报考科目缴费"] {
            assert!(status.body.contains(text), "{text}: {}", status.body);
        }
    })
}

#[test]
fn a_lost_notification_is_found_by_reconciliation_and_by_a_restart() {
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let (_, first) = paying(&app, 41, "659028", &["65"]).await;
        let (_, second) = paying(&app, 43, "650101", &["14"]).await;
        app.sandbox.pay(MERCHANT, &first, "alipay").expect("paid");
        app.sandbox.pay(MERCHANT, &second, "wechat").expect("paid");
        // Too young to ask about yet.
        assert_eq!(pay::reconcile(&app.state).await.unwrap(), 0);
        app.clock.set(app.clock.now() + pay::CHECK_AFTER + Duration::seconds(1));
        assert_eq!(pay::reconcile(&app.state).await.unwrap(), 2);
        assert_eq!(order(&app, &first).await.status, OrderStatus::Paid);
        assert_eq!(order(&app, &second).await.status, OrderStatus::Paid);
        assert_eq!(pay::reconcile(&app.state).await.unwrap(), 0, "nothing left open");

        // The server dies between the payment and its notification: on start it asks about
        // every open order, however young.
        let (_, third) = paying(&app, 45, "659028", &["66"]).await;
        app.sandbox.pay(MERCHANT, &third, "alipay").expect("paid");
        let restarted = app.restart().await;
        assert_eq!(pay::reconcile_on_start(&restarted).await.unwrap(), 1);
        assert_eq!(order(&app, &third).await.status, OrderStatus::Paid);
        assert_eq!(paid_enrolments(&app).await, 3);
    })
}

#[test]
fn an_unpaid_order_is_closed_before_its_seats_go_and_a_late_payment_is_owed_back() {
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let (cookie, no) = paying(&app, 47, "659028", &["65"]).await;
        let held = order(&app, &no).await;
        let seats_then = offered_subject::Entity::find().all(&app.db).await.unwrap();
        // Past the subject's 24 hours: the sweeper leaves a subject in payment alone.
        app.clock.set(held.expires_at + Duration::seconds(1));
        let swept = app::server::seats::sweeper::sweep(&app.db, app.clock.now(), 10).await.unwrap();
        assert_eq!(swept.released, 0, "an open order holds its seat");
        // Reconciliation closes it at the platform, then here; then the seat may go.
        assert_eq!(pay::reconcile(&app.state).await.unwrap(), 1);
        assert_eq!(order(&app, &no).await.status, OrderStatus::Closed);
        assert_eq!(app.sandbox.status(MERCHANT, &no).as_deref(), Some(protocol::TRADE_CLOSED));
        assert!(app.registrations().await[0].locked_at.is_none(), "nothing paid: unlocked again");
        let swept = app::server::seats::sweeper::sweep(&app.db, app.clock.now(), 10).await.unwrap();
        assert_eq!(swept.released, 1);
        // The platform took money anyway (its word, signed): recorded, owed back, not applied.
        let mut late = Fields::new();
        for (k, v) in [
            ("merchant_id", MERCHANT),
            ("out_trade_no", no.as_str()),
            ("trade_no", "2025010699999999999999999999"),
            ("amount_fen", "8000"),
            ("trade_status", protocol::TRADE_SUCCESS),
            ("method", "wechat"),
            ("paid_at", "2025-01-07T12:00:00Z"),
            ("notify_id", "late-1"),
            ("notify_time", "2025-01-07T12:00:00Z"),
        ] {
            late.insert(k.into(), v.into());
        }
        app.platform_key.sign(&mut late);
        let seats_before = offered_subject::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(notify(&app, &late).await, (StatusCode::OK, protocol::NOTIFY_ACK.to_owned()));
        assert_eq!(notify(&app, &late).await.0, StatusCode::OK, "replayed: still acknowledged");
        let recorded = payment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(recorded.len(), 1);
        assert_eq!(
            (recorded[0].outcome, recorded[0].refund_reason),
            (Outcome::RefundDue, Some(RefundReason::OrderClosed))
        );
        assert_eq!(order(&app, &no).await.status, OrderStatus::Closed);
        assert_eq!(offered_subject::Entity::find().all(&app.db).await.unwrap(), seats_before, "no seat taken back");
        assert_ne!(seats_before, seats_then);
        // A day has passed: the session has ended; the candidate signs in again.
        let _ = cookie;
        let cookie = app.sign_in("pay47@example.com", crate::helpers::PASSWORD).await.session_cookie().unwrap();
        let page = app.get(app::urls::PAYMENT_RESULT, Some(&cookie)).await;
        assert!(page.body.contains("待退款") && page.body.contains("原路退还"), "{}", page.body);
    })
}

#[test]
fn one_open_order_per_registration_and_subjects_wait_for_it() {
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let (cookie, no) = paying(&app, 49, "650101", &["14"]).await;
        // 去支付 again continues the same order.
        assert_eq!(start(&app, &cookie).await, no);
        assert_eq!(payment_order::Entity::find().all(&app.db).await.unwrap().len(), 1);
        assert!(no.starts_with("NCRE_65-2025010"), "{no}");
        assert_eq!(no.len(), "NCRE_65-2025010611-8060053629".len());
        // While it is open the subjects and the personal information stay as they are.
        let before = books(&app).await;
        let reply = app
            .call(
                "/api/subjects",
                json!({"form": {"site": "650101", "subjects": ["14", "15"], "declare": "yes"}}),
                Some(&cookie),
            )
            .await;
        assert_eq!(reply.json::<AppError>(), AppError::PaymentInProgress);
        let reply = app.call("/api/info", json!({"form": crate::journey::info_for(49)}), Some(&cookie)).await;
        assert_eq!(reply.json::<AppError>(), AppError::Locked);
        assert_eq!(books(&app).await, before);
        // Unticked confirmation: refused with the words beside the box.
        let reply = app.call("/api/pay", json!({"form": {}}), Some(&cookie)).await;
        match reply.json::<AppError>() {
            AppError::Invalid(e) => {
                assert_eq!(e.get("confirm").unwrap().message, "请核对报考信息，并勾选确认后再去支付")
            }
            other => panic!("{other:?}"),
        }
    })
}

#[test]
fn a_paid_candidate_adds_a_subject_and_pays_only_for_it() {
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let (cookie, no) = paying(&app, 51, "650101", &["14"]).await;
        let genuine = app.sandbox.pay(MERCHANT, &no, "alipay").unwrap();
        assert_eq!(notify(&app, &genuine).await.0, StatusCode::OK);
        let status = app.get("/register/status", Some(&cookie)).await;
        assert!(status.body.contains("增报科目"), "{}", status.body);
        // The paid subject cannot go; another may be added (the site allows two).
        let choose = |subjects: &[&str]| json!({"form": {"site": "650101", "subjects": subjects, "declare": "yes"}});
        let reply = app.call("/api/subjects", choose(&["24"]), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
        let reply = app.call("/api/subjects", choose(&["14", "24"]), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let page = app.get("/register/pay", Some(&cookie)).await;
        assert!(page.body.contains("合计：¥80.00") && !page.body.contains("(14)"), "{}", page.body);
        let added = start(&app, &cookie).await;
        assert_ne!(added, no);
        assert_eq!(order(&app, &added).await.amount_fen, 8000);
        let fields = app.sandbox.pay(MERCHANT, &added, "wechat").unwrap();
        assert_eq!(notify(&app, &fields).await.0, StatusCode::OK);
        assert_eq!(paid_enrolments(&app).await, 2);
        let reply = app.call("/api/pay", json!({"form": {"confirm": "yes"}}), Some(&cookie)).await;
        assert_eq!(reply.json::<AppError>(), AppError::NothingToPay);
    })
}

#[test]
fn no_js_payment_posts_redirect_to_the_platform_and_refresh() {
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let cookie = app.candidate("nojs-pay@example.com", &resident_id(53)).await;
        through_subjects(&app, &cookie, 53, "659028", &["65"]).await;
        let req = http::Request::post("/api/photo")
            .header("content-type", "image/jpeg")
            .header("cookie", cookie.clone())
            .body(axum::body::Body::from(test_photo(480, 640)))
            .unwrap();
        app.send(req).await;
        let refused = app.post_form("/register/pay", &[], Some(&cookie)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("请核对报考信息，并勾选确认后再去支付"), "{}", refused.body);
        let going = app.post_form("/register/pay", &[("confirm", "yes")], Some(&cookie)).await;
        assert_eq!(going.status, StatusCode::SEE_OTHER);
        assert!(going.location().unwrap().contains("/pay/"), "{:?}", going.location());
        let csp = going.headers.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned());
        let page = app.get("/register/pay", Some(&cookie)).await;
        let page_csp = page.headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(page_csp.contains("form-action 'self' http://127.0.0.1:"), "{page_csp} {csp:?}");
        let no = open_order(&app).await.unwrap().order_no;
        app.sandbox.pay(MERCHANT, &no, "alipay").unwrap();
        let refreshed = app.post_form(app::urls::PAYMENT_RESULT, &[], Some(&cookie)).await;
        assert_eq!(refreshed.location(), Some(app::urls::PAYMENT_RESULT));
        assert_eq!(order(&app, &no).await.status, OrderStatus::Paid);
    })
}

#[test]
fn staff_ask_the_platform_about_one_open_order_and_it_is_applied_once() {
    use crate::staff::signed_in_staff;
    use app::server::entity::audit_event;
    use app::server::entity::staff::Role;
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &["650101"]).await;
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &["659028"]).await;
        let (_cookie, no) = paying(&app, 52, "650101", &["24"]).await;
        let id = order(&app, &no).await.id.to_string();
        let desk = app.get(app::urls::STAFF_PAYMENTS, Some(&site)).await;
        assert!(desk.body.contains(&no) && desk.body.contains("data-testid=\"query-order\""), "{}", desk.body);
        assert!(!app.get(app::urls::STAFF_PAYMENTS, Some(&other)).await.body.contains(&no), "another site's");
        let ask = |cookie: &str| {
            let (app, cookie, id) = (&app, cookie.to_owned(), id.clone());
            async move { app.post_form(app::urls::STAFF_ORDER_QUERY, &[("order", id.as_str())], Some(&cookie)).await }
        };
        let before = books(&app).await;
        assert_eq!(ask(&other).await.status, StatusCode::FORBIDDEN);
        assert_eq!(books(&app).await, before, "refused: nothing changed");
        // Not paid yet: still open.
        let reply = ask(&site).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert!(reply.location().unwrap().contains("notice=order-pending"));
        assert_eq!(order(&app, &no).await.status, OrderStatus::Open);
        // Paid at the platform, the notification lost: the question finds it, applied once.
        app.sandbox.pay(MERCHANT, &no, "alipay").expect("paid at the platform");
        for _ in 0..2 {
            let reply = ask(&site).await;
            assert!(reply.location().unwrap().contains("notice=order-paid"), "{:?}", reply.location());
        }
        assert_eq!(order(&app, &no).await.status, OrderStatus::Paid);
        assert_eq!(payment::Entity::find().all(&app.db).await.unwrap().len(), 1, "one payment recorded");
        assert_eq!(paid_enrolments(&app).await, 1);
        let asked = audit_event::Entity::find()
            .filter(audit_event::Column::Kind.eq("payment.query"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(asked.len(), 3);
        assert!(asked.iter().all(|e| e.actor == "site@ncre.test" && e.site_code.as_deref() == Some("650101")));
        assert!(asked[2].after.as_deref().unwrap().contains("\"result\":\"paid\""));
        assert_eq!(
            app.post_form(app::urls::STAFF_ORDER_QUERY, &[("order", "x")], Some(&site)).await.status,
            StatusCode::BAD_REQUEST
        );
    })
}

#[test]
fn the_daily_report_lists_every_difference_with_the_platform_and_changes_nothing() {
    use crate::staff::signed_in_staff;
    use app::server::entity::staff::Role;
    run(async {
        let app = spawn_app().await;
        app.sandbox.set_deliver_notifies(false);
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        // Applied here and paid there: in order. Paid there, the notification lost: a
        // difference. Open and unpaid on both sides: in order.
        let (_a, applied) = paying(&app, 61, "650101", &["24"]).await;
        let fields = app.sandbox.pay(MERCHANT, &applied, "alipay").expect("paid");
        assert_eq!(notify(&app, &fields).await.0, StatusCode::OK);
        let (_b, lost) = paying(&app, 62, "650101", &["24"]).await;
        app.sandbox.pay(MERCHANT, &lost, "wechat").expect("paid");
        let (_c, _unpaid) = paying(&app, 63, "659028", &["15"]).await;
        let before = books(&app).await;
        let report = app.get(app::urls::STAFF_RECONCILE, Some(&province)).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.body);
        assert_eq!(report.body.matches("data-testid=\"reconcile-diff\"").count(), 1, "{}", report.body);
        assert!(report.body.contains(&lost) && report.body.contains("支付平台已收款"), "{}", report.body);
        assert!(report.body.contains("data-testid=\"reconcile-matched\">2笔"), "two in order: {}", report.body);
        assert_eq!(books(&app).await, before, "the report only reads");
        // Another day has none of them.
        let other = app.get(&format!("{}?day=2024-12-01", app::urls::STAFF_RECONCILE), Some(&province)).await;
        assert!(other.body.contains("data-testid=\"reconcile-none\""), "{}", other.body);
    })
}
