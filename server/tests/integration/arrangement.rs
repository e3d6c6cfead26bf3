//! 考场编排 (issue 16): a site's rooms and batches are set up through the console's forms
//! (refused input changes nothing), 编排 places every paid subject once, in distinct seats,
//! with well-formed 16-digit ticket numbers, keeps seats on a re-run and places only the new,
//! reports what it cannot place, re-arranges everything only when confirmed, and every
//! change is on the audit trail; another site's staff can do none of it.

use crate::helpers::*;
use crate::search::three_candidates;
use crate::staff::signed_in_staff;
use app::domain::arrangement::TicketNumber;
use app::server::entity::staff::Role;
use app::server::entity::{audit_event, check_in, enrolment, exam_batch, exam_room, pass, placement};
use app::urls;
use chrono::Duration;
use http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashSet;

pub(crate) const SITE: &str = "650101";
pub(crate) const OTHER: &str = "659028";

fn at(path: &str) -> String {
    format!("{path}?site={SITE}")
}

/// Marks every held subject paid, a minute apart in id order (payment itself is tested in
/// `payment.rs`; arrangement reads only that a subject is paid, and when).
pub(crate) async fn pay_all(app: &TestApp) {
    let paid = enrolment::Entity::find().filter(enrolment::Column::PaidAt.is_not_null()).all(&app.db).await.unwrap();
    let unpaid = enrolment::Entity::find()
        .filter(enrolment::Column::PaidAt.is_null())
        .order_by_asc(enrolment::Column::Id)
        .all(&app.db)
        .await
        .unwrap();
    for (i, e) in unpaid.into_iter().enumerate() {
        enrolment::Entity::update_many()
            .col_expr(
                enrolment::Column::PaidAt,
                Expr::value(start_time() + Duration::minutes((paid.len() + i) as i64 + 1)),
            )
            .filter(enrolment::Column::Id.eq(e.id))
            .exec(&app.db)
            .await
            .unwrap();
    }
}

/// The registration of the pass with this e-mail.
async fn status_reg(app: &TestApp, email: &str) -> i32 {
    let p = pass::Entity::find().filter(pass::Column::EmailKey.eq(email)).one(&app.db).await.unwrap().unwrap();
    app.registrations().await.into_iter().find(|r| r.pass_id == p.id).unwrap().id
}

pub(crate) async fn placements(app: &TestApp) -> Vec<placement::Model> {
    placement::Entity::find().order_by_asc(placement::Column::EnrolmentId).all(&app.db).await.unwrap()
}

pub(crate) async fn add_room(app: &TestApp, cookie: &str, name: &str, seats: &str, subjects: &str) -> Reply {
    app.post_form(
        urls::STAFF_ROOMS,
        &[("site", SITE), ("name", name), ("seats", seats), ("subjects", subjects)],
        Some(cookie),
    )
    .await
}

pub(crate) async fn add_batch(app: &TestApp, cookie: &str, starts: &str, ends: &str, subjects: &str) -> Reply {
    app.post_form(
        urls::STAFF_BATCHES,
        &[("site", SITE), ("starts", starts), ("ends", ends), ("subjects", subjects)],
        Some(cookie),
    )
    .await
}

pub(crate) async fn arrange(app: &TestApp, cookie: &str, mode: &str, confirm: bool) -> Reply {
    let mut fields = vec![("site", SITE), ("mode", mode)];
    if confirm {
        fields.push(("confirm", "yes"));
    }
    app.post_form(urls::STAFF_ARRANGE, &fields, Some(cookie)).await
}

/// Every placement's invariants: one per subject, one per seat of a batch, inside its room,
/// a ticket number of the 16-digit scheme that names its subject, session, site, batch,
/// room and seat, and a candidate's two subjects never in one batch.
async fn check_invariants(app: &TestApp) {
    let ps = placements(app).await;
    let rooms = exam_room::Entity::find().all(&app.db).await.unwrap();
    let batches = exam_batch::Entity::find().all(&app.db).await.unwrap();
    let enrolments = enrolment::Entity::find().all(&app.db).await.unwrap();
    let mut seats = HashSet::new();
    let mut tickets = HashSet::new();
    let mut sittings = HashSet::new();
    for p in &ps {
        assert!(seats.insert((p.batch_id, p.room_id, p.seat)), "one candidate per seat and batch");
        assert!(tickets.insert(p.ticket_number.clone()), "ticket numbers unique");
        assert!(sittings.insert((p.registration_id, p.batch_id)), "a candidate sits one subject per batch");
        let room = rooms.iter().find(|r| r.id == p.room_id).unwrap();
        let batch = batches.iter().find(|b| b.id == p.batch_id).unwrap();
        let e = enrolments.iter().find(|e| e.id == p.enrolment_id).unwrap();
        assert!(e.paid_at.is_some(), "only paid subjects are arranged");
        assert!(p.seat >= 1 && p.seat <= room.seats, "inside the room");
        assert!(room.subjects.split(',').any(|c| c == e.subject_code), "the room hosts the subject");
        assert!(batch.subjects.split(',').any(|c| c == e.subject_code), "the batch sits the subject");
        let t = TicketNumber::parse(&p.ticket_number).unwrap();
        let expected = format!("{}75{SITE}{:02}{:02}{:02}", e.subject_code, batch.number, room.number, p.seat);
        assert_eq!(t.as_str(), expected);
    }
}

#[test]
fn rooms_and_batches_are_set_up_and_paid_subjects_arranged_once_each() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        // 阿依古丽 holds 24, 买买提 14 and 24 at SITE; 李娜 15 at OTHER.
        three_candidates(&app).await;
        pay_all(&app).await;

        // Refused input says why beside each field and adds nothing.
        let bad = add_room(&app, &site, "", "100", "24 99").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("请填写机房名称"), "{}", bad.body);
        assert!(bad.body.contains("座位数请填写1到99之间的整数"));
        assert!(bad.body.contains("本考点没有开考科目99"));
        assert!(exam_room::Entity::find().all(&app.db).await.unwrap().is_empty());

        for (name, seats) in [("一号机房", "1"), ("二号机房", "1")] {
            let r = add_room(&app, &site, name, seats, "24，14").await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let again = add_room(&app, &site, "一号机房", "30", "").await;
        assert!(again.body.contains("本考点已有名为“一号机房”的机房"), "{}", again.body);
        // Hosting only 14, which the seats of rooms 01 and 02 take first (equally empty, the
        // lower number first): it stays empty.
        let spare = add_room(&app, &site, "备用机房", "20", "14").await;
        assert_eq!(spare.status, StatusCode::SEE_OTHER);

        let b1 = add_batch(&app, &site, "2025-03-29 09:00", "2025-03-29 10:30", "").await;
        assert_eq!(b1.status, StatusCode::SEE_OTHER, "{}", b1.body);
        let overlapping = add_batch(&app, &site, "2025-03-29 10:00", "2025-03-29 11:00", "24").await;
        assert_eq!(overlapping.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(overlapping.body.contains("与第1场（2025-03-29 09:00 至 10:30）时间重叠"), "{}", overlapping.body);
        let outside = add_batch(&app, &site, "2025-04-02 09:00", "2025-04-02 10:00", "24").await;
        assert!(outside.body.contains("场次须在本考次的考试日期内（2025-03-29 至 2025-03-31）"), "{}", outside.body);
        let b2 = add_batch(&app, &site, "2025-03-29 13:00", "2025-03-29 14:30", "24 14").await;
        assert_eq!(b2.status, StatusCode::SEE_OTHER);
        assert_eq!(exam_batch::Entity::find().all(&app.db).await.unwrap().len(), 2);

        // Another site's staff reach none of it.
        for path in [urls::STAFF_ROOMS, urls::STAFF_BATCHES, urls::STAFF_ARRANGE] {
            assert_eq!(app.get(&at(path), Some(&other)).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(arrange(&app, &other, "new", false).await.status, StatusCode::FORBIDDEN);
        assert!(placements(&app).await.is_empty());

        let c1 = app.sign_in("c1@example.com", PASSWORD).await.session_cookie().unwrap();
        let status = app.get(urls::STATUS, Some(&c1)).await;
        assert!(status.body.contains("考点尚未编排考场，编排后才能打印准考证"), "{}", status.body);

        let page = app.get(&at(urls::STAFF_ARRANGE), Some(&site)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("3个机房、2个场次；已缴费科目3个，已编排0个，待编排3个。"), "{}", page.body);

        let done = arrange(&app, &site, "new", false).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(done.location().unwrap().contains("notice=arranged"));
        let first = placements(&app).await;
        assert_eq!(first.len(), 3, "every paid subject at SITE, none of OTHER's");
        check_invariants(&app).await;
        let status = app.get(urls::STATUS, Some(&c1)).await;
        // Arranged, before the print start: the ticket says from when.
        assert!(status.body.contains("准考证打印开始时间为 2025-03-24 10:00（北京时间）"), "{}", status.body);
        let reg = status_reg(&app, "c1@example.com").await;
        let mine = placements(&app).await.into_iter().find(|p| p.registration_id == reg).unwrap();
        let t = TicketNumber::parse(&mine.ticket_number).unwrap();
        let room = exam_room::Entity::find_by_id(mine.room_id).one(&app.db).await.unwrap().unwrap();
        let words = format!("{}考场（{}）{:02}号", t.exam_room(), room.name, t.seat());
        assert!(status.body.contains("已编排") && status.body.contains(&words), "{words}: {}", status.body);

        // A re-run keeps every seat; a late payment gets a seat of its own.
        assert_eq!(arrange(&app, &site, "new", false).await.status, StatusCode::SEE_OTHER);
        assert_eq!(placements(&app).await, first);
        let late = app.candidate_named("c4@example.com", &resident_id(4), "王芳").await;
        crate::journey::through_subjects(&app, &late, 4, SITE, &["24"]).await;
        pay_all(&app).await;
        assert_eq!(arrange(&app, &site, "new", false).await.status, StatusCode::SEE_OTHER);
        let second = placements(&app).await;
        assert_eq!(second.len(), 4);
        assert!(first.iter().all(|p| second.contains(p)), "existing seats unchanged");
        check_invariants(&app).await;

        // Removing a room with candidates in it is refused; an empty one goes.
        let rooms = exam_room::Entity::find().order_by_asc(exam_room::Column::Number).all(&app.db).await.unwrap();
        let used = rooms.iter().find(|r| second.iter().any(|p| p.room_id == r.id)).unwrap();
        let id = used.id.to_string();
        let refused = app.post_form(urls::STAFF_ROOM_REMOVE, &[("site", SITE), ("id", &id)], Some(&site)).await;
        assert_eq!(refused.status, StatusCode::CONFLICT);
        assert!(refused.body.contains("已有考生编排在这里，不能删除"), "{}", refused.body);
        let empty = rooms.iter().find(|r| second.iter().all(|p| p.room_id != r.id)).unwrap();
        let id = empty.id.to_string();
        let removed = app.post_form(urls::STAFF_ROOM_REMOVE, &[("site", SITE), ("id", &id)], Some(&site)).await;
        assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);

        // More paid subjects than seats: the rest are reported, not placed wrongly.
        for n in 5..=6 {
            let c = app.candidate_named(&format!("c{n}@example.com"), &resident_id(n), "赵强").await;
            crate::journey::through_subjects(&app, &c, n, SITE, &["24"]).await;
        }
        pay_all(&app).await;
        assert_eq!(arrange(&app, &site, "new", false).await.status, StatusCode::SEE_OTHER);
        check_invariants(&app).await;
        let page = app.get(&at(urls::STAFF_ARRANGE), Some(&site)).await;
        let placed = placements(&app).await.len();
        let free_seats = 2 * 2;
        assert_eq!(placed, free_seats, "both rooms full in both batches");
        assert!(page.body.contains("有2个科目无法编排"), "{}", page.body);
        assert!(page.body.contains("可承考该科目的机房座位已满"));

        // Everyone again only when confirmed.
        let unconfirmed = arrange(&app, &site, "all", false).await;
        assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unconfirmed.body.contains("请先勾选确认"), "{}", unconfirmed.body);
        assert_eq!(placements(&app).await.len(), placed);
        let before: Vec<i32> = placements(&app).await.iter().map(|p| p.id).collect();
        assert_eq!(arrange(&app, &site, "all", true).await.status, StatusCode::SEE_OTHER);
        let after = placements(&app).await;
        assert_eq!(after.len(), placed);
        assert!(after.iter().all(|p| !before.contains(&p.id)), "placed afresh");
        check_invariants(&app).await;
        assert_eq!(arrange(&app, &site, "clear", true).await.status, StatusCode::SEE_OTHER);
        assert!(placements(&app).await.is_empty());
        let status = app.get(urls::STATUS, Some(&c1)).await;
        assert!(status.body.contains("未编排") && !status.body.contains("考场（"), "the 考场 column is cleared too");

        // From the print start, an arranged subject's ticket is printable.
        assert_eq!(arrange(&app, &site, "new", false).await.status, StatusCode::SEE_OTHER);
        app.clock.set("2025-03-24T10:00:00+08:00".parse::<chrono::DateTime<chrono::FixedOffset>>().unwrap().into());
        let c1 = app.sign_in("c1@example.com", PASSWORD).await.session_cookie().unwrap();
        let status = app.get(urls::STATUS, Some(&c1)).await;
        assert!(
            status.body.contains("24 C语言程序设计：可打印") || status.body.contains("：可打印"),
            "{}",
            status.body
        );

        let kinds: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::SiteCode.eq(SITE))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        for kind in ["room.add", "room.remove", "batch.add", "arrangement.run", "arrangement.reset"] {
            assert!(kinds.iter().any(|k| k == kind), "{kind} on the trail: {kinds:?}");
        }
        assert_eq!(kinds.iter().filter(|k| *k == "room.add").count(), 3, "refused additions are not on the trail");
    });
}

#[test]
fn the_door_checks_a_ticket_in_once_and_says_so_the_second_time() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        three_candidates(&app).await;
        pay_all(&app).await;
        assert_eq!(add_room(&app, &site, "一号机房", "30", "").await.status, StatusCode::SEE_OTHER);
        let b = add_batch(&app, &site, "2025-03-29 09:00", "2025-03-29 10:30", "").await;
        assert_eq!(b.status, StatusCode::SEE_OTHER);
        let b = add_batch(&app, &site, "2025-03-29 13:00", "2025-03-29 14:30", "").await;
        assert_eq!(b.status, StatusCode::SEE_OTHER);
        assert_eq!(arrange(&app, &site, "new", false).await.status, StatusCode::SEE_OTHER);
        let ticket = placements(&app).await[0].ticket_number.clone();
        let door = |cookie: String, typed: String| {
            let app = &app;
            async move { app.post_form(urls::STAFF_DOOR, &[("site", SITE), ("ticket", &typed)], Some(&cookie)).await }
        };

        // Typed with spaces between groups: checked in, and the card shows who and where.
        let spaced = format!("{} {} {} {}", &ticket[..4], &ticket[4..8], &ticket[8..12], &ticket[12..]);
        let first = door(site.clone(), spaced).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        let shown = first.location().unwrap().to_owned();
        assert!(shown.contains("notice=checked-in") && !shown.contains("again"), "{shown}");
        let card = app.get(&shown, Some(&site)).await;
        assert_eq!(card.status, StatusCode::OK);
        assert!(card.body.contains("签到成功"), "{}", card.body);
        assert!(card.body.contains("已签到：2025-01-06"), "{}", card.body);
        assert!(card.body.contains("一号机房") && card.body.contains(&ticket));
        assert!(!card.body.contains(&resident_id(1)) && !card.body.contains(&resident_id(2)), "numbers masked");

        // The second time says so and records nothing more.
        let again = door(site.clone(), ticket.clone()).await;
        assert!(again.location().unwrap().contains("notice=checked-in-again"));
        let card = app.get(again.location().unwrap(), Some(&site)).await;
        assert!(card.body.contains("这张准考证已经签到过"), "{}", card.body);
        assert_eq!(check_in::Entity::find().all(&app.db).await.unwrap().len(), 1);
        let trail =
            audit_event::Entity::find().filter(audit_event::Column::Kind.eq("ticket.check-in")).all(&app.db).await;
        assert_eq!(trail.unwrap().len(), 1);

        // Mistyped, unknown, or another site's: refused beside the field, nothing recorded.
        let short = door(site.clone(), ticket[..15].to_owned()).await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(short.body.contains("准考证号是16位数字，请核对后重新输入"), "{}", short.body);
        let unknown = format!("{}99", &ticket[..14]);
        let refused = door(site.clone(), unknown).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("本考次没有这个准考证号"), "{}", refused.body);
        let elsewhere = door(other.clone(), ticket.clone()).await;
        assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
        let other_post = app.post_form(urls::STAFF_DOOR, &[("site", OTHER), ("ticket", &ticket)], Some(&other)).await;
        assert_eq!(other_post.status, StatusCode::FORBIDDEN, "a ticket of another site, from its own page");
        assert_eq!(check_in::Entity::find().all(&app.db).await.unwrap().len(), 1);
    });
}
