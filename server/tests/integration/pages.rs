//! Pages render fully on the server (the JS-off experience) with the seeded data.

use crate::helpers::{resident_id, run, spawn_app};
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
            "报名前请先登录通行证",
        ] {
            assert!(reply.body.contains(text), "home page lacks {text}");
        }
        assert!(reply.headers.get("x-request-id").is_some());
        assert_eq!(reply.headers.get("x-content-type-options").unwrap(), "nosniff");
        let cookie = app.candidate("home@example.com", &crate::helpers::resident_id(3)).await;
        let reply = app.get("/", Some(&cookie)).await;
        assert!(reply.body.contains(">开始报名<"), "a verified candidate may start");
        assert!(reply.body.contains("1101**********"), "pass info with the masked number");
    })
}

#[test]
fn home_before_the_window_says_when_it_opens() {
    run(async {
        let app = spawn_app().await;
        app.clock.set(app.clock.now() - chrono::Duration::days(3));
        let reply = app.get("/", None).await;
        assert!(reply.body.contains("网上报名尚未开始，将于"), "{}", reply.body);
        assert!(!reply.body.contains(">开始报名<"));
    })
}

#[test]
fn agreement_without_the_box_is_refused() {
    run(async {
        let app = spawn_app().await;
        // Signed out: refused, and the page says to sign in (the form is not shown).
        let reply = app.post_form("/register/agreement", &[], None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("请先登录通行证"), "{}", reply.body);
        assert!(app.registrations().await.is_empty());
        let reply = app.call("/api/agreement", serde_json::json!({"form": {"accept": "no"}}), None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.session_cookie().is_none(), "a refused step must not start a session");
        assert!(app.registrations().await.is_empty());
        // Signed in: the same page again, the message in the summary and beside the box.
        let cookie = app.candidate("agree@example.com", &resident_id(41)).await;
        let reply = app.post_form("/register/agreement", &[], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let message = "请阅读报名协议，并勾选“我已阅读并接受”后再继续";
        assert!(reply.body.contains(&format!("rel=\"external\">{message}</a>")), "in the summary: {}", reply.body);
        assert!(reply.body.contains(&format!("错误：</span>{message}</p>")), "beside the box: {}", reply.body);
        assert!(reply.body.contains("<title>错误：报名协议 - NCRE考试报名系统</title>"), "{}", reply.body);
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

#[test]
fn pages_carry_a_csp_with_their_script_nonce() {
    run(async {
        let app = spawn_app().await;
        let reply = app.get("/", None).await;
        let csp = reply.headers.get("content-security-policy").unwrap().to_str().unwrap().to_owned();
        assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).unwrap();
        assert!(reply.body.contains(&format!("nonce=\"{nonce}\"")), "inline scripts lack the CSP nonce");
        assert!(!csp.contains("unsafe-inline"));
        let api = app.get("/api/home", None).await;
        assert_eq!(api.headers.get("content-security-policy").unwrap(), server::security::DEFAULT_CSP);
    })
}

#[test]
fn cross_site_posts_are_refused_and_change_nothing() {
    run(async {
        let app = spawn_app().await;
        let cross = [("origin", "https://evil.example"), ("host", "127.0.0.1:3000")];
        let reply = app.post_form_with("/register/agreement", &[("accept", "yes")], &cross).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert!(reply.body.contains("请求被拒绝"));
        let reply =
            app.post_form_with("/register/agreement", &[("accept", "yes")], &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert!(reply.session_cookie().is_none());
        assert!(app.registrations().await.is_empty());

        let cookie = app.candidate("csrf@example.com", &crate::helpers::resident_id(4)).await;
        let reply = app
            .post_form_with("/register/agreement", &[("accept", "yes")], &[("cookie", &cookie), cross[0], cross[1]])
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "signed in, still cross-site");
        assert!(app.registrations().await.is_empty());
        let same = [
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
            ("cookie", &cookie),
        ];
        let reply = app.post_form_with("/register/agreement", &[("accept", "yes")], &same).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(app.registrations().await.len(), 1);
    })
}

/// Many pages rendered at once on the runtime's worker threads all come out whole. A render
/// task may resume on another thread; this once panicked twice over (a thread-local signal
/// on the photo page dropped elsewhere, and the error title read after the render's
/// reactive arena was left), and the candidate got no page at all.
#[test]
fn pages_rendered_at_once_on_many_threads_come_out_whole() {
    run(async {
        let app = std::sync::Arc::new(spawn_app().await);
        let cookie = app.candidate("many@example.com", &crate::helpers::resident_id(23)).await;
        crate::journey::through_subjects(&app, &cookie, 23, "659028", &["65"]).await;
        let mut tasks = tokio::task::JoinSet::new();
        for i in 0..240u32 {
            let (app, cookie) = (app.clone(), cookie.clone());
            tasks.spawn(async move {
                if i % 2 == 0 {
                    let reply = app.get("/register/photo", Some(&cookie)).await;
                    assert_eq!(reply.status, StatusCode::OK);
                    assert!(reply.body.contains("<title>照片信息采集"), "{}", reply.body);
                } else {
                    // A refused no-JS sign-up, each from its own address (rate limits).
                    let req = http::Request::post("/pass/sign-up")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("accept", "text/html")
                        .body(axum::body::Body::from("email=&password="))
                        .unwrap();
                    let reply = app.send_from(&format!("192.0.2.{}", i / 2), req).await;
                    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
                    assert!(reply.body.contains("<title>错误："), "{}", reply.body);
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("every page rendered without a panic");
        }
    })
}
