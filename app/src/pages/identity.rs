//! Step 证件信息采集: document type, number and name, checked as typed by the same rule
//! the server runs, with the birth date and gender the number encodes shown once it is
//! valid and every normalisation reported beside its field.

use crate::api::identity::{get_identity_page, IdentityPage as PageData, SaveIdentity};
use crate::api::Posted;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::{SelectField, TextField};
use crate::components::form::{use_posted, FormState, StepTitle};
use crate::components::layout::ProblemBanner;
use crate::domain::DocumentType;
use crate::validation::identity::{IdentityForm, DOC_NUMBER, DOC_TYPE, NAME};
use crate::validation::FieldNote;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

pub const TITLE: &str = "证件信息采集";

#[component]
pub fn IdentityPage() -> impl IntoView {
    let page = Resource::new(|| (), |_| get_identity_page());
    let posted = use_posted::<IdentityForm>();
    view! {
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                match (page.await, posted) {
                    (Ok(page), _) if !page.agreement_accepted => view! {
                        <StepNotReady />
                    }.into_any(),
                    (Ok(page), posted) => view! { <IdentityStep page posted /> }.into_any(),
                    (Err(error), _) => view! { <crate::components::layout::LoadProblem error /> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

#[component]
fn StepNotReady() -> impl IntoView {
    view! {
        <leptos_meta::Title text=TITLE />
        <h1>{TITLE}</h1>
        <p>"请先阅读并接受报名协议，再填写证件信息。"</p>
        <p><a class="button" href="/register/agreement">"阅读报名协议"</a></p>
    }
}

#[component]
fn IdentityStep(page: PageData, posted: Option<Posted<IdentityForm>>) -> impl IntoView {
    let state = FormState::new(posted.as_ref());
    // The server's own rule context (its "today", the site's options): same verdicts.
    let ctx = page.ctx;
    let initial = posted
        .as_ref()
        .map(|p| p.values.clone())
        .or(page.saved.clone())
        .unwrap_or_else(|| IdentityForm { doc_type: DocumentType::ResidentId.code().into(), ..Default::default() });
    let form = RwSignal::new(initial);
    let notes = RwSignal::new(posted.map(|p| p.notes).unwrap_or_default());

    let recheck = move || state.show_touched(form.get_untracked().parse(&ctx).err().unwrap_or_default());
    // Leaving a field normalises it in place (the user sees `X` for `x`) and says so.
    let leave = move |field: &'static str| {
        Callback::new(move |_| {
            state.touch(field);
            let (normalized, changes) = form.get_untracked().normalize();
            form.update(|f| match field {
                "doc_number" => f.doc_number = normalized.doc_number,
                "name" => f.name = normalized.name,
                _ => {}
            });
            notes.update(|n| {
                n.retain(|x| x.field != field);
                n.extend(changes.into_iter().filter(|c| c.field == field));
            });
            recheck();
        })
    };
    let input = move |field: &'static str| {
        Callback::new(move |value: String| {
            form.update(|f| match field {
                "doc_type" => f.doc_type = value,
                "doc_number" => f.doc_number = value,
                _ => f.name = value,
            });
            if field == "doc_type" {
                state.touch(field);
            }
            if state.is_touched(field) || field == "doc_type" {
                recheck();
            }
        })
    };
    let notes_of = move |field: &'static str| {
        Signal::derive(move || {
            notes.with(|n| n.iter().filter(|x| x.field == field).map(|x| x.message(ctx.lang)).collect::<Vec<_>>())
        })
    };
    let derived = move || {
        form.with(|f| f.parse_document(&ctx)).map(|n| {
            let birth = n.birth_date().map(|d| d.to_chinese()).unwrap_or_default();
            let gender = n.gender().map(|g| g.label_zh()).unwrap_or_default();
            view! {
                <p class="field__derived" data-testid="derived">
                    {format!("出生日期：{birth}　性别：{gender}")}
                </p>
            }
        })
    };

    let action = ServerAction::<SaveIdentity>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            let navigate = navigate.clone();
            state.handle_result(result, move |url| navigate(url, Default::default()));
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let current = form.get_untracked();
        match current.parse(&ctx) {
            Err(errors) => state.refuse(errors),
            Ok(_) => {
                let (_, changes): (_, Vec<FieldNote>) = current.normalize();
                notes.set(changes);
                action.dispatch(SaveIdentity { form: current });
            }
        }
    };

    let doc_types: Vec<(&'static str, &'static str)> = DocumentType::ALL
        .iter()
        .filter(|t| **t != DocumentType::ResidentId15 || ctx.allow_legacy_id)
        .map(|t| (t.code(), t.label_zh()))
        .collect();
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p class="lead">"请按证件上的内容如实填写。姓名、证件号码将打印在合格证书上。"</p>
        <form method="post" action="/register/identity" novalidate on:submit=on_submit>
            <SelectField
                spec=DOC_TYPE
                options=doc_types
                value=Signal::derive(move || form.with(|f| f.doc_type.clone()))
                on_change=input("doc_type")
                errors=state.errors
            />
            <TextField
                spec=DOC_NUMBER
                value=Signal::derive(move || form.with(|f| f.doc_number.clone()))
                on_input=input("doc_number")
                on_leave=leave("doc_number")
                errors=state.errors
                notes=notes_of("doc_number")
                hint="按证件上的号码填写；居民身份证最后一位可以是X。全角字符会自动转为半角，空格和连字符会自动删除"
            >
                {derived}
            </TextField>
            <TextField
                spec=NAME
                value=Signal::derive(move || form.with(|f| f.name.clone()))
                on_input=input("name")
                on_leave=leave("name")
                errors=state.errors
                notes=notes_of("name")
                hint="少数民族姓名各部分之间用间隔号“·”分隔，如：买买提·艾力"
            />
            <button class="button" type="submit" disabled=move || action.pending().get()>
                "保存并继续"
            </button>
        </form>
    }
}
