//! 考生查询 (issue 15): staff find the registrations of their own sites by name, NEEA ID,
//! e-mail, order number or full document number (through the keyed lookup hash: no
//! plaintext number anywhere), with filters that combine, a page at a time; a candidate's
//! page shows the history from the audit trail.

use crate::helpers::*;
use crate::journey::through_subjects;
use crate::staff::{goes_to_sign_in, signed_in_staff};
use app::server::entity::staff::Role;
use app::server::entity::{pass, registration};
use http::StatusCode;
use sea_orm::EntityTrait;

const SITE: &str = "650101";
const OTHER: &str = "659028";

fn search(query: &str) -> String {
    format!("{}?{query}", app::urls::STAFF_CANDIDATES)
}

fn found(body: &str) -> usize {
    body.matches("data-testid=\"candidate-row\"").count()
}

/// 阿依古丽 (`c1@example.com`, `resident_id(1)`) holds 24 at SITE, 买买提 (2) holds 14 and 24
/// at SITE, 李娜 (3) holds 15 at OTHER.
pub async fn three_candidates(app: &TestApp) {
    let people =
        [(1, "阿依古丽", SITE, &["24"][..]), (2, "买买提", SITE, &["14", "24"][..]), (3, "李娜", OTHER, &["15"][..])];
    for (n, name, at, subjects) in people {
        let cookie = app.candidate_named(&format!("c{n}@example.com"), &resident_id(n), name).await;
        through_subjects(app, &cookie, n, at, subjects).await;
    }
}

#[test]
fn staff_find_their_sites_candidates_by_any_key_and_filters_combine() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        three_candidates(&app).await;
        let passes = pass::Entity::find().all(&app.db).await.unwrap();
        let neea = |name: &str| passes.iter().find(|p| p.name == name).unwrap().neea_id.clone();
        // No document number in clear anywhere in the pass table.
        for p in &passes {
            assert!(!format!("{p:?}").contains(&resident_id(1)[..17]));
        }

        // By name (a part of one), NEEA ID, e-mail (any case), full document number.
        let by = |cookie: &str, query: String| {
            let (app, cookie) = (&app, cookie.to_owned());
            async move { app.get(&search(&query), Some(&cookie)).await }
        };
        let page = by(&site, "q=%E5%8F%A4%E4%B8%BD".into()).await; // 古丽
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(found(&page.body), 1, "{}", page.body);
        assert!(page.body.contains("阿依古丽") && page.body.contains("1101**********"), "masked in the list");
        assert!(!page.body.contains(&resident_id(1)), "never the full number in a list");
        assert_eq!(found(&by(&site, format!("q={}", neea("买买提"))).await.body), 1);
        assert_eq!(found(&by(&site, "q=C2%40Example.COM".into()).await.body), 1);
        let number = by(&site, format!("q={}", resident_id(1))).await;
        assert_eq!(found(&number.body), 1);
        assert!(number.body.contains("阿依古丽"));
        // By the masked number as the lists show it (its keyed hash: nothing opened).
        let masked = app::domain::document::mask(&resident_id(2));
        let by_mask = by(&site, format!("q={masked}")).await;
        assert_eq!(found(&by_mask.body), 1, "{masked}: {}", by_mask.body);
        assert!(by_mask.body.contains("买买提"));
        assert_eq!(found(&by(&site, "q=1101**********9999".into()).await.body), 0);
        // A site account never finds another site's candidate, even by an exact key.
        assert_eq!(found(&by(&site, format!("q={}", resident_id(3))).await.body), 0);
        assert_eq!(found(&by(&other, format!("q={}", resident_id(3))).await.body), 1);
        assert_eq!(by(&site, format!("site={OTHER}")).await.status, StatusCode::FORBIDDEN);
        // Filters combine: subject 14 at SITE; everyone with 24; unpaid; the province sees all.
        assert_eq!(found(&by(&site, "subject=14".into()).await.body), 1);
        assert_eq!(found(&by(&site, "subject=24&paid=unpaid".into()).await.body), 2);
        assert_eq!(found(&by(&site, "subject=24&paid=paid".into()).await.body), 0);
        assert_eq!(found(&by(&site, "q=%E6%9D%8E%E5%A8%9C".into()).await.body), 0, "李娜 is OTHER's");
        assert_eq!(found(&by(&province, String::new()).await.body), 3);
        assert_eq!(found(&by(&province, format!("site={OTHER}&subject=15")).await.body), 1);
        // A pattern character is taken literally.
        assert_eq!(found(&by(&province, "q=%25".into()).await.body), 0);

        // A candidate's page: what they hold and their history from the trail; another
        // site's candidate is refused as every other site's page is.
        let mut regs = registration::Entity::find().all(&app.db).await.unwrap();
        regs.sort_by_key(|r| r.id);
        let reg_of = |n: usize| regs[n].id;
        let page = app.get(&format!("{}?id={}", app::urls::STAFF_CANDIDATE, reg_of(1)), Some(&site)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("买买提") && page.body.contains("C语言程序设计（未缴费）"), "{}", page.body);
        assert!(page.body.contains("data-kind=\"enrolment.choose\""), "{}", page.body);
        let theirs = app.get(&format!("{}?id={}", app::urls::STAFF_CANDIDATE, reg_of(2)), Some(&site)).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        let none = app.get(&format!("{}?id=99999", app::urls::STAFF_CANDIDATE), Some(&site)).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        assert!(goes_to_sign_in(&app.get(&search(""), None).await));
        let candidate_page = format!("{}?id={}", app::urls::STAFF_CANDIDATE, reg_of(1));
        assert!(goes_to_sign_in(&app.get(&candidate_page, None).await));
        let pass_holder = app.candidate("someone@example.com", &resident_id(9)).await;
        assert!(
            goes_to_sign_in(&app.get(&candidate_page, Some(&pass_holder)).await),
            "a candidate's session opens no staff page"
        );
    });
}

#[test]
fn the_results_come_a_page_at_a_time() {
    run(async {
        let app = spawn_app().await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        // 53 registrations written directly (their numbers are not sealed: the list says it
        // cannot read them rather than failing the page).
        server::seed::load_candidates(&app.db, 53, app.clock.now()).await.unwrap();
        let first = app.get(&search("q=%E5%BC%A0%E4%B8%89"), Some(&province)).await;
        assert_eq!(found(&first.body), 50, "{}", first.body);
        assert!(first.body.contains("共53名考生，第1/2页"), "{}", first.body);
        assert!(first.body.contains("（无法读取）"));
        let second = app.get(&search("q=%E5%BC%A0%E4%B8%89&page=2"), Some(&province)).await;
        assert_eq!(found(&second.body), 3);
        assert!(second.body.contains("上一页") && !second.body.contains("下一页"));
        // A page past the last shows the last.
        assert_eq!(found(&app.get(&search("q=%E5%BC%A0%E4%B8%89&page=9"), Some(&province)).await.body), 3);
    });
}

/// A closed order of the registration of `reg` with money owed back for it (written
/// directly: how money comes to be owed back is the payment suite's).
async fn owed_back(app: &TestApp, reg: &registration::Model, n: u32) -> (String, i32) {
    use app::server::entity::payment::{Outcome, RefundReason};
    use app::server::entity::payment_order::OrderStatus;
    use app::server::entity::{payment, payment_order};
    use sea_orm::{ActiveModelTrait, ActiveValue::Set};
    let now = app.clock.now();
    let order_no = format!("NCRE2025010600000{n:03}");
    let order = payment_order::ActiveModel {
        order_no: Set(order_no.clone()),
        registration_id: Set(reg.id),
        pass_id: Set(reg.pass_id),
        status: Set(OrderStatus::Closed),
        amount_fen: Set(8000),
        created_at: Set(now),
        expires_at: Set(now),
        closed_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    let paid = payment::ActiveModel {
        trade_no: Set(format!("T{n:027}")),
        order_no: Set(order_no.clone()),
        order_id: Set(Some(order.id)),
        amount_fen: Set(8000),
        method: Set("wechat".into()),
        platform_paid_at: Set("2025-01-06T12:00:00Z".into()),
        received_at: Set(now),
        source: Set("notify".into()),
        outcome: Set(Outcome::RefundDue),
        refund_reason: Set(Some(RefundReason::OrderClosed)),
        refunded_at: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .unwrap();
    (order_no, paid.id)
}

#[test]
fn the_payments_desk_lists_money_owed_back_and_records_a_refund_once() {
    use app::server::entity::{audit_event, payment};
    use sea_orm::{ColumnTrait, QueryFilter};
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        for (n, at, subject) in [(1, SITE, "24"), (2, OTHER, "15")] {
            let cookie = app.candidate(&format!("r{n}@example.com"), &resident_id(n)).await;
            through_subjects(&app, &cookie, n, at, &[subject]).await;
        }
        let mut regs = registration::Entity::find().all(&app.db).await.unwrap();
        regs.sort_by_key(|r| r.id);
        let (ours, our_payment) = owed_back(&app, &regs[0], 1).await;
        let (theirs, their_payment) = owed_back(&app, &regs[1], 2).await;

        let desk = app.get(app::urls::STAFF_PAYMENTS, Some(&site)).await;
        assert_eq!(desk.status, StatusCode::OK);
        assert!(desk.body.contains(&ours) && !desk.body.contains(&theirs), "{}", desk.body);
        assert!(desk.body.contains("订单关闭后才到账") && desk.body.contains("¥80.00"));
        let all = app.get(app::urls::STAFF_PAYMENTS, Some(&province)).await;
        assert!(all.body.contains(&ours) && all.body.contains(&theirs));
        // The orders by state, the account's sites only: both orders closed, none open or paid.
        assert!(desk.body.contains("待支付订单共0笔") && desk.body.contains("没有待支付的订单。"), "{}", desk.body);
        let closed = app.get(&format!("{}?status=closed", app::urls::STAFF_PAYMENTS), Some(&site)).await.body;
        let listed =
            |page: &str, order: &str| page.contains(&format!("data-testid=\"order-row\" data-order=\"{order}\""));
        assert!(
            closed.contains("已关闭订单共1笔，第1/1页") && listed(&closed, &ours) && !listed(&closed, &theirs),
            "{closed}"
        );
        let closed =
            app.get(&format!("{}?status=closed&page=9", app::urls::STAFF_PAYMENTS), Some(&province)).await.body;
        assert!(closed.contains("已关闭订单共2笔，第1/1页") && listed(&closed, &theirs), "{closed}");
        let paid = app.get(&format!("{}?status=paid", app::urls::STAFF_PAYMENTS), Some(&site)).await.body;
        assert!(paid.contains("已支付订单共0笔"), "{paid}");

        let record = |cookie: &str, id: String| {
            let (app, cookie) = (&app, cookie.to_owned());
            async move { app.post_form(app::urls::STAFF_REFUND, &[("payment", id.as_str())], Some(&cookie)).await }
        };
        // Another site's money, a payment that is not owed back, a request that does not read.
        assert_eq!(record(&site, their_payment.to_string()).await.status, StatusCode::FORBIDDEN);
        assert_eq!(record(&site, "99999".into()).await.status, StatusCode::NOT_FOUND);
        assert_eq!(record(&site, "x".into()).await.status, StatusCode::BAD_REQUEST);
        let trail = || async {
            audit_event::Entity::find()
                .filter(audit_event::Column::Kind.eq("payment.refund"))
                .all(&app.db)
                .await
                .unwrap()
        };
        assert!(trail().await.is_empty());

        // Recorded once, with the operator, however often it is clicked.
        for _ in 0..2 {
            let done = record(&site, our_payment.to_string()).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
            assert!(done.location().unwrap().contains("notice=refund-recorded"));
        }
        let rows = trail().await;
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].actor.as_str(), rows[0].site_code.as_deref()), ("site@ncre.test", Some(SITE)));
        assert!(rows[0].after.as_deref().unwrap().contains(&ours));
        let paid_back = payment::Entity::find_by_id(our_payment).one(&app.db).await.unwrap().unwrap();
        assert_eq!(paid_back.refunded_at, Some(app.clock.now()));
        let other = payment::Entity::find_by_id(their_payment).one(&app.db).await.unwrap().unwrap();
        assert_eq!(other.refunded_at, None);
        let desk = app.get(app::urls::STAFF_PAYMENTS, Some(&site)).await;
        assert!(desk.body.contains("已退款（"), "{}", desk.body);
        // The candidate's page shows it in the history.
        let page = app.get(&format!("{}?id={}", app::urls::STAFF_CANDIDATE, regs[0].id), Some(&site)).await;
        assert!(page.body.contains("data-kind=\"payment.refund\""), "{}", page.body);
    });
}
