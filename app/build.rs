//! Which forms are islands in this build. The server renders every island; a WASM bundle
//! (`frontend`'s features, built per group of pages by `scripts/lib/bundles.sh`) hydrates
//! only its own, and the others compile as plain components, so their code never reaches
//! it. `cfg(island_<group>)` is set when the group's islands are in this build.

const GROUPS: [&str; 12] = [
    "signup", "signin", "pass", "info", "subjects", "photo", "pay", "session", "sites", "offers", "notices", "accounts",
];

fn main() {
    let on = |f: &str| std::env::var_os(format!("CARGO_FEATURE_{}", f.to_uppercase().replace('-', "_"))).is_some();
    // Without `hydrate` (the server, the native tests) every island is one; `client-all`
    // (the default bundle, and `cargo leptos watch`) hydrates them all.
    let all = !on("hydrate") || on("client-all");
    for group in GROUPS {
        println!("cargo::rustc-check-cfg=cfg(island_{group})");
        if all || on(&format!("client-{group}")) {
            println!("cargo::rustc-cfg=island_{group}");
        }
    }
}
