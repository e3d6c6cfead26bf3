//! Sessions end after 30 idle minutes or 12 hours, whatever the browser still holds; the
//! candidate's registration stays with the pass.

use crate::helpers::{run, spawn_app, PASSWORD};
use app::views::AppError;
use chrono::Duration;
use http::StatusCode;
use serde_json::json;

fn identity() -> serde_json::Value {
    json!({"form": crate::journey::info_for(1)})
}

#[test]
fn an_idle_session_ends_and_the_draft_waits_for_the_next_sign_in() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.accept_agreement().await;
        app.clock.set(app.clock.now() + Duration::minutes(29));
        let reply = app.call("/api/info", identity(), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "29 idle minutes are within the limit: {}", reply.body);

        app.clock.set(app.clock.now() + Duration::minutes(30));
        let reply = app.call("/api/info", identity(), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "the session should have ended: {}", reply.body);
        assert_eq!(reply.json::<AppError>(), AppError::SignInRequired);
        let drafts = app.registrations().await;
        assert_eq!(drafts.len(), 1, "the draft belongs to the pass, not the session");

        let cookie = app.sign_in("agree@example.com", PASSWORD).await.session_cookie().unwrap();
        let reply = app.call("/api/info", identity(), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    })
}

#[test]
fn a_busy_session_still_ends_after_twelve_hours() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.accept_agreement().await;
        // Active every 20 minutes for 11 h 40 min: still alive.
        for _ in 0..35 {
            app.clock.set(app.clock.now() + Duration::minutes(20));
            let reply = app.get("/", Some(&cookie)).await;
            assert!(reply.body.contains("已开始报名"), "session lost too early");
        }
        app.clock.set(app.clock.now() + Duration::minutes(20));
        let reply = app.get("/", Some(&cookie)).await;
        assert!(reply.body.contains("报名前请先登录通行证"), "a 12-hour-old session must end");
    })
}
