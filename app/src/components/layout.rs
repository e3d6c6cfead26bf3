//! Page frame: header with the service name and who is signed in, notices, footer.

use crate::api::pass::get_me;
use crate::urls::{self, Notice};
use crate::views::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The candidate's header, or on the staff console's pages the console's own (a staff page
/// never asks who is signed in as a candidate).
#[component]
pub fn Header() -> impl IntoView {
    let path = leptos_router::hooks::use_location().pathname.get_untracked();
    if path == urls::STAFF || path.starts_with(&format!("{}/", urls::STAFF)) {
        return view! { <StaffHeader /> }.into_any();
    }
    view! { <CandidateHeader /> }.into_any()
}

#[component]
fn StaffHeader() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main-content" rel="external">
            "跳到主要内容"
        </a>
        <header class="site-header site-header--staff">
            <div class="container site-header__bar">
                <a class="site-header__name" href=urls::STAFF target="_top">
                    "NCRE报名管理系统（考点与省级）"
                </a>
            </div>
        </header>
    }
}

#[component]
fn CandidateHeader() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main-content" rel="external">
            "跳到主要内容"
        </a>
        <header class="site-header">
            <div class="container site-header__bar">
                <a class="site-header__name" href=urls::HOME>
                    "全国计算机等级考试（NCRE）报名系统"
                </a>
                <nav class="site-header__account" aria-label="通行证">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            match get_me().await {
                                Ok(Some(me)) => view! {
                                    <span data-testid="signed-in-as">{format!("{}，您好", me.name)}</span>
                                    <a href=urls::PASS>"我的通行证"</a>
                                    <form method="post" action=urls::SIGN_OUT class="inline-form">
                                        <button type="submit" class="link-button">"退出登录"</button>
                                    </form>
                                }.into_any(),
                                _ => view! {
                                    <a href=urls::SIGN_IN>"登录"</a>
                                    <a href=urls::SIGN_UP>"注册通行证"</a>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </nav>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="container">
                <p>"考生信息仅用于考试组织工作。报名遇到问题请联系所在考点。"</p>
            </div>
        </footer>
    }
}

/// A failure that is not about one field, in plain words.
#[component]
pub fn ProblemBanner(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="problem-banner" role="alert">
                    <p>{m}</p>
                </div>
            }
        })
    }
}

/// A page that could not load, with the way forward where there is one.
#[component]
pub fn LoadProblem(error: AppError) -> impl IntoView {
    let next = match &error {
        AppError::SignInRequired => Some(("登录通行证", urls::SIGN_IN.to_owned())),
        AppError::StaffSignInRequired => Some(("登录管理系统", urls::STAFF_SIGN_IN.to_owned())),
        AppError::Unverified => Some(("我的通行证", urls::PASS.to_owned())),
        AppError::StepOrder { go_to } => Some(("前往", go_to.clone())),
        _ => None,
    };
    view! {
        <div class="problem-banner" role="alert">
            <p>{error.user_message()}</p>
        </div>
        {next.map(|(label, href)| view! { <p><a class="button" href=href>{label}</a></p> })}
    }
}

/// Why a page shows values without letting them change (locked, outside the window).
#[component]
pub fn ReadOnlyBanner(reason: Option<AppError>) -> impl IntoView {
    reason.map(|r| {
        view! {
            <div class="notice" data-testid="read-only">
                <p>{r.user_message()}</p>
            </div>
        }
    })
}

/// What a finished action says on the page it leads to (`?notice=`); only known codes.
fn notice_text(notice: Notice) -> &'static str {
    match notice {
        Notice::SignUpSent => "通行证已注册。我们向您的电子邮箱发送了一封验证邮件，请在24小时内点击其中的链接完成验证，然后登录。如果这个邮箱或证件已经注册过，邮件里会告诉您怎么办。",
        Notice::Verified => "电子邮箱已验证。",
        Notice::VerifySent => "验证邮件已重新发送，请查收。",
        Notice::ResetSent => "如果这个邮箱注册过通行证，重新设置密码的链接已经发到这个邮箱，30分钟内有效。",
        Notice::PasswordReset => "新密码已设置，所有设备都已退出登录，请用新密码登录。",
        Notice::SignedOut => "您已退出登录。",
        Notice::PassSaved => "通行证信息已保存。",
        Notice::RegistrationDeleted => "报名信息已删除，所报科目的名额已退回。",
        Notice::PhotoSaved => "保存成功!",
        Notice::SignInRequired => "请先登录通行证（登录已过期时也需要重新登录）。",
        Notice::StaffSignInRequired => "请先登录管理系统（登录超过8小时或30分钟没有操作时需要重新登录）。",
        Notice::StaffSignedOut => "您已退出管理系统。",
        Notice::StaffPasswordSet => "密码已设置，请登录。首次登录时需要绑定验证器App。",
        Notice::StaffSaved => "已保存。考生下一次打开页面时就会看到新的设置。",
        Notice::StaffRemoved => "已删除。",
        Notice::StaffAccountCreated => "账号已创建。设置密码的链接已发到该账号的电子邮箱，72小时内有效；首次登录时需要绑定验证器App。",
        Notice::StaffDisabled => "账号已停用：它不能再登录，已登录的会话和未使用的设置密码链接都已失效。",
        Notice::StaffEnabled => "账号已启用，可以重新登录。",
        Notice::StaffUnlocked => "账号已解除锁定，可以重新登录。",
        Notice::StaffLinkSent => "设置密码的链接已发到该账号的电子邮箱，72小时内有效；原来的密码在新密码设置之前仍然有效。",
        Notice::RefundRecorded => "已记录为已退款，并写入操作记录。",
        Notice::OrderPaid => "支付平台说这笔订单已支付：已记为已缴费。",
        Notice::OrderClosed => "支付平台说这笔订单没有付款，已关闭：座位按规则释放。",
        Notice::OrderPending => "支付平台说这笔订单还没有付款（或暂时无法连接），订单仍待支付。",
        Notice::ReviewRequested => "已提交审核申请。考点审核期间报名信息已锁定；审核结果会显示在本页并发到您的电子邮箱。",
        Notice::ReviewWithdrawn => "已撤回审核申请，报名信息可以修改了。修改后请重新申请审核。",
        Notice::ReviewApproved => "已审核通过，并已通知考生：考生可以缴费了。",
        Notice::ReviewRejected => "已退回，并已通知考生：考生会看到退回原因，修改后可以重新申请。",
        Notice::RosterImported => "学籍库已导入。",
        Notice::RosterDiscarded => "已放弃这次上传，学籍库没有改动。",
        Notice::Arranged => "编排完成：考生可以在报名信息中看到考场和座位。",
        Notice::CheckedIn => "签到成功：请核对照片和证件后放行。",
        Notice::CheckedInAgain => "注意：这张准考证已经签到过，请核对是否本人，是否重复使用。",
        Notice::PreviewPassed => "预览：这次提交通过了考生会遇到的全部检查。这是预览，没有保存任何内容，也没有占用名额。",
    }
}

#[component]
pub fn NoticeBanner() -> impl IntoView {
    let query = use_query_map();
    move || {
        query.with(|q| q.get("notice")).and_then(|c| Notice::from_code(&c)).map(notice_text).map(|text| {
            view! {
                <div class="panel panel--success" role="status" data-testid="notice">
                    <p>{text}</p>
                </div>
            }
        })
    }
}

/// A table of rows under column headings (the console's lists): `children` are the rows.
#[component]
pub fn DataTable(
    #[prop(optional)] testid: Option<&'static str>,
    headers: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    view! {
        <table class="table" data-testid=testid>
            <thead>
                <tr>{headers.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
            </thead>
            <tbody>{children()}</tbody>
        </table>
    }
}
