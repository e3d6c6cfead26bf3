//! What was measured of a saved photo, in plain words: the figures, and what looks off for
//! the site's background requirement. The candidate reads it as advice on the photo page;
//! staff read the same on the review card.

use crate::domain::photo::Background;
use crate::domain::photo_facts::PhotoFacts;
use leptos::prelude::*;

#[component]
pub fn PhotoFactsList(
    facts: PhotoFacts,
    wanted: Background,
    #[prop(default = "照片检查结果（仅供参考）")] title: &'static str,
) -> impl IntoView {
    let findings = facts.findings(wanted);
    let verdict = if findings.is_empty() {
        view! { <p data-testid="photo-findings">"没有发现明显的问题。是否合格以考点审核为准。"</p> }.into_any()
    } else {
        let items = findings.into_iter().map(|f| view! { <li>{f.words()}</li> }).collect_view();
        view! { <ul class="photo-facts__findings" data-testid="photo-findings">{items}</ul> }.into_any()
    };
    let lines = facts.lines().into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view();
    view! {
        <section class="photo-facts" data-testid="photo-facts">
            <h3>{title}</h3>
            {verdict}
            <dl class="summary-list">{lines}</dl>
        </section>
    }
}
