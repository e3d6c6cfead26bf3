//! 对账报告: a day's orders at the account's sites compared with the payment platform's own
//! answer, every difference in words (a GET form for the day: the same with JavaScript on and
//! off). It only reads; nothing here changes an order.

use super::config::BackToConsole;
use super::Loading;
use crate::api::staff::get_staff_reconcile_page;
use crate::components::layout::{DataTable, LoadProblem};
use crate::urls;
use crate::validation::subjects::yuan;
use crate::views::staff::ReconcilePage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "对账报告";

#[component]
pub fn StaffReconcilePage() -> impl IntoView {
    let day = use_query_map().with_untracked(|q| q.get("day").unwrap_or_default());
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let day = day.clone();
                Suspend::new(async move {
                    match get_staff_reconcile_page(day).await {
                        Ok(page) => view! { <Report page /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Report(page: ReconcilePage) -> impl IntoView {
    let none = page.differences.is_empty();
    let rows = page
        .differences
        .into_iter()
        .map(|d| {
            view! {
                <tr data-testid="reconcile-diff">
                    <td>{d.order_no}</td>
                    <td>{d.created.to_string()}</td>
                    <td>{yuan(d.amount_fen)}</td>
                    <td>{d.ours}</td>
                    <td>{d.words}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <BackToConsole />
        <p class="breadcrumb"><a href=urls::STAFF_PAYMENTS>"缴费管理"</a></p>
        <h1>{TITLE}</h1>
        <form method="get" action=urls::STAFF_RECONCILE class="filters">
            <div class="field">
                <label class="field__label" for="day">"日期（北京时间，订单创建日）"</label>
                <input class="field__input" type="date" id="day" name="day" value=page.day.clone() />
            </div>
            <button class="button button--secondary" type="submit">"生成报告"</button>
        </form>
        <p>"把这一天创建的每一笔订单向支付平台查询一次，与我方记录逐笔核对。报告只读：不会更改任何订单。"</p>
        <dl class="summary-list" data-testid="reconcile-summary">
            <div><dt>"我方已缴费"</dt><dd>{format!("{}笔，{}", page.ours_paid, yuan(page.ours_fen))}</dd></div>
            <div><dt>"支付平台已收款"</dt><dd>{format!("{}笔，{}", page.platform_paid, yuan(page.platform_fen))}</dd></div>
            <div><dt>"一致"</dt><dd data-testid="reconcile-matched">{format!("{}笔", page.matched)}</dd></div>
            <div><dt>"无法查询"</dt><dd>{format!("{}笔", page.unreachable)}</dd></div>
        </dl>
        <h2>"差异"</h2>
        {none.then(|| view! { <p data-testid="reconcile-none">"没有差异。"</p> })}
        <DataTable testid="reconcile-table" headers=&["订单号", "创建时间（北京时间）", "金额", "我方状态", "差异"]>{rows}</DataTable>
    }
}
