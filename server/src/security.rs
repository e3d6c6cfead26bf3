//! Request-level defences: cross-site form posts are refused (Leptos ships no CSRF
//! protection; this works with JavaScript off too), and every response gets a
//! Content-Security-Policy (pages replace it with one carrying their script nonce).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use http::header::{HeaderMap, HOST, ORIGIN};
use http::{Method, StatusCode};

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
