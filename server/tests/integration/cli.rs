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
    for command in ["serve", "migrate", "seed-demo", "seed-candidates", "validate", "mail-catcher"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(command)), "{command} missing from:\n{text}");
    }
    // The sandbox payment platform is its own program (`pay-sandbox`), not a subcommand.
    assert!(!text.contains("sandbox"), "{text}");
}

#[test]
fn each_subcommand_has_its_own_help() {
    let out = server(&["seed-candidates", "--help"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8(out.stdout).unwrap().contains("Usage: server seed-candidates <N>"));
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
