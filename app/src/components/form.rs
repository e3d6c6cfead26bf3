//! The client-side state every step form shares: which fields the user has left (errors
//! show only for those while typing), the errors and the non-field problem, sending the
//! form and what to do with the server's answer. The rules themselves are the step's
//! `parse`.

use super::remote;
use crate::validation::FieldErrors;
use crate::views::{AppError, Next, Posted, Refusal};
use leptos::html::Div;
use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::Title;

#[derive(Clone, Copy)]
pub struct FormState {
    pub errors: RwSignal<FieldErrors>,
    pub problem: RwSignal<Option<AppError>>,
    touched: RwSignal<Vec<String>>,
    pub summary: NodeRef<Div>,
    /// The page was rendered by the server after a refused post.
    pub from_server: bool,
    /// A submit is on its way to the server (the button waits).
    pub sending: RwSignal<bool>,
}

impl FormState {
    pub fn new(refusal: Option<&Refusal>) -> Self {
        let touched = refusal.map(|p| p.errors.iter().map(|e| e.field.clone()).collect()).unwrap_or_default();
        Self {
            errors: RwSignal::new(refusal.map(|p| p.errors.clone()).unwrap_or_default()),
            problem: RwSignal::new(refusal.and_then(|p| p.problem.clone())),
            touched: RwSignal::new(touched),
            summary: NodeRef::new(),
            from_server: refusal.is_some(),
            sending: RwSignal::new(false),
        }
    }

    /// Sends a valid form to the server function at `path` (`args` is its argument struct)
    /// and follows the answer: on to the next page with a full page load, or the refusal
    /// shown as the browser's own (after `refused`, which forgets what must not stay).
    pub fn send<A>(&self, path: &'static str, args: A, refused: impl Fn() + 'static)
    where
        A: serde::Serialize + 'static,
    {
        let state = *self;
        state.sending.set(true);
        leptos::task::spawn_local(async move {
            let result = remote::post::<A, Next>(path, &args).await;
            state.sending.set(false);
            if matches!(&result, Err(e) if !matches!(e, AppError::StepOrder { .. })) {
                refused();
            }
            state.handle_result(result);
        });
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
    pub fn handle_result(&self, result: Result<Next, AppError>) {
        match result {
            Ok(Next { url }) => load_page(&url),
            Err(AppError::StepOrder { go_to }) => load_page(&go_to),
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

/// The service's name after every page title (`首页 - NCRE考试报名系统`).
pub const SITE_TITLE: &str = "NCRE考试报名系统";

/// A page's whole title as the browser shows it.
pub fn full_title(page: &str) -> String {
    format!("{page} - {SITE_TITLE}")
}

/// The title a step shows: prefixed `错误：` while the form shows errors (GOV.UK pattern).
fn step_title(title: &str, errors: &FieldErrors) -> String {
    if errors.is_empty() {
        title.to_owned()
    } else {
        format!("错误：{title}")
    }
}

/// The page title of a step form. The server renders it once into `<head>`, as a plain
/// string (leptos_meta fills in `<head>` after the page's reactive arena may have been left:
/// a signal read there would panic). In the browser the form is an island without the
/// server's meta context, so the title follows the errors by setting `document.title`.
#[component]
pub fn StepTitle(title: &'static str, state: FormState) -> impl IntoView {
    // Both sides leave one empty marker (`()`) in the island, so the browser's tree lines up
    // with the server's.
    #[cfg(feature = "ssr")]
    {
        let text = step_title(title, &state.errors.get_untracked());
        (view! { <Title text /> }, ())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let errors = state.errors;
        Effect::new(move |_| {
            let text = errors.with(|e| full_title(&step_title(title, e)));
            document().set_title(&text);
        });
    }
}

/// The refused form of a no-JS post, from the server's render context (`server::forms`).
/// Pages run on the server only; the form island gets it as a prop.
pub fn use_posted<F>() -> Option<Posted<F>>
where
    F: Clone + Send + Sync + 'static,
{
    use_context::<Posted<F>>()
}

/// Where a form island starts: the refused post's values and refusal, or `fresh` values.
pub fn start<F>(posted: Option<Posted<F>>, fresh: impl FnOnce() -> F) -> (F, Option<Refusal>) {
    match posted {
        Some(p) => {
            let (values, refusal) = p.split();
            (values, Some(refusal))
        }
        None => (fresh(), None),
    }
}

/// One form's client side in one place: the values, the step's shared rule, normalisation
/// notes, and the callbacks fields need. `check` and `normalize` are the very functions
/// the server runs (through the step's `parse`).
pub struct FormKit<F: Send + Sync + 'static> {
    pub form: RwSignal<F>,
    pub state: FormState,
    pub notes: RwSignal<Vec<crate::validation::FieldNote>>,
    pub ctx: crate::validation::Ctx,
    check: StoredValue<Check<F>>,
    normalize: fn(&F) -> (F, Vec<crate::validation::FieldNote>),
    forget: fn(&F) -> F,
}

/// A step's rule as the form runs it (it may hold page data, such as the sites offered).
type Check<F> = Box<dyn Fn(&F, &crate::validation::Ctx) -> FieldErrors + Send + Sync>;

impl<F: Send + Sync + 'static> Clone for FormKit<F> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<F: Send + Sync + 'static> Copy for FormKit<F> {}

impl<F: Clone + Send + Sync + 'static> FormKit<F> {
    pub fn new(
        initial: F,
        refusal: Option<&Refusal>,
        ctx: crate::validation::Ctx,
        check: impl Fn(&F, &crate::validation::Ctx) -> FieldErrors + Send + Sync + 'static,
        normalize: fn(&F) -> (F, Vec<crate::validation::FieldNote>),
    ) -> Self {
        Self {
            form: RwSignal::new(initial),
            state: FormState::new(refusal),
            notes: RwSignal::new(refusal.map(|p| p.notes.clone()).unwrap_or_default()),
            ctx,
            check: StoredValue::new(Box::new(check)),
            normalize,
            forget: F::clone,
        }
    }

    /// What the form keeps after the server refuses it: the same as the server's own
    /// re-render, so passwords are emptied with JavaScript on as with it off.
    pub fn forgetting(mut self, forget: fn(&F) -> F) -> Self {
        self.forget = forget;
        self
    }

    /// Sends the form (already checked) to the server function at `path`; a refusal also
    /// forgets what the form must not keep (passwords), as the no-JS re-render does.
    pub fn send<A>(&self, path: &'static str, args: A)
    where
        A: serde::Serialize + 'static,
    {
        let kit = *self;
        self.state.send(path, args, move || kit.form.update(|f| *f = (kit.forget)(f)));
    }

    fn recheck(&self) {
        let errors = self.form.with_untracked(|f| self.check.with_value(|check| check(f, &self.ctx)));
        self.state.show_touched(errors);
    }

    pub fn value(&self, get: fn(&F) -> &String) -> Signal<String> {
        let form = self.form;
        Signal::derive(move || form.with(|f| get(f).clone()))
    }

    /// Typing: the value changes; a field already left is checked again at once.
    pub fn on_input(&self, field: &'static str, set: fn(&mut F, String)) -> Callback<String> {
        let kit = *self;
        Callback::new(move |v: String| {
            kit.form.update(|f| set(f, v));
            if kit.state.is_touched(field) {
                kit.recheck();
            }
        })
    }

    /// A tick box (`Some` while ticked, as a form posts it).
    pub fn ticked(&self, get: fn(&F) -> &Option<String>) -> Signal<bool> {
        let form = self.form;
        Signal::derive(move || form.with(|f| get(f).as_deref().is_some_and(|v| !v.is_empty())))
    }

    /// Ticking or clearing a box: a choice, left at once.
    pub fn on_tick(&self, field: &'static str, set: fn(&mut F, Option<String>)) -> Callback<bool> {
        let kit = *self;
        Callback::new(move |on: bool| {
            kit.form.update(|f| set(f, on.then(|| "on".to_owned())));
            kit.state.touch(field);
            kit.recheck();
        })
    }

    /// A choice counts as left at once.
    pub fn on_choose(&self, field: &'static str, set: fn(&mut F, String)) -> Callback<String> {
        let kit = *self;
        Callback::new(move |v: String| {
            kit.form.update(|f| set(f, v));
            kit.state.touch(field);
            kit.recheck();
        })
    }

    /// Leaving a field: the form is normalised in place (the user sees what will be saved),
    /// the field's notes say what changed, and its verdict shows from now on.
    pub fn on_leave(&self, field: &'static str) -> Callback<()> {
        let kit = *self;
        Callback::new(move |_| {
            kit.state.touch(field);
            let (normalized, changes) = kit.form.with_untracked(|f| (kit.normalize)(f));
            kit.form.set(normalized);
            kit.notes.update(|n| {
                n.retain(|x| x.field != field);
                n.extend(changes.into_iter().filter(|c| c.field == field));
            });
            kit.recheck();
        })
    }

    pub fn notes_of(&self, field: &'static str) -> Signal<Vec<&'static str>> {
        let (notes, lang) = (self.notes, self.ctx.lang);
        Signal::derive(move || {
            notes.with(|n| n.iter().filter(|x| x.field == field).map(|x| x.message(lang)).collect::<Vec<_>>())
        })
    }

    /// A submit the browser posts itself (the no-JS path, with the checks as typed before
    /// it): stopped, with every error shown, while the shared rule refuses the form.
    pub fn guard_post(&self, ev: &leptos::ev::SubmitEvent) {
        let errors = self.form.with_untracked(|f| self.check.with_value(|check| check(f, &self.ctx)));
        if !errors.is_empty() {
            ev.prevent_default();
            self.state.refuse(errors);
        }
    }

    /// A submit: refused with every error shown, or the form to send.
    pub fn submit(&self, ev: &leptos::ev::SubmitEvent) -> Option<F> {
        ev.prevent_default();
        let current = self.form.get_untracked();
        let errors = self.check.with_value(|check| check(&current, &self.ctx));
        if errors.is_empty() {
            Some(current)
        } else {
            self.state.refuse(errors);
            None
        }
    }
}

/// Goes to `url` with a full page load, so everything on the page (the header's signed-in
/// state too) comes fresh from the server.
pub fn load_page(url: &str) {
    let _ = window().location().set_href(url);
}
