//! Step 报名协议.

use crate::validation::agreement::AgreementForm;
use crate::views::{AppError, Next};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "agreement", input = Json)]
pub async fn accept_agreement(form: AgreementForm) -> Result<Next, AppError> {
    handled!(journey::accept_agreement, form)
}
