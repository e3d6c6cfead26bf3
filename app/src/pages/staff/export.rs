//! 导出报名数据: a GET form (the same with JavaScript on and off) whose answer is the file:
//! the 考生查询 filter, the columns, the format, and — for the province only — full
//! document numbers. A refused export comes back here with the messages beside the fields.

use super::config::BackToConsole;
use super::{candidate_filter, Loading};
use crate::api::staff::get_staff_export_page;
use crate::components::error_summary::ErrorSummary;
use crate::components::form::use_posted;
use crate::components::layout::LoadProblem;
use crate::urls;
use crate::validation::export::{ExportColumn, ExportForm, ExportFormat, COLUMNS, FORMAT, FULL_NUMBERS};
use crate::views::staff::{CandidateQuery, ExportPage};
use crate::views::Posted;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "导出报名数据";

#[component]
pub fn StaffExportPage() -> impl IntoView {
    let refused = use_posted::<ExportForm>();
    let q = use_query_map();
    let filter = match &refused {
        Some(p) => p.values.filter.clone(),
        None => q.with_untracked(|q| CandidateQuery {
            q: q.get("q").unwrap_or_default(),
            site: q.get("site").unwrap_or_default(),
            subject: q.get("subject").unwrap_or_default(),
            paid: q.get("paid").unwrap_or_default(),
            review: q.get("review").unwrap_or_default(),
            page: None,
        }),
    };
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let (filter, refused) = (filter.clone(), refused.clone());
                Suspend::new(async move {
                    match get_staff_export_page(filter).await {
                        Ok(page) => view! { <Export page refused /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Export(page: ExportPage, refused: Option<Posted<ExportForm>>) -> impl IntoView {
    let f = page.filter.clone();
    let errors = refused.as_ref().map(|r| r.errors.clone()).unwrap_or_default();
    let problem = refused.as_ref().and_then(|r| r.problem.clone());
    let values = refused.map(|r| r.values);
    let message = |field: &str| errors.get(field).map(|e| e.message.clone());
    let chosen_format = values.as_ref().map_or_else(|| ExportFormat::Xlsx.code().to_owned(), |v| v.format.clone());
    let ticked = |c: ExportColumn| match &values {
        Some(v) => v.columns.iter().any(|x| x == c.code()),
        None => ExportColumn::DEFAULT.contains(&c),
    };
    let formats = ExportFormat::ALL
        .into_iter()
        .map(|fmt| {
            let id = format!("format-{}", fmt.code());
            view! {
                <div class="field field--checkbox">
                    <input class="field__checkbox" type="radio" id=id.clone() name=FORMAT.name value=fmt.code()
                        checked=chosen_format == fmt.code() />
                    <label class="field__label" for=id>{fmt.words()}</label>
                </div>
            }
        })
        .collect_view();
    let columns = ExportColumn::ALL
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            // The first box carries the group's id: the summary's link lands on it.
            let id = if i == 0 { COLUMNS.name.to_owned() } else { format!("columns-{}", c.code()) };
            view! {
                <div class="field field--checkbox">
                    <input class="field__checkbox" type="checkbox" id=id.clone() name=COLUMNS.name value=c.code() checked=ticked(c) />
                    <label class="field__label" for=id>{c.heading()}</label>
                </div>
            }
        })
        .collect_view();
    let full = page.may_export_full_numbers.then(|| {
        let checked = values.as_ref().is_some_and(|v| v.full_numbers.is_some());
        view! {
            <div class="field field--checkbox">
                <input class="field__checkbox" type="checkbox" id=FULL_NUMBERS.name name=FULL_NUMBERS.name value="on" checked=checked />
                <label class="field__label" for=FULL_NUMBERS.name>{FULL_NUMBERS.label}</label>
            </div>
        }
    });
    let full_error =
        message(FULL_NUMBERS.name).map(|m| view! { <p class="field__error" id="full_numbers-error">{m}</p> });
    let format_error = message(FORMAT.name).map(|m| view! { <p class="field__error" id="format-error">{m}</p> });
    let columns_error = message(COLUMNS.name).map(|m| view! { <p class="field__error" id="columns-error">{m}</p> });
    let summary = (!errors.is_empty()).then(
        || view! { <ErrorSummary errors=RwSignal::new(errors.clone()) node_ref=NodeRef::new() autofocus=true /> },
    );
    view! {
        <BackToConsole />
        <h1>{TITLE}</h1>
        {problem.map(|p| view! { <div class="problem-banner" role="alert"><p>{p.user_message()}</p></div> })}
        {summary}
        <p data-testid="export-total">{format!("按下面的筛选条件，共{}名考生。", page.total)}</p>
        <p>"文件按筛选条件导出全部符合的考生（不分页）。考点账号只能导出本考点的考生；证件号码默认隐藏中间部分数字。每次导出都记入操作记录。"</p>
        <form method="get" action=urls::STAFF_EXPORT_DOWNLOAD data-testid="export-form">
            <fieldset class="fieldset">
                <legend class="fieldset__legend">"筛选条件（与考生查询相同）"</legend>
                {candidate_filter(&f, &page.sites, &page.subjects)}
            </fieldset>
            <fieldset class="fieldset">
                <legend class="fieldset__legend">{FORMAT.label}</legend>
                {format_error}
                {formats}
            </fieldset>
            <fieldset class="fieldset">
                <legend class="fieldset__legend">{COLUMNS.label}</legend>
                {columns_error}
                {columns}
                {full_error}
                {full}
            </fieldset>
            <button class="button" type="submit" data-testid="export-download">"导出"</button>
        </form>
    }
}
