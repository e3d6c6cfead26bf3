//! The cashier pages the candidate's browser is sent to: plain server-rendered HTML that works
//! without JavaScript. Every value the merchant sent is escaped before it is written into a
//! page, and the headers forbid scripts, framing and caching outright.

use super::{Order, PayOutcome, RandomFailed, Sandbox, TradeState};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, FixedOffset, TimeZone};
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use http::{HeaderValue, StatusCode};
use pay_protocol::{self as protocol, Fields, Method};

const TITLE: &str = "NCRE收银台（沙箱）";

/// No scripts at all; inline styles only; forms post back here; no framing (clickjacking a
/// pay button). Links to the merchant are plain navigation, which CSP does not restrict.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'";

const STYLE: &str = "body{font-family:sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}\
.banner{background:#fff4d6;border:1px solid #e0b84c;padding:.6rem 1rem}\
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #ddd;padding:.5rem;text-align:left}\
th{width:7rem;color:#555;font-weight:normal}fieldset{border:1px solid #ddd;margin:1rem 0}\
label{margin-right:1.5rem}button,.button{display:inline-block;font-size:1rem;padding:.5rem 1.2rem;margin:.5rem .5rem 0 0;\
border:1px solid #1677ff;border-radius:4px;background:#1677ff;color:#fff;text-decoration:none;cursor:pointer}\
.secondary{background:#fff;color:#1677ff}";

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A whole page with the security headers. `title` and `body` are HTML already.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <style>{STYLE}</style></head><body><main>\
         <p class=\"banner\" role=\"note\">沙箱环境，不会真实扣款：这是用于开发和测试的模拟支付平台。</p>{body}</main></body></html>"
    );
    let mut res = (status, Html(html)).into_response();
    let headers = res.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn message_page(status: StatusCode, heading: &str, body: &str) -> Response {
    page(status, &format!("{heading} - {TITLE}"), &format!("<h1>{heading}</h1>{body}"))
}

fn not_found() -> Response {
    message_page(StatusCode::NOT_FOUND, "订单不存在", "<p>找不到这个支付订单，请回到报名系统重新发起支付。</p>")
}

fn internal_error() -> Response {
    message_page(StatusCode::INTERNAL_SERVER_ERROR, "系统繁忙", "<p>沙箱暂时无法处理这笔支付，未扣款。请稍后重试。</p>")
}

fn amount(fen: u64) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

/// `2025-01-06 11:23:45` in Beijing time, as Chinese payment pages show it.
fn beijing<Tz: TimeZone>(t: &DateTime<Tz>) -> String {
    t.with_timezone(&BEIJING).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// UTC+8 (China has no daylight saving time). A constant, so the `None` arm is evaluated at
/// compile time: it would stop the build, never a running sandbox.
const BEIJING: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

fn rows(rows: &[(&str, String)]) -> String {
    let cells: String = rows
        .iter()
        .map(|(name, value)| format!("<tr><th scope=\"row\">{name}</th><td>{}</td></tr>", escape(value)))
        .collect();
    format!("<table>{cells}</table>")
}

impl Sandbox {
    fn order_by_token(&self, token: &str) -> Option<Order> {
        let book = self.book();
        book.orders.get(book.tokens.get(token)?).cloned()
    }

    /// The merchant's return URL with the signed outcome appended as its query.
    fn return_link(&self, order: &Order) -> String {
        let mut fields = Fields::from([
            ("merchant_id".to_owned(), order.new.merchant_id.clone()),
            ("out_trade_no".to_owned(), order.new.out_trade_no.clone()),
            ("trade_status".to_owned(), order.state.as_str().to_owned()),
        ]);
        if let TradeState::Paid(p) = &order.state {
            fields.insert("trade_no".into(), p.trade_no.clone());
        }
        let query = protocol::to_form(&self.sign(fields));
        // The query goes before any fragment, or the browser would never send it.
        let (base, fragment) = match order.new.return_url.split_once('#') {
            Some((base, fragment)) => (base, format!("#{fragment}")),
            None => (order.new.return_url.as_str(), String::new()),
        };
        let separator = if base.contains('?') { '&' } else { '?' };
        format!("{base}{separator}{query}{fragment}")
    }

    fn back_link(&self, order: &Order) -> String {
        format!("<a class=\"button secondary\" href=\"{}\">返回报名系统</a>", escape(&self.return_link(order)))
    }

    fn result_url(&self, token: &str) -> String {
        format!("{}/result", self.pay_url(token))
    }

    fn closed_page(&self, order: &Order, status: StatusCode) -> Response {
        message_page(
            status,
            "订单已关闭",
            &format!(
                "<p>订单 {} 已关闭，无法再支付，未扣款。如需缴费，请回到报名系统重新发起支付。</p><p>{}</p>",
                escape(&order.new.out_trade_no),
                self.back_link(order)
            ),
        )
    }

    fn cashier_page(&self, order: &Order) -> Response {
        let new = &order.new;
        let details = rows(&[
            ("付款用途", new.purpose.clone()),
            ("考生姓名", new.payer_name.clone()),
            ("来源", new.source.clone()),
            ("NEEA ID", new.neea_id.clone()),
            ("订单号", new.out_trade_no.clone()),
            ("金额", amount(new.amount_fen)),
            ("支付截止", format!("{}（北京时间）", beijing(&new.expires_at))),
        ]);
        let methods: String = Method::ALL
            .iter()
            .map(|m| {
                let checked = if *m == Method::Alipay { " checked" } else { "" };
                format!(
                    "<label><input type=\"radio\" name=\"method\" value=\"{}\"{checked}> {}</label>",
                    m.as_str(),
                    m.label()
                )
            })
            .collect();
        // No `action`: the form posts back to this very URL, whatever host the browser used.
        let body = format!(
            "<h1>{TITLE}</h1>{details}<form method=\"post\"><fieldset><legend>支付方式</legend>{methods}</fieldset>\
             <button type=\"submit\" name=\"action\" value=\"pay\">确认支付</button>\
             <button type=\"submit\" name=\"action\" value=\"fail\" class=\"secondary\">模拟支付失败</button></form>"
        );
        page(StatusCode::OK, TITLE, &body)
    }

    fn failed_page(&self, order: &Order) -> Response {
        message_page(
            StatusCode::OK,
            "支付失败",
            &format!(
                "<p>模拟的支付失败：未扣款，订单仍在等待支付。</p><p><a class=\"button\" href=\"{}\">重新支付</a>{}</p>",
                escape(&self.pay_url(&order.token)),
                self.back_link(order)
            ),
        )
    }
}

/// `GET /pay/{token}`.
pub(super) async fn show(State(sandbox): State<Sandbox>, Path(token): Path<String>) -> Response {
    let Some(order) = sandbox.order_by_token(&token) else { return not_found() };
    match order.state {
        TradeState::Waiting => sandbox.cashier_page(&order),
        TradeState::Paid(_) => Redirect::to(&sandbox.result_url(&token)).into_response(),
        TradeState::Closed => sandbox.closed_page(&order, StatusCode::OK),
    }
}

fn bad_choice(sandbox: &Sandbox, token: &str) -> Response {
    message_page(
        StatusCode::BAD_REQUEST,
        "请求无效",
        &format!(
            "<p>请选择一种支付方式，再点“确认支付”或“模拟支付失败”。</p><p><a class=\"button\" href=\"{}\">返回收银台</a></p>",
            escape(&sandbox.pay_url(token))
        ),
    )
}

/// `POST /pay/{token}`: the cashier's two buttons.
pub(super) async fn submit(State(sandbox): State<Sandbox>, Path(token): Path<String>, body: Bytes) -> Response {
    let Some(order) = sandbox.order_by_token(&token) else { return not_found() };
    let form = std::str::from_utf8(&body).ok().and_then(protocol::from_form);
    let Some(form) = form else { return bad_choice(&sandbox, &token) };
    let key = (order.new.merchant_id.clone(), order.new.out_trade_no.clone());
    match form.get("action").map(String::as_str) {
        Some("pay") => {
            let Some(method) = form.get("method").and_then(|m| Method::parse(m)) else {
                return bad_choice(&sandbox, &token);
            };
            match sandbox.pay_order(&key, method) {
                Ok(PayOutcome::Paid { .. } | PayOutcome::AlreadyPaid) => {
                    Redirect::to(&sandbox.result_url(&token)).into_response()
                }
                Ok(PayOutcome::Closed) => sandbox.closed_page(&order, StatusCode::CONFLICT),
                Ok(PayOutcome::Unknown) => not_found(),
                Err(RandomFailed) => {
                    tracing::error!("the system random source failed");
                    internal_error()
                }
            }
        }
        Some("fail") => match order.state {
            TradeState::Waiting => sandbox.failed_page(&order),
            TradeState::Paid(_) => Redirect::to(&sandbox.result_url(&token)).into_response(),
            TradeState::Closed => sandbox.closed_page(&order, StatusCode::CONFLICT),
        },
        _ => bad_choice(&sandbox, &token),
    }
}

/// `GET /pay/{token}/result`.
pub(super) async fn result(State(sandbox): State<Sandbox>, Path(token): Path<String>) -> Response {
    let Some(order) = sandbox.order_by_token(&token) else { return not_found() };
    let TradeState::Paid(payment) = &order.state else {
        return Redirect::to(&sandbox.pay_url(&token)).into_response();
    };
    let details = rows(&[
        ("付款项目", order.new.purpose.clone()),
        ("付款人", order.new.payer_name.clone()),
        ("支付方式", payment.method.label().to_owned()),
        ("订单号", order.new.out_trade_no.clone()),
        ("金额", amount(order.new.amount_fen)),
        ("支付时间", beijing(&payment.paid_at)),
    ]);
    let link = format!("<a class=\"button\" href=\"{}\">返回报名系统</a>", escape(&sandbox.return_link(&order)));
    message_page(StatusCode::OK, "支付成功", &format!("{details}<p>{link}</p>"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_times_read_like_a_chinese_cashier() {
        assert_eq!(amount(8000), "¥80.00");
        assert_eq!(amount(5), "¥0.05");
        let t = DateTime::parse_from_rfc3339("2025-01-06T03:23:45Z").unwrap();
        assert_eq!(beijing(&t), "2025-01-06 11:23:45");
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }
}
