//! 学籍库 (issue 15): a site's file of students is checked row by row by the forms' rules,
//! reported, and imported only when the staff confirm (once); uploading again updates
//! without duplicating; a student on a roster finds the school fields filled in and may
//! register only at the roster's site.

use crate::helpers::*;
use crate::journey::info_for;
use crate::staff::{goes_to_sign_in, signed_in_staff};
use app::server::entity::staff::Role;
use app::server::entity::{audit_event, roster_entry, roster_upload};
use app::urls;
use chrono::Duration;
use http::StatusCode;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::json;

const SITE: &str = "650101";
const OTHER: &str = "659028";
const BOUNDARY: &str = "----roster-test-boundary";

/// The upload form as a browser posts it: the site and the file.
async fn upload(app: &TestApp, cookie: &str, site: &str, file_name: &str, bytes: &[u8]) -> Reply {
    let mut body = Vec::new();
    body.extend(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"site\"\r\n\r\n{site}\r\n").as_bytes());
    body.extend(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend(bytes);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let req = http::Request::post(urls::STAFF_ROSTERS)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .header("accept", "text/html")
        .header("cookie", cookie)
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(req).await
}

/// The id of the upload a successful post leads to.
fn report_id(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let at = reply.location().expect("on to the report");
    assert!(at.starts_with(urls::STAFF_ROSTER_REPORT), "{at}");
    at.split("id=").nth(1).unwrap().split('&').next().unwrap().to_owned()
}

async fn decide(app: &TestApp, cookie: &str, id: &str, action: &str) -> Reply {
    let path = format!("{}?id={id}", urls::STAFF_ROSTER_REPORT);
    app.post_form(&path, &[("id", id), ("action", action)], Some(cookie)).await
}

async fn entries(app: &TestApp) -> Vec<roster_entry::Model> {
    roster_entry::Entity::find().order_by_asc(roster_entry::Column::Id).all(&app.db).await.unwrap()
}

/// A number that fails GB 11643's check character.
fn bad_check(n: u32) -> String {
    let good = resident_id(n);
    let last = if good.ends_with('1') { '2' } else { '1' };
    format!("{}{last}", &good[..17])
}

fn csv(rows: &[String]) -> Vec<u8> {
    rows.join("\r\n").into_bytes()
}

#[test]
fn a_roster_is_checked_reported_and_imported_once_when_confirmed() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let heading = "序号,证件类型,证件号码,姓名,院系,专业,班级,学号".to_owned();
        let file = csv(&[
            heading.clone(),
            format!("1,身份证,{},阿依古丽,信息工程学院,计算机应用技术,计应2301班,2023001", resident_id(1)),
            format!("2,中华人民共和国居民身份证,{},买买提,信息工程学院,,,20#3", bad_check(2)),
            ",,,,,,,".into(),
            format!("4,身份证,{},李娜,外语学院,英语,英语2302班,2023002", resident_id(3)),
            "5,居民身份证（15位旧号码）,110105900101005,王五,,,,".into(),
            format!("6,身份证,{},阿依古丽,信息工程学院,计算机应用技术,计应2301班,2023009", resident_id(1)),
        ]);
        let id = report_id(&upload(&app, &site, SITE, "学生名单.csv", &file).await);
        // Checked and reported; nothing on the roster yet.
        let report = app.get(&format!("{}?id={id}", urls::STAFF_ROSTER_REPORT), Some(&site)).await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.body.contains("第3行"), "{}", report.body);
        assert!(report.body.contains("证件号码最后一位校验码与前17位不符，请逐位核对"), "{}", report.body);
        assert!(report.body.contains("学号只能包含英文字母、数字和连字符“-”"));
        assert!(report.body.contains("本考点不接受15位旧版居民身份证号码"), "{}", report.body);
        assert!(report.body.contains("证件号码与第2行相同，同一名学生只能出现一次"), "{}", report.body);
        assert!(report.body.contains("导入正确的2行（有误的3行不导入）"), "{}", report.body);
        assert!(!report.body.contains(&bad_check(2)), "a bad number is shown masked");
        assert!(entries(&app).await.is_empty());

        // 导入: the two good rows, once; a second press changes nothing.
        let done = decide(&app, &site, &id, "import").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
        let rows = entries(&app).await;
        assert_eq!(rows.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["阿依古丽", "李娜"]);
        assert_eq!(rows[0].student_no.as_deref(), Some("2023001"));
        assert!(rows.iter().all(|e| !format!("{e:?}").contains(&resident_id(1)[4..14])), "no number kept");
        let again = decide(&app, &site, &id, "import").await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("这个文件已经处理过"), "{}", again.body);
        assert_eq!(entries(&app).await.len(), 2);
        let trail =
            audit_event::Entity::find().filter(audit_event::Column::Kind.eq("roster.import")).count(&app.db).await;
        assert_eq!(trail.unwrap(), 1);

        // Uploading again (as XLSX): the changed student updated, the same one left, a new
        // one added; never a second row for one document.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        let cells = [
            ["证件类型", "证件号码", "姓名", "院系", "专业", "班级", "学号"],
            ["身份证", &resident_id(1), "阿依古丽", "信息工程学院", "计算机应用技术", "计应2302班", "2023001"],
            ["身份证", &resident_id(3), "李娜", "外语学院", "英语", "英语2302班", "2023002"],
            ["身份证", &resident_id(4), "王芳", "外语学院", "日语", "日语2301班", "2023003"],
        ];
        for (r, row) in cells.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                sheet.write_string(u32::try_from(r).unwrap(), u16::try_from(c).unwrap(), *cell).unwrap();
            }
        }
        let xlsx = book.save_to_buffer().unwrap();
        let id2 = report_id(&upload(&app, &site, SITE, "名单.xlsx", &xlsx).await);
        assert_eq!(decide(&app, &site, &id2, "import").await.status, StatusCode::SEE_OTHER);
        let rows = entries(&app).await;
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].class_name.as_deref(), Some("计应2302班"));
        let up = roster_upload::Entity::find_by_id(id2.parse::<i32>().unwrap()).one(&app.db).await.unwrap().unwrap();
        assert_eq!((up.inserted, up.updated, up.unchanged), (Some(1), Some(1), Some(1)));
        let page = app.get(&format!("{}?site={SITE}", urls::STAFF_ROSTERS), Some(&site)).await;
        assert!(page.body.contains("共3人"), "{}", page.body);
        assert!(page.body.contains("已导入：新增1人，更新1人，1人无变化"));

        // 放弃: nothing imported; a staged file left a day is not imported either.
        let id3 = report_id(
            &upload(
                &app,
                &site,
                SITE,
                "c.csv",
                &csv(&[heading.clone(), format!("1,身份证,{},赵六,,,,", resident_id(7))]),
            )
            .await,
        );
        assert_eq!(decide(&app, &site, &id3, "discard").await.status, StatusCode::SEE_OTHER);
        assert_eq!(decide(&app, &site, &id3, "import").await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let id4 = report_id(
            &upload(&app, &site, SITE, "d.csv", &csv(&[heading, format!("1,身份证,{},赵六,,,,", resident_id(7))]))
                .await,
        );
        let mut staged: roster_upload::ActiveModel =
            roster_upload::Entity::find_by_id(id4.parse::<i32>().unwrap()).one(&app.db).await.unwrap().unwrap().into();
        staged.created_at = Set(app.clock.now() - Duration::hours(25));
        staged.update(&app.db).await.unwrap();
        let late = decide(&app, &site, &id4, "import").await;
        assert!(late.body.contains("上传已超过24小时"), "{}", late.body);
        assert_eq!(entries(&app).await.len(), 3);
    });
}

#[test]
fn bad_files_and_other_sites_are_refused_and_change_nothing() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let refused = |reply: Reply, words: &str| {
            assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
            assert!(reply.body.contains(words), "{words}: {}", reply.body);
            assert!(reply.body.contains("value=\"650101\" selected"), "the site kept");
        };
        refused(upload(&app, &site, SITE, "a.csv", b"").await, "请选择要上传的学籍库文件");
        refused(
            upload(&app, &site, SITE, "a.csv", "姓名,学号\r\n张三,1".as_bytes()).await,
            "第一行（表头）缺少：证件类型、证件号码",
        );
        refused(upload(&app, &site, SITE, "a.xls", &[0xD0, 0xCF, 0x11, 0xE0, 1, 2]).await, "无法读取该文件");
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "证件号码").unwrap();
        sheet.write_number(1, 0, 110105199001010010.0).unwrap();
        refused(upload(&app, &site, SITE, "n.xlsx", &book.save_to_buffer().unwrap()).await, "设置为“文本”格式");
        // Another site's roster: refused outright.
        let file = format!("证件类型,证件号码,姓名\r\n身份证,{},张三", resident_id(1));
        assert_eq!(upload(&app, &site, OTHER, "a.csv", file.as_bytes()).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.get(&format!("{}?site={OTHER}", urls::STAFF_ROSTERS), Some(&site)).await.status,
            StatusCode::FORBIDDEN
        );
        // Another site's upload cannot be seen or decided.
        let (other, _) = signed_in_staff(&app, "other@ncre.test", Role::Site, &[OTHER]).await;
        let id = report_id(&upload(&app, &site, SITE, "a.csv", file.as_bytes()).await);
        assert_eq!(
            app.get(&format!("{}?id={id}", urls::STAFF_ROSTER_REPORT), Some(&other)).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(decide(&app, &other, &id, "import").await.status, StatusCode::FORBIDDEN);
        // Nobody signed in: to the sign-in page.
        assert!(goes_to_sign_in(&app.get(urls::STAFF_ROSTERS, None).await));
        assert!(goes_to_sign_in(&upload(&app, "ncre_staff=nobody", SITE, "a.csv", file.as_bytes()).await));
        assert!(entries(&app).await.is_empty());
        // The template downloads and passes its own check.
        let template = app.get(urls::STAFF_ROSTER_TEMPLATE, Some(&site)).await;
        assert!(template.body.starts_with("\u{feff}证件类型,证件号码,姓名,民族,院系,专业,班级,学号"));
    });
}

#[test]
fn a_student_on_a_roster_finds_the_school_filled_in_and_only_the_roster_site() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let file = format!(
            "证件类型,证件号码,姓名,民族,院系,专业,班级,学号\r\n身份证,{},阿依古丽,维吾尔族,信息工程学院,计算机应用技术,计应2301班,2023001",
            resident_id(5)
        );
        let id = report_id(&upload(&app, &site, SITE, "a.csv", file.as_bytes()).await);
        assert_eq!(decide(&app, &site, &id, "import").await.status, StatusCode::SEE_OTHER);
        // A 民族 not on the code list is refused in the information step's words.
        let unknown = format!("证件类型,证件号码,姓名,民族\r\n身份证,{},张三,火星族", resident_id(8));
        let bad = report_id(&upload(&app, &site, SITE, "b.csv", unknown.as_bytes()).await);
        let report = app.get(&format!("{}?id={bad}", urls::STAFF_ROSTER_REPORT), Some(&site)).await.body;
        assert!(report.contains("请从列表中选择民族") && report.contains("火星族"), "{report}");

        let student = app.candidate("student@example.com", &resident_id(5)).await;
        let agreed = app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&student)).await;
        assert_eq!(agreed.status, StatusCode::OK);
        let info = app.get(urls::INFO, Some(&student)).await;
        assert!(info.body.contains("的学籍库，请核对"), "{}", info.body);
        assert!(info.body.contains("value=\"计应2301班\""), "{}", info.body);
        assert!(info.body.contains("value=\"05\" selected"), "民族 from the roster: {}", info.body);
        let mut form = info_for(5);
        form["department"] = json!("信息工程学院");
        form["student_no"] = json!("2023001");
        assert_eq!(app.call("/api/info", json!({"form": form}), Some(&student)).await.status, StatusCode::OK);

        // Only the roster's site is offered, and another is refused by the rule.
        let page = app.get(urls::SUBJECTS, Some(&student)).await;
        assert!(page.body.contains("data-testid=\"roster-limit\""), "{}", page.body);
        assert!(!page.body.contains(&format!("value=\"{OTHER}\"")), "{}", page.body);
        let choice =
            |site: &str, subject: &str| json!({"form": {"site": site, "subjects": [subject], "declare": "yes"}});
        let elsewhere = app.call("/api/subjects", choice(OTHER, "15"), Some(&student)).await;
        assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", elsewhere.body);
        assert_eq!(app.call("/api/subjects", choice(SITE, "24"), Some(&student)).await.status, StatusCode::OK);

        // Someone not on it chooses as before.
        let other = app.candidate("other@example.com", &resident_id(6)).await;
        app.call("/api/agreement", json!({"form": {"accept": "yes"}}), Some(&other)).await;
        assert!(!app.get(urls::INFO, Some(&other)).await.body.contains("学籍库"));
        assert_eq!(app.call("/api/info", json!({"form": info_for(6)}), Some(&other)).await.status, StatusCode::OK);
        let page = app.get(urls::SUBJECTS, Some(&other)).await;
        assert!(page.body.contains(&format!("value=\"{OTHER}\"")) && !page.body.contains("roster-limit"));
    });
}
