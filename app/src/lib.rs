//! The NCRE registration app: shared by the server (feature `ssr`) and the WASM client
//! (feature `hydrate`). `domain` and `validation` compile identically into both.
// Deep view types (the subject step) need more than the default 128.
#![recursion_limit = "256"]

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
