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
            <FieldHead spec hint errors />
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
                aria-describedby=move || described_by(name, hint.is_some(), has_error())
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

/// A text field's label (marked 选填 when optional), hint and message, above its input.
#[component]
fn FieldHead(spec: FieldSpec, hint: Option<&'static str>, errors: RwSignal<FieldErrors>) -> impl IntoView {
    let name = spec.name;
    view! {
        <label class="field__label" for=name>
            {spec.label}
            {(!spec.required).then(|| view! { <span class="field__optional">"（选填）"</span> })}
        </label>
        {hint.map(|h| view! { <p class="field__hint" id=format!("{name}-hint")>{h}</p> })}
        <FieldMessage errors name />
    }
}

/// The ids an input's `aria-describedby` names: its hint and its error, when shown.
fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> =
        [hint.then(|| format!("{name}-hint")), error.then(|| format!("{name}-error"))].into_iter().flatten().collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// Several lines of text (a notice's body): a `TextField` that wraps.
#[component]
pub fn TextAreaField(
    spec: FieldSpec,
    #[prop(into)] value: Signal<String>,
    on_input: Callback<String>,
    on_leave: Callback<()>,
    errors: RwSignal<FieldErrors>,
    #[prop(into, optional)] notes: Signal<Vec<&'static str>>,
    #[prop(default = None, into)] hint: Option<&'static str>,
    #[prop(default = 6)] rows: u32,
) -> impl IntoView {
    let name = spec.name;
    let has_error = move || errors.with(|e| e.get(name).is_some());
    view! {
        <div class="field" class:field--error=has_error>
            <FieldHead spec hint errors />
            <textarea
                class="field__input field__textarea"
                id=name
                name=name
                rows=rows
                prop:value=move || value.get()
                maxlength=spec.max_length
                required=spec.required
                aria-invalid=move || has_error().then_some("true")
                aria-describedby=move || described_by(name, hint.is_some(), has_error())
                on:input=move |ev| on_input.run(event_target_value(&ev))
                on:blur=move |_| on_leave.run(())
            >
                {value.get_untracked()}
            </textarea>
            <FieldNotes notes name />
        </div>
    }
}

/// A select's choices, (value, label) in display order: fixed code lists or rows read from
/// the database.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options(pub Vec<(String, String)>);

impl From<Vec<(&'static str, &'static str)>> for Options {
    fn from(v: Vec<(&'static str, &'static str)>) -> Self {
        Options(v.into_iter().map(|(a, b)| (a.to_owned(), b.to_owned())).collect())
    }
}

impl From<Vec<(String, String)>> for Options {
    fn from(v: Vec<(String, String)>) -> Self {
        Options(v)
    }
}

#[component]
pub fn SelectField(
    spec: FieldSpec,
    #[prop(into)] options: Options,
    #[prop(into)] value: Signal<String>,
    on_change: Callback<String>,
    errors: RwSignal<FieldErrors>,
    /// Said under the label, above the choices.
    #[prop(default = None, into)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let name = spec.name;
    let has_error = move || errors.with(|e| e.get(name).is_some());
    view! {
        <div class="field" class:field--error=has_error>
            <label class="field__label" for=name>
                {spec.label}
            </label>
            {hint.map(|h| view! { <p class="field__hint" id=format!("{name}-hint")>{h}</p> })}
            <FieldMessage errors name />
            <select
                aria-describedby=move || described_by(name, hint.is_some(), has_error())
                class="field__select"
                id=name
                name=name
                required=spec.required
                aria-invalid=move || has_error().then_some("true")
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                <option value="" selected=move || value.with(String::is_empty)>
                    "请选择"
                </option>
                {options
                    .0
                    .into_iter()
                    .map(|(v, label)| {
                        let same = v.clone();
                        view! {
                            <option value=v selected=move || value.with(|x| *x == same)>
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
