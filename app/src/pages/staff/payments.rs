//! 缴费管理: money owed back to candidates (待退款) at the sites the account may see, each
//! with 已退款 to record that it was paid back, and their orders by state a page at a time,
//! each open one with 向支付平台查询 (plain forms and links: the same with JavaScript on and
//! off).

use super::config::BackToConsole;
use super::{select_options, Loading};
use crate::api::staff::get_staff_payments_page;
use crate::components::layout::{DataTable, LoadProblem, NoticeBanner};
use crate::urls;
use crate::validation::subjects::yuan;
use crate::views::staff::{OrderListQuery, OrderRow, PaymentsPage, RefundRow, ORDER_FILTERS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "缴费管理";

#[component]
pub fn StaffPaymentsPage() -> impl IntoView {
    let query = use_query_map().with_untracked(|q| OrderListQuery {
        status: q.get("status").unwrap_or_default(),
        page: q.get("page").and_then(|p| p.parse().ok()),
    });
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let query = query.clone();
                Suspend::new(async move {
                    match get_staff_payments_page(query).await {
                        Ok(page) => view! { <Desk page /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn orders_href(status: &str, page: u32) -> String {
    let page = page.to_string();
    urls::with_query(urls::STAFF_PAYMENTS, &[("status", status), ("page", page.as_str())])
}

fn refund_row(r: RefundRow) -> impl IntoView {
    let state = match r.refunded {
        Some(at) => view! { <span data-testid="refund-state">{format!("已退款（{at}）")}</span> }.into_any(),
        None => view! {
            <span data-testid="refund-state">"待退款"</span>
            <form method="post" action=urls::STAFF_REFUND class="inline-form">
                <input type="hidden" name="payment" value=r.payment.to_string() />
                <button type="submit" class="button button--secondary button--small" data-testid="record-refund">"已退款"</button>
            </form>
        }
        .into_any(),
    };
    let href = format!("{}?id={}", urls::STAFF_CANDIDATE, r.registration);
    let order = r.order_no.clone();
    view! {
        <tr data-testid="refund-row" data-order=order>
            <td>{r.order_no}</td>
            <td>{r.trade_no}</td>
            <td><a href=href>{r.neea_id}</a></td>
            <td>{r.name}</td>
            <td>{r.site.unwrap_or_default()}</td>
            <td>{yuan(r.amount_fen)}</td>
            <td>{r.method}</td>
            <td>{r.reason}</td>
            <td>{r.received.to_string()}</td>
            <td>{state}</td>
        </tr>
    }
}

/// One order of the list: an open one with 向支付平台查询, a paid one with its trade, a
/// closed one with when it closed.
fn order_row(o: OrderRow, open: bool) -> impl IntoView {
    let href = format!("{}?id={}", urls::STAFF_CANDIDATE, o.registration);
    let order = o.order_no.clone();
    let last = if open {
        view! {
            <td>
                <form method="post" action=urls::STAFF_ORDER_QUERY class="inline-form">
                    <input type="hidden" name="order" value=o.order.to_string() />
                    <button type="submit" class="button button--secondary button--small" data-testid="query-order">"向支付平台查询"</button>
                </form>
            </td>
        }
        .into_any()
    } else {
        let trade = [o.method.clone(), o.trade_no.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ");
        view! {
            <td>{o.settled.map(|m| m.to_string()).unwrap_or_default()}</td>
            <td>{trade}</td>
        }
        .into_any()
    };
    view! {
        <tr data-testid=if open { "open-order" } else { "order-row" } data-order=order>
            <td>{o.order_no}</td>
            <td><a href=href>{o.neea_id}</a></td>
            <td>{o.name}</td>
            <td>{o.site.unwrap_or_default()}</td>
            <td>{yuan(o.amount_fen)}</td>
            <td>{o.created.to_string()}</td>
            {last}
        </tr>
    }
}

#[component]
fn Desk(page: PaymentsPage) -> impl IntoView {
    let empty = page.refunds.is_empty();
    let rows = page.refunds.into_iter().map(refund_row).collect_view();
    let status = page.status.clone();
    let open = status == "open";
    let none = page.orders.is_empty();
    let orders = page.orders.into_iter().map(|o| order_row(o, open)).collect_view();
    let words = ORDER_FILTERS.iter().find(|(c, _)| *c == status).map_or("", |(_, w)| *w);
    let choices = ORDER_FILTERS.iter().map(|(c, w)| ((*c).to_owned(), (*w).to_owned())).collect();
    let prev = (page.page > 1).then(|| view! { <a href=orders_href(&status, page.page - 1)>"上一页"</a> });
    let next = (page.page < page.pages).then(|| view! { <a href=orders_href(&status, page.page + 1)>"下一页"</a> });
    let table = if open {
        view! { <DataTable testid="open-orders" headers=&["订单号", "报名号", "姓名", "考点", "金额", "创建时间（北京时间）", "操作"]>{orders}</DataTable> }.into_any()
    } else {
        view! { <DataTable testid="orders" headers=&["订单号", "报名号", "姓名", "考点", "金额", "创建时间（北京时间）", "支付或关闭时间", "支付方式与交易号"]>{orders}</DataTable> }.into_any()
    };
    view! {
        <BackToConsole />
        <NoticeBanner />
        <h1>{TITLE}</h1>
        <p><a class="button button--secondary" href=urls::STAFF_RECONCILE data-testid="reconcile-link">"对账报告（按日与支付平台逐笔核对）"</a></p>
        <h2>"待退款"</h2>
        <p>"支付平台收到、但不能用于缴费的款项（订单关闭后才到账，或同一订单重复付款），须原路退还考生。在支付平台退款后，点“已退款”记录；记录写入操作记录。这里不能把任何订单改为已支付：只有支付平台的通知或查询结果可以。"</p>
        {empty.then(|| view! { <p>"没有待退款的款项。"</p> })}
        <DataTable testid="refund-table" headers=&["订单号", "交易号", "报名号", "姓名", "考点", "金额", "支付方式", "原因", "到账时间（北京时间）", "状态"]>{rows}</DataTable>
        <h2>"订单"</h2>
        <form method="get" action=urls::STAFF_PAYMENTS class="filters" data-testid="order-filter">
            <div class="field">
                <label class="field__label" for="status">"订单状态"</label>
                <select class="field__select" id="status" name="status">{select_options(choices, &status)}</select>
            </div>
            <button class="button button--secondary" type="submit">"查看"</button>
        </form>
        {open.then(|| view! { <p>"待支付：考生已去支付、支付平台还没有通知结果的订单。系统每分钟自动查询；需要立即知道结果时可以点“向支付平台查询”：已支付的记为已缴费，过了时间没有付款的关闭。"</p> })}
        <p data-testid="order-total">{format!("{words}订单共{}笔，第{}/{}页", page.total, page.page, page.pages)}</p>
        {none.then(|| view! { <p>{format!("没有{words}的订单。")}</p> })}
        {table}
        <p class="pager">{prev}" "{next}</p>
    }
}
