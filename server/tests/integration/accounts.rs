//! Pass accounts end to end through the router, with mail going over real SMTP to the
//! in-process catcher: sign-up, verification, sign-in and sign-out, reset, editing the pass,
//! token and session expiry, rate limits.

use crate::helpers::{resident_id, run, spawn_app, token_in, TestApp, PASSWORD};
use app::server::entity::{pass, registration, web_session};
use app::views::{AppError, Next};
use chrono::Duration;
use http::header::{RETRY_AFTER, SET_COOKIE};
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};
use serde_json::json;

async fn passes(app: &TestApp) -> Vec<pass::Model> {
    pass::Entity::find().all(&app.db).await.unwrap()
}

async fn sessions(app: &TestApp) -> u64 {
    web_session::Entity::find().count(&app.db).await.unwrap()
}

fn codes(reply: &crate::helpers::Reply) -> Vec<String> {
    match reply.json::<AppError>() {
        AppError::Invalid(e) => e.iter().map(|e| e.code.clone()).collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

#[test]
fn sign_up_mail_verify_then_sign_in() {
    run(async {
        let app = spawn_app().await;
        let id = resident_id(11);
        let reply = app.sign_up("Li.Si@Example.com", &id, "李四").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json::<Next>().url, "/pass/sign-in?notice=sign-up-sent");
        assert!(reply.session_cookie().is_none(), "sign-up does not sign in");

        let rows = passes(&app).await;
        assert_eq!(rows.len(), 1);
        let p = &rows[0];
        assert_eq!(p.email_key, "li.si@example.com");
        assert!(p.email_verified_at.is_none());
        assert!(p.password_hash.starts_with("$argon2id$") && !p.password_hash.contains(PASSWORD));
        assert!(p.doc_number.starts_with("v1:") && !p.doc_number.contains(&id), "document stored in clear");
        assert_eq!(p.neea_id.len(), 32);
        assert!(p.neea_id.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()), "{}", p.neea_id);

        // Signed in but unverified: the pass works, registering waits.
        let cookie = app.sign_in("li.si@example.com", PASSWORD).await.session_cookie().unwrap();
        let reply = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.json::<AppError>(), AppError::Unverified);

        let mail = app.mail("Li.Si@Example.com", "请验证您的电子邮箱").await;
        assert!(mail.text.contains("李四，您好"), "{}", mail.text);
        assert!(mail.text.contains("http://ncre.test/pass/verify?token="), "{}", mail.text);
        let token = token_in(&mail, "/pass/verify");
        let page = app.get(&format!("/pass/verify?token={token}"), None).await;
        assert!(page.body.contains("验证我的邮箱"), "GET only shows the button");
        assert!(passes(&app).await[0].email_verified_at.is_none(), "a GET (mail scanner) verifies nothing");

        let reply = app.post_form("/pass/verify", &[("token", &token)], None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(reply.location(), Some("/pass/sign-in?notice=verified"));
        assert!(passes(&app).await[0].email_verified_at.is_some());
        let again = app.call("/api/verify_email", json!({"form": {"token": token}}), None).await;
        assert_eq!(again.status, StatusCode::GONE, "single use");

        let reply = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        // Sign-in by document number works as well (lower-case x, spaces: normalised).
        let spaced = format!("{} {}", &id[..6], id[6..].to_lowercase());
        assert_eq!(app.sign_in(&spaced, PASSWORD).await.status, StatusCode::OK);
    })
}

#[test]
fn a_wrong_password_and_an_unknown_account_get_the_same_answer() {
    run(async {
        let app = spawn_app().await;
        app.candidate("known@example.com", &resident_id(12)).await;
        let wrong = app.sign_in("known@example.com", "not-the-password").await;
        let unknown = app.sign_in("nobody@example.com", "not-the-password").await;
        let wrong_doc = app.sign_in(&resident_id(12), "not-the-password").await;
        let unknown_doc = app.sign_in(&resident_id(13), "not-the-password").await;
        for r in [&wrong, &unknown, &wrong_doc, &unknown_doc] {
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(r.body, wrong.body, "bodies differ");
            assert!(r.headers.get(SET_COOKIE).is_none());
        }
        assert!(wrong.body.contains("电子邮箱/证件号码或密码不正确"));

        // Without JavaScript: the same page for both, the password not echoed back.
        let a =
            app.post_form("/pass/sign-in", &[("login", "known@example.com"), ("password", "nope-nope")], None).await;
        let b =
            app.post_form("/pass/sign-in", &[("login", "known@example.com"), ("password", "nope-nope")], None).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.body.contains("电子邮箱/证件号码或密码不正确") && !a.body.contains("nope-nope"));
        assert_eq!(strip_nonces(&a.body), strip_nonces(&b.body));
    })
}

/// The page's main content (the head differs by its per-response nonce).
fn strip_nonces(html: &str) -> String {
    let start = html.find("<main").unwrap_or(0);
    let end = html.find("</main>").unwrap_or(html.len());
    html[start..end].to_owned()
}

#[test]
fn sign_in_starts_a_new_session_and_sign_out_ends_it_on_the_server() {
    run(async {
        let app = spawn_app().await;
        let first = app.candidate("rotate@example.com", &resident_id(14)).await;
        // Signing in again from the same browser replaces its session token.
        let reply = app
            .call("/api/sign_in", json!({"form": {"login": "rotate@example.com", "password": PASSWORD}}), Some(&first))
            .await;
        let second = reply.session_cookie().unwrap();
        assert_ne!(first, second);
        assert_eq!(app.api_get("/api/pass_page", Some(&first)).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.api_get("/api/pass_page", Some(&second)).await.status, StatusCode::OK);
        assert_eq!(sessions(&app).await, 1, "the old session row is gone");

        let reply = app.post_form("/pass/sign-out", &[], Some(&second)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert_eq!(reply.location(), Some("/?notice=signed-out"));
        let cleared = reply.headers.get(SET_COOKIE).unwrap().to_str().unwrap();
        assert!(cleared.starts_with("ncre_sid=;") && cleared.contains("Max-Age=0"), "{cleared}");
        assert_eq!(sessions(&app).await, 0);
        assert_eq!(app.api_get("/api/pass_page", Some(&second)).await.status, StatusCode::UNAUTHORIZED);
    })
}

#[test]
fn password_reset_by_mailed_token_ends_every_session() {
    run(async {
        let app = spawn_app().await;
        let phone = app.candidate("reset@example.com", &resident_id(15)).await;
        let laptop = app.sign_in("reset@example.com", PASSWORD).await.session_cookie().unwrap();

        let known = app.call("/api/request_reset", json!({"form": {"email": "reset@example.com"}}), None).await;
        let unknown = app.call("/api/request_reset", json!({"form": {"email": "ghost@example.com"}}), None).await;
        assert_eq!((known.status, &known.body), (unknown.status, &unknown.body), "no enumeration");
        let token = token_in(&app.mail("reset@example.com", "重新设置密码").await, "/pass/reset/new");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(app.inbox.messages(Some("ghost@example.com")).is_empty());

        // The new password is judged by the same rule, with what only the server knows.
        let same_as_email =
            json!({"form": {"token": token, "password": "reset@example.com", "password2": "reset@example.com"}});
        let reply = app.call("/api/reset_password", same_as_email, None).await;
        assert_eq!(codes(&reply), ["password.personal"]);

        let new = "新的密码-2025-reset";
        let form = json!({"form": {"token": token, "password": new, "password2": new}});
        let reply = app.call("/api/reset_password", form.clone(), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.json::<Next>().url, "/pass/sign-in?notice=password-reset");
        for cookie in [&phone, &laptop] {
            assert_eq!(app.api_get("/api/pass_page", Some(cookie)).await.status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(app.call("/api/reset_password", form, None).await.status, StatusCode::GONE, "single use");
        assert_eq!(app.sign_in("reset@example.com", PASSWORD).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.sign_in("reset@example.com", new).await.status, StatusCode::OK);
    })
}

#[test]
fn mailed_tokens_expire() {
    run(async {
        let app = spawn_app().await;
        app.sign_up("late@example.com", &resident_id(16), "张三").await;
        let verify = token_in(&app.mail("late@example.com", "验证").await, "/pass/verify");
        app.call("/api/request_reset", json!({"form": {"email": "late@example.com"}}), None).await;
        let reset = token_in(&app.mail("late@example.com", "重新设置密码").await, "/pass/reset/new");

        app.clock.set(app.clock.now() + Duration::minutes(31));
        let form =
            json!({"form": {"token": reset, "password": "新的密码-2025-late", "password2": "新的密码-2025-late"}});
        let reply = app.call("/api/reset_password", form, None).await;
        assert_eq!(reply.status, StatusCode::GONE, "a reset link lasts 30 minutes");
        assert_eq!(reply.json::<AppError>(), AppError::TokenInvalid);

        app.clock.set(app.clock.now() + Duration::hours(24));
        let reply = app.call("/api/verify_email", json!({"form": {"token": verify}}), None).await;
        assert_eq!(reply.status, StatusCode::GONE, "a verification link lasts 24 hours");
        assert!(passes(&app).await[0].email_verified_at.is_none());
        let reply = app.post_form("/pass/verify", &[("token", "not-a-token")], None).await;
        assert_eq!(reply.status, StatusCode::GONE);
        assert!(reply.body.contains("这个链接无效、已经用过或已经过期"), "{}", reply.body);
    })
}

#[test]
fn one_pass_per_address_and_per_document_without_telling_strangers() {
    run(async {
        let app = spawn_app().await;
        let first = app.sign_up("owner@example.com", &resident_id(17), "张三").await;
        app.mail("owner@example.com", "验证").await;
        // Same address (other case), other document: same answer; the owner is told by mail.
        let again = app.sign_up("OWNER@example.com", &resident_id(18), "李四").await;
        assert_eq!((again.status, &again.body), (first.status, &first.body));
        app.mail("owner@example.com", "本邮箱已注册通行证").await;
        // Same document, other address: same answer; the new address learns where the pass is.
        let doc = app.sign_up("second@example.com", &resident_id(17), "张三").await;
        assert_eq!((doc.status, &doc.body), (first.status, &first.body));
        let mail = app.mail("second@example.com", "证件已注册通行证").await;
        assert!(mail.text.contains("o***@example.com"), "{}", mail.text);
        assert_eq!(passes(&app).await.len(), 1);
    })
}

#[test]
fn the_pass_is_edited_only_while_nothing_is_locked() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("edit@example.com", &resident_id(19)).await;
        app.candidate("other@example.com", &resident_id(20)).await;

        let page = app.get("/pass", Some(&cookie)).await;
        assert!(page.body.contains("1101**********") && !page.body.contains(&resident_id(19)), "masked only");

        let edit = |number: String, name: &str| json!({"form": {"doc_type": "resident_id", "doc_number": number, "name": name}});
        let reply = app.call("/api/edit_pass", edit(resident_id(20), "张三"), Some(&cookie)).await;
        assert_eq!(codes(&reply), ["doc_number.taken"]);
        let reply = app.call("/api/edit_pass", edit("110105199001010210".into(), "张三"), Some(&cookie)).await;
        assert_eq!(codes(&reply), ["doc_number.checksum"], "the shared rule runs first");

        let reply = app.call("/api/edit_pass", edit(resident_id(21), "王五"), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let me = passes(&app).await.into_iter().find(|p| p.email_key == "edit@example.com").unwrap();
        assert_eq!(me.name, "王五");
        assert_eq!(app.sign_in(&resident_id(21), PASSWORD).await.status, StatusCode::OK, "found by its new number");

        // Lock a registration (payment started, issue 7): the identity is read-only now.
        app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&cookie)).await;
        let reg = app.registrations().await.into_iter().find(|r| r.pass_id == me.id).unwrap();
        let mut row: registration::ActiveModel = reg.into();
        row.locked_at = Set(Some(app.clock.now()));
        row.update(&app.db).await.unwrap();
        let before = passes(&app).await;
        let reply = app.call("/api/edit_pass", edit(resident_id(22), "赵六"), Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert_eq!(reply.json::<AppError>(), AppError::Locked);
        let reply = app
            .post_form(
                "/pass",
                &[("doc_type", "resident_id"), ("doc_number", &resident_id(22)), ("name", "赵六")],
                Some(&cookie),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CONFLICT);
        assert!(reply.body.contains("报名信息已锁定"), "{}", reply.body);
        assert_eq!(passes(&app).await, before, "nothing changed");
    })
}

#[test]
fn sign_in_attempts_are_limited_per_account_with_retry_after() {
    run(async {
        let app = spawn_app().await;
        app.candidate("target@example.com", &resident_id(23)).await;
        for i in 0..9 {
            let r = app.sign_in("target@example.com", "guess-guess").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {i}");
        }
        let r = app.sign_in("target@example.com", "guess-guess").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the 11th attempt (one was the real sign-in)");
        let retry: u64 = r.headers.get(RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
        assert!((1..=180).contains(&retry), "{retry}");
        assert!(matches!(r.json::<AppError>(), AppError::RateLimited { .. }));
        // Even the right password waits: the limit is on attempts, not failures.
        assert_eq!(app.sign_in("target@example.com", PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);

        let page = app.post_form("/pass/sign-in", &[("login", "target@example.com"), ("password", "x")], None).await;
        assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(page.headers.get(RETRY_AFTER).is_some());
        assert!(page.body.contains("尝试次数过多，为保护您的账号，请在"), "{}", page.body);
        // Another account from the same address is not affected.
        assert_eq!(app.sign_in("someone@example.com", "guess-guess").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
}

#[test]
fn sign_ups_are_limited_per_client_address_and_forwarded_for_is_believed_only_from_proxies() {
    run(async {
        let app = spawn_app().await;
        // Refused forms are not counted (nothing was attempted); valid ones are.
        let valid = |n: u32| {
            json!({"form": {"email": format!("v{n}@example.com"), "doc_type": "resident_id", "doc_number": resident_id(100 + n),
                "name": "张三", "password": PASSWORD, "password2": PASSWORD}})
        };
        let bad = json!({"form": {"email": "not-an-address"}});
        assert_eq!(app.call("/api/sign_up", bad, None).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        for n in 0..80 {
            let r = app.call("/api/sign_up", valid(n), None).await;
            assert_eq!(r.status, StatusCode::OK, "sign-up {n}: {}", r.body);
        }
        // The ceiling: then one every 3 s, and the answer says when.
        let r = app.call("/api/sign_up", valid(80), None).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = r.headers.get(RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
        assert!((1..=3).contains(&retry), "{retry}");
        app.clock.set(app.clock.now() + Duration::seconds(3));
        assert_eq!(app.call("/api/sign_up", valid(81), None).await.status, StatusCode::OK, "one more after 3 s");
        assert_eq!(app.call("/api/sign_up", valid(82), None).await.status, StatusCode::TOO_MANY_REQUESTS);

        // A spoofed header from an untrusted peer changes nothing: still the same client.
        let spoof = http::Request::post("/api/sign_up")
            .header("content-type", "application/json")
            .header("x-forwarded-for", "203.0.113.99")
            .body(axum::body::Body::from(valid(83).to_string()))
            .unwrap();
        assert_eq!(app.send_from(crate::helpers::CLIENT, spoof).await.status, StatusCode::TOO_MANY_REQUESTS);
        // Through a trusted proxy, the forwarded client is counted on its own.
        let proxied = http::Request::post("/api/sign_up")
            .header("content-type", "application/json")
            .header("x-forwarded-for", "203.0.113.99")
            .body(axum::body::Body::from(valid(84).to_string()))
            .unwrap();
        assert_eq!(app.send_from("10.1.2.3", proxied).await.status, StatusCode::OK);
    })
}

/// Issue 17: a class of 60 in a school lab, all behind one address, signs up, follows its
/// mailed links and signs in at once, none of them told to wait.
#[test]
fn a_lab_of_sixty_behind_one_address_signs_up_verifies_and_signs_in() {
    run(async {
        let app = spawn_app().await;
        for n in 0..60u32 {
            // sign-up, the mailed link, sign-in: each asserts 200.
            app.candidate(&format!("lab{n}@example.com"), &resident_id(200 + n)).await;
        }
        let verified = passes(&app).await.iter().filter(|p| p.email_verified_at.is_some()).count();
        assert_eq!(verified, 60);
        // Each of them may get a password wrong and try again.
        for n in 0..60u32 {
            let email = format!("lab{n}@example.com");
            assert_eq!(app.sign_in(&email, "wrong-password").await.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(app.sign_in(&email, PASSWORD).await.status, StatusCode::OK, "{email}");
        }
    })
}

/// The counts live in the database: a second server on the same database (here the app
/// started again, as after a restart) goes on from where the first one was.
#[test]
fn limits_are_shared_by_servers_and_survive_a_restart() {
    run(async {
        let app = spawn_app().await;
        app.candidate("shared@example.com", &resident_id(41)).await;
        for i in 0..9 {
            assert_eq!(
                app.sign_in("shared@example.com", "guess-guess").await.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{i}"
            );
        }
        let other = server::startup::build_router(app.restart().await);
        let req = http::Request::post("/api/sign_in")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                json!({"form": {"login": "shared@example.com", "password": PASSWORD}}).to_string(),
            ))
            .unwrap();
        let r = app.send_via(&other, crate::helpers::CLIENT, req).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the 11th attempt, on the other server");
        // A bucket is forgotten once full again (3 minutes on for one more attempt).
        app.clock.set(app.clock.now() + Duration::minutes(31));
        let forgotten = app::server::limits::tidy(&app.db, app.clock.now()).await.unwrap();
        assert!(forgotten >= 1, "{forgotten}");
        assert_eq!(app.sign_in("shared@example.com", PASSWORD).await.status, StatusCode::OK);
    })
}

#[test]
fn verification_mails_are_limited_per_pass_and_the_page_says_so() {
    run(async {
        let app = spawn_app().await;
        app.sign_up("resend@example.com", &resident_id(40), "张三").await;
        let cookie = app.sign_in("resend@example.com", PASSWORD).await.session_cookie().unwrap();
        // Mails leave from background tasks; waiting for each keeps arrival order = issue order.
        app.mails("resend@example.com", 1).await;
        for i in 0..3 {
            let reply = app.post_form("/pass/verify/resend", &[], Some(&cookie)).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER, "resend {i}");
            assert_eq!(reply.location(), Some("/pass?notice=verify-sent"));
            app.mails("resend@example.com", i + 2).await;
        }
        let reply = app.post_form("/pass/verify/resend", &[], Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(reply.headers.get(RETRY_AFTER).is_some());
        assert!(reply.body.contains("我的通行证"), "shown on the pass page");
        assert!(reply.body.contains("尝试次数过多"), "{}", reply.body);
        // Only the newest mailed link works.
        let mails = app.mails("resend@example.com", 4).await;
        assert_eq!(mails.len(), 4, "the sign-up mail and three more");
        let first = token_in(&mails[0], "/pass/verify");
        let reply = app.call("/api/verify_email", json!({"form": {"token": first}}), None).await;
        assert_eq!(reply.status, StatusCode::GONE, "replaced by a newer link");
        let newest = token_in(mails.last().unwrap(), "/pass/verify");
        let reply = app.call("/api/verify_email", json!({"form": {"token": newest}}), Some(&cookie)).await;
        assert_eq!(reply.json::<Next>().url, "/?notice=verified");
    })
}
