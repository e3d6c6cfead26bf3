//! Screen 3, 报名协议: our own numbered agreement and the required checkbox.

use crate::api::agreement::AcceptAgreement;
use crate::api::pass::get_me;
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::CheckboxField;
use crate::components::form::{start, use_posted, FormState, StepTitle};
use crate::components::layout::{LoadProblem, ProblemBanner};
use crate::urls;
use crate::validation::agreement::{AgreementForm, ACCEPT};
use crate::validation::Ctx;
use crate::views::{AppError, Refusal};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

pub const TITLE: &str = "报名协议";

/// The agreement, point by point (REGISTRATION.md screen 3 lists what it must cover).
pub const POINTS: [&str; 13] = [
    "本报名系统由教育部教育考试院及各省级考试机构（以下简称“考试机构”）主办和管理，用于全国计算机等级考试（NCRE）的网上报名。",
    "考生在报名前应认真阅读本次考试的报名通知、考试规则和考点通告，了解报考条件、科目、费用和时间安排。",
    "考生须保证所填报的证件信息、个人信息和照片真实、准确、完整；因信息虚假或错误造成的一切后果（包括不能参加考试、成绩无效、证书无法发放）由考生本人承担。",
    "考生应妥善保管本人通行证账号和密码，不得转借他人使用；因账号或密码泄露造成的损失由考生本人承担。",
    "因不可抗力（如自然灾害、网络或电力中断）或第三方支付平台故障造成报名或缴费延误、失败的，考试机构不承担责任，但将尽力协助考生处理。",
    "因本系统自身故障致使考生报名或缴费出现错误的，考试机构的责任仅限于为考生重新办理报名或退还所缴考试费用。",
    "同一考次中每个科目只能报考一次，考生不得在不同考点重复报考同一科目；违反者该考次的全部考试成绩无效。",
    "报名信息一经缴费确认，不得修改个人信息和报考科目，不得退考，所缴费用不予退还。",
    "考生因个人原因未能参加考试的，所缴考试费用不予退还。",
    "考生的个人信息仅用于本考试的组织、实施和证书管理；考试入场时的人脸识别核验为辅助手段，考生可选择人工核验。",
    "考生应自觉遵守考试规则和考场纪律，接受违规违纪行为的认定和处理。",
    "本系统和考点发布的公告是考试组织的正式依据；公告与本协议不一致的，以公告为准。",
    "考生勾选“我已阅读并接受”，即视为已阅读并接受本协议的全部内容，以及本系统的用户服务协议和隐私政策。",
];

#[component]
pub fn AgreementPage() -> impl IntoView {
    let posted = use_posted::<AgreementForm>();
    view! {
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    let error = match get_me().await {
                        Ok(Some(me)) if me.verified => {
                            let (form, refusal) = start(posted, AgreementForm::default);
                            return view! { <ClientNeeded bundle="info" /> <AgreementStep form refusal /> }.into_any();
                        }
                        Ok(Some(_)) => AppError::Unverified,
                        Ok(None) => AppError::SignInRequired,
                        Err(e) => e,
                    };
                    view! {
                        <leptos_meta::Title text=TITLE />
                        <h1>{TITLE}</h1>
                        <LoadProblem error />
                    }
                    .into_any()
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_info, island)]
#[cfg_attr(not(island_info), component)]
fn AgreementStep(form: AgreementForm, refusal: Option<Refusal>) -> impl IntoView {
    let state = FormState::new(refusal.as_ref());
    let accepted = RwSignal::new(form.accept.as_deref() == Some("yes"));
    let form = move || AgreementForm { accept: accepted.get_untracked().then(|| "yes".to_owned()) };
    // The agreement's rule does not depend on the date; the context is only for the language.
    let ctx = Ctx::new(crate::domain::Date::EPOCH);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match form().parse(&ctx) {
            Err(errors) => state.refuse(errors),
            Ok(_) => {
                state.send(AcceptAgreement::PATH, AcceptAgreement { form: form() }, || ());
            }
        }
    };
    let on_change = Callback::new(move |checked: bool| {
        accepted.set(checked);
        state.touch(ACCEPT.name);
        state.show_touched(form().parse(&ctx).err().unwrap_or_default());
    });

    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <section class="agreement" aria-label="报名协议全文">
            <ol>{POINTS.iter().map(|p| view! { <li>{*p}</li> }).collect_view()}</ol>
        </section>
        <form method="post" action=urls::AGREEMENT novalidate on:submit=on_submit>
            <CheckboxField spec=ACCEPT value="yes" checked=accepted on_change errors=state.errors />
            <button class="button" type="submit" disabled=move || state.sending.get()>
                "下一步"
            </button>
        </form>
    }
}
