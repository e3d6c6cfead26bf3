//! 学籍库: a site's students and the upload of a file of them, and an upload's report with
//! 导入 / 放弃. Plain forms (a multipart post for the file), the same with JavaScript on and
//! off; a refused upload comes back here with the message beside the file field.

use super::config::BackToConsole;
use super::{select_options, Loading};
use crate::api::staff::{get_staff_roster_report_page, get_staff_rosters_page};
use crate::components::error_summary::ErrorSummary;
use crate::components::form::use_posted;
use crate::components::layout::{DataTable, LoadProblem, NoticeBanner};
use crate::urls;
use crate::validation::roster::{RosterColumn, FILE, MAX_FILE, MAX_ROWS, SITE};
use crate::validation::FieldErrors;
use crate::views::staff::{
    RosterDecisionForm, RosterQuery, RosterReportPage, RosterState, RosterUploadForm, RosterUploadRow, RostersPage,
};
use crate::views::Posted;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "学籍库";

#[component]
pub fn StaffRostersPage() -> impl IntoView {
    let refused = use_posted::<RosterUploadForm>();
    let q = use_query_map();
    let query = q.with_untracked(|q| RosterQuery {
        site: refused.as_ref().map(|r| r.values.site.clone()).or_else(|| q.get("site")).unwrap_or_default(),
        page: q.get("page").and_then(|p| p.parse().ok()),
    });
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let (query, refused) = (query.clone(), refused.clone());
                Suspend::new(async move {
                    match get_staff_rosters_page(query).await {
                        Ok(page) => view! { <Rosters page refused /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn state_words(state: RosterState) -> String {
    match state {
        RosterState::Staged => "待确认".into(),
        RosterState::Expired => "已过期（未导入）".into(),
        RosterState::Imported { inserted, updated, unchanged } => {
            format!("已导入：新增{inserted}人，更新{updated}人，{unchanged}人无变化")
        }
        RosterState::Discarded => "已放弃（未导入）".into(),
    }
}

fn rosters_href(site: &str, page: u32) -> String {
    let page = page.to_string();
    urls::with_query(urls::STAFF_ROSTERS, &[("site", site), ("page", page.as_str())])
}

/// A field's message, tied to its input by id.
pub(super) fn field_error(errors: &FieldErrors, field: &'static str) -> Option<impl IntoView> {
    errors.get(field).map(|e| view! { <p class="field__error" id=format!("{field}-error")>{e.message.clone()}</p> })
}

#[component]
fn Rosters(page: RostersPage, refused: Option<Posted<RosterUploadForm>>) -> impl IntoView {
    let errors = refused.as_ref().map(|r| r.errors.clone()).unwrap_or_default();
    let problem = refused.as_ref().and_then(|r| r.problem.clone());
    let summary = (!errors.is_empty()).then(
        || view! { <ErrorSummary errors=RwSignal::new(errors.clone()) node_ref=NodeRef::new() autofocus=true /> },
    );
    let site = page.site.clone();
    let chosen = page.sites.iter().find(|s| s.code == site).cloned();
    let site_links = page
        .sites
        .iter()
        .map(|s| {
            let current = (s.code == site).then_some("page");
            view! {
                <tr>
                    <td><a href=rosters_href(&s.code, 1) aria-current=current>{format!("({}){}", s.code, s.name)}</a></td>
                    <td>{format!("{}人", s.students)}</td>
                    <td>{if s.needs.is_empty() { "（无）".to_owned() } else { s.needs.clone() }}</td>
                </tr>
            }
        })
        .collect_view();
    let choices: Vec<(String, String)> =
        page.sites.iter().map(|s| (s.code.clone(), format!("({}){}", s.code, s.name))).collect();
    let entries = page
        .entries
        .iter()
        .map(|e| {
            view! {
                <tr data-testid="roster-entry">
                    <td>{e.name.clone()}</td>
                    <td>{e.doc_type.clone()}</td>
                    <td>{e.masked_number.clone()}</td>
                    <td>{e.ethnicity.clone()}</td>
                    <td>{e.department.clone()}</td>
                    <td>{e.major.clone()}</td>
                    <td>{e.class_name.clone()}</td>
                    <td>{e.student_no.clone()}</td>
                    <td>{e.updated.to_string()}</td>
                </tr>
            }
        })
        .collect_view();
    let uploads = page.uploads.iter().map(upload_line).collect_view();
    let prev = (page.page > 1).then(|| view! { <a href=rosters_href(&site, page.page - 1)>"上一页"</a> });
    let next = (page.page < page.pages).then(|| view! { <a href=rosters_href(&site, page.page + 1)>"下一页"</a> });
    let headings: Vec<&str> = RosterColumn::ALL.iter().map(|c| c.heading()).collect();
    let required: Vec<&str> = RosterColumn::ALL.iter().filter(|c| c.required()).map(|c| c.heading()).collect();
    let file_described = errors.get(FILE.name).map(|_| "file-error file-hint").unwrap_or("file-hint");
    view! {
        <BackToConsole />
        <h1>{TITLE}</h1>
        <NoticeBanner />
        {problem.map(|p| view! { <div class="problem-banner" role="alert"><p>{p.user_message()}</p></div> })}
        {summary}
        <p>"考点可以上传本校学生名单。名单上的学生报名时，学校信息（院系、专业、班级、学号）会自动填好，并且只能在名单所属的考点报名。"</p>
        <DataTable testid="roster-sites" headers=&["考点", "学籍库人数", "要求填写"]>{site_links}</DataTable>
        <h2>"上传学籍库文件"</h2>
        <p id="file-hint">{format!(
            "CSV（UTF-8或GBK编码）或Excel的.xlsx文件，第一行是表头：{}（{}必填，其余可空）。每行一名学生，最多{}行，文件不超过{}MB。证件号码、学号列请设置为“文本”格式。上传后先检查每一行，确认后才导入；已在学籍库中的学生（同一证件）会被更新，不会重复。",
            headings.join("、"), required.join("、"), MAX_ROWS, MAX_FILE / (1024 * 1024)
        )}</p>
        <p><a href=urls::STAFF_ROSTER_TEMPLATE download="学籍库模板.csv">"下载模板（CSV）"</a></p>
        <form method="post" action=urls::STAFF_ROSTERS enctype="multipart/form-data" novalidate data-testid="roster-upload">
            <div class="field">
                <label class="field__label" for=SITE.name>{SITE.label}</label>
                {field_error(&errors, SITE.name)}
                <select class="field__select" id=SITE.name name=SITE.name aria-invalid=errors.get(SITE.name).map(|_| "true")>
                    {select_options(choices, &site)}
                </select>
            </div>
            <div class="field">
                <label class="field__label" for=FILE.name>{FILE.label}</label>
                {field_error(&errors, FILE.name)}
                <input class="field__input" type="file" id=FILE.name name=FILE.name
                    accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    aria-describedby=file_described aria-invalid=errors.get(FILE.name).map(|_| "true") />
            </div>
            <button class="button" type="submit">"上传并检查"</button>
        </form>
        {chosen.map(|s| view! {
            <h2>{format!("({}){}的学籍库", s.code, s.name)}</h2>
            <p data-testid="roster-total">{format!("共{}人，第{}/{}页", page.total, page.page, page.pages)}</p>
        })}
        {page.entries.is_empty().then(|| view! { <p>"学籍库中还没有学生。"</p> })}
        <DataTable testid="roster-entries" headers=&["姓名", "证件类型", "证件号码", "民族", "院系", "专业", "班级", "学号", "更新时间（北京时间）"]>{entries}</DataTable>
        <p class="pager">{prev}" "{next}</p>
        <h2>"最近上传"</h2>
        {page.uploads.is_empty().then(|| view! { <p>"还没有上传过文件。"</p> })}
        <DataTable testid="roster-uploads" headers=&["上传时间（北京时间）", "文件", "上传人", "行数", "有误", "状态"]>{uploads}</DataTable>
    }
}

fn upload_line(u: &RosterUploadRow) -> impl IntoView {
    let href = format!("{}?id={}", urls::STAFF_ROSTER_REPORT, u.id);
    view! {
        <tr>
            <td><a href=href>{u.at.to_string()}</a></td>
            <td>{u.file_name.clone()}</td>
            <td>{u.by.clone()}</td>
            <td>{u.rows}</td>
            <td>{u.bad}</td>
            <td>{state_words(u.state)}</td>
        </tr>
    }
}

#[component]
pub fn StaffRosterReportPage() -> impl IntoView {
    let refused = use_posted::<RosterDecisionForm>();
    let id = use_query_map().with_untracked(|q| q.get("id").and_then(|i| i.parse::<i32>().ok())).unwrap_or(0);
    view! {
        <Title text="学籍库文件检查结果" />
        <Suspense fallback=Loading>
            {move || {
                let refused = refused.clone();
                Suspend::new(async move {
                    match get_staff_roster_report_page(id).await {
                        Ok(page) => view! { <Report page refused /> }.into_any(),
                        Err(error) => view! { <BackToConsole /><h1>"学籍库文件检查结果"</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Report(page: RosterReportPage, refused: Option<Posted<RosterDecisionForm>>) -> impl IntoView {
    let u = page.upload.clone();
    let errors = refused.as_ref().map(|r| r.errors.clone()).unwrap_or_default();
    let problem = refused.as_ref().and_then(|r| r.problem.clone());
    let summary = (!errors.is_empty()).then(
        || view! { <ErrorSummary errors=RwSignal::new(errors.clone()) node_ref=NodeRef::new() autofocus=true /> },
    );
    let back = urls::with_query(urls::STAFF_ROSTERS, &[("site", u.site.as_str())]);
    let action = format!("{}?id={}", urls::STAFF_ROSTER_REPORT, u.id);
    let lines = page
        .problems
        .iter()
        .map(|p| {
            view! {
                <tr data-testid="roster-problem">
                    <td>{format!("第{}行", p.row)}</td>
                    <td>{p.column.clone()}</td>
                    <td>{p.value.clone()}</td>
                    <td>{p.message.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let decision = (u.state == RosterState::Staged).then(|| {
        let import_words = if u.bad > 0 {
            format!("导入正确的{}行（有误的{}行不导入）", u.good, u.bad)
        } else {
            format!("导入全部{}行", u.good)
        };
        let id = u.id.to_string();
        view! {
            <h2>"确认"</h2>
            <p>{format!(
                "检查结果保留{}小时。导入后，已在学籍库中的学生（同一证件）按本文件更新，其余新增。有误的行可以在文件中改正后重新上传。",
                page.valid_hours
            )}</p>
            {field_error(&errors, "action")}
            <form method="post" action=action.clone() class="inline-form">
                <input type="hidden" name="id" value=id.clone() />
                <button class="button" type="submit" id="action" name="action" value="import" disabled=u.good == 0
                    data-testid="roster-import">{import_words}</button>
            </form>
            <form method="post" action=action class="inline-form">
                <input type="hidden" name="id" value=id />
                <button class="button button--secondary" type="submit" name="action" value="discard"
                    data-testid="roster-discard">"放弃，不导入"</button>
            </form>
        }
    });
    view! {
        <BackToConsole />
        <p class="breadcrumb"><a href=back>"学籍库"</a></p>
        <h1>"学籍库文件检查结果"</h1>
        <NoticeBanner />
        {problem.map(|p| view! { <div class="problem-banner" role="alert"><p>{p.user_message()}</p></div> })}
        {summary}
        <dl class="summary-list" data-testid="roster-report">
            <div><dt>"考点"</dt><dd>{format!("({}){}", u.site, page.site_name)}</dd></div>
            <div><dt>"文件"</dt><dd>{u.file_name.clone()}</dd></div>
            <div><dt>"上传"</dt><dd>{format!("{}，{}", u.at, u.by)}</dd></div>
            <div><dt>"学生行数"</dt><dd>{u.rows}</dd></div>
            <div><dt>"正确"</dt><dd data-testid="roster-good">{u.good}</dd></div>
            <div><dt>"有误"</dt><dd data-testid="roster-bad">{u.bad}</dd></div>
            <div><dt>"状态"</dt><dd data-testid="roster-state">{state_words(u.state)}</dd></div>
        </dl>
        {decision}
        <h2>"有误的行"</h2>
        {page.problems.is_empty().then(|| view! { <p data-testid="roster-no-problems">"每一行都通过了检查。"</p> })}
        <DataTable testid="roster-problems" headers=&["行", "列", "填写的内容", "问题"]>{lines}</DataTable>
    }
}
