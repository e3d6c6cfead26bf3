//! 预览: a site's 个人信息采集 and 报考科目采集 as its candidates see them now, rendered by
//! the candidates' own step components with a sample candidate. The forms check with the
//! very same rules (in the browser as typed, and on the server when sent) and store nothing:
//! they post to the preview's own URLs, under a banner that says so. One step at a time
//! (`?step=`), so the page loads just that step's bundle, the candidates' own. Beside a
//! settings form (in a frame) it shows the settings as typed, carried in its URL.

use super::Loading;
use crate::api::staff::{get_preview_info_page, get_preview_subjects_page};
use crate::components::client::ClientNeeded;
use crate::components::form::{start, use_posted};
use crate::components::layout::{LoadProblem, NoticeBanner};
use crate::pages::info::InfoStep;
use crate::pages::subjects::subjects_body;
use crate::urls;
use crate::validation::info::InfoForm;
use crate::validation::subjects::SubjectForm;
use crate::views::journey::{preview_page, FormTarget, PreviewDraft, PreviewStep};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "预览考生页面";

#[component]
pub fn StaffPreviewPage() -> impl IntoView {
    let query = use_query_map();
    let site = query.with_untracked(|q| q.get("site")).unwrap_or_default();
    let step = query.with_untracked(|q| PreviewStep::from_code(q.get("step").as_deref()));
    let draft = query.with_untracked(|q| PreviewDraft::from_query(&site, |k| q.get(k)));
    let info_posted = use_posted::<InfoForm>();
    let subjects_posted = use_posted::<SubjectForm>();
    // Links leave the frame when the preview is shown beside a settings form.
    let back = format!("{}?code={}", urls::STAFF_SITE, urls::percent_encode(&site));
    view! {
        <Title text=TITLE />
        <p class="breadcrumb"><a href=back target="_top">"返回考点设置"</a></p>
        <Suspense fallback=Loading>
            {move || {
                let (site, draft) = (site.clone(), draft.clone());
                let (info_posted, subjects_posted) = (info_posted.clone(), subjects_posted.clone());
                Suspend::new(async move {
                    let asked = draft.is_some();
                    let tabs = view! { <Steps site=site.clone() step draft=draft.clone() /> };
                    // One step at a time: the page loads that step's own bundle, the
                    // candidates' (`info` or `subjects`).
                    let (body, target) = match step {
                        PreviewStep::Info => match get_preview_info_page(site.clone(), draft).await {
                            Ok(mut info) => {
                                let target = info.target.clone();
                                let (form, refusal) = start(info_posted, || info.saved.clone());
                                info.saved = form;
                                let body = view! {
                                    <ClientNeeded bundle="info" />
                                    <section class="preview" data-testid="preview-info"><InfoStep page=info refusal /></section>
                                };
                                (body.into_any(), target)
                            }
                            Err(error) => return view! { <h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                        },
                        PreviewStep::Subjects => match get_preview_subjects_page(site.clone(), draft).await {
                            Ok(subjects) => {
                                let target = subjects.target.clone();
                                let body = view! {
                                    <section class="preview" data-testid="preview-subjects">
                                        {subjects_body(subjects, subjects_posted, Some(site.clone()), Some("subjects"))}
                                    </section>
                                };
                                (body.into_any(), target)
                            }
                            Err(error) => return view! { <h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                        },
                    };
                    let shown = matches!(target, FormTarget::Preview { draft: Some(_), .. });
                    view! { <Banner site asked shown /> {tabs} <NoticeBanner /> {body} }.into_any()
                })
            }}
        </Suspense>
    }
}

/// The two steps of the preview, the one shown marked; each link keeps the settings shown.
#[component]
fn Steps(site: String, step: PreviewStep, draft: Option<PreviewDraft>) -> impl IntoView {
    let links = PreviewStep::ALL
        .into_iter()
        .map(|s| {
            let words = match s {
                PreviewStep::Info => "个人信息采集",
                PreviewStep::Subjects => "报考科目采集",
            };
            let href = preview_page(&site, s, draft.as_ref());
            let current = (s == step).then_some("page");
            view! { <li><a href=href aria-current=current data-testid=format!("preview-step-{}", s.code())>{words}</a></li> }
        })
        .collect_view();
    view! { <nav aria-label="预览的页面"><ul class="preview-steps">{links}</ul></nav> }
}

/// 预览: whose pages these are, that nothing is stored, and which settings are shown.
#[component]
fn Banner(site: String, asked: bool, shown: bool) -> impl IntoView {
    let settings = match (asked, shown) {
        (_, true) => "页面按您正在编辑、尚未保存的设置显示；保存后考生才会看到。",
        (true, false) => "您正在编辑的设置还有需要改正的地方，这里仍按已保存的设置显示。",
        (false, false) => "页面按已保存的设置显示。",
    };
    view! {
        <div class="preview-banner" role="note" data-testid="preview-banner">
            <p>
                <strong>"预览"</strong>
                {format!("：考点 {site} 的考生看到的“个人信息采集”和“报考科目采集”页面（示例考生）。")}
                <span data-testid="preview-settings">{settings}</span>
                "在这里提交只做与考生提交相同的检查，不保存任何内容，也不占用名额。"
            </p>
        </div>
    }
}
