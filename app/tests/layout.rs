//! Checks of the source tree itself, so the layout stays as docs/ARCHITECTURE.md draws it:
//! which of the app's modules may use which (no cycle between `api` and `server`), and every
//! path of the site spelled only in `app/src/urls.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn slashed(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

// ---- which module may use which ----

/// The app's top-level modules each module must not name, the direction of the layers:
/// `domain` and `validation` (the rules) use nothing above them; `views` (what travels to a
/// page) only the rules; `server` (the bodies of the server functions) the rules and views;
/// `api` (the server functions) hands over to `server`; pages and components sit on top and
/// never reach into `server`.
const FORBIDDEN: [(&str, &[&str]); 7] = [
    ("domain", &["validation", "views", "api", "server", "pages", "components", "routes"]),
    ("validation", &["views", "api", "server", "pages", "components", "routes"]),
    ("views", &["api", "server", "pages", "components", "routes"]),
    ("server", &["api", "pages", "components", "routes"]),
    ("api", &["pages", "components", "routes"]),
    // Components read the server's table of hashed asset names (under `ssr`), nothing else.
    ("components", &["pages", "routes"]),
    ("pages", &["server", "routes"]),
];

/// The module path of a file under `app/src`: `server/payment/mod.rs` is `[server, payment]`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root().join("src")).expect("under app/src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_owned());
    }
    parts
}

/// The top-level modules of the crate that `code` (of the module at `module`) names through
/// `crate::…` or `super::…` paths, including `use crate::{a::…, b::…}` groups.
fn named_modules(code: &str, module: &[String]) -> Vec<String> {
    let code: String = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join(" ");
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = Vec::new();
    let mut rest = code.as_str();
    loop {
        let at = match (rest.find("crate::"), rest.find("super::")) {
            (Some(c), Some(s)) => c.min(s),
            (Some(at), None) | (None, Some(at)) => at,
            (None, None) => break,
        };
        let preceded_by_ident =
            rest[..at].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$');
        let mut tail = &rest[at..];
        let mut base: Vec<String> = Vec::new();
        if let Some(t) = tail.strip_prefix("crate::") {
            tail = t;
        } else {
            base = module.to_vec();
            while let Some(t) = tail.strip_prefix("super::") {
                base.pop();
                tail = t;
            }
        }
        if !preceded_by_ident {
            if let Some(group) = tail.strip_prefix('{') {
                // The group's items at depth one: `{a::{b, c}, d}` names `a` and `d`.
                let (mut depth, mut start) = (0usize, 0usize);
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            out.push(base.first().cloned().unwrap_or_else(|| ident(group[start..i].trim())));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.push(base.first().cloned().unwrap_or_else(|| ident(group[start..i].trim())));
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
            } else {
                out.push(base.first().cloned().unwrap_or_else(|| ident(tail)));
            }
        }
        rest = tail;
    }
    out.retain(|m| !m.is_empty());
    out
}

#[test]
fn the_module_reader_sees_every_form_of_path() {
    let module = vec!["server".to_owned(), "payment".to_owned(), "orders".to_owned()];
    let found = named_modules(
        "use crate::api::AppError;\nuse crate::{views::{Next, Posted}, pages};\n// crate::routes\n\
         let x = crate::server::f();\nuse super::super::super::api::x;\nuse super::gateway;\nmy_crate::components::x;",
        &module,
    );
    assert_eq!(found, ["api", "views", "pages", "server", "api", "server"]);
    assert_eq!(module_of(&root().join("src/server/payment/mod.rs")), ["server", "payment"]);
    assert_eq!(module_of(&root().join("src/lib.rs")), Vec::<String>::new());
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    let mut wrong = Vec::new();
    let mut checked = 0;
    for file in &files {
        let module = module_of(file);
        let Some((top, forbidden)) = module.first().and_then(|m| FORBIDDEN.iter().find(|(name, _)| name == m)) else {
            continue;
        };
        checked += 1;
        let code = std::fs::read_to_string(file).expect("source file");
        for named in named_modules(&code, &module) {
            if forbidden.contains(&named.as_str()) {
                wrong.push(format!("{}: `{top}` uses `{named}`", slashed(file)));
            }
        }
    }
    assert!(checked > 60, "checked only {checked} files");
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "modules reaching the wrong way (see docs/ARCHITECTURE.md):\n{}", wrong.join("\n"));
}

// ---- every path in one place ----

/// Files of the site that may not spell a path: everything under `app/src`, `server/src`
/// and `frontend/src` but `urls.rs` and the mail catcher (a separate program with its own
/// paths, as is the sandbox payment platform under `pay/`, not scanned), and the unit tests
/// at the end of a file (which check paths as a browser sees them).
fn path_sources() -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    walk(&root().join("../server/src"), &mut files);
    walk(&root().join("../frontend/src"), &mut files);
    files.retain(|f| {
        let f = slashed(f);
        !(f.ends_with("app/src/urls.rs")
            || f.contains("server/src/sandbox/")
            || f.ends_with("server/src/mail_catcher.rs"))
    });
    assert!(files.len() > 50, "found only {} source files", files.len());
    files
}

/// The code of a file before its unit tests.
fn code_before_tests(file: &Path) -> String {
    let text = std::fs::read_to_string(file).expect("source file");
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

/// Whether `literal` (the text between two quotes) spells one of the site's paths.
fn is_site_path(literal: &str) -> bool {
    let path = literal.split(['?', '#']).next().unwrap_or_default();
    if path == "/" || literal.starts_with("/?") {
        return true;
    }
    const PREFIXES: [&str; 6] = ["/register", "/pass", "/api", "/pkg", "/pay/", "/staff"];
    let files = [app::urls::FAVICON, app::urls::CLIENT_JS];
    PREFIXES
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")) || (p.ends_with('/') && path.starts_with(p)))
        || files.contains(&path)
}

/// The string literals of `code`, naively (enough for our sources: no raw strings hold
/// paths).
fn literals(code: &str) -> impl Iterator<Item = (usize, &str)> {
    code.lines().enumerate().flat_map(|(n, line)| {
        let line = if line.trim_start().starts_with("//") || line.contains("#[server(") { "" } else { line };
        line.split('"').skip(1).step_by(2).map(move |lit| (n + 1, lit))
    })
}

#[test]
fn the_path_check_sees_what_it_must() {
    for lit in [
        "/",
        "/?notice=verified",
        "/register/info",
        "/pass",
        "/pass/sign-in?notice=x",
        "/api/photo",
        "/pkg/ncre.css",
        "/pay/notify",
        "/favicon.svg",
        "/client.js",
        "/staff",
    ] {
        assert!(is_site_path(lit), "{lit}");
    }
    for lit in ["/gateway/orders", "/passage", "/messages", "a/register", "", "//"] {
        assert!(!is_site_path(lit), "{lit}");
    }
    let found: Vec<_> =
        literals("let a = \"/pass\";\n// \"/register\"\nlet b = format!(\"{x}/\", \"/api\");").collect();
    assert_eq!(found, vec![(1, "/pass"), (3, "{x}/"), (3, "/api")]);
}

#[test]
fn no_path_literal_outside_urls() {
    let mut found = Vec::new();
    for file in path_sources() {
        for (line, lit) in literals(&code_before_tests(&file)) {
            if is_site_path(lit) {
                found.push(format!("{}:{line}: \"{lit}\"", slashed(&file)));
            }
        }
    }
    assert!(found.is_empty(), "paths belong in app/src/urls.rs:\n{}", found.join("\n"));
}
