//! The identity step through its server function (bypassing the browser) and through the
//! no-JS form post: invalid data is refused with typed field errors and writes nothing.

use crate::helpers::{run, spawn_app, TestApp};
use app::api::AppError;
use http::StatusCode;
use serde_json::json;

const VALID_ID: &str = "11010519491231002X";

async fn call_identity(app: &TestApp, form: serde_json::Value, cookie: Option<&str>) -> crate::helpers::Reply {
    app.call("/api/identity", json!({ "form": form }), cookie).await
}

fn codes(err: &AppError) -> Vec<String> {
    match err {
        AppError::Invalid(e) => e.iter().map(|e| e.code.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn bypass_payloads_are_refused_with_field_errors_and_write_nothing() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.accept_agreement().await;
        let before = app.registrations().await;

        let cases: Vec<(&str, serde_json::Value, Vec<&str>)> = vec![
            (
                "all empty",
                json!({"doc_type": "", "doc_number": "", "name": ""}),
                vec!["doc_type.required", "name.required"],
            ),
            (
                "unknown document type",
                json!({"doc_type": "library_card", "doc_number": VALID_ID, "name": "张三"}),
                vec!["doc_type.required"],
            ),
            (
                "wrong check digit",
                json!({"doc_type": "resident_id", "doc_number": "110105194912310021", "name": "张三"}),
                vec!["doc_number.checksum"],
            ),
            (
                "impossible date",
                json!({"doc_type": "resident_id", "doc_number": "110105194902300023", "name": "张三"}),
                vec!["doc_number.birth_date"],
            ),
            (
                "too short",
                json!({"doc_type": "resident_id", "doc_number": "11010519491231", "name": "张三"}),
                vec!["doc_number.length"],
            ),
            (
                "letters inside",
                json!({"doc_type": "resident_id", "doc_number": "1101051949A231002X", "name": "张三"}),
                vec!["doc_number.characters"],
            ),
            (
                "unknown province",
                json!({"doc_type": "resident_id", "doc_number": "990105194912310025", "name": "张三"}),
                vec!["doc_number.region"],
            ),
            (
                "passport number with a dot",
                json!({"doc_type": "passport", "doc_number": "E12·345", "name": "ZHANG SAN"}),
                vec!["doc_number.characters"],
            ),
            (
                "old ID number where the site takes only 18 digits",
                json!({"doc_type": "resident_id_15", "doc_number": "110105491231002", "name": "张三"}),
                vec!["doc_type.not_allowed"],
            ),
            (
                "latin name",
                json!({"doc_type": "resident_id", "doc_number": VALID_ID, "name": "Zhang San"}),
                vec!["name.latin_not_allowed"],
            ),
            (
                "leading dot",
                json!({"doc_type": "resident_id", "doc_number": VALID_ID, "name": "·艾力"}),
                vec!["name.edge_dot"],
            ),
            (
                "doubled dot",
                json!({"doc_type": "resident_id", "doc_number": VALID_ID, "name": "买买提··艾力"}),
                vec!["name.doubled_dot"],
            ),
            (
                "script in name",
                json!({"doc_type": "resident_id", "doc_number": VALID_ID, "name": "<script>"}),
                vec!["name.character"],
            ),
            (
                "huge name",
                json!({"doc_type": "resident_id", "doc_number": VALID_ID, "name": "张".repeat(10_000)}),
                vec!["name.too_long"],
            ),
        ];
        for (what, form, want) in cases {
            let reply = call_identity(&app, form, Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", reply.body);
            assert_eq!(codes(&reply.json::<AppError>()), want, "{what}");
        }
        assert_eq!(app.registrations().await, before, "a refused submission changed the database");
    })
}

#[test]
fn malformed_bodies_are_refused_without_a_write() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.accept_agreement().await;
        let before = app.registrations().await;
        for body in [json!({}), json!({"form": "x"}), json!({"form": {"doc_number": 5}}), json!([1, 2])] {
            let reply = app.call("/api/identity", body.clone(), Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}: {}", reply.body);
            assert_eq!(reply.json::<AppError>(), AppError::BadRequest);
        }
        assert_eq!(app.registrations().await, before);
    })
}

#[test]
fn a_valid_identity_is_normalised_and_saved() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.accept_agreement().await;
        let form = json!({"doc_type": "resident_id", "doc_number": "１１０１０５ １９４９１２３１００２ｘ", "name": "买买提．艾力"});
        let reply = call_identity(&app, form, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json::<app::api::Next>().url, "/register/summary");

        let rows = app.registrations().await;
        assert_eq!(rows.len(), 1);
        // Sealed at rest, with a keyed hash to find it by; opened it is the normalised number.
        let sealed = rows[0].doc_number.as_deref().unwrap();
        assert!(sealed.starts_with("v1:") && !sealed.contains(VALID_ID), "stored in clear: {sealed}");
        assert_eq!(rows[0].doc_number_hash.as_deref().map(str::len), Some(64));
        assert_eq!(app.open_doc_number(sealed), VALID_ID);
        assert_eq!(rows[0].name.as_deref(), Some("买买提·艾力"));
        let notes = rows[0].identity_notes.as_deref().unwrap();
        for change in ["fullwidth_to_ascii", "spaces_removed", "uppercased_x", "dot_unified"] {
            assert!(notes.contains(change), "{change} missing from {notes}");
        }

        let summary = app.get("/register/summary", Some(&cookie)).await;
        assert!(summary.body.contains("1101**********002X"), "masked number missing");
        assert!(!summary.body.contains(VALID_ID), "full number shown on the summary page");
        assert!(summary.body.contains("1949年12月31日") && summary.body.contains("女"));
    })
}

#[test]
fn identity_before_the_agreement_is_refused() {
    run(async {
        let app = spawn_app().await;
        let form = json!({"doc_type": "resident_id", "doc_number": VALID_ID, "name": "张三"});
        let reply = call_identity(&app, form.clone(), None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "anonymous: {}", reply.body);
        let cookie = app.candidate("early@example.com", &crate::helpers::resident_id(7)).await;
        let reply = call_identity(&app, form, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert_eq!(reply.json::<AppError>(), AppError::StepOrder { go_to: "/register/agreement".into() });
        assert!(app.registrations().await.is_empty());
    })
}

#[test]
fn nothing_changes_outside_the_window() {
    run(async {
        let app = spawn_app().await;
        app.accept_agreement().await;
        app.clock.set(app.clock.now() + chrono::Duration::days(200));
        let cookie = app.sign_in("agree@example.com", crate::helpers::PASSWORD).await.session_cookie().unwrap();
        let before = app.registrations().await;
        let form = json!({"doc_type": "resident_id", "doc_number": VALID_ID, "name": "张三"});
        let reply = call_identity(&app, form, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert_eq!(reply.json::<AppError>(), AppError::WindowClosed);
        assert_eq!(app.registrations().await, before);
    })
}

#[test]
fn no_js_post_rerenders_the_page_with_errors_and_values() {
    run(async {
        let app = spawn_app().await;
        let reply = app.post_form("/register/agreement", &[("accept", "yes")], None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), Some("/pass/sign-in?notice=sign-in-required"), "anonymous");
        let cookie = app.candidate("nojs@example.com", &crate::helpers::resident_id(8)).await;
        let reply = app.post_form("/register/agreement", &[("accept", "yes")], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), Some("/register/identity"));

        let reply = app
            .post_form(
                "/register/identity",
                &[("doc_type", "resident_id"), ("doc_number", "110105194912310021"), ("name", "张三")],
                Some(&cookie),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("证件号码最后一位校验码与前17位不符，请逐位核对"), "{}", reply.body);
        assert!(reply.body.contains("<title>错误：证件信息采集"), "title not prefixed");
        assert!(reply.body.contains(r#"value="110105194912310021""#), "entered number not kept");
        assert!(reply.body.contains(r##"href="#doc_number""##), "summary does not link to the field");
        assert!(app.registrations().await[0].doc_number.is_none());

        let reply = app
            .post_form(
                "/register/identity",
                &[("doc_type", "resident_id"), ("doc_number", VALID_ID), ("name", "张三")],
                Some(&cookie),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), Some("/register/summary"));
        assert_eq!(app.open_doc_number(app.registrations().await[0].doc_number.as_deref().unwrap()), VALID_ID);
    })
}
