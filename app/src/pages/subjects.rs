//! Step 报考科目采集 (screen 4, second part) and its confirmation (screen 5). The site chooser
//! shows the chosen site's window, maximum, what the candidate holds and may still add, and
//! the subject table with fees and seats left. 提交 checks the choice with the shared rule;
//! the confirmation (a dialog with JavaScript, a page without) lists what is cancelled,
//! added and kept, with the certificate warning. Nothing is saved before 确定.

use crate::api::journey::{get_subjects_page, GetCapacity, GetSubjectsPage, SaveSubjects};
use crate::api::staff::PreviewSubjects;
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::CheckboxField;
use crate::components::form::{start, use_posted, FormKit, StepTitle};
use crate::components::layout::{LoadProblem, ProblemBanner, ReadOnlyBanner};
use crate::components::remote;
use crate::domain::photo::Background;
use crate::urls;
use crate::validation::declaration::TRUTHFUL;
use crate::validation::school::SchoolNeeds;
use crate::validation::subjects::{SubjectForm, SITE, SUBJECTS};
use crate::views::journey::{offer_for, Confirmation, FormTarget, SubjectLine, SubjectsPage};
use crate::views::{AppError, Posted, Refusal, WindowState};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_query_map;

pub const TITLE: &str = "报考科目采集";
const CERTIFICATE_WARNING: &str =
    "姓名、证件号码和报考科目将打印在合格证书上，请仔细核对。确认后如需修改，请在报名期间内、缴费之前进行。";

#[component]
pub fn SubjectsPage() -> impl IntoView {
    let posted = use_posted::<SubjectForm>();
    // `?site=` is the no-JS site chooser (a GET form); it overrides the saved site.
    let query = use_query_map();
    let chosen_site = query.with_untracked(|q| q.get("site"));
    view! {
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || {
                let (posted, site) = (posted.clone(), chosen_site.clone());
                Suspend::new(async move {
                    match get_subjects_page().await {
                        Ok(page) => subjects_body(page, posted, site, Some("subjects")),
                        Err(error) => view! {
                            <leptos_meta::Title text=TITLE />
                            <h1>{TITLE}</h1>
                            <LoadProblem error />
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn check(page: &SubjectsPage, form: &SubjectForm) -> Result<Confirmation, crate::validation::FieldErrors> {
    let offer = offer_for(&page.sites, &form.site, &page.held, page.given);
    form.parse(&page.ctx, &offer).map(|valid| Confirmation::build(&page.identity, &page.sites, &valid))
}

/// The step, or (after a valid no-JS post) its confirmation page; the candidate's page and
/// a site's preview alike. `bundle`: the client the step's island needs (the preview
/// page loads its own).
pub(crate) fn subjects_body(
    page: SubjectsPage,
    posted: Option<Posted<SubjectForm>>,
    site: Option<String>,
    bundle: Option<&'static str>,
) -> AnyView {
    match no_js_confirmation(&page, posted.as_ref()) {
        Some((c, form)) => {
            let action = page.target.subjects_action();
            view! { <ConfirmationPage c form seen=page.saved.seen action /> }.into_any()
        }
        None => {
            let posted = posted.filter(|p| p.problem != Some(AppError::ConfirmFirst));
            let (form, refusal) = start(posted, || chosen_form(&page, site));
            view! { {bundle.map(|bundle| view! { <ClientNeeded bundle=bundle /> })} <SubjectsStep page form refusal /> }
                .into_any()
        }
    }
}

/// After a valid no-JS post: the confirmation of the posted choice (nothing saved yet).
fn no_js_confirmation(
    page: &SubjectsPage,
    posted: Option<&Posted<SubjectForm>>,
) -> Option<(Confirmation, SubjectForm)> {
    let posted = posted.filter(|p| p.problem == Some(AppError::ConfirmFirst))?;
    check(page, &posted.values).ok().map(|c| (c, posted.values.clone()))
}

/// 报考信息确认 without JavaScript: the posted choice in hidden fields, 确定 or 取消. The
/// page carries the holdings version the form showed, so 确定 cannot save over holdings
/// another tab changed meanwhile.
#[component]
fn ConfirmationPage(c: Confirmation, form: SubjectForm, seen: Option<i32>, action: String) -> impl IntoView {
    view! {
        <leptos_meta::Title text="报考信息确认" />
        <h1>"报考信息确认"</h1>
        <ConfirmationBody c />
        <form method="post" action=action class="actions">
            <input type="hidden" name="site" value=form.site.clone() />
            {form.subjects.iter().map(|s| view! { <input type="hidden" name="subjects" value=s.clone() /> }).collect_view()}
            {form.declare.clone().map(|d| view! { <input type="hidden" name="declare" value=d /> })}
            {seen.map(|v| view! { <input type="hidden" name="seen" value=v.to_string() /> })}
            <button class="button" type="submit" name="confirmed" value="yes">"确定"</button>
            <button class="button button--secondary" type="submit" name="confirmed" value="no">"取消"</button>
        </form>
    }
}

/// The form as saved, or with the site the no-JS chooser asked for and what is held there.
fn chosen_form(page: &SubjectsPage, site: Option<String>) -> SubjectForm {
    let mut form = page.saved.clone();
    if let Some(site) = site {
        if site != form.site {
            form.site = site;
            form.subjects = page.held.iter().filter(|h| h.site_code == form.site).map(|h| h.code.clone()).collect();
        }
    }
    form
}

#[cfg_attr(island_subjects, island)]
#[cfg_attr(not(island_subjects), component)]
fn SubjectsStep(page: SubjectsPage, form: SubjectForm, refusal: Option<Refusal>) -> impl IntoView {
    // The holdings version this render shows (the form carries it to the desk).
    let seen = page.saved.seen;
    let page = StoredValue::new(page);
    let (ctx, page_for_check) = (page.with_value(|p| p.ctx), page);
    let kit = FormKit::new(
        form,
        refusal.as_ref(),
        ctx,
        move |f, _| page_for_check.with_value(|p| check(p, f).err().unwrap_or_default()),
        |f| (f.clone(), Vec::new()),
    );
    let state = kit.state;
    let dialog: RwSignal<Option<Confirmation>> = RwSignal::new(None);
    // Bumped when the page data changes in place (seats left, or the holdings after a
    // refusal): the panel and the rule read it again.
    let seats_version = RwSignal::new(0u32);
    // A refused choice may have met holdings another tab changed: the next dialog and 确定
    // work from the holdings as they are now (what is ticked stays). Until they have
    // arrived 提交 is disabled (which also stops a submit by Enter), so no dialog is worked
    // out from the holdings that were refused.
    let reloading = RwSignal::new(false);
    let target = page.with_value(|p| p.target.clone());
    let preview = target.is_preview();
    let reload_holdings = move || {
        dialog.set(None);
        if preview {
            return;
        }
        reloading.set(true);
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = remote::get::<SubjectsPage>(GetSubjectsPage::PATH).await {
                page.update_value(|p| {
                    p.held = fresh.held;
                    p.saved.seen = fresh.saved.seen;
                    p.sites = fresh.sites;
                });
                seats_version.update(|v| *v += 1);
            }
            reloading.set(false);
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            dialog.set(page.with_value(|p| check(p, &form).ok()));
        }
    };
    // 确定 carries the holdings version the dialog was worked out from.
    let confirm = move |_| {
        dialog.set(None);
        let seen = page.with_value(|p| p.saved.seen);
        let form = SubjectForm { seen, ..kit.form.get_untracked() };
        match page.with_value(|p| p.target.clone()) {
            FormTarget::Candidate => state.send(SaveSubjects::PATH, SaveSubjects { form }, reload_holdings),
            FormTarget::Preview { site, draft } => {
                state.send(PreviewSubjects::PATH, PreviewSubjects { site, draft: draft.map(|d| *d), form }, || {})
            }
        }
    };
    let read_only = page.with_value(|p| p.read_only.clone());
    let roster = page.with_value(|p| p.roster.clone()).map(|sites| {
        view! { <p class="panel" data-testid="roster-limit">{format!("您在{sites}的学籍库中，只能在该考点报名。")}</p> }
    });

    let site_code = Signal::derive(move || kit.form.with(|f| f.site.clone()));
    // Seats left, kept current: the rule and the table both read the page data, refreshed.
    // A preview shows the seats as they were when it was opened (the candidates' seat
    // endpoint answers candidates only).
    let refresh = move || {
        let site = site_code.get_untracked();
        if site.is_empty() || preview {
            return;
        }
        leptos::task::spawn_local(async move {
            let url = format!("{}?site={}", GetCapacity::PATH, urls::percent_encode(&site));
            if let Ok(fresh) = remote::get::<Vec<(String, i32)>>(&url).await {
                page.update_value(|p| {
                    if let Some(s) = p.sites.iter_mut().find(|s| s.code == site) {
                        for subject in &mut s.subjects {
                            if let Some((_, left)) = fresh.iter().find(|(code, _)| *code == subject.code) {
                                subject.remaining = *left;
                            }
                        }
                    }
                });
                seats_version.update(|v| *v += 1);
            }
        });
    };
    live_seats(refresh);
    let sites = page.with_value(|p| p.sites.iter().map(|s| (s.code.clone(), s.label.clone())).collect::<Vec<_>>());
    let choose_site = move |ev: leptos::ev::Event| {
        let code = event_target_value(&ev);
        let held = page
            .with_value(|p| p.held.iter().filter(|h| h.site_code == code).map(|h| h.code.clone()).collect::<Vec<_>>());
        kit.form.update(|f| {
            f.site = code;
            f.subjects = held;
        });
        state.touch(SITE.name);
    };
    let toggle = move |code: String, on: bool| {
        kit.form.update(|f| {
            f.subjects.retain(|c| *c != code);
            if on {
                f.subjects.push(code);
            }
        });
        state.touch(SUBJECTS.name);
        let errors = kit.form.with_untracked(|f| page.with_value(|p| check(p, f).err().unwrap_or_default()));
        state.show_touched(errors);
    };
    let has_error = move |name: &'static str| state.errors.with(|e| e.get(name).is_some());
    let error_of = move |name: &'static str| state.errors.with(|e| e.get(name).map(|x| x.message.clone()));

    let locked_out = read_only.is_some();
    let panel = move || {
        seats_version.track();
        let code = site_code.get();
        page.with_value(|p| {
            let site = p.site(&code)?.clone();
            let held_here: Vec<_> = p.held.iter().filter(|h| h.site_code == code).cloned().collect();
            let chosen = kit.form.with(|f| f.subjects.len());
            let paid = held_here.iter().filter(|h| h.paid).count();
            let more = usize::from(site.max_subjects).saturating_sub(chosen);
            let window_note = match &site.window_state {
                WindowState::Open => None,
                WindowState::NotYetOpen { opens } => Some(format!("本考点网上报名尚未开始，开始时间为 {opens}")),
                WindowState::Closed => Some("本考点网上报名已经结束".to_owned()),
            };
            let rows = site
                .subjects
                .iter()
                .map(|s| {
                    let code = s.code.clone();
                    let held = held_here.iter().find(|h| h.code == s.code).cloned();
                    let paid = held.as_ref().is_some_and(|h| h.paid);
                    let full = s.remaining <= 0 && held.is_none();
                    let checked = {
                        let code = code.clone();
                        Signal::derive(move || kit.form.with(|f| f.subjects.contains(&code)))
                    };
                    let line = SubjectLine::of(s);
                    let id = format!("subject-{}", s.code);
                    let toggle_code = code.clone();
                    view! {
                        <tr>
                            <td>
                                <input
                                    class="checkbox__input"
                                    type="checkbox"
                                    id=id.clone()
                                    name="subjects"
                                    value=code.clone()
                                    checked=checked.get_untracked()
                                    prop:checked=move || checked.get()
                                    disabled=paid || full || locked_out
                                    on:change=move |ev| toggle(toggle_code.clone(), event_target_checked(&ev))
                                />
                                {paid.then(|| view! { <input type="hidden" name="subjects" value=code.clone() /> })}
                            </td>
                            <td>{line.level}</td>
                            <td><label for=id>{line.subject}</label></td>
                            <td>{line.fee}</td>
                            <td data-testid=format!("remaining-{}", s.code)>
                                {if full { "已满".to_owned() } else { s.remaining.to_string() }}
                                {paid.then_some("（已缴费）")}
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <section class="panel" aria-labelledby="site-panel-title" data-testid="site-panel">
                    <h2 id="site-panel-title">{site.label.clone()}</h2>
                    <dl class="summary-list">
                        <div><dt>"网上报名时间"</dt><dd>{site.window.clone()}</dd></div>
                        <div><dt>"本考点最多可报考科目"</dt><dd>{format!("{}科", site.max_subjects)}</dd></div>
                        {(site.needs != SchoolNeeds::NONE).then(|| view! {
                            <div><dt>"校内考点要求填写"</dt><dd data-testid="site-needs">{site.needs.words()}</dd></div>
                        })}
                        {(site.background != Background::Any).then(|| view! {
                            <div><dt>"照片背景颜色"</dt><dd data-testid="site-background">{site.background.label_zh()}</dd></div>
                        })}
                        <div><dt>"已选科目"</dt><dd>{format!("{chosen}科")}</dd></div>
                        <div><dt>"已缴费科目"</dt><dd>{format!("{paid}科")}</dd></div>
                        <div><dt>"还可以增加"</dt><dd data-testid="more">{format!("{more}科")}</dd></div>
                    </dl>
                    {window_note.map(|n| view! { <p class="notice">{n}</p> })}
                    <table class="table">
                        <caption class="visually-hidden">"本考点开考科目"</caption>
                        <thead>
                            <tr><th scope="col">"选择"</th><th scope="col">"级别"</th><th scope="col">"科目"</th>
                                <th scope="col">"费用(元)"</th><th scope="col">"剩余容量"</th></tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </section>
            })
        })
    };

    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <ReadOnlyBanner reason=read_only.clone() />
        {roster}
        <form method="get" action=target.subjects_page() class="site-chooser" on:submit=|ev| ev.prevent_default()>
            <div class="field" class:field--error=move || has_error(SITE.name)>
                <label class="field__label" for="site">{SITE.label}</label>
                {move || error_of(SITE.name).map(|m| view! { <p class="field__error" id="site-error"><span class="visually-hidden">"错误："</span>{m}</p> })}
                <select class="field__select" id="site" name="site" on:change=choose_site disabled=read_only.is_some()>
                    <option value="" selected=move || site_code.get().is_empty()>"请选择考点"</option>
                    {sites.into_iter().map(|(code, label)| {
                        let c = code.clone();
                        view! { <option value=code selected=move || site_code.get() == c>{label}</option> }
                    }).collect_view()}
                </select>
                <button class="button button--secondary" type="submit">"查看考点科目"</button>
            </div>
        </form>
        <form method="post" action=target.subjects_action() novalidate on:submit=on_submit>
            <input type="hidden" name="site" value=move || site_code.get() />
            {seen.map(|v| view! { <input type="hidden" name="seen" value=v.to_string() /> })}
            <div class="field" class:field--error=move || has_error(SUBJECTS.name) id="subjects">
                {move || error_of(SUBJECTS.name).map(|m| view! { <p class="field__error" id="subjects-error"><span class="visually-hidden">"错误："</span>{m}</p> })}
                {panel}
            </div>
            {read_only.is_none().then(|| view! {
                <CheckboxField
                    spec=TRUTHFUL
                    value="yes"
                    checked=Signal::derive(move || kit.form.with(|f| f.declare.is_some()))
                    on_change=Callback::new(move |on: bool| {
                        kit.form.update(|f| f.declare = on.then(|| "yes".to_owned()));
                        state.touch(TRUTHFUL.name);
                        let errors = kit.form.with_untracked(|f| page.with_value(|p| check(p, f).err().unwrap_or_default()));
                        state.show_touched(errors);
                    })
                    errors=state.errors
                />
                <button class="button" type="submit" disabled=move || state.sending.get() || reloading.get()>"提交"</button>
            })}
        </form>
        {move || dialog.get().map(|c| view! {
            <div class="dialog-backdrop">
                <dialog open class="dialog" aria-labelledby="confirm-title" aria-modal="true">
                    <h2 id="confirm-title">"报考信息确认"</h2>
                    <ConfirmationBody c />
                    <p class="actions">
                        <button class="button" type="button" on:click=confirm>"确定"</button>
                        <button class="button button--secondary" type="button" on:click=move |_| dialog.set(None)>"取消"</button>
                    </p>
                </dialog>
            </div>
        })}
    }
}

#[component]
fn SubjectList(title: &'static str, lines: Vec<SubjectLine>, testid: &'static str) -> impl IntoView {
    view! {
        <h3>{title}</h3>
        <ul data-testid=testid>
            {if lines.is_empty() {
                Either::Left(view! { <li>"无"</li> })
            } else {
                Either::Right(lines.into_iter().map(|l| view! { <li>{format!("{} {} {}", l.level, l.subject, l.fee)}</li> }).collect_view())
            }}
        </ul>
    }
}

#[component]
fn ConfirmationBody(c: Confirmation) -> impl IntoView {
    view! {
        <dl class="summary-list" data-testid="confirmation">
            <div><dt>"姓名"</dt><dd>{c.name}</dd></div>
            <div><dt>"证件类型"</dt><dd>{super::doc_type_words(c.doc_type)}</dd></div>
            <div><dt>"证件号码"</dt><dd>{c.masked_number}</dd></div>
            <div><dt>"考点"</dt><dd>{c.site}</dd></div>
        </dl>
        <SubjectList title="本次取消的科目" lines=c.cancelled testid="cancelled" />
        <SubjectList title="本次新增的科目" lines=c.added testid="added" />
        <SubjectList title="保存后的全部科目" lines=c.all testid="all-subjects" />
        <p>{format!("待缴费金额：{}", c.to_pay)}</p>
        <p class="notice" role="note">{CERTIFICATE_WARNING}</p>
    }
}

/// Calls `refresh` every 15 seconds while the page is visible, and whenever the window gets
/// focus. Polling, not a stream: at opening thousands of candidates look at the table, and a
/// small GET every 15 s (a few indexed reads; the session's last-seen time is written at
/// most once a minute) costs the server less than thousands of held-open connections, passes
/// every proxy, and stops by itself when the tab is hidden. Focus covers the common case: the
/// candidate comes back to the tab to choose. A visible page polling counts as activity, so
/// it keeps its session (up to the 12-hour limit); a hidden one lets the idle timeout run.
fn live_seats(refresh: impl Fn() + Clone + 'static) {
    #[cfg(target_arch = "wasm32")]
    {
        let tick = refresh.clone();
        let interval = set_interval_with_handle(
            move || {
                if document().visibility_state() == web_sys::VisibilityState::Visible {
                    tick();
                }
            },
            std::time::Duration::from_secs(15),
        );
        let focus = window_event_listener(leptos::ev::focus, move |_| refresh());
        on_cleanup(move || {
            if let Ok(i) = interval {
                i.clear();
            }
            focus.remove();
        });
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = refresh;
}
