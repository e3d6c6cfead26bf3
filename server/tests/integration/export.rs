//! 导出报名数据 (issue 15): the 考生查询 filter decides the rows, the form the columns and the
//! format; a site account exports its own sites only and never full numbers; the province
//! may, and every export is on the trail. (Bounded memory for 200,000 rows:
//! `tests/export_memory.rs`, a process of its own so its peak is its own.)

use crate::helpers::*;
use crate::search::three_candidates;
use crate::staff::{goes_to_sign_in, signed_in_staff};
use app::server::entity::audit_event;
use app::server::entity::staff::Role;
use app::urls;
use http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::io::Read;

const SITE: &str = "650101";
const OTHER: &str = "659028";

async fn export(app: &TestApp, cookie: &str, query: &str) -> (StatusCode, String, String) {
    let path = format!("{}?{query}", urls::STAFF_EXPORT_DOWNLOAD);
    let reply = app.get(&path, Some(cookie)).await;
    let kind = reply.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (reply.status, kind, reply.body)
}

fn csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark first");
    text.split("\r\n").filter(|l| !l.is_empty()).map(|l| l.split(',').map(str::to_owned).collect()).collect()
}

#[test]
fn exports_follow_the_filter_the_columns_and_who_may_see_full_numbers() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let (province, _) = signed_in_staff(&app, "province@ncre.test", Role::Province, &[]).await;
        three_candidates(&app).await;

        // The site account: its own site's two, masked, the chosen columns in the page's order.
        let (status, kind, body) =
            export(&app, &site, "format=csv&columns=doc_number&columns=name&columns=subjects").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(kind, "text/csv; charset=utf-8");
        let rows = csv(&body);
        assert_eq!(rows[0], ["姓名", "证件号码", "报考科目"]);
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows.iter().any(|r| r[0] == "买买提" && r[2].contains("(14)") && r[2].contains("(24)")));
        assert!(rows[1..].iter().all(|r| r[1].contains("**********") && !r[1].contains(&resident_id(1)[4..14])));
        // The filter decides the rows: subject 14 only.
        let (_, _, only14) = export(&app, &site, "format=csv&columns=name&subject=14").await;
        assert_eq!(csv(&only14)[1..], [["买买提"]]);
        // Never another site's, never full numbers.
        let (status, _, _) = export(&app, &site, &format!("format=csv&columns=name&site={OTHER}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, page) = export(&app, &site, "format=csv&columns=doc_number&full_numbers=on").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("只有省级管理员可以导出完整证件号码"), "{page}");
        // A form without a format or columns is refused beside its fields.
        let (status, _, page) = export(&app, &site, "site=650101").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("请选择文件格式") && page.contains("请至少选择一列"), "{page}");
        assert!(page.contains("value=\"650101\" selected"), "the filter kept: {page}");
        // Nobody signed in: to the sign-in page.
        let req = http::Request::get(format!("{}?format=csv&columns=name", urls::STAFF_EXPORT_DOWNLOAD))
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(goes_to_sign_in(&app.send(req).await));

        // The province: everyone, full numbers when asked.
        let (_, _, all) = export(&app, &province, "format=csv&columns=name&columns=doc_number&full_numbers=on").await;
        let rows = csv(&all);
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().any(|r| r[0] == "李娜" && r[1] == resident_id(3)), "{rows:?}");

        // XLSX: a workbook whose sheet holds the rows.
        let query = format!("format=xlsx&columns=name&columns=site&site={OTHER}");
        let (status, kind, _) = export(&app, &province, &query).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(kind, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let xlsx = app.get_bytes(&format!("{}?{query}", urls::STAFF_EXPORT_DOWNLOAD), &province).await;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).expect("a zip");
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml").expect("a sheet").read_to_string(&mut sheet).unwrap();
        assert!(sheet.contains("李娜") && sheet.contains("姓名") && !sheet.contains("买买提"), "{sheet}");

        // Every export is on the trail, with its filter, columns, numbers and rows; the
        // refused ones are not.
        let entries = audit_event::Entity::find()
            .filter(audit_event::Column::Kind.eq("export.registrations"))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(entries.len(), 5, "{entries:?}");
        let full = entries.iter().find(|e| e.after.as_deref().is_some_and(|a| a.contains("\"完整\""))).unwrap();
        assert_eq!(full.actor, "province@ncre.test");
        assert!(full.after.as_deref().unwrap().contains("\"rows\":\"3\""), "{full:?}");
        let trail = app.get(urls::STAFF_AUDIT, Some(&province)).await.body;
        assert!(trail.contains("导出报名数据") && trail.contains("科目=14"), "{trail}");
    })
}
