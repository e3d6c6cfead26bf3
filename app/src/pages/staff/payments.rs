//! 缴费管理: money owed back to candidates (待退款) at the sites the account may see, each
//! with 已退款 to record that it was paid back (a plain form: the same with JavaScript on
//! and off).

use super::config::BackToConsole;
use super::Loading;
use crate::api::staff::get_staff_payments_page;
use crate::components::layout::{DataTable, LoadProblem, NoticeBanner};
use crate::urls;
use crate::validation::subjects::yuan;
use crate::views::staff::{PaymentsPage, RefundRow};
use leptos::prelude::*;
use leptos_meta::Title;

const TITLE: &str = "缴费管理：待退款";

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

#[component]
fn Desk(page: PaymentsPage) -> impl IntoView {
    let empty = page.refunds.is_empty();
    let rows = page.refunds.into_iter().map(refund_row).collect_view();
    view! {
        <BackToConsole />
        <NoticeBanner />
        <h1>{TITLE}</h1>
        <p>"支付平台收到、但不能用于缴费的款项（订单关闭后才到账，或同一订单重复付款），须原路退还考生。在支付平台退款后，点“已退款”记录；记录写入操作记录。这里不能把任何订单改为已支付：只有支付平台的通知或查询结果可以。"</p>
        {empty.then(|| view! { <p>"没有待退款的款项。"</p> })}
        <DataTable testid="refund-table" headers=&["订单号", "交易号", "报名号", "姓名", "考点", "金额", "支付方式", "原因", "到账时间（北京时间）", "状态"]>{rows}</DataTable>
    }
}
