//! What browsers and proxies may keep: static files for a year under content-hashed names,
//! in the encoding the browser accepts; no page or answer that carries a person's data, ever.

use crate::helpers::{resident_id, run, spawn_app, TestApp, CLIENT};
use axum::body::Body;
use axum::Router;
use http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, COOKIE, ETAG, IF_NONE_MATCH, VARY};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use server::startup;
use std::net::SocketAddr;
use tower::ServiceExt;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A site root as the release build leaves it: the stylesheet with its brotli and gzip
/// twins (distinct bytes, so the test sees which one was sent) and an uncompressed icon.
fn site_root() -> std::path::PathBuf {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let root = std::env::temp_dir().join(format!("ncre-test-site-{}", hex::encode(bytes)));
    std::fs::create_dir_all(root.join("pkg")).unwrap();
    let css = "body { color: #222; }\n".repeat(100);
    std::fs::write(root.join("pkg/ncre.css"), &css).unwrap();
    std::fs::write(root.join("pkg/ncre.css.br"), b"brotli twin").unwrap();
    std::fs::write(root.join("pkg/ncre.css.gz"), b"gzip twin").unwrap();
    std::fs::write(root.join("favicon.ico"), [0u8, 0, 1, 0]).unwrap();
    root
}

/// The app of `app` again, its static files loaded from `root`.
async fn with_site(app: &TestApp, root: &std::path::Path) -> Router {
    let mut settings = app.settings.clone();
    settings.leptos.site_root = root.to_string_lossy().into_owned().into();
    let dbs = startup::connect(&settings.database_url).await.unwrap();
    startup::build_router(startup::state(dbs, &settings, app.clock.clone()).unwrap())
}

async fn fetch(router: &Router, path: &str, headers: &[(http::HeaderName, &str)]) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(k, *v);
    }
    let mut req = req.body(Body::empty()).unwrap();
    let addr: SocketAddr = format!("{CLIENT}:40000").parse().unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    let res = router.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

fn header(headers: &HeaderMap, name: http::HeaderName) -> &str {
    headers.get(&name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[test]
fn static_files_are_hashed_immutable_and_sent_in_the_accepted_encoding() {
    run(async {
        let app = spawn_app().await;
        let root = site_root();
        let router = with_site(&app, &root).await;
        let (_, _, home) = fetch(&router, "/", &[]).await;
        let home = String::from_utf8(home).unwrap();
        let start = home.find("/pkg/ncre.").expect("the page links its stylesheet");
        let url: String = home[start..].chars().take_while(|c| *c != '"').collect();
        assert!(url.len() == "/pkg/ncre.".len() + 16 + ".css".len() && url.ends_with(".css"), "not hashed: {url}");

        let plain = "body { color: #222; }\n".repeat(100).into_bytes();
        for (accept, encoding, body) in [
            ("br;q=1.0, gzip;q=0.8", "br", b"brotli twin".to_vec()),
            ("gzip, deflate", "gzip", b"gzip twin".to_vec()),
            ("br;q=0, gzip;q=0", "", plain.clone()),
            ("", "", plain.clone()),
        ] {
            let (status, headers, got) = fetch(&router, &url, &[(ACCEPT_ENCODING, accept)]).await;
            assert_eq!(status, StatusCode::OK, "{accept}");
            assert_eq!(header(&headers, CACHE_CONTROL), IMMUTABLE, "{accept}");
            assert_eq!(header(&headers, CONTENT_ENCODING), encoding, "{accept}");
            assert!(header(&headers, VARY).to_ascii_lowercase().contains("accept-encoding"), "{accept}: no Vary");
            assert_eq!(got, body, "{accept}: wrong variant");
            // The browser's copy of that very variant is still good.
            let etag = header(&headers, ETAG).to_owned();
            assert!(!etag.is_empty(), "{accept}: no ETag");
            let (status, _, got) = fetch(&router, &url, &[(ACCEPT_ENCODING, accept), (IF_NONE_MATCH, &etag)]).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{accept}");
            assert!(got.is_empty());
        }
        // The unhashed name may change under the browser: it must ask again each time.
        let (status, headers, _) = fetch(&router, "/pkg/ncre.css", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(header(&headers, CACHE_CONTROL), "no-cache");
        // The twins are variants, not files of their own; a hash of other content is no file.
        for path in ["/pkg/ncre.css.br", "/pkg/ncre.css.gz", "/pkg/ncre.0000000000000000.css"] {
            assert_eq!(fetch(&router, path, &[]).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        let _ = std::fs::remove_dir_all(&root);
    })
}

#[test]
fn no_page_or_answer_is_ever_cacheable_and_pages_are_compressed() {
    run(async {
        let app = spawn_app().await;
        let cookie = app.candidate("cache@example.com", &resident_id(31)).await;
        let anonymous = ["/", "/pass/sign-in", "/pass/sign-up", "/pass/reset", "/no/such/page", "/api/home"];
        let signed_in = [
            "/",
            "/pass",
            "/register/agreement",
            "/register/info",
            "/register/subjects",
            "/register/status",
            "/register/photo/image",
            "/api/home",
        ];
        let mut seen = 0;
        for (path, who) in anonymous.iter().map(|p| (p, None)).chain(signed_in.iter().map(|p| (p, Some(&cookie)))) {
            let mut headers = vec![(ACCEPT_ENCODING, "gzip")];
            if let Some(c) = who {
                headers.push((COOKIE, c.as_str()));
            }
            let (status, headers, body) = fetch(&app.router, path, &headers).await;
            let cache = header(&headers, CACHE_CONTROL);
            assert!(
                cache.contains("no-store"),
                "{path} (signed in: {}): {status} with Cache-Control {cache:?}",
                who.is_some()
            );
            assert!(!cache.contains("public") && !cache.contains("max-age=3"), "{path}: {cache}");
            // Pages of some size travel compressed, and say the answer depends on that.
            if header(&headers, http::header::CONTENT_TYPE).starts_with("text/html") && status == StatusCode::OK {
                assert_eq!(header(&headers, CONTENT_ENCODING), "gzip", "{path}: a page sent uncompressed");
                assert!(header(&headers, VARY).to_ascii_lowercase().contains("accept-encoding"), "{path}");
                assert_eq!(&body[..2], &[0x1f, 0x8b], "{path}: not gzip");
                seen += 1;
            }
        }
        assert!(seen >= 8, "only {seen} pages were checked for compression");
    })
}
