//! Database queries of the registration flow. Handlers call these, never sea-orm directly,
//! so each statement that matters for correctness has one home.

use crate::server::entity::{
    enrolment, exam_batch, exam_room, exam_session, exam_site, notice, offered_subject, placement, province,
    registration, site_offering, subject,
};
use crate::server::staff::arrangement::Placed;
use crate::validation::info::ValidInfo;
use crate::views::journey::SubjectLine;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashMap;

/// The exam session open for registration (the newest) and its province.
#[derive(Debug, Clone)]
pub struct OpenSession {
    pub session: exam_session::Model,
    pub province: province::Model,
    pub sites: Vec<Site>,
    /// The session's notices, newest first.
    pub notices: Vec<notice::Model>,
}

/// One site's registration in the session: window, maximum, and the subjects with fee and
/// seats left, in the order of the catalogue (level, then code).
#[derive(Debug, Clone)]
pub struct Site {
    pub offering: site_offering::Model,
    pub site: exam_site::Model,
    pub subjects: Vec<(offered_subject::Model, subject::Model)>,
}

impl Site {
    /// `(659028)新疆应用职业技术学院`: the site as every page names it.
    pub fn label(&self) -> String {
        format!("({}){}", self.site.code, self.site.name)
    }
}

impl OpenSession {
    pub fn site(&self, code: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.site.code == code)
    }

    /// The notices a candidate at `site_code` (or none yet) sees at `now`: 考试通告 (no
    /// site) first, then the site's, each newest first; one whose publish time is still to
    /// come is not shown yet.
    pub fn notices_for(&self, site_code: Option<&str>, now: DateTime<Utc>) -> Vec<&notice::Model> {
        let out = self.notices.iter().filter(|n| n.published_at <= now);
        let (general, site): (Vec<_>, Vec<_>) = out.partition(|n| n.site_code.is_none());
        general.into_iter().chain(site.into_iter().filter(|n| n.site_code.as_deref() == site_code)).collect()
    }

    /// The offered subject behind an enrolment, with its site.
    pub fn offered(&self, offered_subject_id: i32) -> Option<(&Site, &offered_subject::Model, &subject::Model)> {
        self.sites
            .iter()
            .find_map(|site| site.subjects.iter().find(|(o, _)| o.id == offered_subject_id).map(|(o, s)| (site, o, s)))
    }

    /// A held or ordered subject as the tables show it, at the fee it was taken at; one the
    /// session no longer offers shows its code only.
    pub fn line(&self, offered_subject_id: i32, code: &str, fee_fen: i64) -> SubjectLine {
        match self.offered(offered_subject_id) {
            Some((_, _, subj)) => {
                SubjectLine::new(u8::try_from(subj.level).unwrap_or(0), &subj.code, &subj.name, fee_fen)
            }
            None => SubjectLine::unknown(code, Some(fee_fen)),
        }
    }
}

pub async fn open_session(db: &impl ConnectionTrait) -> Result<Option<OpenSession>, DbErr> {
    let Some(session) = exam_session::Entity::find().order_by_desc(exam_session::Column::Number).one(db).await? else {
        return Ok(None);
    };
    let Some(province) = province::Entity::find_by_id(session.province_code.clone()).one(db).await? else {
        return Ok(None);
    };
    let offerings = site_offering::Entity::find()
        .filter(site_offering::Column::SessionId.eq(session.id))
        .order_by_asc(site_offering::Column::SiteCode)
        .all(db)
        .await?;
    let ids: Vec<i32> = offerings.iter().map(|o| o.id).collect();
    let codes: Vec<String> = offerings.iter().map(|o| o.site_code.clone()).collect();
    let sites = exam_site::Entity::find().filter(exam_site::Column::Code.is_in(codes)).all(db).await?;
    let offered =
        offered_subject::Entity::find().filter(offered_subject::Column::OfferingId.is_in(ids)).all(db).await?;
    let catalogue = subject::Entity::find().all(db).await?;
    let notices = notice::Entity::find()
        .filter(notice::Column::SessionId.eq(session.id))
        .order_by_desc(notice::Column::PublishedAt)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(offerings.len());
    for offering in offerings {
        let Some(site) = sites.iter().find(|s| s.code == offering.site_code).cloned() else { continue };
        let mut subjects: Vec<(offered_subject::Model, subject::Model)> = offered
            .iter()
            .filter(|o| o.offering_id == offering.id)
            .filter_map(|o| catalogue.iter().find(|s| s.code == o.subject_code).map(|s| (o.clone(), s.clone())))
            .collect();
        subjects.sort_by(|a, b| (a.1.level, &a.1.code).cmp(&(b.1.level, &b.1.code)));
        out.push(Site { offering, site, subjects });
    }
    Ok(Some(OpenSession { session, province, sites: out, notices }))
}

pub async fn draft(
    db: &impl ConnectionTrait,
    pass_id: i32,
    session_id: i32,
) -> Result<Option<registration::Model>, DbErr> {
    registration::Entity::find()
        .filter(registration::Column::PassId.eq(pass_id))
        .filter(registration::Column::SessionId.eq(session_id))
        .one(db)
        .await
}

/// A registration's subjects, as a join: the entities declare no relation fields
/// (`belongs_to` is the builder that needs no `Related` impl; the join is the same either
/// way round).
fn to_enrolments() -> sea_orm::RelationDef {
    registration::Entity::belongs_to(enrolment::Entity)
        .from(registration::Column::Id)
        .to(enrolment::Column::RegistrationId)
        .into()
}

/// `draft` with the registration's enrolments (oldest first), in one query: the pages that
/// show both read them on every view.
pub async fn draft_with_enrolments(
    db: &impl ConnectionTrait,
    pass_id: i32,
    session_id: i32,
) -> Result<Option<(registration::Model, Vec<enrolment::Model>)>, DbErr> {
    let rows = registration::Entity::find()
        .filter(registration::Column::PassId.eq(pass_id))
        .filter(registration::Column::SessionId.eq(session_id))
        .join(sea_orm::JoinType::LeftJoin, to_enrolments())
        .select_also(enrolment::Entity)
        .order_by_asc(enrolment::Column::Id)
        .all(db)
        .await?;
    let mut rows = rows.into_iter();
    let Some((reg, first)) = rows.next() else { return Ok(None) };
    let enrolments = first.into_iter().chain(rows.filter_map(|(_, e)| e)).collect();
    Ok(Some((reg, enrolments)))
}

/// What `draft_with_seats` reads: the registration, its subjects in the order chosen, and
/// where each arranged one sits, by enrolment id.
pub type Seated = (registration::Model, Vec<enrolment::Model>, HashMap<i32, Placed>);

/// The registration, its subjects and their seats (placement, room, batch) in one read:
/// what every ticket download needs (the status page still reads the seats apart, with
/// `staff::arrangement::placed_of`, only when something is paid).
pub async fn draft_with_seats(
    db: &impl ConnectionTrait,
    pass_id: i32,
    session_id: i32,
) -> Result<Option<Seated>, DbErr> {
    let rows = registration::Entity::find()
        .filter(registration::Column::PassId.eq(pass_id))
        .filter(registration::Column::SessionId.eq(session_id))
        .join(sea_orm::JoinType::LeftJoin, to_enrolments())
        .select_also(enrolment::Entity)
        .find_also(enrolment::Entity, placement::Entity)
        .find_also(placement::Entity, exam_room::Entity)
        .find_also(placement::Entity, exam_batch::Entity)
        .order_by_asc(enrolment::Column::Id)
        .all(db)
        .await?;
    let mut rows = rows.into_iter().peekable();
    let Some(reg) = rows.peek().map(|(r, ..)| r.clone()) else { return Ok(None) };
    let mut enrolments = Vec::new();
    let mut placed = HashMap::new();
    for (_, e, p, room, batch) in rows {
        enrolments.extend(e);
        if let (Some(p), Some(room), Some(batch)) = (p, room, batch) {
            placed.extend(Placed::of(p, room, batch));
        }
    }
    Ok(Some((reg, enrolments, placed)))
}

/// Records the agreement, creating the draft if needed. Safe to repeat and to race: the
/// unique key (pass, exam session) makes a second insert an update.
pub async fn accept_agreement(
    db: &impl ConnectionTrait,
    pass_id: i32,
    session_id: i32,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let row = registration::ActiveModel {
        pass_id: Set(pass_id),
        session_id: Set(session_id),
        agreement_accepted_at: Set(Some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    registration::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([registration::Column::PassId, registration::Column::SessionId])
                .update_columns([registration::Column::AgreementAcceptedAt, registration::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn save_info(
    db: &impl ConnectionTrait,
    draft: registration::Model,
    info: &ValidInfo,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let (p, c, s) = (&info.personal, &info.contact, &info.school);
    let mut row: registration::ActiveModel = draft.into();
    row.gender = Set(Some(p.gender.code().to_owned()));
    row.birth_date = Set(chrono::NaiveDate::parse_from_str(&p.birth_date.to_string(), "%Y-%m-%d").ok());
    row.ethnicity = Set(Some(p.ethnicity.to_owned()));
    row.occupation = Set(Some(p.occupation.to_owned()));
    row.education = Set(Some(p.education.to_owned()));
    row.training_type = Set(Some(p.training_type.to_owned()));
    row.postcode = Set(c.postcode.as_ref().map(|x| x.as_str().to_owned()));
    row.address = Set(c.address.clone());
    row.contact_email = Set(c.email.as_ref().map(|x| x.as_str().to_owned()));
    row.department = Set(s.department.clone());
    row.major = Set(s.major.clone());
    row.class_name = Set(s.class_name.clone());
    row.student_no = Set(s.student_no.clone());
    row.personal_saved_at = Set(Some(now));
    row.updated_at = Set(now);
    row.update(db).await?;
    Ok(())
}

/// Records a new photo key; returns the key it replaced (to delete from the store).
pub async fn set_photo(
    db: &impl ConnectionTrait,
    registration_id: i32,
    key: &str,
    facts: Option<String>,
    now: DateTime<Utc>,
) -> Result<Option<String>, DbErr> {
    let old = registration::Entity::find_by_id(registration_id).one(db).await?.and_then(|r| r.photo_key);
    registration::Entity::update_many()
        .col_expr(registration::Column::PhotoKey, Expr::value(key))
        .col_expr(registration::Column::PhotoFacts, Expr::value(facts))
        .col_expr(registration::Column::PhotoSavedAt, Expr::value(now))
        .col_expr(registration::Column::UpdatedAt, Expr::value(now))
        .filter(registration::Column::Id.eq(registration_id))
        .exec(db)
        .await?;
    Ok(old)
}
