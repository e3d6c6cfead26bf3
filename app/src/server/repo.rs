//! Database queries of the registration flow. Handlers call these, never sea-orm directly,
//! so each statement that matters for correctness has one home.

use super::crypto::DataKey;
use super::entity::{exam_session, exam_site, province, registration, site_offering};
use crate::validation::identity::ValidIdentity;
use crate::validation::FieldNote;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

/// The session open for registration and the site a candidate registers at. One session and
/// one site for now; the site chooser of the information step replaces the site part.
#[derive(Debug, Clone)]
pub struct Offering {
    pub session: exam_session::Model,
    pub province: province::Model,
    pub site: exam_site::Model,
    pub offering: site_offering::Model,
}

pub async fn current_offering(db: &impl ConnectionTrait) -> Result<Option<Offering>, DbErr> {
    let Some(session) = exam_session::Entity::find().order_by_desc(exam_session::Column::Number).one(db).await? else {
        return Ok(None);
    };
    let Some(offering) = site_offering::Entity::find()
        .filter(site_offering::Column::SessionId.eq(session.id))
        .order_by_asc(site_offering::Column::Id)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let site = exam_site::Entity::find_by_id(offering.site_code.clone()).one(db).await?;
    let province = province::Entity::find_by_id(session.province_code.clone()).one(db).await?;
    Ok(match (site, province) {
        (Some(site), Some(province)) => Some(Offering { session, province, site, offering }),
        _ => None,
    })
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

/// Purpose bound into sealed document numbers of registrations.
pub const DOC_NUMBER_PURPOSE: &str = "registration.doc_number";

pub async fn save_identity(
    db: &impl ConnectionTrait,
    key: &DataKey,
    draft: registration::Model,
    identity: &ValidIdentity,
    notes: &[FieldNote],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let notes = serde_json::to_string(notes).map_err(|e| DbErr::Custom(e.to_string()))?;
    let mut row: registration::ActiveModel = draft.into();
    row.doc_type = Set(Some(identity.number.doc_type().code().to_owned()));
    let doc_type = identity.number.doc_type().code();
    let sealed = key.seal(DOC_NUMBER_PURPOSE, identity.number.expose()).map_err(|e| DbErr::Custom(e.to_string()))?;
    row.doc_number = Set(Some(sealed));
    row.doc_number_hash = Set(Some(key.lookup_hash(doc_type, identity.number.expose())));
    row.name = Set(Some(identity.name.as_str().to_owned()));
    row.identity_notes = Set(Some(notes));
    row.updated_at = Set(now);
    row.update(db).await?;
    Ok(())
}
