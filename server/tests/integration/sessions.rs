//! Sessions end after 30 idle minutes or 12 hours, whatever the browser still holds.

use crate::helpers::{run, spawn_app};
use chrono::Duration;
use http::StatusCode;
use serde_json::json;

fn identity() -> serde_json::Value {
    json!({"form": {"doc_type": "resident_id", "doc_number": "11010519491231002X", "name": "张三"}})
}

#[test]
fn an_idle_session_ends_and_its_draft_with_it() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.accept_agreement().await;
        app.clock.set(app.clock.now() + Duration::minutes(29));
        let reply = app.call("/api/identity", identity(), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "29 idle minutes are within the limit: {}", reply.body);

        app.clock.set(app.clock.now() + Duration::minutes(30));
        let reply = app.call("/api/identity", identity(), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT, "the session should have ended: {}", reply.body);
        assert!(app.registrations().await.is_empty(), "an ended anonymous session keeps no draft");
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
            assert!(reply.body.contains("已接受报名协议"), "session lost too early");
        }
        app.clock.set(app.clock.now() + Duration::minutes(20));
        let reply = app.get("/", Some(&cookie)).await;
        assert!(reply.body.contains("未报名"), "a 12-hour-old session must end");
    })
}
