//! Screen 1, 欢迎使用NCRE考试报名系统: the session, province and site, how far the draft
//! has got, and the button to start or go on.

use crate::api::home::{get_home, HomeView};
use crate::api::{AppError, WindowState};
use crate::components::layout::NoticeBanner;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let home = Resource::new(|| (), |_| get_home());
    view! {
        <Title text="首页" />
        <NoticeBanner />
        <h1>"欢迎使用NCRE考试报名系统"</h1>
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match home.await {
                    Ok(view) => view! { <HomeBody view /> }.into_any(),
                    Err(e) => view! { <p class="problem-banner" role="alert">{e.user_message()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HomeBody(view: HomeView) -> impl IntoView {
    let pass = match &view.pass {
        None => view! {
            <section class="panel" aria-labelledby="pass-title">
                <h2 id="pass-title">"通行证"</h2>
                <p>"报名前请先登录通行证。还没有通行证的考生请先注册，每位考生只需注册一个。"</p>
                <p class="actions">
                    <a class="button" href="/pass/sign-in">"登录"</a>
                    <a class="button button--secondary" href="/pass/sign-up">"注册通行证"</a>
                </p>
            </section>
        }
        .into_any(),
        Some(p) => view! {
            <section class="panel" aria-labelledby="pass-title">
                <h2 id="pass-title">"通行证信息"</h2>
                <dl class="summary-list">
                    <div><dt>"证件类型"</dt><dd>{p.doc_type_label.clone()}</dd></div>
                    <div><dt>"证件号码"</dt><dd data-testid="home-masked-number">{p.masked_number.clone()}</dd></div>
                    <div><dt>"姓名"</dt><dd>{p.name.clone()}</dd></div>
                </dl>
                {(!p.verified).then(|| view! {
                    <p class="notice">"您的电子邮箱还没有验证，验证后才能报名。"<a href="/pass">"去验证"</a></p>
                })}
            </section>
        }
        .into_any(),
    };
    let Some(site) = view.site else {
        return view! { {pass} <p>{AppError::NoSession.user_message()}</p> }.into_any();
    };
    let (status, action) = match (&view.identity, view.agreement_accepted) {
        (Some(_), _) => ("证件信息已填写", Some(("查看报名信息", "/register/summary"))),
        (None, true) => ("已接受报名协议，证件信息未填写", Some(("继续报名", "/register/identity"))),
        (None, false) => ("未报名", Some(("开始报名", "/register/agreement"))),
    };
    let window_note = match &site.window_state {
        WindowState::Open => None,
        WindowState::NotYetOpen { opens } => Some(format!("本考点网上报名尚未开始，将于 {opens} 开始。")),
        WindowState::Closed => Some("本考点网上报名已经结束，现在只能查看报名信息。".to_owned()),
    };
    // Before the window opens there is nothing to start; after it closes only viewing.
    let action = match (&site.window_state, view.identity.is_some()) {
        _ if !view.pass.as_ref().is_some_and(|p| p.verified) => None,
        (WindowState::Open, _) | (WindowState::Closed, true) => action,
        _ => None,
    };
    view! {
        {pass}
        <section class="panel" aria-labelledby="exam-title">
            <h2 id="exam-title">"考试信息"</h2>
            <dl class="summary-list">
                <div>
                    <dt>"考次"</dt>
                    <dd>{format!("第{}次 {}", site.session_number, site.session_name)}</dd>
                </div>
                <div>
                    <dt>"省份"</dt>
                    <dd>{site.province}</dd>
                </div>
                <div>
                    <dt>"考点"</dt>
                    <dd>{site.site}</dd>
                </div>
                <div>
                    <dt>"网上报名时间"</dt>
                    <dd>{site.window}</dd>
                </div>
                <div>
                    <dt>"本考点最多可报考科目"</dt>
                    <dd>{format!("{}科", site.max_subjects)}</dd>
                </div>
                <div>
                    <dt>"报名状态"</dt>
                    <dd data-testid="registration-status">{status}</dd>
                </div>
            </dl>
            {window_note.map(|n| view! { <p class="notice">{n}</p> })}
            {action.map(|(label, href)| view! { <a class="button" href=href>{label}</a> })}
        </section>
    }
    .into_any()
}
