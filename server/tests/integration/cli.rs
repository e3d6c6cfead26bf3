//! The `server` command line: `--help` lists every subcommand and succeeds; a mistyped
//! subcommand or argument is a usage error (exit 2) that changes nothing and logs nothing.

use std::process::{Command, Output};

fn server(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server")).args(args).output().expect("server binary runs")
}

#[test]
fn help_lists_every_subcommand() {
    let out = server(&["--help"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for command in ["serve", "migrate", "seed-demo", "seed-candidates", "validate", "mail-catcher", "staff", "backup"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(command)), "{command} missing from:\n{text}");
    }
    // The sandbox payment platform is its own program (`pay-sandbox`), not a subcommand.
    assert!(!text.contains("sandbox"), "{text}");
}

#[test]
fn each_subcommand_has_its_own_help() {
    let out = server(&["seed-candidates", "--help"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("Usage: server seed-candidates [OPTIONS] <N>"), "{text}");
    assert!(text.contains("--registrations"), "{text}");
}

#[test]
fn a_mistyped_command_is_a_usage_error() {
    for args in
        [&["serv"][..], &["seed-candidates", "many"], &["seed-candidates"], &["migrate", "--force"], &["pay-sandbox"]]
    {
        let out = server(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(!err.contains("ERROR"), "a usage error is not logged as a failure: {err}");
        assert!(out.stdout.is_empty());
    }
}

fn server_on(db: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_server"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}?mode=rwc", db.display()))
        .env("APP_DATA_KEY", "7".repeat(64))
        .env("APP_PUBLIC_URL", "https://ncre.example")
        .output()
        .expect("server binary runs")
}

#[test]
fn staff_add_creates_an_account_and_prints_its_one_time_link() {
    let db = std::env::temp_dir().join(format!("ncre-cli-staff-{}.db", std::process::id()));
    assert!(server_on(&db, &["migrate"]).status.success());
    assert!(server_on(&db, &["seed-demo"]).status.success());
    let add =
        ["staff", "add", "--email", "li@xju.example.cn", "--name", "李老师", "--role", "site", "--site", "650101"];
    let out = server_on(&db, &add);
    assert!(out.status.success(), "{out:?}");
    let link = String::from_utf8(out.stdout).unwrap();
    let token = link.trim().strip_prefix("https://ncre.example/staff/set-password?token=").expect("the link");
    assert!(token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()), "{link}");
    for (args, says) in [
        (&add[..], "exists already"),
        (&["staff", "add", "--email", "x@y.cn", "--name", "x", "--role", "site"][..], "at least one --site"),
        (&["staff", "add", "--email", "x@y.cn", "--name", "x", "--role", "site", "--site", "110101"], "no province 11"),
        (&["staff", "add", "--email", "x@y.cn", "--name", "x", "--role", "boss", "--site", "650101"], "--role"),
        (&["staff", "add", "--email", "not-mail", "--name", "x", "--role", "province", "--province", "65"], "--email"),
        (
            &[
                "staff",
                "add",
                "--email",
                "x@y.cn",
                "--name",
                "x",
                "--role",
                "province",
                "--province",
                "65",
                "--site",
                "650101",
            ],
            "give no --site",
        ),
    ] {
        let out = server_on(&db, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(says), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty());
    }
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}

#[test]
fn staff_code_prints_what_an_authenticator_app_shows() {
    use app::server::staff::totp;
    let secret = "NCREDEMOPROVINCEADMINSECRETKEYAB";
    let before = totp::step_of(u64::try_from(chrono::Utc::now().timestamp()).unwrap());
    let out = server(&["staff", "code", "ncre demo provinceadminsecretkeyab"]);
    let after = totp::step_of(u64::try_from(chrono::Utc::now().timestamp()).unwrap());
    assert!(out.status.success(), "{out:?}");
    let code = String::from_utf8(out.stdout).unwrap();
    let expected: Vec<String> = (before..=after).map(|s| totp::code_at(secret, s).unwrap()).collect();
    assert!(expected.contains(&code.trim().to_owned()), "{code} not in {expected:?}");
}
