//! 考生查询 and one candidate's page: server-rendered, a GET form for the search (the same
//! with JavaScript on and off, no script), the results 50 to a page, and a registration's
//! page with what it holds, its orders and its history from the audit trail.

use super::config::BackToConsole;
use super::trail::row_view;
use super::{candidate_filter, Loading};
use crate::api::staff::{get_staff_candidate_page, get_staff_candidates_page};
use crate::components::layout::{DataTable, LoadProblem};
use crate::domain::Gender;
use crate::urls;
use crate::validation::subjects::yuan;
use crate::views::staff::{CandidatePage, CandidateQuery, CandidateRow, CandidatesPage};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "考生查询";

#[component]
pub fn StaffCandidatesPage() -> impl IntoView {
    let q = use_query_map();
    let query = q.with_untracked(|q| CandidateQuery {
        q: q.get("q").unwrap_or_default(),
        site: q.get("site").unwrap_or_default(),
        subject: q.get("subject").unwrap_or_default(),
        paid: q.get("paid").unwrap_or_default(),
        review: q.get("review").unwrap_or_default(),
        page: q.get("page").and_then(|p| p.parse().ok()),
    });
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let query = query.clone();
                Suspend::new(async move {
                    match get_staff_candidates_page(query).await {
                        Ok(page) => view! { <Found page /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The search's URL for another page of the same results.
fn page_href(q: &CandidateQuery, page: u32) -> String {
    let page = page.to_string();
    let mut pairs = vec![("page", page.as_str())];
    pairs.extend(q.pairs());
    urls::with_query(urls::STAFF_CANDIDATES, &pairs)
}

fn subjects_words(r: &CandidateRow) -> String {
    r.subjects
        .iter()
        .map(|s| format!("({}){}{}", s.code, s.name, if s.paid { "（已缴费）" } else { "（未缴费）" }))
        .collect::<Vec<_>>()
        .join("、")
}

#[component]
fn Found(page: CandidatesPage) -> impl IntoView {
    let q = page.query.clone();
    let rows = page
        .rows
        .iter()
        .map(|r| {
            let href = format!("{}?id={}", urls::STAFF_CANDIDATE, r.registration);
            view! {
                <tr data-testid="candidate-row">
                    <td><a href=href>{r.neea_id.clone()}</a></td>
                    <td>{r.name.clone()}</td>
                    <td>{r.masked_number.clone()}</td>
                    <td>{r.site.clone().unwrap_or_else(|| "（未选择）".into())}</td>
                    <td>{subjects_words(r)}</td>
                    <td>{if r.locked { "已锁定" } else { "可修改" }}</td>
                </tr>
            }
        })
        .collect_view();
    let prev = (page.page > 1).then(|| view! { <a href=page_href(&q, page.page - 1)>"上一页"</a> });
    let next = (page.page < page.pages).then(|| view! { <a href=page_href(&q, page.page + 1)>"下一页"</a> });
    view! {
        <BackToConsole />
        <h1>{TITLE}</h1>
        <form method="get" action=urls::STAFF_CANDIDATES class="filters" data-testid="candidate-search">
            {candidate_filter(&q, &page.sites, &page.subjects)}
            <button class="button button--secondary" type="submit">"查询"</button>
        </form>
        <p data-testid="candidate-total">{format!("共{}名考生，第{}/{}页", page.total, page.page, page.pages)}</p>
        {page.rows.is_empty().then(|| view! { <p>"没有符合条件的考生。"</p> })}
        <DataTable testid="candidate-table" headers=&["报名号", "姓名", "证件号码", "考点", "报考科目", "报名信息"]>{rows}</DataTable>
        <p class="pager">{prev}" "{next}</p>
        <p><a class="button button--secondary" href=export_href(&q) data-testid="export-filtered">"导出当前筛选结果"</a></p>
    }
}

/// The export form for the same filter.
fn export_href(q: &CandidateQuery) -> String {
    urls::with_query(urls::STAFF_EXPORT, &q.pairs())
}

#[component]
pub fn StaffCandidatePage() -> impl IntoView {
    let id = use_query_map().with_untracked(|q| q.get("id").and_then(|i| i.parse::<i32>().ok())).unwrap_or(0);
    view! {
        <Title text="考生报名信息" />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match get_staff_candidate_page(id).await {
                    Ok(page) => view! { <Candidate page /> }.into_any(),
                    Err(error) => view! { <BackToConsole /><h1>"考生报名信息"</h1><LoadProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Candidate(page: CandidatePage) -> impl IntoView {
    let r = page.row;
    let gender = page.gender.as_deref().and_then(Gender::from_code).map_or("（未填写）", Gender::label_zh);
    let school = page
        .school
        .into_iter()
        .map(|(label, value)| view! { <div><dt>{label}</dt><dd>{value}</dd></div> })
        .collect_view();
    let orders = page
        .orders
        .into_iter()
        .map(|o| {
            let status = match o.status.as_str() {
                "paid" => "已支付",
                "open" => "待支付",
                _ => "已关闭",
            };
            view! { <tr><td>{o.order_no}</td><td>{status}</td><td>{yuan(o.amount_fen)}</td><td>{o.created.to_string()}</td></tr> }
        })
        .collect_view();
    let empty = page.history.is_empty();
    let history = page.history.into_iter().map(row_view).collect_view();
    let subjects = subjects_words(&r);
    view! {
        <BackToConsole />
        <p class="breadcrumb"><a href=urls::STAFF_CANDIDATES>"考生查询"</a></p>
        <h1>{format!("{}（{}）", r.name, r.neea_id)}</h1>
        <dl class="summary-list" data-testid="candidate-summary">
            <div><dt>"证件号码"</dt><dd>{r.masked_number}</dd></div>
            <div><dt>"电子邮箱"</dt><dd>{page.email}</dd></div>
            <div><dt>"性别"</dt><dd>{gender}</dd></div>
            <div><dt>"出生日期"</dt><dd>{page.birth_date.unwrap_or_else(|| "（未填写）".into())}</dd></div>
            {school}
            <div><dt>"考点"</dt><dd>{r.site.unwrap_or_else(|| "（未选择）".into())}</dd></div>
            <div><dt>"报考科目"</dt><dd data-testid="candidate-subjects">{subjects}</dd></div>
            <div><dt>"报名信息"</dt><dd>{if r.locked { "已锁定" } else { "可修改" }}</dd></div>
        </dl>
        <h2>"订单"</h2>
        <DataTable testid="candidate-orders" headers=&["订单号", "状态", "金额", "创建时间（北京时间）"]>{orders}</DataTable>
        <h2>"操作记录"</h2>
        {empty.then(|| view! { <p>"还没有记录。"</p> })}
        <DataTable testid="candidate-history" headers=&["时间（北京时间）", "操作人", "地址", "操作", "对象", "内容（原值 → 新值）"]>{history}</DataTable>
    }
}
