//! Screen 7, 报名信息: the step chain with each step's state, the deadline of unpaid
//! subjects, the lock, the subject table, what the candidate may do now, and the notices.

use crate::api::journey::get_status_page;
use crate::components::form::use_posted;
use crate::components::layout::{LoadProblem, NoticeBanner};
use crate::urls;
use crate::views::journey::{ReviewStatus, ReviewView, StatusPage as PageData, TicketGate};
use crate::views::NoFields;
use leptos::prelude::*;
use leptos_meta::Title;

pub const TITLE: &str = "报名信息";

#[component]
pub fn StatusPage() -> impl IntoView {
    // A refused post of this page (申请审核 outside the window, say), rendered by the server.
    let refused = use_posted::<NoFields>().and_then(|p| p.problem).map(|p| {
        view! { <div class="problem-banner" role="alert" data-testid="status-refused"><p>{p.user_message()}</p></div> }
    });
    view! {
        <Title text=TITLE />
        <NoticeBanner />
        <h1>{TITLE}</h1>
        {refused}
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match get_status_page().await {
                    Ok(page) => view! { <StatusBody page /> }.into_any(),
                    Err(error) => view! { <LoadProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StatusBody(page: PageData) -> impl IntoView {
    let deadlines: Vec<String> = page.rows.iter().filter_map(|r| r.deadline.clone()).collect();
    let warning = deadlines.iter().min().map(|d| {
        view! {
            <div class="notice notice--warning" data-testid="deadline">
                <p>{format!(
                    "您有{}个科目尚未缴费。未缴费的科目将于 {d} 自动删除并退回名额，请在此之前完成缴费。",
                    deadlines.len()
                )}</p>
            </div>
        }
    });
    let steps = page
        .steps
        .iter()
        .map(|s| {
            view! {
                <li class="step-chain__step" class:step-chain__step--done=s.progress.done()>
                    <span class="step-chain__name">{s.step.words()}</span>
                    <span class="step-chain__state">{s.progress.words()}</span>
                </li>
            }
        })
        .collect_view();
    let rows = page
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            view! {
                <tr>
                    <td>{i + 1}</td>
                    <td>{r.line.subject.clone()}</td>
                    <td>{r.line.level.clone()}</td>
                    <td>{r.line.fee.clone()}</td>
                    <td>{r.payment.words()}</td>
                    <td>{if r.arranged { "已编排" } else { "未编排" }}</td>
                    <td>{r.channel.words()}</td>
                    <td>{r.site.clone()}</td>
                    <td>{r.room.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    // Each paid subject's 准考证: printable, or why not and from when.
    let tickets = page
        .rows
        .iter()
        .filter(|r| r.payment == crate::views::journey::SubjectPayment::Paid)
        .map(|r| {
            let link = (r.ticket == TicketGate::Printable).then(|| {
                let href = format!("{}?subject={}", urls::TICKET_PDF, r.code);
                view! { " " <a class="button button--secondary" href=href download data-testid="ticket-download">"下载准考证（PDF）"</a> }
            });
            view! { <li data-testid="ticket-state">{format!("{}：{}", r.line.subject, r.ticket.words())}{link}</li> }
        })
        .collect_view();
    let printable = page.rows.iter().filter(|r| r.ticket == TicketGate::Printable).count();
    let notices = if page.notices.is_empty() {
        view! { <p>"无考试通告信息!"</p> }.into_any()
    } else {
        page.notices
            .iter()
            .map(|n| {
                view! {
                    <article class="notice-item">
                        <h3>{format!("【{}】{}", if n.of_site { "考点通告" } else { "考试通告" }, n.title)}</h3>
                        <p class="field__hint">{n.published.clone()}</p>
                        <p>{n.body.clone()}</p>
                    </article>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        {warning}
        <section class="panel" aria-labelledby="rules-title">
            <h2 id="rules-title">"报名须知"</h2>
            <ul>
                <li>"报名信息在缴费前可以修改；开始缴费后报名信息锁定，不能再修改。"</li>
                <li>"选择科目后24小时内未缴费的科目将被自动删除，名额退回考点。"</li>
                <li>"缴费成功的科目不能取消，也不能更换考点，考试费不予退还。"</li>
            </ul>
        </section>
        <ol class="step-chain" aria-label="报名步骤">{steps}</ol>
        <section class="panel" aria-labelledby="candidate-title">
            <h2 id="candidate-title">"考生信息"</h2>
            <dl class="summary-list">
                <div><dt>"姓名"</dt><dd>{page.identity.name.clone()}</dd></div>
                <div><dt>"证件类型"</dt><dd>{super::doc_type_words(page.identity.doc_type)}</dd></div>
                <div><dt>"证件号码"</dt><dd data-testid="status-masked-number">{page.identity.masked_number.clone()}</dd></div>
                <div><dt>"考生号（NEEA ID）"</dt><dd>{page.neea_id.clone()}</dd></div>
                <div><dt>"考次"</dt><dd>{page.session_name.clone()}</dd></div>
                <div><dt>"考点"</dt><dd>{page.site.clone().unwrap_or_else(|| "未选择".into())}</dd></div>
                <div><dt>"网上报名时间"</dt><dd>{page.window.clone().unwrap_or_default()}</dd></div>
                <div><dt>"信息锁定状态"</dt><dd data-testid="lock-state">{if page.locked { "已锁定" } else { "未锁定" }}</dd></div>
                <div><dt>"支付状态"</dt><dd>{format!("已支付{}科，待缴费 {}", page.paid_count, page.total_unpaid)}</dd></div>
            </dl>
        </section>
        <table class="table" data-testid="subject-table">
            <caption>"报考科目"</caption>
            <thead>
                <tr>
                    <th scope="col">"#"</th><th scope="col">"科目"</th><th scope="col">"级别"</th>
                    <th scope="col">"费用"</th><th scope="col">"支付状态"</th><th scope="col">"编排状态"</th>
                    <th scope="col">"报名方式"</th><th scope="col">"考点"</th><th scope="col">"考场"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        {(page.paid_count > 0).then(|| view! {
            <section class="panel" aria-labelledby="ticket-title">
                <h2 id="ticket-title">"准考证"</h2>
                <ul>{tickets}</ul>
                {(printable > 1).then(|| view! {
                    <p><a class="button" href=urls::TICKET_PDF download>"下载全部准考证（PDF，每科一页）"</a></p>
                })}
                {(printable > 0).then(|| view! {
                    <p class="field__hint">"请用A4纸打印，照片和二维码须清晰；考试时携带准考证和报名时所用的身份证件原件。"</p>
                })}
            </section>
        })}
        <Review review=page.review.clone() />
        <section class="panel" aria-labelledby="money-title">
            <h2 id="money-title">"缴费情况"</h2>
            <div data-testid="money">{page.money.iter().map(|w| view! { <p>{w.clone()}</p> }).collect_view()}</div>
        </section>
        {page.view_only_reason.clone().map(|r| view! { <p class="notice" data-testid="read-only">{r.user_message()}</p> })}
        // A <div>, not a <p>: it holds a <form>, which a <p> cannot (the browser would close
        // the <p> early and hydration would find a different tree).
        <div class="actions">
            {page.can_pay.then(|| view! { <a class="button" href=urls::PAY>"支付"</a> })}
            {page.can_add.then(|| view! { <a class="button" href=urls::SUBJECTS>"增报科目"</a> })}
            <a class="button button--secondary" href=urls::INFO>"查看"</a>
            {page.can_change.then(|| view! {
                <a class="button" href=urls::INFO>"修改报名信息"</a>
                <a class="button" href=urls::PHOTO>"修改照片信息"</a>
            })}
            {page.can_delete.then(|| view! {
                <a class="button button--warning" href=urls::DELETE>"删除报名信息"</a>
            })}
            {if page.paying {
                // Asks the payment platform now (a plain post: works without JavaScript).
                view! {
                    <form method="post" action=urls::PAYMENT_RESULT class="inline-form">
                        <button class="button button--secondary" type="submit">"更新"</button>
                    </form>
                }
                .into_any()
            } else {
                view! { <a class="button button--secondary" href=urls::STATUS>"更新"</a> }.into_any()
            }}
        </div>
        <section class="panel" aria-labelledby="notices-title">
            <h2 id="notices-title">"通告"</h2>
            {notices}
        </section>
    }
}

/// 网上审核: where the review stands, the reasons of a rejection, and 申请审核 / 撤回
/// (plain posts: the same with JavaScript on and off).
#[component]
fn Review(review: ReviewView) -> impl IntoView {
    let (state, detail) = match &review.status {
        ReviewStatus::NotRequired => return None,
        ReviewStatus::NotRequested => ("未申请", None),
        ReviewStatus::Pending { since } => (
            "待审核",
            Some(view! { <p>{format!("{since} 提交审核申请。审核期间报名信息已锁定；审核通过后才能缴费，结果会发到您的电子邮箱。")}</p> }.into_any()),
        ),
        ReviewStatus::Approved { at } => (
            "审核通过",
            Some(view! { <p>{format!("{at} 审核通过，请在科目缴费期限前完成缴费。")}</p> }.into_any()),
        ),
        ReviewStatus::Rejected { at, reasons, note } => {
            let items = reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view();
            let note = note.clone().map(|n| view! { <p data-testid="review-note">{format!("考点补充说明：{n}")}</p> });
            (
                "审核未通过",
                Some(view! {
                    <div class="notice notice--warning" data-testid="review-reasons">
                        <p>{format!("{at} 考点退回了您的报名，请按下面的原因修改后重新申请审核：")}</p>
                        <ul>{items}</ul>
                        {note}
                    </div>
                }
                .into_any()),
            )
        }
    };
    let missing = (!review.missing.is_empty()).then(|| {
        view! { <p class="field__hint">{format!("申请审核之前还需要完成：{}。", review.missing.join("、"))}</p> }
    });
    Some(view! {
        <section class="panel" aria-labelledby="review-title" data-testid="review">
            <h2 id="review-title">"网上审核"</h2>
            <p>"本考点的报名须经考点审核：报名信息、照片和报考科目填好后点“申请审核”，审核通过后才能缴费。"</p>
            <dl class="summary-list">
                <div><dt>"审核状态"</dt><dd data-testid="review-state">{state}</dd></div>
            </dl>
            {detail}
            {missing}
            <div class="actions">
                {review.can_request.then(|| view! {
                    <form method="post" action=urls::REVIEW class="inline-form">
                        <button class="button" type="submit" data-testid="request-review">"申请审核"</button>
                    </form>
                })}
                {review.can_withdraw.then(|| view! {
                    <form method="post" action=urls::REVIEW_WITHDRAW class="inline-form">
                        <button class="button button--secondary" type="submit" data-testid="withdraw-review">"撤回审核申请"</button>
                    </form>
                })}
            </div>
        </section>
    })
}
