//! Screen 1, 欢迎使用NCRE考试报名系统: the session, province and site, how far the draft
//! has got, and the button to start or go on.

use crate::api::home::get_home;
use crate::components::layout::NoticeBanner;
use crate::urls;
use crate::views::home::HomeView;
use crate::views::{AppError, WindowState};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="首页" />
        <NoticeBanner />
        <h1>"欢迎使用NCRE考试报名系统"</h1>
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || Suspend::new(async move {
                match get_home().await {
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
                    <a class="button" href=urls::SIGN_IN>"登录"</a>
                    <a class="button button--secondary" href=urls::SIGN_UP>"注册通行证"</a>
                </p>
            </section>
        }
        .into_any(),
        Some(p) => view! {
            <section class="panel" aria-labelledby="pass-title">
                <h2 id="pass-title">"通行证信息"</h2>
                <dl class="summary-list">
                    <div><dt>"证件类型"</dt><dd>{super::doc_type_words(p.doc_type)}</dd></div>
                    <div><dt>"证件号码"</dt><dd data-testid="home-masked-number">{p.masked_number.clone()}</dd></div>
                    <div><dt>"姓名"</dt><dd>{p.name.clone()}</dd></div>
                </dl>
                {(!p.verified).then(|| view! {
                    <p class="notice">"您的电子邮箱还没有验证，验证后才能报名。"<a href=urls::PASS>"去验证"</a></p>
                })}
            </section>
        }
        .into_any(),
    };
    let Some(session) = view.session else {
        return view! { {pass} <p>{AppError::NoSession.user_message()}</p> }.into_any();
    };
    let status = view.status.clone();
    let yes_no = |b: bool, yes: &'static str, no: &'static str| if b { yes } else { no };
    let started = status.as_ref().is_some_and(|s| s.agreement);
    let window_note = match &session.window_state {
        WindowState::Open => None,
        WindowState::NotYetOpen { opens } => Some(format!("网上报名尚未开始，将于 {opens} 开始。")),
        WindowState::Closed => Some("网上报名已经结束，现在只能查看报名信息。".to_owned()),
    };
    let verified = view.pass.as_ref().is_some_and(|p| p.verified);
    // Before the window opens there is nothing to start; after it closes only viewing.
    let action = match (&session.window_state, started) {
        _ if !verified => None,
        (_, true) => Some(("查看报名信息", urls::STATUS)),
        (WindowState::Open, false) => Some(("开始报名", urls::AGREEMENT)),
        _ => None,
    };
    let rows = status.map(|s| {
        view! {
            <div><dt>"考点"</dt><dd data-testid="home-site">{s.site.clone().unwrap_or_else(|| "未选择".into())}</dd></div>
            {s.window.clone().map(|w| view! { <div><dt>"网上报名时间"</dt><dd>{w}</dd></div> })}
            <div><dt>"个人信息状态"</dt><dd data-testid="home-personal">{yes_no(s.personal, "已填写", "未填写")}</dd></div>
            <div><dt>"照片信息状态"</dt><dd data-testid="home-photo">{yes_no(s.photo, "已上传", "未上传")}</dd></div>
            <div><dt>"信息锁定状态"</dt><dd data-testid="home-locked">{yes_no(s.locked, "已锁定", "未锁定")}</dd></div>
            <div><dt>"报考科目状态"</dt><dd data-testid="home-subjects">{if s.subjects > 0 { format!("已报考{}科", s.subjects) } else { "未报考".into() }}</dd></div>
            <div><dt>"支付状态"</dt><dd data-testid="home-paid">{format!("已支付{}科", s.paid)}</dd></div>
        }
    });
    view! {
        {pass}
        <section class="panel" aria-labelledby="exam-title">
            <h2 id="exam-title">"考试信息"</h2>
            <dl class="summary-list">
                <div>
                    <dt>"考次"</dt>
                    <dd>{format!("第{}次 {}", session.number, session.name)}</dd>
                </div>
                <div>
                    <dt>"省份"</dt>
                    <dd>{session.province.clone()}</dd>
                </div>
                {rows}
                <div>
                    <dt>"准考证打印开始时间"</dt>
                    <dd>{session.ticket_print_starts.clone().unwrap_or_else(|| "另行通知".into())}</dd>
                </div>
                <div>
                    <dt>"报名状态"</dt>
                    <dd data-testid="registration-status">{if started { "已开始报名" } else { "未报名" }}</dd>
                </div>
            </dl>
            {window_note.map(|n| view! { <p class="notice" data-testid="window-note">{n}</p> })}
            {action.map(|(label, href)| view! { <a class="button" href=href>{label}</a> })}
        </section>
    }
    .into_any()
}
