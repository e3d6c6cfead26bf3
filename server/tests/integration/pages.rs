//! Pages render fully on the server (the JS-off experience) with the seeded data.

use crate::helpers::{run, spawn_app};
use http::StatusCode;

#[test]
fn home_shows_session_province_site_and_start_button() {
    run(async {
        let app = spawn_app().await;
        let reply = app.get("/", None).await;
        assert_eq!(reply.status, StatusCode::OK);
        for text in [
            "欢迎使用NCRE考试报名系统",
            "第75次 2025年03月全国计算机等级考试",
            "(65)新疆维吾尔自治区",
            "(659028)新疆应用职业技术学院",
            "开始报名",
        ] {
            assert!(reply.body.contains(text), "home page lacks {text}");
        }
        assert!(reply.headers.get("x-request-id").is_some());
        assert_eq!(reply.headers.get("x-content-type-options").unwrap(), "nosniff");
    })
}

#[test]
fn home_before_the_window_says_when_it_opens() {
    run(async {
        let app = spawn_app().await;
        app.clock.set(app.clock.now() - chrono::Duration::days(3));
        let reply = app.get("/", None).await;
        assert!(reply.body.contains("本考点网上报名尚未开始"), "{}", reply.body);
        assert!(!reply.body.contains(">开始报名<"));
    })
}

#[test]
fn agreement_without_the_box_is_refused() {
    run(async {
        let app = spawn_app().await;
        let reply = app.post_form("/register/agreement", &[], None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("请阅读报名协议，并勾选“我已阅读并接受”后再继续"));
        assert!(app.registrations().await.is_empty());
        let reply = app.call("/api/agreement", serde_json::json!({"form": {"accept": "no"}}), None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.session_cookie().is_none(), "a refused step must not start a session");
        assert!(app.registrations().await.is_empty());
    })
}

#[test]
fn unknown_pages_are_404() {
    run(async {
        let app = spawn_app().await;
        let reply = app.get("/no/such/page", None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert!(reply.body.contains("页面不存在"));
    })
}
