//! Running it for real: request ids, JSON logs of the real binary, `/metrics`, readiness while
//! migrations are pending.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{fresh_database_url, open_matinale, spawn_app, spawn_app_with, TestApp};

/// The `matinale` binary of this build, run with `args` and `env` (plus the test's own
/// environment); its stderr lines are collected.
pub struct Binary {
    child: Child,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Binary {
    pub fn spawn(args: &[&str], env: &[(&str, &str)]) -> Binary {
        let mut command = Command::new(env!("CARGO_BIN_EXE_matinale"));
        command
            .args(args)
            .env_remove("RUST_LOG")
            .env("MATINALE_WORKER", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the matinale binary starts");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let pipe = child.stderr.take().expect("stderr is piped");
        let lines = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                lines.lock().expect("the lines").push(line);
            }
        });
        Binary { child, stderr }
    }

    /// Waits (up to 60 s) until `url` answers 200.
    pub async fn wait_until_ready(&mut self, url: &str) {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = client.get(url).send().await {
                if r.status() == StatusCode::OK {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("matinale exited with {status}: {:?}", self.stderr.lock().unwrap());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{url} never answered 200: {:?}", self.stderr.lock().unwrap());
    }

    /// Asks the server to stop (SIGTERM through `kill`), and waits for it.
    pub fn stop(mut self) -> Vec<String> {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
        // The reader thread drains what is left in the pipe.
        std::thread::sleep(Duration::from_millis(200));
        let lines = self.stderr.lock().unwrap().clone();
        lines
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free now on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Runs `matinale <args>` to its end with `env`; its exit status and stdout+stderr.
pub fn run_to_end(args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_matinale"));
    command.args(args).env_remove("RUST_LOG");
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("the matinale binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

fn request_id(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("every answer carries X-Request-Id")
        .to_owned()
}

#[tokio::test]
async fn every_answer_carries_a_request_id_made_here_unless_a_trusted_proxy_gave_one() {
    let app = spawn_app().await;
    let first = app.get("/health/live", None).await;
    let second = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(second.status(), StatusCode::NOT_FOUND);
    let (a, b) = (request_id(&first), request_id(&second));
    assert_ne!(a, b);
    for id in [&a, &b] {
        let uuid = uuid::Uuid::parse_str(id).expect("a UUID");
        assert_eq!(uuid.get_version_num(), 7, "{id}");
    }
    // The test client is not a trusted proxy: what it sends is not believed.
    let sent = app
        .request(reqwest::Method::GET, "/health/live", None)
        .header("X-Request-Id", "from-the-client")
        .send()
        .await
        .unwrap();
    assert_ne!(request_id(&sent), "from-the-client");

    let behind_proxy = spawn_app_with(|c| {
        c.trusted_proxies = matinale_api::proxies::TrustedProxies::parse("127.0.0.1").0;
    })
    .await;
    let echoed = behind_proxy
        .request(reqwest::Method::GET, "/api/v1/events", None)
        .header("X-Request-Id", "edge-7f3a.42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.status(), StatusCode::OK);
    assert_eq!(request_id(&echoed), "edge-7f3a.42");
    // Even a trusted proxy's id is replaced when it is not a plain token.
    let odd = behind_proxy
        .request(reqwest::Method::GET, "/api/v1/events", None)
        .header("X-Request-Id", "has space")
        .send()
        .await
        .unwrap();
    assert!(uuid::Uuid::parse_str(&request_id(&odd)).is_ok());
}

#[tokio::test]
async fn the_binary_logs_json_lines_with_the_request_id() {
    let url = fresh_database_url().await;
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Binary::spawn(
        &["serve"],
        &[
            ("MATINALE_DATABASE_URL", url.as_str()),
            ("MATINALE_BIND", bind.as_str()),
            ("MATINALE_LOG_FORMAT", "json"),
        ],
    );
    let base = format!("http://{bind}");
    server.wait_until_ready(&format!("{base}/health/ready")).await;
    let response = reqwest::get(format!("{base}/api/v1/events?city=orly")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let id = request_id(&response);
    let lines = server.stop();
    assert!(!lines.is_empty());
    let objects: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}")))
        .collect();
    for object in &objects {
        for key in ["timestamp", "level", "target", "fields"] {
            assert!(object.get(key).is_some(), "{key} missing in {object}");
        }
        assert!(object["fields"]["message"].is_string(), "{object}");
    }
    let access: Vec<&Value> = objects
        .iter()
        .filter(|o| o["span"]["request_id"] == json!(id))
        .collect();
    assert_eq!(access.len(), 1, "one line for the request: {objects:?}");
    let line = access[0];
    assert_eq!(line["target"], "matinale::access");
    assert_eq!(line["fields"]["status"], 200);
    assert_eq!(line["fields"]["message"], "GET /api/v1/events?city=orly HTTP/1.1");
    assert!(objects.iter().any(|o| o["fields"]["message"] == "serving Matinale"));
}

/// The value of the series `name{labels}` in a Prometheus text page; labels in any order.
fn sample(page: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    page.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = series.split_once('{').unwrap_or((series, "}"));
        if metric != name {
            return None;
        }
        let rest = rest.strip_suffix('}')?;
        let present: Vec<(String, String)> = if rest.is_empty() {
            Vec::new()
        } else {
            rest.split("\",")
                .map(|pair| {
                    let (k, v) = pair.split_once("=\"").unwrap_or((pair, ""));
                    (k.to_owned(), v.trim_end_matches('"').to_owned())
                })
                .collect()
        };
        let all = labels
            .iter()
            .all(|(k, v)| present.iter().any(|(pk, pv)| pk == k && pv == v));
        (all && present.len() == labels.len()).then(|| value.parse().ok())?
    })
}

async fn scrape(client: &reqwest::Client, address: &str) -> String {
    let r = client.get(format!("{address}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("text/plain")));
    r.text().await.unwrap()
}

fn serve_metrics(app: &TestApp) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let server = matinale_api::metrics::serve(listener, app.db.clone()).expect("metrics listener");
    tokio::spawn(server);
    address
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_registrations_and_the_outbox() {
    // The recorder is the process's: installed before the app, counted as differences.
    matinale_api::metrics::recorder().expect("the Prometheus recorder");
    let app = spawn_app().await;
    let metrics = serve_metrics(&app);
    let client = reqwest::Client::new();
    let before = scrape(&client, &metrics).await;

    let token = app.organiser().await;
    let mut body = open_matinale();
    body["capacity"] = json!(1);
    let event = app.create_event(&token, &body).await;
    let event_id = event["id"].as_str().unwrap();
    let path = format!("/api/v1/events/{event_id}/registrations");
    let person = |n: usize| {
        json!({"category": "visitor", "locale": "fr",
            "person": {"first_name": "Ana", "last_name": format!("Lima {n}"), "email": format!("ops{n}@example.org")}})
    };
    assert_eq!(app.post(&path, None, &person(1)).await.status(), StatusCode::CREATED);
    let second: Value = app.post(&path, None, &person(2)).await.json().await.unwrap();
    assert_eq!(second["status"], "waitlisted");
    let refused = app.post(&path, None, &person(1)).await;
    assert!(refused.status().is_client_error(), "the same person again");
    for _ in 0..3 {
        assert_eq!(
            app.get(&format!("/api/v1/events/{event_id}"), None).await.status(),
            StatusCode::OK
        );
    }
    let unknown = uuid::Uuid::now_v7();
    assert_eq!(
        app.get(&format!("/api/v1/events/{unknown}"), None).await.status(),
        StatusCode::NOT_FOUND
    );
    app.get("/nowhere/at/all", None).await;

    let after = scrape(&client, &metrics).await;
    let grew = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels).unwrap_or_else(|| panic!("{name}{labels:?} missing:\n{after}"))
            - sample(&before, name, labels).unwrap_or(0.0)
    };
    let event_route = [("method", "GET"), ("route", "/api/v1/events/{id}"), ("status", "200")];
    assert!(grew("http_server_request_duration_seconds_count", &event_route) >= 3.0);
    let mut bucket = event_route.to_vec();
    bucket.push(("le", "+Inf"));
    assert!(grew("http_server_request_duration_seconds_bucket", &bucket) >= 3.0);
    assert!(
        grew(
            "http_server_request_duration_seconds_count",
            &[("method", "GET"), ("route", "/api/v1/events/{id}"), ("status", "404")]
        ) >= 1.0
    );
    assert!(
        grew(
            "http_server_request_duration_seconds_count",
            &[
                ("method", "POST"),
                ("route", "/api/v1/events/{id}/registrations"),
                ("status", "201")
            ]
        ) >= 2.0
    );
    assert!(
        grew(
            "http_server_request_duration_seconds_count",
            &[("method", "GET"), ("route", "unmatched"), ("status", "404")]
        ) >= 1.0
    );
    for outcome in ["confirmed", "waitlisted", "refused"] {
        assert!(
            grew("matinale_registrations_total", &[("outcome", outcome)]) >= 1.0,
            "{outcome}"
        );
    }
    // No raw path, id, address or e-mail in any label.
    for line in after.lines().filter(|l| !l.starts_with('#')) {
        assert!(
            !line.contains(event_id) && !line.contains(&unknown.to_string()),
            "{line}"
        );
        assert!(
            !line.contains('@') && !line.contains("nowhere") && !line.contains("127.0.0.1"),
            "{line}"
        );
    }
    // The two registrations queued their mail, and the refused one a new link for the
    // registration it repeats: due now, in this app's database.
    assert_eq!(sample(&after, "matinale_outbox_due", &[]), Some(3.0));
    assert!(sample(&after, "matinale_outbox_oldest_due_seconds", &[]).is_some_and(|age| age >= 0.0));
    let max = sample(&after, "matinale_db_pool_max_connections", &[]).unwrap();
    assert!(max >= 1.0);
    let in_use = sample(&after, "matinale_db_pool_connections", &[("state", "in_use")]).unwrap();
    assert!((0.0..=max).contains(&in_use));
    assert!(sample(&after, "matinale_db_pool_connections", &[("state", "idle")]).is_some());
    for waiting_for in ["connection", "writer"] {
        assert!(
            sample(&after, "matinale_db_pool_waiting", &[("for", waiting_for)]).is_some_and(|n| n >= 0.0),
            "{waiting_for}"
        );
    }

    // The worker delivers them: counted by kind and outcome.
    let settings = matinale_api::Config {
        public_url: app.address.clone(),
        mail_dir: tempfile::tempdir().unwrap().keep(),
        worker_idle: Duration::from_millis(50),
        ..matinale_api::Config::default()
    }
    .worker_settings();
    let worker =
        matinale_worker::MailWorker::start(app.db.clone(), &settings, matinale_worker::mailer(&settings).unwrap());
    let sent = |page: &str, kind: &str| {
        let labels = [("kind", kind), ("outcome", "sent")];
        sample(page, "matinale_mails_total", &labels).unwrap_or(0.0)
            - sample(&before, "matinale_mails_total", &labels).unwrap_or(0.0)
    };
    let mut delivered = String::new();
    for _ in 0..100 {
        delivered = scrape(&client, &metrics).await;
        // Claimed rows are not due while their lease runs: wait for the outcomes.
        if sent(&delivered, "registration_confirmed") >= 1.0 && sent(&delivered, "waitlisted") >= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.stop().await;
    assert!(sent(&delivered, "registration_confirmed") >= 1.0, "{delivered}");
    assert!(sent(&delivered, "waitlisted") >= 1.0, "{delivered}");
    assert_eq!(sample(&delivered, "matinale_outbox_due", &[]), Some(0.0));
    assert_eq!(sample(&delivered, "matinale_outbox_oldest_due_seconds", &[]), Some(0.0));
}

#[tokio::test]
async fn readiness_is_503_while_migrations_are_pending_until_another_process_migrates() {
    // A server on a database nobody migrated yet (as when a newer binary is about to).
    let url = fresh_database_url().await;
    let db = matinale_store::connect(&url).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let config = matinale_api::Config {
        database_url: url.clone(),
        worker: false,
        ..matinale_api::Config::default()
    };
    tokio::spawn(matinale_api::serve(listener, matinale_api::AppState::new(db, config)).unwrap());
    let r = reqwest::get(format!("{address}/health/ready")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "migrations_pending");
    assert_eq!(
        reqwest::get(format!("{address}/health/live")).await.unwrap().status(),
        StatusCode::OK
    );

    let (migrated, output) = run_to_end(&["migrate"], &[("MATINALE_DATABASE_URL", url.as_str())]);
    assert!(migrated, "{output}");
    let r = reqwest::get(format!("{address}/health/ready")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
