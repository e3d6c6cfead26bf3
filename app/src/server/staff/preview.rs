//! 预览: a site's candidate pages (个人信息采集 and 报考科目采集) as a candidate at that
//! site would see them now, for its staff: the same page data, components and rules as the
//! candidate's own steps, for a sample candidate. A preview submission runs the very rules
//! the candidate's submission runs and answers with their messages; nothing is stored, no
//! seat is taken, nothing goes on the trail.

use crate::domain::{Date, DocumentType, Gender};
use crate::server::call::Call;
use crate::server::fault::Fault;
use crate::server::journey;
use crate::urls::{self, Notice};
use crate::validation::info::InfoForm;
use crate::validation::personal::DocFacts;
use crate::validation::subjects::SubjectForm;
use crate::views::home::PassBrief;
use crate::views::journey::{offer_for, FormTarget, InfoPage, SubjectsPage};
use crate::views::{AppError, Next};

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

fn done(site: &str) -> Result<Next, Fault> {
    Ok(Next { url: urls::with_notice(&urls::with_site(urls::STAFF_PREVIEW, site), Notice::PreviewPassed) })
}

/// The site as candidates see it now (the held configuration with live seats): refused
/// unless the account may act for it; `NotFound` when it takes no part in the session.
async fn site_view(call: &Call, site: &str) -> Result<crate::views::journey::SiteChoice, Fault> {
    let who = call.staff().await?;
    who.require_site(site)?;
    let sites = journey::site_choices(call).await?;
    Ok(sites.into_iter().find(|s| s.code == site).ok_or(AppError::NotFound)?)
}

pub async fn info_page(call: &Call, site: String) -> Result<InfoPage, Fault> {
    let view = site_view(call, &site).await?;
    let facts = sample_facts();
    Ok(InfoPage {
        ctx: call.ctx(),
        identity: sample_identity(),
        facts,
        saved: InfoForm::prefilled(&facts),
        read_only: None,
        needs: view.needs,
        target: FormTarget::Preview { site },
    })
}

/// Runs the information step's rule as the site's candidates meet it; stores nothing.
pub async fn check_info(call: &Call, site: String, form: InfoForm) -> Result<Next, Fault> {
    let view = site_view(call, &site).await?;
    form.parse(&call.ctx(), &sample_facts(), view.needs).map_err(AppError::Invalid)?;
    done(&site)
}

pub async fn subjects_page(call: &Call, site: String) -> Result<SubjectsPage, Fault> {
    let view = site_view(call, &site).await?;
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
        target: FormTarget::Preview { site },
    })
}

/// Runs the subject step's rule as the site's candidates meet it (the no-JS confirmation
/// first, as theirs); stores nothing and takes no seat.
pub async fn check_subjects(call: &Call, site: String, form: SubjectForm, confirmed: bool) -> Result<Next, Fault> {
    let view = site_view(call, &site).await?;
    let offer = offer_for(std::slice::from_ref(&view), &form.site, &[], view.needs);
    form.parse(&call.ctx(), &offer).map_err(AppError::Invalid)?;
    if !confirmed {
        return Err(AppError::ConfirmFirst.into());
    }
    done(&site)
}
