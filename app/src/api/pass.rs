//! The pass (通行证): sign-up, verification, sign-in, password reset, the pass page.

use crate::validation::account::{NewPasswordForm, ResetRequestForm, SignInForm, SignUpForm, TokenForm};
use crate::validation::identity::IdentityForm;
use crate::validation::Ctx;
use crate::views::pass::{Me, PassView};
use crate::views::{AppError, Next};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[server(prefix = "/api", endpoint = "sign_up", input = Json)]
pub async fn sign_up(form: SignUpForm) -> Result<Next, AppError> {
    handled!(passes::accounts::sign_up, form)
}

#[server(prefix = "/api", endpoint = "verify_email", input = Json)]
pub async fn verify_email(form: TokenForm) -> Result<Next, AppError> {
    handled!(passes::accounts::verify_email, form)
}

#[server(prefix = "/api", endpoint = "sign_in", input = Json)]
pub async fn sign_in(form: SignInForm) -> Result<Next, AppError> {
    handled!(passes::accounts::sign_in, form)
}

#[server(prefix = "/api", endpoint = "request_reset", input = Json)]
pub async fn request_reset(form: ResetRequestForm) -> Result<Next, AppError> {
    handled!(passes::accounts::request_reset, form)
}

#[server(prefix = "/api", endpoint = "reset_password", input = Json)]
pub async fn reset_password(form: NewPasswordForm) -> Result<Next, AppError> {
    handled!(passes::accounts::reset_password, form)
}

#[server(prefix = "/api", endpoint = "me", input = GetUrl)]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    handled!(passes::accounts::me)
}

#[server(prefix = "/api", endpoint = "pass_page", input = GetUrl)]
pub async fn get_pass_page() -> Result<PassView, AppError> {
    handled!(passes::accounts::pass_page)
}

#[server(prefix = "/api", endpoint = "edit_pass", input = Json)]
pub async fn edit_pass(form: IdentityForm) -> Result<Next, AppError> {
    handled!(passes::accounts::edit_pass, form)
}

/// The server's rule context (its "today"), for pages whose rules depend on the date.
#[server(prefix = "/api", endpoint = "rule_context", input = GetUrl)]
pub async fn get_rule_context() -> Result<Ctx, AppError> {
    handled!(passes::accounts::rule_context)
}
