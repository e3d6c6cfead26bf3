//! The GOV.UK-style error summary: a box at the top listing every problem, each linking to
//! its field. It takes focus when it appears (by script with JavaScript, by `autofocus`
//! when the server renders it after a plain form post).

use crate::validation::FieldErrors;
use leptos::html::Div;
use leptos::prelude::*;

pub const TITLE: &str = "提交的信息有以下问题";

#[component]
pub fn ErrorSummary(
    errors: RwSignal<FieldErrors>,
    node_ref: NodeRef<Div>,
    /// Rendered by the server after a refused post: focus it without script.
    #[prop(default = false)]
    autofocus: bool,
) -> impl IntoView {
    let focus_field = move |ev: leptos::ev::MouseEvent, field: String| {
        // Jump to the input itself, not just scroll to it.
        if let Some(el) = document().get_element_by_id(&field) {
            ev.prevent_default();
            if let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el) {
                let _ = el.focus();
            }
        }
    };
    view! {
        <div
            class="error-summary"
            // The attribute, not a class: an empty summary stays hidden (from screen readers
            // and from `role=alert` lookups too) even before the stylesheet has loaded.
            hidden=move || errors.with(FieldErrors::is_empty)
            role="alert"
            aria-labelledby="error-summary-title"
            tabindex="-1"
            autofocus=autofocus
            node_ref=node_ref
        >
            <h2 class="error-summary__title" id="error-summary-title">
                {TITLE}
            </h2>
            <ul class="error-summary__list">
                {move || {
                    errors
                        .get()
                        .iter()
                        .map(|e| {
                            let field = e.field.clone();
                            view! {
                                <li>
                                    <a
                                        href=format!("#{}", e.field)
                                        rel="external"
                                        on:click=move |ev| focus_field(ev, field.clone())
                                    >
                                        {e.message.clone()}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
