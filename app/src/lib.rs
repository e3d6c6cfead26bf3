//! The NCRE registration app: shared by the server (feature `ssr`) and the WASM client
//! (feature `hydrate`). `domain` and `validation` compile identically into both.
// Deep view types (the subject step) need more than the default 128.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod pages;
pub mod routes;
pub mod urls;
pub mod validation;
pub mod views;

#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::MetaTags;

pub use routes::App;

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // Islands: only the islands' data is serialised for the browser (their props); what the
    // server components read stays on the server.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang="zh-CN">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href=components::client::asset(urls::FAVICON) type="image/svg+xml" />
                <link rel="stylesheet" href=components::client::asset(urls::STYLESHEET) />
                <AutoReload options=options.clone() />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}
