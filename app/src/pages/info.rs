//! Step 个人信息采集 (screen 4, first part): the identity from the pass, read-only with a link
//! to edit the pass; 基本信息 (gender and birth date pre-filled from the document and
//! checked against it), 联系方式 and 学校. Saved as a draft by 保存并继续.

use crate::api::journey::{get_info_page, SaveInfo};
use crate::api::staff::PreviewInfo;
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::{SelectField, TextField};
use crate::components::form::{start, use_posted, FormKit, StepTitle};
use crate::components::layout::{LoadProblem, ProblemBanner, ReadOnlyBanner};
use crate::domain::codes;
use crate::domain::Gender;
use crate::urls;
use crate::validation::contact::{ADDRESS, EMAIL, POSTCODE};
use crate::validation::info::InfoForm;
use crate::validation::personal::{BIRTH_DATE, EDUCATION, ETHNICITY, GENDER, OCCUPATION, TRAINING};
use crate::validation::school::{CLASS, DEPARTMENT, MAJOR, STUDENT_NO};
use crate::validation::FieldSpec;
use crate::views::journey::{FormTarget, InfoPage as PageData};
use crate::views::Refusal;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

pub const TITLE: &str = "个人信息采集";

#[component]
pub fn InfoPage() -> impl IntoView {
    let posted = use_posted::<InfoForm>();
    view! {
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    match get_info_page().await {
                        Ok(mut page) => {
                            let (form, refusal) = start(posted, || page.saved.clone());
                            page.saved = form;
                            view! { <ClientNeeded bundle="info" /> <InfoStep page refusal /> }.into_any()
                        }
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

fn list(l: &'static codes::CodeList) -> Vec<(&'static str, &'static str)> {
    l.entries().to_vec()
}

#[cfg_attr(island_info, island)]
#[cfg_attr(not(island_info), component)]
pub(crate) fn InfoStep(page: PageData, refusal: Option<Refusal>) -> impl IntoView {
    let facts = page.facts;
    let needs = page.needs;
    let roster = page.roster.clone().map(|site| {
        view! { <p class="field__hint" data-testid="roster-hint">{format!("以下学校信息来自{site}的学籍库，请核对；如与实际不符，请修改或联系该考点。")}</p> }
    });
    // An in-school site's fields are required, and say so.
    let department = FieldSpec { required: needs.department, ..DEPARTMENT };
    let student_no = FieldSpec { required: needs.student_no, ..STUDENT_NO };
    let kit = FormKit::new(
        page.saved.clone(),
        refusal.as_ref(),
        page.ctx,
        move |f, c| f.parse(c, &facts, needs).err().unwrap_or_default(),
        InfoForm::normalize,
    );
    let state = kit.state;
    let target = page.target.clone();
    let action = target.info_action();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(form) = kit.submit(&ev) {
            match &target {
                FormTarget::Candidate => kit.send(SaveInfo::PATH, SaveInfo { form }),
                FormTarget::Preview { site, draft } => kit.send(
                    PreviewInfo::PATH,
                    PreviewInfo { site: site.clone(), draft: draft.as_deref().cloned(), form },
                ),
            }
        }
    };
    let id = page.identity.clone();
    let genders: Vec<(&'static str, &'static str)> = Gender::ALL.iter().map(|g| (g.code(), g.label_zh())).collect();
    let read_only = page.read_only.clone();
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <ReadOnlyBanner reason=read_only.clone() />
        <section class="panel" aria-labelledby="identity-title">
            <h2 id="identity-title">"证件信息"</h2>
            <dl class="summary-list">
                <div><dt>"证件类型"</dt><dd>{super::doc_type_words(id.doc_type)}</dd></div>
                <div><dt>"证件号码"</dt><dd data-testid="info-masked-number">{id.masked_number}</dd></div>
                <div><dt>"姓名"</dt><dd data-testid="info-name">{id.name}</dd></div>
            </dl>
            <p class="field__hint">
                "证件信息来自您的通行证。需要修改时请先"<a href=urls::PASS>"修改通行证"</a>"（报名信息锁定后不能修改）。"
            </p>
        </section>
        <form method="post" action=action novalidate on:submit=on_submit>
            <fieldset class="fieldset" disabled=read_only.is_some()>
                <legend class="fieldset__legend">"基本信息"</legend>
                <SelectField spec=GENDER options=genders value=kit.value(|f| &f.personal.gender)
                    on_change=kit.on_choose(GENDER.name, |f, v| f.personal.gender = v) errors=state.errors />
                <TextField spec=BIRTH_DATE value=kit.value(|f| &f.personal.birth_date)
                    on_input=kit.on_input(BIRTH_DATE.name, |f, v| f.personal.birth_date = v)
                    on_leave=kit.on_leave(BIRTH_DATE.name) errors=state.errors
                    notes=kit.notes_of(BIRTH_DATE.name) hint="按“年-月-日”填写，如 2001-02-03；应与证件一致" />
                <SelectField spec=ETHNICITY options=list(codes::ethnicity()) value=kit.value(|f| &f.personal.ethnicity)
                    on_change=kit.on_choose(ETHNICITY.name, |f, v| f.personal.ethnicity = v) errors=state.errors />
                <SelectField spec=OCCUPATION options=list(codes::occupation()) value=kit.value(|f| &f.personal.occupation)
                    on_change=kit.on_choose(OCCUPATION.name, |f, v| f.personal.occupation = v) errors=state.errors />
                <SelectField spec=EDUCATION options=list(codes::education()) value=kit.value(|f| &f.personal.education)
                    on_change=kit.on_choose(EDUCATION.name, |f, v| f.personal.education = v) errors=state.errors />
                <SelectField spec=TRAINING options=list(codes::training()) value=kit.value(|f| &f.personal.training_type)
                    on_change=kit.on_choose(TRAINING.name, |f, v| f.personal.training_type = v) errors=state.errors />
            </fieldset>
            <fieldset class="fieldset" disabled=read_only.is_some()>
                <legend class="fieldset__legend">"联系方式"</legend>
                <TextField spec=POSTCODE value=kit.value(|f| &f.contact.postcode)
                    on_input=kit.on_input(POSTCODE.name, |f, v| f.contact.postcode = v)
                    on_leave=kit.on_leave(POSTCODE.name) errors=state.errors notes=kit.notes_of(POSTCODE.name)
                    hint="6位数字" />
                <TextField spec=ADDRESS value=kit.value(|f| &f.contact.address)
                    on_input=kit.on_input(ADDRESS.name, |f, v| f.contact.address = v)
                    on_leave=kit.on_leave(ADDRESS.name) errors=state.errors notes=kit.notes_of(ADDRESS.name) />
                <TextField spec=EMAIL input_type="email" value=kit.value(|f| &f.contact.email)
                    on_input=kit.on_input(EMAIL.name, |f, v| f.contact.email = v)
                    on_leave=kit.on_leave(EMAIL.name) errors=state.errors notes=kit.notes_of(EMAIL.name) />
            </fieldset>
            <fieldset class="fieldset" disabled=read_only.is_some()>
                <legend class="fieldset__legend">"学校信息（在校生填写）"</legend>
                {roster}
                <TextField spec=department value=kit.value(|f| &f.school.department)
                    on_input=kit.on_input(DEPARTMENT.name, |f, v| f.school.department = v)
                    on_leave=kit.on_leave(DEPARTMENT.name) errors=state.errors notes=kit.notes_of(DEPARTMENT.name) />
                <TextField spec=MAJOR value=kit.value(|f| &f.school.major)
                    on_input=kit.on_input(MAJOR.name, |f, v| f.school.major = v)
                    on_leave=kit.on_leave(MAJOR.name) errors=state.errors notes=kit.notes_of(MAJOR.name) />
                <TextField spec=CLASS value=kit.value(|f| &f.school.class_name)
                    on_input=kit.on_input(CLASS.name, |f, v| f.school.class_name = v)
                    on_leave=kit.on_leave(CLASS.name) errors=state.errors notes=kit.notes_of(CLASS.name) />
                <TextField spec=student_no value=kit.value(|f| &f.school.student_no)
                    on_input=kit.on_input(STUDENT_NO.name, |f, v| f.school.student_no = v)
                    on_leave=kit.on_leave(STUDENT_NO.name) errors=state.errors notes=kit.notes_of(STUDENT_NO.name) />
            </fieldset>
            {read_only.is_none().then(|| view! {
                <button class="button" type="submit" disabled=move || state.sending.get()>
                    "保存并继续"
                </button>
            })}
        </form>
    }
}
