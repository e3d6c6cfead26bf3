//! The registration journey through its server functions (bypassing the browser) and its
//! no-JS form posts: every bypass payload is refused and changes nothing; the rules hold
//! on the server whatever the browser sent (REGISTRATION.md rules 1, 2, 4, 8, 9, 11–13).

use crate::helpers::{resident_id, run, spawn_app, TestApp};
use app::server::entity::{enrolment, offered_subject, registration};
use app::views::AppError;
use chrono::Duration;
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{json, Value};

/// A valid information form for `resident_id(n)` (born 1990-01-01; odd sequence: male).
pub fn info_for(n: u32) -> Value {
    let gender = if n % 2 == 1 { "male" } else { "female" };
    json!({"gender": gender, "birth_date": "1990-01-01", "ethnicity": "01", "occupation": "01",
           "education": "21", "training_type": "3", "postcode": "830000", "address": "乌鲁木齐市",
           "email": "", "department": "", "major": "", "class_name": "", "student_no": ""})
}

/// Agreement, information and the given subjects at `site` for the candidate of `cookie`.
pub async fn through_subjects(app: &TestApp, cookie: &str, n: u32, site: &str, subjects: &[&str]) {
    let reply = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app.call("/api/info", json!({"form": info_for(n)}), Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app.call("/api/subjects", json!({"form": choice(site, subjects)}), Some(cookie)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

fn choice(site: &str, subjects: &[&str]) -> Value {
    json!({"site": site, "subjects": subjects, "declare": "yes"})
}

fn codes(reply: &crate::helpers::Reply) -> Vec<String> {
    match reply.json::<AppError>() {
        AppError::Invalid(e) => e.iter().map(|e| e.code.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

/// Everything a refused call must leave as it was.
async fn snapshot(app: &TestApp) -> (Vec<registration::Model>, Vec<enrolment::Model>, Vec<offered_subject::Model>) {
    (
        app.registrations().await,
        enrolment::Entity::find().all(&app.db).await.unwrap(),
        offered_subject::Entity::find().all(&app.db).await.unwrap(),
    )
}

async fn remaining(app: &TestApp) -> i32 {
    offered_subject::Entity::find().all(&app.db).await.unwrap().iter().map(|o| o.remaining).sum()
}

#[test]
fn information_bypass_payloads_are_refused_and_change_nothing() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.accept_agreement().await;
        let before = snapshot(&app).await;
        let mut wrong_gender = info_for(1);
        wrong_gender["gender"] = json!("female");
        let mut wrong_birth = info_for(1);
        wrong_birth["birth_date"] = json!("1990-01-02");
        let mut bad_codes = info_for(1);
        bad_codes["ethnicity"] = json!("99");
        bad_codes["occupation"] = json!("<script>");
        let mut bad_contact = info_for(1);
        bad_contact["postcode"] = json!("8300");
        bad_contact["email"] = json!("a@b");
        bad_contact["student_no"] = json!("学号");
        let cases: Vec<(&str, Value, Vec<&str>)> = vec![
            ("gender not the document's", wrong_gender, vec!["gender.mismatch"]),
            ("birth date not the document's", wrong_birth, vec!["birth_date.mismatch"]),
            ("codes not on the lists", bad_codes, vec!["ethnicity.unknown", "occupation.unknown"]),
            ("contact and school", bad_contact, vec!["postcode.format", "email.format", "student_no.character"]),
            (
                "all empty",
                json!({}),
                vec![
                    "gender.required",
                    "birth_date.required",
                    "ethnicity.required",
                    "occupation.required",
                    "education.required",
                    "training_type.required",
                ],
            ),
        ];
        for (what, form, expected) in cases {
            let reply = app.call("/api/info", json!({"form": form}), Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", reply.body);
            assert_eq!(codes(&reply), expected, "{what}");
        }
        let reply = app.call("/api/info", json!({"form": "not a form"}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(snapshot(&app).await, before, "a refused call wrote something");

        let reply = app.call("/api/info", json!({"form": info_for(1)}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reg = &app.registrations().await[0];
        assert_eq!((reg.gender.as_deref(), reg.postcode.as_deref()), (Some("male"), Some("830000")));
    })
}

#[test]
fn steps_come_in_order() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("order@example.com", &resident_id(3)).await;
        let reply = app.call("/api/info", json!({"form": info_for(3)}), Some(&cookie)).await;
        assert_eq!(reply.json::<AppError>(), AppError::StepOrder { go_to: "/register/agreement".into() });
        app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&cookie)).await;
        let reply = app.call("/api/subjects", json!({"form": choice("659028", &["65"])}), Some(&cookie)).await;
        assert_eq!(reply.json::<AppError>(), AppError::StepOrder { go_to: "/register/info".into() });
        assert!(enrolment::Entity::find().all(&app.db).await.unwrap().is_empty());
    })
}

#[test]
fn subject_bypass_payloads_are_refused_and_change_nothing() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("subjects@example.com", &resident_id(5)).await;
        through_subjects(&app, &cookie, 5, "650101", &["14"]).await;
        let before = snapshot(&app).await;
        let cases: Vec<(&str, Value, Vec<&str>)> = vec![
            ("no site", choice("", &["14"]), vec!["site.required"]),
            ("a site of no session", choice("999999", &["14"]), vec!["site.unknown"]),
            ("a subject the site does not offer", choice("650101", &["65"]), vec!["subjects.not_offered"]),
            ("a made-up subject", choice("650101", &["99"]), vec!["subjects.not_offered"]),
            ("the same subject twice", choice("650101", &["14", "14"]), vec!["subjects.duplicate"]),
            ("over the site's maximum", choice("650101", &["14", "15", "24"]), vec!["subjects.too_many"]),
            ("nothing chosen", choice("650101", &[]), vec!["subjects.required"]),
            ("declaration not ticked", json!({"site": "650101", "subjects": ["14"]}), vec!["declare.not_declared"]),
        ];
        for (what, form, expected) in cases {
            let reply = app.call("/api/subjects", json!({"form": form}), Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", reply.body);
            assert_eq!(codes(&reply), expected, "{what}");
        }
        assert_eq!(snapshot(&app).await, before, "a refused call wrote something");
    })
}

#[test]
fn seats_are_claimed_returned_and_never_below_zero() {
    run(async {
        let app = spawn_app().await;
        let start = remaining(&app).await;
        let cookie = app.candidate("seats@example.com", &resident_id(7)).await;
        through_subjects(&app, &cookie, 7, "650101", &["14", "24"]).await;
        assert_eq!(remaining(&app).await, start - 2);
        // Swap one subject: one seat back, one taken; the same choice again changes nothing.
        let reply = app.call("/api/subjects", json!({"form": choice("650101", &["14", "66"])}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let reply = app.call("/api/subjects", json!({"form": choice("650101", &["14", "66"])}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(remaining(&app).await, start - 2);
        let held: Vec<String> =
            enrolment::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| e.subject_code).collect();
        assert_eq!(held.len(), 2);
        assert!(held.contains(&"14".to_string()) && held.contains(&"66".to_string()));
        // Moving site gives back everything held at the old one (rule 1: one site).
        let reply = app.call("/api/subjects", json!({"form": choice("659028", &["65"])}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(remaining(&app).await, start - 1);
        assert_eq!(app.registrations().await[0].site_code.as_deref(), Some("659028"));

        // A full subject: refused by name, nothing changed.
        let other = app.candidate("late@example.com", &resident_id(9)).await;
        let reply = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&other)).await;
        assert_eq!(reply.status, StatusCode::OK);
        app.call("/api/info", json!({"form": info_for(9)}), Some(&other)).await;
        let all = offered_subject::Entity::find().all(&app.db).await.unwrap();
        let python = all.iter().find(|o| o.subject_code == "66" && o.fee_fen == 8000 && o.capacity == 120).unwrap();
        let mut row: offered_subject::ActiveModel = python.clone().into();
        row.remaining = Set(0);
        row.update(&app.db).await.unwrap();
        let before = snapshot(&app).await;
        let reply = app.call("/api/subjects", json!({"form": choice("659028", &["66"])}), Some(&other)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        match reply.json::<AppError>() {
            AppError::Invalid(e) => {
                assert_eq!(e.iter().next().unwrap().message, "“Python语言程序设计”已无剩余名额，请选择其他科目")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(snapshot(&app).await, before);
    })
}

#[test]
fn a_locked_registration_is_read_only() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("locked@example.com", &resident_id(11)).await;
        through_subjects(&app, &cookie, 11, "659028", &["65"]).await;
        let mut row: registration::ActiveModel = app.registrations().await[0].clone().into();
        row.locked_at = Set(Some(app.clock.now()));
        row.update(&app.db).await.unwrap();
        let before = snapshot(&app).await;
        for (path, form) in [
            ("/api/info", json!({"form": info_for(11)})),
            ("/api/subjects", json!({"form": choice("659028", &["15"])})),
            ("/api/delete_registration", json!({"form": {}})),
        ] {
            let reply = app.call(path, form, Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::CONFLICT, "{path}: {}", reply.body);
            assert_eq!(reply.json::<AppError>(), AppError::Locked, "{path}");
        }
        assert_eq!(snapshot(&app).await, before);
        let page = app.get("/register/status", Some(&cookie)).await;
        assert!(page.body.contains("已锁定") && !page.body.contains("删除报名信息"), "{}", page.body);
    })
}

#[test]
fn outside_the_window_only_viewing_works() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("window@example.com", &resident_id(13)).await;
        through_subjects(&app, &cookie, 13, "659028", &["65"]).await;
        let before = snapshot(&app).await;
        // 650105 opens 30 days after seeding: not yet.
        let reply = app.call("/api/subjects", json!({"form": choice("650105", &["15"])}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
        assert!(matches!(reply.json::<AppError>(), AppError::WindowNotOpen { .. }));
        app.clock.set(app.clock.now() + Duration::days(91));
        let cookie = app.sign_in("window@example.com", crate::helpers::PASSWORD).await.session_cookie().unwrap();
        for (path, form) in [
            ("/api/info", json!({"form": info_for(13)})),
            ("/api/subjects", json!({"form": choice("659028", &["15"])})),
            ("/api/delete_registration", json!({"form": {}})),
        ] {
            let reply = app.call(path, form, Some(&cookie)).await;
            assert_eq!(reply.json::<AppError>(), AppError::WindowClosed, "{path}: {}", reply.body);
        }
        assert_eq!(snapshot(&app).await, before);
        let page = app.get("/register/status", Some(&cookie)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("只能查看"), "{}", page.body);
    })
}

#[test]
fn deleting_leaves_nothing_behind() {
    run(async {
        let app = spawn_app().await;
        let start = remaining(&app).await;
        let cookie = app.candidate("delete@example.com", &resident_id(15)).await;
        through_subjects(&app, &cookie, 15, "650101", &["14", "42"]).await;
        let reply = app.post_form("/register/delete", &[], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.location(), Some("/?notice=registration-deleted"));
        assert!(app.registrations().await.is_empty());
        assert!(enrolment::Entity::find().all(&app.db).await.unwrap().is_empty());
        assert_eq!(remaining(&app).await, start, "every seat back");
        // Twice is harmless, and a new registration can start.
        let reply = app.call("/api/delete_registration", json!({"form": {}}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
        through_subjects(&app, &cookie, 15, "650101", &["14"]).await;
    })
}

#[test]
fn no_js_subjects_confirm_before_saving() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("nojs@example.com", &resident_id(17)).await;
        let reply = app.post_form("/register/agreement", &[("accept", "yes")], Some(&cookie)).await;
        assert_eq!(reply.location(), Some("/register/info"));
        let reply =
            app.post_form("/register/info", &[("gender", "female"), ("birth_date", "1990-01-01")], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("<title>错误：个人信息采集"), "title not prefixed");
        assert!(reply.body.contains("性别与证件号码不符：证件号码表示的性别为男"), "{}", reply.body);
        assert!(reply.body.contains(r#"value="1990-01-01""#), "entered date not kept");
        let info: Vec<(String, String)> = info_for(17)
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let fields: Vec<(&str, &str)> = info.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let reply = app.post_form("/register/info", &fields, Some(&cookie)).await;
        assert_eq!(reply.location(), Some("/register/subjects"), "{}", reply.body);

        let picked = [("site", "650101"), ("subjects", "14"), ("subjects", "24"), ("declare", "yes")];
        let reply = app.post_form("/register/subjects", &picked, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert!(reply.body.contains("报考信息确认") && reply.body.contains("将打印在合格证书上"));
        assert!(reply.body.contains("(24)C语言程序设计"), "{}", reply.body);
        for hidden in
            [r#"name="site" value="650101""#, r#"name="subjects" value="24""#, r#"name="declare" value="yes""#]
        {
            assert!(reply.body.contains(hidden), "the confirmation does not carry {hidden}");
        }
        assert!(enrolment::Entity::find().all(&app.db).await.unwrap().is_empty(), "saved before 确定");

        let mut cancel = picked.to_vec();
        cancel.push(("confirmed", "no"));
        let reply = app.post_form("/register/subjects", &cancel, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(enrolment::Entity::find().all(&app.db).await.unwrap().is_empty(), "取消 saved");

        let mut confirm = picked.to_vec();
        confirm.push(("confirmed", "yes"));
        let reply = app.post_form("/register/subjects", &confirm, Some(&cookie)).await;
        assert_eq!(reply.location(), Some("/register/photo"), "{}", reply.body);
        assert_eq!(enrolment::Entity::find().all(&app.db).await.unwrap().len(), 2);

        let status = app.get("/register/status", Some(&cookie)).await;
        for text in ["报考科目采集", "已完成", "(14)计算机基础及WPS Office应用", "未支付", "自动删除", "考试通告"]
        {
            assert!(status.body.contains(text), "status page lacks {text}");
        }
        assert!(!status.body.contains(&resident_id(17)), "full number shown");
    })
}

#[test]
fn photos_are_checked_reencoded_and_shown_to_their_owner_only() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("photo@example.com", &resident_id(19)).await;
        through_subjects(&app, &cookie, 19, "659028", &["65"]).await;
        let upload = |bytes: Vec<u8>| {
            let req = http::Request::post("/api/photo")
                .header("content-type", "image/jpeg")
                .header("cookie", cookie.clone())
                .header("origin", "http://ncre.test")
                .header("host", "ncre.test")
                .body(axum::body::Body::from(bytes))
                .unwrap();
            app.send(req)
        };
        let png = b"\x89PNG\r\n\x1a\n rest of a png".to_vec();
        let reply = upload(png).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
        let reply = upload(vec![0xFF; 3 * 1024 * 1024]).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
        assert!(reply.body.contains("超过2MB"), "{}", reply.body);
        assert!(app.registrations().await[0].photo_key.is_none());

        for (file, message) in [
            ("bomb.jpg", "照片尺寸过大（60000×60000像素），宽和高都不能超过4000像素"),
            ("square.jpg", "照片宽高比例应为3:4（竖版），所选照片为480×480像素，请裁剪后重新选择"),
            ("small.jpg", "照片尺寸太小（96×128像素），应至少为144×192像素（宽×高）"),
            ("truncated.jpg", "照片文件不完整或已损坏，请重新选择文件"),
            ("fake.jpg", "所选文件是PNG图片，不是JPG格式。请用图片工具另存为JPG格式后重新选择"),
        ] {
            let reply = upload(fixture(file)).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{file}: {}", reply.body);
            match reply.json::<Result<app::views::Next, AppError>>() {
                Err(AppError::Invalid(e)) => assert_eq!(e.iter().next().unwrap().message, message, "{file}"),
                other => panic!("{file}: {other:?}"),
            }
        }
        assert!(app.registrations().await[0].photo_key.is_none());

        // EXIF with a GPS position is accepted, and what is stored carries none of it.
        let with_gps = fixture("exif-gps.jpg");
        assert!(with_gps.windows(3).any(|w| w == b"GPS"));
        let reply = upload(with_gps).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let stored = app.get_bytes("/register/photo/image", &cookie).await;
        assert!(stored.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert!(!stored.windows(3).any(|w| w == b"GPS") && !stored.windows(4).any(|w| w == b"Exif"));
        let first_key = app.registrations().await[0].photo_key.clone().unwrap();

        let good = test_photo(480, 640);
        let reply = upload(good).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let key = app.registrations().await[0].photo_key.clone().unwrap();
        assert_ne!(key, first_key, "a new photo gets a new key");
        let old = std::env::temp_dir()
            .join(format!("ncre-test-photos-{}", std::process::id()))
            .join(&first_key[..2])
            .join(format!("{first_key}.jpg"));
        assert!(!old.exists(), "the replaced photo is deleted from the store");
        let mine = app.get("/register/photo/image", Some(&cookie)).await;
        assert_eq!(mine.status, StatusCode::OK);
        let other = app.candidate("other@example.com", &resident_id(21)).await;
        assert_eq!(app.get("/register/photo/image", Some(&other)).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get("/register/photo/image", None).await.status, StatusCode::UNAUTHORIZED);
    })
}

/// A valid ID-photo-shaped JPEG: noisy pixels, so it is over the 20 KB minimum.
pub fn test_photo(width: u32, height: u32) -> Vec<u8> {
    let mut seed: u32 = 12345;
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        // Mostly smooth with a little noise: a photo's size, not a random file's.
        let n = (seed >> 28) as u8;
        image::Rgb([(x as u8).wrapping_add(n), (y as u8).wrapping_add(n), 128u8.wrapping_add(n)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).unwrap();
    assert!(out.len() > 20 * 1024 && out.len() < 200 * 1024, "{} bytes", out.len());
    out
}

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn window_edges_to_the_second() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("edges@example.com", &resident_id(23)).await;
        through_subjects(&app, &cookie, 23, "659028", &["65"]).await;
        use sea_orm::{ColumnTrait, QueryFilter};
        let offering = app::server::entity::site_offering::Entity::find()
            .filter(app::server::entity::site_offering::Column::SiteCode.eq("650105"))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        let second = Duration::seconds(1);
        let move_to = |subject: &'static str| json!({"form": choice("650105", &[subject])});
        let at = |t: chrono::DateTime<chrono::Utc>| {
            app.clock.set(t);
            async { app.sign_in("edges@example.com", crate::helpers::PASSWORD).await.session_cookie().unwrap() }
        };

        let cookie = at(offering.window_opens_at - second).await;
        let reply = app.call("/api/subjects", move_to("15"), Some(&cookie)).await;
        assert!(matches!(reply.json::<AppError>(), AppError::WindowNotOpen { .. }), "{}", reply.body);
        assert_eq!(app.registrations().await[0].site_code.as_deref(), Some("659028"));

        let cookie = at(offering.window_opens_at).await;
        let reply = app.call("/api/subjects", move_to("15"), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "at opening: {}", reply.body);
        assert_eq!(app.registrations().await[0].site_code.as_deref(), Some("650105"));

        let cookie = at(offering.window_closes_at - second).await;
        let reply = app.call("/api/subjects", move_to("65"), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "the last second: {}", reply.body);

        let cookie = at(offering.window_closes_at).await;
        let before = snapshot(&app).await;
        let reply = app.call("/api/subjects", move_to("15"), Some(&cookie)).await;
        assert_eq!(reply.json::<AppError>(), AppError::WindowClosed, "at closing: {}", reply.body);
        assert_eq!(snapshot(&app).await, before);
    })
}

#[test]
fn seats_left_can_be_polled_by_candidates() {
    run(async {
        let app = spawn_app().await;
        assert_eq!(app.api_get("/api/capacity?site=650101", None).await.status, StatusCode::UNAUTHORIZED);
        let cookie = app.candidate("poll@example.com", &resident_id(25)).await;
        let left = |reply: crate::helpers::Reply| -> i32 {
            let all: Vec<(String, i32)> = reply.json();
            all.into_iter().find(|(code, _)| code == "42").unwrap().1
        };
        let before = left(app.api_get("/api/capacity?site=650101", Some(&cookie)).await);
        through_subjects(&app, &cookie, 25, "650101", &["42"]).await;
        assert_eq!(left(app.api_get("/api/capacity?site=650101", Some(&cookie)).await), before - 1);
        let none = app.api_get("/api/capacity?site=999999", Some(&cookie)).await;
        assert_eq!(none.json::<Vec<(String, i32)>>(), Vec::<(String, i32)>::new());
    })
}

#[test]
fn the_same_submit_from_two_tabs_saves_once_and_both_succeed() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("tabs@example.com", &resident_id(26)).await;
        through_subjects(&app, &cookie, 26, "650101", &["14"]).await;
        // Both tabs send the same new set at once: one saves it, the other finds it saved.
        let form = json!({"form": choice("650101", &["14", "24"])});
        let (a, b) = tokio::join!(
            app.call("/api/subjects", form.clone(), Some(&cookie)),
            app.call("/api/subjects", form.clone(), Some(&cookie))
        );
        assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK), "{} / {}", a.body, b.body);
        let held = enrolment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(held.len(), 2);
        // Two tabs sending different sets: the one applied second was not what its candidate
        // confirmed against, and is refused with the words for it; nothing of it is saved.
        let (a, b) = tokio::join!(
            app.call("/api/subjects", json!({"form": choice("650101", &["14", "15"])}), Some(&cookie)),
            app.call("/api/subjects", json!({"form": choice("650101", &["24"])}), Some(&cookie))
        );
        let statuses = [a.status, b.status];
        let held: Vec<String> =
            enrolment::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| e.subject_code).collect();
        if statuses.iter().all(|s| *s == StatusCode::OK) {
            // They did not overlap: the later one simply applied on top.
            assert!(held == ["24"] || held.len() == 2, "{held:?}");
        } else {
            let refused = if a.status == StatusCode::OK { &b } else { &a };
            assert_eq!(codes(refused), ["subjects.changed"], "{}", refused.body);
            assert!(refused.body.contains("发生了变化"), "{}", refused.body);
        }
    })
}

#[test]
fn a_page_left_open_while_another_tab_changed_the_subjects_cannot_save_over_them() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("stale@example.com", &resident_id(27)).await;
        through_subjects(&app, &cookie, 27, "650101", &["14"]).await;
        // Tab A loads the subject page; it shows the holdings as they are now.
        let page: Value = app.api_get("/api/subjects_page", Some(&cookie)).await.json();
        let seen = page["saved"]["seen"].as_i64().expect("the page names the holdings it shows");
        let html = app.get("/register/subjects", Some(&cookie)).await;
        assert!(html.body.contains(&format!(r#"name="seen" value="{seen}""#)), "the form does not carry seen");
        // Tab B adds a subject.
        let reply = app.call("/api/subjects", json!({"form": choice("650101", &["14", "24"])}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let before = snapshot(&app).await;
        // Tab A's 确定, worked out from the old holdings, would cancel 24 unlisted: refused.
        let stale = json!({"form": {"site": "650101", "subjects": ["14", "15"], "declare": "yes", "seen": seen}});
        let reply = app.call("/api/subjects", stale, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
        assert_eq!(codes(&reply), ["subjects.changed"]);
        assert_eq!(snapshot(&app).await, before, "a stale choice changed something");
        // The same without JavaScript: the confirmation page's 确定 with the old version.
        let seen_field = seen.to_string();
        let fields = [
            ("site", "650101"),
            ("subjects", "14"),
            ("subjects", "15"),
            ("declare", "yes"),
            ("seen", seen_field.as_str()),
            ("confirmed", "yes"),
        ];
        let reply = app.post_form("/register/subjects", &fields, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
        assert!(reply.body.contains("发生了变化"), "{}", reply.body);
        assert_eq!(snapshot(&app).await, before);
        // The refusal's page carries the holdings as they are now, so a second 确定 from it
        // is worked out against them and saves.
        let now: Value = app.api_get("/api/subjects_page", Some(&cookie)).await.json();
        let fresh = now["saved"]["seen"].as_i64().unwrap();
        assert_ne!(fresh, seen);
        assert!(reply.body.contains(&format!(r#"name="seen" value="{fresh}""#)), "{}", reply.body);
        // Tab A asking for exactly what is now held is simply saved.
        let same = json!({"form": {"site": "650101", "subjects": ["14", "24"], "declare": "yes", "seen": seen}});
        assert_eq!(app.call("/api/subjects", same, Some(&cookie)).await.status, StatusCode::OK);
        let again = json!({"form": {"site": "650101", "subjects": ["14", "15"], "declare": "yes", "seen": fresh}});
        let reply = app.call("/api/subjects", again, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let mut held: Vec<String> =
            enrolment::Entity::find().all(&app.db).await.unwrap().into_iter().map(|e| e.subject_code).collect();
        held.sort();
        assert_eq!(held, ["14", "15"]);
    })
}
