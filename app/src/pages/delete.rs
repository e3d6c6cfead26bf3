//! 删除报名信息: a page that says what deleting does and asks once more. A plain form post,
//! with JavaScript on or off: there is nothing to check as the candidate types, so the page
//! needs no client (the answer is the status page, or this page again saying why not).

use crate::components::form::use_posted;
use crate::components::layout::ProblemBanner;
use crate::urls;
use crate::views::NoFields;
use leptos::prelude::*;
use leptos_meta::Title;

pub const TITLE: &str = "删除报名信息";

#[component]
pub fn DeletePage() -> impl IntoView {
    let problem = use_posted::<NoFields>().and_then(|p| p.problem).map(|p| p.user_message());
    view! {
        <Title text=TITLE />
        <ProblemBanner message=Signal::stored(problem) />
        <h1>{TITLE}</h1>
        <p>"删除后，您本次考试的个人信息、照片和所报科目都会被删除，所报科目的名额退回考点。删除后可以在报名期间内重新报名。"</p>
        <p>"已缴费的报名信息不能删除。"</p>
        <form method="post" action=urls::DELETE class="actions">
            <button class="button button--warning" type="submit">"确认删除"</button>
            <a class="button button--secondary" href=urls::STATUS>"取消"</a>
        </form>
    }
}
