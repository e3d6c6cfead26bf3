//! Signing a console account in, as the tests do it: the account made with its one-time
//! link, the password set, the authenticator enrolled, both factors given. Shared by the
//! integration suite and the export memory test (a binary of its own).

use crate::helpers::*;
use app::server::entity::staff::Role;
use app::server::staff::{accounts, totp, NewStaff};
use http::header::SET_COOKIE;
use http::StatusCode;

pub const STAFF_PASSWORD: &str = "Kaodian-Laoshi-2026";

pub fn cookie_named(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")) && !v.contains("Max-Age=0"))
        .map(str::to_owned)
}

pub fn staff_cookie(reply: &Reply) -> String {
    cookie_named(reply, "ncre_staff").and_then(|c| c.split(';').next().map(str::to_owned)).expect("a staff cookie")
}

/// The secret the enrolment panel shows, without its spaces.
pub fn shown_secret(page: &str) -> String {
    let at = page.find("data-testid=\"totp-secret\"").expect("the secret is shown");
    let text = &page[at..][page[at..].find('>').unwrap() + 1..];
    text.split('<').next().unwrap().chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn code_now(app: &TestApp, secret: &str, steps_later: i64) -> String {
    let t = u64::try_from(app.clock.now().timestamp() + steps_later * 30).unwrap();
    totp::code_at(secret, totp::step_of(t)).unwrap()
}

pub async fn add_account(app: &TestApp, email: &str, role: Role, sites: &[&str]) -> String {
    let new = NewStaff {
        email: email.into(),
        name: "阿依古丽".into(),
        role,
        province_code: "65".into(),
        sites: sites.iter().map(|s| (*s).to_owned()).collect(),
    };
    let link = accounts::add(&app.db, "http://ncre.test", &new, app.clock.now()).await.unwrap().unwrap();
    link.split("token=").nth(1).unwrap().to_owned()
}

pub async fn set_password(app: &TestApp, token: &str) -> Reply {
    app.post_form(
        app::urls::STAFF_SET_PASSWORD,
        &[("token", token), ("password", STAFF_PASSWORD), ("password2", STAFF_PASSWORD)],
        None,
    )
    .await
}

pub async fn password_step(app: &TestApp, email: &str, password: &str) -> Reply {
    app.post_form(app::urls::STAFF_SIGN_IN, &[("email", email), ("password", password)], None).await
}

/// A console account of `role` (for `sites`), signed in with both factors: its cookie and
/// its TOTP secret.
pub async fn signed_in_staff(app: &TestApp, email: &str, role: Role, sites: &[&str]) -> (String, String) {
    let token = add_account(app, email, role, sites).await;
    assert_eq!(set_password(app, &token).await.status, StatusCode::SEE_OTHER);
    let half = staff_cookie(&password_step(app, email, STAFF_PASSWORD).await);
    let page = app.get(app::urls::STAFF_SECOND_FACTOR, Some(&half)).await;
    let secret = shown_secret(&page.body);
    let done =
        app.post_form(app::urls::STAFF_SECOND_FACTOR, &[("code", &code_now(app, &secret, 0))], Some(&half)).await;
    assert_eq!(done.location(), Some(app::urls::STAFF), "{}", done.body);
    (staff_cookie(&done), secret)
}

pub fn goes_to_sign_in(reply: &Reply) -> bool {
    reply.status.is_redirection() && reply.location().is_some_and(|l| l.starts_with(app::urls::STAFF_SIGN_IN))
}
