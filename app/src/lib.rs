//! The NCRE registration app: shared by the server (feature `ssr`) and the WASM client
//! (feature `hydrate`). `domain` and `validation` compile identically into both.

pub mod api;
pub mod components;
pub mod domain;
pub mod pages;
pub mod routes;
pub mod validation;

#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::MetaTags;

pub use routes::App;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_csp(&options);
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: our own files, the inline hydration scripts only by
/// this response's nonce, and `'wasm-unsafe-eval'` so the WASM client may start.
#[cfg(feature = "ssr")]
fn set_page_csp(options: &LeptosOptions) {
    let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    // `cargo leptos watch` reloads the page over a websocket on the reload port.
    let reload = if std::env::var("LEPTOS_WATCH").is_ok() {
        format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
    } else {
        String::new()
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'{reload}; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&csp) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
