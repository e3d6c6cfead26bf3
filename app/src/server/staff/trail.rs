//! 操作记录: the audit trail as staff read it, newest first, a page at a time, filtered by
//! site, person and kind. A site account reads its own sites' entries; a provincial admin
//! its province's sites' and those of no site (the session, the province's notices).

use super::session::StaffSignedIn;
use crate::server::call::Call;
use crate::server::clock::to_beijing;
use crate::server::entity::audit_event::{self, ActorKind};
use crate::server::entity::staff::Role;
use crate::server::fault::Fault;
use crate::views::staff::{AuditActor, AuditKind, AuditPage, AuditQuery, AuditRow, StaffSite};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Entries on one page.
pub const PAGE: u64 = 50;

fn visible(who: &StaffSignedIn) -> Condition {
    match who.staff.role {
        Role::Province => Condition::any()
            .add(audit_event::Column::SiteCode.is_null())
            .add(audit_event::Column::SiteCode.starts_with(who.staff.province_code.as_str())),
        Role::Site => Condition::all().add(audit_event::Column::SiteCode.is_in(who.sites.iter().cloned())),
    }
}

pub(super) fn row(e: audit_event::Model) -> AuditRow {
    AuditRow {
        id: e.id,
        at: to_beijing(e.at),
        actor_kind: match e.actor_kind {
            ActorKind::Staff => AuditActor::Staff,
            ActorKind::Candidate => AuditActor::Candidate,
            ActorKind::System => AuditActor::System,
        },
        actor: e.actor,
        address: e.address,
        site: e.site_code,
        kind: AuditKind::from_code(&e.kind),
        target: e.target,
        before: e.before,
        after: e.after,
    }
}

pub async fn audit_page(call: &Call, query: AuditQuery) -> Result<AuditPage, Fault> {
    let who = call.staff().await?;
    let query = AuditQuery {
        site: query.site.trim().to_owned(),
        actor: query.actor.trim().to_owned(),
        kind: query.kind.trim().to_owned(),
        before: query.before,
    };
    if !query.site.is_empty() {
        who.require_site(&query.site)?;
    }
    let db = call.state.db.read();
    let mut q = audit_event::Entity::find().filter(visible(&who));
    if !query.site.is_empty() {
        q = q.filter(audit_event::Column::SiteCode.eq(query.site.as_str()));
    }
    if !query.actor.is_empty() {
        q = q.filter(audit_event::Column::Actor.eq(query.actor.as_str()));
    }
    if !query.kind.is_empty() {
        // An unknown kind matches nothing rather than everything.
        q = q.filter(audit_event::Column::Kind.eq(query.kind.as_str()));
    }
    if let Some(before) = query.before {
        q = q.filter(audit_event::Column::Id.lt(before));
    }
    let mut rows = q.order_by_desc(audit_event::Column::Id).limit(PAGE + 1).all(db).await?;
    let older = if rows.len() as u64 > PAGE {
        rows.truncate(usize::try_from(PAGE).unwrap_or(50));
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let sites = super::visible_sites(db, &who).await?;
    Ok(AuditPage {
        query,
        rows: rows.into_iter().map(row).collect(),
        older,
        sites: sites.into_iter().map(|s| StaffSite { code: s.code, name: s.name }).collect(),
    })
}
