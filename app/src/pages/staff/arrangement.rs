//! 考场编排: a site's 机房 (rooms), its 场次 (batches) in the open session, and the
//! arrangement page (每个考场的座位, what cannot be placed and why, 编排 / 重新编排 / 清除).
//! The room and batch forms are checked as staff type by the shared rules of
//! `validation::arrangement` (hydrated with the site-settings bundle), and again by the
//! server; every form posts to its page's URL, so it all works without JavaScript. 检录 at
//! the door: a typed ticket number checks its candidate in and shows their photo and seat.

use super::config::BackToConsole;
use super::rosters::field_error;
use super::{errors_of, plain_ctx, Loading};
use crate::api::staff::{get_staff_arrange_page, get_staff_batches_page, get_staff_door_page, get_staff_rooms_page};
use crate::components::client::ClientNeeded;
use crate::components::error_summary::ErrorSummary;
use crate::components::field::TextField;
use crate::components::form::{start, use_posted, FormKit, StepTitle};
use crate::components::layout::{DataTable, LoadProblem, NoticeBanner, ProblemBanner};
use crate::domain::Minute;
use crate::urls;
use crate::validation::arrangement::{
    ArrangeForm, BatchForm, DoorForm, RoomForm, CONFIRM, ENDS, ROOM_NAME, SEATS, STARTS, SUBJECTS, TICKET,
};
use crate::views::arrangement::{ArrangePage, BatchesPage, DoorPage, RoomsPage};
use crate::views::{AppError, Posted, Refusal};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn site_query() -> String {
    use_query_map().with_untracked(|q| q.get("site")).unwrap_or_default()
}

fn href(path: &str, site: &str) -> String {
    format!("{path}?site={}", urls::percent_encode(site))
}

/// The three pages of one site, as links.
#[component]
fn ArrangeLinks(site: String, site_name: String) -> impl IntoView {
    view! {
        <BackToConsole />
        <p class="breadcrumb">
            <a href=format!("{}?code={}", urls::STAFF_SITE, urls::percent_encode(&site))>{format!("({site}){site_name}")}</a>
            " · " <a href=href(urls::STAFF_ROOMS, &site)>"机房"</a>
            " · " <a href=href(urls::STAFF_BATCHES, &site)>"场次"</a>
            " · " <a href=href(urls::STAFF_ARRANGE, &site)>"考场编排"</a>
            " · " <a href=href(urls::STAFF_DOOR, &site)>"检录"</a>
        </p>
    }
}

fn failed(title: &'static str, error: AppError) -> AnyView {
    view! { <Title text=title /><BackToConsole /><h1>{title}</h1><LoadProblem error /> }.into_any()
}

fn time_span(starts: Minute, ends: Minute) -> String {
    format!("{starts} – {:02}:{:02}", ends.hour(), ends.minute())
}

/// A row's 删除 button: a form of its own, posting the row's id.
fn remove_button(action: &'static str, site: &str, id: i32, testid: String) -> impl IntoView {
    view! {
        <form method="post" action=action class="inline-form">
            <input type="hidden" name="site" value=site.to_owned() />
            <input type="hidden" name="id" value=id.to_string() />
            <button type="submit" class="button button--secondary" data-testid=testid>"删除"</button>
        </form>
    }
}

// ---- 机房 ----

#[component]
pub fn StaffRoomsPage() -> impl IntoView {
    const TITLE: &str = "机房";
    let posted = use_posted::<RoomForm>();
    let site = posted.as_ref().map_or_else(site_query, |p| p.values.site.clone());
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (posted, site) = (posted.clone(), site.clone());
                Suspend::new(async move {
                    match get_staff_rooms_page(site).await {
                        Ok(page) => {
                            let (form, refusal) = start(posted, || page.form.clone());
                            // A refused removal is told in the banner; the form starts empty.
                            let form = if form.id.is_empty() { form } else { page.form.clone() };
                            view! {
                                <ClientNeeded bundle="offers" />
                                <ArrangeLinks site=page.site.clone() site_name=page.site_name.clone() />
                                <NoticeBanner />
                                <Rooms page form refusal />
                            }
                            .into_any()
                        }
                        Err(error) => failed(TITLE, error),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_offers, island)]
#[cfg_attr(not(island_offers), component)]
fn Rooms(page: RoomsPage, form: RoomForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "机房";
    let offered = StoredValue::new(page.offered.clone());
    let check = move |f: &RoomForm, c: &crate::validation::Ctx| {
        offered.with_value(|o| f.parse(c, &o.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let kit =
        FormKit::new(form, refusal.as_ref(), plain_ctx(), move |f, c| errors_of(check(f, c)), RoomForm::normalize);
    let state = kit.state;
    let site = page.site.clone();
    let rows = page
        .rooms
        .into_iter()
        .map(|r| {
            let remove = (r.placed == 0)
                .then(|| remove_button(urls::STAFF_ROOM_REMOVE, &site, r.id, format!("remove-room-{}", r.number)));
            view! {
                <tr data-testid=format!("room-{}", r.number)>
                    <td>{format!("{:02}", r.number)}</td>
                    <td>{r.name}</td>
                    <td>{r.seats}</td>
                    <td>{r.subjects.replace(',', "、")}</td>
                    <td>{r.placed}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let offered_words = if page.offered.is_empty() {
        "（本考点还没有开考科目）".to_owned()
    } else {
        page.offered.join("、")
    };
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <DataTable testid="staff-rooms" headers=&["编号", "机房名称", "座位数", "可承考科目", "已编排", "操作"]>{rows}</DataTable>
        <h2>"添加机房"</h2>
        <p class="field__hint">{format!("本考点开考科目：{offered_words}")}</p>
        <form method="post" action=urls::STAFF_ROOMS novalidate data-testid="room-form" on:submit=move |ev| kit.guard_post(&ev)>
            <input type="hidden" name="site" value=page.site.clone() />
            <TextField spec=ROOM_NAME value=kit.value(|f| &f.name)
                on_input=kit.on_input(ROOM_NAME.name, |f, v| f.name = v)
                on_leave=kit.on_leave(ROOM_NAME.name) errors=state.errors notes=kit.notes_of(ROOM_NAME.name)
                hint="如“一号机房”或“实验楼201”，在准考证上印出" />
            <TextField spec=SEATS value=kit.value(|f| &f.seats)
                on_input=kit.on_input(SEATS.name, |f, v| f.seats = v)
                on_leave=kit.on_leave(SEATS.name) errors=state.errors notes=kit.notes_of(SEATS.name)
                hint="可用于考试的计算机数，1 到 99" />
            <TextField spec=SUBJECTS value=kit.value(|f| &f.subjects)
                on_input=kit.on_input(SUBJECTS.name, |f, v| f.subjects = v)
                on_leave=kit.on_leave(SUBJECTS.name) errors=state.errors notes=kit.notes_of(SUBJECTS.name)
                hint="这个机房能考的科目代码，用空格或逗号分开，如“65 24”；不填表示本考点的全部开考科目" />
            <button class="button" type="submit">"添加"</button>
        </form>
    }
}

// ---- 场次 ----

#[component]
pub fn StaffBatchesPage() -> impl IntoView {
    const TITLE: &str = "场次";
    let posted = use_posted::<BatchForm>();
    let site = posted.as_ref().map_or_else(site_query, |p| p.values.site.clone());
    view! {
        <Suspense fallback=Loading>
            {move || {
                let (posted, site) = (posted.clone(), site.clone());
                Suspend::new(async move {
                    match get_staff_batches_page(site).await {
                        Ok(page) => {
                            let (form, refusal) = start(posted, || page.form.clone());
                            let form = if form.id.is_empty() { form } else { page.form.clone() };
                            view! {
                                <ClientNeeded bundle="offers" />
                                <ArrangeLinks site=page.site.clone() site_name=page.site_name.clone() />
                                <NoticeBanner />
                                <Batches page form refusal />
                            }
                            .into_any()
                        }
                        Err(error) => failed(TITLE, error),
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg_attr(island_offers, island)]
#[cfg_attr(not(island_offers), component)]
fn Batches(page: BatchesPage, form: BatchForm, refusal: Option<Refusal>) -> impl IntoView {
    const TITLE: &str = "场次";
    let offered = StoredValue::new(page.offered.clone());
    let days = page.days;
    let check = move |f: &BatchForm, c: &crate::validation::Ctx| {
        offered.with_value(|o| f.parse(c, &o.iter().map(String::as_str).collect::<Vec<_>>(), days))
    };
    let kit =
        FormKit::new(form, refusal.as_ref(), plain_ctx(), move |f, c| errors_of(check(f, c)), BatchForm::normalize);
    let state = kit.state;
    let site = page.site.clone();
    let rows = page
        .batches
        .into_iter()
        .map(|b| {
            let remove = (b.placed == 0)
                .then(|| remove_button(urls::STAFF_BATCH_REMOVE, &site, b.id, format!("remove-batch-{}", b.number)));
            view! {
                <tr data-testid=format!("batch-{}", b.number)>
                    <td>{format!("第{}场", b.number)}</td>
                    <td>{time_span(b.starts, b.ends)}</td>
                    <td>{b.subjects.replace(',', "、")}</td>
                    <td>{b.placed}</td>
                    <td>{remove}</td>
                </tr>
            }
        })
        .collect_view();
    let days_words = page.days.map(|(a, b)| format!("本考次考试日期：{a} 至 {b}。")).unwrap_or_default();
    let offered_words = if page.offered.is_empty() {
        "（本考点还没有开考科目）".to_owned()
    } else {
        page.offered.join("、")
    };
    view! {
        <StepTitle title=TITLE state />
        <ErrorSummary errors=state.errors node_ref=state.summary autofocus=state.from_server />
        <ProblemBanner message=state.problem_message() />
        <h1>{TITLE}</h1>
        <p>{page.session}</p>
        <DataTable testid="staff-batches" headers=&["场次", "时间（北京时间）", "考试科目", "已编排", "操作"]>{rows}</DataTable>
        <h2>"添加场次"</h2>
        <p class="field__hint">{format!("{days_words}本考点开考科目：{offered_words}。同一考点的场次时间不能重叠。")}</p>
        <form method="post" action=urls::STAFF_BATCHES novalidate data-testid="batch-form" on:submit=move |ev| kit.guard_post(&ev)>
            <input type="hidden" name="site" value=page.site.clone() />
            <TextField spec=STARTS value=kit.value(|f| &f.starts)
                on_input=kit.on_input(STARTS.name, |f, v| f.starts = v)
                on_leave=kit.on_leave(STARTS.name) errors=state.errors notes=kit.notes_of(STARTS.name)
                hint="北京时间，如 2025-03-29 09:00" />
            <TextField spec=ENDS value=kit.value(|f| &f.ends)
                on_input=kit.on_input(ENDS.name, |f, v| f.ends = v)
                on_leave=kit.on_leave(ENDS.name) errors=state.errors notes=kit.notes_of(ENDS.name)
                hint="同一天，如 2025-03-29 10:30" />
            <TextField spec=SUBJECTS value=kit.value(|f| &f.subjects)
                on_input=kit.on_input(SUBJECTS.name, |f, v| f.subjects = v)
                on_leave=kit.on_leave(SUBJECTS.name) errors=state.errors notes=kit.notes_of(SUBJECTS.name)
                hint="这一场考的科目代码，用空格或逗号分开；不填表示本考点的全部开考科目" />
            <button class="button" type="submit">"添加"</button>
        </form>
    }
}

// ---- 考场编排 ----

#[component]
pub fn StaffArrangePage() -> impl IntoView {
    const TITLE: &str = "考场编排";
    let posted = use_posted::<ArrangeForm>();
    let site = posted.as_ref().map_or_else(site_query, |p| p.values.site.clone());
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let (posted, site) = (posted.clone(), site.clone());
                Suspend::new(async move {
                    match get_staff_arrange_page(site).await {
                        Ok(page) => view! { <Arrange page posted /> }.into_any(),
                        Err(error) => failed(TITLE, error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Arrange(page: ArrangePage, posted: Option<Posted<ArrangeForm>>) -> impl IntoView {
    let errors = posted.as_ref().map(|p| p.errors.clone()).unwrap_or_default();
    let problem = posted.as_ref().and_then(|p| p.problem.clone()).map(|p| p.user_message());
    let has_errors = !errors.is_empty();
    let site = page.site.clone();
    let others = (page.sites.len() > 1).then(|| {
        let links = page
            .sites
            .iter()
            .map(|(code, name)| {
                let current = (code == &site).then_some("page");
                view! { <li><a href=href(urls::STAFF_ARRANGE, code) aria-current=current>{format!("({code}){name}")}</a></li> }
            })
            .collect_view();
        view! { <nav aria-label="考点"><ul class="inline-list">{links}</ul></nav> }
    });
    let printout = |kind: &str, room: &str| {
        let room = if room.is_empty() { String::new() } else { format!("&room={room}") };
        format!("{}?site={}&kind={kind}{room}", urls::STAFF_PRINTOUT, page.site)
    };
    let exam_rooms = page
        .exam_rooms
        .into_iter()
        .map(|r| {
            let testid = format!("exam-room-{}", r.code);
            let links = (r.taken > 0).then(|| {
                view! {
                    <a href=printout("sign-in", &r.code) download data-testid="sign-in-sheet">"签到表"</a>
                    " · "
                    <a href=printout("door", &r.code) download>"门贴"</a>
                    " · "
                    <a href=printout("labels", &r.code) download>"桌贴"</a>
                }
            });
            view! {
                <tr data-testid=testid>
                    <td>{r.code.clone()}</td>
                    <td>{time_span(r.starts, r.ends)}</td>
                    <td>{r.room}</td>
                    <td>{r.seats}</td>
                    <td>{r.taken}</td>
                    <td>{links}</td>
                </tr>
            }
        })
        .collect_view();
    let whole_site = (page.placed > 0).then(|| {
        view! {
            <p class="actions">
                <a class="button button--secondary" href=printout("all", "") download data-testid="site-printouts">
                    "下载本考点全部打印材料（PDF）"
                </a>
                " "
                <a href=printout("sign-in", "") download>"全部签到表"</a>
                " · "
                <a href=printout("door", "") download>"全部门贴"</a>
                " · "
                <a href=printout("labels", "") download>"全部桌贴"</a>
            </p>
        }
    });
    let unplaced = page
        .unplaced
        .into_iter()
        .map(|u| {
            let to = format!("{}?id={}", urls::STAFF_CANDIDATE, u.registration);
            view! { <tr><td><a href=to>{u.name}</a></td><td>{u.subject}</td><td>{u.reason}</td></tr> }
        })
        .collect_view();
    let waiting = page.paid.saturating_sub(page.placed);
    let summary = format!(
        "{}个机房、{}个场次；已缴费科目{}个，已编排{}个，待编排{}个。",
        page.rooms, page.batches, page.paid, page.placed, waiting
    );
    let unplaced_words = (page.unplaced_total > 0)
        .then(|| format!("按现在的机房和场次，有{}个科目无法编排（座位不足或没有合适的场次）：", page.unplaced_total));
    let confirm_error = field_error(&errors, CONFIRM.name);
    let confirm_invalid = errors.get(CONFIRM.name).map(|_| "true");
    view! {
        <Title text="考场编排" />
        <ArrangeLinks site=page.site.clone() site_name=page.site_name.clone() />
        <NoticeBanner />
        {has_errors.then(|| view! { <ErrorSummary errors=RwSignal::new(errors.clone()) node_ref=NodeRef::new() autofocus=true /> })}
        <ProblemBanner message=problem />
        <h1>"考场编排"</h1>
        <p>{page.session}</p>
        {others}
        <p data-testid="arrange-summary">{summary}</p>
        <p class="field__hint">"编排按缴费先后把每个已缴费科目安排到最早的、还有座位的场次，同一场次内各机房人数均衡；已经编排的考生座位不变。同一考生的两个科目不会排在时间重叠的场次。"</p>
        <form method="post" action=urls::STAFF_ARRANGE data-testid="arrange-form">
            <input type="hidden" name="site" value=page.site.clone() />
            <input type="hidden" name="mode" value="new" />
            <button class="button" type="submit" disabled=(waiting == 0).then_some("disabled")>"编排待编排的考生"</button>
        </form>
        {unplaced_words.map(|w| view! {
            <h2>"无法编排"</h2>
            <p>{w}</p>
            <DataTable testid="arrange-unplaced" headers=&["考生", "科目", "原因"]>{unplaced}</DataTable>
        })}
        <h2>"考场"</h2>
        <DataTable testid="arrange-rooms" headers=&["考场号", "时间（北京时间）", "机房", "座位数", "已编排", "打印材料（PDF）"]>{exam_rooms}</DataTable>
        {whole_site}
        <h2>"重新编排"</h2>
        <p>"重新编排会收回本考点已分配的全部座位和准考证号，再按现在的机房和场次重新分配；清除编排只收回、不重新分配（删除已有考生的机房或场次之前需要先清除）。考生已打印的准考证将作废。"</p>
        <form method="post" action=urls::STAFF_ARRANGE data-testid="rearrange-form">
            <input type="hidden" name="site" value=page.site.clone() />
            <div class="field" class:field--error=confirm_invalid.is_some()>
                {confirm_error}
                <label class="checkbox">
                    <input type="checkbox" id=CONFIRM.name name=CONFIRM.name value="yes" aria-invalid=confirm_invalid />
                    " 我确认收回本考点已分配的全部座位和准考证号"
                </label>
            </div>
            <button class="button button--secondary" type="submit" name="mode" value="all">"重新编排全部考生"</button>
            " "
            <button class="button button--secondary" type="submit" name="mode" value="clear">"清除全部编排"</button>
        </form>
    }
}

// ---- 检录 ----

#[component]
pub fn StaffDoorPage() -> impl IntoView {
    const TITLE: &str = "检录";
    let posted = use_posted::<DoorForm>();
    let q = use_query_map();
    let (site, ticket) = match &posted {
        Some(p) => (p.values.site.clone(), String::new()),
        None => q.with_untracked(|q| (q.get("site").unwrap_or_default(), q.get("ticket").unwrap_or_default())),
    };
    view! {
        <Title text=TITLE />
        <Suspense fallback=Loading>
            {move || {
                let (posted, site, ticket) = (posted.clone(), site.clone(), ticket.clone());
                Suspend::new(async move {
                    match get_staff_door_page(site, ticket).await {
                        Ok(page) => view! { <ClientNeeded bundle="offers" /> <Door page posted /> }.into_any(),
                        Err(error) => failed(TITLE, error),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Door(page: DoorPage, posted: Option<Posted<DoorForm>>) -> impl IntoView {
    let errors = posted.as_ref().map(|p| p.errors.clone()).unwrap_or_default();
    let problem = posted.as_ref().and_then(|p| p.problem.clone()).map(|p| p.user_message());
    let typed = posted.as_ref().map(|p| p.values.ticket.clone()).unwrap_or_default();
    let invalid = errors.get(TICKET.name).map(|_| "true");
    let described = invalid.map(|_| format!("{}-error", TICKET.name));
    let card = page.found.map(|c| {
        let photo = c.has_photo.then(|| {
            let src = format!("{}?id={}", urls::STAFF_PHOTO, c.registration);
            view! { <img class="door-card__photo" src=src alt=format!("{}的照片", c.name) width="144" height="192" /> }
        });
        let state = match &c.checked_in {
            Some((at, by)) => format!("已签到：{at}（{by}）"),
            None => "未签到".to_owned(),
        };
        view! {
            <section class="panel door-card" aria-labelledby="door-card-title" data-testid="door-card">
                <h2 id="door-card-title">{c.name.clone()}</h2>
                {photo}
                <dl class="summary-list">
                    <div><dt>"证件号码"</dt><dd>{c.document}</dd></div>
                    <div><dt>"准考证号"</dt><dd>{c.ticket}</dd></div>
                    <div><dt>"科目"</dt><dd>{c.subject}</dd></div>
                    <div><dt>"考场"</dt><dd>{format!("{}考场（{}）{:02}号", c.exam_room, c.room, c.seat)}</dd></div>
                    <div><dt>"时间"</dt><dd>{time_span(c.starts, c.ends)}</dd></div>
                    <div><dt>"签到"</dt><dd data-testid="door-state">{state}</dd></div>
                </dl>
            </section>
        }
    });
    view! {
        <ArrangeLinks site=page.site.clone() site_name=page.site_name.clone() />
        <NoticeBanner />
        {(!errors.is_empty()).then(|| view! { <ErrorSummary errors=RwSignal::new(errors.clone()) node_ref=NodeRef::new() autofocus=true /> })}
        <ProblemBanner message=problem />
        <h1>"检录"</h1>
        <p class="field__hint">"用扫码枪扫描准考证上的二维码（扫描后自动提交），或输入16位准考证号后点“签到”：核对照片、姓名和考场后放行。二维码经签名核验，被改动或伪造的准考证会被拒绝；同一张准考证第二次签到会提示已经签到过。"</p>
        <form method="post" action=urls::STAFF_DOOR novalidate data-testid="door-form">
            <input type="hidden" name="site" value=page.site.clone() />
            <div class="field" class:field--error=invalid.is_some()>
                <label class="field__label" for=TICKET.name>{TICKET.label}</label>
                {field_error(&errors, TICKET.name)}
                <input class="field__input" type="text" id=TICKET.name name=TICKET.name value=typed
                    inputmode="numeric" autocomplete="off" maxlength=TICKET.max_length autofocus=true
                    aria-invalid=invalid aria-describedby=described />
            </div>
            <button class="button" type="submit">"签到"</button>
        </form>
        <DoorScanner public_key=page.public_key.clone() session=page.session />
        {card}
        <p class="field__hint" data-testid="door-key">
            "二维码签名公钥（Ed25519，可用于离线核验）：" <code class="key">{page.public_key.clone()}</code>
        </p>
    }
}

/// 用摄像头扫码 (with JavaScript, where the browser can read QR codes: Chrome on Android,
/// Safari): the phone's back camera until a ticket's code is seen. The code's signature is
/// checked on the device itself with the public key (WebCrypto Ed25519), so an edited or
/// invented ticket is refused at once, in the server's words, even with the network down; a
/// genuine code goes into the field and the form is sent, as a handheld scanner would do.
/// Where the browser has no Ed25519 the server's check is the only one. Without JavaScript,
/// or where the browser cannot read codes, the page says to use a scanner or type the number.
#[cfg_attr(island_offers, island)]
#[cfg_attr(not(island_offers), component)]
fn DoorScanner(public_key: String, session: u32) -> impl IntoView {
    // Known only in the browser, once hydrated (the server renders nothing here).
    let supported = RwSignal::new(None::<bool>);
    let status = RwSignal::new(String::new());
    let refused = RwSignal::new(None::<&'static str>);
    let scanning = RwSignal::new(false);
    let video = NodeRef::<leptos::html::Video>::new();
    #[cfg(target_arch = "wasm32")]
    Effect::new(move |_| supported.set(Some(scanner::supported())));
    let public_key = StoredValue::new(public_key);
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (public_key, session);
    let start = move |_| {
        #[cfg(target_arch = "wasm32")]
        scanner::start(scanner::Scan { video, status, refused, scanning, public_key: public_key.get_value(), session });
    };
    view! {
        <div class="door-scanner" data-testid="door-scanner">
            {move || match supported.get() {
                None => ().into_any(),
                Some(true) => view! {
                    <button class="button button--secondary" type="button" on:click=start
                        disabled=move || scanning.get().then_some("disabled") data-testid="door-camera">
                        "用摄像头扫码"
                    </button>
                }
                .into_any(),
                Some(false) => view! {
                    <p class="field__hint" data-testid="door-camera-unsupported">
                        "这个浏览器不能用摄像头识别二维码：请用扫码枪扫描，或输入准考证号。"
                    </p>
                }
                .into_any(),
            }}
            <video node_ref=video class="door-scanner__video" muted=true playsinline=true
                hidden=move || (!scanning.get()).then_some("hidden")></video>
            <p class="field__hint" role="status" aria-live="polite" data-testid="door-camera-status">{move || status.get()}</p>
            {move || refused.get().map(|words| view! {
                <p class="field__error" role="alert" data-testid="door-camera-refused">{words}</p>
            })}
        </div>
    }
}

#[cfg(target_arch = "wasm32")]
mod scanner {
    //! The camera and the browser's own QR reader (`BarcodeDetector`), through plain JS
    //! calls: nothing to bundle, and nothing at all where the browser has no reader.
    use super::*;
    use crate::domain::arrangement::{from_hex, TicketToken};
    use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
    use leptos::task::spawn_local;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;

    fn get(target: &JsValue, key: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(key)).ok().filter(|v| !v.is_undefined() && !v.is_null())
    }

    fn call(target: &JsValue, method: &str, args: &Array) -> Option<JsValue> {
        let f: Function = get(target, method)?.dyn_into().ok()?;
        Reflect::apply(&f, target, args).ok()
    }

    pub fn supported() -> bool {
        let Some(window) = web_sys::window() else { return false };
        let window: JsValue = window.into();
        let media = get(&window, "navigator").and_then(|n| get(&n, "mediaDevices"));
        get(&window, "BarcodeDetector").is_some() && media.is_some_and(|m| get(&m, "getUserMedia").is_some())
    }

    async fn sleep(ms: i32) {
        let promise = Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(promise).await;
    }

    fn stop(stream: &JsValue) {
        if let Some(tracks) = call(stream, "getTracks", &Array::new()) {
            for t in Array::from(&tracks).iter() {
                let _ = call(&t, "stop", &Array::new());
            }
        }
    }

    /// Puts the code in the field and sends the door's form.
    fn submit(code: &str) {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        if let Some(input) =
            doc.get_element_by_id(TICKET.name).and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            input.set_value(code);
            if let Some(form) = input.form() {
                let _ = form.request_submit();
            }
        }
    }

    /// What one scan needs: the page's signals, and the key and session it checks against.
    pub struct Scan {
        pub video: NodeRef<leptos::html::Video>,
        pub status: RwSignal<String>,
        pub refused: RwSignal<Option<&'static str>>,
        pub scanning: RwSignal<bool>,
        pub public_key: String,
        pub session: u32,
    }

    /// Whether the signature holds, checked here with WebCrypto's Ed25519 and the public key
    /// alone; `None` where the browser has no Ed25519 (or no WebCrypto: pages not served
    /// over HTTPS), and then the server's check stands alone.
    async fn signature_holds(public_hex: &str, token: &TicketToken) -> Option<bool> {
        let window: JsValue = web_sys::window()?.into();
        let subtle = get(&window, "crypto").and_then(|c| get(&c, "subtle"))?;
        let public: [u8; 32] = from_hex(public_hex)?;
        let algorithm = Object::new();
        Reflect::set(&algorithm, &"name".into(), &"Ed25519".into()).ok()?;
        let import = Array::of5(
            &"raw".into(),
            &Uint8Array::from(&public[..]),
            &algorithm,
            &false.into(),
            &Array::of1(&"verify".into()),
        );
        let key = JsFuture::from(Promise::resolve(&call(&subtle, "importKey", &import)?)).await.ok()?;
        let message = TicketToken::message(&token.ticket, token.session, &token.document);
        let verify = Array::of4(
            &algorithm,
            &key,
            &Uint8Array::from(&token.signature[..]),
            &Uint8Array::from(message.as_bytes()),
        );
        JsFuture::from(Promise::resolve(&call(&subtle, "verify", &verify)?)).await.ok()?.as_bool()
    }

    /// A code seen by the camera: refused here when its signature or session is wrong, sent
    /// to the server otherwise (which checks it again and looks the ticket up).
    async fn seen(scan: &Scan, code: &str) {
        let Ok(token) = TicketToken::parse(code) else {
            // Not a token's shape: the server says what is wrong with it.
            scan.status.set("已识别二维码，正在核验……".into());
            return submit(code);
        };
        match signature_holds(&scan.public_key, &token).await.map(|holds| token.verdict(holds, scan.session)) {
            Some(Ok(())) => {
                scan.status
                    .set(format!("二维码签名有效（本机已用公钥核验），准考证号 {}：正在签到……", token.ticket.as_str()));
                submit(code);
            }
            Some(Err(problem)) => {
                scan.status.set(String::new());
                scan.refused.set(Some(problem.words()));
            }
            None => {
                scan.status.set("已识别二维码，正在核验……".into());
                submit(code);
            }
        }
    }

    pub fn start(scan: Scan) {
        let Some(window) = web_sys::window() else { return };
        let Some(el) = scan.video.get_untracked() else { return };
        let el: JsValue = el.into();
        let (status, scanning) = (scan.status, scan.scanning);
        scanning.set(true);
        scan.refused.set(None);
        status.set("正在打开摄像头……".into());
        spawn_local(async move {
            let fail = |words: &str| {
                status.set(words.into());
                scanning.set(false);
            };
            let constraints = Object::new();
            let video_wanted = Object::new();
            let _ = Reflect::set(&video_wanted, &"facingMode".into(), &"environment".into());
            let _ = Reflect::set(&constraints, &"video".into(), &video_wanted);
            const NO_CAMERA: &str = "无法打开摄像头：请允许本页面使用摄像头，或改用扫码枪、输入准考证号。";
            let media = get(&window.clone().into(), "navigator").and_then(|n| get(&n, "mediaDevices"));
            let Some(asked) = media.and_then(|m| call(&m, "getUserMedia", &Array::of1(&constraints))) else {
                return fail(NO_CAMERA);
            };
            let Ok(stream) = JsFuture::from(Promise::resolve(&asked)).await else {
                return fail(NO_CAMERA);
            };
            let _ = Reflect::set(&el, &"srcObject".into(), &stream);
            // Not awaited: some cameras never settle `play()`, and the reader polls anyway.
            let _ = call(&el, "play", &Array::new());
            let options = Object::new();
            let _ = Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into()));
            let detector = get(&window.clone().into(), "BarcodeDetector")
                .and_then(|c| c.dyn_into::<Function>().ok())
                .and_then(|c| Reflect::construct(&c, &Array::of1(&options)).ok());
            let Some(detector) = detector else {
                stop(&stream);
                return fail("这个浏览器不能用摄像头识别二维码：请用扫码枪扫描，或输入准考证号。");
            };
            status.set("请把准考证上的二维码对准摄像头".into());
            // Two minutes at most, then the camera is let go.
            for _ in 0..400 {
                sleep(300).await;
                let Some(found) = call(&detector, "detect", &Array::of1(&el)) else { continue };
                let Ok(found) = JsFuture::from(Promise::resolve(&found)).await else { continue };
                let code = Array::from(&found).iter().find_map(|b| get(&b, "rawValue").and_then(|v| v.as_string()));
                if let Some(code) = code.filter(|c| TicketToken::looks_like(c)) {
                    stop(&stream);
                    scanning.set(false);
                    seen(&scan, &code).await;
                    return;
                }
            }
            stop(&stream);
            fail("没有识别到准考证二维码：请再试一次，或输入准考证号。");
        });
    }
}
