//! Shared by the integration tests: fixtures from a real matinale, the independent
//! iCalendar check (Python `icalendar`) and a real SMTP server (Python `aiosmtpd`).
//!
//! The Python helpers live in the workspace's `tests/support/`. When python3 or a package is
//! missing, a test fails if `CI` is set and otherwise skips with a loud message.
#![allow(dead_code)] // each test binary uses a different part of this module

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use matinale_domain::event::Category;
use matinale_domain::partner::{PartyView, ShownOrganisation};
use matinale_notify::calendar::{Contact, Invitation, MeetingEntry, MeetingParty, Span};
use matinale_notify::templates::{EventInfo, Venue};
use serde_json::Value;

/// `tests/support/<name>` of the workspace, looked for upwards from the crate that includes
/// this module (this crate, or the workspace's HTTP tests). A missing script is a failure,
/// not a skip: python3 would exit with 2, which means "package missing" to the callers.
pub fn support_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("tests/support").join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("tests/support/{name} not found above {}", env!("CARGO_MANIFEST_DIR")))
}

pub fn utc(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("test literal")
        .with_timezone(&Utc)
}

/// The Python that runs the helpers: `MATINALE_TEST_PYTHON` (`make test` sets it to the
/// project's virtual environment, `.venv/`, where it installs their packages), else `python3`.
pub fn python_program() -> String {
    std::env::var("MATINALE_TEST_PYTHON")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// A command that runs [`python_program`].
pub fn python_command() -> Command {
    Command::new(python_program())
}

/// Either panics (in CI, where every tool must be installed) or says loudly why a test
/// does not run here, and appends that to the file `MATINALE_TEST_SKIPS` names (`make test`
/// prints it in its last lines), so that a skip is never a silent `ok`.
pub fn missing_tool(what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{what} (CI is set: install it, see crates/notify/README.md)");
    }
    eprintln!("\n!!!!! SKIPPED: {what}. Set CI=1 to make this a failure. !!!!!\n");
    record_skip(what);
}

/// Appends "test: what was not checked" to the file `MATINALE_TEST_SKIPS` names, if any.
pub fn record_skip(what: &str) {
    let Some(path) = std::env::var_os("MATINALE_TEST_SKIPS") else {
        return;
    };
    // The test harness names each test's thread after the test.
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let line = format!("{test}: {}\n", what.lines().next().unwrap_or(what));
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = appended {
        eprintln!("could not record the skip in {}: {e}", Path::new(&path).display());
    }
}

/// From `starts` to `ends` (RFC 3339), shown in Paris time.
pub fn paris(starts: &str, ends: &str) -> Span {
    Span {
        starts_at: utc(starts),
        ends_at: utc(ends),
        timezone: chrono_tz::Europe::Paris,
    }
}

pub fn matinale() -> EventInfo {
    EventInfo {
        uid: "event-0190f3c4-5a6b-7c8d-9e0f-112233445566@matinale".into(),
        sequence: 0,
        title: "Matinale des achats responsables — 4e édition".into(),
        description: "Quiz, point juridique sur le critère environnemental, stands inversés et speed meetings entre acheteurs publics et structures de l'ESS.".into(),
        span: paris("2026-11-25T09:00:00+01:00", "2026-11-25T12:30:00+01:00"),
        venue: Some(Venue {
            name: "Hôtel de ville".into(),
            address: "2 avenue Youri-Gagarine".into(),
            postcode: "94400".into(),
            city: "Vitry-sur-Seine".into(),
        }),
        online_url: None,
        url: Some("https://matinale.example.org/events/0190f3c4".into()),
        organizer: Some(Contact {
            name: "Grand-Orly Seine Bièvre".into(),
            email: "ess@grandorlyseinebievre.example".into(),
        }),
    }
}

pub fn meeting(number: u32, starts: &str, ends: &str, table: u32) -> MeetingEntry {
    MeetingEntry {
        uid: format!("meeting-0190f3c4-0000-7000-8000-00000000000{number}@matinale"),
        sequence: 0,
        event_title: "Matinale des achats responsables — 4e édition".into(),
        buyer: MeetingParty {
            shown: PartyView {
                name: Some("Claire Dubois".into()),
                organisation: ShownOrganisation::Confirmed("Ville d'Ivry-sur-Seine".into()),
                category: Category::Buyer,
            },
            recipient: true,
        },
        supplier: MeetingParty {
            shown: PartyView {
                name: Some("Karim Benali".into()),
                organisation: ShownOrganisation::Confirmed(if number.is_multiple_of(2) {
                    "Adopte un Bureau".into()
                } else {
                    "Rejoué".into()
                }),
                category: Category::EssStructure,
            },
            recipient: false,
        },
        table,
        span: paris(starts, ends),
        invitation: Invitation {
            location: Some("Hôtel de ville, 2 avenue Youri-Gagarine, 94400 Vitry-sur-Seine".into()),
            url: Some("https://matinale.example.org/agenda".into()),
            organizer: Some(Contact {
                name: "Grand-Orly Seine Bièvre".into(),
                email: "ess@grandorlyseinebievre.example".into(),
            }),
            attendees: vec![Contact {
                name: "Claire Dubois".into(),
                email: "claire.dubois@ivry.example".into(),
            }],
        },
        cancelled: false,
    }
}

/// What `check_ics.py` understood of a calendar.
pub struct ParsedCalendar(pub Value);

impl ParsedCalendar {
    pub fn components(&self, name: &str) -> Vec<&Value> {
        self.0["components"]
            .as_array()
            .expect("components")
            .iter()
            .filter(|c| c["name"] == name)
            .collect()
    }

    pub fn component(&self, name: &str) -> &Value {
        let found = self.components(name);
        assert_eq!(found.len(), 1, "expected exactly one {name}");
        found[0]
    }
}

/// All properties called `name` in a parsed component.
pub fn props<'a>(component: &'a Value, name: &str) -> Vec<&'a Value> {
    component["properties"]
        .as_array()
        .expect("properties")
        .iter()
        .filter(|p| p["name"] == name)
        .collect()
}

/// The single property `name` of a parsed component.
pub fn prop<'a>(component: &'a Value, name: &str) -> &'a Value {
    let found = props(component, name);
    assert_eq!(found.len(), 1, "expected exactly one {name} in {component}");
    found[0]
}

/// Starts a Python helper with its standard streams piped; `None` (after [`missing_tool`])
/// when python3 cannot be started.
fn python(command: &mut Command) -> Option<Child> {
    let started = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    match started {
        Ok(child) => Some(child),
        Err(error) => {
            missing_tool(&format!("python3 cannot be started ({error})"));
            None
        }
    }
}

/// Runs the independent parser on `ics`. `None` when it cannot run here (outside CI).
/// Panics when it rejects the calendar or reports a structural problem.
pub fn check_ics(ics: &str) -> Option<ParsedCalendar> {
    let mut child = python(python_command().arg(support_script("check_ics.py")))?;
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(ics.as_bytes())
        .expect("write the calendar to check_ics.py");
    let output = child.wait_with_output().expect("check_ics.py output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(2) => {
            missing_tool(stderr.trim());
            return None;
        }
        _ => panic!(
            "check_ics.py rejected the calendar:\n{}\n{stderr}\n--- calendar ---\n{ics}",
            String::from_utf8_lossy(&output.stdout)
        ),
    }
    let parsed: Value = serde_json::from_slice(&output.stdout).expect("check_ics.py prints JSON");
    Some(ParsedCalendar(parsed))
}

/// A running `smtp_sink.py` on a free port, saving messages under its own directory.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts the sink; `extra` are more arguments (e.g. `--rcpt-reply "550 …"`).
    /// `None` when it cannot run here (outside CI).
    pub fn start(extra: &[&str]) -> Option<SmtpSink> {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut child = python(
            python_command()
                .arg(support_script("smtp_sink.py"))
                .args(["--port", "0", "--dir"])
                .arg(dir.path())
                .args(extra),
        )?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read smtp_sink.py stdout");
        let Some(port) = line.strip_prefix("ready ").and_then(|p| p.trim().parse().ok()) else {
            let status = child.wait().expect("smtp_sink.py exit status");
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                std::io::Read::read_to_string(&mut pipe, &mut stderr).ok();
            }
            if status.code() == Some(2) {
                missing_tool(stderr.trim());
                return None;
            }
            panic!("smtp_sink.py did not start ({status}): {line}{stderr}");
        };
        Some(SmtpSink { child, port, dir })
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Waits until `count` messages are saved; returns (raw message, envelope JSON) pairs.
    pub fn wait_for(&self, count: usize, timeout: Duration) -> Vec<(Vec<u8>, Value)> {
        let deadline = Instant::now() + timeout;
        loop {
            let found: Vec<PathBuf> = (1..=count)
                .map(|n| self.dir.path().join(format!("{n}.eml")))
                .take_while(|p| p.exists())
                .collect();
            if found.len() == count {
                return (1..=count).map(|n| self.read(n)).collect();
            }
            assert!(
                Instant::now() < deadline,
                "the SMTP sink received {} of {count} messages",
                found.len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// How many messages arrived so far.
    pub fn received(&self) -> usize {
        (1..)
            .take_while(|n| self.dir.path().join(format!("{n}.eml")).exists())
            .count()
    }

    fn read(&self, n: usize) -> (Vec<u8>, Value) {
        let eml = std::fs::read(self.dir.path().join(format!("{n}.eml"))).expect("saved message");
        let envelope = std::fs::read(self.dir.path().join(format!("{n}.json"))).expect("envelope");
        (eml, serde_json::from_slice(&envelope).expect("envelope JSON"))
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Our own child, by its handle: closing stdin also makes it exit.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
