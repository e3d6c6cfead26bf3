//! Screen 2, 通行证: sign up, verify the e-mail address, sign in, reset the password, and
//! the pass itself (masked number, NEEA id, editing the identity while nothing is locked).
//! Every form posts to its own URL without JavaScript and runs the same rule as typed
//! with it.

use crate::api::pass::{get_pass_page, get_rule_context, EditPass, RequestReset, ResetPassword, SignIn, SignUp};
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::{SelectField, TextField};
use crate::components::form::{start, use_posted, FormKit, StepTitle};
use crate::components::layout::{LoadProblem, NoticeBanner, ProblemBanner};
use crate::domain::{Date, DocumentType};
use crate::urls;
use crate::validation::account::{
    NewPasswordForm, ResetRequestForm, SignInForm, SignUpForm, TokenForm, CONFIRM_PASSWORD, CURRENT_PASSWORD, EMAIL,
    LOGIN, NEW_PASSWORD,
};
use crate::validation::identity::{IdentityForm, DOC_NUMBER, DOC_TYPE, NAME};
use crate::validation::{Ctx, FieldErrors, FieldNote};
use crate::views::pass::PassView;
use crate::views::{NoFields, Refusal};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PASSWORD_HINT: &str = "8至128个字符，可以是汉字、字母、数字和符号；不能用常见密码，也不能与邮箱或证件号码相同";

fn doc_types(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    DocumentType::ALL
        .iter()
        .filter(|t| **t != DocumentType::ResidentId15 || ctx.allow_legacy_id)
        .map(|t| (t.code(), t.label_zh()))
        .collect()
}

fn errors_of<T>(r: Result<T, FieldErrors>) -> FieldErrors {
    r.err().unwrap_or_default()
}

fn no_notes<F: Clone>(f: &F) -> (F, Vec<FieldNote>) {
    (f.clone(), Vec::new())
}

/// The agreement rule needs no date; account rules use the context only for the language.
fn plain_ctx() -> Ctx {
    Ctx::new(Date::EPOCH)
}

/// A form carrying the identity's fields: the pass's own form, or sign-up's, which embeds it.
trait WithIdentity {
    fn identity(&self) -> &IdentityForm;
    fn identity_mut(&mut self) -> &mut IdentityForm;
}

impl WithIdentity for IdentityForm {
    fn identity(&self) -> &IdentityForm {
        self
    }
    fn identity_mut(&mut self) -> &mut IdentityForm {
        self
    }
}

impl WithIdentity for SignUpForm {
    fn identity(&self) -> &IdentityForm {
        &self.identity
    }
    fn identity_mut(&mut self) -> &mut IdentityForm {
        &mut self.identity
    }
}

/// 证件类型, 证件号码 and 姓名, the same fields on sign-up and on the pass; `hints` adds
/// sign-up's advice under the number and the name.
fn identity_fields<F>(kit: FormKit<F>, ctx: &Ctx, hints: bool) -> impl IntoView
where
    F: WithIdentity + Clone + Send + Sync + 'static,
{
    let errors = kit.state.errors;
    view! {
        <SelectField
            spec=DOC_TYPE
            options=doc_types(ctx)
            value=kit.value(|f| &f.identity().doc_type)
            on_change=kit.on_choose(DOC_TYPE.name, |f, v| f.identity_mut().doc_type = v)
            errors
        />
        <TextField
            spec=DOC_NUMBER
            value=kit.value(|f| &f.identity().doc_number)
            on_input=kit.on_input(DOC_NUMBER.name, |f, v| f.identity_mut().doc_number = v)
            on_leave=kit.on_leave(DOC_NUMBER.name)
            errors
            notes=kit.notes_of(DOC_NUMBER.name)
            hint=hints.then_some("按证件上的号码填写；居民身份证最后一位可以是X")
        />
        <TextField
            spec=NAME
            value=kit.value(|f| &f.identity().name)
            on_input=kit.on_input(NAME.name, |f, v| f.identity_mut().name = v)
            on_leave=kit.on_leave(NAME.name)
            errors
            notes=kit.notes_of(NAME.name)
            hint=hints.then_some("少数民族姓名各部分之间用间隔号“·”分隔，如：买买提·艾力")
        />
    }
}

#[component]
fn Loading() -> impl IntoView {
    view! { <p>"正在加载…"</p> }
}

// ---- 注册通行证 ----

#[component]
pub fn SignUpPage() -> impl IntoView {
    let posted = use_posted::<SignUpForm>();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    match get_rule_context().await {
                        Ok(ctx) => {
                            let fresh = || SignUpForm {
                                identity: IdentityForm { doc_type: DocumentType::ResidentId.code().into(), ..Default::default() },
                                ..Default::default()
                            };
                            let (form, refusal) = start(posted, fresh);
                            view! { <ClientNeeded bundle="signup" /> <SignUpStep ctx form refusal /> }.into_any()
                        }
                        Err(error) => view! { <LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_signup, island)]
#[cfg_attr(not(island_signup), component)]
fn SignUpStep(ctx: Ctx, form: SignUpForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "注册通行证";
    let kit = FormKit::new(form, refusal.as_ref(), ctx, |f, c| errors_of(f.parse(c)), SignUpForm::normalize)
        .forgetting(SignUpForm::without_passwords);
    let state = kit.state;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            kit.send(SignUp::PATH, SignUp { form });
        }
    };
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p class="lead">"每位考生只能注册一个通行证。证件信息将用于报名和证书，请按证件如实填写。"</p>
        <form method="post" action=urls::SIGN_UP novalidate on:submit=on_submit>
            <TextField
                spec=EMAIL
                input_type="email"
                value=kit.value(|f| &f.email)
                on_input=kit.on_input(EMAIL.name, |f, v| f.email = v)
                on_leave=kit.on_leave(EMAIL.name)
                errors=state.errors
                notes=kit.notes_of(EMAIL.name)
                hint="请填写您本人常用的真实邮箱，验证邮件和找回密码的邮件都发到这里"
            />
                {identity_fields(kit, &ctx, true)}
            <TextField
                spec=NEW_PASSWORD
                input_type="password"
                value=kit.value(|f| &f.password)
                on_input=kit.on_input(NEW_PASSWORD.name, |f, v| f.password = v)
                on_leave=kit.on_leave(NEW_PASSWORD.name)
                errors=state.errors
                hint=PASSWORD_HINT
            />
            <TextField
                spec=CONFIRM_PASSWORD
                input_type="password"
                value=kit.value(|f| &f.password2)
                on_input=kit.on_input(CONFIRM_PASSWORD.name, |f, v| f.password2 = v)
                on_leave=kit.on_leave(CONFIRM_PASSWORD.name)
                errors=state.errors
            />
            <button class="button" type="submit" disabled=move || state.sending.get()>
                "注册"
            </button>
        </form>
        <p class="form-links"><a href=urls::SIGN_IN>"已有通行证？登录"</a></p>
    }
}

// ---- 登录 ----

#[component]
pub fn SignInPage() -> impl IntoView {
    let (form, refusal) = start(use_posted::<SignInForm>(), SignInForm::default);
    view! {
        <NoticeBanner />
        <ClientNeeded bundle="signin" /> <SignInStep form refusal />
    }
}

#[cfg_attr(island_signin, island)]
#[cfg_attr(not(island_signin), component)]
fn SignInStep(form: SignInForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "登录";
    let kit = FormKit::new(form, refusal.as_ref(), plain_ctx(), |f, c| errors_of(f.parse(c)), |f| f.normalize())
        .forgetting(SignInForm::without_password);
    let state = kit.state;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            kit.send(SignIn::PATH, SignIn { form });
        }
    };
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>"登录通行证"</h1>
        <form method="post" action=urls::SIGN_IN novalidate on:submit=on_submit>
            <TextField
                spec=LOGIN
                value=kit.value(|f| &f.login)
                on_input=kit.on_input(LOGIN.name, |f, v| f.login = v)
                on_leave=kit.on_leave(LOGIN.name)
                errors=state.errors
                notes=kit.notes_of(LOGIN.name)
            />
            <TextField
                spec=CURRENT_PASSWORD
                input_type="password"
                value=kit.value(|f| &f.password)
                on_input=kit.on_input(CURRENT_PASSWORD.name, |f, v| f.password = v)
                on_leave=kit.on_leave(CURRENT_PASSWORD.name)
                errors=state.errors
            />
            <button class="button" type="submit" disabled=move || state.sending.get()>
                "登录"
            </button>
        </form>
        <p class="form-links">
            <a href=urls::RESET>"忘记密码"</a>
            <a href=urls::SIGN_UP>"注册通行证"</a>
        </p>
    }
}

// ---- 验证电子邮箱 ----

/// The mailed link opens this page; the button does the verifying (a POST), so a mail
/// scanner that fetches links does not use the token up. A plain form post with JavaScript
/// on or off: nothing to check as one types.
#[component]
pub fn VerifyPage() -> impl IntoView {
    const TITLE: &str = "验证电子邮箱";
    let posted = use_posted::<TokenForm>();
    let query = use_query_map();
    let token = posted
        .as_ref()
        .map(|p| p.values.token.clone())
        .unwrap_or_else(|| query.with_untracked(|q| q.get("token")).unwrap_or_default());
    let problem = posted.and_then(|p| p.problem).map(|p| p.user_message());
    view! {
        <Title text=TITLE />
        <ProblemBanner message=Signal::stored(problem) />
        <h1>{TITLE}</h1>
        <p>"点击下面的按钮，完成电子邮箱验证。"</p>
        <form method="post" action=urls::VERIFY novalidate>
            <input type="hidden" name="token" value=token />
            <button class="button" type="submit">
                "验证我的邮箱"
            </button>
        </form>
    }
}

// ---- 找回密码 ----

#[component]
pub fn ResetRequestPage() -> impl IntoView {
    let (form, refusal) = start(use_posted::<ResetRequestForm>(), ResetRequestForm::default);
    view! { <ClientNeeded bundle="signin" /> <ResetRequestStep form refusal /> }
}

#[cfg_attr(island_signin, island)]
#[cfg_attr(not(island_signin), component)]
fn ResetRequestStep(form: ResetRequestForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "找回密码";
    let kit =
        FormKit::new(form, refusal.as_ref(), plain_ctx(), |f, c| errors_of(f.parse(c)), ResetRequestForm::normalize);
    let state = kit.state;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            kit.send(RequestReset::PATH, RequestReset { form });
        }
    };
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p>"填写注册通行证时用的电子邮箱，我们会发一个重新设置密码的链接，30分钟内有效。"</p>
        <form method="post" action=urls::RESET novalidate on:submit=on_submit>
            <TextField
                spec=EMAIL
                input_type="email"
                value=kit.value(|f| &f.email)
                on_input=kit.on_input(EMAIL.name, |f, v| f.email = v)
                on_leave=kit.on_leave(EMAIL.name)
                errors=state.errors
                notes=kit.notes_of(EMAIL.name)
            />
            <button class="button" type="submit" disabled=move || state.sending.get()>
                "发送链接"
            </button>
        </form>
    }
}

// ---- 设置新密码 ----

/// A one-time link's new password: the link's token (hidden), the password and its
/// confirmation. The candidates' reset and the staff console's set-password link share it.
pub(crate) fn new_password_fields(kit: FormKit<NewPasswordForm>) -> impl IntoView {
    let errors = kit.state.errors;
    view! {
        <input type="hidden" name="token" prop:value=kit.value(|f| &f.token) value=kit.form.get_untracked().token />
        <TextField
            spec=NEW_PASSWORD
            input_type="password"
            value=kit.value(|f| &f.password)
            on_input=kit.on_input(NEW_PASSWORD.name, |f, v| f.password = v)
            on_leave=kit.on_leave(NEW_PASSWORD.name)
            errors
            hint=PASSWORD_HINT
        />
        <TextField
            spec=CONFIRM_PASSWORD
            input_type="password"
            value=kit.value(|f| &f.password2)
            on_input=kit.on_input(CONFIRM_PASSWORD.name, |f, v| f.password2 = v)
            on_leave=kit.on_leave(CONFIRM_PASSWORD.name)
            errors
        />
    }
}

#[component]
pub fn NewPasswordPage() -> impl IntoView {
    let posted = use_posted::<NewPasswordForm>();
    let query = use_query_map();
    let token = posted
        .as_ref()
        .map(|p| p.values.token.clone())
        .unwrap_or_else(|| query.with_untracked(|q| q.get("token")).unwrap_or_default());
    let (form, refusal) = start(posted, || NewPasswordForm { token, ..Default::default() });
    view! { <ClientNeeded bundle="signin" /> <NewPasswordStep form refusal /> }
}

#[cfg_attr(island_signin, island)]
#[cfg_attr(not(island_signin), component)]
fn NewPasswordStep(form: NewPasswordForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "设置新密码";
    let kit = FormKit::new(form, refusal.as_ref(), plain_ctx(), |f, c| errors_of(f.parse(c, &[])), no_notes)
        .forgetting(NewPasswordForm::without_passwords);
    let state = kit.state;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            kit.send(ResetPassword::PATH, ResetPassword { form });
        }
    };
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p>"设置新密码后，所有已登录的设备都会退出登录。"</p>
        <form method="post" action=urls::NEW_PASSWORD novalidate on:submit=on_submit>
            {new_password_fields(kit)}
            <button class="button" type="submit" disabled=move || state.sending.get()>
                "设置新密码"
            </button>
        </form>
    }
}

// ---- 我的通行证 ----

#[component]
pub fn PassPage() -> impl IntoView {
    let posted = use_posted::<IdentityForm>();
    // "Send the mail again" refused without JavaScript (too many, signed out): said here.
    let resend = use_posted::<NoFields>().and_then(|p| p.problem).map(|p| p.user_message());
    view! {
        <leptos_meta::Title text="我的通行证" />
        <NoticeBanner />
        <ProblemBanner message=Signal::stored(resend) />
        <Suspense fallback=Loading>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    match get_pass_page().await {
                        Ok(mut view) => {
                            let (form, refusal) = start(posted, || view.edit.clone());
                            view.edit = form;
                            view! { <ClientNeeded bundle="pass" /> <PassBody view refusal /> }.into_any()
                        }
                        Err(error) => view! { <h1>"我的通行证"</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_pass, island)]
#[cfg_attr(not(island_pass), component)]
fn PassBody(view: PassView, refusal: Option<Refusal>) -> impl IntoView {
    let ctx = view.ctx;
    let kit =
        FormKit::new(view.edit.clone(), refusal.as_ref(), ctx, |f, c| errors_of(f.parse(c)), IdentityForm::normalize);
    let state = kit.state;
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            kit.send(EditPass::PATH, EditPass { form });
        }
    };
    let verify = (!view.verified).then(|| {
        view! {
            <div class="notice" data-testid="unverified">
                <p>"您的电子邮箱还没有验证，验证后才能报名。请打开注册时收到的邮件，点击其中的链接。"</p>
                <form method="post" action=urls::RESEND class="inline-form">
                    <button type="submit" class="button button--secondary">"重新发送验证邮件"</button>
                </form>
            </div>
        }
    });
    let edit = if view.locked {
        Either::Left(view! { <p class="notice">"您的报名信息已锁定，证件类型、证件号码和姓名不能再修改。"</p> })
    } else {
        Either::Right(view! {
            <h2>"修改证件信息"</h2>
            <p>"为保护您的个人信息，证件号码不显示全文；修改时请重新填写完整的证件号码。"</p>
            <form method="post" action=urls::PASS novalidate on:submit=on_submit>
                    {identity_fields(kit, &ctx, false)}
                <button class="button" type="submit" disabled=move || state.sending.get()>
                    "保存"
                </button>
            </form>
        })
    };
    view! {
        <StepTitle title="我的通行证" state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>"我的通行证"</h1>
        {verify}
        <dl class="summary-list">
            <div><dt>"电子邮箱"</dt><dd>{view.email}{if view.verified { "（已验证）" } else { "（未验证）" }}</dd></div>
            <div><dt>"证件类型"</dt><dd>{super::doc_type_words(view.doc_type)}</dd></div>
            <div><dt>"证件号码"</dt><dd data-testid="pass-masked-number">{view.masked_number}</dd></div>
            <div><dt>"姓名"</dt><dd>{view.name}</dd></div>
            <div><dt>"考生号（NEEA ID）"</dt><dd class="neea-id" data-testid="neea-id">{view.neea_id}</dd></div>
        </dl>
        {edit}
    }
}
