//! The WASM client is loaded only by pages that have an interactive part (an island: a form
//! that checks as it is typed). A page without one (home, status, the 404 page) sends no
//! script at all. Each such page renders `ClientNeeded` once, beside its island, naming
//! the bundle that holds its islands (`app/build.rs`): a page downloads its own forms' code
//! and none of the others'.

use crate::urls;
use leptos::prelude::*;

/// The name a page links a static file by: its content-hashed name, cacheable for a year
/// (`server::assets`), or the plain one where the server holds no such file.
pub fn asset(plain: &'static str) -> String {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::server::AppState>() {
        return state.assets.url(plain);
    }
    plain.to_owned()
}

/// The module and binary of `bundle`, or of the all-islands bundle `ncre` where the bundle
/// was not built (`cargo leptos watch` builds only that one).
fn bundle_files(bundle: &'static str) -> (String, String) {
    #[cfg(feature = "ssr")]
    if let Some(state) = use_context::<crate::server::AppState>() {
        let (js, wasm) = (format!("{}/{bundle}.js", urls::PKG), format!("{}/{bundle}.wasm", urls::PKG));
        if state.assets.contains(&js) && state.assets.contains(&wasm) {
            return (state.assets.url(&js), state.assets.url(&wasm));
        }
    }
    let _ = bundle;
    (asset(urls::FALLBACK_JS), asset(urls::FALLBACK_WASM))
}

/// Preload hints for the client's module and binary (fetched alongside the stylesheet, not
/// after the page has been read), and `/client.js`, which starts the client and hydrates the
/// page's islands. It reads the hashed names from its own tag: no inline script, no nonce.
#[component]
pub fn ClientNeeded(
    /// The bundle holding this page's islands (a `frontend` feature, `scripts/lib/tools.sh`).
    bundle: &'static str,
) -> impl IntoView {
    let (js, wasm) = bundle_files(bundle);
    view! {
        <link rel="modulepreload" href=js.clone() />
        <link rel="preload" href=wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin="" />
        <script defer src=asset(urls::CLIENT_JS) data-js=js data-wasm=wasm></script>
    }
}
