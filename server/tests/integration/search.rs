//! 考生查询 (issue 15): staff find the registrations of their own sites by name, NEEA ID,
//! e-mail, order number or full document number (through the keyed lookup hash: no
//! plaintext number anywhere), with filters that combine, a page at a time; a candidate's
//! page shows the history from the audit trail.

use crate::helpers::*;
use crate::journey::through_subjects;
use crate::staff::{goes_to_sign_in, signed_in_staff};
use app::server::entity::staff::Role;
use app::server::entity::{pass, registration};
use http::StatusCode;
use sea_orm::EntityTrait;

const SITE: &str = "650101";
const OTHER: &str = "659028";

fn search(query: &str) -> String {
    format!("{}?{query}", app::urls::STAFF_CANDIDATES)
}

fn found(body: &str) -> usize {
    body.matches("data-testid=\"candidate-row\"").count()
}

#[test]
fn staff_find_their_sites_candidates_by_any_key_and_filters_combine() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        // 阿依古丽 holds 24 at SITE, 买买提 holds 14 and 24 at SITE, 李娜 holds 15 at OTHER.
        let people = [
            (1, "阿依古丽", SITE, &["24"][..]),
            (2, "买买提", SITE, &["14", "24"][..]),
            (3, "李娜", OTHER, &["15"][..]),
        ];
        for (n, name, at, subjects) in people {
            let cookie = app.candidate_named(&format!("c{n}@example.com"), &resident_id(n), name).await;
            through_subjects(&app, &cookie, n, at, subjects).await;
        }
        let passes = pass::Entity::find().all(&app.db).await.unwrap();
        let neea = |name: &str| passes.iter().find(|p| p.name == name).unwrap().neea_id.clone();
        // No document number in clear anywhere in the pass table.
        for p in &passes {
            assert!(!format!("{p:?}").contains(&resident_id(1)[..17]));
        }

        // By name (a part of one), NEEA ID, e-mail (any case), full document number.
        let by = |cookie: &str, query: String| {
            let (app, cookie) = (&app, cookie.to_owned());
            async move { app.get(&search(&query), Some(&cookie)).await }
        };
        let page = by(&site, "q=%E5%8F%A4%E4%B8%BD".into()).await; // 古丽
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(found(&page.body), 1, "{}", page.body);
        assert!(page.body.contains("阿依古丽") && page.body.contains("1101**********"), "masked in the list");
        assert!(!page.body.contains(&resident_id(1)), "never the full number in a list");
        assert_eq!(found(&by(&site, format!("q={}", neea("买买提"))).await.body), 1);
        assert_eq!(found(&by(&site, "q=C2%40Example.COM".into()).await.body), 1);
        let number = by(&site, format!("q={}", resident_id(1))).await;
        assert_eq!(found(&number.body), 1);
        assert!(number.body.contains("阿依古丽"));
        // A site account never finds another site's candidate, even by an exact key.
        assert_eq!(found(&by(&site, format!("q={}", resident_id(3))).await.body), 0);
        assert_eq!(found(&by(&other, format!("q={}", resident_id(3))).await.body), 1);
        assert_eq!(by(&site, format!("site={OTHER}")).await.status, StatusCode::FORBIDDEN);
        // Filters combine: subject 14 at SITE; everyone with 24; unpaid; the province sees all.
        assert_eq!(found(&by(&site, "subject=14".into()).await.body), 1);
        assert_eq!(found(&by(&site, "subject=24&paid=unpaid".into()).await.body), 2);
        assert_eq!(found(&by(&site, "subject=24&paid=paid".into()).await.body), 0);
        assert_eq!(found(&by(&site, "q=%E6%9D%8E%E5%A8%9C".into()).await.body), 0, "李娜 is OTHER's");
        assert_eq!(found(&by(&province, String::new()).await.body), 3);
        assert_eq!(found(&by(&province, format!("site={OTHER}&subject=15")).await.body), 1);
        // A pattern character is taken literally.
        assert_eq!(found(&by(&province, "q=%25".into()).await.body), 0);

        // A candidate's page: what they hold and their history from the trail; another
        // site's candidate is refused as every other site's page is.
        let mut regs = registration::Entity::find().all(&app.db).await.unwrap();
        regs.sort_by_key(|r| r.id);
        let reg_of = |n: usize| regs[n].id;
        let page = app.get(&format!("{}?id={}", app::urls::STAFF_CANDIDATE, reg_of(1)), Some(&site)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("买买提") && page.body.contains("C语言程序设计（未缴费）"), "{}", page.body);
        assert!(page.body.contains("data-kind=\"enrolment.choose\""), "{}", page.body);
        let theirs = app.get(&format!("{}?id={}", app::urls::STAFF_CANDIDATE, reg_of(2)), Some(&site)).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        let none = app.get(&format!("{}?id=99999", app::urls::STAFF_CANDIDATE), Some(&site)).await;
        assert_eq!(none.status, StatusCode::NOT_FOUND);
        assert!(goes_to_sign_in(&app.get(&search(""), None).await));
        let candidate_page = format!("{}?id={}", app::urls::STAFF_CANDIDATE, reg_of(1));
        assert!(goes_to_sign_in(&app.get(&candidate_page, None).await));
        let pass_holder = app.candidate("someone@example.com", &resident_id(9)).await;
        assert!(
            goes_to_sign_in(&app.get(&candidate_page, Some(&pass_holder)).await),
            "a candidate's session opens no staff page"
        );
    });
}

#[test]
fn the_results_come_a_page_at_a_time() {
    run(async {
        let app = spawn_app().await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        // 53 registrations written directly (their numbers are not sealed: the list says it
        // cannot read them rather than failing the page).
        server::seed::load_candidates(&app.db, 53, app.clock.now()).await.unwrap();
        let first = app.get(&search("q=%E5%BC%A0%E4%B8%89"), Some(&province)).await;
        assert_eq!(found(&first.body), 50, "{}", first.body);
        assert!(first.body.contains("共53名考生，第1/2页"), "{}", first.body);
        assert!(first.body.contains("（无法读取）"));
        let second = app.get(&search("q=%E5%BC%A0%E4%B8%89&page=2"), Some(&province)).await;
        assert_eq!(found(&second.body), 3);
        assert!(second.body.contains("上一页") && !second.body.contains("下一页"));
        // A page past the last shows the last.
        assert_eq!(found(&app.get(&search("q=%E5%BC%A0%E4%B8%89&page=9"), Some(&province)).await.body), 3);
    });
}
