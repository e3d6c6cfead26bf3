//! The access matrix: candidate A calls every server function while B has a pass and a
//! registration with information and a subject. A sees and changes only A's own data; B's
//! rows are the same afterwards, byte for byte. Without a session every registration and
//! pass function is refused.

use crate::helpers::{resident_id, run, spawn_app, Reply};
use app::server::entity::{pass, registration};
use app::views::AppError;
use http::StatusCode;
use sea_orm::EntityTrait;
use serde_json::json;

/// Every server function the app registers, with a body aimed at B's data where it takes one.
fn server_functions(b_number: &str) -> Vec<(&'static str, Option<serde_json::Value>)> {
    vec![
        ("/api/home", None),
        ("/api/me", None),
        ("/api/rule_context", None),
        ("/api/pass_page", None),
        ("/api/info_page", None),
        ("/api/subjects_page", None),
        ("/api/photo_page", None),
        ("/api/status_page", None),
        ("/api/agreement", Some(json!({"form": {"accept": "yes"}}))),
        ("/api/info", Some(json!({"form": crate::journey::info_for(32)}))),
        ("/api/subjects", Some(json!({"form": {"site": "659028", "subjects": ["65"], "declare": "yes"}}))),
        ("/api/delete_registration", Some(json!({"form": {}}))),
        ("/api/edit_pass", Some(json!({"form": {"doc_type": "resident_id", "doc_number": b_number, "name": "李四"}}))),
        ("/api/sign_in", Some(json!({"form": {"login": "b@example.com", "password": "guess-guess"}}))),
        (
            "/api/sign_up",
            Some(json!({"form": {"email": "b@example.com", "doc_type": "resident_id",
            "doc_number": b_number, "name": "李四", "password": "Another-pass-2025", "password2": "Another-pass-2025"}})),
        ),
        ("/api/request_reset", Some(json!({"form": {"email": "b@example.com"}}))),
        ("/api/reset_password", Some(json!({"form": {"token": "00".repeat(32), "password": "x", "password2": "x"}}))),
        ("/api/verify_email", Some(json!({"form": {"token": "00".repeat(32)}}))),
    ]
}

async fn hit(
    app: &crate::helpers::TestApp,
    path: &str,
    body: &Option<serde_json::Value>,
    cookie: Option<&str>,
) -> Reply {
    match body {
        Some(b) => app.call(path, b.clone(), cookie).await,
        None => app.api_get(path, cookie).await,
    }
}

#[test]
fn candidate_a_never_reaches_candidate_b() {
    run(async {
        let app = spawn_app().await;
        let (a_number, b_number) = (resident_id(31), resident_id(32));
        let a = app.candidate("a@example.com", &a_number).await;
        let b = app.candidate("b@example.com", &b_number).await;
        app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&b)).await;
        crate::journey::through_subjects(&app, &b, 32, "659028", &["65"]).await;

        let b_pass = |all: Vec<pass::Model>| all.into_iter().find(|p| p.email_key == "b@example.com").unwrap();
        let b_regs =
            |all: Vec<registration::Model>, id: i32| all.into_iter().filter(|r| r.pass_id == id).collect::<Vec<_>>();
        let pass_before = b_pass(pass::Entity::find().all(&app.db).await.unwrap());
        let regs_before = b_regs(app.registrations().await, pass_before.id);
        let b_masked = app::domain::document::mask(&b_number);

        for (path, body) in server_functions(&b_number) {
            let reply = hit(&app, path, &body, Some(&a)).await;
            assert!(!reply.body.contains(&b_number), "{path} leaked B's number");
            assert!(!reply.body.contains(&b_masked), "{path} showed B's masked number");
            assert!(!reply.body.contains(&pass_before.neea_id), "{path} showed B's NEEA id");
            assert_ne!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}: {}", reply.body);
        }
        let pass_after = b_pass(pass::Entity::find().all(&app.db).await.unwrap());
        assert_eq!(pass_after, pass_before, "B's pass changed");
        assert_eq!(b_regs(app.registrations().await, pass_before.id), regs_before, "B's registration changed");

        // A's own calls acted on A's draft only (A deleted it again at the end of the list).
        let enrolments = app::server::entity::enrolment::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(enrolments.len(), 1, "B's subject is still B's alone");
        // B's sessions still work.
        assert_eq!(app.api_get("/api/pass_page", Some(&b)).await.status, StatusCode::OK);
    })
}

#[test]
fn without_a_session_registration_and_pass_functions_are_refused() {
    run(async {
        let app = spawn_app().await;
        app.candidate("b@example.com", &resident_id(33)).await;
        let public =
            ["/api/home", "/api/me", "/api/rule_context", "/api/sign_in", "/api/sign_up", "/api/request_reset"];
        for (path, body) in server_functions(&resident_id(33)) {
            let reply = hit(&app, path, &body, None).await;
            if public.contains(&path) {
                assert_ne!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
                continue;
            }
            if path.contains("reset_password") || path.contains("verify_email") {
                assert_eq!(reply.status, StatusCode::GONE, "{path}: a made-up token");
                continue;
            }
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}: {}", reply.body);
            assert_eq!(reply.json::<AppError>(), AppError::SignInRequired);
        }
        // A forged cookie of the right shape is no session either.
        let forged = format!("ncre_sid={}", "ab".repeat(32));
        assert_eq!(app.api_get("/api/pass_page", Some(&forged)).await.status, StatusCode::UNAUTHORIZED);
        assert!(app.registrations().await.is_empty());
    })
}
