//! 工作人员账号 (the province only): the province's console accounts, each with what can be
//! done to it (停用, 启用, 解除锁定, 重发设置密码链接: plain forms, the same with JavaScript
//! on and off), and the form that adds one and mails its one-time set-password link.

use super::config::BackToConsole;
use super::{errors_of, plain_ctx, role_words, Loading};
use crate::api::staff::get_staff_accounts_page;
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::{Options, SelectField, TextField};
use crate::components::form::{start, use_posted, FormKit, StepTitle};
use crate::components::layout::DataTable;
use crate::components::layout::{LoadProblem, NoticeBanner, ProblemBanner};
use crate::urls;
use crate::validation::account::EMAIL;
use crate::validation::staff::{
    AccountAction, AccountActionForm, NewRole, StaffAccountForm, ACCOUNT_NAME, ACCOUNT_SITE, ROLE,
};
use crate::views::staff::{StaffAccountRow, StaffSite};
use crate::views::Refusal;
use leptos::prelude::*;

const TITLE: &str = "工作人员账号";

#[component]
pub fn StaffAccountsPage() -> impl IntoView {
    let posted = use_posted::<StaffAccountForm>();
    // A refused action on one account (another admin changed it meanwhile, a crafted post).
    let refused = use_posted::<AccountActionForm>().map(|p| {
        let words: Vec<String> = p.errors.iter().map(|e| e.message.clone()).collect();
        p.problem.map(|e| e.user_message()).into_iter().chain(words).collect::<Vec<_>>().join("；")
    });
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (posted, refused) = (posted.clone(), refused.clone());
                Suspend::new(async move {
                    match get_staff_accounts_page().await {
                        Ok(page) => {
                            let (form, refusal) = start(posted, || page.form.clone());
                            let sites = page.sites.clone();
                            view! {
                                <ClientNeeded bundle="accounts" />
                                <BackToConsole />
                                <NoticeBanner />
                                <ProblemBanner message=Signal::stored(refused) />
                                <h1>{TITLE}</h1>
                                <AccountList accounts=page.accounts />
                                <NewAccount sites form refusal />
                            }
                            .into_any()
                        }
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// What can be done to the account now: 启用 a disabled one; otherwise 停用 (never one's
/// own), 解除锁定 a locked one, and 重发设置密码链接.
fn actions(a: &StaffAccountRow) -> Vec<AccountAction> {
    if a.disabled {
        return vec![AccountAction::Enable];
    }
    let mut out = Vec::new();
    if a.locked {
        out.push(AccountAction::Unlock);
    }
    out.push(AccountAction::SendLink);
    if !a.is_self {
        out.push(AccountAction::Disable);
    }
    out
}

#[component]
fn AccountList(accounts: Vec<StaffAccountRow>) -> impl IntoView {
    let rows = accounts
        .into_iter()
        .map(|a| {
            let buttons = actions(&a)
                .into_iter()
                .map(|action| {
                    let id = a.id.to_string();
                    view! {
                        <form method="post" action=urls::STAFF_ACCOUNT_ACTION class="inline-form">
                            <input type="hidden" name="account" value=id />
                            <input type="hidden" name="action" value=action.code() />
                            <button type="submit" class="button button--secondary button--small"
                                data-testid=format!("account-{}", action.code())>{action.label_zh()}</button>
                        </form>
                    }
                })
                .collect_view();
            let state = if a.disabled {
                "已停用"
            } else if a.locked {
                "已锁定"
            } else {
                "正常"
            };
            let email = a.email.clone();
            view! {
                <tr data-testid="staff-account" data-email=email>
                    <td>{a.email}</td>
                    <td>{a.name}</td>
                    <td>{role_words(a.role)}</td>
                    <td>{a.sites.join("、")}</td>
                    <td>{yes_no(a.password_set)}</td>
                    <td>{yes_no(a.enrolled)}</td>
                    <td data-testid="account-state">{state}</td>
                    <td>{buttons}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable testid="staff-accounts" headers=&["电子邮箱", "姓名", "身份", "考点", "已设置密码", "已绑定验证器", "状态", "操作"]>{rows}</DataTable>
        <p class="field__hint">"停用的账号不能登录，已登录的会话立即结束；重发设置密码链接后，原来的密码在新密码设置之前仍然有效。"</p>
    }
}

#[cfg_attr(island_accounts, island)]
#[cfg_attr(not(island_accounts), component)]
fn NewAccount(sites: Vec<StaffSite>, form: StaffAccountForm, refusal: Option<Refusal>) -> impl IntoView {
    let codes: Vec<String> = sites.iter().map(|s| s.code.clone()).collect();
    let kit = FormKit::new(
        form,
        refusal.as_ref(),
        plain_ctx(),
        move |f, c| {
            let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
            errors_of(f.parse(c, &codes))
        },
        StaffAccountForm::normalize,
    );
    let state = kit.state;
    let roles: Vec<(&'static str, &'static str)> = NewRole::ALL.iter().map(|r| (r.code(), r.label_zh())).collect();
    let sites: Vec<(String, String)> =
        sites.iter().map(|s| (s.code.clone(), format!("({}){}", s.code, s.name))).collect();
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h2>"新增账号"</h2>
        <p>"新账号没有密码：系统把设置密码的一次性链接发到该电子邮箱（72小时内有效），首次登录时绑定验证器App。"</p>
        <form method="post" action=urls::STAFF_ACCOUNTS novalidate data-testid="account-form" on:submit=move |ev| kit.guard_post(&ev)>
            <TextField spec=EMAIL input_type="email" value=kit.value(|f| &f.email)
                on_input=kit.on_input(EMAIL.name, |f, v| f.email = v)
                on_leave=kit.on_leave(EMAIL.name) errors=state.errors notes=kit.notes_of(EMAIL.name) />
            <TextField spec=ACCOUNT_NAME value=kit.value(|f| &f.name)
                on_input=kit.on_input(ACCOUNT_NAME.name, |f, v| f.name = v)
                on_leave=kit.on_leave(ACCOUNT_NAME.name) errors=state.errors notes=kit.notes_of(ACCOUNT_NAME.name) />
            <SelectField spec=ROLE options=roles value=kit.value(|f| &f.role)
                on_change=kit.on_choose(ROLE.name, |f, v| f.role = v) errors=state.errors />
            <SelectField spec=ACCOUNT_SITE options=Options(sites) value=kit.value(|f| &f.site)
                on_change=kit.on_choose(ACCOUNT_SITE.name, |f, v| f.site = v) errors=state.errors
                hint="考点老师的账号必选；省级管理员不选" />
            <button class="button" type="submit">"新增账号"</button>
        </form>
    }
}
