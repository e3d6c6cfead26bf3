//! The staff console's accounts: a one-time link sets the password, the first sign-in
//! enrols the authenticator app, and every sign-in needs both the password and a code;
//! wrong ones lock the account; the console's cookie and the candidates' never stand in
//! for each other; sessions end on time and at sign-out.

use crate::helpers::*;
pub use crate::staff_session::*;
use app::server::entity::staff::Role;
use chrono::Duration;
use http::StatusCode;

async fn add_site_account(app: &TestApp, email: &str, site: &str) -> String {
    add_account(app, email, Role::Site, &[site]).await
}

/// An account with its password set and its app enrolled; its full session's cookie and
/// its TOTP secret.
async fn signed_in_site_account(app: &TestApp, email: &str, site: &str) -> (String, String) {
    signed_in_staff(app, email, Role::Site, &[site]).await
}

#[test]
fn a_new_account_sets_its_password_enrols_its_app_and_needs_both_factors() {
    run(async {
        let app = spawn_app().await;
        let email = "ayiguli@xju.example.cn";
        let token = add_site_account(&app, email, "650101").await;

        let page = app.get(&format!("{}?token={token}", app::urls::STAFF_SET_PASSWORD), None).await;
        assert!(page.body.contains(email), "{}", page.body);
        let weak = app
            .post_form(
                app::urls::STAFF_SET_PASSWORD,
                &[("token", &token), ("password", "123"), ("password2", "123")],
                None,
            )
            .await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        let set = set_password(&app, &token).await;
        assert_eq!(set.location(), Some("/staff/sign-in?notice=staff-password-set"));
        assert_eq!(set_password(&app, &token).await.status, StatusCode::GONE, "the link works once");

        let wrong = password_step(&app, email, "Not-The-Password-1").await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("电子邮箱或密码不正确"));
        assert!(cookie_named(&wrong, "ncre_staff").is_none());

        let right = password_step(&app, email, STAFF_PASSWORD).await;
        assert_eq!(right.location(), Some(app::urls::STAFF_SECOND_FACTOR));
        let set_cookie = cookie_named(&right, "ncre_staff").unwrap();
        for attr in ["Path=/staff", "Max-Age=28800", "HttpOnly", "SameSite=Strict"] {
            assert!(set_cookie.contains(attr), "{set_cookie}");
        }
        let half = staff_cookie(&right);

        // The password alone opens nothing.
        assert!(goes_to_sign_in(&app.get(app::urls::STAFF, Some(&half)).await));
        assert_eq!(app.api_get("/staff/api/home", Some(&half)).await.status, StatusCode::UNAUTHORIZED);

        let enrol = app.get(app::urls::STAFF_SECOND_FACTOR, Some(&half)).await;
        assert_eq!(enrol.status, StatusCode::OK);
        assert!(enrol.body.contains("<svg"), "a QR code to scan");
        let secret = shown_secret(&enrol.body);
        assert_eq!(
            shown_secret(&app.get(app::urls::STAFF_SECOND_FACTOR, Some(&half)).await.body),
            secret,
            "one secret"
        );

        let bad = app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", "12345")], Some(&half)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("验证码是6位数字"));
        let code = code_now(&app, &secret, 0);
        let off_by_one_digit = format!("{}{}", &code[..5], (code.as_bytes()[5] - b'0' + 1) % 10);
        let wrong = app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", &off_by_one_digit)], Some(&half)).await;
        assert!(wrong.body.contains("验证码不正确"), "{}", wrong.body);

        let done = app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", &code)], Some(&half)).await;
        assert_eq!(done.location(), Some(app::urls::STAFF));
        let full = staff_cookie(&done);
        assert_ne!(full, half, "the second factor starts a new session");
        assert!(goes_to_sign_in(&app.get(app::urls::STAFF_SECOND_FACTOR, Some(&half)).await), "the half session ended");

        let home = app.get(app::urls::STAFF, Some(&full)).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(home.body.contains("阿依古丽") && home.body.contains("考点老师") && home.body.contains("新疆大学"));
        assert!(!home.body.contains("新疆师范大学"), "only the account's own site");

        // The same code twice is refused, even in a new sign-in within its 30 seconds.
        let again = staff_cookie(&password_step(&app, email, STAFF_PASSWORD).await);
        let reused = app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", &code)], Some(&again)).await;
        assert!(reused.body.contains("验证码不正确"), "a code is accepted once");
        app.clock.set(app.clock.now() + Duration::seconds(30));
        let next =
            app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", &code_now(&app, &secret, 0))], Some(&again)).await;
        assert_eq!(next.location(), Some(app::urls::STAFF));
        assert!(!next.body.contains("totp-secret"));

        // Sign-out ends the session on the server.
        let out = app.post_form(app::urls::STAFF_SIGN_OUT, &[], Some(&full)).await;
        assert_eq!(out.location(), Some("/staff/sign-in?notice=staff-signed-out"));
        assert!(goes_to_sign_in(&app.get(app::urls::STAFF, Some(&full)).await));
    });
}

#[test]
fn wrong_passwords_and_codes_lock_the_account_for_fifteen_minutes() {
    run(async {
        let app = spawn_app().await;
        let email = "lock@xju.example.cn";
        let (_, secret) = signed_in_site_account(&app, email, "650101").await;
        for _ in 0..4 {
            assert_eq!(password_step(&app, email, "Wrong-Password-1").await.status, StatusCode::UNPROCESSABLE_ENTITY);
        }
        // A wrong code counts too: the fifth failure.
        let half = staff_cookie(&password_step(&app, email, STAFF_PASSWORD).await);
        let wrong = if code_now(&app, &secret, 0) == "000000" { "111111" } else { "000000" };
        app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", wrong)], Some(&half)).await;
        // …but the right password (or a right code) no longer opens it.
        let locked = password_step(&app, email, STAFF_PASSWORD).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "{}", locked.body);
        assert!(locked.body.contains("尝试次数过多") && locked.body.contains("15分钟"), "{}", locked.body);
        app.clock.set(app.clock.now() + Duration::minutes(15));
        assert_eq!(password_step(&app, email, STAFF_PASSWORD).await.location(), Some(app::urls::STAFF_SECOND_FACTOR));
    });
}

#[test]
fn candidate_and_staff_sessions_never_stand_in_for_each_other() {
    run(async {
        let app = spawn_app().await;
        let candidate = app.candidate("kaosheng@example.com", &resident_id(7)).await;
        assert!(goes_to_sign_in(&app.get(app::urls::STAFF, Some(&candidate)).await));
        assert_eq!(app.api_get("/staff/api/home", Some(&candidate)).await.status, StatusCode::UNAUTHORIZED);

        let (staff, _) = signed_in_site_account(&app, "both@xju.example.cn", "650101").await;
        let as_candidate = app.get(app::urls::STATUS, Some(&staff)).await;
        assert!(!as_candidate.body.contains("signed-in-as"), "a staff cookie signs no candidate in");
        assert_eq!(app.api_get("/api/me", Some(&staff)).await.body, "null");
        // A staff page never asks who the candidate is, even when both cookies come.
        let both = format!("{staff}; {candidate}");
        let home = app.get(app::urls::STAFF, Some(&both)).await;
        assert_eq!(home.status, StatusCode::OK);
        assert!(!home.body.contains("signed-in-as"));
    });
}

#[test]
fn staff_sessions_end_after_thirty_idle_minutes_and_eight_hours() {
    run(async {
        let app = spawn_app().await;
        let (cookie, _) = signed_in_site_account(&app, "time@xju.example.cn", "650101").await;
        app.clock.set(app.clock.now() + Duration::minutes(31));
        assert!(goes_to_sign_in(&app.get(app::urls::STAFF, Some(&cookie)).await), "idle");

        let (cookie, secret) = signed_in_site_account(&app, "busy@xju.example.cn", "650101").await;
        for _ in 0..(8 * 60 / 20 - 1) {
            app.clock.set(app.clock.now() + Duration::minutes(20));
            assert_eq!(app.get(app::urls::STAFF, Some(&cookie)).await.status, StatusCode::OK);
        }
        app.clock.set(app.clock.now() + Duration::minutes(20));
        assert!(goes_to_sign_in(&app.get(app::urls::STAFF, Some(&cookie)).await), "8 hours");

        // Between password and code: 5 minutes.
        let half = staff_cookie(&password_step(&app, "busy@xju.example.cn", STAFF_PASSWORD).await);
        app.clock.set(app.clock.now() + Duration::minutes(5));
        let late =
            app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", &code_now(&app, &secret, 0))], Some(&half)).await;
        assert!(goes_to_sign_in(&late), "{:?}", late.status);
    });
}

#[test]
fn the_province_disables_enables_unlocks_and_relinks_an_account_each_once_on_the_trail() {
    use app::server::entity::{audit_event, staff};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    run(async {
        let app = spawn_app().await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        let email = "laoshi@xju.example.cn";
        let (site, _) = signed_in_staff(&app, email, Role::Site, &["650101"]).await;
        let id_of = |email: &'static str| {
            let db = app.db.clone();
            async move {
                let row = staff::Entity::find().filter(staff::Column::EmailKey.eq(email)).one(&db).await.unwrap();
                row.unwrap().id.to_string()
            }
        };
        let (site_id, province_id) = (id_of(email).await, id_of("province@ncre.test").await);
        let act = |cookie: &str, id: &str, action: &str| {
            let fields = [("account", id.to_owned()), ("action", action.to_owned())];
            let cookie = cookie.to_owned();
            let app = &app;
            async move {
                let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.post_form(app::urls::STAFF_ACCOUNT_ACTION, &fields, Some(&cookie)).await
            }
        };
        let trail = || {
            let db = app.db.clone();
            async move {
                let rows = audit_event::Entity::find()
                    .filter(audit_event::Column::Kind.starts_with("staff."))
                    .filter(audit_event::Column::Kind.ne("staff.create"))
                    .order_by_asc(audit_event::Column::Id)
                    .all(&db)
                    .await
                    .unwrap();
                rows.into_iter().map(|r| (r.kind, r.target, r.before, r.after)).collect::<Vec<_>>()
            }
        };

        // Only the province acts, on accounts of its province, never disabling its own;
        // a request that does not read is refused. Nothing changes.
        assert_eq!(act(&site, &site_id, "disable").await.status, StatusCode::FORBIDDEN);
        assert_eq!(act(&province, &province_id, "disable").await.status, StatusCode::FORBIDDEN);
        assert_eq!(act(&province, "x", "disable").await.status, StatusCode::BAD_REQUEST);
        assert_eq!(act(&province, &site_id, "explode").await.status, StatusCode::BAD_REQUEST);
        assert_eq!(act(&province, "99999", "disable").await.status, StatusCode::NOT_FOUND);
        assert!(trail().await.is_empty());
        let page = app.get(app::urls::STAFF_ACCOUNTS, Some(&province)).await;
        assert_eq!(page.body.matches("data-testid=\"account-disable\"").count(), 1, "not for one's own account");

        // 停用: the open session ends at once, the right password says why, no link is sent.
        let done = act(&province, &site_id, "disable").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        assert!(done.location().unwrap().contains("notice=account-disabled"));
        assert!(goes_to_sign_in(&app.get(app::urls::STAFF, Some(&site)).await));
        let refused = password_step(&app, email, STAFF_PASSWORD).await;
        assert!(refused.body.contains("这个账号已被停用"), "{}", refused.body);
        let wrong = password_step(&app, email, "Wrong-Password-1").await;
        assert!(
            wrong.body.contains("电子邮箱或密码不正确") && !wrong.body.contains("停用"),
            "only to whoever knows it"
        );
        let link = act(&province, &site_id, "link").await;
        assert_eq!(link.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(link.body.contains("请先启用"), "{}", link.body);
        // Again (a second admin, a stale page): nothing more on the trail.
        assert_eq!(act(&province, &site_id, "disable").await.status, StatusCode::SEE_OTHER);
        assert!(app.get(app::urls::STAFF_ACCOUNTS, Some(&province)).await.body.contains("已停用"));

        // 启用: the password opens the second step again.
        assert_eq!(act(&province, &site_id, "enable").await.status, StatusCode::SEE_OTHER);
        assert_eq!(password_step(&app, email, STAFF_PASSWORD).await.location(), Some(app::urls::STAFF_SECOND_FACTOR));

        // 解除锁定 after five wrong passwords (counted as the sign-in counts them; typed
        // here they would meet the per-account rate limit first).
        let id: i32 = site_id.parse().unwrap();
        for _ in 0..app::server::staff::MAX_FAILURES {
            app::server::staff::record_failure(&app.db, id, app.clock.now()).await.unwrap();
        }
        assert_eq!(password_step(&app, email, STAFF_PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(act(&province, &site_id, "unlock").await.status, StatusCode::SEE_OTHER);
        assert_eq!(password_step(&app, email, STAFF_PASSWORD).await.location(), Some(app::urls::STAFF_SECOND_FACTOR));

        // 重发设置密码链接: mailed; the old password works until the new one is set.
        assert_eq!(act(&province, &site_id, "link").await.status, StatusCode::SEE_OTHER);
        let token = token_in(&app.mail(email, "请设置您的密码").await, app::urls::STAFF_SET_PASSWORD);
        assert_eq!(password_step(&app, email, STAFF_PASSWORD).await.location(), Some(app::urls::STAFF_SECOND_FACTOR));
        assert_eq!(set_password(&app, &token).await.status, StatusCode::SEE_OTHER);

        let kinds: Vec<(String, Option<String>, Option<String>)> =
            trail().await.into_iter().map(|(k, t, b, a)| (format!("{k} {t}"), b, a)).collect();
        let status = |s: &str| Some(format!("{{\"status\":\"{s}\"}}"));
        assert_eq!(
            kinds,
            vec![
                (format!("staff.disable {email}"), status("active"), status("disabled")),
                (format!("staff.enable {email}"), status("disabled"), status("active")),
                (format!("staff.unlock {email}"), status("locked"), status("active")),
                (format!("staff.link {email}"), status("active"), status("link-sent")),
            ]
        );
        let page = app.get(app::urls::STAFF_AUDIT, Some(&province)).await;
        assert!(
            page.body.contains("停用工作人员账号") && page.body.contains("账号状态：正常 → 已停用"),
            "{}",
            page.body
        );
    });
}
