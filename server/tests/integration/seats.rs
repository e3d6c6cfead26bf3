//! Seats under contention (REGISTRATION.md rule 3): thousands of claims at once for a few
//! seats, a cancel racing a claim for the last seat, the same choice sent twice at once.
//! Afterwards every counter equals capacity minus enrolments, and none is negative.

use crate::helpers::{counters_agree, run, spawn_app, TestApp};
use app::server::entity::{enrolment, offered_subject, order_item, registration};
use app::server::payment::orders::{self, Start};
use app::server::seats::{self, Choice, Claim, SeatError};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use std::sync::Arc;

/// `n` registrations of `n` passes (`seed::load_candidates`), returning their ids.
async fn registrations(app: &TestApp, n: usize) -> Vec<i32> {
    server::seed::load_candidates(&app.db, n, app.clock.now()).await.unwrap()
}

/// The registration's holdings version now.
async fn version_of(app: &TestApp, registration_id: i32) -> i32 {
    registration::Entity::find_by_id(registration_id).one(&app.db).await.unwrap().map_or(-1, |r| r.holdings_version)
}

/// A choice at site 650101 confirmed against holdings `version`.
fn choice_at(
    registration_id: i32,
    version: i32,
    cancelled: &[enrolment::Model],
    added: &[Claim],
    now: chrono::DateTime<chrono::Utc>,
) -> Choice {
    Choice {
        registration_id,
        site_code: "650101".into(),
        cancelled: cancelled.to_vec(),
        added: added.to_vec(),
        now,
        version,
        audit: Vec::new(),
    }
}

/// Applies a choice at site 650101 through the app's seat desk (what 确定 does), confirmed
/// against the registration's holdings as they are now.
async fn choose(
    app: &TestApp,
    registration_id: i32,
    cancelled: &[enrolment::Model],
    added: &[Claim],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), SeatError> {
    let version = version_of(app, registration_id).await;
    app.seats.apply(choice_at(registration_id, version, cancelled, added, now)).await
}

/// Subject `code` at site 650101, its capacity (and remaining) set to `seats`.
async fn subject_with(app: &TestApp, code: &str, seats: i32) -> (Claim, i32) {
    let session = app::server::journey::repo::open_session(&app.db).await.unwrap().unwrap();
    let site = session.site("650101").unwrap();
    let (offered, _) = site.subjects.iter().find(|(_, s)| s.code == code).unwrap();
    let mut row: offered_subject::ActiveModel = offered.clone().into();
    row.capacity = Set(seats);
    row.remaining = Set(seats);
    row.update(&app.db).await.unwrap();
    (Claim { offered_subject_id: offered.id, subject_code: code.into(), fee_fen: offered.fee_fen }, offered.id)
}

#[test]
fn two_thousand_claims_for_a_hundred_seats() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 2_000).await;
        let (claim, offered_id) = subject_with(&app, "36", 100).await;
        let now = app.clock.now();
        let tasks: Vec<_> = regs
            .into_iter()
            .map(|reg| {
                let (app, claim) = (app.clone(), claim.clone());
                tokio::spawn(async move { choose(&app, reg, &[], &[claim], now).await })
            })
            .collect();
        let (mut won, mut full) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => won += 1,
                Err(SeatError::Full { subject_code }) => {
                    assert_eq!(subject_code, "36");
                    full += 1
                }
                Err(e) => panic!("a claim failed instead of winning or being told it is full: {e:?}"),
            }
        }
        assert_eq!((won, full), (100, 1_900));
        let o = offered_subject::Entity::find_by_id(offered_id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(o.remaining, 0);
        counters_agree(&app).await;
    })
}

#[test]
fn a_cancel_racing_a_claim_for_the_last_seat() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 2).await;
        let (a, b) = (regs[0], regs[1]);
        let (claim, offered_id) = subject_with(&app, "42", 1).await;
        for round in 0..20 {
            let now = app.clock.now();
            choose(&app, a, &[], std::slice::from_ref(&claim), now).await.unwrap();
            let held = enrolment::Entity::find()
                .filter(enrolment::Column::RegistrationId.eq(a))
                .one(&app.db)
                .await
                .unwrap()
                .unwrap();
            let cancel = {
                let app = app.clone();
                tokio::spawn(async move { choose(&app, a, &[held], &[], now).await })
            };
            let grab = {
                let (app, claim) = (app.clone(), claim.clone());
                tokio::spawn(async move { choose(&app, b, &[], &[claim], now).await })
            };
            cancel.await.unwrap().unwrap();
            match grab.await.unwrap() {
                Ok(()) | Err(SeatError::Full { .. }) => {}
                Err(e) => panic!("round {round}: {e:?}"),
            }
            counters_agree(&app).await;
            // Give B's seat (if any) back for the next round.
            if let Some(e) =
                enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(b)).one(&app.db).await.unwrap()
            {
                choose(&app, b, &[e], &[], now).await.unwrap();
            }
            let o = offered_subject::Entity::find_by_id(offered_id).one(&app.db).await.unwrap().unwrap();
            assert_eq!(o.remaining, 1, "round {round}");
        }
    })
}

#[test]
fn the_same_choice_from_two_tabs_is_one_enrolment() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let reg = registrations(&app, 1).await[0];
        let (claim, offered_id) = subject_with(&app, "24", 50).await;
        let now = app.clock.now();
        // Both tabs confirmed against the same holdings.
        let version = version_of(&app, reg).await;
        let tabs: Vec<_> = (0..10)
            .map(|_| {
                let (app, claim) = (app.clone(), claim.clone());
                tokio::spawn(async move { app.seats.apply(choice_at(reg, version, &[], &[claim], now)).await })
            })
            .collect();
        let (mut applied, mut stale) = (0, 0);
        for t in tabs {
            match t.await.unwrap() {
                Ok(()) => applied += 1,
                Err(SeatError::Stale) => stale += 1,
                Err(e) => panic!("{e:?}"),
            }
        }
        assert_eq!((applied, stale), (1, 9));
        let held = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(reg)).count(&app.db).await;
        assert_eq!(held.unwrap(), 1);
        let o = offered_subject::Entity::find_by_id(offered_id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(o.remaining, 49);
        counters_agree(&app).await;
    })
}

/// Subject `code` offered at `site`, as a claim.
async fn offered_at(app: &TestApp, site: &str, code: &str) -> Claim {
    let session = app::server::journey::repo::open_session(&app.db).await.unwrap().unwrap();
    let (o, _) = session.site(site).unwrap().subjects.iter().find(|(_, s)| s.code == code).unwrap().clone();
    Claim { offered_subject_id: o.id, subject_code: code.into(), fee_fen: o.fee_fen }
}

#[test]
fn two_tabs_choosing_different_sites_leave_one_site() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 40).await;
        let here = offered_at(&app, "650101", "15").await;
        let there = offered_at(&app, "659028", "15").await;
        let now = app.clock.now();
        let mut tasks = Vec::new();
        for &reg in &regs {
            let version = version_of(&app, reg).await;
            for (site, claim) in [("650101", here.clone()), ("659028", there.clone())] {
                let app = app.clone();
                let choice = Choice {
                    registration_id: reg,
                    site_code: site.into(),
                    cancelled: Vec::new(),
                    added: vec![claim],
                    now,
                    version,
                    audit: Vec::new(),
                };
                tasks.push(tokio::spawn(async move { app.seats.apply(choice).await }));
            }
        }
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) | Err(SeatError::Stale) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        for &reg in &regs {
            let held = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(reg)).all(&app.db);
            let held = held.await.unwrap();
            assert_eq!(held.len(), 1, "one of the two tabs applied");
            let site = registration::Entity::find_by_id(reg).one(&app.db).await.unwrap().unwrap().site_code;
            let expected = if held[0].offered_subject_id == here.offered_subject_id { "650101" } else { "659028" };
            assert_eq!(site.as_deref(), Some(expected), "the site is the held subject's");
        }
        counters_agree(&app).await;
    })
}

#[test]
fn a_choice_racing_a_payment_start_never_changes_a_locked_registration() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 40).await;
        let (first, _) = subject_with(&app, "14", 100).await;
        let (second, _) = subject_with(&app, "24", 100).await;
        let now = app.clock.now();
        for &reg in &regs {
            choose(&app, reg, &[], std::slice::from_ref(&first), now).await.unwrap();
        }
        let mut tasks = Vec::new();
        for &reg in &regs {
            let version = version_of(&app, reg).await;
            let (a, b, claim) = (app.clone(), app.clone(), second.clone());
            let choice = choice_at(reg, version, &[], &[claim], now);
            tasks.push(tokio::spawn(async move {
                let (applied, started) = tokio::join!(a.seats.apply(choice), orders::start(&b.db, reg, 1, "65", now));
                (reg, applied, started.unwrap())
            }));
        }
        for t in tasks {
            let (reg, applied, started) = t.await.unwrap();
            let Start::Created(order) = started else { panic!("an order for what is held: {started:?}") };
            let items = order_item::Entity::find().filter(order_item::Column::OrderId.eq(order.id));
            let locked = items.all(&app.db).await.unwrap();
            let held = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(reg)).count(&app.db);
            let held = held.await.unwrap() as usize;
            match applied {
                // Before the lock: the payment covers both subjects.
                Ok(()) => assert_eq!((locked.len(), held), (2, 2)),
                // After it: refused, and the payment covers exactly what is held.
                Err(SeatError::Stale) => assert_eq!((locked.len(), held), (1, 1)),
                Err(e) => panic!("{e:?}"),
            }
        }
        counters_agree(&app).await;
    })
}

#[test]
fn unpaid_subjects_are_released_after_24_hours_exactly_once() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 3).await;
        let (claim, offered_id) = subject_with(&app, "15", 10).await;
        let t0 = app.clock.now();
        for &reg in &regs {
            choose(&app, reg, &[], std::slice::from_ref(&claim), t0).await.unwrap();
        }
        // One registration is in payment (an order open), one subject is paid: neither goes.
        let started = orders::start(&app.db, regs[1], 1, "65", t0).await.unwrap();
        assert!(matches!(started, Start::Created(_)), "{started:?}");
        let paid = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(regs[2])).one(&app.db);
        let mut paid: enrolment::ActiveModel = paid.await.unwrap().unwrap().into();
        paid.paid_at = Set(Some(t0));
        paid.update(&app.db).await.unwrap();

        let sweep = |at| {
            let app = app.clone();
            async move { app::server::seats::sweeper::sweep(&app.db, at, 2).await.unwrap() }
        };
        let hold = chrono::Duration::hours(24);
        assert_eq!(sweep(t0 + hold - chrono::Duration::seconds(1)).await.released, 0, "a second early");
        // Two servers sweeping at once release the one expired subject once.
        let (a, b) = tokio::join!(sweep(t0 + hold), sweep(t0 + hold));
        assert_eq!(a.released + b.released, 1);
        assert_eq!(a.cleared_registrations + b.cleared_registrations, 1);
        assert_eq!(sweep(t0 + hold * 2).await.released, 0, "idempotent");
        let o = offered_subject::Entity::find_by_id(offered_id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(o.remaining, 8);
        let cleared = registration::Entity::find_by_id(regs[0]).one(&app.db).await.unwrap().unwrap();
        assert_eq!((cleared.site_code, cleared.declared_at), (None, None));
        assert!(cleared.personal_saved_at.is_some(), "the draft stays");
        counters_agree(&app).await;
    })
}

#[test]
fn the_sweeper_racing_claims_keeps_every_counter_true() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 200).await;
        let (claim, _) = subject_with(&app, "66", 100).await;
        let t0 = app.clock.now();
        // The first 100 claim at t0 and expire at t0 + 24 h; the others claim then.
        for &reg in &regs[..100] {
            choose(&app, reg, &[], std::slice::from_ref(&claim), t0).await.unwrap();
        }
        let later = t0 + chrono::Duration::hours(24);
        let sweeper = {
            let app = app.clone();
            tokio::spawn(async move { app::server::seats::sweeper::sweep(&app.db, later, 10).await.unwrap() })
        };
        let claims: Vec<_> = regs[100..]
            .iter()
            .map(|&reg| {
                let (app, claim) = (app.clone(), claim.clone());
                tokio::spawn(async move { choose(&app, reg, &[], &[claim], later).await })
            })
            .collect();
        let mut won = 0;
        for c in claims {
            match c.await.unwrap() {
                Ok(()) => won += 1,
                Err(SeatError::Full { .. }) => {}
                Err(e) => panic!("{e:?}"),
            }
        }
        let swept = sweeper.await.unwrap();
        assert_eq!(swept.released, 100);
        assert!(won <= 100);
        counters_agree(&app).await;
    })
}

#[test]
fn the_sweeper_racing_payments_starting_never_releases_a_subject_being_paid() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 100).await;
        let (claim, _) = subject_with(&app, "14", 100).await;
        let t0 = app.clock.now();
        for &reg in &regs {
            choose(&app, reg, &[], std::slice::from_ref(&claim), t0).await.unwrap();
        }
        // Every subject has expired; half the candidates start paying while the sweeper runs.
        let later = t0 + chrono::Duration::hours(24);
        let sweeper = {
            let app = app.clone();
            tokio::spawn(async move { app::server::seats::sweeper::sweep(&app.db, later, 10).await.unwrap() })
        };
        let payers: Vec<_> = regs
            .iter()
            .step_by(2)
            .map(|&reg| {
                let app = app.clone();
                // The payer's clock a minute behind the sweeper's: both see the subject as
                // theirs to take.
                let at = later - chrono::Duration::minutes(1);
                tokio::spawn(async move { (reg, orders::start(&app.db, reg, 1, "65", at).await.unwrap()) })
            })
            .collect();
        let mut paying = Vec::new();
        for p in payers {
            let (reg, started) = p.await.unwrap();
            match started {
                Start::Created(order) => {
                    assert_eq!(order.amount_fen, claim.fee_fen, "the subject to pay for");
                    paying.push(reg);
                }
                Start::NothingToPay => {}
                other => panic!("{other:?}"),
            }
        }
        let swept = sweeper.await.unwrap();
        for &reg in &regs {
            let held = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(reg)).count(&app.db);
            let locked = registration::Entity::find_by_id(reg).one(&app.db).await.unwrap().unwrap().locked_at;
            if paying.contains(&reg) {
                assert_eq!((held.await.unwrap(), locked.is_some()), (1, true), "being paid: kept");
            } else {
                assert_eq!((held.await.unwrap(), locked), (0, None), "not paying: released, unlocked");
            }
        }
        assert_eq!(swept.released as usize, regs.len() - paying.len());
        counters_agree(&app).await;
    })
}

#[test]
fn on_sqlite_the_read_pool_cannot_write() {
    run(async {
        let dir = std::env::temp_dir().join(format!("ncre-readonly-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let db = app::server::db::Db::connect(&url).await.unwrap();
        use sea_orm::ConnectionTrait;
        db.write().execute_unprepared("CREATE TABLE t (a INTEGER)").await.unwrap();
        let refused = db.read().execute_unprepared("INSERT INTO t VALUES (1)").await;
        assert!(refused.is_err(), "a write on the read pool must fail");
        db.write().execute_unprepared("INSERT INTO t VALUES (1)").await.unwrap();
        let n = db.read().query_one_raw(sea_orm::Statement::from_string(db.backend(), "SELECT count(*) AS n FROM t"));
        assert_eq!(
            n.await.unwrap().unwrap().try_get::<i64>("", "n").unwrap(),
            1,
            "the readers see the writer's commit"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    })
}

#[test]
fn deleting_registrations_while_they_claim_returns_every_seat_once() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 60).await;
        let (first, _) = subject_with(&app, "15", 100).await;
        let (second, _) = subject_with(&app, "24", 100).await;
        let now = app.clock.now();
        for &reg in &regs {
            choose(&app, reg, &[], std::slice::from_ref(&first), now).await.unwrap();
        }
        // Each candidate changes subjects in one tab while deleting the registration in
        // another: half add a subject (one statement on PostgreSQL), half swap one for
        // another (a transaction of several).
        let mut held = Vec::new();
        for &reg in &regs {
            let e = enrolment::Entity::find().filter(enrolment::Column::RegistrationId.eq(reg)).one(&app.db);
            held.push(e.await.unwrap().unwrap());
        }
        let tasks: Vec<_> = regs
            .iter()
            .zip(held)
            .enumerate()
            .flat_map(|(i, (&reg, held))| {
                let (a, b, claim) = (app.clone(), app.clone(), second.clone());
                let cancelled = if i % 2 == 0 { vec![held] } else { Vec::new() };
                [
                    tokio::spawn(async move {
                        match choose(&a, reg, &cancelled, &[claim], now).await {
                            Ok(()) | Err(SeatError::Stale) => {}
                            Err(e) => panic!("claim: {e:?}"),
                        }
                    }),
                    tokio::spawn(async move {
                        let deleted = seats::delete_registration(&b.db, reg, None).await.unwrap();
                        assert_eq!(deleted, seats::Deletion::Deleted, "unlocked, unpaid: deleted");
                    }),
                ]
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(registration::Entity::find().count(&app.db).await.unwrap(), 0);
        assert_eq!(enrolment::Entity::find().count(&app.db).await.unwrap(), 0);
        counters_agree(&app).await;
    })
}

#[test]
fn deleting_racing_a_payment_start_says_which_refused_it() {
    run(async {
        let app = Arc::new(spawn_app().await);
        let regs = registrations(&app, 30).await;
        let (first, _) = subject_with(&app, "14", 100).await;
        let now = app.clock.now();
        for &reg in &regs {
            choose(&app, reg, &[], std::slice::from_ref(&first), now).await.unwrap();
        }
        let (&last, racing) = regs.split_last().unwrap();
        let mut tasks = Vec::new();
        for &reg in racing {
            let (a, b) = (app.clone(), app.clone());
            tasks.push(tokio::spawn(async move {
                let (deleted, started) =
                    tokio::join!(seats::delete_registration(&a.db, reg, None), orders::start(&b.db, reg, 1, "65", now));
                (deleted.unwrap(), started.unwrap())
            }));
        }
        for t in tasks {
            match t.await.unwrap() {
                // Deleted first: nothing was left to pay for.
                (seats::Deletion::Deleted, Start::NothingToPay) => {}
                // The payment started first: locked, and nothing is paid, so the candidate is
                // told it is locked, never that a subject is paid.
                (seats::Deletion::Locked, Start::Created(_)) => {}
                other => panic!("{other:?}"),
            }
        }
        counters_agree(&app).await;
        // In order: a payment started, then the delete is refused as locked; once the
        // subject is paid, as paid.
        assert!(matches!(orders::start(&app.db, last, 1, "65", now).await.unwrap(), Start::Created(_)));
        assert_eq!(seats::delete_registration(&app.db, last, None).await.unwrap(), seats::Deletion::Locked);
        let mut e: enrolment::ActiveModel = enrolment::Entity::find()
            .filter(enrolment::Column::RegistrationId.eq(last))
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .into();
        e.paid_at = Set(Some(now));
        e.update(&app.db).await.unwrap();
        assert_eq!(seats::delete_registration(&app.db, last, None).await.unwrap(), seats::Deletion::Paid);
        assert!(registration::Entity::find_by_id(last).one(&app.db).await.unwrap().is_some(), "nothing deleted");
    })
}
