//! Step 报名协议.

use crate::validation::agreement::AgreementForm;
use crate::views::{AppError, Next};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

#[server(prefix = "/api", endpoint = "agreement", input = Json)]
pub async fn accept_agreement(form: AgreementForm) -> Result<Next, AppError> {
    let call = crate::server::call::Call::from_context()?;
    crate::server::journey::accept_agreement(&call, form).await
}
