//! 删除报名信息: a page that says what deleting does and asks once more (a plain form post,
//! so it works without JavaScript; with it, the same post goes through the server function).

use crate::api::journey::DeleteRegistration;
use crate::api::NoFields;
use crate::components::form::{load_page, use_posted, FormKit};
use crate::components::layout::ProblemBanner;
use crate::validation::FieldErrors;
use leptos::prelude::*;
use leptos_meta::Title;

pub const TITLE: &str = "删除报名信息";

#[component]
pub fn DeletePage() -> impl IntoView {
    let posted = use_posted::<NoFields>();
    let kit = FormKit::new(
        NoFields {},
        posted.as_ref(),
        crate::validation::Ctx::new(crate::domain::Date::EPOCH),
        |_, _| FieldErrors::new(),
        |f| (f.clone(), Vec::new()),
    );
    let action = ServerAction::<DeleteRegistration>::new();
    kit.follow(action, load_page);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            action.dispatch(DeleteRegistration { form });
        }
    };
    view! {
        <Title text=TITLE />
        <ProblemBanner message=kit.state.problem_message() />
        <h1>{TITLE}</h1>
        <p>"删除后，您本次考试的个人信息、照片和所报科目都会被删除，所报科目的名额退回考点。删除后可以在报名期间内重新报名。"</p>
        <p>"已缴费的报名信息不能删除。"</p>
        <form method="post" action="/register/delete" on:submit=on_submit class="actions">
            <button class="button button--warning" type="submit" disabled=move || action.pending().get()>"确认删除"</button>
            <a class="button button--secondary" href="/register/status">"取消"</a>
        </form>
    }
}
