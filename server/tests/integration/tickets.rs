//! 准考证 and the sites' printouts (issue 16): the PDF a paid, arranged candidate downloads
//! holds their facts in text (read back with poppler's `pdftotext`), their stored photo
//! byte for byte and a QR code of the signed token (read back with `pdfimages`); each print
//! gate refuses with its words; the sign-in sheet shows masked numbers only; the door takes
//! the QR code and refuses a forged or edited one.

use crate::arrangement::{add_batch, add_room, arrange, pay_all, placements, OTHER, SITE};
use crate::helpers::*;
use crate::journey::{test_photo, through_subjects};
use crate::staff::signed_in_staff;
use app::domain::arrangement::{TicketNumber, TicketToken};
use app::server::entity::staff::Role;
use app::server::entity::{audit_event, check_in, exam_site, pass};
use app::server::printing::token::document_digest;
use app::urls;
use http::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ncre-pdf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The text of a PDF as poppler reads it (layout kept, so a table row stays one line).
fn pdf_text(pdf: &[u8], dir: &Path) -> String {
    let file = dir.join("file.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext").arg("-layout").arg(&file).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The images of a PDF, extracted as their own files (JPEGs as stored, others as PGM).
fn pdf_images(pdf: &[u8], dir: &Path) -> Vec<PathBuf> {
    let file = dir.join("images.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdfimages").arg("-j").arg(&file).arg(dir.join("img")).output().expect("pdfimages");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("img"))
        .collect();
    files.sort();
    files
}

/// A binary PGM's or PPM's pixels (grey, one byte each: a PPM's red channel), and its side.
fn pgm(path: &Path) -> (usize, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8(bytes[start..i].to_vec()).unwrap());
    }
    let channels = match fields[0].as_str() {
        "P5" => 1,
        "P6" => 3,
        other => panic!("not a binary PGM or PPM: {other}"),
    };
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    assert_eq!(w, h, "a QR code is square");
    (w, bytes[i + 1..].iter().step_by(channels).copied().collect())
}

/// Sets the clock to the print start and signs the candidate in again.
async fn at_print_start(app: &TestApp, email: &str) -> String {
    app.clock.set("2025-03-24T10:00:00+08:00".parse::<chrono::DateTime<chrono::FixedOffset>>().unwrap().into());
    app.sign_in(email, PASSWORD).await.session_cookie().unwrap()
}

async fn upload_photo(app: &TestApp, cookie: &str) {
    let req = http::Request::post("/api/photo")
        .header("content-type", "image/jpeg")
        .header("cookie", cookie)
        .header("origin", "http://ncre.test")
        .header("host", "ncre.test")
        .body(axum::body::Body::from(test_photo(480, 640)))
        .unwrap();
    let reply = app.send(req).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

fn ticket_url(subject: &str) -> String {
    format!("{}?subject={subject}", urls::TICKET_PDF)
}

/// One room of 30 and two batches at SITE, everyone paid so far arranged.
async fn arranged(app: &TestApp, site: &str) {
    pay_all(app).await;
    assert_eq!(add_room(app, site, "一号机房", "30", "").await.status, StatusCode::SEE_OTHER);
    let b = add_batch(app, site, "2025-03-29 09:00", "2025-03-29 10:30", "").await;
    assert_eq!(b.status, StatusCode::SEE_OTHER, "{}", b.body);
    let b = add_batch(app, site, "2025-03-29 13:00", "2025-03-29 14:30", "").await;
    assert_eq!(b.status, StatusCode::SEE_OTHER);
    assert_eq!(arrange(app, site, "new", false).await.status, StatusCode::SEE_OTHER);
}

#[test]
fn a_paid_arranged_candidate_downloads_a_ticket_with_their_facts_photo_and_signed_qr_code() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let c1 = app.candidate_named("c1@example.com", &resident_id(1), "阿依古丽").await;
        through_subjects(&app, &c1, 1, SITE, &["24"]).await;
        upload_photo(&app, &c1).await;
        let notice = app
            .post_form(
                urls::STAFF_NOTICES,
                &[("site", SITE), ("title", "考点须知"), ("body", "请从东门进入，考前30分钟到达一号机房门口候考。")],
                Some(&site),
            )
            .await;
        assert_eq!(notice.status, StatusCode::SEE_OTHER, "{}", notice.body);
        arranged(&app, &site).await;
        // Chosen after 编排: unpaid.
        let c2 = app.candidate_named("c2@example.com", &resident_id(2), "买买提").await;
        through_subjects(&app, &c2, 2, SITE, &["24"]).await;

        // Before the print start: the status page and the download say from when.
        let early = app.get(&ticket_url("24"), Some(&c1)).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
        assert!(early.body.contains("准考证打印开始时间为 2025-03-24 10:00（北京时间）"), "{}", early.body);
        assert!(!early.headers.get("content-type").unwrap().to_str().unwrap().contains("pdf"));

        let c1 = at_print_start(&app, "c1@example.com").await;
        // Weeks later: the staff sign in again too.
        let (site, _) = signed_in_staff(&app, "site2@ncre.test", Role::Site, &[SITE]).await;
        let (other, _) = signed_in_staff(&app, "other2@ncre.test", Role::Site, &[OTHER]).await;
        let status = app.get(urls::STATUS, Some(&c1)).await;
        assert!(status.body.contains("可打印") && status.body.contains(&ticket_url("24")), "{}", status.body);
        let reply = app.get(&ticket_url("24"), Some(&c1)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.headers.get("content-type").unwrap(), "application/pdf");
        let disposition = reply.headers.get("content-disposition").unwrap().to_str().unwrap();
        assert!(disposition.starts_with("attachment; filename=\"zkz-24"), "{disposition}");
        assert!(reply.headers.get("cache-control").unwrap().to_str().unwrap().contains("no-store"));
        assert!(reply.bytes.starts_with(b"%PDF-"));

        let p = placements(&app).await.into_iter().next().unwrap();
        let ticket = TicketNumber::parse(&p.ticket_number).unwrap();
        let dir = scratch("ticket");
        let text = pdf_text(&reply.bytes, &dir);
        for expected in [
            "全国计算机等级考试",
            "第75次 2025年03月全国计算机等级考试",
            "阿依古丽",
            "居民身份证",
            resident_id(1).as_str(),
            ticket.as_str(),
            "C语言程序设计",
            "(650101)新疆大学",
            &format!("{}考场（一号机房）", ticket.exam_room()),
            &format!("{:02}", ticket.seat()),
            "2025-03-29 09:00–10:30（北京时间）",
            "考点通知",
            "请从东门进入",
            "考生须知",
            "国家教育考试违规处理办法",
        ] {
            assert!(text.contains(expected), "{expected:?} on the ticket:\n{text}");
        }
        assert_eq!(text.matches('\u{c}').count(), 1, "one page for one subject");

        // The photo as stored, byte for byte; the QR code holds the signed token.
        let images = pdf_images(&reply.bytes, &dir);
        assert_eq!(images.len(), 2, "{images:?}");
        let reg = app.registrations().await.into_iter().find(|r| r.id == p.registration_id).unwrap();
        let key = app::server::photos::store::PhotoKey::parse(reg.photo_key.as_deref().unwrap()).unwrap();
        let stored = app.state.photos.get(&key).await.unwrap().unwrap();
        let jpeg = images.iter().find(|f| f.extension().unwrap() == "jpg").expect("the photo as a JPEG");
        assert_eq!(std::fs::read(jpeg).unwrap(), stored.to_vec());
        let holder = pass::Entity::find_by_id(reg.pass_id).one(&app.db).await.unwrap().unwrap();
        let session = u32::try_from(p.session_id).unwrap();
        let token = app.state.printing.keys.sign(&ticket, session, document_digest(&holder.doc_type, &resident_id(1)));
        let code = qrcodegen::QrCode::encode_text(&token.text(), qrcodegen::QrCodeEcc::Medium).unwrap();
        let qr = images.iter().find(|f| f.extension().unwrap() != "jpg").expect("the QR code's image");
        let (side, pixels) = pgm(qr);
        let quiet = 4;
        assert_eq!(side, code.size() as usize + 2 * quiet);
        for y in 0..side {
            for x in 0..side {
                let dark = code.get_module(x as i32 - quiet as i32, y as i32 - quiet as i32);
                assert_eq!(pixels[y * side + x] < 128, dark, "module {x},{y}");
            }
        }

        // The same file again, from the cache; a changed input is a new file.
        let again = app.get(&ticket_url("24"), Some(&c1)).await;
        assert_eq!(again.bytes, reply.bytes);
        assert_eq!(app.state.printing.cache.size().0, 1);
        let notice = app
            .post_form(
                urls::STAFF_NOTICES,
                &[("site", SITE), ("title", "考点补充通知"), ("body", "请带2B铅笔。")],
                Some(&site),
            )
            .await;
        assert_eq!(notice.status, StatusCode::SEE_OTHER);
        app.state.catalogue.invalidate();
        let changed = app.get(&ticket_url("24"), Some(&c1)).await;
        assert_ne!(changed.bytes, reply.bytes);
        assert!(pdf_text(&changed.bytes, &dir).contains("考点补充通知"));
        assert_eq!(app.state.printing.cache.size().0, 2);
        // All subjects at once: the same single page here.
        assert_eq!(app.get(urls::TICKET_PDF, Some(&c1)).await.status, StatusCode::OK);

        // The other gates, each in its words.
        let c2 = app.sign_in("c2@example.com", PASSWORD).await.session_cookie().unwrap();
        let unpaid = app.get(&ticket_url("24"), Some(&c2)).await;
        assert_eq!(unpaid.status, StatusCode::CONFLICT);
        assert!(unpaid.body.contains("该科目未缴费，缴费成功并编排考场后才能打印准考证"), "{}", unpaid.body);
        pay_all(&app).await;
        let unarranged = app.get(&ticket_url("24"), Some(&c2)).await;
        assert!(unarranged.body.contains("考点尚未编排考场，编排后才能打印准考证"), "{}", unarranged.body);
        assert_eq!(
            app.get(&ticket_url("65"), Some(&c2)).await.status,
            StatusCode::NOT_FOUND,
            "not a subject of theirs"
        );
        assert_eq!(app.get(&ticket_url("24"), None).await.status, StatusCode::SEE_OTHER, "signed out: to sign-in");
        exam_site::Entity::update_many()
            .col_expr(exam_site::Column::AllowsSelfPrint, Expr::value(false))
            .filter(exam_site::Column::Code.eq(SITE))
            .exec(&app.db)
            .await
            .unwrap();
        app.state.catalogue.invalidate();
        let no_self_print = app.get(&ticket_url("24"), Some(&c1)).await;
        assert_eq!(no_self_print.status, StatusCode::CONFLICT);
        assert!(no_self_print.body.contains("本考点不提供考生自行打印准考证"), "{}", no_self_print.body);

        // Staff: the sign-in sheet of that 考场 (masked numbers, the photo), the whole site.
        let sheet_url = format!("{}?site={SITE}&kind=sign-in&room={}", urls::STAFF_PRINTOUT, ticket.exam_room());
        let sheet = app.get(&sheet_url, Some(&site)).await;
        assert_eq!(sheet.status, StatusCode::OK, "{}", sheet.body);
        assert_eq!(sheet.headers.get("content-type").unwrap(), "application/pdf");
        let dir = scratch("sheet");
        let text = pdf_text(&sheet.bytes, &dir);
        for expected in ["签到表", "阿依古丽", ticket.as_str(), "考生签名", "一号机房"] {
            assert!(text.contains(expected), "{expected:?} on the sheet:\n{text}");
        }
        assert!(!text.contains(&resident_id(1)), "only masked numbers on a sheet");
        assert!(text.contains(&app::domain::document::mask(&resident_id(1))), "the masked number");
        assert!(pdf_images(&sheet.bytes, &dir).iter().any(|f| std::fs::read(f).unwrap() == stored.to_vec()));
        let whole = app.get(&format!("{}?site={SITE}&kind=all", urls::STAFF_PRINTOUT), Some(&site)).await;
        assert_eq!(whole.status, StatusCode::OK);
        let text = pdf_text(&whole.bytes, &dir);
        for expected in ["门贴", "签到表", "桌贴", "座位号", "阿依古丽"] {
            assert!(text.contains(expected), "{expected:?} in the site's file");
        }
        let elsewhere = app.get(&sheet_url, Some(&other)).await;
        assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
        let unknown = app.get(&format!("{}?site={SITE}&kind=poster", urls::STAFF_PRINTOUT), Some(&site)).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let trail =
            audit_event::Entity::find().filter(audit_event::Column::Kind.eq("printout.download")).all(&app.db).await;
        assert_eq!(trail.unwrap().len(), 2, "each download on the trail; refused ones not");
        let _ = std::fs::remove_dir_all(scratch("ticket"));
        let _ = std::fs::remove_dir_all(dir);
    });
}

#[test]
fn the_door_takes_the_qr_code_and_refuses_a_forged_or_edited_one() {
    run(async {
        let app = spawn_app().await;
        let (site, _) = signed_in_staff(&app, "site@ncre.test", Role::Site, &[SITE]).await;
        let c1 = app.candidate_named("c1@example.com", &resident_id(1), "阿依古丽").await;
        through_subjects(&app, &c1, 1, SITE, &["24"]).await;
        arranged(&app, &site).await;
        let p = placements(&app).await.into_iter().next().unwrap();
        let ticket = TicketNumber::parse(&p.ticket_number).unwrap();
        let session = u32::try_from(p.session_id).unwrap();
        let holder = pass::Entity::find().one(&app.db).await.unwrap().unwrap();
        let keys = &app.state.printing.keys;
        let genuine = keys.sign(&ticket, session, document_digest(&holder.doc_type, &resident_id(1)));
        let door = |typed: String| {
            let (app, site) = (&app, site.clone());
            async move { app.post_form(urls::STAFF_DOOR, &[("site", SITE), ("ticket", &typed)], Some(&site)).await }
        };

        // Edited: another seat's number with the old signature.
        let mut edited = genuine.clone();
        edited.ticket = TicketNumber::parse(&format!("{}{:02}", &ticket.as_str()[..14], ticket.seat() + 1)).unwrap();
        // Forged: signed by a key that is not the site's.
        let stranger =
            app::server::printing::token::TicketKeys::new(pay_protocol::SigningKey::from_seed(&[9; 32]).unwrap());
        let forged = stranger.sign(&ticket, session, genuine.document);
        // Genuine signature, but another person's document.
        let moved = keys.sign(&ticket, session, document_digest(&holder.doc_type, &resident_id(2)));
        let stale = keys.sign(&ticket, session + 1, genuine.document);
        for (token, words) in [
            (&edited, "二维码验证失败"),
            (&forged, "二维码验证失败"),
            (&moved, "二维码中的证件信息与报名记录不一致"),
            (&stale, "这张准考证不是本考次的"),
        ] {
            let refused = door(token.text()).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
            assert!(refused.body.contains(words), "{words}: {}", refused.body);
        }
        let garbled = door(format!("{}X", genuine.text())).await;
        assert!(garbled.body.contains("二维码内容无法识别"), "{}", garbled.body);
        assert!(check_in::Entity::find().all(&app.db).await.unwrap().is_empty(), "nothing recorded");

        // The genuine code, as a scanner types it: checked in; the second scan says so.
        let first = door(format!("{}\r\n", genuine.text())).await;
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        assert!(first.location().unwrap().contains("notice=checked-in"));
        let again = door(genuine.text()).await;
        assert!(again.location().unwrap().contains("notice=checked-in-again"));
        assert_eq!(check_in::Entity::find().all(&app.db).await.unwrap().len(), 1);
        let page = app.get(&format!("{}?site={SITE}", urls::STAFF_DOOR), Some(&site)).await;
        assert!(page.body.contains(&keys.public_hex()), "the public key is shown for offline checks");
        assert!(TicketToken::parse(&genuine.text()).is_ok());
    });
}
