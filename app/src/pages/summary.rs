//! After the identity step: what was saved, with the number masked and the birth date and
//! gender the number encodes, and what normalisation changed.

use crate::api::identity::get_identity_summary;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SummaryPage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_identity_summary());
    view! {
        <Title text="证件信息" />
        <h1>"证件信息采集"</h1>
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => match summary {
                        Some(s) => view! {
                            <div class="panel panel--success" role="status">
                                <h2>"证件信息已保存"</h2>
                            </div>
                            <dl class="summary-list">
                                <div><dt>"证件类型"</dt><dd>{s.doc_type}</dd></div>
                                <div><dt>"证件号码"</dt><dd data-testid="masked-number">{s.masked_number}</dd></div>
                                <div><dt>"姓名"</dt><dd>{s.name}</dd></div>
                                <div><dt>"出生日期"</dt><dd>{s.birth_date.unwrap_or_default()}</dd></div>
                                <div><dt>"性别"</dt><dd>{s.gender.unwrap_or_default()}</dd></div>
                            </dl>
                            {(!s.notes.is_empty()).then(|| view! {
                                <div class="notice">
                                    <p>"为便于核对，系统对您的输入做了以下处理："</p>
                                    <ul>
                                        {s.notes.iter().map(|n| view! {
                                            <li>{format!("{}：{}", field_label(&n.field), n.message(Default::default()))}</li>
                                        }).collect_view()}
                                    </ul>
                                </div>
                            })}
                            <p class="actions">
                                <a class="button button--secondary" href="/register/identity">"修改证件信息"</a>
                                <a href="/">"返回首页"</a>
                            </p>
                        }.into_any(),
                        None => view! {
                            <p>"您还没有填写证件信息。"</p>
                            <p><a class="button" href="/register/agreement">"开始报名"</a></p>
                        }.into_any(),
                    },
                    Err(error) => view! { <crate::components::layout::LoadProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn field_label(field: &str) -> &'static str {
    use crate::validation::identity::{DOC_NUMBER, DOC_TYPE, NAME};
    [DOC_TYPE, DOC_NUMBER, NAME].into_iter().find(|s| s.name == field).map(|s| s.label).unwrap_or("")
}
