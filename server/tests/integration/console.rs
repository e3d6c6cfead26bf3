//! The staff console's configuration (issue 14): every route checks role and site on the
//! server (a refused request changes nothing), capacity edited during a rush of claims
//! never oversells, a change reaches candidates on their next request, and every change is
//! on the audit trail with its old and new values.

use crate::helpers::*;
use crate::journey::through_subjects;
use crate::staff::{goes_to_sign_in, signed_in_staff};
use app::server::entity::staff::Role;
use app::server::entity::{
    audit_event, check_in, enrolment, exam_batch, exam_room, exam_session, exam_site, notice, offered_subject,
    placement, registration, site_offering,
};
use app::server::seats::{Choice, Claim, SeatError};
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::sync::Arc;

const SITE: &str = "650101";
const STAFF_PREVIEW_INFO_SITE: &str = "/staff/preview/info?site=650101";
const OTHER: &str = "659028";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Candidate,
    OtherSite,
    Site,
    Province,
}

const ALL_STAFF: &[Who] = &[Who::OtherSite, Who::Site, Who::Province];
const THE_SITE: &[Who] = &[Who::Site, Who::Province];
const PROVINCE: &[Who] = &[Who::Province];

enum Route {
    Page(String),
    Api(String),
    Post(&'static str, Vec<(&'static str, &'static str)>),
}

fn page(p: &str) -> Route {
    Route::Page(p.to_owned())
}

fn api(p: &str) -> Route {
    Route::Api(p.to_owned())
}

fn site_fields(code: &'static str, name: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("code", code),
        ("name", name),
        ("opens", "2025-01-05 10:00"),
        ("closes", "2025-04-05 18:00"),
        ("max_subjects", "2"),
        ("background", "light_blue"),
        ("self_print", "on"),
    ]
}

fn routes() -> Vec<(Route, &'static [Who])> {
    use app::urls::*;
    vec![
        (page(STAFF), ALL_STAFF),
        (page(STAFF_SESSION), PROVINCE),
        (page(STAFF_SITES), ALL_STAFF),
        (page(&format!("{STAFF_SITE}?code={SITE}")), THE_SITE),
        (page(STAFF_SITE_NEW), PROVINCE),
        (page(&format!("{STAFF_OFFER}?site={SITE}&subject=24")), THE_SITE),
        (page(&format!("{STAFF_OFFER}?site={SITE}")), THE_SITE),
        (page(STAFF_NOTICES), ALL_STAFF),
        (page(STAFF_AUDIT), ALL_STAFF),
        (page(&format!("{STAFF_AUDIT}?site={SITE}")), THE_SITE),
        (page(STAFF_CANDIDATES), ALL_STAFF),
        (page(&format!("{STAFF_CANDIDATES}?site={SITE}&subject=24&paid=unpaid&q=%E5%BC%A0")), THE_SITE),
        (api(&format!("/staff/api/candidates_page?query[site]={SITE}")), THE_SITE),
        (page(STAFF_PAYMENTS), ALL_STAFF),
        (api("/staff/api/payments_page?query[status]=paid&query[page]=2"), ALL_STAFF),
        (page(&format!("{STAFF_PAYMENTS}?status=closed")), ALL_STAFF),
        (Route::Post(STAFF_REFUND, vec![("payment", "99999")]), ALL_STAFF),
        (Route::Post(STAFF_ORDER_QUERY, vec![("order", "99999")]), ALL_STAFF),
        (page(STAFF_REVIEW), ALL_STAFF),
        (page(&format!("{STAFF_RECONCILE}?day=2025-01-06")), ALL_STAFF),
        (api("/staff/api/reconcile_page?day=2025-01-06"), ALL_STAFF),
        (page(STAFF_EXPORT), ALL_STAFF),
        (page(&format!("{STAFF_EXPORT}?site={SITE}&paid=unpaid")), THE_SITE),
        (api(&format!("/staff/api/export_page?filter[site]={SITE}")), THE_SITE),
        (page(&format!("{STAFF_EXPORT_DOWNLOAD}?site={SITE}&format=csv&columns=name&columns=doc_number")), THE_SITE),
        (page(&format!("{STAFF_REVIEW}?site={SITE}&subject=24")), THE_SITE),
        (page(STAFF_ROSTERS), ALL_STAFF),
        (page(&format!("{STAFF_ROSTERS}?site={SITE}&page=2")), THE_SITE),
        (api(&format!("/staff/api/rosters_page?query[site]={SITE}")), THE_SITE),
        (Route::Post(STAFF_ROSTER_REPORT, vec![("id", "99999"), ("action", "import")]), ALL_STAFF),
        // A form post without its file: refused for the missing file once signed in.
        (Route::Post(STAFF_ROSTERS, vec![("site", SITE)]), ALL_STAFF),
        (api(&format!("/staff/api/review_page?query[site]={SITE}")), THE_SITE),
        (page(STAFF_ARRANGE), ALL_STAFF),
        (page(&format!("{STAFF_ARRANGE}?site={SITE}")), THE_SITE),
        (page(&format!("{STAFF_ROOMS}?site={SITE}")), THE_SITE),
        (page(&format!("{STAFF_BATCHES}?site={SITE}")), THE_SITE),
        (api(&format!("/staff/api/arrange_page?site={SITE}")), THE_SITE),
        (api(&format!("/staff/api/rooms_page?site={SITE}")), THE_SITE),
        (api(&format!("/staff/api/batches_page?site={SITE}")), THE_SITE),
        (
            Route::Post(STAFF_ROOMS, vec![("site", SITE), ("name", "三号机房"), ("seats", "30"), ("subjects", "")]),
            THE_SITE,
        ),
        (Route::Post(STAFF_ROOM_REMOVE, vec![("site", SITE), ("id", "99999")]), THE_SITE),
        (
            Route::Post(
                STAFF_BATCHES,
                vec![("site", SITE), ("starts", "2025-03-30 09:00"), ("ends", "2025-03-30 10:30"), ("subjects", "")],
            ),
            THE_SITE,
        ),
        (Route::Post(STAFF_BATCH_REMOVE, vec![("site", SITE), ("id", "99999")]), THE_SITE),
        (Route::Post(STAFF_ARRANGE, vec![("site", SITE), ("mode", "new")]), THE_SITE),
        (page(STAFF_DOOR), ALL_STAFF),
        (page(&format!("{STAFF_DOOR}?site={SITE}&ticket=6575650101010101")), THE_SITE),
        (api(&format!("/staff/api/door_page?site={SITE}&ticket=")), THE_SITE),
        (Route::Post(STAFF_DOOR, vec![("site", SITE), ("ticket", "6575650101010101")]), THE_SITE),
        (
            Route::Post(
                STAFF_REVIEW_DECIDE,
                vec![("registration", "99999"), ("version", "1"), ("decision", "approve")],
            ),
            ALL_STAFF,
        ),
        (
            Route::Post(
                STAFF_REVIEW_BULK,
                vec![("site", SITE), ("upto", "2025-01-06T10:00:00+08:00"), ("decision", "approve")],
            ),
            THE_SITE,
        ),
        (api("/staff/api/session_page"), PROVINCE),
        (api("/staff/api/sites_page"), ALL_STAFF),
        (api(&format!("/staff/api/site_page?code={SITE}")), THE_SITE),
        (api("/staff/api/site_page?code="), PROVINCE),
        (api(&format!("/staff/api/offer_page?site={SITE}&subject=24")), THE_SITE),
        (api("/staff/api/notices_page"), ALL_STAFF),
        (api(&format!("/staff/api/audit_page?query[site]={SITE}")), THE_SITE),
        (
            Route::Post(
                STAFF_SESSION,
                vec![
                    ("number", "75"),
                    ("name", "2025年03月全国计算机等级考试"),
                    ("first_day", "2025-03-29"),
                    ("last_day", "2025-03-31"),
                    ("ticket_print", "2025-03-20 10:00"),
                ],
            ),
            PROVINCE,
        ),
        (Route::Post(STAFF_SITE, site_fields(SITE, "新疆大学")), THE_SITE),
        (Route::Post(STAFF_SITE_NEW, site_fields("650177", "新疆测试学院")), PROVINCE),
        (
            Route::Post(STAFF_OFFER, vec![("site", SITE), ("subject", "24"), ("fee", "85"), ("capacity", "210")]),
            THE_SITE,
        ),
        (Route::Post(STAFF_OFFER_REMOVE, vec![("site", SITE), ("subject", "42")]), THE_SITE),
        (Route::Post(STAFF_NOTICES, vec![("site", ""), ("title", "考试须知"), ("body", "请携带身份证。")]), PROVINCE),
        (page(STAFF_ACCOUNTS), PROVINCE),
        (api("/staff/api/accounts_page"), PROVINCE),
        (
            Route::Post(
                STAFF_ACCOUNTS,
                vec![("email", "new@ncre.test"), ("name", "新老师"), ("role", "site"), ("site", SITE)],
            ),
            PROVINCE,
        ),
        (page(&format!("{STAFF_PREVIEW}?site={SITE}")), THE_SITE),
        (page(&format!("{STAFF_PREVIEW}?site={SITE}&draft=offer&subject=24&fee=90&capacity=300")), THE_SITE),
        (Route::Post(STAFF_ACCOUNT_ACTION, vec![("account", "1"), ("action", "unlock")]), PROVINCE),
        (api(&format!("/staff/api/preview_info_page?site={SITE}")), THE_SITE),
        (Route::Post(STAFF_PREVIEW_INFO_SITE, vec![("postcode", "830000")]), THE_SITE),
        (
            Route::Post(STAFF_NOTICES, vec![("site", SITE), ("title", "考点须知"), ("body", "请提前30分钟到达。")]),
            THE_SITE,
        ),
    ]
}

/// What the configuration tables hold, to compare before and after refused requests.
async fn configuration(app: &TestApp) -> String {
    format!(
        "{:?}{:?}{:?}{:?}{:?}{}{:?}{:?}{}",
        exam_session::Entity::find().order_by_asc(exam_session::Column::Id).all(&app.db).await.unwrap(),
        exam_site::Entity::find().order_by_asc(exam_site::Column::Code).all(&app.db).await.unwrap(),
        site_offering::Entity::find().order_by_asc(site_offering::Column::Id).all(&app.db).await.unwrap(),
        offered_subject::Entity::find().order_by_asc(offered_subject::Column::Id).all(&app.db).await.unwrap(),
        notice::Entity::find().order_by_asc(notice::Column::Id).all(&app.db).await.unwrap(),
        audit_event::Entity::find().count(&app.db).await.unwrap(),
        exam_room::Entity::find().order_by_asc(exam_room::Column::Id).all(&app.db).await.unwrap(),
        exam_batch::Entity::find().order_by_asc(exam_batch::Column::Id).all(&app.db).await.unwrap(),
        placement::Entity::find().count(&app.db).await.unwrap()
            + check_in::Entity::find().count(&app.db).await.unwrap(),
    )
}

struct Actors {
    candidate: String,
    other: String,
    site: String,
    province: String,
}

async fn actors(app: &TestApp) -> Actors {
    Actors {
        candidate: app.candidate("kaosheng@example.com", &resident_id(7)).await,
        other: signed_in_staff(app, "other@ncre.test", Role::Site, &[OTHER]).await.0,
        site: signed_in_staff(app, "site@ncre.test", Role::Site, &[SITE]).await.0,
        province: signed_in_staff(app, "province@ncre.test", Role::Province, &[]).await.0,
    }
}

impl Actors {
    fn cookie(&self, who: Who) -> Option<&str> {
        match who {
            Who::Anonymous => None,
            Who::Candidate => Some(&self.candidate),
            Who::OtherSite => Some(&self.other),
            Who::Site => Some(&self.site),
            Who::Province => Some(&self.province),
        }
    }
}

async fn request(app: &TestApp, route: &Route, cookie: Option<&str>) -> Reply {
    match route {
        Route::Page(p) => app.get(p, cookie).await,
        Route::Api(p) => app.api_get(p, cookie).await,
        Route::Post(p, fields) => app.post_form(p, fields, cookie).await,
    }
}

fn describe(route: &Route) -> String {
    match route {
        Route::Page(p) => format!("GET {p}"),
        Route::Api(p) => format!("GET {p} (api)"),
        Route::Post(p, f) => format!("POST {p} {f:?}"),
    }
}

#[test]
fn every_staff_route_checks_the_role_and_the_site_on_the_server() {
    run(async {
        let app = spawn_app().await;
        let who = actors(&app).await;
        let before = configuration(&app).await;
        // Refused first: none of them may change anything.
        for (route, allowed) in routes() {
            for actor in [Who::Anonymous, Who::Candidate, Who::OtherSite, Who::Site, Who::Province] {
                if allowed.contains(&actor) {
                    continue;
                }
                let reply = request(&app, &route, who.cookie(actor)).await;
                let what = format!("{} as {actor:?}: {}", describe(&route), reply.status);
                match (actor, &route) {
                    (Who::Anonymous | Who::Candidate, Route::Api(_)) => {
                        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}")
                    }
                    (Who::Anonymous | Who::Candidate, _) => assert!(goes_to_sign_in(&reply), "{what}"),
                    _ => {
                        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
                        if !matches!(route, Route::Api(_)) {
                            assert!(reply.body.contains("没有权限"), "{what}: the page says why");
                        }
                    }
                }
            }
        }
        assert_eq!(configuration(&app).await, before, "a refused request changed the configuration");
        // Then the allowed: each passes the checks (saved, shown, or refused on its merits).
        for (route, allowed) in routes() {
            for actor in allowed {
                let reply = request(&app, &route, who.cookie(*actor)).await;
                let what = format!("{} as {actor:?}: {} {}", describe(&route), reply.status, reply.body);
                assert!(
                    !matches!(reply.status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED)
                        && !goes_to_sign_in(&reply),
                    "{what}"
                );
                if matches!(route, Route::Page(_) | Route::Api(_)) {
                    assert_eq!(reply.status, StatusCode::OK, "{what}");
                }
            }
        }
        // The site account's lists hold its own site only.
        let sites = app.get(app::urls::STAFF_SITES, Some(&who.site)).await.body;
        assert!(sites.contains(SITE) && !sites.contains(OTHER), "{sites}");
        let province = app.get(app::urls::STAFF_SITES, Some(&who.province)).await.body;
        assert!(province.contains(SITE) && province.contains(OTHER) && province.contains("650177"));
    });
}

fn audit_entries(rows: &[audit_event::Model], kind: &str) -> Vec<audit_event::Model> {
    rows.iter().filter(|r| r.kind == kind).cloned().collect()
}

#[test]
fn every_change_is_on_the_trail_with_who_where_and_old_and_new_values() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        let post = |path: &'static str, fields: Vec<(&'static str, &'static str)>, cookie: String| {
            let app = &app;
            async move {
                let reply = app.post_form(path, &fields, Some(&cookie)).await;
                assert_eq!(reply.status, StatusCode::SEE_OTHER, "{path}: {}", reply.body);
                reply
            }
        };
        use app::urls::*;
        post(STAFF_OFFER, vec![("site", SITE), ("subject", "24"), ("fee", "85.5"), ("capacity", "250")], site.clone())
            .await;
        post(STAFF_OFFER, vec![("site", SITE), ("subject", "28"), ("fee", "80"), ("capacity", "50")], site.clone())
            .await;
        post(STAFF_OFFER_REMOVE, vec![("site", SITE), ("subject", "28")], site.clone()).await;
        post(STAFF_SITE, site_fields(SITE, "新疆大学（本部）"), site.clone()).await;
        post(STAFF_NOTICES, vec![("site", SITE), ("title", "考点须知"), ("body", "请提前到达。")], site.clone()).await;
        post(
            STAFF_SESSION,
            vec![("number", "75"), ("name", "第75次考试"), ("first_day", "2025-03-29"), ("last_day", "2025-03-30")],
            province.clone(),
        )
        .await;
        post(STAFF_SITE_NEW, site_fields("650177", "新疆测试学院"), province.clone()).await;

        let rows = audit_event::Entity::find().order_by_asc(audit_event::Column::Id).all(&app.db).await.unwrap();
        let fee = &audit_entries(&rows, "subject.update")[0];
        assert_eq!(fee.actor, "site@ncre.test");
        assert_eq!(fee.address.as_deref(), Some(CLIENT));
        assert_eq!(fee.site_code.as_deref(), Some(SITE));
        assert_eq!(fee.target, "650101/24");
        assert_eq!(fee.before.as_deref(), Some(r#"{"capacity":200,"fee":"80"}"#));
        assert_eq!(fee.after.as_deref(), Some(r#"{"capacity":250,"fee":"85.50"}"#));
        let added = &audit_entries(&rows, "subject.add")[0];
        assert_eq!((added.before.as_deref(), added.after.as_deref()), (None, Some(r#"{"capacity":50,"fee":"80"}"#)));
        let removed = &audit_entries(&rows, "subject.remove")[0];
        assert_eq!(removed.before.as_deref(), Some(r#"{"capacity":50,"fee":"80"}"#));
        let renamed = &audit_entries(&rows, "site.update")[0];
        assert!(renamed.before.as_deref().unwrap().contains(r#""name":"新疆大学""#), "{renamed:?}");
        assert!(renamed.after.as_deref().unwrap().contains(r#""name":"新疆大学（本部）""#), "{renamed:?}");
        assert!(renamed.after.as_deref().unwrap().contains(r#""background":"light_blue""#), "{renamed:?}");
        let session = &audit_entries(&rows, "session.update")[0];
        assert_eq!(session.actor, "province@ncre.test");
        assert!(session.after.as_deref().unwrap().contains("第75次考试"), "{session:?}");
        assert!(session.before.as_deref().unwrap().contains(r#""last_day":"2025-03-31""#), "{session:?}");
        assert!(session.after.as_deref().unwrap().contains(r#""last_day":"2025-03-30""#), "{session:?}");
        assert_eq!(audit_entries(&rows, "site.create")[0].site_code.as_deref(), Some("650177"));
        assert_eq!(audit_entries(&rows, "notice.publish").len(), 1);
        for r in &rows {
            assert!(!format!("{r:?}").contains("Kaodian-Laoshi"), "no password on the trail");
        }

        // The trail page: the site sees its own entries, the province those of no site too.
        let page = app.get(STAFF_AUDIT, Some(&site)).await.body;
        assert!(page.contains("报名费（元）：80 → 85.50"), "{page}");
        assert!(!page.contains("第75次考试"), "a site account does not read the session's entries");
        let page = app.get(STAFF_AUDIT, Some(&province)).await.body;
        assert!(page.contains("第75次考试") && page.contains("85.50"));
        let only = app.get(&format!("{STAFF_AUDIT}?kind=subject.remove"), Some(&province)).await.body;
        assert_eq!(only.matches("data-testid=\"audit-row\"").count(), 1, "{only}");
        let by_person = app.get(&format!("{STAFF_AUDIT}?actor=province%40ncre.test"), Some(&province)).await.body;
        assert_eq!(by_person.matches("data-testid=\"audit-row\"").count(), 2);
    });
}

#[test]
fn bad_values_are_refused_beside_their_fields_and_change_nothing() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let before = configuration(&app).await;
        let mut bad = site_fields(SITE, "");
        bad[2] = ("opens", "2025-13-01 10:00");
        bad[4] = ("max_subjects", "11");
        let reply = app.post_form(app::urls::STAFF_SITE, &bad, Some(&site)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        for words in ["请填写考点名称", "网上报名开始时间请按", "1到10之间的整数"] {
            assert!(reply.body.contains(words), "{words}: {}", reply.body);
        }
        assert!(reply.body.contains("2025-13-01 10:00"), "the typed values come back");
        let reply = app
            .post_form(
                app::urls::STAFF_OFFER,
                &[("site", SITE), ("subject", "24"), ("fee", "80.555"), ("capacity", "x")],
                Some(&site),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("最多两位小数") && reply.body.contains("容量（人）请填写0到100000之间的整数"));
        // A subject of no catalogue, a site code of another province.
        let reply = app
            .post_form(
                app::urls::STAFF_OFFER,
                &[("site", SITE), ("subject", "99"), ("fee", "80"), ("capacity", "9")],
                Some(&site),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        let reply =
            app.post_form(app::urls::STAFF_SITE_NEW, &site_fields("110101", "北京的考点"), Some(&province)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("本省应以65开头"));
        let reply = app.post_form(app::urls::STAFF_SITE_NEW, &site_fields(OTHER, "重复的考点"), Some(&province)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("已经有考点使用"));
        assert_eq!(configuration(&app).await, before, "a refused post changed something");
    });
}

/// A seated candidate at `SITE` holding subject `code`, through the real journey.
async fn candidate_holding(app: &TestApp, n: u32, code: &str) -> String {
    let cookie = app.candidate(&format!("k{n}@example.com"), &resident_id(n)).await;
    through_subjects(app, &cookie, n, SITE, &[code]).await;
    cookie
}

#[test]
fn a_change_reaches_candidates_on_their_next_request() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let cookie = app.candidate("k1@example.com", &resident_id(1)).await;
        let reply = app.call("/api/agreement", serde_json::json!({"form": {"accept": "yes"}}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
        let reply =
            app.call("/api/info", serde_json::json!({"form": crate::journey::info_for(1)}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
        // Warm the held copy of the configuration first.
        assert!(app.get(&format!("{}?site={SITE}", app::urls::SUBJECTS), Some(&cookie)).await.body.contains("¥80.00"));
        let reply = app
            .post_form(
                app::urls::STAFF_OFFER,
                &[("site", SITE), ("subject", "24"), ("fee", "95"), ("capacity", "200")],
                Some(&site),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let page = app.get(&format!("{}?site={SITE}", app::urls::SUBJECTS), Some(&cookie)).await.body;
        assert!(page.contains("¥95.00"), "the new fee shows at once");

        // Capacity: full at 1 seat, raised to 2, the next claim wins.
        let reply = app
            .post_form(
                app::urls::STAFF_OFFER,
                &[("site", SITE), ("subject", "42"), ("fee", "100"), ("capacity", "1")],
                Some(&site),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        candidate_holding(&app, 3, "42").await;
        let late = app.candidate("k5@example.com", &resident_id(5)).await;
        app.call("/api/agreement", serde_json::json!({"form": {"accept": "yes"}}), Some(&late)).await;
        app.call("/api/info", serde_json::json!({"form": crate::journey::info_for(5)}), Some(&late)).await;
        let choice = serde_json::json!({"form": {"site": SITE, "subjects": ["42"], "declare": "yes"}});
        let full = app.call("/api/subjects", choice.clone(), Some(&late)).await;
        assert_ne!(full.status, StatusCode::OK, "the one seat is taken");
        // Lowering below the one taken is refused with the numbers.
        let refused = app
            .post_form(
                app::urls::STAFF_OFFER,
                &[("site", SITE), ("subject", "42"), ("fee", "100"), ("capacity", "0")],
                Some(&site),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("已有1名考生报考这个科目，容量不能少于1"), "{}", refused.body);
        // And a subject held cannot be removed.
        let kept =
            app.post_form(app::urls::STAFF_OFFER_REMOVE, &[("site", SITE), ("subject", "42")], Some(&site)).await;
        assert_eq!(kept.status, StatusCode::CONFLICT);
        assert!(kept.body.contains("不能删除"), "{}", kept.body);
        let raised = app
            .post_form(
                app::urls::STAFF_OFFER,
                &[("site", SITE), ("subject", "42"), ("fee", "100"), ("capacity", "2")],
                Some(&site),
            )
            .await;
        assert_eq!(raised.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.call("/api/subjects", choice, Some(&late)).await.status,
            StatusCode::OK,
            "the raised seat is free"
        );

        // A notice published for the site shows on its candidates' status page; one
        // scheduled for later does not, until its time.
        for (title, at) in [("考点现在的通知", ""), ("考点以后的通知", "2025-01-06 12:10")] {
            let reply = app
                .post_form(
                    app::urls::STAFF_NOTICES,
                    &[("site", SITE), ("title", title), ("body", "正文"), ("publish_at", at)],
                    Some(&site),
                )
                .await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        }
        let status = app.get(app::urls::STATUS, Some(&late)).await.body;
        assert!(status.contains("考点现在的通知") && !status.contains("考点以后的通知"), "{status}");
        // The held configuration is not read again: the publish time is judged at each request.
        app.clock.set(app.clock.now() + chrono::Duration::minutes(10));
        assert!(app.get(app::urls::STATUS, Some(&late)).await.body.contains("考点以后的通知"));
    });
}

#[test]
fn capacity_lowered_and_raised_during_five_hundred_claims_never_oversells() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let regs = server::seed::load_candidates(&app.db, 500, app.clock.now()).await.unwrap();
        let offered = offered_subject::Entity::find()
            .filter(offered_subject::Column::SubjectCode.eq("36"))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.capacity == 80)
            .unwrap();
        let claim = Claim { offered_subject_id: offered.id, subject_code: "36".into(), fee_fen: offered.fee_fen };
        let now = app.clock.now();
        let claims: Vec<_> = regs
            .into_iter()
            .map(|reg| {
                let (app, claim) = (app.clone(), claim.clone());
                tokio::spawn(async move {
                    let version = registration::Entity::find_by_id(reg)
                        .one(&app.db)
                        .await
                        .unwrap()
                        .map_or(0, |r| r.holdings_version);
                    let choice = Choice {
                        registration_id: reg,
                        site_code: SITE.into(),
                        cancelled: Vec::new(),
                        added: vec![claim],
                        now,
                        version,
                        audit: Vec::new(),
                    };
                    app.seats.apply(choice).await
                })
            })
            .collect();
        // Meanwhile the site's staff move the capacity down and up through the form.
        let staff = {
            let app = app.clone();
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                for cap in ["40", "120", "60", "300", "100", "20", "250"] {
                    let reply = app
                        .post_form(
                            app::urls::STAFF_OFFER,
                            &[("site", SITE), ("subject", "36"), ("fee", "80"), ("capacity", cap)],
                            Some(&site),
                        )
                        .await;
                    outcomes.push(reply.status);
                }
                outcomes
            })
        };
        let (mut won, mut full) = (0, 0);
        for t in claims {
            match t.await.unwrap() {
                Ok(()) => won += 1,
                Err(SeatError::Full { .. }) => full += 1,
                Err(e) => panic!("a claim failed instead of winning or being told it is full: {e:?}"),
            }
        }
        let outcomes = staff.await.unwrap();
        assert!(
            outcomes.iter().all(|s| *s == StatusCode::SEE_OTHER || *s == StatusCode::UNPROCESSABLE_ENTITY),
            "{outcomes:?}"
        );
        assert!(outcomes.contains(&StatusCode::SEE_OTHER));
        assert_eq!(won + full, 500);
        let o = offered_subject::Entity::find_by_id(offered.id).one(&app.db).await.unwrap().unwrap();
        let held = enrolment::Entity::find()
            .filter(enrolment::Column::OfferedSubjectId.eq(o.id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(held, won as u64);
        assert!(o.remaining >= 0, "never oversold: {o:?}");
        assert_eq!(i64::from(o.capacity - o.remaining), held as i64, "the counter equals capacity − enrolments");
        assert!(held <= u64::try_from(o.capacity).unwrap());
    });
}

#[test]
fn candidates_key_actions_are_on_the_same_trail_without_their_document_numbers() {
    run(async {
        let app = spawn_app().await;
        let cookie = candidate_holding(&app, 11, "24").await;
        let choice = serde_json::json!({"form": {"site": SITE, "subjects": ["15"], "declare": "yes"}});
        assert_eq!(app.call("/api/subjects", choice, Some(&cookie)).await.status, StatusCode::OK);
        let deleted = app.post_form(app::urls::DELETE, &[], Some(&cookie)).await;
        assert_eq!(deleted.status, StatusCode::SEE_OTHER, "{}", deleted.body);
        candidate_holding(&app, 13, "36").await;
        app.clock.set(app.clock.now() + chrono::Duration::hours(25));
        let swept = app::server::seats::sweeper::sweep(&app.db, app.clock.now(), 100).await.unwrap();
        assert_eq!(swept.released, 1);

        let rows = audit_event::Entity::find().order_by_asc(audit_event::Column::Id).all(&app.db).await.unwrap();
        let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "enrolment.choose",
                "enrolment.choose",
                "enrolment.cancel",
                "registration.delete",
                "enrolment.choose",
                "enrolment.expire"
            ]
        );
        let pass = app::server::entity::pass::Entity::find()
            .filter(app::server::entity::pass::Column::Email.eq("k11@example.com"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(rows[0].actor, pass.neea_id);
        assert_eq!(rows[0].pass_id, Some(pass.id));
        assert_eq!(rows[0].after.as_deref(), Some(r#"{"subjects":["24"]}"#));
        assert_eq!(rows[2].before.as_deref(), Some(r#"{"subjects":["24"]}"#));
        assert_eq!(rows[3].before.as_deref(), Some(r#"{"subjects":["15"]}"#));
        assert_eq!((rows[5].actor.as_str(), rows[5].site_code.as_deref()), ("系统", Some(SITE)));
        for r in &rows {
            let text = format!("{r:?}");
            assert!(!text.contains(&resident_id(11)) && !text.contains(&resident_id(13)), "{text}");
        }
        // The site's staff read them on the trail page.
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let page = app.get(app::urls::STAFF_AUDIT, Some(&site)).await.body;
        assert!(page.contains("考生删除报名信息") && page.contains("超时未缴费，名额自动退回"), "{page}");
    });
}

#[test]
fn the_dashboard_counts_from_the_rows_themselves() {
    run(async {
        use app::server::payment::gateway::Paid;
        use app::server::payment::orders::{self, Start};
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        candidate_holding(&app, 21, "24").await;
        candidate_holding(&app, 23, "24").await;
        // One of them pays; the same trade reported twice is applied once, and a second
        // payment for the paid order is owed back.
        let reg = app.registrations().await[0].clone();
        let Start::Created(order) = orders::start(&app.db, reg.id, reg.pass_id, "65", app.clock.now()).await.unwrap()
        else {
            panic!("an order")
        };
        let paid = |trade: &str| Paid {
            order_no: order.order_no.clone(),
            trade_no: trade.into(),
            amount_fen: order.amount_fen,
            method: "alipay".into(),
            paid_at: "2025-01-06T12:00:00+08:00".into(),
        };
        for trade in ["T1", "T1", "T2"] {
            orders::apply(&app.db, &paid(trade), "notify", app.clock.now()).await.unwrap();
        }
        let page = app.get(app::urls::STAFF, Some(&site)).await.body;
        let figures = |page: &str, code: &str, testid: &str| -> String {
            let row = &page[page.find(&format!("data-testid=\"figures-{code}\"")).expect("the site's row")..];
            let cell = &row[row.find(&format!("data-testid=\"{testid}\"")).unwrap()..];
            cell[cell.find('>').unwrap() + 1..].split('<').next().unwrap().to_owned()
        };
        assert_eq!(figures(&page, SITE, "figure-registrations"), "2");
        assert_eq!(figures(&page, SITE, "figure-chosen"), "2");
        assert_eq!(figures(&page, SITE, "figure-paid"), "1");
        assert_eq!(figures(&page, SITE, "figure-received"), "¥80.00");
        assert_eq!(figures(&page, SITE, "figure-refund-due"), "1");
        let seats = &page[page.find("data-testid=\"seats-650101-24\"").unwrap()..];
        let left = &seats[seats.find("data-testid=\"seats-left\"").unwrap()..];
        assert!(left.starts_with("data-testid=\"seats-left\">198<"), "{left:.60}");
        assert!(!page.contains("figures-659028"), "a site account sees its own site");
        assert!(!page.contains("figure-unsited"));
        let page = app.get(app::urls::STAFF, Some(&province)).await.body;
        assert_eq!(figures(&page, OTHER, "figure-registrations"), "0");
        assert!(page.contains("data-testid=\"figure-unsited\""));
    });
}

#[test]
fn an_in_school_site_requires_department_and_student_number() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let mut fields = site_fields(SITE, "新疆大学");
        fields.push(("needs_department", "on"));
        fields.push(("needs_student_no", "on"));
        assert_eq!(app.post_form(app::urls::STAFF_SITE, &fields, Some(&site)).await.status, StatusCode::SEE_OTHER);
        let cookie = app.candidate("k31@example.com", &resident_id(31)).await;
        app.call("/api/agreement", serde_json::json!({"form": {"accept": "yes"}}), Some(&cookie)).await;
        app.call("/api/info", serde_json::json!({"form": crate::journey::info_for(31)}), Some(&cookie)).await;
        let choice = serde_json::json!({"form": {"site": SITE, "subjects": ["24"], "declare": "yes"}});
        let refused = app.call("/api/subjects", choice.clone(), Some(&cookie)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("本考点是校内考点，要求填写院系、学号"), "{}", refused.body);
        assert!(app
            .get(&format!("{}?site={SITE}", app::urls::SUBJECTS), Some(&cookie))
            .await
            .body
            .contains("院系、学号"));
        // Filled in: the site takes the choice; emptied again afterwards: refused beside the field.
        let mut info = crate::journey::info_for(31);
        info["department"] = "信息科学与工程学院".into();
        info["student_no"] = "2023010101".into();
        assert_eq!(
            app.call("/api/info", serde_json::json!({"form": info.clone()}), Some(&cookie)).await.status,
            StatusCode::OK
        );
        assert_eq!(app.call("/api/subjects", choice, Some(&cookie)).await.status, StatusCode::OK);
        info["student_no"] = "".into();
        let reply = app.call("/api/info", serde_json::json!({"form": info}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("您报考的考点是校内考点，要求填写学号"), "{}", reply.body);
    });
}

#[test]
fn the_preview_shows_a_site_as_its_candidates_see_it_and_stores_nothing() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        let url = format!("{}?site={SITE}", app::urls::STAFF_PREVIEW);
        assert_eq!(app.get(&url, Some(&other)).await.status, StatusCode::FORBIDDEN);
        assert!(goes_to_sign_in(&app.get(&url, None).await));
        let reply = app
            .post_form(
                app::urls::STAFF_OFFER,
                &[("site", SITE), ("subject", "24"), ("fee", "91"), ("capacity", "200")],
                Some(&site),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let page = app.get(&url, Some(&site)).await;
        assert_eq!(page.status, StatusCode::OK);
        for words in
            ["data-testid=\"preview-banner\"", "个人信息采集", "报考科目采集", "¥91.00", "本考点最多可报考科目"]
        {
            assert!(page.body.contains(words), "{words}");
        }
        // One step a page: the subject step by default, the information step asked for.
        let page = app.get(&format!("{url}&step=info"), Some(&site)).await;
        assert!(page.body.contains(&format!("action=\"{}?site={SITE}\"", app::urls::STAFF_PREVIEW_INFO)));
        let before = (configuration(&app).await, app.registrations().await.len());
        // The information step's real messages.
        let info = app
            .post_form(&format!("{}?site={SITE}", app::urls::STAFF_PREVIEW_INFO), &[("postcode", "83")], Some(&site))
            .await;
        assert_eq!(info.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(info.body.contains("邮政编码应为6位数字") && info.body.contains("请选择性别"), "{}", info.body);
        assert!(info.body.contains("data-testid=\"preview-banner\""), "refused on the preview page");
        // The subject step: too many subjects, then a valid choice through its confirmation.
        let subjects = format!("{}?site={SITE}", app::urls::STAFF_PREVIEW_SUBJECTS);
        let many = app
            .post_form(
                &subjects,
                &[("site", SITE), ("subjects", "14"), ("subjects", "24"), ("subjects", "36"), ("declare", "yes")],
                Some(&site),
            )
            .await;
        assert_eq!(many.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(many.body.contains("本考点最多可报考2科，您共选择了3科"), "{}", many.body);
        let confirm =
            app.post_form(&subjects, &[("site", SITE), ("subjects", "24"), ("declare", "yes")], Some(&site)).await;
        assert!(
            confirm.body.contains("报考信息确认") && confirm.body.contains(&format!("action=\"{subjects}\"")),
            "{}",
            confirm.body
        );
        let done = app
            .post_form(
                &subjects,
                &[("site", SITE), ("subjects", "24"), ("declare", "yes"), ("confirmed", "yes")],
                Some(&site),
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(done.location().unwrap().contains("notice=preview-passed"));
        // The JS path: the same rules behind the preview's server functions.
        let reply = app
            .call(
                "/staff/api/preview_subjects",
                serde_json::json!({"site": SITE, "form": {"site": SITE, "subjects": ["24"]}}),
                Some(&site),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("我保证以上信息是真实和准确的"), "{}", reply.body);
        let reply = app
            .call(
                "/staff/api/preview_info",
                serde_json::json!({"site": SITE, "form": crate::journey::info_for(2)}),
                Some(&other),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!((configuration(&app).await, app.registrations().await.len()), before, "a preview stores nothing");
    });
}

#[test]
fn the_preview_beside_the_settings_shows_them_as_typed_judges_by_them_and_stores_nothing() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        // One seat of 24 taken.
        candidate_holding(&app, 1, "24").await;
        let before = (configuration(&app).await, app.registrations().await.len());
        let preview = |query: &str| format!("{}?site={SITE}&{query}", app::urls::STAFF_PREVIEW);
        let typed = "draft=site&name=%E8%8D%89%E7%A8%BF%E5%AD%A6%E9%99%A2&opens=2025-01-05%2010%3A00\
            &closes=2025-04-05%2018%3A00&max_subjects=1&background=red&needs_student_no=on";

        // The site's settings as typed: its candidates' own pages with them in place.
        let page = app.get(&preview(typed), Some(&site)).await;
        assert_eq!(page.status, StatusCode::OK);
        for words in [
            "尚未保存",
            "(650101)草稿学院",
            "本考点最多可报考科目</dt><dd>1科",
            "data-testid=\"site-needs\">学号",
            "红色",
        ] {
            assert!(page.body.contains(words), "{words}: {}", page.body);
        }
        // A preview is framed beside the settings (by our own pages only); the settings
        // page itself is never framed.
        assert!(page.headers["content-security-policy"].to_str().unwrap().ends_with("frame-ancestors 'self'"));
        assert_eq!(page.headers["x-frame-options"], "SAMEORIGIN");
        let settings = app.get(&format!("{}?code={SITE}", app::urls::STAFF_SITE), Some(&site)).await;
        assert!(settings.body.contains("data-testid=\"preview-frame\""), "{}", settings.body);
        assert!(settings.headers["content-security-policy"].to_str().unwrap().ends_with("frame-ancestors 'none'"));
        assert_eq!(settings.headers["x-frame-options"], "DENY");

        // Its submissions are judged by the settings as typed: 学号 is now required, and the
        // form posts carry the draft on.
        let info = format!("{}?site={SITE}&{typed}", app::urls::STAFF_PREVIEW_INFO);
        let page = app.get(&preview(&format!("step=info&{typed}")), Some(&site)).await;
        assert!(page.body.contains(&format!("action=\"{}\"", info.replace('&', "&amp;"))), "{}", page.body);
        // The sample candidate: female, born 2004-05-01.
        let mut form = crate::journey::info_for(2);
        form["birth_date"] = "2004-05-01".into();
        let fields: Vec<(String, String)> =
            serde_json::from_value::<std::collections::BTreeMap<String, serde_json::Value>>(form.clone())
                .unwrap()
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned())))
                .collect();
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = app.post_form(&info, &fields, Some(&site)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(refused.body.contains("您报考的考点是校内考点，要求填写学号"), "{}", refused.body);
        let saved_rules =
            app.post_form(&format!("{}?site={SITE}", app::urls::STAFF_PREVIEW_INFO), &fields, Some(&site)).await;
        assert_eq!(saved_rules.status, StatusCode::SEE_OTHER, "{}", saved_rules.body);
        let draft = serde_json::json!({"Site": {"name": "草稿学院", "opens": "2025-01-05 10:00",
            "closes": "2025-04-05 18:00", "max_subjects": "1", "background": "red", "needs_student_no": "on"}});
        let reply = app
            .call(
                "/staff/api/preview_info",
                serde_json::json!({"site": SITE, "draft": draft, "form": form}),
                Some(&site),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("要求填写学号"), "{}", reply.body);
        let subjects = format!("{}?site={SITE}&{typed}", app::urls::STAFF_PREVIEW_SUBJECTS);
        let two = app
            .post_form(
                &subjects,
                &[("site", SITE), ("subjects", "14"), ("subjects", "24"), ("declare", "yes")],
                Some(&site),
            )
            .await;
        assert!(two.body.contains("本考点最多可报考1科，您共选择了2科"), "{}", two.body);

        // Settings that would be refused on save are not shown: the saved ones are, and
        // the banner says why.
        let bad = app.get(&preview("draft=site&name=x&max_subjects=99&background=red"), Some(&site)).await;
        assert!(bad.body.contains("还有需要改正的地方") && bad.body.contains("(650101)新疆大学"), "{}", bad.body);

        // One subject's fee and capacity as typed; a capacity below the seats taken is not shown.
        let fee = app.get(&preview("draft=offer&subject=24&fee=93.5&capacity=300"), Some(&site)).await;
        assert!(fee.body.contains("¥93.50") && fee.body.contains("尚未保存"), "{}", fee.body);
        let added = app.get(&preview("draft=offer&subject=65&fee=70&capacity=5"), Some(&site)).await;
        assert!(added.body.contains("id=\"subject-65\"") && added.body.contains("¥70.00"), "{}", added.body);
        let below = app.get(&preview("draft=offer&subject=24&fee=93.5&capacity=0"), Some(&site)).await;
        assert!(below.body.contains("还有需要改正的地方") && !below.body.contains("¥93.50"), "{}", below.body);

        // Another site's preview stays refused, draft or not.
        assert_eq!(app.get(&preview(typed), Some(&other)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.post_form(&info, &fields, Some(&other)).await.status, StatusCode::FORBIDDEN);
        assert_eq!((configuration(&app).await, app.registrations().await.len()), before, "a preview stores nothing");
    });
}

#[test]
fn the_province_adds_an_account_which_sets_its_password_by_the_mailed_link() {
    run(async {
        let app = spawn_app().await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        let fields =
            [("email", "Laoshi@XJU.example.cn"), ("name", "新疆大学考点老师"), ("role", "site"), ("site", SITE)];
        let bad =
            app.post_form(app::urls::STAFF_ACCOUNTS, &[("email", "laoshi"), ("role", "site")], Some(&province)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains("请填写姓名") && bad.body.contains("考点老师的账号请选择所管理的考点"),
            "{}",
            bad.body
        );
        let elsewhere = [("site", "110101"), fields[0], fields[1], fields[2]];
        let other = app.post_form(app::urls::STAFF_ACCOUNTS, &elsewhere, Some(&province)).await;
        assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(other.body.contains("请从列表中选择本省的考点"));
        let reply = app.post_form(app::urls::STAFF_ACCOUNTS, &fields, Some(&province)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.location(), Some("/staff/accounts?notice=account-created"));
        let again = app.post_form(app::urls::STAFF_ACCOUNTS, &fields, Some(&province)).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("这个电子邮箱已经有管理系统账号"));
        let page = app.get(app::urls::STAFF_ACCOUNTS, Some(&province)).await.body;
        assert!(page.contains("laoshi@xju.example.cn") || page.contains("Laoshi@XJU.example.cn"), "{page}");
        let entry = audit_event::Entity::find()
            .filter(audit_event::Column::Kind.eq("staff.create"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((entry.actor.as_str(), entry.site_code.as_deref()), ("province@ncre.test", Some(SITE)));
        // The mailed link sets the password; the new account then signs in with it.
        let mail = app.mail("laoshi@xju.example.cn", "请设置您的密码").await;
        let token = token_in(&mail, app::urls::STAFF_SET_PASSWORD);
        let password = "Kaodian-Xin-2026";
        let set = app
            .post_form(
                app::urls::STAFF_SET_PASSWORD,
                &[("token", &token), ("password", password), ("password2", password)],
                None,
            )
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
        let signed = app
            .post_form(app::urls::STAFF_SIGN_IN, &[("email", "laoshi@xju.example.cn"), ("password", password)], None)
            .await;
        assert_eq!(signed.location(), Some(app::urls::STAFF_SECOND_FACTOR));
    });
}
