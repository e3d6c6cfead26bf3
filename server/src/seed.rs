//! Demo reference data from `seed/demo.json`: session 第75次, province 65, three sites (two
//! open from a day before seeding, one opening 30 days after), their subjects with fees and
//! capacities, and notices. Loading twice inserts nothing the second time.

use app::server::entity::{exam_session, exam_site, notice, offered_subject, province, site_offering, subject};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    TransactionTrait,
};
use serde::Deserialize;

const DEMO: &str = include_str!("../seed/demo.json");

#[derive(Deserialize)]
struct Seed {
    provinces: Vec<Province>,
    subjects: Vec<Subject>,
    sessions: Vec<Session>,
    sites: Vec<Site>,
    offerings: Vec<Offering>,
    #[serde(default)]
    notices: Vec<Notice>,
}

#[derive(Deserialize)]
struct Notice {
    slug: String,
    session: i32,
    site: Option<String>,
    title: String,
    body: String,
}

#[derive(Deserialize)]
struct Province {
    code: String,
    name: String,
}

#[derive(Deserialize)]
struct Subject {
    code: String,
    level: i16,
    name: String,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct Session {
    number: i32,
    name: String,
    province_code: String,
    ticket_print_starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    exam_first_day: Option<NaiveDate>,
    #[serde(default)]
    exam_last_day: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct Site {
    code: String,
    name: String,
    province_code: String,
    allows_self_print: bool,
}

#[derive(Deserialize)]
struct Offering {
    session: i32,
    site: String,
    open_days_before_seeding: i64,
    close_days_after_seeding: i64,
    max_subjects: i16,
    subjects: Vec<OfferedSubject>,
}

#[derive(Deserialize)]
struct OfferedSubject {
    code: String,
    fee_yuan: i64,
    capacity: i32,
}

/// Inserts the demo data not yet present; returns how many rows were inserted.
pub async fn load_demo(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let seed: Seed = serde_json::from_str(DEMO).map_err(|e| DbErr::Custom(format!("seed/demo.json: {e}")))?;
    let txn = db.begin().await?;
    let mut inserted = 0;
    for p in seed.provinces {
        let row = province::ActiveModel { code: Set(p.code), name: Set(p.name) };
        inserted +=
            insert_new(&txn, province::Entity::insert(row).on_conflict(nothing(province::Column::Code))).await?;
    }
    for s in seed.subjects {
        let row = subject::ActiveModel {
            code: Set(s.code),
            level: Set(s.level),
            name: Set(s.name),
            valid_from: Set(s.valid_from),
            valid_to: Set(s.valid_to),
        };
        inserted += insert_new(&txn, subject::Entity::insert(row).on_conflict(nothing(subject::Column::Code))).await?;
    }
    for s in seed.sessions {
        let row = exam_session::ActiveModel {
            number: Set(s.number),
            name: Set(s.name),
            province_code: Set(s.province_code),
            ticket_print_starts_at: Set(s.ticket_print_starts_at),
            exam_first_day: Set(s.exam_first_day),
            exam_last_day: Set(s.exam_last_day),
            ..Default::default()
        };
        inserted +=
            insert_new(&txn, exam_session::Entity::insert(row).on_conflict(nothing(exam_session::Column::Number)))
                .await?;
    }
    for s in seed.sites {
        let row = exam_site::ActiveModel {
            code: Set(s.code),
            name: Set(s.name),
            province_code: Set(s.province_code),
            allows_self_print: Set(s.allows_self_print),
            ..Default::default()
        };
        inserted +=
            insert_new(&txn, exam_site::Entity::insert(row).on_conflict(nothing(exam_site::Column::Code))).await?;
    }
    for o in seed.offerings {
        let session = exam_session::Entity::find()
            .filter(exam_session::Column::Number.eq(o.session))
            .one(&txn)
            .await?
            .ok_or_else(|| DbErr::Custom(format!("seed: no session {}", o.session)))?;
        let row = site_offering::ActiveModel {
            session_id: Set(session.id),
            site_code: Set(o.site.clone()),
            window_opens_at: Set(now - Duration::days(o.open_days_before_seeding)),
            window_closes_at: Set(now + Duration::days(o.close_days_after_seeding)),
            max_subjects: Set(o.max_subjects),
            ..Default::default()
        };
        inserted += insert_new(
            &txn,
            site_offering::Entity::insert(row).on_conflict(
                OnConflict::columns([site_offering::Column::SessionId, site_offering::Column::SiteCode])
                    .do_nothing()
                    .to_owned(),
            ),
        )
        .await?;
        let offering = site_offering::Entity::find()
            .filter(site_offering::Column::SessionId.eq(session.id))
            .filter(site_offering::Column::SiteCode.eq(o.site))
            .one(&txn)
            .await?
            .ok_or_else(|| DbErr::Custom("seed: offering vanished".into()))?;
        for s in o.subjects {
            let row = offered_subject::ActiveModel {
                offering_id: Set(offering.id),
                subject_code: Set(s.code),
                fee_fen: Set(s.fee_yuan * 100),
                capacity: Set(s.capacity),
                remaining: Set(s.capacity),
                ..Default::default()
            };
            inserted += insert_new(
                &txn,
                offered_subject::Entity::insert(row).on_conflict(
                    OnConflict::columns([offered_subject::Column::OfferingId, offered_subject::Column::SubjectCode])
                        .do_nothing()
                        .to_owned(),
                ),
            )
            .await?;
        }
    }
    for n in seed.notices {
        let Some(session) =
            exam_session::Entity::find().filter(exam_session::Column::Number.eq(n.session)).one(&txn).await?
        else {
            return Err(DbErr::Custom(format!("seed: no session {}", n.session)));
        };
        let row = notice::ActiveModel {
            slug: Set(n.slug),
            session_id: Set(session.id),
            site_code: Set(n.site),
            title: Set(n.title),
            body: Set(n.body),
            published_at: Set(now),
            ..Default::default()
        };
        inserted += insert_new(&txn, notice::Entity::insert(row).on_conflict(nothing(notice::Column::Slug))).await?;
    }
    txn.commit().await?;
    Ok(inserted)
}

fn nothing(col: impl sea_orm::sea_query::IntoIden) -> OnConflict {
    OnConflict::column(col).do_nothing().to_owned()
}

async fn insert_new<A>(db: &impl ConnectionTrait, insert: sea_orm::Insert<A>) -> Result<u64, DbErr>
where
    A: sea_orm::ActiveModelTrait,
{
    insert.exec_without_returning(db).await
}

/// `n` signed-up, verified passes each with a registration that has passed the information
/// step, for the contention tests and the seat benchmark: written directly, because hashing
/// thousands of passwords is not what they measure. Returns the registrations' ids.
pub async fn load_candidates(db: &DatabaseConnection, n: usize, now: DateTime<Utc>) -> Result<Vec<i32>, DbErr> {
    use app::server::entity::{pass, registration};
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let passes = chunk.iter().map(|i| pass::ActiveModel {
            email: Set(format!("load-{i}@example.com")),
            email_key: Set(format!("load-{i}@example.com")),
            email_verified_at: Set(Some(now)),
            password_hash: Set("-".into()),
            doc_type: Set("resident_id".into()),
            doc_number: Set("-".into()),
            doc_number_hash: Set(format!("{i:064}")),
            name: Set("张三".into()),
            neea_id: Set(format!("{i:032X}")),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        pass::Entity::insert_many(passes).exec(db).await?;
    }
    registrations_for_every_pass(db, now).await?;
    Ok(registration::Entity::find().all(db).await?.into_iter().map(|r| r.id).collect())
}

/// A draft registration (agreement accepted, information saved, no subject) in the open
/// session for every pass that has none. Returns how many were added.
pub async fn registrations_for_every_pass(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<u64, DbErr> {
    use app::server::entity::{pass, registration};
    use std::collections::HashSet;
    let session = app::server::journey::repo::open_session(db)
        .await?
        .ok_or_else(|| DbErr::Custom("load: no open exam session (seed the demo first)".into()))?
        .session
        .id;
    let registered: HashSet<i32> = registration::Entity::find().all(db).await?.into_iter().map(|r| r.pass_id).collect();
    let ids: Vec<i32> =
        pass::Entity::find().all(db).await?.into_iter().map(|p| p.id).filter(|id| !registered.contains(id)).collect();
    for chunk in ids.chunks(500) {
        let rows = chunk.iter().map(|&pass_id| registration::ActiveModel {
            pass_id: Set(pass_id),
            session_id: Set(session),
            agreement_accepted_at: Set(Some(now)),
            personal_saved_at: Set(Some(now)),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        });
        registration::Entity::insert_many(rows).exec(db).await?;
    }
    Ok(ids.len() as u64)
}

/// The `i`th flow candidate's 居民身份证 number: province 11, a district made of `i / 500`,
/// born 1990-01-01, an odd (male) sequence made of `i % 500`, the GB 11643 check character
/// (ISO 7064 MOD 11-2). Distinct for every `i` below 5,000,000.
pub fn flow_resident_id(i: usize) -> String {
    let body = format!("11{:04}19900101{:03}", (i / 500) % 10_000, (i % 500) * 2 + 1);
    let check = app::domain::national_id::mod11_2_check(body.as_bytes()).unwrap_or('0');
    format!("{body}{check}")
}

/// `n` verified passes `flow-<i>@example.com` (0 ≤ i < n) sharing one password hash, each with
/// its sealed document number (`flow_resident_id`), for the flow benchmark's candidates, who
/// sign in and walk the journey over HTTP. Existing ones are left as they are. Returns how
/// many were added.
pub async fn load_passes(
    db: &DatabaseConnection,
    key: &app::server::crypto::DataKey,
    n: usize,
    password_hash: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use app::server::entity::pass;
    use app::server::passes::{new_neea_id, DOC_NUMBER_PURPOSE};
    let mut added = 0;
    for chunk in (0..n).collect::<Vec<_>>().chunks(500) {
        let mut rows = Vec::with_capacity(chunk.len());
        for &i in chunk {
            let email = format!("flow-{i}@example.com");
            let number = flow_resident_id(i);
            rows.push(pass::ActiveModel {
                email: Set(email.clone()),
                email_key: Set(app::server::passes::email_key(&email)),
                email_verified_at: Set(Some(now)),
                password_hash: Set(password_hash.to_owned()),
                doc_type: Set("resident_id".into()),
                doc_number: Set(key.seal(DOC_NUMBER_PURPOSE, &number).map_err(|e| DbErr::Custom(e.to_string()))?),
                doc_number_hash: Set(key.lookup_hash("resident_id", &number)),
                doc_masked_hash: Set(key.masked_hash(&number)),
                name: Set("张三".into()),
                neea_id: Set(new_neea_id().map_err(|e| DbErr::Custom(e.to_string()))?),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
        }
        added += pass::Entity::insert_many(rows)
            .on_conflict(nothing(pass::Column::EmailKey))
            .exec_without_returning(db)
            .await?;
    }
    Ok(added)
}

/// A demo console account (development only: its password and TOTP secret are in this
/// public file; `scripts/run` prints them).
pub struct DemoStaff {
    pub email: &'static str,
    pub name: &'static str,
    pub province: bool,
    pub sites: &'static [&'static str],
    /// Base32, already enrolled: the sign-in asks for its code at once.
    pub totp_secret: &'static str,
}

pub const DEMO_STAFF_PASSWORD: &str = "Demo-Staff-2026";

pub const DEMO_STAFF: [DemoStaff; 2] = [
    DemoStaff {
        email: "province@ncre.example",
        name: "省考试院管理员",
        province: true,
        sites: &[],
        totp_secret: "NCREDEMOPROVINCEADMINSECRETKEYAB",
    },
    DemoStaff {
        email: "site650101@ncre.example",
        name: "新疆大学考点老师",
        province: false,
        sites: &["650101"],
        totp_secret: "NCREDEMOSITESTAFFSECRETKEYABCDEF",
    },
];

/// The demo console accounts of province 65, with their password set and their
/// authenticator enrolled. Existing ones are left as they are. Returns how many were added.
pub async fn load_demo_staff(
    db: &DatabaseConnection,
    key: &app::server::crypto::DataKey,
    now: DateTime<Utc>,
) -> Result<u64, Box<dyn std::error::Error>> {
    use app::server::entity::staff::{self, Role};
    use app::server::staff::{self as accounts, Created, NewStaff, TOTP_PURPOSE};
    let hash = app::server::passes::password::Passwords::new(1, Default::default())
        .hash(DEMO_STAFF_PASSWORD.to_owned().into())
        .await?;
    let mut added = 0;
    for demo in &DEMO_STAFF {
        let new = NewStaff {
            email: demo.email.into(),
            name: demo.name.into(),
            role: if demo.province { Role::Province } else { Role::Site },
            province_code: "65".into(),
            sites: demo.sites.iter().map(|s| (*s).to_owned()).collect(),
        };
        let Created::Created(row) = accounts::create(db, &new, now, Vec::new()).await? else { continue };
        sea_orm::ActiveModelTrait::update(
            staff::ActiveModel {
                id: Set(row.id),
                password_hash: Set(Some(hash.clone())),
                totp_secret: Set(Some(key.seal(TOTP_PURPOSE, demo.totp_secret)?)),
                totp_confirmed_at: Set(Some(now)),
                ..Default::default()
            },
            db,
        )
        .await?;
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::flow_resident_id;
    use app::domain::date::Date;
    use app::domain::national_id::parse_resident_id;
    use app::domain::Gender;

    #[test]
    fn flow_candidates_have_valid_distinct_male_numbers_born_1990_01_01() {
        let today = Date::new(2026, 12, 2).unwrap();
        let mut seen = std::collections::HashSet::new();
        for i in (0..3000).chain([4_999_999]) {
            let number = flow_resident_id(i);
            let encoded = parse_resident_id(&number, today).unwrap_or_else(|e| panic!("{number}: {e:?}"));
            assert_eq!(encoded.birth_date, Date::new(1990, 1, 1).unwrap());
            assert_eq!(encoded.gender, Gender::Male);
            assert!(seen.insert(number), "number {i} repeats");
        }
    }
}
