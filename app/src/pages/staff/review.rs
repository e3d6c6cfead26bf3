//! 网上审核: the registrations waiting for review at the account's sites, oldest request
//! first, each card with the photo, the information and the subjects, and 通过 / 退回 with
//! reasons; a decision for the whole filtered set; the latest decisions. Server-rendered
//! plain forms (the same with JavaScript on and off); a refused decision comes back on its
//! own card with the messages beside its fields and in the summary.

use super::config::BackToConsole;
use super::{filter_select, site_choices, subject_choices, Loading};
use crate::api::staff::get_staff_review_page;
use crate::components::error_summary::ErrorSummary;
use crate::components::form::use_posted;
use crate::components::layout::{DataTable, LoadProblem, NoticeBanner};
use crate::components::photo_facts::PhotoFactsList;
use crate::urls;
use crate::validation::review::{BulkReviewForm, DecisionForm, ReviewForm, ReviewReason, NOTE, NOTE_MAX, REASONS};
use crate::validation::FieldErrors;
use crate::views::staff::{DecidedRow, ReviewCard, ReviewPage, ReviewQuery};
use crate::views::{AppError, Posted};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "网上审核";

#[component]
pub fn StaffReviewPage() -> impl IntoView {
    let q = use_query_map();
    let query = q.with_untracked(|q| ReviewQuery {
        site: q.get("site").unwrap_or_default(),
        subject: q.get("subject").unwrap_or_default(),
        done: q.get("done").and_then(|v| v.parse().ok()),
        skipped: q.get("skipped").and_then(|v| v.parse().ok()),
    });
    // A refused decision, rendered by the server after a plain post.
    let card = use_posted::<ReviewForm>();
    let bulk = use_posted::<BulkReviewForm>();
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let (query, card, bulk) = (query.clone(), card.clone(), bulk.clone());
                Suspend::new(async move {
                    match get_staff_review_page(query).await {
                        Ok(page) => view! { <Queue page card bulk /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// A refused form's messages, with each field named as it is on this form (`note-12`), so
/// the summary's links reach the right card's inputs.
fn renamed(errors: &FieldErrors, suffix: &str) -> FieldErrors {
    errors.renamed(|field| format!("{field}-{suffix}"))
}

/// What a refused form shows: its summary, its values, and the message of each field.
struct Refused {
    errors: FieldErrors,
    values: DecisionForm,
    problem: Option<AppError>,
}

impl Refused {
    fn of<F>(posted: Posted<F>, suffix: &str, decision: impl Fn(&F) -> &DecisionForm) -> Self {
        Refused {
            errors: renamed(&posted.errors, suffix),
            values: decision(&posted.values).clone(),
            problem: posted.problem,
        }
    }

    fn message(&self, field: &str) -> Option<String> {
        self.errors.get(field).map(|e| e.message.clone())
    }
}

/// 退回原因 and 补充说明, for one card (`suffix` its id) or for the bulk decision.
fn reasons_fields(suffix: &str, refused: Option<&Refused>) -> impl IntoView {
    let reasons_id = format!("{}-{suffix}", REASONS.name);
    let note_id = format!("{}-{suffix}", NOTE.name);
    let reasons_error = refused.and_then(|r| r.message(&reasons_id));
    let note_error = refused.and_then(|r| r.message(&note_id));
    let ticked: Vec<String> = refused.map(|r| r.values.reasons.clone()).unwrap_or_default();
    let note = refused.map(|r| r.values.note.clone()).unwrap_or_default();
    let boxes = ReviewReason::ALL
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            // The first box carries the group's id: the summary's link lands on it.
            let id = if i == 0 { reasons_id.clone() } else { format!("{reasons_id}-{}", r.code()) };
            let checked = ticked.iter().any(|t| t == r.code());
            view! {
                <div class="field field--checkbox">
                    <input class="field__checkbox" type="checkbox" id=id.clone() name=REASONS.name value=r.code() checked=checked />
                    <label class="field__label" for=id>{r.words()}</label>
                </div>
            }
        })
        .collect_view();
    let reasons_err_id = format!("{reasons_id}-error");
    let note_err_id = format!("{note_id}-error");
    let note_invalid = note_error.is_some().then_some("true");
    let note_described = note_error.is_some().then(|| note_err_id.clone());
    let reasons_described = reasons_error.is_some().then(|| reasons_err_id.clone());
    view! {
        <fieldset class="fieldset" aria-describedby=reasons_described>
            <legend class="fieldset__legend">{REASONS.label}</legend>
            {reasons_error.map(|m| view! { <p class="field__error" id=reasons_err_id>{m}</p> })}
            {boxes}
        </fieldset>
        <div class="field">
            <label class="field__label" for=note_id.clone()>{format!("{}（考生可以看到）", NOTE.label)}</label>
            {note_error.map(|m| view! { <p class="field__error" id=note_err_id>{m}</p> })}
            <textarea class="field__input" id=note_id name=NOTE.name rows="2" maxlength=NOTE_MAX.to_string()
                aria-invalid=note_invalid aria-describedby=note_described>{note}</textarea>
        </div>
    }
}

/// The summary of a refused form and its problem that is not about one field.
fn refusal_view(refused: Option<&Refused>) -> impl IntoView {
    refused.map(|r| {
        let problem = r.problem.as_ref().map(|p| {
            view! { <div class="problem-banner" role="alert" data-testid="review-refused"><p>{p.user_message()}</p></div> }
        });
        let summary = (!r.errors.is_empty()).then(|| {
            view! { <ErrorSummary errors=RwSignal::new(r.errors.clone()) node_ref=NodeRef::new() autofocus=true /> }
        });
        view! { {problem}{summary} }
    })
}

fn hidden_filter(q: &ReviewQuery) -> impl IntoView {
    view! {
        <input type="hidden" name="site" value=q.site.clone() />
        <input type="hidden" name="subject" value=q.subject.clone() />
    }
}

fn card_view(c: ReviewCard, q: &ReviewQuery, refused: Option<Refused>) -> impl IntoView {
    let id = c.registration.to_string();
    let photo = c.has_photo.then(|| {
        let src = format!("{}?id={}", urls::STAFF_PHOTO, c.registration);
        view! { <img class="review-card__photo" src=src alt=format!("{}的照片", c.name) width="144" height="192" loading="lazy" /> }
    });
    let no_photo = (!c.has_photo).then(|| view! { <p>"（没有照片）"</p> });
    let measured = c
        .photo_facts
        .map(|facts| view! { <PhotoFactsList facts wanted=c.wanted title="照片检查（自动测量，仅供参考）" /> });
    let facts = c.facts.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view();
    let subjects = c
        .subjects
        .iter()
        .map(|s| view! { <li>{format!("{}（未缴费，{} 前不缴费则释放名额）", s.line, s.deadline)}</li> })
        .collect_view();
    let none_held = c.subjects.is_empty().then(|| view! { <li>"（已没有保留的科目）"</li> });
    let version = c.version.to_string();
    view! {
        <article class="panel review-card" data-testid="review-card" data-registration=id.clone() aria-labelledby=format!("card-{id}")>
            <h2 id=format!("card-{id}")>{format!("{} · {}", c.name, c.neea_id)}</h2>
            {refusal_view(refused.as_ref())}
            <div class="review-card__body">
                <div>{photo}{no_photo}<p class="field__hint">{format!("考点照片背景要求：{}", c.background)}</p>{measured}</div>
                <dl class="summary-list">
                    <div><dt>"证件"</dt><dd>{format!("{} {}", c.doc_type, c.masked_number)}</dd></div>
                    <div><dt>"考点"</dt><dd>{c.site.clone()}</dd></div>
                    <div><dt>"申请时间"</dt><dd>{c.requested.to_string()}</dd></div>
                    {facts}
                </dl>
            </div>
            <h3>"报考科目"</h3>
            <ul>{subjects}{none_held}</ul>
            <div class="actions">
                <form method="post" action=urls::STAFF_REVIEW_DECIDE class="inline-form">
                    <input type="hidden" name="registration" value=id.clone() />
                    <input type="hidden" name="version" value=version.clone() />
                    {hidden_filter(q)}
                    <button class="button" type="submit" name="decision" value="approve" data-testid="approve">"通过"</button>
                </form>
            </div>
            <details class="review-card__reject" open=refused.is_some()>
                <summary>"退回（请考生修改）"</summary>
                <form method="post" action=urls::STAFF_REVIEW_DECIDE data-testid="reject-form">
                    <input type="hidden" name="registration" value=id.clone() />
                    <input type="hidden" name="version" value=version />
                    {hidden_filter(q)}
                    {reasons_fields(&id, refused.as_ref())}
                    <button class="button button--warning" type="submit" name="decision" value="reject" data-testid="reject">"退回"</button>
                </form>
            </details>
        </article>
    }
}

fn decided_row(r: DecidedRow) -> impl IntoView {
    let href = format!("{}?id={}", urls::STAFF_CANDIDATE, r.registration);
    view! {
        <tr data-testid="decided-row">
            <td><a href=href>{r.neea_id}</a></td>
            <td>{r.name}</td>
            <td>{if r.approved { "通过" } else { "退回" }}</td>
            <td>{r.reasons.join("；")}</td>
            <td>{r.at.to_string()}</td>
        </tr>
    }
}

#[component]
fn Queue(page: ReviewPage, card: Option<Posted<ReviewForm>>, bulk: Option<Posted<BulkReviewForm>>) -> impl IntoView {
    let q = page.query.clone();
    let refused_id = card.as_ref().map(|c| c.values.registration.trim().to_owned());
    let mut card = card;
    let cards = page
        .cards
        .into_iter()
        .map(|c| {
            let refused = (refused_id.as_deref() == Some(c.registration.to_string().as_str()))
                .then(|| card.take())
                .flatten()
                .map(|p| Refused::of(p, &c.registration.to_string(), |f: &ReviewForm| &f.decision));
            card_view(c, &q, refused)
        })
        .collect_view();
    // A refused card no longer in the queue (decided meanwhile): its answer at the top.
    let orphan = card.map(|p| Refused::of(p, "gone", |f: &ReviewForm| &f.decision));
    let bulk = bulk.map(|p| Refused::of(p, "bulk", |f: &BulkReviewForm| &f.decision));
    let outcome = page.query.done.map(|done| {
        let skipped = page.query.skipped.unwrap_or(0);
        let rest = if skipped > 0 {
            format!("；{skipped}个在此期间有了变化（考生撤回、科目名额释放或已由他人审核），没有处理，请逐个查看")
        } else {
            String::new()
        };
        view! { <p class="notice" data-testid="bulk-outcome">{format!("本次按筛选处理了{done}个{rest}。")}</p> }
    });
    let none_reviewing = page.reviewing_sites.is_empty().then(|| {
        view! { <p class="notice">"您的考点都没有开启网上审核：考生可以直接缴费。需要时可以在考点设置里勾选“报名须经考点网上审核后才能缴费”。"</p> }
    });
    let empty = (page.total == 0).then(|| view! { <p data-testid="queue-empty">"没有待审核的报名。"</p> });
    let shown = page.total.min(crate::views::staff::REVIEW_CARDS);
    let decided_empty = page.decided.is_empty();
    let decided = page.decided.into_iter().map(decided_row).collect_view();
    let bulk_forms = (page.total > 0).then(|| {
        let upto = page.upto.clone();
        view! {
            <section class="panel" aria-labelledby="bulk-title" data-testid="bulk">
                <h2 id="bulk-title">"按当前筛选批量处理"</h2>
                <p>{format!("对当前筛选下、此刻之前申请的全部 {} 个报名（不只是本页显示的）作出同一决定。在此之后申请的、或在此期间有了变化的报名不受影响。", page.total)}</p>
                {refusal_view(bulk.as_ref())}
                <form method="post" action=urls::STAFF_REVIEW_BULK class="inline-form">
                    {hidden_filter(&q)}
                    <input type="hidden" name="upto" value=upto.clone() />
                    <button class="button" type="submit" name="decision" value="approve" data-testid="bulk-approve">
                        {format!("全部通过（{}个）", page.total)}
                    </button>
                </form>
                <details open=bulk.is_some()>
                    <summary>"全部退回"</summary>
                    <form method="post" action=urls::STAFF_REVIEW_BULK>
                        {hidden_filter(&q)}
                        <input type="hidden" name="upto" value=upto />
                        {reasons_fields("bulk", bulk.as_ref())}
                        <button class="button button--warning" type="submit" name="decision" value="reject" data-testid="bulk-reject">
                            {format!("全部退回（{}个）", page.total)}
                        </button>
                    </form>
                </details>
            </section>
        }
    });
    view! {
        <BackToConsole />
        <NoticeBanner />
        <h1>{TITLE}</h1>
        {refusal_view(orphan.as_ref())}
        {outcome}
        {none_reviewing}
        <form method="get" action=urls::STAFF_REVIEW class="filters" data-testid="review-filter">
            {filter_select("site", "考点", site_choices(&page.sites), &q.site)}
            {filter_select("subject", "报考科目", subject_choices(&page.subjects), &q.subject)}
            <button class="button button--secondary" type="submit">"筛选"</button>
        </form>
        <p data-testid="queue-total">{format!("待审核 {} 个，按申请时间先后排列（本页显示前 {shown} 个）。", page.total)}</p>
        {empty}
        {cards}
        {bulk_forms}
        <h2>"最近的审核"</h2>
        {decided_empty.then(|| view! { <p>"还没有审核记录。"</p> })}
        <DataTable testid="decided" headers=&["报名号", "姓名", "结果", "退回原因", "审核时间（北京时间）"]>{decided}</DataTable>
    }
}
