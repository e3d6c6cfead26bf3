//! The console's dashboard: for each site the account sees, in the open session, the
//! registrations started, the subjects chosen and paid, the seats left per subject, the
//! money received and the payments owed back. Every figure is counted from the rows
//! themselves (enrolments, payments) when the page is read, never from a counter kept on
//! the side: seats left are the capacity less the enrolments that hold a seat.

use super::session::StaffSignedIn;
use crate::server::entity::payment::Outcome;
use crate::server::entity::{
    enrolment, exam_session, offered_subject, payment, payment_order, registration, site_offering, subject,
};
use crate::views::staff::{Dashboard, SeatsLeft, SiteFigures};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// `CAST(… AS BIGINT)`: PostgreSQL sums a bigint column as numeric.
fn big(sql: &str) -> sea_orm::sea_query::SimpleExpr {
    Expr::cust(format!("CAST({sql} AS BIGINT)"))
}

pub async fn dashboard(
    db: &impl ConnectionTrait,
    who: &StaffSignedIn,
    session: &exam_session::Model,
) -> Result<Dashboard, DbErr> {
    let sites = super::visible_sites(db, who).await?;
    let codes: Vec<String> = sites.iter().map(|s| s.code.clone()).collect();
    // Registrations by the site they chose (none yet: no site).
    let by_site: HashMap<Option<String>, i64> = registration::Entity::find()
        .select_only()
        .column(registration::Column::SiteCode)
        .column_as(registration::Column::Id.count(), "n")
        .filter(registration::Column::SessionId.eq(session.id))
        .group_by(registration::Column::SiteCode)
        .into_tuple::<(Option<String>, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let offerings: Vec<site_offering::Model> = site_offering::Entity::find()
        .filter(site_offering::Column::SessionId.eq(session.id))
        .filter(site_offering::Column::SiteCode.is_in(codes.clone()))
        .all(db)
        .await?;
    let offered = offered_subject::Entity::find()
        .filter(offered_subject::Column::OfferingId.is_in(offerings.iter().map(|o| o.id)))
        .all(db)
        .await?;
    // Per offered subject: enrolments, and those paid.
    let held: HashMap<i32, (i64, i64)> = enrolment::Entity::find()
        .select_only()
        .column(enrolment::Column::OfferedSubjectId)
        .column_as(enrolment::Column::Id.count(), "n")
        .column_as(big("SUM(CASE WHEN paid_at IS NULL THEN 0 ELSE 1 END)"), "paid")
        .filter(enrolment::Column::OfferedSubjectId.is_in(offered.iter().map(|o| o.id)))
        .group_by(enrolment::Column::OfferedSubjectId)
        .into_tuple::<(i32, i64, i64)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, n, paid)| (id, (n, paid)))
        .collect();
    // Payments by the site of their registration and their outcome.
    let money: Vec<(Option<String>, Outcome, i64, i64)> = payment::Entity::find()
        .select_only()
        .column(registration::Column::SiteCode)
        .column(payment::Column::Outcome)
        .column_as(payment::Column::Id.count(), "n")
        .column_as(big("COALESCE(SUM(payment.amount_fen), 0)"), "fen")
        .join(
            JoinType::InnerJoin,
            payment::Entity::belongs_to(payment_order::Entity)
                .from(payment::Column::OrderId)
                .to(payment_order::Column::Id)
                .into(),
        )
        .join(
            JoinType::InnerJoin,
            payment_order::Entity::belongs_to(registration::Entity)
                .from(payment_order::Column::RegistrationId)
                .to(registration::Column::Id)
                .into(),
        )
        .filter(registration::Column::SessionId.eq(session.id))
        .group_by(registration::Column::SiteCode)
        .group_by(payment::Column::Outcome)
        .into_tuple()
        .all(db)
        .await?;
    let catalogue = subject::Entity::find().all(db).await?;
    let figures = sites
        .iter()
        .map(|site| {
            let offering = offerings.iter().find(|o| o.site_code == site.code);
            let mut seats: Vec<SeatsLeft> = offered
                .iter()
                .filter(|o| offering.is_some_and(|x| x.id == o.offering_id))
                .map(|o| {
                    let (n, paid) = held.get(&o.id).copied().unwrap_or((0, 0));
                    let subj = catalogue.iter().find(|s| s.code == o.subject_code);
                    SeatsLeft {
                        level: subj.map_or(0, |s| u8::try_from(s.level).unwrap_or(0)),
                        code: o.subject_code.clone(),
                        name: subj.map(|s| s.name.clone()).unwrap_or_default(),
                        capacity: o.capacity,
                        chosen: n,
                        paid,
                        left: i64::from(o.capacity) - n,
                    }
                })
                .collect();
            seats.sort_by(|a, b| (a.level, &a.code).cmp(&(b.level, &b.code)));
            let at = |outcome: Outcome| {
                money
                    .iter()
                    .filter(|(s, o, _, _)| s.as_deref() == Some(site.code.as_str()) && *o == outcome)
                    .fold((0, 0), |(n, fen), (_, _, k, f)| (n + k, fen + f))
            };
            SiteFigures {
                code: site.code.clone(),
                name: site.name.clone(),
                registrations: by_site.get(&Some(site.code.clone())).copied().unwrap_or(0),
                chosen: seats.iter().map(|s| s.chosen).sum(),
                paid: seats.iter().map(|s| s.paid).sum(),
                received_fen: at(Outcome::Applied).1,
                refund_due: at(Outcome::RefundDue).0,
                seats,
            }
        })
        .collect();
    Ok(Dashboard {
        session: super::config::session_title(session),
        // Registrations that have not chosen a site yet belong to no site: the province's.
        unsited: match who.staff.role {
            crate::server::entity::staff::Role::Province => Some(by_site.get(&None).copied().unwrap_or(0)),
            crate::server::entity::staff::Role::Site => None,
        },
        sites: figures,
    })
}
