//! Form fields. Their HTML hints (`maxlength`, `inputmode`, `autocomplete`, `required`)
//! come from the rule's `FieldSpec`; the message beside a field comes from the same
//! `FieldErrors` the summary lists.

use crate::validation::{FieldErrors, FieldSpec};
use leptos::prelude::*;

fn error_of(errors: RwSignal<FieldErrors>, name: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || errors.with(|e| e.get(name).map(|e| e.message.clone()))
}

/// The error line above an input, GOV.UK style; hidden text tells screen readers it is one.
#[component]
fn FieldMessage(errors: RwSignal<FieldErrors>, name: &'static str) -> impl IntoView {
    let error = error_of(errors, name);
    move || {
        error().map(|m| {
            view! {
                <p class="field__error" id=format!("{name}-error")>
                    <span class="visually-hidden">"错误："</span>
                    {m}
                </p>
            }
        })
    }
}

#[component]
fn FieldNotes(#[prop(into)] notes: Signal<Vec<&'static str>>, name: &'static str) -> impl IntoView {
    move || {
        let notes = notes.get();
        (!notes.is_empty()).then(|| {
            view! {
                <p class="field__note" id=format!("{name}-note")>
                    {notes.join("；")}
                </p>
            }
        })
    }
}

/// Leaving a field for the submit button must not show its error yet: the message would
/// push the button down between press and release, and the click would be lost. The
/// submit checks every field anyway.
fn focus_moves_to_submit(ev: &leptos::ev::FocusEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.related_target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlButtonElement>().ok())
        .is_some_and(|b| b.type_() == "submit")
}

#[component]
pub fn TextField(
    spec: FieldSpec,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    on_leave: Callback<()>,
    errors: RwSignal<FieldErrors>,
    #[prop(into, optional)] notes: Signal<Vec<&'static str>>,
    #[prop(default = None, into)] hint: Option<&'static str>,
    /// `text` unless given (`password`, `email`).
    #[prop(optional)]
    input_type: Option<&'static str>,
) -> impl IntoView {
    let name = spec.name;
    let has_error = move || errors.with(|e| e.get(name).is_some());
    view! {
        <div class="field" class:field--error=has_error>
            <label class="field__label" for=name>
                {spec.label}
                {(!spec.required).then(|| view! { <span class="field__optional">"（选填）"</span> })}
            </label>
            {hint.map(|h| view! { <p class="field__hint" id=format!("{name}-hint")>{h}</p> })}
            <FieldMessage errors name />
            <input
                class="field__input"
                type=input_type.unwrap_or("text")
                id=name
                name=name
                prop:value=move || value.get()
                value=value.get_untracked()
                maxlength=spec.max_length
                inputmode=spec.input_mode
                autocomplete=spec.autocomplete
                required=spec.required
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=move || {
                    let mut ids = Vec::new();
                    if hint.is_some() {
                        ids.push(format!("{name}-hint"));
                    }
                    if has_error() {
                        ids.push(format!("{name}-error"));
                    }
                    (!ids.is_empty()).then(|| ids.join(" "))
                }
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:blur=move |ev| {
                    if !focus_moves_to_submit(&ev) {
                        on_leave.run(())
                    }
                }
            />
            <FieldNotes notes name />
        </div>
    }
}

#[component]
pub fn SelectField(
    spec: FieldSpec,
    /// (value, label) pairs in display order.
    options: Vec<(&'static str, &'static str)>,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let name = spec.name;
    let has_error = move || errors.with(|e| e.get(name).is_some());
    view! {
        <div class="field" class:field--error=has_error>
            <label class="field__label" for=name>
                {spec.label}
            </label>
            <FieldMessage errors name />
            <select
                class="field__select"
                id=name
                name=name
                required=spec.required
                aria-invalid=move || has_error().then_some("true")
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                <option value="" selected=move || value.get().is_empty()>
                    "请选择"
                </option>
                {options
                    .into_iter()
                    .map(|(v, label)| {
                        view! {
                            <option value=v selected=move || value.get() == v>
                                {label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn CheckboxField(
    spec: FieldSpec,
    /// The value the box sends when ticked.
    value: &'static str,
    #[prop(into)] checked: Signal<bool>,
    on_change: Callback<bool>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let name = spec.name;
    let has_error = move || errors.with(|e| e.get(name).is_some());
    view! {
        <div class="field field--checkbox" class:field--error=has_error>
            <FieldMessage errors name />
            <div class="checkbox">
                <input
                    class="checkbox__input"
                    type="checkbox"
                    id=name
                    name=name
                    value=value
                    required=spec.required
                    checked=checked.get_untracked()
                    prop:checked=move || checked.get()
                    aria-invalid=move || has_error().then_some("true")
                    on:change=move |ev| on_change.run(event_target_checked(&ev))
                />
                <label class="checkbox__label" for=name>
                    {spec.label}
                </label>
            </div>
        </div>
    }
}
