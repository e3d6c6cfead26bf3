//! 网上审核 (issue 15): at a site that reviews, a registration is paid only once approved.
//! Rejected with reasons, the candidate reads them (page and mail), corrects, asks again, is
//! approved and pays; an approval racing the candidate's withdrawal leaves one outcome; a
//! bulk decision takes exactly the filtered set; a seat lost before approval makes the
//! approval fail with its own words; a stale page never overwrites a newer state.

use crate::helpers::*;
use crate::journey::{info_for, test_photo, through_subjects};
use crate::staff::signed_in_staff;
use app::server::entity::registration::{self, ReviewState};
use app::server::entity::staff::Role;
use app::server::entity::{audit_event, enrolment, exam_site, payment_order};
use app::urls;
use app::views::AppError;
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;

const SITE: &str = "650101";
const OTHER: &str = "659028";

async fn reviewing(app: &TestApp, code: &str) {
    let site = exam_site::Entity::find_by_id(code).one(&app.db).await.unwrap().unwrap();
    let mut a: exam_site::ActiveModel = site.into();
    a.requires_review = Set(true);
    a.update(&app.db).await.unwrap();
    app.state.catalogue.invalidate();
}

async fn upload_photo(app: &TestApp, cookie: &str) {
    let req = http::Request::post("/api/photo")
        .header("content-type", "image/jpeg")
        .header("cookie", cookie)
        .body(axum::body::Body::from(test_photo(480, 640)))
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// A candidate `n` at `site` holding `subjects` with a photo: the cookie and the e-mail.
async fn ready(app: &TestApp, n: u32, site: &str, subjects: &[&str]) -> (String, String) {
    let email = format!("rev{n}@example.com");
    let cookie = app.candidate(&email, &resident_id(n)).await;
    through_subjects(app, &cookie, n, site, subjects).await;
    upload_photo(app, &cookie).await;
    (cookie, email)
}

async fn ask(app: &TestApp, cookie: &str) -> Reply {
    app.post_form(urls::REVIEW, &[], Some(cookie)).await
}

async fn reg_of(app: &TestApp, email: &str) -> registration::Model {
    use app::server::entity::pass;
    let p = pass::Entity::find().filter(pass::Column::Email.eq(email)).one(&app.db).await.unwrap().unwrap();
    registration::Entity::find().filter(registration::Column::PassId.eq(p.id)).one(&app.db).await.unwrap().unwrap()
}

async fn decide(app: &TestApp, staff: &str, reg: &registration::Model, fields: &[(&str, &str)]) -> Reply {
    let (id, version) = (reg.id.to_string(), reg.holdings_version.to_string());
    let mut all = vec![("registration", id.as_str()), ("version", version.as_str())];
    all.extend_from_slice(fields);
    app.post_form(urls::STAFF_REVIEW_DECIDE, &all, Some(staff)).await
}

fn pay_refusal(reply: &Reply) -> AppError {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    reply.json::<AppError>()
}

async fn pay(app: &TestApp, cookie: &str) -> Reply {
    app.call("/api/pay", json!({"form": {"confirm": "yes"}}), Some(cookie)).await
}

async fn kinds(app: &TestApp, reg: &registration::Model) -> Vec<String> {
    audit_event::Entity::find()
        .filter(audit_event::Column::Target.eq(reg.id.to_string()))
        .filter(audit_event::Column::Kind.starts_with("registration.review"))
        .order_by_asc(audit_event::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[test]
fn rejected_with_reasons_the_candidate_corrects_asks_again_is_approved_and_pays() {
    run(async {
        let app = spawn_app().await;
        reviewing(&app, SITE).await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (cookie, email) = ready(&app, 41, SITE, &["24"]).await;

        // Not asked for yet: no payment, and the status page offers 申请审核.
        assert_eq!(pay_refusal(&pay(&app, &cookie).await), AppError::ReviewRequired { pending: false });
        let status = app.get(urls::STATUS, Some(&cookie)).await.body;
        assert!(status.contains("data-testid=\"request-review\"") && status.contains("未申请"), "{status}");
        assert!(!status.contains(&format!("href=\"{}\"", urls::PAY)), "no 支付 before approval");

        // Asked: locked and in the queue; the information can no longer change.
        let asked = ask(&app, &cookie).await;
        assert_eq!(asked.location(), Some("/register/status?notice=review-requested"), "{}", asked.body);
        let reg = reg_of(&app, &email).await;
        assert_eq!(reg.review_state, Some(ReviewState::Pending));
        assert!(reg.locked_at.is_some());
        let info = app.call("/api/info", json!({"form": info_for(41)}), Some(&cookie)).await;
        assert_eq!(info.json::<AppError>(), AppError::Locked);
        assert_eq!(pay_refusal(&pay(&app, &cookie).await), AppError::ReviewRequired { pending: true });
        assert_eq!(ask(&app, &cookie).await.status, StatusCode::SEE_OTHER, "asked twice: one request");
        let queue = app.get(urls::STAFF_REVIEW, Some(&site)).await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body.contains(&format!("data-registration=\"{}\"", reg.id)), "{}", queue.body);
        assert!(queue.body.contains("1101**********") && !queue.body.contains(&resident_id(41)), "masked");
        // What was measured of the photo, for staff and as advice to the candidate alike.
        assert!(queue.body.contains("照片检查（自动测量") && queue.body.contains("480×640 像素"), "{}", queue.body);
        let advice = app.get(urls::PHOTO, Some(&cookie)).await.body;
        assert!(advice.contains("data-testid=\"photo-facts\"") && advice.contains("480×640 像素"), "{advice}");
        // The photo is there for staff of the site, and nobody else.
        let photo = format!("{}?id={}", urls::STAFF_PHOTO, reg.id);
        let seen = app.get(&photo, Some(&site)).await;
        assert_eq!(seen.status, StatusCode::OK);
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        assert_eq!(app.get(&photo, Some(&other)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.get(&photo, Some(&cookie)).await.status, StatusCode::UNAUTHORIZED);

        // A rejection without a reason is refused beside the field; nothing changes.
        let bare = decide(&app, &site, &reg, &[("decision", "reject"), ("note", "")]).await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bare.body);
        assert!(bare.body.contains("请至少选择一个退回原因"), "{}", bare.body);
        assert!(bare.body.contains(&format!("id=\"reasons-{}\"", reg.id)), "the card's own fields");
        assert_eq!(reg_of(&app, &email).await, reg);
        // Another site's teacher cannot decide it.
        let theirs = decide(&app, &other, &reg, &[("decision", "approve")]).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);

        let rejected = decide(
            &app,
            &site,
            &reg,
            &[("decision", "reject"), ("reasons", "photo_background"), ("reasons", "other"), ("note", "请换蓝底照片")],
        )
        .await;
        assert_eq!(rejected.status, StatusCode::SEE_OTHER, "{}", rejected.body);
        let after = reg_of(&app, &email).await;
        assert_eq!(after.review_state, Some(ReviewState::Rejected));
        assert!(after.locked_at.is_none(), "unlocked for correction");
        let mail = app.mail(&email, "修改后重新申请审核").await;
        assert!(
            mail.text.contains("照片背景颜色不符合本考点的要求") && mail.text.contains("请换蓝底照片"),
            "{}",
            mail.text
        );
        let status = app.get(urls::STATUS, Some(&cookie)).await.body;
        assert!(status.contains("审核未通过") && status.contains("请换蓝底照片"), "{status}");
        assert!(status.contains("照片背景颜色不符合本考点的要求"));
        // The stale page (the version before the rejection) decides nothing now.
        let stale = decide(&app, &site, &reg, &[("decision", "approve")]).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert!(stale.body.contains("没有按您的决定处理"), "{}", stale.body);

        // The candidate corrects the photo and the information, and asks again.
        upload_photo(&app, &cookie).await;
        let info = app.call("/api/info", json!({"form": info_for(41)}), Some(&cookie)).await;
        assert_eq!(info.status, StatusCode::OK, "{}", info.body);
        assert_eq!(ask(&app, &cookie).await.status, StatusCode::SEE_OTHER);
        let again = reg_of(&app, &email).await;
        assert_eq!(again.review_state, Some(ReviewState::Pending));
        let approved = decide(&app, &site, &again, &[("decision", "approve")]).await;
        assert_eq!(approved.location(), Some("/staff/review?notice=review-approved"), "{}", approved.body);
        let done = reg_of(&app, &email).await;
        assert_eq!(done.review_state, Some(ReviewState::Approved));
        assert!(done.locked_at.is_some(), "what was approved is what is paid");
        assert!(app.mail(&email, "已通过考点审核").await.text.contains("缴费"));

        // Now it pays, and the platform's word makes it paid.
        let started = pay(&app, &cookie).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.body);
        let order = payment_order::Entity::find().one(&app.db).await.unwrap().unwrap();
        app.sandbox.pay(MERCHANT, &order.order_no, "alipay").expect("paid at the platform");
        for _ in 0..100 {
            if enrolment::Entity::find().all(&app.db).await.unwrap().iter().all(|e| e.paid_at.is_some()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(enrolment::Entity::find().all(&app.db).await.unwrap().iter().all(|e| e.paid_at.is_some()));
        assert_eq!(
            kinds(&app, &reg).await,
            [
                "registration.review-request",
                "registration.review-reject",
                "registration.review-request",
                "registration.review-approve"
            ]
        );
        // The candidate's page tells the whole story.
        let page = app.get(&format!("{}?id={}", urls::STAFF_CANDIDATE, reg.id), Some(&site)).await.body;
        assert!(page.contains("审核退回") && page.contains("审核通过") && page.contains("考生申请审核"), "{page}");
    })
}

#[test]
fn an_approval_racing_the_candidates_withdrawal_leaves_exactly_one_outcome() {
    run(async {
        let app = std::sync::Arc::new(spawn_app().await);
        reviewing(&app, SITE).await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let mut people = Vec::new();
        for n in 50..56 {
            let (cookie, email) = ready(&app, n, SITE, &["24"]).await;
            assert_eq!(ask(&app, &cookie).await.status, StatusCode::SEE_OTHER);
            people.push((cookie, email));
        }
        let mut approvals = 0;
        for (cookie, email) in &people {
            let reg = reg_of(&app, email).await;
            let (a, b) = (app.clone(), app.clone());
            let (site, cookie) = (site.clone(), cookie.clone());
            let reg2 = reg.clone();
            let approve = tokio::spawn(async move { decide(&a, &site, &reg2, &[("decision", "approve")]).await });
            let withdraw = tokio::spawn(async move { b.post_form(urls::REVIEW_WITHDRAW, &[], Some(&cookie)).await });
            let (approve, withdraw) = (approve.await.unwrap(), withdraw.await.unwrap());
            let now = reg_of(&app, email).await;
            let trail = kinds(&app, &reg).await;
            match now.review_state {
                Some(ReviewState::Approved) => {
                    approvals += 1;
                    assert_eq!(approve.status, StatusCode::SEE_OTHER);
                    assert!(now.locked_at.is_some());
                    assert_eq!(withdraw.location(), Some(urls::STATUS), "the withdrawal changed nothing");
                    assert_eq!(trail, ["registration.review-request", "registration.review-approve"]);
                }
                None => {
                    assert_eq!(approve.status, StatusCode::CONFLICT, "{}", approve.body);
                    assert!(now.locked_at.is_none(), "withdrawn: unlocked");
                    assert_eq!(trail, ["registration.review-request", "registration.review-withdraw"]);
                }
                other => panic!("{other:?}"),
            }
        }
        // Whichever won, it won alone; the one left withdrawn asks again, and a page from
        // before the withdrawal still cannot approve the new request.
        let (cookie, email) = &people[0];
        let before = reg_of(&app, email).await;
        if before.review_state.is_none() {
            assert_eq!(ask(&app, cookie).await.status, StatusCode::SEE_OTHER);
            let old_page = registration::Model { holdings_version: before.holdings_version - 1, ..before };
            assert_eq!(decide(&app, &site, &old_page, &[("decision", "approve")]).await.status, StatusCode::CONFLICT);
            assert_eq!(reg_of(&app, email).await.review_state, Some(ReviewState::Pending));
        }
        eprintln!("{approvals} of {} races went to the approval", people.len());
    })
}

#[test]
fn a_bulk_decision_takes_exactly_the_filtered_set_asked_for_by_then() {
    run(async {
        let app = spawn_app().await;
        reviewing(&app, SITE).await;
        reviewing(&app, OTHER).await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        let plan: [(u32, &str, &[&str]); 5] = [
            (61, SITE, &["24"]),
            (62, SITE, &["14", "24"]),
            (63, SITE, &["24"]),
            (64, SITE, &["14"]),
            (65, OTHER, &["15"]),
        ];
        let mut emails = Vec::new();
        for (n, at, subjects) in plan {
            let (cookie, email) = ready(&app, n, at, subjects).await;
            assert_eq!(ask(&app, &cookie).await.status, StatusCode::SEE_OTHER);
            emails.push(email);
        }
        // The queue under the filter, and its moment.
        let page = app.get(&format!("{}?subject=24", urls::STAFF_REVIEW), Some(&site)).await.body;
        assert_eq!(page.matches("data-testid=\"review-card\"").count(), 3, "{page}");
        let upto = page.split("name=\"upto\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        // One more asks after the page was shown: not decided unseen.
        app.clock.set(app.clock.now() + chrono::Duration::minutes(1));
        let (late, late_email) = ready(&app, 66, SITE, &["24"]).await;
        assert_eq!(ask(&app, &late).await.status, StatusCode::SEE_OTHER);

        // A site account cannot act on another site's set.
        let theirs = app
            .post_form(
                urls::STAFF_REVIEW_BULK,
                &[("site", OTHER), ("upto", &upto), ("decision", "approve")],
                Some(&site),
            )
            .await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        let bulk = app
            .post_form(
                urls::STAFF_REVIEW_BULK,
                &[("subject", "24"), ("upto", &upto), ("decision", "approve")],
                Some(&site),
            )
            .await;
        assert_eq!(
            bulk.location(),
            Some("/staff/review?subject=24&done=3&skipped=0&notice=review-approved"),
            "{}",
            bulk.body
        );
        let state = |email: &str| {
            let (app, email) = (&app, email.to_owned());
            async move { reg_of(app, &email).await.review_state }
        };
        for email in &emails[..3] {
            assert_eq!(state(email).await, Some(ReviewState::Approved), "{email}");
        }
        assert_eq!(state(&emails[3]).await, Some(ReviewState::Pending), "subject 14 only: outside the filter");
        assert_eq!(state(&emails[4]).await, Some(ReviewState::Pending), "another site");
        assert_eq!(state(&late_email).await, Some(ReviewState::Pending), "asked after the page");

        // A bulk rejection needs its reasons like one card's; the province sends OTHER's back.
        let now = app.clock.now().to_rfc3339();
        let bare = app
            .post_form(
                urls::STAFF_REVIEW_BULK,
                &[("site", OTHER), ("upto", &now), ("decision", "reject")],
                Some(&province),
            )
            .await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bare.body.contains("id=\"reasons-bulk\""), "{}", bare.body);
        assert_eq!(state(&emails[4]).await, Some(ReviewState::Pending));
        let sent_back = app
            .post_form(
                urls::STAFF_REVIEW_BULK,
                &[("site", OTHER), ("upto", &now), ("decision", "reject"), ("reasons", "group_sign_up")],
                Some(&province),
            )
            .await;
        assert_eq!(sent_back.status, StatusCode::SEE_OTHER, "{}", sent_back.body);
        assert_eq!(state(&emails[4]).await, Some(ReviewState::Rejected));
        assert_eq!(state(&emails[3]).await, Some(ReviewState::Pending), "SITE's untouched");
        assert!(app.mail(&emails[4], "重新申请审核").await.text.contains("中介机构"));
        // 考生查询 filters by the review state too.
        let count = |body: String| body.matches("data-testid=\"candidate-row\"").count();
        let search = |q: &str| format!("{}?{q}", urls::STAFF_CANDIDATES);
        assert_eq!(count(app.get(&search("review=rejected"), Some(&province)).await.body), 1);
        assert_eq!(count(app.get(&search("review=pending"), Some(&site)).await.body), 2, "64 and 66");
        assert_eq!(count(app.get(&search("review=approved&subject=14"), Some(&site)).await.body), 1, "62");
    })
}

#[test]
fn a_seat_lost_before_approval_makes_the_approval_fail_with_its_own_words() {
    run(async {
        let app = spawn_app().await;
        reviewing(&app, SITE).await;
        let (cookie, email) = ready(&app, 71, SITE, &["24"]).await;
        assert_eq!(ask(&app, &cookie).await.status, StatusCode::SEE_OTHER);
        let card = reg_of(&app, &email).await;
        // The 24 hours of rule 7 run while the request waits: the seat goes back.
        app.clock.set(app.clock.now() + chrono::Duration::hours(25));
        let swept = app::server::seats::sweeper::sweep(&app.db, app.clock.now(), 100).await.unwrap();
        assert_eq!(swept.released, 1);
        // The page was shown before; the teacher signs in again after a day away.
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let approve = decide(&app, &site, &card, &[("decision", "approve")]).await;
        assert_eq!(approve.status, StatusCode::CONFLICT, "{}", approve.body);
        assert!(approve.body.contains("已经没有保留的报考科目"), "{}", approve.body);
        let after = reg_of(&app, &email).await;
        assert_ne!(after.review_state, Some(ReviewState::Approved));
        assert!(after.locked_at.is_none() && after.site_code.is_none(), "cleared: free to choose again");
        assert_eq!(kinds(&app, &card).await, ["registration.review-request"], "no decision recorded");
        // The queue no longer lists it; the candidate may choose again and ask again.
        let queue = app.get(urls::STAFF_REVIEW, Some(&site)).await.body;
        assert!(queue.contains("data-testid=\"queue-empty\""), "{queue}");
        let status = app.get(urls::STATUS, Some(&cookie)).await.body;
        assert!(!status.contains("data-testid=\"withdraw-review\""), "{status}");
    })
}
