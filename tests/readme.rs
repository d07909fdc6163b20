//! The README, as a newcomer runs it: every `sh` block, in order, in one bash shell, against a
//! fresh `seed-demo` server (the real binary on a temporary SQLite file and a free port).
//!
//! `curl` is wrapped by a shell function that records the HTTP status of every call with the
//! README line it comes from. The test fails on a status of 400 or more (or no answer at all)
//! that the README does not announce on the command itself with a comment such as `# → 412`,
//! on an announced status that did not come, and on a shell that stops early (`set -eu -o
//! pipefail`: an unset variable, a failing `jq`). The blocks run in a temporary folder, so the
//! files they write (`instance.json`, `report.svg`…) never land in the repository.

use std::collections::BTreeSet;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const README: &str = include_str!("../README.md");

/// The shell prelude: strict mode and the recording `curl`. `BASH_LINENO[0]` is the line of the
/// script, which is the README's line (the script keeps the README's numbering).
const PRELUDE: &str = r#"set -eEu -o pipefail
trap 'echo "stopped at README line $LINENO: $BASH_COMMAND" >&2' ERR
curl() {
  local line=${BASH_LINENO[0]} code
  { code=$(command curl -w '%{stderr}%{http_code}' "$@" 2>&1 1>&3 3>&-); } 3>&1
  printf '%s %s\n' "$line" "${code: -3}" >> "$STATUS_LOG"
}
source ./readme.sh
"#;

/// A `matinale serve` child, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn matinale(dir: &Path, port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matinale"));
    command
        .current_dir(dir)
        .env(
            "MATINALE_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("readme.db").display()),
        )
        .env("MATINALE_BIND", format!("127.0.0.1:{port}"))
        .env("MATINALE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("MATINALE_MAIL_DIR", dir.join("mail-out"))
        .env_remove("MATINALE_SMTP_URL")
        .env("RUST_LOG", "warn");
    command
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The README's lines that belong to `sh` blocks, by line number (1-based).
fn sh_lines(readme: &str) -> Vec<Option<&str>> {
    let mut inside = false;
    readme
        .lines()
        .map(|line| {
            let fence = line.trim_start().starts_with("```");
            if fence {
                inside = !inside && line.trim() == "```sh";
                None
            } else if inside {
                Some(line)
            } else {
                None
            }
        })
        .collect()
}

/// The commands of the `sh` blocks as spans of README lines (1-based, inclusive): a command goes
/// on while a quote is open or a line ends with `\`; a comment line is a span of its own.
fn command_spans(lines: &[Option<&str>]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    let (mut single, mut double) = (false, false);
    for (i, line) in lines.iter().enumerate() {
        let Some(line) = line else {
            start = None;
            single = false;
            double = false;
            continue;
        };
        let number = i + 1;
        let first = *start.get_or_insert(number);
        let mut escaped = false;
        let mut previous = ' ';
        for c in line.chars() {
            if escaped {
                escaped = false;
            } else if single {
                single = c != '\'';
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                double = !double;
            } else if !double && c == '\'' {
                single = true;
            } else if !double && c == '#' && previous.is_whitespace() {
                break;
            }
            previous = c;
        }
        let continued = single || double || (line.trim_end().ends_with('\\') && !line.trim_start().starts_with('#'));
        if !continued {
            spans.push((first, number));
            start = None;
        }
    }
    spans
}

/// Statuses announced by `# → NNN` comments on the lines of a span.
fn announced(lines: &[Option<&str>], (first, last): (usize, usize)) -> BTreeSet<u16> {
    let mut statuses = BTreeSet::new();
    for line in lines[first - 1..last].iter().flatten() {
        let mut rest = *line;
        while let Some(at) = rest.find("# → ") {
            rest = &rest[at + "# → ".len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(status) = digits.parse() {
                statuses.insert(status);
            }
        }
    }
    statuses
}

#[test]
fn the_spans_of_a_block_follow_quotes_and_continuations() {
    let block = "```sh\nA=$(curl -s x \\\n  -d '{\n  \"a\": 1}' | jq .)  # → 404\n# a comment\nB=1\n```\n";
    let lines = sh_lines(block);
    let spans = command_spans(&lines);
    assert_eq!(spans, [(2, 4), (5, 5), (6, 6)]);
    assert_eq!(announced(&lines, (2, 4)), BTreeSet::from([404]));
}

#[test]
fn every_sh_block_of_the_readme_runs_against_the_demo_without_an_unannounced_error() {
    let jq = Command::new("jq").arg("--version").output();
    assert!(
        jq.is_ok_and(|o| o.status.success()),
        "the README's examples use jq: install it (apt-get install jq)"
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let port = free_port();
    let seeded = matinale(dir.path(), port)
        .arg("seed-demo")
        .output()
        .expect("seed-demo runs");
    assert!(
        seeded.status.success(),
        "seed-demo: {}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let server = Server(
        matinale(dir.path(), port)
            .arg("serve")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("serve starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not listen within a minute");
        std::thread::sleep(Duration::from_millis(50));
    }

    // The addresses seed-demo prints (what `make run` shows) answer; the console is served by
    // its own module once it exists, so it is not checked here.
    let printed = String::from_utf8_lossy(&seeded.stdout).into_owned();
    let addresses: Vec<&str> = printed
        .lines()
        .filter(|l| !l.starts_with("console:"))
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("http://")))
        .collect();
    assert!(
        addresses.iter().any(|a| a.contains("/e/")) && addresses.iter().any(|a| a.ends_with("/docs/")),
        "seed-demo prints the event page and the docs: {printed}"
    );
    for address in addresses {
        let answer = Command::new("curl")
            .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", address])
            .output()
            .expect("curl runs");
        assert_eq!(String::from_utf8_lossy(&answer.stdout), "200", "{address}");
    }

    let lines = sh_lines(README);
    let script: String = lines.iter().map(|l| format!("{}\n", l.unwrap_or(""))).collect();
    std::fs::write(dir.path().join("readme.sh"), script).expect("the script is written");
    std::fs::write(dir.path().join("prelude.sh"), PRELUDE).expect("the prelude is written");
    let status_log = dir.path().join("statuses");
    std::fs::write(&status_log, "").expect("the status log is written");
    let run = Command::new("timeout")
        .args(["600", "bash", "prelude.sh"])
        .current_dir(dir.path())
        .env("BASE", format!("http://127.0.0.1:{port}"))
        .env("STATUS_LOG", &status_log)
        .output()
        .expect("bash runs");
    drop(server);
    let stderr = String::from_utf8_lossy(&run.stderr);
    let recorded = std::fs::read_to_string(&status_log).expect("the status log");
    assert!(
        run.status.success(),
        "the README's blocks stopped ({}): {stderr}\nstatuses by README line:\n{recorded}",
        run.status
    );

    let spans = command_spans(&lines);
    let span_of = |line: usize| {
        spans
            .iter()
            .copied()
            .find(|&(a, b)| a <= line && line <= b)
            .unwrap_or((line, line))
    };
    let calls: Vec<(usize, u16)> = recorded
        .lines()
        .filter_map(|l| {
            let (line, status) = l.split_once(' ')?;
            Some((line.parse().ok()?, status.parse().ok()?))
        })
        .collect();
    assert!(calls.len() > 40, "only {} calls were recorded: {recorded}", calls.len());
    let command = |(a, b): (usize, usize)| lines[a - 1..b].iter().flatten().copied().collect::<Vec<_>>().join("\n");
    let mut faults = Vec::new();
    for &(line, status) in &calls {
        let span = span_of(line);
        if !(200..400).contains(&status) && !announced(&lines, span).contains(&status) {
            faults.push(format!("README line {}: answered {status}:\n{}", span.0, command(span)));
        }
    }
    for &span in &spans {
        for status in announced(&lines, span) {
            let came = calls.iter().any(|&(line, s)| s == status && span_of(line) == span);
            if !came {
                faults.push(format!(
                    "README line {}: announces {status}, which did not come:\n{}",
                    span.0,
                    command(span)
                ));
            }
        }
    }
    assert!(faults.is_empty(), "{}\n\nshell errors: {stderr}", faults.join("\n\n"));
}
