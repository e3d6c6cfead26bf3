//! The staff console's pages (考点老师 and the provincial office): sign-in with the
//! password, the second factor (and enrolling the authenticator app at the first sign-in),
//! the one-time set-password link, and the console's first page. Rendered on the server
//! with the candidate side's form components and error style; every form posts to its own
//! URL, so they work alike with JavaScript on and off.

pub mod arrangement;
pub mod config;
pub mod export;
pub mod payments;
pub mod people;
pub mod preview;
pub mod reconcile;
pub mod review;
pub mod rosters;
pub mod search;
pub mod trail;

use crate::api::staff::{get_second_factor_page, get_set_password_page, get_staff_home};
use crate::components::error_summary::ErrorSummary;
use crate::components::field::TextField;
use crate::components::form::{start, use_posted, FormKit, StepTitle};
use crate::components::layout::DataTable;
use crate::components::layout::{LoadProblem, NoticeBanner, ProblemBanner};
use crate::domain::Date;
use crate::pages::pass::new_password_fields;
use crate::urls;
use crate::validation::account::{NewPasswordForm, CURRENT_PASSWORD, EMAIL};
use crate::validation::staff::{CodeForm, StaffSignInForm, CODE};
use crate::validation::subjects::yuan;
use crate::validation::{Ctx, FieldErrors, FieldNote};
use crate::views::staff::{
    CandidateQuery, CatalogueEntry, Dashboard, SecondFactorPage, StaffHome, StaffRole, StaffSite, PAID_FILTERS,
    REVIEW_FILTERS,
};
use crate::views::NoFields;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub(super) fn errors_of<T>(r: Result<T, FieldErrors>) -> FieldErrors {
    r.err().unwrap_or_default()
}

fn no_notes<F: Clone>(f: &F) -> (F, Vec<FieldNote>) {
    (f.clone(), Vec::new())
}

/// These rules need no date; the context is only for the language.
pub(super) fn plain_ctx() -> Ctx {
    Ctx::new(Date::EPOCH)
}

#[component]
pub(super) fn Loading() -> impl IntoView {
    view! { <p>"正在加载…"</p> }
}

// ---- 登录 ----

#[component]
pub fn StaffSignInPage() -> impl IntoView {
    const TITLE: &str = "管理系统登录";
    let (form, refusal) = start(use_posted::<StaffSignInForm>(), StaffSignInForm::default);
    let kit =
        FormKit::new(form, refusal.as_ref(), plain_ctx(), |f, c| errors_of(f.parse(c)), StaffSignInForm::normalize)
            .forgetting(StaffSignInForm::without_password);
    let state = kit.state;
    view! {
        <StepTitle title=TITLE state />
        <NoticeBanner />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p class="lead">"供考点老师和省级考试机构工作人员使用。考生请使用"<a href=urls::SIGN_IN>"通行证登录"</a>"。"</p>
        <form method="post" action=urls::STAFF_SIGN_IN novalidate>
            <TextField
                spec=EMAIL
                input_type="email"
                value=kit.value(|f| &f.email)
                on_input=kit.on_input(EMAIL.name, |f, v| f.email = v)
                on_leave=kit.on_leave(EMAIL.name)
                errors=state.errors
                notes=kit.notes_of(EMAIL.name)
            />
            <TextField
                spec=CURRENT_PASSWORD
                input_type="password"
                value=kit.value(|f| &f.password)
                on_input=kit.on_input(CURRENT_PASSWORD.name, |f, v| f.password = v)
                on_leave=kit.on_leave(CURRENT_PASSWORD.name)
                errors=state.errors
            />
            <button class="button" type="submit">"下一步"</button>
        </form>
        <p>"连续输错5次密码或验证码，账号会锁定15分钟。忘记密码请联系省级考试机构重新发放设置密码的链接。"</p>
    }
}

// ---- 动态验证码 ----

#[component]
pub fn StaffSecondFactorPage() -> impl IntoView {
    let posted = use_posted::<CodeForm>();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    match get_second_factor_page().await {
                        Ok(page) => view! { <SecondFactor page posted /> }.into_any(),
                        Err(error) => view! { <h1>"动态验证码"</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn SecondFactor(page: SecondFactorPage, posted: Option<crate::views::Posted<CodeForm>>) -> impl IntoView {
    const TITLE: &str = "动态验证码";
    let (form, refusal) = start(posted, CodeForm::default);
    let kit = FormKit::new(form, refusal.as_ref(), plain_ctx(), |f, c| errors_of(f.parse(c)), CodeForm::normalize);
    let state = kit.state;
    let enrol = page.enrol.map(|e| {
        view! {
            <section class="panel" data-testid="enrol">
                <h2>"第一次登录：绑定验证器App"</h2>
                <ol>
                    <li>"在手机上打开验证器App（如 Microsoft Authenticator、Google Authenticator、FreeOTP 或其他支持TOTP的App）。"</li>
                    <li>"扫描下面的二维码；无法扫描时，选择手动输入，填写下面的密钥。"</li>
                    <li>"在下面填写App上显示的6位数字，完成绑定。以后每次登录都需要输入App上的验证码。"</li>
                </ol>
                <div class="qr" inner_html=e.qr_svg></div>
                <p>"密钥："<code data-testid="totp-secret">{e.secret}</code></p>
            </section>
        }
    });
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p>{format!("账号：{}。密码正确，请输入验证器App上显示的6位数字（5分钟内有效）。", page.email)}</p>
        {enrol}
        <form method="post" action=urls::STAFF_SECOND_FACTOR novalidate>
            <TextField
                spec=CODE
                value=kit.value(|f| &f.code)
                on_input=kit.on_input(CODE.name, |f, v| f.code = v)
                on_leave=kit.on_leave(CODE.name)
                errors=state.errors
                notes=kit.notes_of(CODE.name)
            />
            <button class="button" type="submit">"登录"</button>
        </form>
        <p><a href=urls::STAFF_SIGN_IN>"重新输入账号和密码"</a></p>
    }
}

// ---- 设置密码 ----

#[component]
pub fn StaffSetPasswordPage() -> impl IntoView {
    const TITLE: &str = "设置管理系统密码";
    let posted = use_posted::<NewPasswordForm>();
    let query = use_query_map();
    let token = posted
        .as_ref()
        .map(|p| p.values.token.clone())
        .unwrap_or_else(|| query.with_untracked(|q| q.get("token")).unwrap_or_default());
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (posted, token) = (posted.clone(), token.clone());
                Suspend::new(async move {
                    match get_set_password_page(token.clone()).await {
                        Ok(page) => match page.email {
                            Some(email) => {
                                let (form, refusal) = start(posted, || NewPasswordForm { token, ..Default::default() });
                                let kit = FormKit::new(
                                    form,
                                    refusal.as_ref(),
                                    plain_ctx(),
                                    move |f, c| errors_of(f.parse(c, &[])),
                                    no_notes,
                                )
                                .forgetting(NewPasswordForm::without_passwords);
                                let state = kit.state;
                                view! {
                                    <StepTitle title=TITLE state />
                                    <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
                                    <ProblemBanner message=state.problem_message() />
                                    <h1>{TITLE}</h1>
                                    <p>{format!("为账号 {email} 设置密码。链接只能使用一次。")}</p>
                                    <form method="post" action=urls::STAFF_SET_PASSWORD novalidate>
                                        {new_password_fields(kit)}
                                        <button class="button" type="submit">"设置密码"</button>
                                    </form>
                                }
                                .into_any()
                            }
                            None => view! {
                                <Title text=TITLE />
                                <h1>{TITLE}</h1>
                                <div class="problem-banner" role="alert">
                                    <p>"这个链接无效、已经用过或已经过期。请联系省级考试机构重新发放设置密码的链接。"</p>
                                </div>
                            }
                            .into_any(),
                        },
                        Err(error) => view! { <h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

// ---- 首页 ----

#[component]
pub fn StaffHomePage() -> impl IntoView {
    let signed_out = use_posted::<NoFields>().and_then(|p| p.problem).map(|p| p.user_message());
    view! {
        <Title text="管理系统" />
        <ProblemBanner message=Signal::stored(signed_out) />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match get_staff_home().await {
                    Ok(home) => view! { <Home home /> }.into_any(),
                    Err(error) => view! { <h1>"管理系统"</h1><LoadProblem error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A filter's select: 全部 first, then the choices, `chosen` selected.
pub(super) fn filter_select(
    id: &'static str,
    label: &'static str,
    choices: Vec<(String, String)>,
    chosen: &str,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="field__label" for=id>{label}</label>
            <select class="field__select" id=id name=id>
                <option value="">"全部"</option>
                {select_options(choices, chosen)}
            </select>
        </div>
    }
}

/// The sites a filter offers: `(650101)新疆大学`.
pub(super) fn site_choices(sites: &[StaffSite]) -> Vec<(String, String)> {
    sites.iter().map(|s| (s.code.clone(), format!("({}){}", s.code, s.name))).collect()
}

/// The subjects a filter offers: `2级 (24)C语言程序设计`.
pub(super) fn subject_choices(subjects: &[CatalogueEntry]) -> Vec<(String, String)> {
    subjects.iter().map(|s| (s.code.clone(), format!("{}级 ({}){}", s.level, s.code, s.name))).collect()
}

/// The 考生查询 filter's fields: the one box, site, subject, payment and review state (the
/// search and the export share them).
pub(super) fn candidate_filter(q: &CandidateQuery, sites: &[StaffSite], subjects: &[CatalogueEntry]) -> impl IntoView {
    let words = |list: &[(&str, &str)]| list.iter().map(|(c, w)| ((*c).to_owned(), (*w).to_owned())).collect();
    view! {
        <div class="field">
            <label class="field__label" for="q">"姓名、报名号、电子邮箱、订单号，或证件号码（完整或如 6501**********002X）"</label>
            <input class="field__input" id="q" name="q" value=q.q.clone() maxlength="64" autocomplete="off" />
        </div>
        {filter_select("site", "考点", site_choices(sites), &q.site)}
        {filter_select("subject", "报考科目", subject_choices(subjects), &q.subject)}
        {filter_select("paid", "缴费情况", words(&PAID_FILTERS), &q.paid)}
        {filter_select("review", "审核状态", words(&REVIEW_FILTERS), &q.review)}
    }
}

/// A select's `<option>`s, `chosen` selected: (code, words) pairs.
pub(super) fn select_options(choices: Vec<(String, String)>, chosen: &str) -> impl IntoView {
    choices
        .into_iter()
        .map(|(code, words)| {
            let selected = code == chosen;
            view! { <option value=code selected=selected>{words}</option> }
        })
        .collect_view()
}

pub(super) fn role_words(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Province => "省级管理员",
        StaffRole::Site => "考点老师",
    }
}

#[component]
fn Home(home: StaffHome) -> impl IntoView {
    let sites = home.sites.into_iter().map(|s| view! { <tr><td>{s.code}</td><td>{s.name}</td></tr> }).collect_view();
    view! {
        <h1>"管理系统"</h1>
        <dl class="summary-list" data-testid="staff-who">
            <div><dt>"姓名"</dt><dd>{home.name}</dd></div>
            <div><dt>"账号"</dt><dd>{home.email}</dd></div>
            <div><dt>"身份"</dt><dd data-testid="staff-role">{role_words(home.role)}</dd></div>
            <div><dt>"省份"</dt><dd>{home.province}</dd></div>
        </dl>
        <nav aria-label="管理功能" data-testid="staff-menu">
            <ul class="menu">
                {(home.role == StaffRole::Province).then(|| view! { <li><a href=urls::STAFF_SESSION>"考次设置"</a></li> })}
                <li><a href=urls::STAFF_SITES>"考点与开考科目"</a></li>
                <li><a href=urls::STAFF_NOTICES>"通告管理"</a></li>
                <li><a href=urls::STAFF_REVIEW>"网上审核"</a></li>
                <li><a href=urls::STAFF_CANDIDATES>"考生查询"</a></li>
                <li><a href=urls::STAFF_EXPORT>"导出报名数据"</a></li>
                <li><a href=urls::STAFF_ROSTERS>"学籍库"</a></li>
                <li><a href=urls::STAFF_ARRANGE>"考场编排"</a></li>
                <li><a href=urls::STAFF_DOOR>"检录"</a></li>
                <li><a href=urls::STAFF_PAYMENTS>"缴费管理"</a></li>
                <li><a href=urls::STAFF_AUDIT>"操作记录"</a></li>
                {(home.role == StaffRole::Province).then(|| view! { <li><a href=urls::STAFF_ACCOUNTS>"工作人员账号"</a></li> })}
            </ul>
        </nav>
        <table class="table" data-testid="staff-sites">
            <caption>"可管理的考点"</caption>
            <thead><tr><th scope="col">"考点代码"</th><th scope="col">"考点名称"</th></tr></thead>
            <tbody>{sites}</tbody>
        </table>
        {home.dashboard.map(|d| view! { <Figures d /> })}
        <form method="post" action=urls::STAFF_SIGN_OUT class="inline-form">
            <button type="submit" class="button button--secondary">"退出管理系统"</button>
        </form>
    }
}

/// 报名情况: each site's figures, and its subjects' seats in a disclosure (no script needed).
#[component]
fn Figures(d: Dashboard) -> impl IntoView {
    let rows = d
        .sites
        .iter()
        .map(|s| {
            view! {
                <tr data-testid=format!("figures-{}", s.code)>
                    <td>{format!("({}){}", s.code, s.name)}</td>
                    <td data-testid="figure-registrations">{s.registrations}</td>
                    <td data-testid="figure-chosen">{s.chosen}</td>
                    <td data-testid="figure-paid">{s.paid}</td>
                    <td data-testid="figure-received">{yuan(s.received_fen)}</td>
                    <td data-testid="figure-refund-due">{s.refund_due}</td>
                </tr>
            }
        })
        .collect_view();
    let details = d
        .sites
        .into_iter()
        .map(|s| {
            let lines = s
                .seats
                .into_iter()
                .map(|x| {
                    view! {
                        <tr data-testid=format!("seats-{}-{}", s.code, x.code)>
                            <td>{format!("{}级 ({}){}", x.level, x.code, x.name)}</td>
                            <td>{x.capacity}</td>
                            <td>{x.chosen}</td>
                            <td>{x.paid}</td>
                            <td data-testid="seats-left">{x.left}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <details class="panel">
                    <summary>{format!("({}){} 各科目名额", s.code, s.name)}</summary>
                    <DataTable headers=&["科目", "容量", "已报", "已缴费", "剩余名额"]>{lines}</DataTable>
                </details>
            }
        })
        .collect_view();
    view! {
        <h2>"报名情况"</h2>
        <p>{format!("{}（数据为打开本页时的实时统计）", d.session)}</p>
        {d.unsited.map(|n| view! { <p data-testid="figure-unsited">{format!("已开始报名、尚未选择考点的考生：{n}人")}</p> })}
        <DataTable testid="staff-figures" headers=&["考点", "报名人数", "已报科目", "已缴费科目", "已收报名费", "待退款笔数"]>{rows}</DataTable>
        {details}
    }
}
