//! Black-box tests of `matinale schedule`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

fn matinale(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_matinale"))
        .arg("schedule")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the instance");
    child.wait_with_output().expect("the binary finishes")
}

fn instance() -> Value {
    json!({"coverage_bonus": 5,
        "slots": [
            {"id": "s01", "starts_at": "2026-11-25T10:00:00+01:00", "ends_at": "2026-11-25T10:10:00+01:00", "tables": 2},
            {"id": "s02", "starts_at": "2026-11-25T10:10:00+01:00", "ends_at": "2026-11-25T10:20:00+01:00", "tables": 2}],
        "participants": [
            {"id": "b1", "side": "buyer"}, {"id": "b2", "side": "buyer", "available": ["s02"]},
            {"id": "e1", "side": "supplier"}, {"id": "e2", "side": "supplier", "max_meetings": 1}],
        "wishes": [
            {"from": "e1", "to": "b1", "weight": 3}, {"from": "b1", "to": "e1", "weight": 2},
            {"from": "e2", "to": "b1", "weight": 1}, {"from": "b2", "to": "e1", "weight": 2}],
        "kept": [{"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 2}]})
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn schedule_reads_stdin_and_writes_a_valid_schedule_to_stdout() {
    let out = matinale(&[], &instance().to_string());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let solution: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let meetings = solution["meetings"].as_array().expect("meetings");
    assert!(meetings.contains(&json!({"buyer": "b1", "supplier": "e1", "slot": "s01", "table": 2, "score": 5})));
    // b1–e1 (5) kept, b2–e1 (2) in s02, e2–b1 (1) in s02: 8 + 4 participants × 5.
    assert_eq!(solution["objective"], json!(28));
    assert!(solution["upper_bound"].as_f64().expect("bound") >= 28.0);
    assert_eq!(solution["stats"]["participants_met"], json!(4));
    let summary = stderr(&out);
    assert_eq!(summary.lines().count(), 1, "{summary}");
    assert!(summary.contains("3 meetings, objective 28, bound"), "{summary}");
    assert!(summary.contains("gap") && summary.contains(" ms"), "{summary}");
}

#[test]
fn schedule_reads_and_writes_files() {
    let dir = std::env::temp_dir().join(format!("matinale-schedule-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (input, output) = (dir.join("in.json"), dir.join("out.json"));
    std::fs::write(&input, instance().to_string()).expect("write input");
    let out = matinale(
        &["--input", input.to_str().unwrap(), "--output", output.to_str().unwrap()],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let solution: Value = serde_json::from_str(&std::fs::read_to_string(&output).expect("output")).expect("JSON");
    assert_eq!(solution["objective"], json!(28));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_same_input_gives_the_same_output() {
    let text = matinale(&["--generate", "20", "60", "12", "20", "--seed", "3"], "");
    assert_eq!(text.status.code(), Some(0), "{}", stderr(&text));
    let input = String::from_utf8_lossy(&text.stdout).into_owned();
    let strip = |out: Output| {
        let mut v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["stats"]["millis"] = json!(0);
        v
    };
    let first = strip(matinale(&[], &input));
    assert_eq!(first, strip(matinale(&[], &input)));
    assert!(first["meetings"].as_array().expect("meetings").len() > 100);
}

fn refused(edit: impl FnOnce(&mut Value), expected: &str) {
    let mut v = instance();
    edit(&mut v);
    let out = matinale(&[], &v.to_string());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains(expected),
        "{} does not say {expected}",
        stderr(&out)
    );
}

#[test]
fn bad_input_is_refused_with_exit_code_2_and_a_clear_message() {
    refused(
        |v| v["wishes"][2]["to"] = json!("x9"),
        r#"wish 3: "x9" is not a participant"#,
    );
    refused(
        |v| v["participants"][1]["id"] = json!("b1"),
        r#"participant "b1" appears twice"#,
    );
    refused(
        |v| v["wishes"][0]["to"] = json!("e2"),
        r#"wish 1: "e1" and "e2" are both suppliers"#,
    );
    refused(
        |v| v["wishes"][0]["weight"] = json!(5),
        "wish 1: weight 5 is outside 1..3",
    );
    refused(
        |v| v["wishes"][0]["weight"] = json!(-2),
        "wish 1: weight -2 is outside 1..3",
    );
    refused(
        |v| {
            let clash = json!({"buyer": "b2", "supplier": "e1", "slot": "s01", "table": 1});
            v["kept"].as_array_mut().expect("kept").push(clash)
        },
        r#"kept meeting 2 clashes with kept meeting 1: supplier "e1" twice in slot "s01""#,
    );
    refused(
        |v| v["kept"][0]["table"] = json!(3),
        r#"kept meeting 1: table 3 does not exist in slot "s01""#,
    );
    refused(
        |v| v["slots"][1]["starts_at"] = json!("2026-11-25T10:05:00+01:00"),
        r#"slots "s01" and "s02" overlap"#,
    );
    refused(
        |v| v["slots"][0]["ends_at"] = json!("2026-11-25T09:00:00+01:00"),
        r#"slot "s01" does not end after it starts"#,
    );
}

#[test]
fn malformed_json_is_bad_input_and_a_missing_file_is_an_io_error() {
    let out = matinale(&[], "{ not json");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not valid JSON"), "{}", stderr(&out));
    let out = matinale(&[], r#"{"slots": 3}"#);
    assert_eq!(out.status.code(), Some(2));
    let out = matinale(&["--input", "/nonexistent/instance.json"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot read /nonexistent/instance.json"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn generate_writes_an_instance_shaped_like_an_event() {
    let out = matinale(&["--generate", "100", "400", "16", "60", "--seed", "2"], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["slots"].as_array().expect("slots").len(), 16);
    assert_eq!(v["participants"].as_array().expect("participants").len(), 500);
    let partial = v["participants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p.get("available").is_some())
        .count();
    assert!((50..=150).contains(&partial), "{partial} partially available");
}
