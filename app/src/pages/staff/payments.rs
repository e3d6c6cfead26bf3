//! 缴费管理: money owed back to candidates (待退款) at the sites the account may see, each
//! with 已退款 to record that it was paid back, and the orders still open, each with
//! 向支付平台查询 (plain forms: the same with JavaScript on and off).

use super::config::BackToConsole;
use super::Loading;
use crate::api::staff::get_staff_payments_page;
use crate::components::layout::{DataTable, LoadProblem, NoticeBanner};
use crate::urls;
use crate::validation::subjects::yuan;
use crate::views::staff::{OpenOrderRow, PaymentsPage, RefundRow};
use leptos::prelude::*;
use leptos_meta::Title;

const TITLE: &str = "缴费管理";

#[component]
pub fn StaffPaymentsPage() -> impl IntoView {
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match get_staff_payments_page().await {
                    Ok(page) => view! { <Desk page /> }.into_any(),
                    Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
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

fn open_row(o: OpenOrderRow) -> impl IntoView {
    let href = format!("{}?id={}", urls::STAFF_CANDIDATE, o.registration);
    let order = o.order_no.clone();
    view! {
        <tr data-testid="open-order" data-order=order>
            <td>{o.order_no}</td>
            <td><a href=href>{o.neea_id}</a></td>
            <td>{o.name}</td>
            <td>{o.site.unwrap_or_default()}</td>
            <td>{yuan(o.amount_fen)}</td>
            <td>{o.created.to_string()}</td>
            <td>
                <form method="post" action=urls::STAFF_ORDER_QUERY class="inline-form">
                    <input type="hidden" name="order" value=o.order.to_string() />
                    <button type="submit" class="button button--secondary button--small" data-testid="query-order">"向支付平台查询"</button>
                </form>
            </td>
        </tr>
    }
}

#[component]
fn Desk(page: PaymentsPage) -> impl IntoView {
    let empty = page.refunds.is_empty();
    let rows = page.refunds.into_iter().map(refund_row).collect_view();
    let none_open = page.open.is_empty();
    let open = page.open.into_iter().map(open_row).collect_view();
    view! {
        <BackToConsole />
        <NoticeBanner />
        <h1>{TITLE}</h1>
        <p><a class="button button--secondary" href=urls::STAFF_RECONCILE data-testid="reconcile-link">"对账报告（按日与支付平台逐笔核对）"</a></p>
        <h2>"待退款"</h2>
        <p>"支付平台收到、但不能用于缴费的款项（订单关闭后才到账，或同一订单重复付款），须原路退还考生。在支付平台退款后，点“已退款”记录；记录写入操作记录。这里不能把任何订单改为已支付：只有支付平台的通知或查询结果可以。"</p>
        {empty.then(|| view! { <p>"没有待退款的款项。"</p> })}
        <DataTable testid="refund-table" headers=&["订单号", "交易号", "报名号", "姓名", "考点", "金额", "支付方式", "原因", "到账时间（北京时间）", "状态"]>{rows}</DataTable>
        <h2>"待支付订单"</h2>
        <p>"考生已去支付、支付平台还没有通知结果的订单。系统每分钟自动查询；需要立即知道结果时可以点“向支付平台查询”：已支付的记为已缴费，过了时间没有付款的关闭。"</p>
        {none_open.then(|| view! { <p>"没有待支付的订单。"</p> })}
        <DataTable testid="open-orders" headers=&["订单号", "报名号", "姓名", "考点", "金额", "创建时间（北京时间）", "操作"]>{open}</DataTable>
    }
}
