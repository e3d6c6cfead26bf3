//! Step 照片信息采集 (screen 6): the requirements, the saved photo, and the upload. With
//! JavaScript the chosen file is checked in the browser by the shared photo rule before
//! anything is sent (a wrong file never leaves the machine), previewed, then uploaded with
//! a progress bar; the server checks it again with the same function. Without JavaScript
//! the form posts the file (multipart) and the server's verdict comes back on this page.

use crate::api::journey::get_photo_page;
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::form::{use_posted, FormState, StepTitle};
use crate::components::layout::{LoadProblem, NoticeBanner, ProblemBanner, ReadOnlyBanner};
use crate::components::photo_facts::PhotoFactsList;
use crate::urls;
use crate::validation::photo::{check_upload, PHOTO_FIELD};
use crate::validation::FieldErrors;
use crate::views::journey::PhotoPage as PageData;
use crate::views::{AppError, Next, NoFields, Refusal};
use leptos::either::Either;
use leptos::prelude::*;

pub const TITLE: &str = "照片信息采集";

#[component]
pub fn PhotoPage() -> impl IntoView {
    let posted = use_posted::<NoFields>();
    view! {
        <NoticeBanner />
        <Suspense fallback=|| view! { <p>"正在加载…"</p> }>
            {move || {
                let posted = posted.clone();
                Suspend::new(async move {
                    match get_photo_page().await {
                        Ok(page) => {
                            let refusal = posted.map(|p| p.split().1);
                            let advice = page.facts.map(|facts| {
                                view! { <PhotoFactsList facts wanted=page.background /> }
                            });
                            view! { <ClientNeeded bundle="photo" /> <PhotoStep page refusal /> {advice} }.into_any()
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

#[cfg_attr(island_photo, island)]
#[cfg_attr(not(island_photo), component)]
fn PhotoStep(page: PageData, refusal: Option<Refusal>) -> impl IntoView {
    let state = FormState::new(refusal.as_ref());
    let spec = page.spec;
    // Thread-safe storage: on the server this page is rendered by a task that may move
    // between threads, and a thread-local signal dropped elsewhere panics.
    let chosen: RwSignal<Option<Vec<u8>>> = RwSignal::new(None);
    let preview: RwSignal<Option<String>> = RwSignal::new(None);
    let progress: RwSignal<Option<u32>> = RwSignal::new(None);
    let file_input = NodeRef::<leptos::html::Input>::new();

    let on_change = move |_| {
        #[cfg(target_arch = "wasm32")]
        client::read_chosen(file_input, spec, state, chosen, preview);
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let verdict = chosen.with_untracked(|b| check_upload(b.as_deref(), &spec, crate::domain::Lang::ZhCn));
        match verdict {
            Err(errors) => state.refuse(errors),
            Ok(_) => {
                state.errors.set(FieldErrors::new());
                #[cfg(target_arch = "wasm32")]
                client::upload(file_input, state, progress);
            }
        }
    };
    let _ = (file_input, chosen, progress);
    let saved_src = page.saved.then(|| format!("{}?v={}", urls::PHOTO_IMAGE, page.version));
    let read_only = page.read_only.clone();
    let has_error = move || state.errors.with(|e| e.get(PHOTO_FIELD).is_some());
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <ReadOnlyBanner reason=read_only.clone() />
        <section class="panel" aria-labelledby="photo-rules-title">
            <h2 id="photo-rules-title">"照片要求"</h2>
            <ul>
                <li>"本人近期正面免冠半身证件照，不得使用生活照、艺术照或美颜处理过的照片。"</li>
                <li>{format!(
                    "JPEG格式，宽不小于{}像素、高不小于{}像素，宽高比{}:{}，文件大小{}KB至{}KB。",
                    spec.min_width, spec.min_height, spec.ratio_width, spec.ratio_height,
                    spec.min_bytes / 1024, spec.max_bytes / 1024
                )}</li>
                <li>"头部约占照片高度的7/10，头顶上方留出约1/10的空白；彩色或黑白均可，背景颜色以考点通告为准。"</li>
                <li>"照片将用于准考证和证书。上传后系统会重新生成图片，并去掉拍摄地点等附加信息。"</li>
            </ul>
        </section>
        <div class="photo-preview">
            {move || match (preview.get(), saved_src.clone()) {
                (Some(src), _) => Some(Either::Left(view! { <figure><img src=src alt="待上传的照片" data-testid="preview" /><figcaption>"待上传的照片"</figcaption></figure> })),
                (None, Some(src)) => Some(Either::Right(view! { <figure><img src=src alt="已保存的照片" data-testid="saved-photo" /><figcaption>"已保存的照片"</figcaption></figure> })),
                _ => None,
            }}
        </div>
        {read_only.is_none().then(|| view! {
            <form method="post" action=urls::PHOTO enctype="multipart/form-data" novalidate on:submit=on_submit>
                <div class="field" class:field--error=has_error>
                    <label class="field__label" for=PHOTO_FIELD>"选择照片文件"</label>
                    {move || state.errors.with(|e| e.get(PHOTO_FIELD).map(|e| e.message.clone())).map(|m| view! {
                        <p class="field__error" id="photo-error"><span class="visually-hidden">"错误："</span>{m}</p>
                    })}
                    <input class="field__input" type="file" id=PHOTO_FIELD name=PHOTO_FIELD accept="image/jpeg,.jpg,.jpeg"
                        node_ref=file_input on:change=on_change />
                </div>
                {move || progress.get().map(|p| view! {
                    <p><label for="upload-progress">"上传进度"</label>
                    <progress id="upload-progress" max="100" value=p.to_string() data-testid="progress">{format!("{p}%")}</progress></p>
                })}
                <button class="button" type="submit" disabled=move || progress.get().is_some()>"上传照片"</button>
            </form>
        })}
        <p class="actions"><a class="button button--secondary" href=urls::STATUS>"下一步：查看报名信息"</a></p>
    }
}

/// What a finished upload answered: the next page, or the server's refusal shown as ours.
pub fn follow_upload(state: FormState, answer: Result<Next, AppError>) {
    state.handle_result(answer);
}

#[cfg(target_arch = "wasm32")]
mod client {
    use super::*;
    use crate::domain::photo::PhotoSpec;
    use leptos::task::spawn_local;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    fn chosen_file(input: NodeRef<leptos::html::Input>) -> Option<web_sys::File> {
        input.get_untracked()?.files()?.get(0)
    }

    /// Reads the chosen file, runs the shared rule on it and previews it if it passes.
    pub fn read_chosen(
        input: NodeRef<leptos::html::Input>,
        spec: PhotoSpec,
        state: FormState,
        chosen: RwSignal<Option<Vec<u8>>>,
        preview: RwSignal<Option<String>>,
    ) {
        let Some(file) = chosen_file(input) else {
            chosen.set(None);
            preview.set(None);
            return;
        };
        spawn_local(async move {
            let Ok(buffer) = wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await else { return };
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            state.touch(PHOTO_FIELD);
            match check_upload(Some(&bytes), &spec, crate::domain::Lang::ZhCn) {
                Ok(_) => {
                    state.errors.set(FieldErrors::new());
                    preview.set(web_sys::Url::create_object_url_with_blob(&file).ok());
                }
                Err(errors) => {
                    preview.set(None);
                    state.refuse(errors);
                }
            }
            chosen.set(Some(bytes));
        });
    }

    /// Sends the file as the request body with progress events, then follows the answer.
    pub fn upload(input: NodeRef<leptos::html::Input>, state: FormState, progress: RwSignal<Option<u32>>) {
        let Some(file) = chosen_file(input) else { return };
        let Ok(xhr) = web_sys::XmlHttpRequest::new() else { return };
        if xhr.open("POST", urls::API_PHOTO).is_err() || xhr.set_request_header("Content-Type", "image/jpeg").is_err() {
            return;
        }
        progress.set(Some(0));
        if let Ok(upload) = xhr.upload() {
            let on_progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress.set(Some((e.loaded() / e.total() * 100.0).round() as u32));
                }
            });
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
            on_progress.forget();
        }
        let done = xhr.clone();
        let on_end = Closure::<dyn FnMut()>::new(move || {
            progress.set(None);
            let text = done.response_text().ok().flatten().unwrap_or_default();
            let answer = serde_json::from_str::<Result<Next, AppError>>(&text)
                .unwrap_or_else(|_| Err(AppError::Transport(format!("status {}", done.status().unwrap_or(0)))));
            follow_upload(state, answer);
        });
        xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
        on_end.forget();
        if xhr.send_with_opt_blob(Some(&file)).is_err() {
            progress.set(None);
        }
    }
}
