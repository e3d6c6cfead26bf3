//! 缴费: the payment confirmation, starting a payment, the payment result, and 更新.

use crate::validation::payment::PayForm;
use crate::views::payment::{PayPage, PaymentPage};
use crate::views::{AppError, Next, NoFields};
use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

#[server(prefix = "/api", endpoint = "pay_page", input = GetUrl)]
pub async fn get_pay_page() -> Result<PayPage, AppError> {
    handled!(payment::candidate::pay_page)
}

/// Starts (or continues) the payment; answers the platform's address to go to.
#[server(prefix = "/api", endpoint = "pay", input = Json)]
pub async fn start_payment(form: PayForm) -> Result<Next, AppError> {
    handled!(payment::candidate::start_payment, form)
}

#[server(prefix = "/api", endpoint = "payment_page", input = GetUrl)]
pub async fn get_payment_page() -> Result<PaymentPage, AppError> {
    handled!(payment::candidate::payment_page)
}

/// 更新: asks the platform about the open order now.
#[server(prefix = "/api", endpoint = "refresh_payment", input = Json)]
pub async fn refresh_payment(form: NoFields) -> Result<Next, AppError> {
    let _ = form;
    handled!(payment::candidate::refresh)
}
