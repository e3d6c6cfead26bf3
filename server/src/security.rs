//! Request-level defences: cross-site form posts are refused (Leptos ships no CSRF
//! protection; this works with JavaScript off too), and every response gets a
//! Content-Security-Policy: pages one that admits their inline scripts by the nonce Leptos
//! put on them, everything else a closed one.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::header::{HeaderMap, HeaderValue, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST, ORIGIN, X_FRAME_OPTIONS};
use http::{Method, StatusCode};
use std::sync::Arc;

/// The policy for responses that are not pages (server-function JSON, static files).
pub const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Whether a state-changing request came from another site. Browsers say so with
/// `Sec-Fetch-Site`; older ones send `Origin`, compared with `Host`. A request with neither
/// does not come from a browser, so it carries no victim's cookies to abuse.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(ORIGIN) else { return false };
    let Ok(origin) = origin.to_str() else { return true };
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    match (authority, host) {
        (Some(a), Some(h)) => !a.eq_ignore_ascii_case(h),
        // "null" origins (sandboxed frames, some redirects) and origins without a host.
        _ => true,
    }
}

pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || !is_cross_site(req.headers()) {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), "cross-site request refused");
    let page = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>请求被拒绝 - NCRE考试报名系统</title></head>\
        <body><h1>请求被拒绝</h1><p>这个请求不是从本报名系统的页面提交的，为保护您的信息，系统没有处理它。\
        请回到报名系统，在页面上重新操作。</p><p><a href=\"/\">返回首页</a></p></body></html>";
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}

/// The policy of a page whose inline scripts carry `nonce`: our own files, those scripts,
/// and `'wasm-unsafe-eval'` so the WASM client may start. Forms post to us, and may be sent
/// on to `pay_origin` (the payment platform: 去支付 answers with a redirect there). Only a
/// `framable` page (the staff preview, shown beside the settings) may be framed, and only
/// by our own pages.
pub fn page_csp(nonce: Option<&str>, reload: Option<&str>, pay_origin: &str, framable: bool) -> String {
    let scripts = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    let reload = reload.map(|r| format!(" {r}")).unwrap_or_default();
    let ancestors = if framable { "'self'" } else { "'none'" };
    format!(
        "default-src 'self'; script-src 'self'{scripts} 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'{reload}; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self' {pay_origin}; frame-ancestors {ancestors}"
    )
}

/// The nonce Leptos put on the page's inline scripts (one per response).
fn nonce_of(html: &[u8]) -> Option<&str> {
    let at = html.windows(7).position(|w| w == b"nonce=\"")? + 7;
    let end = html[at..].iter().position(|b| *b == b'"')?;
    let nonce = std::str::from_utf8(&html[at..at + end]).ok()?;
    nonce.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'/' | b'=')).then_some(nonce)
}

/// Sets the Content-Security-Policy. Pages are rendered whole before they are sent
/// (`SsrMode::Async`), so reading the nonce from the body costs no streaming.
pub async fn content_security_policy(State(pay_origin): State<Arc<str>>, req: Request, next: Next) -> Response {
    let framable = app::urls::is_framable(req.uri().path());
    let res = next.run(req).await;
    let is_html =
        res.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        let mut res = res;
        res.headers_mut().entry(CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(DEFAULT_CSP));
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 8 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    // `cargo leptos watch` reloads the page over a websocket on the reload port.
    let reload = std::env::var("LEPTOS_WATCH").ok().map(|_| {
        let port = std::env::var("LEPTOS_RELOAD_PORT").unwrap_or_else(|_| "3001".into());
        format!("ws://127.0.0.1:{port}")
    });
    if let Ok(v) = HeaderValue::from_str(&page_csp(nonce_of(&bytes), reload.as_deref(), &pay_origin, framable)) {
        parts.headers.insert(CONTENT_SECURITY_POLICY, v);
    }
    if framable {
        parts.headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn finds_the_page_nonce() {
        assert_eq!(nonce_of(b"<script nonce=\"ab_C-1\">x</script>"), Some("ab_C-1"));
        assert_eq!(nonce_of(b"<script>x</script>"), None);
        assert_eq!(nonce_of(b"<script nonce=\"a'b\">"), None);
        assert!(page_csp(Some("n1"), None, "http://pay.test", false).contains("'nonce-n1'"));
        assert!(!page_csp(None, None, "http://pay.test", false).contains("nonce"));
        assert!(page_csp(None, None, "http://pay.test", false).contains("form-action 'self' http://pay.test;"));
        assert!(page_csp(None, None, "http://pay.test", false).ends_with("frame-ancestors 'none'"));
        assert!(page_csp(None, None, "http://pay.test", true).ends_with("frame-ancestors 'self'"));
    }

    #[test]
    fn judges_the_request_source() {
        assert!(!is_cross_site(&headers(&[])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:3000")])));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")])));
    }
}
