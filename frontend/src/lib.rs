//! The WASM entry point. The pages are rendered on the server; only their islands (the
//! forms, in `app`) run here, each hydrated by `/client.js` through the function
//! `#[island]` exports for it.

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

// Links `app`, whose islands export their hydration functions (nothing here names them).
#[cfg(target_arch = "wasm32")]
extern crate app;
