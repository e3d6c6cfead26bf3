//! 预览: a site's 个人信息采集 and 报考科目采集 as its candidates see them now, rendered by
//! the candidates' own step components with a sample candidate. The forms check with the
//! very same rules (in the browser as typed, and on the server when sent) and store nothing:
//! they post to the preview's own URLs, under a banner that says so.

use super::config::BackToConsole;
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
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const TITLE: &str = "预览考生页面";

#[component]
pub fn StaffPreviewPage() -> impl IntoView {
    let query = use_query_map();
    let site = query.with_untracked(|q| q.get("site")).unwrap_or_default();
    let info_posted = use_posted::<InfoForm>();
    let subjects_posted = use_posted::<SubjectForm>();
    let back = format!("{}?code={}", urls::STAFF_SITE, urls::percent_encode(&site));
    view! {
        <Title text=TITLE />
        <BackToConsole />
        <p class="breadcrumb"><a href=back>"返回考点设置"</a></p>
        <div class="preview-banner" role="note" data-testid="preview-banner">
            <p>
                <strong>"预览"</strong>
                {format!("：这是考点 {site} 的考生现在看到的“个人信息采集”和“报考科目采集”页面（示例考生）。")}
                "在这里提交只做与考生提交相同的检查，不保存任何内容，也不占用名额。修改考点设置或科目后，重新打开本页即可看到变化。"
            </p>
        </div>
        <NoticeBanner />
        <Suspense fallback=Loading>
            {move || {
                let (site, info_posted, subjects_posted) = (site.clone(), info_posted.clone(), subjects_posted.clone());
                Suspend::new(async move {
                    let info = get_preview_info_page(site.clone()).await;
                    let subjects = get_preview_subjects_page(site.clone()).await;
                    match (info, subjects) {
                        (Ok(mut info), Ok(subjects)) => {
                            let (form, refusal) = start(info_posted, || info.saved.clone());
                            info.saved = form;
                            // One bundle with both steps' islands (the all-islands one).
                            view! {
                                <ClientNeeded bundle="ncre" />
                                <section class="preview" data-testid="preview-info">
                                    <InfoStep page=info refusal />
                                </section>
                                <section class="preview" data-testid="preview-subjects">
                                    {subjects_body(subjects, subjects_posted, Some(site), None)}
                                </section>
                            }
                            .into_any()
                        }
                        (Err(error), _) | (_, Err(error)) => view! { <h1>{TITLE}</h1><LoadProblem error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
