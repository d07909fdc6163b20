//! What the browser tests (page.rs, console.rs) share: the `matinale serve` process they
//! drive, the check that a script of tests/support can run here (Python, Selenium, Chromium,
//! chromedriver), its run on a scenario, and where screenshots go.

use std::fs::File;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::mail::notify_common::{missing_tool, python_command, support_script};
use crate::support::fresh_database_url;

/// The `matinale serve` process, its address and its log (stdout and stderr).
pub(crate) struct Server {
    child: Child,
    pub(crate) address: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `matinale serve` on a fresh database (SQLite or PostgreSQL, as the other HTTP tests) and
    /// a free port, with an admin account; its mail goes to `smtp_url`, or without one to
    /// files in a temporary directory. Answers once it is ready.
    pub(crate) async fn start(admin: (&str, &str), smtp_url: Option<&str>) -> Server {
        let database_url = fresh_database_url().await;
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address = format!("http://127.0.0.1:{port}");
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("server.log");
        let out = File::create(&log).expect("the log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_matinale"));
        match smtp_url {
            Some(url) => command.env("MATINALE_SMTP_URL", url),
            None => command.env_remove("MATINALE_SMTP_URL"),
        };
        let child = command
            .arg("serve")
            .env("MATINALE_DATABASE_URL", &database_url)
            .env("MATINALE_BIND", format!("127.0.0.1:{port}"))
            .env("MATINALE_PUBLIC_URL", &address)
            .env("MATINALE_MAIL_DIR", dir.path().join("mail"))
            .env("MATINALE_ADMIN_EMAIL", admin.0)
            .env("MATINALE_ADMIN_PASSWORD", admin.1)
            .env("MATINALE_REGISTRATION_RATE", "0")
            .env_remove("MATINALE_MANAGE_URL")
            .env_remove("MATINALE_WORKER")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log handle"))
            .stderr(out)
            .spawn()
            .expect("start matinale serve");
        let mut server = Server {
            child,
            address,
            log,
            _dir: dir,
        };
        server.wait_ready().await;
        server
    }

    /// Polls `/health/ready` (the process migrates first); fails with the log if it dies.
    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("matinale serve exited ({status}):\n{}", self.log_text());
            }
            let ready = client.get(format!("{}/health/ready", self.address)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(Instant::now() < deadline, "not ready in 90 s:\n{}", self.log_text());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Our own child, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `SCRIPT --check` (a script of tests/support driving Chromium, run by the tests' Python):
/// whether a browser test can run here; what is missing is recorded as a skip.
pub(crate) fn browser_available(script: &str) -> bool {
    match python_command().arg(support_script(script)).arg("--check").output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            missing_tool(String::from_utf8_lossy(&out.stderr).trim());
            false
        }
        Err(error) => {
            missing_tool(&format!("python3 cannot be started ({error})"));
            false
        }
    }
}

/// Runs `script` (tests/support) on `scenario` off the executor, and fails the test, with the
/// server's log, unless it succeeds; answers the JSON report it prints.
pub(crate) async fn run_browser(script: &'static str, scenario: &Value, server_log: impl FnOnce() -> String) -> Value {
    let scenario_file = tempfile::NamedTempFile::new().expect("scenario file");
    std::fs::write(scenario_file.path(), scenario.to_string()).expect("write the scenario");
    let path = scenario_file.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        python_command()
            .arg(support_script(script))
            .arg(path)
            .output()
            .unwrap_or_else(|e| panic!("run {script}: {e}"))
    })
    .await
    .expect("the browser run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser test failed ({}):\n{stderr}\n--- server log ---\n{}",
        output.status,
        server_log()
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{script} prints JSON: {e}"));
    eprintln!("browser report: {report:#}");
    report
}

/// Where a run's screenshots go: `docs/screenshots/` with `UPDATE_SCREENSHOTS` set, else a
/// fresh temporary directory named after `prefix`.
pub(crate) fn screenshots(prefix: &str) -> PathBuf {
    match std::env::var_os("UPDATE_SCREENSHOTS") {
        Some(_) => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/screenshots")),
        None => std::env::temp_dir().join(format!("{prefix}-{}", uuid::Uuid::now_v7().simple())),
    }
}
