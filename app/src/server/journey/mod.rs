//! The journey's handlers, from the agreement to the status page. Server functions and
//! no-JS form posts both end here. Each mutation runs the step's shared `parse` first, then
//! checks, on what the database says now: signed in and verified, the caller's own
//! registration (the pass comes from the session, never from the request), step order,
//! not locked (rule 4) and inside the window (rule 9); only then does it write.

pub mod catalogue;
pub mod repo;
pub mod review;
pub mod ticket;

use crate::domain::photo::Background;
use crate::domain::{DocumentNumber, DocumentType};
use crate::server::audit;
use crate::server::call::{Call, SignedIn};
use crate::server::clock::format_beijing;
use crate::server::entity::{enrolment, registration, roster_entry};
use crate::server::fault::{verdict, Fault};
use crate::server::passes;
use crate::server::passes::accounts;
use crate::server::payment::orders::open_order_of;
use crate::server::seats::{self, Choice, Claim, SeatError};
use crate::server::staff::rosters;
use crate::urls::{self, Notice};
use crate::validation::agreement::AgreementForm;
use crate::validation::contact::ContactForm;
use crate::validation::info::InfoForm;
use crate::validation::personal::DocFacts;
use crate::validation::personal::PersonalForm;
use crate::validation::school::{SchoolForm, SchoolNeeds};
use crate::validation::subjects::{
    choice_error, yuan, ChoiceError, HeldSubject, OfferedSubject, SubjectForm, ValidChoice,
};
use crate::validation::FieldErrors;
use crate::views::home::{HomeStatus, HomeView, PassBrief, SessionBrief};
use crate::views::journey::{
    offer_for, Channel, EnrolmentRow, InfoPage, NoticeView, PhotoPage, Progress, SiteChoice, StatusPage, Step,
    StepState, SubjectPayment, SubjectsPage, TicketGate,
};
use crate::views::staff::AuditKind;
use crate::views::{AppError, Next, WindowState};
use chrono::{DateTime, Duration, Utc};
use repo::{OpenSession, Site};
use std::sync::Arc;

/// Unpaid, unlocked subjects are released this long after they were chosen (rule 7).
pub const UNPAID_HOLD: Duration = Duration::hours(24);

/// The open exam session's configuration, as held in memory (`catalogue`): its seat counts
/// may be seconds old, so pages that show or judge seats left use `live_session`.
async fn session(call: &Call) -> Result<Arc<OpenSession>, Fault> {
    call.state.catalogue.open_session(call.state.db.read()).await?.ok_or(AppError::NoSession.into())
}

/// The open session with the seats left as they are now.
async fn live_session(call: &Call) -> Result<OpenSession, Fault> {
    let s = session(call).await?;
    Ok(catalogue::with_live_seats(call.state.db.read(), &s).await?)
}

fn window_of(now: DateTime<Utc>, site: &Site) -> WindowState {
    if now < site.offering.window_opens_at {
        WindowState::NotYetOpen { opens: format_beijing(site.offering.window_opens_at) }
    } else if now >= site.offering.window_closes_at {
        WindowState::Closed
    } else {
        WindowState::Open
    }
}

fn window_text(site: &Site) -> String {
    format!("{} 至 {}", format_beijing(site.offering.window_opens_at), format_beijing(site.offering.window_closes_at))
}

/// The window that governs a registration: its site's once chosen; before that the
/// session's, open while any site's is (the earliest opening otherwise).
fn window_for(now: DateTime<Utc>, s: &OpenSession, site_code: Option<&str>) -> WindowState {
    if let Some(site) = site_code.and_then(|c| s.site(c)) {
        return window_of(now, site);
    }
    let states: Vec<WindowState> = s.sites.iter().map(|site| window_of(now, site)).collect();
    if states.contains(&WindowState::Open) {
        return WindowState::Open;
    }
    match s
        .sites
        .iter()
        .filter(|site| now < site.offering.window_opens_at)
        .min_by_key(|site| site.offering.window_opens_at)
    {
        Some(first) => WindowState::NotYetOpen { opens: format_beijing(first.offering.window_opens_at) },
        None => WindowState::Closed,
    }
}

/// Rule 9 for a registration at `site_code` (or none yet).
pub(crate) fn require_open_for(now: DateTime<Utc>, s: &OpenSession, site_code: Option<&str>) -> Result<(), AppError> {
    require_open(window_for(now, s, site_code))
}

fn require_open(window: WindowState) -> Result<(), AppError> {
    match window {
        WindowState::Open => Ok(()),
        WindowState::NotYetOpen { opens } => Err(AppError::WindowNotOpen { opens }),
        WindowState::Closed => Err(AppError::WindowClosed),
    }
}

/// Whether the registration may change now: not once locked (rule 4), and only inside its
/// site's window (rule 9). The one verdict behind every step's read-only page and refusal
/// (the subject step adds its own gate, `subjects_gate`).
fn require_changeable(now: DateTime<Utc>, s: &OpenSession, reg: &registration::Model) -> Result<(), AppError> {
    if reg.locked_at.is_some() {
        return Err(AppError::Locked);
    }
    require_open(window_for(now, s, reg.site_code.as_deref()))
}

/// What an in-school site requires of its candidates' school information.
fn needs_of_site(site: &Site) -> SchoolNeeds {
    SchoolNeeds { department: site.site.requires_department, student_no: site.site.requires_student_no }
}

/// What the registration's site, once chosen, requires.
fn needs_of(s: &OpenSession, reg: &registration::Model) -> SchoolNeeds {
    reg.site_code.as_deref().and_then(|c| s.site(c)).map_or(SchoolNeeds::NONE, needs_of_site)
}

/// What the registration's saved information gives of the school fields.
fn given_of(reg: &registration::Model) -> SchoolNeeds {
    saved_info(reg).map_or(SchoolNeeds::NONE, |info| SchoolNeeds::given_by(&info.school))
}

pub(crate) fn site_choice(now: DateTime<Utc>, site: &Site) -> SiteChoice {
    SiteChoice {
        code: site.site.code.clone(),
        label: site.label(),
        window: window_text(site),
        window_state: window_of(now, site),
        max_subjects: u8::try_from(site.offering.max_subjects).unwrap_or(u8::MAX),
        needs: needs_of_site(site),
        background: Background::from_code(&site.site.photo_background).unwrap_or_default(),
        subjects: site
            .subjects
            .iter()
            .map(|(o, s)| OfferedSubject {
                code: s.code.clone(),
                level: u8::try_from(s.level).unwrap_or(0),
                name: s.name.clone(),
                fee_fen: o.fee_fen,
                remaining: o.remaining,
            })
            .collect(),
    }
}

fn held(s: &OpenSession, enrolments: &[enrolment::Model]) -> Vec<HeldSubject> {
    enrolments
        .iter()
        .map(|e| {
            let (site, name) = s
                .offered(e.offered_subject_id)
                .map(|(site, _, subject)| (site.site.code.clone(), subject.name.clone()))
                .unwrap_or_default();
            HeldSubject { code: e.subject_code.clone(), name, site_code: site, paid: e.paid_at.is_some() }
        })
        .collect()
}

fn brief(call: &Call, who: &SignedIn) -> Result<(PassBrief, Option<DocumentNumber>), Fault> {
    let view = accounts::pass_view(call, who, false)?;
    let number = passes::doc_number(&call.state.data_key, &who.pass)?;
    let parsed = DocumentType::from_code(&who.pass.doc_type)
        .and_then(|t| DocumentNumber::parse(t, &number, call.ctx().today).ok());
    Ok((
        PassBrief {
            doc_type: view.doc_type,
            masked_number: view.masked_number,
            name: view.name,
            verified: view.verified,
        },
        parsed,
    ))
}

/// The pass as the pages show it.
pub(crate) fn pass_brief(call: &Call, who: &SignedIn) -> Result<PassBrief, Fault> {
    Ok(brief(call, who)?.0)
}

/// The signed-in candidate, the open session, and their registration with its personal
/// information saved.
pub(crate) async fn informed_registration(
    call: &Call,
) -> Result<(SignedIn, Arc<OpenSession>, registration::Model), Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let reg = informed(call, &who, &s).await?;
    Ok((who, s, reg))
}

/// Whether the subjects may change now, the window aside. Not while an order for them is
/// open (they are being paid for); not while locked with nothing paid; once something is
/// paid, by adding only (增报, rule 10: the shared rule keeps the paid subjects and the
/// site). The seat desk applies a choice only if the holdings version it was worked out
/// from is current, and opening, paying or closing an order raises it, so this verdict
/// still holds when the choice applies.
async fn subjects_gate(call: &Call, reg: &registration::Model, held: &[enrolment::Model]) -> Result<(), Fault> {
    if open_order_of(call.state.db.read(), reg.id).await?.is_some() {
        return Err(AppError::PaymentInProgress.into());
    }
    if reg.locked_at.is_some() && !held.iter().any(|e| e.paid_at.is_some()) {
        return Err(AppError::Locked.into());
    }
    Ok(())
}

/// The caller's registration for the session, if any.
async fn mine(call: &Call, who: &SignedIn, s: &OpenSession) -> Result<Option<registration::Model>, Fault> {
    Ok(repo::draft(call.state.db.read(), who.pass.id, s.session.id).await?)
}

/// The caller's registration for the session and what it holds, in one read.
async fn mine_held(
    call: &Call,
    who: &SignedIn,
    s: &OpenSession,
) -> Result<Option<(registration::Model, Vec<enrolment::Model>)>, Fault> {
    Ok(repo::draft_with_enrolments(call.state.db.read(), who.pass.id, s.session.id).await?)
}

fn go(url: &str) -> AppError {
    AppError::StepOrder { go_to: url.into() }
}

/// How far a page needs the registration to be: the agreement accepted, or the personal
/// information saved as well.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reached {
    Agreement,
    Info,
}

/// The registration, provided it has reached `step`; otherwise where the candidate goes.
fn reached(reg: Option<registration::Model>, step: Reached) -> Result<registration::Model, AppError> {
    let reg = reg.filter(|r| r.agreement_accepted_at.is_some()).ok_or_else(|| go(urls::AGREEMENT))?;
    if step == Reached::Info && reg.personal_saved_at.is_none() {
        return Err(go(urls::INFO));
    }
    Ok(reg)
}

/// The registration, provided the agreement is accepted.
async fn agreed(call: &Call, who: &SignedIn, s: &OpenSession) -> Result<registration::Model, Fault> {
    Ok(reached(mine(call, who, s).await?, Reached::Agreement)?)
}

/// The registration, provided the personal information is saved.
async fn informed(call: &Call, who: &SignedIn, s: &OpenSession) -> Result<registration::Model, Fault> {
    Ok(reached(mine(call, who, s).await?, Reached::Info)?)
}

/// The registration and its enrolments, provided it has reached `step`.
async fn reached_held(
    call: &Call,
    who: &SignedIn,
    s: &OpenSession,
    step: Reached,
) -> Result<(registration::Model, Vec<enrolment::Model>), Fault> {
    let (reg, held) = mine_held(call, who, s).await?.unzip();
    Ok((reached(reg, step)?, held.unwrap_or_default()))
}

// ---- home ----

pub async fn home(call: &Call) -> Result<HomeView, Fault> {
    let who = call.signed_in().await?;
    let pass = match &who {
        Some(w) => Some(brief(call, w)?.0),
        None => None,
    };
    let s = match session(call).await {
        Ok(s) => s,
        Err(Fault::Refused(AppError::NoSession)) => return Ok(HomeView { pass, session: None, status: None }),
        Err(e) => return Err(e),
    };
    let now = call.state.clock.now();
    let (reg, enrolments) = match &who {
        Some(w) => match mine_held(call, w, &s).await? {
            Some((r, held)) => (Some(r), held),
            None => (None, Vec::new()),
        },
        None => (None, Vec::new()),
    };
    let site = reg.as_ref().and_then(|r| r.site_code.as_deref()).and_then(|c| s.site(c));
    let session = SessionBrief {
        number: s.session.number,
        name: s.session.name.clone(),
        province: format!("({}){}", s.province.code, s.province.name),
        window_state: window_for(now, &s, site.map(|x| x.site.code.as_str())),
        ticket_print_starts: s.session.ticket_print_starts_at.map(format_beijing),
    };
    let status = reg.map(|r| HomeStatus {
        site: site.map(Site::label),
        window: site.map(window_text),
        agreement: r.agreement_accepted_at.is_some(),
        personal: r.personal_saved_at.is_some(),
        photo: r.photo_key.is_some(),
        locked: r.locked_at.is_some(),
        subjects: enrolments.len(),
        paid: enrolments.iter().filter(|e| e.paid_at.is_some()).count(),
    });
    Ok(HomeView { pass, session: Some(session), status })
}

// ---- 报名协议 ----

pub async fn accept_agreement(call: &Call, form: AgreementForm) -> Result<Next, Fault> {
    form.parse(&call.ctx()).map_err(AppError::Invalid)?;
    let who = call.candidate().await?;
    let s = session(call).await?;
    let now = call.state.clock.now();
    match mine(call, &who, &s).await? {
        Some(reg) => require_changeable(now, &s, &reg)?,
        None => require_open(window_for(now, &s, None))?,
    }
    repo::accept_agreement(call.state.db.write(), who.pass.id, s.session.id, now).await?;
    tracing::info!(pass = who.pass.id, "agreement accepted");
    Ok(Next { url: urls::INFO.into() })
}

// ---- 个人信息采集 ----

fn saved_info(reg: &registration::Model) -> Option<InfoForm> {
    reg.personal_saved_at?;
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    Some(InfoForm {
        personal: PersonalForm {
            gender: o(&reg.gender),
            birth_date: reg.birth_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            ethnicity: o(&reg.ethnicity),
            occupation: o(&reg.occupation),
            education: o(&reg.education),
            training_type: o(&reg.training_type),
        },
        contact: ContactForm { postcode: o(&reg.postcode), address: o(&reg.address), email: o(&reg.contact_email) },
        school: SchoolForm {
            department: o(&reg.department),
            major: o(&reg.major),
            class_name: o(&reg.class_name),
            student_no: o(&reg.student_no),
        },
    })
}

pub async fn info_page(call: &Call) -> Result<InfoPage, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let reg = agreed(call, &who, &s).await?;
    let (identity, number) = brief(call, &who)?;
    let facts = DocFacts::of(number.as_ref());
    let first_time = reg.personal_saved_at.is_none();
    let mut saved = saved_info(&reg).unwrap_or_else(|| InfoForm::prefilled(&facts));
    // A student on a 学籍库 finds the school fields filled in (the roster of their chosen
    // site first), unless they have filled some in themselves; and 民族 the first time.
    let rosters = roster_entries(call, &who).await?;
    let entry = rosters.iter().find(|e| reg.site_code.as_deref() == Some(e.site_code.as_str())).or(rosters.first());
    let roster = match entry {
        Some(e) if saved.school == SchoolForm::default() => {
            saved.school = rosters::school_of(e);
            if let (true, Some(code)) = (first_time, &e.ethnicity) {
                saved.personal.ethnicity.clone_from(code);
            }
            Some(s.site(&e.site_code).map_or_else(|| e.site_code.clone(), Site::label))
        }
        _ => None,
    };
    Ok(InfoPage {
        ctx: call.ctx(),
        identity,
        facts,
        saved,
        read_only: require_changeable(call.state.clock.now(), &s, &reg).err(),
        needs: needs_of(&s, &reg),
        roster,
        target: Default::default(),
    })
}

pub async fn save_info(call: &Call, form: InfoForm) -> Result<Next, Fault> {
    let who = call.candidate().await?;
    let (_, number) = brief(call, &who)?;
    let s = session(call).await?;
    let reg = agreed(call, &who, &s).await?;
    let valid =
        form.parse(&call.ctx(), &DocFacts::of(number.as_ref()), needs_of(&s, &reg)).map_err(AppError::Invalid)?;
    require_changeable(call.state.clock.now(), &s, &reg)?;
    let id = reg.id;
    repo::save_info(call.state.db.write(), reg, &valid, call.state.clock.now()).await?;
    tracing::info!(registration = id, "personal information saved");
    Ok(Next { url: urls::SUBJECTS.into() })
}

// ---- 报考科目采集 ----

pub async fn subjects_page(call: &Call) -> Result<SubjectsPage, Fault> {
    // A choice just worked out in this request (the no-JS confirmation) built the page
    // from what it read; reading it all again would find the same.
    if let Some(page) = call.prepared::<SubjectsPage>() {
        return Ok(page);
    }
    let who = call.candidate().await?;
    let s = live_session(call).await?;
    let (reg, enrolments) = reached_held(call, &who, &s, Reached::Info).await?;
    let gate = verdict(subjects_gate(call, &reg, &enrolments).await)?;
    let rosters = roster_entries(call, &who).await?;
    subjects_view(call, &who, &s, &reg, &enrolments, &rosters, gate)
}

/// The subject step's page from what was read for it; `gate` is `subjects_gate`'s answer.
fn subjects_view(
    call: &Call,
    who: &SignedIn,
    s: &OpenSession,
    reg: &registration::Model,
    enrolments: &[enrolment::Model],
    rosters: &[roster_entry::Model],
    gate: Result<(), AppError>,
) -> Result<SubjectsPage, Fault> {
    let held = held(s, enrolments);
    let now = call.state.clock.now();
    let sites = choosable_sites(now, s, rosters, &held);
    // One roster site and nothing chosen yet: it is the candidate's only choice anyway.
    let site = match (&reg.site_code, sites.as_slice()) {
        (Some(code), _) => code.clone(),
        (None, [only]) if !rosters.is_empty() => only.code.clone(),
        (None, _) => String::new(),
    };
    Ok(SubjectsPage {
        ctx: call.ctx(),
        identity: brief(call, who)?.0,
        sites,
        saved: SubjectForm {
            site,
            subjects: held.iter().map(|h| h.code.clone()).collect(),
            declare: None,
            seen: Some(reg.holdings_version),
        },
        held,
        read_only: gate.and_then(|()| require_open(window_for(now, s, reg.site_code.as_deref()))).err(),
        given: given_of(reg),
        roster: roster_words(s, rosters),
        target: Default::default(),
    })
}

/// The candidate's 学籍库 rows (by their pass's keyed hash).
async fn roster_entries(call: &Call, who: &SignedIn) -> Result<Vec<roster_entry::Model>, Fault> {
    Ok(rosters::rosters_of(call.state.db.read(), &who.pass.doc_number_hash).await?)
}

/// The sites a candidate may choose: every site of the session; a student on a 学籍库
/// only the rosters' sites, and a site where something is paid already (增报 keeps it).
fn choosable_sites(
    now: DateTime<Utc>,
    s: &OpenSession,
    rosters: &[roster_entry::Model],
    held: &[HeldSubject],
) -> Vec<SiteChoice> {
    s.sites
        .iter()
        .filter(|site| {
            let code = site.site.code.as_str();
            rosters.is_empty()
                || rosters.iter().any(|e| e.site_code == code)
                || held.iter().any(|h| h.paid && h.site_code == code)
        })
        .map(|site| site_choice(now, site))
        .collect()
}

/// `(650101)新疆大学`, the rosters' sites in words, when there are any.
fn roster_words(s: &OpenSession, rosters: &[roster_entry::Model]) -> Option<String> {
    let words: Vec<String> =
        rosters.iter().map(|e| s.site(&e.site_code).map_or_else(|| e.site_code.clone(), Site::label)).collect();
    (!words.is_empty()).then(|| words.join("、"))
}

/// One site of the session with its seats left read live (`None` when it takes no part),
/// for a staff preview to show as `site_choice` would after adjusting it.
pub(crate) async fn live_site(call: &Call, code: &str) -> Result<Option<Site>, Fault> {
    Ok(live_session(call).await?.site(code).cloned())
}

/// Seats left per subject at `site` now (a signed-in candidate's view of public numbers).
pub async fn capacity(call: &Call, site: &str) -> Result<Vec<(String, i32)>, Fault> {
    call.candidate().await?;
    let s = live_session(call).await?;
    Ok(s.site(site)
        .map(|x| x.subjects.iter().map(|(o, subj)| (subj.code.clone(), o.remaining)).collect())
        .unwrap_or_default())
}

/// The candidate's registration and holdings as they are now, and `form` worked out against
/// them by the shared rule.
struct WorkedOut {
    who: SignedIn,
    s: OpenSession,
    reg: registration::Model,
    enrolments: Vec<enrolment::Model>,
    rosters: Vec<roster_entry::Model>,
    choice: Result<ValidChoice, FieldErrors>,
}

async fn work_out(call: &Call, form: &SubjectForm) -> Result<WorkedOut, Fault> {
    let who = call.candidate().await?;
    let s = live_session(call).await?;
    let (reg, enrolments) = reached_held(call, &who, &s, Reached::Info).await?;
    let now = call.state.clock.now();
    let held = held(&s, &enrolments);
    // A site the candidate may not choose (not their 学籍库's) is one the rule does not know.
    let rosters = roster_entries(call, &who).await?;
    let sites = choosable_sites(now, &s, &rosters, &held);
    let offer = offer_for(&sites, &form.site, &held, given_of(&reg));
    let choice = form.parse(&call.ctx(), &offer);
    Ok(WorkedOut { who, s, reg, enrolments, rosters, choice })
}

/// The trail's entries of a choice: the subjects taken, and those given up.
fn choice_entries(
    call: &Call,
    who: &SignedIn,
    reg: &registration::Model,
    site: &str,
    cancelled: &[enrolment::Model],
    added: &[Claim],
) -> Vec<audit::Entry> {
    let actor = audit::Actor::Candidate { pass_id: who.pass.id, neea_id: who.pass.neea_id.clone() };
    let mut out = Vec::new();
    if !added.is_empty() {
        let codes: Vec<&str> = added.iter().map(|c| c.subject_code.as_str()).collect();
        out.push(
            audit::Entry::new(actor.clone(), AuditKind::SubjectsChosen, Some(site), reg.id.to_string())
                .from(call.client_addr())
                .created(&serde_json::json!({ "subjects": codes })),
        );
    }
    if !cancelled.is_empty() {
        let codes: Vec<&str> = cancelled.iter().map(|e| e.subject_code.as_str()).collect();
        let at = reg.site_code.as_deref().unwrap_or(site);
        out.push(
            audit::Entry::new(actor, AuditKind::SubjectsCancelled, Some(at), reg.id.to_string())
                .from(call.client_addr())
                .removed(&serde_json::json!({ "subjects": codes })),
        );
    }
    out
}

/// Saves the choice once `confirmed` (the dialog's or the confirmation page's 确定);
/// before that, a valid choice answers `ConfirmFirst` and nothing is written.
pub async fn save_subjects(call: &Call, form: SubjectForm, confirmed: bool) -> Result<Next, Fault> {
    let WorkedOut { who, s, reg, enrolments, rosters, choice } = work_out(call, &form).await?;
    let now = call.state.clock.now();
    let valid = choice.map_err(AppError::Invalid)?;
    subjects_gate(call, &reg, &enrolments).await?;
    // Rule 9 for both sites involved: the one left and the one chosen.
    require_open(window_for(now, &s, reg.site_code.as_deref()))?;
    require_open(window_for(now, &s, Some(&valid.site_code)))?;
    if !confirmed {
        // Without JavaScript the confirmation page comes next in this request: it is the
        // subject page of what was just read (the gate passed above).
        call.prepare(subjects_view(call, &who, &s, &reg, &enrolments, &rosters, Ok(()))?);
        return Err(AppError::ConfirmFirst.into());
    }
    let site = s.site(&valid.site_code).ok_or_else(|| Fault::broken("chosen site vanished"))?;
    let added: Vec<Claim> = valid
        .added
        .iter()
        .filter_map(|code| site.subjects.iter().find(|(_, subj)| &subj.code == code))
        .map(|(o, subj)| Claim { offered_subject_id: o.id, subject_code: subj.code.clone(), fee_fen: o.fee_fen })
        .collect();
    let cancelled: Vec<enrolment::Model> = enrolments
        .iter()
        .filter(|e| {
            valid.cancelled.iter().any(|c| {
                c.code == e.subject_code
                    && s.offered(e.offered_subject_id).is_some_and(|(x, _, _)| x.site.code == c.site_code)
            })
        })
        .cloned()
        .collect();
    let audit = choice_entries(call, &who, &reg, &valid.site_code, &cancelled, &added);
    let choice = Choice {
        registration_id: reg.id,
        site_code: valid.site_code.clone(),
        cancelled,
        added,
        now,
        audit,
        // The holdings the candidate confirmed against: the ones their page showed, else
        // the ones just read. The desk finds a choice for other holdings stale.
        version: form.seen.unwrap_or(reg.holdings_version),
    };
    match call.state.seats.apply(choice).await {
        Ok(()) => {}
        Err(SeatError::Full { subject_code }) => {
            let name = site
                .subjects
                .iter()
                .find(|(_, subj)| subj.code == subject_code)
                .map(|(_, subj)| subj.name.clone())
                .unwrap_or(subject_code);
            return Err(AppError::Invalid(choice_error(ChoiceError::Full { name }, call.ctx().lang)).into());
        }
        Err(SeatError::Stale) => return already_saved(call, &form).await,
        Err(SeatError::Db(e)) => return Err(e.into()),
    }
    tracing::info!(
        registration = reg.id,
        site = %valid.site_code,
        added = valid.added.len(),
        cancelled = valid.cancelled.len(),
        "subjects saved"
    );
    Ok(Next { url: urls::PHOTO.into() })
}

/// A choice found stale when applied: its holdings changed after it was confirmed. If what
/// it asked for is in effect now (the same choice sent from two tabs), that is success;
/// anything else was not what the candidate confirmed, so nothing is applied and they are
/// asked to look again.
async fn already_saved(call: &Call, form: &SubjectForm) -> Result<Next, Fault> {
    let WorkedOut { reg, enrolments, choice, .. } = work_out(call, form).await?;
    match choice {
        Ok(v) if v.added.is_empty() && v.cancelled.is_empty() && reg.declared_at.is_some() => {
            tracing::info!(registration = reg.id, "the same choice again: already saved");
            Ok(Next { url: urls::PHOTO.into() })
        }
        _ => {
            subjects_gate(call, &reg, &enrolments).await?;
            tracing::info!(registration = reg.id, "choice refused: holdings changed since it was confirmed");
            Err(AppError::Invalid(choice_error(ChoiceError::Changed, call.ctx().lang)).into())
        }
    }
}

// ---- 照片信息采集 ----

pub async fn photo_page(call: &Call) -> Result<PhotoPage, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let reg = informed(call, &who, &s).await?;
    Ok(PhotoPage {
        spec: Default::default(),
        saved: reg.photo_key.is_some(),
        version: reg.photo_saved_at.map(|t| t.timestamp().to_string()).unwrap_or_default(),
        read_only: require_changeable(call.state.clock.now(), &s, &reg).err(),
        facts: reg.photo_facts.as_deref().and_then(|f| serde_json::from_str(f).ok()),
        background: reg
            .site_code
            .as_deref()
            .and_then(|c| s.site(c))
            .and_then(|site| Background::from_code(&site.site.photo_background))
            .unwrap_or_default(),
    })
}

/// The registration a new photo goes to: the caller's, personal information saved,
/// changeable now.
pub async fn photo_target(call: &Call) -> Result<registration::Model, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let reg = informed(call, &who, &s).await?;
    require_changeable(call.state.clock.now(), &s, &reg)?;
    Ok(reg)
}

/// The storage key of the caller's own photo, if any.
pub async fn own_photo_key(call: &Call) -> Result<Option<String>, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    Ok(mine(call, &who, &s).await?.and_then(|r| r.photo_key))
}

// ---- 报名信息 ----

fn step(step: Step, progress: Progress) -> StepState {
    StepState { step, progress }
}

pub async fn status_page(call: &Call) -> Result<StatusPage, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let (reg, enrolments) = reached_held(call, &who, &s, Reached::Agreement).await?;
    let now = call.state.clock.now();
    let (identity, _) = brief(call, &who)?;
    let site = reg.site_code.as_deref().and_then(|c| s.site(c));
    let paid = enrolments.iter().filter(|e| e.paid_at.is_some()).count();
    let all_paid = !enrolments.is_empty() && paid == enrolments.len();
    let (orders, refunds) = crate::server::payment::candidate::money(call, &s, reg.id).await?;
    // At most one order is open (a partial unique index); it is among the registration's.
    let open = orders.iter().any(|o| o.state == crate::views::payment::OrderState::Pending).then_some(());
    let site_prints = site.is_some_and(|x| x.site.allows_self_print);
    let print_from = s.session.ticket_print_starts_at.map(|t| (now >= t, format_beijing(t)));
    let done = |b: bool| if b { Progress::Done } else { Progress::NotDone };
    let steps = vec![
        step(Step::Agreement, done(reg.agreement_accepted_at.is_some())),
        step(Step::Identity, done(identity.verified)),
        step(Step::Personal, done(reg.personal_saved_at.is_some())),
        step(Step::Subjects, done(!enrolments.is_empty())),
        step(Step::Photo, done(reg.photo_key.is_some())),
        step(Step::Payment, done(all_paid)),
        step(Step::Complete, done(all_paid && reg.photo_key.is_some())),
        // Filled in below, once each subject's gate is known.
        step(Step::Ticket, Progress::NotPrintable),
        step(Step::Exam, Progress::NotStarted),
        step(Step::End, Progress::NotEnded),
    ];
    let placed = if paid > 0 {
        crate::server::staff::arrangement::placed_of(call.state.db.read(), reg.id).await?
    } else {
        Default::default()
    };
    let rows: Vec<EnrolmentRow> = enrolments
        .iter()
        .map(|e| {
            let room = placed.get(&e.id).map(|p| p.words());
            let ticket = TicketGate::of(e.paid_at.is_some(), site_prints, room.is_some(), print_from.clone());
            let site_label = s.offered(e.offered_subject_id).map(|(x, _, _)| x.label()).unwrap_or_default();
            let line = s.line(e.offered_subject_id, &e.subject_code, e.fee_fen);
            EnrolmentRow {
                line,
                code: e.subject_code.clone(),
                payment: match (e.paid_at, &open) {
                    (Some(_), _) => SubjectPayment::Paid,
                    (None, Some(_)) => SubjectPayment::Paying,
                    (None, None) => SubjectPayment::Unpaid,
                },
                arranged: room.is_some(),
                ticket,
                channel: Channel::Online,
                site: site_label,
                room: room.unwrap_or_default(),
                // In payment, the order's own time applies (shown with the money).
                deadline: (e.paid_at.is_none() && open.is_none()).then(|| format_beijing(e.chosen_at + UNPAID_HOLD)),
            }
        })
        .collect();
    let mut steps = steps;
    if rows.iter().any(|r| r.ticket == TicketGate::Printable) {
        if let Some(t) = steps.iter_mut().find(|t| t.step == Step::Ticket) {
            t.progress = Progress::Printable;
        }
    }
    let notices = s
        .notices_for(reg.site_code.as_deref(), now)
        .into_iter()
        .map(|n| NoticeView {
            of_site: n.site_code.is_some(),
            title: n.title.clone(),
            body: n.body.clone(),
            published: format_beijing(n.published_at),
        })
        .collect();
    let reason = require_changeable(now, &s, &reg).err();
    let window_open = require_open(window_for(now, &s, reg.site_code.as_deref())).is_ok();
    let max = site.map_or(0, |x| usize::try_from(x.offering.max_subjects).unwrap_or(0));
    let review = review::view(now, &s, &reg, &enrolments, open.is_some());
    Ok(StatusPage {
        money: crate::views::payment::money_words(&orders, &refunds),
        can_pay: window_open
            && paid < enrolments.len()
            && reg.photo_key.is_some()
            && review::require_approved(&s, &reg, &enrolments).is_ok(),
        review,
        paying: open.is_some(),
        can_add: window_open && paid > 0 && open.is_none() && enrolments.len() < max,
        identity,
        neea_id: who.pass.neea_id.clone(),
        session_name: format!("第{}次 {}", s.session.number, s.session.name),
        site: site.map(Site::label),
        window: site.map(window_text),
        steps,
        locked: reg.locked_at.is_some(),
        paid_count: paid,
        total_unpaid: yuan(enrolments.iter().filter(|e| e.paid_at.is_none()).map(|e| e.fee_fen).sum()),
        rows,
        can_change: reason.is_none(),
        can_delete: reason.is_none() && paid == 0,
        view_only_reason: reason,
        notices,
    })
}

/// Rule 8: with nothing paid and inside the window, the whole registration goes, its seats
/// back to the site and its photo out of the store.
pub async fn delete_registration(call: &Call) -> Result<Next, Fault> {
    let who = call.candidate().await?;
    let s = session(call).await?;
    let Some(reg) = mine(call, &who, &s).await? else {
        return Ok(Next { url: urls::with_notice(urls::HOME, Notice::RegistrationDeleted) });
    };
    require_changeable(call.state.clock.now(), &s, &reg)?;
    let actor = audit::Actor::Candidate { pass_id: who.pass.id, neea_id: who.pass.neea_id.clone() };
    let entry = audit::Entry::new(actor, AuditKind::RegistrationDeleted, reg.site_code.as_deref(), reg.id.to_string())
        .from(call.client_addr());
    match seats::delete_registration(call.state.db.write(), reg.id, Some((call.state.clock.now(), entry))).await? {
        seats::Deletion::Deleted => {}
        seats::Deletion::Paid => return Err(AppError::Paid.into()),
        seats::Deletion::Locked => return Err(AppError::Locked.into()),
    }
    if let Some(key) = &reg.photo_key {
        crate::server::photos::upload::forget(call, key).await;
    }
    tracing::info!(registration = reg.id, "registration deleted");
    Ok(Next { url: urls::with_notice(urls::HOME, Notice::RegistrationDeleted) })
}
