//! The console's configuration pages: 考次设置 (the province), 考点管理 (the list, one site's
//! settings with its subjects, a new site), 开考科目 (one subject's fee and capacity, or a
//! new one), 通告管理. Each form posts to its own page's URL and is checked by the shared
//! rules of `validation::config`; a refusal comes back on the same page with the values,
//! the summary and the messages beside the fields.

use super::{errors_of, plain_ctx, Loading};
use crate::api::staff::{
    get_staff_notices_page, get_staff_offer_page, get_staff_session_page, get_staff_site_page, get_staff_sites_page,
};
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::{CheckboxField, Options, SelectField, TextAreaField, TextField};
use crate::components::form::{start, use_posted, FormKit, StepTitle};
use crate::components::layout::{DataTable, LoadProblem, NoticeBanner, ProblemBanner};
use crate::domain::photo::Background;
use crate::urls;
use crate::validation::config::{
    NoticeForm, OfferForm, SessionForm, SiteForm, BACKGROUND, CAPACITY, CLOSES, FEE, FIRST_DAY, LAST_DAY, MAX_SUBJECTS,
    NEEDS_DEPARTMENT, NEEDS_REVIEW, NEEDS_STUDENT_NO, NOTICE_BODY, NOTICE_TITLE, OPENS, PUBLISH_AT, SELF_PRINT,
    SESSION_NAME, SESSION_NUMBER, SITE_CODE, SITE_NAME, SUBJECT, TICKET_PRINT,
};
use crate::validation::subjects::yuan;
use crate::validation::Ctx;
use crate::views::journey::{preview_page, PreviewDraft, PreviewStep};
use crate::views::staff::{CatalogueEntry, NoticesPage, OfferPage, SitePage, SitesPage};
use crate::views::{AppError, Refusal};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TIME_HINT: &str = "北京时间，按“2025-01-06 10:00”的格式填写";

/// The way back to the console's first page, above every page of it.
#[component]
pub fn BackToConsole() -> impl IntoView {
    view! { <p class="breadcrumb"><a href=urls::STAFF>"管理系统首页"</a></p> }
}

/// A page of the console that loads its data first: the loading line, the data's page, or
/// why it could not load.
fn loaded<T, V>(title: &'static str, result: Result<T, AppError>, page: impl FnOnce(T) -> V) -> AnyView
where
    V: IntoView + 'static,
{
    match result {
        Ok(data) => page(data).into_any(),
        Err(error) => view! { <Title text=title /><BackToConsole /><h1>{title}</h1><LoadProblem error /> }.into_any(),
    }
}

fn query(name: &'static str) -> String {
    use_query_map().with_untracked(|q| q.get(name)).unwrap_or_default()
}

// ---- 考次设置 ----

#[component]
pub fn StaffSessionPage() -> impl IntoView {
    const TITLE: &str = "考次设置";
    let posted = use_posted::<SessionForm>();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    loaded(TITLE, get_staff_session_page().await, |page| {
                        let (form, refusal) = start(posted, || page.form.clone());
                        view! {
                            <ClientNeeded bundle="session" />
                            <BackToConsole />
                            <NoticeBanner />
                            <SessionSettings province=page.province form refusal />
                        }
                    })
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_session, island)]
#[cfg_attr(not(island_session), component)]
fn SessionSettings(province: String, form: SessionForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "考次设置";
    let kit = FormKit::new(form, refusal.as_ref(), plain_ctx(), |f, c| errors_of(f.parse(c)), SessionForm::normalize);
    let state = kit.state;
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p>"省份："<span data-testid="session-province">{province}</span></p>
        <form method="post" action=urls::STAFF_SESSION novalidate on:submit=move |ev| kit.guard_post(&ev)>
            <TextField spec=SESSION_NUMBER value=kit.value(|f| &f.number)
                on_input=kit.on_input(SESSION_NUMBER.name, |f, v| f.number = v)
                on_leave=kit.on_leave(SESSION_NUMBER.name) errors=state.errors
                notes=kit.notes_of(SESSION_NUMBER.name) hint="第几次全国计算机等级考试，如 75" />
            <TextField spec=SESSION_NAME value=kit.value(|f| &f.name)
                on_input=kit.on_input(SESSION_NAME.name, |f, v| f.name = v)
                on_leave=kit.on_leave(SESSION_NAME.name) errors=state.errors
                notes=kit.notes_of(SESSION_NAME.name) />
            <TextField spec=FIRST_DAY value=kit.value(|f| &f.first_day)
                on_input=kit.on_input(FIRST_DAY.name, |f, v| f.first_day = v)
                on_leave=kit.on_leave(FIRST_DAY.name) errors=state.errors
                notes=kit.notes_of(FIRST_DAY.name) hint="如 2025-03-29" />
            <TextField spec=LAST_DAY value=kit.value(|f| &f.last_day)
                on_input=kit.on_input(LAST_DAY.name, |f, v| f.last_day = v)
                on_leave=kit.on_leave(LAST_DAY.name) errors=state.errors
                notes=kit.notes_of(LAST_DAY.name) hint="如 2025-03-31" />
            <TextField spec=TICKET_PRINT value=kit.value(|f| &f.ticket_print)
                on_input=kit.on_input(TICKET_PRINT.name, |f, v| f.ticket_print = v)
                on_leave=kit.on_leave(TICKET_PRINT.name) errors=state.errors
                notes=kit.notes_of(TICKET_PRINT.name) hint=TIME_HINT />
            <button class="button" type="submit">"保存考次设置"</button>
        </form>
    }
}

// ---- 考点管理 ----

#[component]
pub fn StaffSitesPage() -> impl IntoView {
    const TITLE: &str = "考点管理";
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || Suspend::new(async move { loaded(TITLE, get_staff_sites_page().await, |page| view! { <SitesList page /> }) })}
        </Suspense>
    }
}

#[component]
fn SitesList(page: SitesPage) -> impl IntoView {
    let rows = page
        .sites
        .into_iter()
        .map(|s| {
            let href = format!("{}?code={}", urls::STAFF_SITE, s.code);
            let window = s.window.map_or_else(|| "本考次未设置".to_owned(), |(a, b)| format!("{a} 至 {b}"));
            view! {
                <tr>
                    <td>{s.code.clone()}</td>
                    <td><a href=href>{s.name}</a></td>
                    <td>{window}</td>
                    <td>{s.subjects}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <BackToConsole />
        <NoticeBanner />
        <h1>"考点管理"</h1>
        <p>{page.session}</p>
        <DataTable testid="staff-site-list" headers=&["考点代码", "考点名称", "网上报名时间", "开考科目数"]>{rows}</DataTable>
        {page.may_create.then(|| view! { <p><a class="button" href=urls::STAFF_SITE_NEW>"新增考点"</a></p> })}
    }
}

/// One site's settings (`?code=`), or a new site's at `/staff/site/new`.
#[component]
pub fn StaffSitePage() -> impl IntoView {
    let posted = use_posted::<SiteForm>();
    let creating = leptos_router::hooks::use_location().pathname.get_untracked() == urls::STAFF_SITE_NEW;
    let code = if creating {
        String::new()
    } else {
        posted.as_ref().map(|p| p.values.code.clone()).unwrap_or_else(|| query("code"))
    };
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (posted, code) = (posted.clone(), code.clone());
                Suspend::new(async move {
                    let title = if creating { "新增考点" } else { "考点设置" };
                    loaded(title, get_staff_site_page(code).await, |page| {
                        let (form, refusal) = start(posted, || page.form.clone());
                        let preview = page.existing.as_ref().map(|c| preview_page(c, PreviewStep::default(), None));
                        view! {
                            <ClientNeeded bundle="sites" />
                            <BackToConsole />
                            <p class="breadcrumb"><a href=urls::STAFF_SITES>"考点管理"</a></p>
                            <NoticeBanner />
                            <SiteSettings page form refusal />
                            {preview.map(|href| view! {
                                <p><a class="button button--secondary" href=href data-testid="open-preview">"预览考生页面（个人信息和报考科目）"</a></p>
                            })}
                        }
                    })
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_sites, island)]
#[cfg_attr(not(island_sites), component)]
fn SiteSettings(page: SitePage, form: SiteForm, refusal: Option<Refusal>) -> impl IntoView {
    let creating = page.existing.is_none();
    let title = if creating { "新增考点" } else { "考点设置" };
    let province = page.province_code.clone();
    let kit = FormKit::new(
        form,
        refusal.as_ref(),
        plain_ctx(),
        move |f, c| errors_of(f.parse(c, &province)),
        SiteForm::normalize,
    );
    let state = kit.state;
    let backgrounds: Vec<(&'static str, &'static str)> =
        Background::ALL.iter().map(|b| (b.code(), b.label_zh())).collect();
    let action = if creating { urls::STAFF_SITE_NEW } else { urls::STAFF_SITE };
    let code_field = if creating {
        view! {
            <TextField spec=SITE_CODE value=kit.value(|f| &f.code)
                on_input=kit.on_input(SITE_CODE.name, |f, v| f.code = v)
                on_leave=kit.on_leave(SITE_CODE.name) errors=state.errors
                notes=kit.notes_of(SITE_CODE.name) hint="6位数字，前两位是省份代码；保存后不能修改" />
        }
        .into_any()
    } else {
        let code = page.form.code.clone();
        view! {
            <input type="hidden" name="code" value=code.clone() />
            <p>"考点代码："<strong data-testid="site-code">{code}</strong></p>
        }
        .into_any()
    };
    let subjects = page
        .existing
        .clone()
        .map(|code| view! { <OfferedSubjects code offers=page.offers.clone() addable=page.addable.len() /> });
    let frame = page.existing.clone().map(|site| {
        let saved = page.form.clone();
        let province = page.province_code.clone();
        let draft = Signal::derive(move || {
            kit.form.with(|f| {
                // The form back as saved shows the saved settings.
                let unsaved = f != &saved && f.parse(&plain_ctx(), &province).is_ok();
                unsaved.then(|| PreviewDraft::Site(f.clone()))
            })
        });
        view! { <PreviewFrame site draft /> }
    });
    view! {
        <StepTitle title state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{title}</h1>
        <p>{page.session}</p>
        <div class="with-preview">
        <form method="post" action=action novalidate data-testid="site-form" on:submit=move |ev| kit.guard_post(&ev)>
            {code_field}
            <TextField spec=SITE_NAME value=kit.value(|f| &f.name)
                on_input=kit.on_input(SITE_NAME.name, |f, v| f.name = v)
                on_leave=kit.on_leave(SITE_NAME.name) errors=state.errors notes=kit.notes_of(SITE_NAME.name) />
            <fieldset class="fieldset">
                <legend class="fieldset__legend">"本考次网上报名"</legend>
                <TextField spec=OPENS value=kit.value(|f| &f.opens)
                    on_input=kit.on_input(OPENS.name, |f, v| f.opens = v)
                    on_leave=kit.on_leave(OPENS.name) errors=state.errors notes=kit.notes_of(OPENS.name) hint=TIME_HINT />
                <TextField spec=CLOSES value=kit.value(|f| &f.closes)
                    on_input=kit.on_input(CLOSES.name, |f, v| f.closes = v)
                    on_leave=kit.on_leave(CLOSES.name) errors=state.errors notes=kit.notes_of(CLOSES.name) hint=TIME_HINT />
                <TextField spec=MAX_SUBJECTS value=kit.value(|f| &f.max_subjects)
                    on_input=kit.on_input(MAX_SUBJECTS.name, |f, v| f.max_subjects = v)
                    on_leave=kit.on_leave(MAX_SUBJECTS.name) errors=state.errors
                    notes=kit.notes_of(MAX_SUBJECTS.name) hint="每名考生在本考点最多可报考的科目数，1到10" />
            </fieldset>
            <fieldset class="fieldset">
                <legend class="fieldset__legend">"考生须知的要求"</legend>
                <SelectField spec=BACKGROUND options=backgrounds value=kit.value(|f| &f.background)
                    on_change=kit.on_choose(BACKGROUND.name, |f, v| f.background = v) errors=state.errors />
                <CheckboxField spec=SELF_PRINT value="on" checked=kit.ticked(|f| &f.self_print)
                    on_change=kit.on_tick(SELF_PRINT.name, |f, v| f.self_print = v) errors=state.errors />
                <CheckboxField spec=NEEDS_DEPARTMENT value="on" checked=kit.ticked(|f| &f.needs_department)
                    on_change=kit.on_tick(NEEDS_DEPARTMENT.name, |f, v| f.needs_department = v) errors=state.errors />
                <CheckboxField spec=NEEDS_STUDENT_NO value="on" checked=kit.ticked(|f| &f.needs_student_no)
                    on_change=kit.on_tick(NEEDS_STUDENT_NO.name, |f, v| f.needs_student_no = v) errors=state.errors />
                <CheckboxField spec=NEEDS_REVIEW value="on" checked=kit.ticked(|f| &f.needs_review)
                    on_change=kit.on_tick(NEEDS_REVIEW.name, |f, v| f.needs_review = v) errors=state.errors />
            </fieldset>
            <button class="button" type="submit">{if creating { "新增考点" } else { "保存考点设置" }}</button>
        </form>
        {frame}
        </div>
        {subjects}
    }
}

/// The site's candidate pages as the preview renders them (the candidates' own step
/// components and rules), in a frame beside the settings. Without JavaScript it shows the
/// saved settings, so it changes on save; with JavaScript it follows the form as typed:
/// once the settings pass their rules, a moment after the last change, the frame shows them
/// unsaved (`draft`), and returns to the saved ones when the form is back as saved.
#[component]
fn PreviewFrame(site: String, draft: Signal<Option<PreviewDraft>>) -> impl IntoView {
    let saved = preview_page(&site, PreviewStep::default(), None);
    let src = RwSignal::new(saved);
    let pending: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    Effect::new(move |ran: Option<()>| {
        let draft = draft.get();
        if ran.is_none() {
            return;
        }
        // A form that does not pass yet leaves the frame as it was.
        let Some(draft) = draft else { return };
        let url = preview_page(&site, PreviewStep::default(), Some(&draft));
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let set = move || src.set(url);
        pending.set_value(set_timeout_with_handle(set, std::time::Duration::from_millis(400)).ok());
    });
    view! {
        <aside class="preview-side" aria-labelledby="site-preview-title">
            <h2 id="site-preview-title">"预览：考生看到的页面"</h2>
            <p class="field__hint">"修改左侧设置后，这里显示考生将看到的样子（未保存的修改只在这里显示）。"</p>
            <iframe class="preview-frame" title="考生页面预览" src=move || src.get() data-testid="preview-frame"></iframe>
        </aside>
    }
}

#[component]
fn OfferedSubjects(code: String, offers: Vec<crate::views::staff::OfferRow>, addable: usize) -> impl IntoView {
    let rows = offers
        .into_iter()
        .map(|o| {
            let href = format!("{}?site={code}&subject={}", urls::STAFF_OFFER, o.code);
            view! {
                <tr data-testid=format!("offer-{}", o.code)>
                    <td>{o.code.clone()}</td>
                    <td>{o.name}</td>
                    <td data-testid="offer-fee">{yuan(o.fee_fen)}</td>
                    <td>{o.capacity}</td>
                    <td>{o.taken}</td>
                    <td data-testid="offer-remaining">{o.remaining}</td>
                    <td>{o.paid}</td>
                    <td><a href=href>"修改"</a></td>
                </tr>
            }
        })
        .collect_view();
    let add = format!("{}?site={code}", urls::STAFF_OFFER);
    view! {
        <h2>"开考科目"</h2>
        <DataTable testid="staff-offers" headers=&["科目代码", "科目名称", "报名费", "容量", "已报", "剩余", "已缴费", "操作"]>{rows}</DataTable>
        {(addable > 0).then(|| view! { <p><a class="button button--secondary" href=add>"添加开考科目"</a></p> })}
        <h2>"考场编排"</h2>
        <p>
            <a href=format!("{}?site={code}", urls::STAFF_ROOMS)>"机房"</a>" · "
            <a href=format!("{}?site={code}", urls::STAFF_BATCHES)>"场次"</a>" · "
            <a href=format!("{}?site={code}", urls::STAFF_ARRANGE)>"考场编排"</a>
        </p>
    }
}

// ---- 开考科目 ----

fn subject_words(e: &CatalogueEntry) -> String {
    format!("{}级 {} {}", e.level, e.code, e.name)
}

#[component]
pub fn StaffOfferPage() -> impl IntoView {
    let posted = use_posted::<OfferForm>();
    let (site, subject) = match &posted {
        Some(p) => (p.values.site.clone(), p.values.subject.clone()),
        None => (query("site"), query("subject")),
    };
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (posted, site, subject) = (posted.clone(), site.clone(), subject.clone());
                Suspend::new(async move {
                    // A refused addition names a subject not offered yet: the page to add one.
                    let result = match get_staff_offer_page(site.clone(), subject.clone()).await {
                        Err(AppError::NotFound) if posted.is_some() && !subject.is_empty() => {
                            get_staff_offer_page(site, String::new()).await
                        }
                        other => other,
                    };
                    loaded("开考科目", result, |page| {
                        let (form, refusal) = start(posted, || page.form.clone());
                        // A refused removal posts no fee or capacity: show the subject's own.
                        let form = if refusal.as_ref().is_some_and(|r| r.errors.is_empty()) { page.form.clone() } else { form };
                                            let back = format!("{}?code={}", urls::STAFF_SITE, page.site);
                        let site = format!("({}){}", page.site, page.site_name);
                        view! {
                            <ClientNeeded bundle="offers" />
                            <BackToConsole />
                            <p class="breadcrumb"><a href=back>{site}</a></p>
                            <OfferSettings page form refusal />
                        }
                    })
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_offers, island)]
#[cfg_attr(not(island_offers), component)]
fn OfferSettings(page: OfferPage, form: OfferForm, refusal: Option<Refusal>) -> impl IntoView {
    let title = if page.current.is_some() { "修改开考科目" } else { "添加开考科目" };
    let choices: Vec<String> =
        page.addable.iter().map(|e| e.code.clone()).chain(page.current.iter().map(|c| c.code.clone())).collect();
    let choices = StoredValue::new(choices);
    let check = move |f: &OfferForm, c: &Ctx| {
        choices.with_value(|choices| f.parse(c, &choices.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let saved = form.clone();
    let kit =
        FormKit::new(form, refusal.as_ref(), plain_ctx(), move |f, c| errors_of(check(f, c)), OfferForm::normalize);
    let draft = Signal::derive(move || {
        kit.form.with(|f| (f != &saved && check(f, &plain_ctx()).is_ok()).then(|| PreviewDraft::Offer(f.clone())))
    });
    let state = kit.state;
    let subject_field = match &page.current {
        Some(c) => view! {
            <input type="hidden" name="subject" value=c.code.clone() />
            <dl class="summary-list">
                <div><dt>"科目"</dt><dd data-testid="offer-subject">{format!("{}级 {} {}", c.level, c.code, c.name)}</dd></div>
                <div><dt>"已报 / 剩余"</dt><dd>{format!("{} / {}", c.taken, c.remaining)}</dd></div>
                <div><dt>"已缴费"</dt><dd>{c.paid}</dd></div>
            </dl>
        }
        .into_any(),
        None => {
            let options: Vec<(String, String)> = page.addable.iter().map(|e| (e.code.clone(), subject_words(e))).collect();
            view! {
                <SelectField spec=SUBJECT options=Options(options) value=kit.value(|f| &f.subject)
                    on_change=kit.on_choose(SUBJECT.name, |f, v| f.subject = v) errors=state.errors
                    hint="全国计算机等级考试科目目录中本考次可考的科目" />
            }
            .into_any()
        }
    };
    let taken = page.current.as_ref().map_or(0, |c| c.taken);
    let capacity_hint = if taken > 0 {
        "不能少于已报人数；增加容量后考生立即可以报考"
    } else {
        "增加容量后考生立即可以报考；0 表示暂不接受报名"
    };
    let remove = page.current.as_ref().map(|c| {
        let (site, subject) = (page.site.clone(), c.code.clone());
        view! {
            <h2>"删除这个科目"</h2>
            <p>"只有还没有考生报考的科目才能删除；已有考生报考时，可以把容量改为已报人数，不再接受新的报名。"</p>
            <form method="post" action=urls::STAFF_OFFER_REMOVE class="inline-form">
                <input type="hidden" name="site" value=site />
                <input type="hidden" name="subject" value=subject />
                <button type="submit" class="button button--secondary">"删除这个科目"</button>
            </form>
        }
    });
    view! {
        <StepTitle title state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{title}</h1>
        <div class="with-preview">
        <div>
        <form method="post" action=urls::STAFF_OFFER novalidate data-testid="offer-form" on:submit=move |ev| kit.guard_post(&ev)>
            <input type="hidden" name="site" value=page.site.clone() />
            {subject_field}
            <TextField spec=FEE value=kit.value(|f| &f.fee)
                on_input=kit.on_input(FEE.name, |f, v| f.fee = v)
                on_leave=kit.on_leave(FEE.name) errors=state.errors notes=kit.notes_of(FEE.name)
                hint="单位：元，如 80 或 80.50。已报考的考生按报考时的报名费缴费" />
            <TextField spec=CAPACITY value=kit.value(|f| &f.capacity)
                on_input=kit.on_input(CAPACITY.name, |f, v| f.capacity = v)
                on_leave=kit.on_leave(CAPACITY.name) errors=state.errors notes=kit.notes_of(CAPACITY.name)
                hint=capacity_hint />
            <button class="button" type="submit">"保存"</button>
        </form>
        {remove}
        </div>
        <PreviewFrame site=page.site.clone() draft />
        </div>
    }
}

// ---- 通告管理 ----

#[component]
pub fn StaffNoticesPage() -> impl IntoView {
    let posted = use_posted::<NoticeForm>();
    view! {
        <Suspense fallback=Loading>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    loaded("通告管理", get_staff_notices_page().await, |page| {
                        let (form, refusal) = start(posted, || page.form.clone());
                        view! { <ClientNeeded bundle="notices" /> <BackToConsole /> <NoticeBanner /> <Notices page form refusal /> }
                    })
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_notices, island)]
#[cfg_attr(not(island_notices), component)]
fn Notices(page: NoticesPage, form: NoticeForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "通告管理";
    let kit = FormKit::new(form, refusal.as_ref(), plain_ctx(), |f, c| errors_of(f.parse(c)), NoticeForm::normalize);
    let state = kit.state;
    let targets = page.targets.clone();
    let rows = page
        .notices
        .into_iter()
        .map(|n| {
            let place = n.site.map_or_else(|| "考试通告".to_owned(), |s| format!("考点通告（{s}）"));
            let when = if n.scheduled { format!("{}（尚未发布）", n.published) } else { n.published.to_string() };
            view! { <tr><td>{n.title}</td><td>{place}</td><td>{when}</td></tr> }
        })
        .collect_view();
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <DataTable testid="staff-notices" headers=&["标题", "类别", "发布时间"]>{rows}</DataTable>
        <h2>"发布通告"</h2>
        <form method="post" action=urls::STAFF_NOTICES novalidate data-testid="notice-form" on:submit=move |ev| kit.guard_post(&ev)>
            <div class="field">
                <label class="field__label" for="site">"发给"</label>
                <select class="field__select" id="site" name="site"
                    on:change=move |ev| kit.form.update(|f| f.site = event_target_value(&ev))>
                    {targets
                        .into_iter()
                        .map(|(v, label)| {
                            let same = v.clone();
                            view! { <option value=v selected=move || kit.form.with(|f| f.site == same)>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </div>
            <TextField spec=NOTICE_TITLE value=kit.value(|f| &f.title)
                on_input=kit.on_input(NOTICE_TITLE.name, |f, v| f.title = v)
                on_leave=kit.on_leave(NOTICE_TITLE.name) errors=state.errors notes=kit.notes_of(NOTICE_TITLE.name) />
            <TextAreaField spec=NOTICE_BODY value=kit.value(|f| &f.body)
                on_input=kit.on_input(NOTICE_BODY.name, |f, v| f.body = v)
                on_leave=kit.on_leave(NOTICE_BODY.name) errors=state.errors notes=kit.notes_of(NOTICE_BODY.name) />
            <TextField spec=PUBLISH_AT value=kit.value(|f| &f.publish_at)
                on_input=kit.on_input(PUBLISH_AT.name, |f, v| f.publish_at = v)
                on_leave=kit.on_leave(PUBLISH_AT.name) errors=state.errors notes=kit.notes_of(PUBLISH_AT.name)
                hint="不填则立即发布；填写将来的时间（北京时间，如 2025-01-06 10:00）则到时发布" />
            <button class="button" type="submit">"发布"</button>
        </form>
    }
}
