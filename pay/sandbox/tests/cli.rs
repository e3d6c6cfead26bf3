//! The `pay-sandbox` command line: `--help` lists its subcommands, `keygen` writes a key pair
//! for each side and keeps existing keys, and a mistyped command is a usage error.
#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

fn sandbox(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pay-sandbox")).args(args).output().expect("pay-sandbox binary runs")
}

#[test]
fn help_lists_the_subcommands() {
    let out = sandbox(&["--help"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for command in ["serve", "keygen"] {
        assert!(text.lines().any(|l| l.trim_start().starts_with(command)), "{command} missing from:\n{text}");
    }
    let out = sandbox(&["keygen", "--help"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8(out.stdout).unwrap().contains("Usage: pay-sandbox keygen <DIR>"));
}

#[test]
fn keygen_writes_both_pairs_once() {
    let dir = std::env::temp_dir().join(format!("pay-sandbox-keygen-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = sandbox(&["keygen", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let first: Vec<String> = ["platform.key", "platform.pub", "merchant.key", "merchant.pub"].map(read).to_vec();
    let key = pay_protocol::SigningKey::from_hex(&first[0]).unwrap();
    assert_eq!(key.public().to_hex(), first[1].trim());
    assert!(sandbox(&["keygen", dir.to_str().unwrap()]).status.success());
    let again: Vec<String> = ["platform.key", "platform.pub", "merchant.key", "merchant.pub"].map(read).to_vec();
    assert_eq!(first, again, "existing keys are kept");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_mistyped_command_is_a_usage_error() {
    for args in [&["serv"][..], &["keygen"], &["serve", "--port", "1"]] {
        let out = sandbox(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        assert!(String::from_utf8(out.stderr).unwrap().starts_with("error: "), "{args:?}");
        assert!(out.stdout.is_empty());
    }
}
