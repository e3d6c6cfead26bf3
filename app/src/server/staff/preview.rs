//! 预览: a site's candidate pages (个人信息采集 and 报考科目采集) as a candidate at that
//! site would see them now, for its staff: the same page data, components and rules as the
//! candidate's own steps, for a sample candidate. A preview submission runs the very rules
//! the candidate's submission runs and answers with their messages; nothing is stored, no
//! seat is taken, nothing goes on the trail. Beside a settings form the preview shows the
//! settings as typed (a draft), judged by the settings' own rules first.

use super::config::catalogue_for;
use crate::domain::{Date, DocumentType, Gender};
use crate::server::call::Call;
use crate::server::clock::from_beijing;
use crate::server::entity::{exam_session, offered_subject};
use crate::server::fault::Fault;
use crate::server::journey::{self, repo::Site};
use crate::urls::{self, Notice};
use crate::validation::config::SiteForm;
use crate::validation::info::InfoForm;
use crate::validation::personal::DocFacts;
use crate::validation::subjects::SubjectForm;
use crate::views::home::PassBrief;
use crate::views::journey::{
    offer_for, preview_page, FormTarget, InfoPage, PreviewDraft, PreviewStep, SiteChoice, SubjectsPage,
};
use crate::views::{AppError, Next};
use sea_orm::EntityTrait;

/// The sample candidate the preview shows: a resident ID card holder, female, born
/// 2004-05-01, with no school information yet.
fn sample_identity() -> PassBrief {
    PassBrief {
        doc_type: Some(DocumentType::ResidentId),
        masked_number: "6501**********002X".into(),
        name: "预览考生".into(),
        verified: true,
    }
}

fn sample_facts() -> DocFacts {
    DocFacts { gender: Some(Gender::Female), birth_date: Date::new(2004, 5, 1) }
}

fn done(site: &str, step: PreviewStep, draft: Option<&PreviewDraft>) -> Result<Next, Fault> {
    Ok(Next { url: urls::with_notice(&preview_page(site, step, draft), Notice::PreviewPassed) })
}

/// The site as its candidates would see it: as saved, or with `draft` (settings typed and
/// not saved) in place of the saved ones when the draft passes the settings' own rules.
/// Also the draft shown (`None` when it did not pass: the page says the saved settings are
/// shown). Refused unless the account may act for the site; `NotFound` when it takes no
/// part in the session.
async fn site_view(
    call: &Call,
    site: &str,
    draft: Option<PreviewDraft>,
) -> Result<(SiteChoice, Option<PreviewDraft>), Fault> {
    let who = call.staff().await?;
    who.require_site(site)?;
    let mut one = journey::live_site(call, site).await?.ok_or(AppError::NotFound)?;
    let shown = match draft {
        Some(d) if with_draft(call, &mut one, &d).await? => Some(d),
        _ => None,
    };
    Ok((journey::site_choice(call.state.clock.now(), &one), shown))
}

/// `one` with the draft's settings in place of the saved ones, as saving them would leave
/// it; false (and `one` unchanged) when the draft would be refused on save.
async fn with_draft(call: &Call, one: &mut Site, draft: &PreviewDraft) -> Result<bool, Fault> {
    let ctx = call.ctx();
    match draft {
        PreviewDraft::Site(form) => {
            let form = SiteForm { code: one.site.code.clone(), ..form.clone() };
            let Ok(v) = form.parse(&ctx, &one.site.province_code) else { return Ok(false) };
            one.site.name = v.name;
            one.site.allows_self_print = v.allows_self_print;
            one.site.photo_background = v.background.code().to_owned();
            one.site.requires_department = v.requires_department;
            one.site.requires_student_no = v.requires_student_no;
            one.site.requires_review = v.requires_review;
            one.offering.window_opens_at = from_beijing(v.opens);
            one.offering.window_closes_at = from_beijing(v.closes);
            one.offering.max_subjects = i16::from(v.max_subjects);
            Ok(true)
        }
        PreviewDraft::Offer(form) => {
            let db = call.state.db.read();
            let session = exam_session::Entity::find_by_id(one.offering.session_id).one(db).await?;
            let Some(session) = session else { return Ok(false) };
            let catalogue = catalogue_for(db, &session).await?;
            let codes: Vec<&str> = catalogue.iter().map(|s| s.code.as_str()).collect();
            let Ok(v) = form.parse(&ctx, &codes) else { return Ok(false) };
            if let Some((o, _)) = one.subjects.iter_mut().find(|(_, s)| s.code == v.subject) {
                let taken = o.capacity - o.remaining;
                if v.capacity < taken {
                    return Ok(false);
                }
                o.fee_fen = v.fee_fen;
                o.capacity = v.capacity;
                o.remaining = v.capacity - taken;
            } else if let Some(subject) = catalogue.into_iter().find(|s| s.code == v.subject) {
                let offered = offered_subject::Model {
                    id: 0,
                    offering_id: one.offering.id,
                    subject_code: subject.code.clone(),
                    fee_fen: v.fee_fen,
                    capacity: v.capacity,
                    remaining: v.capacity,
                };
                one.subjects.push((offered, subject));
                one.subjects.sort_by(|a, b| (a.1.level, &a.1.code).cmp(&(b.1.level, &b.1.code)));
            }
            Ok(true)
        }
    }
}

fn target(site: String, draft: Option<PreviewDraft>) -> FormTarget {
    FormTarget::Preview { site, draft: draft.map(Box::new) }
}

pub async fn info_page(call: &Call, site: String, draft: Option<PreviewDraft>) -> Result<InfoPage, Fault> {
    let (view, draft) = site_view(call, &site, draft).await?;
    let facts = sample_facts();
    Ok(InfoPage {
        ctx: call.ctx(),
        identity: sample_identity(),
        facts,
        saved: InfoForm::prefilled(&facts),
        read_only: None,
        needs: view.needs,
        roster: None,
        target: target(site, draft),
    })
}

/// Runs the information step's rule as the site's candidates meet it; stores nothing.
pub async fn check_info(call: &Call, site: String, draft: Option<PreviewDraft>, form: InfoForm) -> Result<Next, Fault> {
    let (view, draft) = site_view(call, &site, draft).await?;
    form.parse(&call.ctx(), &sample_facts(), view.needs).map_err(AppError::Invalid)?;
    done(&site, PreviewStep::Info, draft.as_ref())
}

pub async fn subjects_page(call: &Call, site: String, draft: Option<PreviewDraft>) -> Result<SubjectsPage, Fault> {
    let (view, draft) = site_view(call, &site, draft).await?;
    // The sample candidate has filled in what the site requires (the information preview
    // shows what happens when not).
    let given = view.needs;
    Ok(SubjectsPage {
        ctx: call.ctx(),
        identity: sample_identity(),
        saved: SubjectForm { site: site.clone(), subjects: Vec::new(), declare: None, seen: None },
        sites: vec![view],
        held: Vec::new(),
        read_only: None,
        given,
        roster: None,
        target: target(site, draft),
    })
}

/// Runs the subject step's rule as the site's candidates meet it (the no-JS confirmation
/// first, as theirs); stores nothing and takes no seat.
pub async fn check_subjects(
    call: &Call,
    site: String,
    draft: Option<PreviewDraft>,
    form: SubjectForm,
    confirmed: bool,
) -> Result<Next, Fault> {
    let (view, draft) = site_view(call, &site, draft).await?;
    let offer = offer_for(std::slice::from_ref(&view), &form.site, &[], view.needs);
    form.parse(&call.ctx(), &offer).map_err(AppError::Invalid)?;
    if !confirmed {
        return Err(AppError::ConfirmFirst.into());
    }
    done(&site, PreviewStep::Subjects, draft.as_ref())
}
