//! The site's static files (the stylesheet, the WASM client and its JavaScript, the icon),
//! read once at start-up and answered from memory with one hash-map lookup.
//!
//! Every file is served under two names: its own (`/pkg/ncre.css`, revalidated by ETag) and
//! a content-hashed one (`/pkg/ncre.3f9a0c1d2e4b5a69.css`) that never changes meaning, so
//! it is cached for a year as `immutable`. Pages link the hashed names only (`url`). A
//! deploy with new files gives new names; a browser never runs yesterday's client against
//! today's pages.
//!
//! Compressed twins made at build time (`cargo leptos build --release --precompress` writes
//! `ncre.wasm.br` and `ncre.wasm.gz` beside `ncre.wasm`) are served to browsers that accept
//! them (`Accept-Encoding`, with q-values), with `Vary: Accept-Encoding`. Nothing here is
//! personal: pages and photos never come from this map.

use axum::body::{Body, Bytes};
use axum::response::Response;
use http::header::{
    HeaderMap, HeaderValue, ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH, VARY,
};
use http::StatusCode;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// How long a hashed name may be cached: its content can never change.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// A plain name may get new content with the next deploy: ask again each time (ETag).
pub const REVALIDATE: &str = "no-cache";

/// An encoding we hold a file in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
            Encoding::Identity => "identity",
        }
    }
}

/// One file with its variants.
#[derive(Debug)]
struct Asset {
    content_type: &'static str,
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    /// Hex of the first 8 bytes of the content's SHA-256.
    hash: String,
}

impl Asset {
    fn variant(&self, encoding: Encoding) -> Option<&Bytes> {
        match encoding {
            Encoding::Brotli => self.brotli.as_ref(),
            Encoding::Gzip => self.gzip.as_ref(),
            Encoding::Identity => Some(&self.identity),
        }
    }

    fn compressed(&self) -> bool {
        self.brotli.is_some() || self.gzip.is_some()
    }

    /// A strong ETag per variant: the bytes differ between encodings.
    fn etag(&self, encoding: Encoding) -> String {
        match encoding {
            Encoding::Identity => format!("\"{}\"", self.hash),
            other => format!("\"{}-{}\"", self.hash, other.token()),
        }
    }
}

/// The request path an asset answers to, under each name.
struct Route {
    asset: Arc<Asset>,
    immutable: bool,
}

#[derive(Default)]
pub struct Assets {
    routes: HashMap<String, Route>,
    /// Plain path → hashed path, for the pages' links.
    hashed: HashMap<String, String>,
}

impl std::fmt::Debug for Assets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assets").field("files", &self.hashed.len()).finish()
    }
}

impl Assets {
    /// Reads every file under `root` (the site root cargo-leptos writes). A missing root (an
    /// in-process test, a server built without the front end) gives an empty set: pages
    /// then link the plain names, which answer 404.
    pub fn load(root: &Path) -> std::io::Result<Self> {
        let mut assets = Assets::default();
        if !root.is_dir() {
            tracing::warn!(root = %root.display(), "no site root: static files will not be served");
            return Ok(assets);
        }
        let mut files = Vec::new();
        walk(root, &mut files)?;
        // Compressed twins belong to their file; TypeScript declarations (wasm-bindgen writes
        // them beside the module) are for editors, not browsers.
        let skipped =
            |p: &Path| p.extension().is_some_and(|e| e == "br" || e == "gz") || p.to_string_lossy().ends_with(".d.ts");
        for path in files.iter().filter(|p| !skipped(p)) {
            let Ok(relative) = path.strip_prefix(root) else { continue };
            let Some(plain) = url_path(relative) else { continue };
            let identity = Bytes::from(std::fs::read(path)?);
            let twin = |ext: &str| -> std::io::Result<Option<Bytes>> {
                let mut name = path.as_os_str().to_owned();
                name.push(ext);
                match std::fs::read(Path::new(&name)) {
                    Ok(b) => Ok(Some(Bytes::from(b))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            };
            let asset = Asset {
                content_type: content_type(&plain),
                hash: hex::encode(&Sha256::digest(&identity)[..8]),
                brotli: twin(".br")?,
                gzip: twin(".gz")?,
                identity,
            };
            assets.insert(plain, asset);
        }
        tracing::info!(files = assets.hashed.len(), root = %root.display(), "static files loaded");
        Ok(assets)
    }

    fn insert(&mut self, plain: String, asset: Asset) {
        let hashed = hashed_name(&plain, &asset.hash);
        let asset = Arc::new(asset);
        self.routes.insert(hashed.clone(), Route { asset: asset.clone(), immutable: true });
        self.routes.insert(plain.clone(), Route { asset, immutable: false });
        self.hashed.insert(plain, hashed);
    }

    /// The name a page links for the file at `plain` (`/pkg/ncre.css`): the hashed one when
    /// the file is there, the plain one otherwise.
    pub fn url(&self, plain: &str) -> String {
        self.hashed.get(plain).cloned().unwrap_or_else(|| plain.to_owned())
    }

    /// Whether a file is held under its plain name.
    pub fn contains(&self, plain: &str) -> bool {
        self.hashed.contains_key(plain)
    }

    /// The answer for a GET or HEAD of `path`, if it names a static file.
    pub fn respond(&self, path: &str, headers: &HeaderMap) -> Option<Response> {
        let route = self.routes.get(path)?;
        let asset = &route.asset;
        let encoding = negotiate(headers.get(ACCEPT_ENCODING), asset);
        let etag = asset.etag(encoding);
        let not_modified = headers
            .get_all(IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag);
        let body = if not_modified { Bytes::new() } else { asset.variant(encoding)?.clone() };
        let length = body.len();
        let mut res = Response::new(Body::from(body));
        let h = res.headers_mut();
        h.insert(CACHE_CONTROL, HeaderValue::from_static(if route.immutable { IMMUTABLE } else { REVALIDATE }));
        if let Ok(v) = HeaderValue::from_str(&etag) {
            h.insert(ETAG, v);
        }
        if asset.compressed() {
            h.insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
        if not_modified {
            *res.status_mut() = StatusCode::NOT_MODIFIED;
            return Some(res);
        }
        h.insert(CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        h.insert(CONTENT_LENGTH, HeaderValue::from(length));
        if encoding != Encoding::Identity {
            h.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding.token()));
        }
        Some(res)
    }

    /// How many files (each under two names).
    pub fn len(&self) -> usize {
        self.hashed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashed.is_empty()
    }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// `pkg/ncre.css` → `/pkg/ncre.css`; `None` for a name a URL cannot carry as it is.
fn url_path(relative: &Path) -> Option<String> {
    let mut out = String::new();
    for part in relative.components() {
        let part = part.as_os_str().to_str()?;
        if !part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
            return None;
        }
        out.push('/');
        out.push_str(part);
    }
    Some(out)
}

/// `/pkg/ncre.css` with hash `h` → `/pkg/ncre.h.css`; `/LICENSE` → `/LICENSE.h`.
fn hashed_name(plain: &str, hash: &str) -> String {
    let (dir, file) = plain.rsplit_once('/').unwrap_or(("", plain));
    match file.split_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{dir}/{stem}.{hash}.{ext}"),
        _ => format!("{dir}/{file}.{hash}"),
    }
}

fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "json" | "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        "html" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The best variant the client accepts: brotli, then gzip, then the file as it is. A coding
/// with `q=0` is refused; `identity;q=0` without an acceptable coding still gets identity
/// (a 406 would help nobody).
pub fn negotiate_encoding(accept: Option<&HeaderValue>, have_brotli: bool, have_gzip: bool) -> Encoding {
    let Some(accept) = accept.and_then(|v| v.to_str().ok()) else { return Encoding::Identity };
    let mut q_br = None;
    let mut q_gzip = None;
    let mut q_any = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
            .find_map(|v| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "br" => q_br = Some(q),
            "gzip" | "x-gzip" => q_gzip = Some(q),
            "*" => q_any = Some(q),
            _ => {}
        }
    }
    let q_br = q_br.or(q_any).unwrap_or(0.0);
    let q_gzip = q_gzip.or(q_any).unwrap_or(0.0);
    if have_brotli && q_br > 0.0 && (q_br >= q_gzip || !have_gzip) {
        Encoding::Brotli
    } else if have_gzip && q_gzip > 0.0 {
        Encoding::Gzip
    } else if have_brotli && q_br > 0.0 {
        Encoding::Brotli
    } else {
        Encoding::Identity
    }
}

fn negotiate(accept: Option<&HeaderValue>, asset: &Asset) -> Encoding {
    negotiate_encoding(accept, asset.brotli.is_some(), asset.gzip.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(v: &'static str) -> Option<HeaderValue> {
        Some(HeaderValue::from_static(v))
    }

    #[test]
    fn picks_the_best_accepted_encoding() {
        use Encoding::*;
        let cases: &[(&str, Option<&'static str>, Encoding)] = &[
            ("no header", None, Identity),
            ("a browser", Some("gzip, deflate, br, zstd"), Brotli),
            ("gzip only", Some("gzip"), Gzip),
            ("brotli refused", Some("br;q=0, gzip"), Gzip),
            ("gzip preferred by weight", Some("br;q=0.5, gzip;q=0.8"), Gzip),
            ("anything", Some("*"), Brotli),
            ("anything but brotli", Some("*, br;q=0"), Gzip),
            ("identity only", Some("identity"), Identity),
            ("nothing we hold", Some("zstd, deflate"), Identity),
            ("upper case", Some("GZIP;Q=1"), Gzip),
        ];
        for (what, header, want) in cases {
            assert_eq!(negotiate_encoding(header.map(HeaderValue::from_static).as_ref(), true, true), *want, "{what}");
        }
        assert_eq!(negotiate_encoding(accept("br").as_ref(), false, true), Identity, "brotli asked, only gzip held");
        assert_eq!(negotiate_encoding(accept("br, gzip").as_ref(), false, true), Gzip);
    }

    #[test]
    fn names_carry_the_hash_before_the_extension() {
        assert_eq!(hashed_name("/pkg/ncre.css", "ab12"), "/pkg/ncre.ab12.css");
        assert_eq!(hashed_name("/pkg/ncre_bg.wasm", "ab12"), "/pkg/ncre_bg.ab12.wasm");
        assert_eq!(hashed_name("/favicon.svg", "ab12"), "/favicon.ab12.svg");
        assert_eq!(hashed_name("/LICENSE", "ab12"), "/LICENSE.ab12");
        assert_eq!(hashed_name("/.well", "ab12"), "/.well.ab12");
        assert_eq!(url_path(Path::new("pkg/ncre.js")).as_deref(), Some("/pkg/ncre.js"));
        assert_eq!(url_path(Path::new("pkg/a b.js")), None);
    }

    fn site() -> (tempdir::Dir, Assets) {
        let dir = tempdir::Dir::new();
        std::fs::create_dir_all(dir.0.join("pkg")).unwrap();
        std::fs::write(dir.0.join("pkg/ncre.css"), "body{}").unwrap();
        std::fs::write(dir.0.join("pkg/ncre.css.br"), "BR").unwrap();
        std::fs::write(dir.0.join("pkg/ncre.css.gz"), "GZ").unwrap();
        std::fs::write(dir.0.join("favicon.svg"), "<svg/>").unwrap();
        let assets = Assets::load(&dir.0).unwrap();
        (dir, assets)
    }

    mod tempdir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let mut b = [0u8; 8];
                getrandom::fill(&mut b).unwrap();
                let p = std::env::temp_dir().join(format!("ncre-assets-{}", hex::encode(b)));
                std::fs::create_dir_all(&p).unwrap();
                Dir(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    fn get(assets: &Assets, path: &str, headers: &[(&'static str, &'static str)]) -> Option<Response> {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, HeaderValue::from_static(v));
        }
        assets.respond(path, &h)
    }

    fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
        r.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn serves_hashed_names_for_a_year_and_plain_names_revalidated() {
        let (_dir, assets) = site();
        assert_eq!(assets.len(), 2);
        let url = assets.url("/pkg/ncre.css");
        assert!(url.starts_with("/pkg/ncre.") && url.ends_with(".css") && url.len() == "/pkg/ncre..css".len() + 16);
        let hashed = get(&assets, &url, &[("accept-encoding", "gzip, br")]).unwrap();
        assert_eq!(header(&hashed, "cache-control"), Some(IMMUTABLE));
        assert_eq!(header(&hashed, "content-encoding"), Some("br"));
        assert_eq!(header(&hashed, "vary"), Some("accept-encoding"));
        assert_eq!(header(&hashed, "content-type"), Some("text/css; charset=utf-8"));
        assert_eq!(header(&hashed, "content-length"), Some("2"));
        let plain = get(&assets, "/pkg/ncre.css", &[]).unwrap();
        assert_eq!(header(&plain, "cache-control"), Some(REVALIDATE));
        assert_eq!(header(&plain, "content-encoding"), None);
        assert_eq!(header(&plain, "content-length"), Some("6"));
        // A file without compressed twins does not vary.
        let icon = get(&assets, &assets.url("/favicon.svg"), &[("accept-encoding", "br")]).unwrap();
        assert_eq!(header(&icon, "vary"), None);
        assert_eq!(header(&icon, "content-encoding"), None);
        assert!(get(&assets, "/pkg/ncre.css.br", &[]).is_none(), "twins are not files of their own");
        assert!(get(&assets, "/pkg/other.css", &[]).is_none());
        assert_eq!(assets.url("/missing.js"), "/missing.js");
    }

    #[test]
    fn answers_not_modified_for_the_variant_the_browser_holds() {
        let (_dir, assets) = site();
        let first = get(&assets, "/pkg/ncre.css", &[("accept-encoding", "gzip")]).unwrap();
        let etag = header(&first, "etag").unwrap().to_owned();
        assert!(etag.ends_with("-gzip\""));
        let mut h = HeaderMap::new();
        h.insert("accept-encoding", HeaderValue::from_static("gzip"));
        h.insert("if-none-match", HeaderValue::from_str(&etag).unwrap());
        let again = assets.respond("/pkg/ncre.css", &h).unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        // The same tag with another encoding is another variant: sent in full.
        h.insert("accept-encoding", HeaderValue::from_static("br"));
        assert_eq!(assets.respond("/pkg/ncre.css", &h).unwrap().status(), StatusCode::OK);
    }

    #[test]
    fn a_missing_site_root_serves_nothing() {
        let assets = Assets::load(Path::new("/nonexistent/site/root")).unwrap();
        assert!(assets.is_empty());
        assert_eq!(assets.url("/pkg/ncre.css"), "/pkg/ncre.css");
    }
}
