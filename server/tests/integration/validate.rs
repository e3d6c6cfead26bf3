//! `server validate`: JSON Lines in, one verdict per line out; bad lines do not stop it.

use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn validate_writes_one_verdict_per_line() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
        .arg("validate")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("server binary runs");
    let input = [
        r#"{"step":"identity","fields":{"doc_type":"resident_id","doc_number":"１１０１０５１９４９１２３１００２x","name":"买买提.艾力"}}"#,
        "this is not json",
        r#"{"step":"contact","fields":{"postcode":"83000"}}"#,
        r#"{"step":"school","fields":{"student_no":"2023-01"}}"#,
    ]
    .join("\n");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["ok"], true);
    assert_eq!(lines[0]["normalized"]["doc_number"], "11010519491231002X");
    assert_eq!(lines[0]["derived"], serde_json::json!({"birth_date": "1949-12-31", "gender": "female"}));
    assert_eq!(lines[1]["ok"], false);
    assert_eq!(lines[1]["errors"][0]["code"], "input.json");
    assert_eq!(lines[2]["errors"][0]["code"], "postcode.format");
    assert_eq!(lines[3]["ok"], true);
}
