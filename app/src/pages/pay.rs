//! Screen 8, 缴费确认, and the payment result (缴费结果). The confirmation sends the browser
//! to the payment platform; the result page says where the money is in plain words and
//! offers 更新 while the platform has not confirmed. Both work without JavaScript (plain
//! form posts); with it, the result page checks again by itself while 处理中.

use crate::api::payment::{get_pay_page, get_payment_page, StartPayment};
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::CheckboxField;
use crate::components::form::{start, use_posted, FormState, StepTitle};
use crate::components::layout::{LoadProblem, ProblemBanner};
use crate::urls;
use crate::validation::payment::{PayForm, CONFIRM};
use crate::validation::Ctx;
use crate::views::payment::{OrderState, PayPage as PayData, PaymentPage};
use crate::views::Refusal;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

pub const PAY_TITLE: &str = "缴费确认";
pub const RESULT_TITLE: &str = "缴费结果";

#[component]
pub fn PayPage() -> impl IntoView {
    let posted = use_posted::<PayForm>();
    view! {
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    match get_pay_page().await {
                        Ok(page) => {
                            let (form, refusal) = start(posted, PayForm::default);
                            view! { <ClientNeeded bundle="pay" /> <PayStep page form refusal /> }.into_any()
                        }
                        Err(error) => view! {
                            <Title text=PAY_TITLE />
                            <h1>{PAY_TITLE}</h1>
                            <LoadProblem error />
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_pay, island)]
#[cfg_attr(not(island_pay), component)]
fn PayStep(page: PayData, form: PayForm, refusal: Option<Refusal>) -> impl IntoView {
    let state = FormState::new(refusal.as_ref());
    let confirmed = RwSignal::new(form.confirm.as_deref() == Some("yes"));
    let form = move || PayForm { confirm: confirmed.get_untracked().then(|| "yes".to_owned()) };
    // The rule does not depend on the date; the context is only for the language.
    let ctx = Ctx::new(crate::domain::Date::EPOCH);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form().parse(&ctx) {
            Err(errors) => state.refuse(errors),
            Ok(_) => {
                state.send(StartPayment::PATH, StartPayment { form: form() }, || ());
            }
        }
    };
    let on_change = Callback::new(move |checked: bool| {
        confirmed.set(checked);
        state.touch(CONFIRM.name);
        state.show_touched(form().parse(&ctx).err().unwrap_or_default());
    });
    let lines = page
        .lines
        .iter()
        .map(|l| view! { <tr><td>{l.level.clone()}</td><td>{l.subject.clone()}</td><td>{l.fee.clone()}</td></tr> })
        .collect_view();
    let open = page.open_order.clone().map(|o| {
        view! {
            <div class="notice" data-testid="open-order">
                <p>{format!(
                    "您已有一笔待支付的订单 {}（{}），请在 {} 前完成支付。点击“去支付”将继续这笔订单，不会重复收费。",
                    o.order_no, o.amount, o.pay_by
                )}</p>
            </div>
        }
    });
    let blocked = page.blocked.clone();
    view! {
        <StepTitle title=PAY_TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{PAY_TITLE}</h1>
        <dl class="summary-list">
            <div><dt>"姓名"</dt><dd>{page.identity.name.clone()}</dd></div>
            <div><dt>"证件号码"</dt><dd>{page.identity.masked_number.clone()}</dd></div>
            <div><dt>"考点"</dt><dd>{page.site.clone()}</dd></div>
        </dl>
        <table class="table" data-testid="pay-table">
            <caption>"本次缴费科目"</caption>
            <thead><tr><th scope="col">"级别"</th><th scope="col">"科目"</th><th scope="col">"费用(元)"</th></tr></thead>
            <tbody>{lines}</tbody>
        </table>
        <p class="total" data-testid="total">{format!("合计：{}", page.total)}</p>
        {open}
        <section class="panel" aria-labelledby="pay-rules">
            <h2 id="pay-rules">"缴费须知"</h2>
            <ul>
                <li>"开始缴费后报名信息锁定，个人信息和照片不能再修改。"</li>
                <li>"缴费成功的科目不能取消、不能更换考点，考试费不予退还。"</li>
                {page.deadline.clone().map(|d| view! {
                    <li>{format!("请在 {d} 前完成缴费，逾期未缴费的科目将被删除并退回名额。")}</li>
                })}
                <li>"付款后如页面仍显示“处理中”，请不要重复付款：系统会自动向支付平台确认，您也可以点击“更新”。"</li>
            </ul>
        </section>
        {match blocked {
            Some(reason) => Either::Left(view! {
                <p class="notice" data-testid="read-only">{reason}</p>
                <p class="actions"><a class="button button--secondary" href=urls::STATUS>"返回"</a></p>
            }),
            None => Either::Right(view! {
                <form method="post" action=urls::PAY novalidate on:submit=on_submit>
                    <CheckboxField spec=CONFIRM value="yes" checked=confirmed on_change errors=state.errors />
                    <p class="actions">
                        <button class="button" type="submit" disabled=move || state.sending.get()>"去支付"</button>
                        <a class="button button--secondary" href=urls::STATUS>"取消"</a>
                    </p>
                </form>
            }),
        }}
    }
}

#[component]
pub fn PaymentResultPage() -> impl IntoView {
    view! {
        <Title text=RESULT_TITLE />
        <h1>{RESULT_TITLE}</h1>
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match get_payment_page().await {
                    // Only a result still 处理中 needs the client (to look again by itself).
                    Ok(data) if data.pending => view! { <ClientNeeded bundle="pay" /> <PendingPayment data /> }.into_any(),
                    Ok(data) => view! { <PaymentBody data /> }.into_any(),
                    Err(error) => view! { <LoadProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A payment the platform has not confirmed yet: with JavaScript the page asks again every
/// 3 s and shows the answer in place; without, 更新 does the same by a plain post.
#[cfg_attr(island_pay, island)]
#[cfg_attr(not(island_pay), component)]
fn PendingPayment(data: PaymentPage) -> impl IntoView {
    let data = RwSignal::new(data);
    #[cfg(target_arch = "wasm32")]
    {
        use crate::api::payment::GetPaymentPage;
        use crate::components::remote;

        fn look_again(data: RwSignal<PaymentPage>) {
            set_timeout(
                move || {
                    leptos::task::spawn_local(async move {
                        let fresh = remote::get::<PaymentPage>(GetPaymentPage::PATH).await;
                        let pending = fresh.as_ref().map_or(true, |p| p.pending);
                        if let Ok(fresh) = fresh {
                            data.set(fresh);
                        }
                        if pending {
                            look_again(data);
                        }
                    });
                },
                std::time::Duration::from_secs(3),
            );
        }
        look_again(data);
    }
    move || view! { <PaymentBody data=data.get() /> }
}

#[component]
fn PaymentBody(data: PaymentPage) -> impl IntoView {
    let words = data.words.iter().map(|w| view! { <p>{w.clone()}</p> }).collect_view();
    let orders = data
        .orders
        .iter()
        .map(|o| {
            let state = match o.state {
                OrderState::Paid => "已支付",
                OrderState::Pending => "处理中",
                OrderState::Closed => "已关闭",
            };
            view! {
                <tr>
                    <td>{o.order_no.clone()}</td>
                    <td>{o.subjects.join("、")}</td>
                    <td>{o.amount.clone()}</td>
                    <td>{state}</td>
                    <td>{o.method.clone().unwrap_or_default()}</td>
                    <td>{o.paid_at.clone().unwrap_or_else(|| o.created.clone())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="panel" data-testid="money" aria-label="缴费情况">{words}</section>
        <table class="table" data-testid="orders">
            <caption>"订单"</caption>
            <thead>
                <tr>
                    <th scope="col">"订单号"</th><th scope="col">"科目"</th><th scope="col">"金额"</th>
                    <th scope="col">"状态"</th><th scope="col">"支付方式"</th><th scope="col">"时间"</th>
                </tr>
            </thead>
            <tbody>{orders}</tbody>
        </table>
        <div class="actions">
            {data.pending.then(|| view! {
                <form method="post" action=urls::PAYMENT_RESULT class="inline-form">
                    <button class="button" type="submit">"更新"</button>
                </form>
            })}
            <a class="button button--secondary" href=urls::STATUS>"返回报名信息"</a>
        </div>
    }
}
