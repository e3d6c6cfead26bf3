//! The client-side state every step form shares: which fields the user has left (errors
//! show only for those while typing), the errors and the non-field problem, and what to
//! do with the server's answer. The rules themselves are the step's `parse`.

use crate::api::{AppError, Next, Posted};
use crate::validation::FieldErrors;
use leptos::html::Div;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
pub struct FormState {
    pub errors: RwSignal<FieldErrors>,
    pub problem: RwSignal<Option<AppError>>,
    touched: RwSignal<Vec<String>>,
    pub summary: NodeRef<Div>,
    /// The page was rendered by the server after a refused post.
    pub from_server: bool,
}

impl FormState {
    pub fn new<F>(posted: Option<&Posted<F>>) -> Self {
        let touched = posted.map(|p| p.errors.iter().map(|e| e.field.clone()).collect()).unwrap_or_default();
        Self {
            errors: RwSignal::new(posted.map(|p| p.errors.clone()).unwrap_or_default()),
            problem: RwSignal::new(posted.and_then(|p| p.problem.clone())),
            touched: RwSignal::new(touched),
            summary: NodeRef::new(),
            from_server: posted.is_some(),
        }
    }

    /// The user left `field`: from now on its errors show as they type.
    pub fn touch(&self, field: &str) {
        if !self.touched.with_untracked(|t| t.iter().any(|f| f == field)) {
            self.touched.update(|t| t.push(field.to_owned()));
        }
    }

    pub fn is_touched(&self, field: &str) -> bool {
        self.touched.with_untracked(|t| t.iter().any(|f| f == field))
    }

    /// Shows the verdict of a full parse, for the fields the user has already left.
    pub fn show_touched(&self, all: FieldErrors) {
        let touched = self.touched.get_untracked();
        self.errors.set(all.only(|f| touched.iter().any(|t| t == f)));
    }

    /// A refused submit: every error shows and the summary takes focus.
    pub fn refuse(&self, errors: FieldErrors) {
        self.touched.set(errors.iter().map(|e| e.field.clone()).collect());
        self.errors.set(errors);
        self.problem.set(None);
        let summary = self.summary;
        request_animation_frame(move || {
            if let Some(el) = summary.get_untracked() {
                let _ = el.focus();
            }
        });
    }

    /// What the server answered to a submit made by script.
    pub fn handle_result(&self, result: Result<Next, AppError>, navigate: impl Fn(&str)) {
        match result {
            Ok(Next { url }) => navigate(&url),
            Err(AppError::StepOrder { go_to }) => navigate(&go_to),
            Err(AppError::Invalid(errors)) => self.refuse(errors),
            Err(other) => {
                self.errors.set(FieldErrors::new());
                self.problem.set(Some(other));
            }
        }
    }

    pub fn problem_message(&self) -> Signal<Option<String>> {
        let problem = self.problem;
        Signal::derive(move || problem.with(|p| p.as_ref().map(AppError::user_message)))
    }
}

/// The page title, prefixed `错误：` while the form shows errors (GOV.UK pattern).
#[component]
pub fn StepTitle(title: &'static str, state: FormState) -> impl IntoView {
    let errors = state.errors;
    view! {
        <Title text=move || {
            if errors.with(FieldErrors::is_empty) { title.to_owned() } else { format!("错误：{title}") }
        } />
    }
}

/// The refused form of a no-JS post, taken from the server's render context and carried
/// into the page's serialised state, so the hydrated client starts where the server left.
/// Synchronous on purpose: nothing to wait for, so nothing for the renderer to wait on.
pub fn use_posted<F>() -> Option<Posted<F>>
where
    F: Clone + serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    leptos::server::SharedValue::new(use_context::<Posted<F>>).into_inner()
}
