//! `spawn_app()`: the real server on a random port, over a fresh database of its own.
//!
//! `TEST_DATABASE_URL` chooses the backend: unset or `sqlite:…`, a temporary SQLite file per
//! test; `postgres://…/db`, a new PostgreSQL database per test created from that server.

use std::net::TcpListener;

use matinale_api::{AppState, Config};
use matinale_domain::clock::Clock;
use matinale_domain::user::{NewUser, Role};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: matinale_store::Store,
    /// The test's own database, for a second pool (another "process") on it.
    pub database_url: String,
    /// What time it is for the application (its store, its workers): the test moves it
    /// instead of sleeping.
    pub clock: Clock,
    /// Whether this app made its database (and drops it when dropped); not a second instance.
    owns_database: bool,
    /// The mail worker when the test's configuration runs one; it stops with the app.
    _worker: Option<matinale_worker::MailWorker>,
}

pub async fn fresh_database_url() -> String {
    let base = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
    let name = format!("mt_{}", uuid::Uuid::now_v7().simple());
    if base.starts_with("postgres") {
        use sea_orm::ConnectionTrait;
        let admin = sea_orm::Database::connect(&base)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at TEST_DATABASE_URL is unreachable: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .expect("create the test database");
        admin.close().await.ok();
        let (server, _) = base.rsplit_once('/').expect("a database URL ends with /name");
        format!("{server}/{name}")
    } else {
        let path = std::env::temp_dir().join(format!("{name}.db"));
        format!("sqlite://{}?mode=rwc", path.display())
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let url = fresh_database_url().await;
    // The system's time, which the test can move forward (`app.clock.advance(…)`).
    let store = matinale_store::Config {
        clock: Clock::adjustable(),
        ..matinale_store::Config::new(url.clone())
    };
    let db = matinale_store::Store::connect(&store).await.expect("connect");
    matinale_store::migrate(&db).await.expect("migrate");
    let mut app = serve(db, url, adjust);
    app.owns_database = true;
    app
}

/// The server of `config` (adjusted) on `db`, whose URL is `url`, on a random port.
fn serve(db: matinale_store::Store, url: String, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a random port");
    let port = listener.local_addr().expect("local address").port();
    let mut config = Config {
        database_url: url,
        bind: format!("127.0.0.1:{port}"),
        public_url: format!("http://127.0.0.1:{port}"),
        worker: false,
        // Tests post many registrations from one address; those of the limit turn it on.
        registration_rate_per_minute: 0,
        ..Config::default()
    };
    adjust(&mut config);
    let database_url = config.database_url.clone();
    // As the binary does: the mail worker next to the server when the configuration asks.
    let worker = config.worker.then(|| {
        let settings = config.worker_settings();
        let mailer = matinale_worker::mailer(&settings).expect("a mailer");
        matinale_worker::MailWorker::start(db.clone(), &settings, mailer)
    });
    let server = matinale_api::serve(listener, AppState::new(db.clone(), config)).expect("serve");
    tokio::spawn(server);
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        // The server closes connections idle for 5 s (actix's keep-alive); a client that reused
        // one as it closes gets an incomplete message, so idle connections are dropped first.
        client: reqwest::Client::builder()
            .pool_idle_timeout(std::time::Duration::from_secs(2))
            .build()
            .expect("an HTTP client"),
        clock: db.clock().clone(),
        db,
        database_url,
        owns_database: false,
        _worker: worker,
    }
}

/// Drops the test's database when the test that made it ends (PostgreSQL: the database, closing
/// what is still connected to it; SQLite: the file), so that a run leaves none behind.
impl Drop for TestApp {
    fn drop(&mut self) {
        if !self.owns_database {
            return;
        }
        let url = self.database_url.clone();
        if let Some(file) = url.strip_prefix("sqlite://") {
            let path = file.split('?').next().unwrap_or(file);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{path}{suffix}"));
            }
            return;
        }
        let Ok(base) = std::env::var("TEST_DATABASE_URL") else {
            return;
        };
        let Some((_, name)) = url.rsplit_once('/') else { return };
        let name = name.to_owned();
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                use sea_orm::ConnectionTrait;
                let admin = sea_orm::Database::connect(&base).await.ok()?;
                let done = admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
                admin.close().await.ok();
                done.ok()
            })
        });
        let _ = dropped.join();
    }
}

impl TestApp {
    /// A second instance of the application on this app's database: its own pool, store and
    /// server, as another process would have.
    pub async fn another_instance(&self) -> TestApp {
        // The same time as this one, as two processes on one machine.
        let store = matinale_store::Config {
            clock: self.clock.clone(),
            ..matinale_store::Config::new(self.database_url.clone())
        };
        let db = matinale_store::Store::connect(&store).await.expect("connect");
        serve(db, self.database_url.clone(), |_| {})
    }

    /// Another pool on this app's database, with its clock: what a second process (a worker
    /// of its own, a sweep) would hold.
    pub async fn another_pool(&self) -> matinale_store::Store {
        let store = matinale_store::Config {
            clock: self.clock.clone(),
            ..matinale_store::Config::new(self.database_url.clone())
        };
        matinale_store::Store::connect(&store).await.expect("connect")
    }

    /// Sets the application's clock to `at`, and signs in again the accounts of `tokens`
    /// (their tokens expire with the time moved), replacing each with a new one; managed
    /// registrations' tokens do not expire and need nothing.
    pub async fn move_clock_to(&self, at: chrono::DateTime<chrono::Utc>, tokens: &mut [&mut String]) {
        let mut users = Vec::with_capacity(tokens.len());
        for token in tokens.iter() {
            let actor = matinale_store::accounts::actor_for_token(&self.db, token)
                .await
                .expect("read the token")
                .expect("a live account token");
            users.push(actor.user_id);
        }
        self.clock.set(at);
        for (token, user) in tokens.iter_mut().zip(users) {
            **token = self.sign_in_again(user).await;
        }
    }

    /// Signs account `user` (made by [`TestApp::account`]) in again over HTTP; its new token.
    pub async fn sign_in_again(&self, user: uuid::Uuid) -> String {
        let user = matinale_store::accounts::user_by_id(&self.db, user)
            .await
            .expect("read the user")
            .expect("the user");
        let response = self
            .post(
                "/api/v1/auth/token",
                None,
                &json!({"email": user.email, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("token JSON");
        body["token"].as_str().expect("token").to_owned()
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut builder = self.client.request(method, format!("{}{path}", self.address));
        if let Some(token) = token {
            builder = builder.bearer_auth(token);
        }
        builder
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.expect("GET")
    }

    /// GET asking for the media type `accept` (`text/csv`, `image/svg+xml`, …).
    pub async fn get_accepting(&self, path: &str, token: Option<&str>, accept: &str) -> Response {
        self.request(Method::GET, path, token)
            .header("Accept", accept)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::POST, path, token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.request(Method::PATCH, path, token)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// Creates an account straight in the store and signs it in over HTTP.
    pub async fn account(&self, role: Role) -> (uuid::Uuid, String) {
        let email = format!("{}@test.matinale", uuid::Uuid::now_v7().simple());
        let new = NewUser::parse(&email, "Test", role, "correct horse battery").expect("valid user");
        let user = matinale_store::accounts::create_user(&self.db, new)
            .await
            .expect("create user");
        let response = self
            .post(
                "/api/v1/auth/token",
                None,
                &json!({"email": email, "password": "correct horse battery"}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        let body: Value = response.json().await.expect("token JSON");
        (user.id, body["token"].as_str().expect("token").to_owned())
    }

    pub async fn organiser(&self) -> String {
        self.account(Role::Organiser).await.1
    }

    /// Creates the series "Mois de l'ESS 2026" and returns its JSON.
    pub async fn create_series(&self, token: &str) -> Value {
        let body = json!({"slug": "mois-ess-2026", "title": "Mois de l'ESS 2026",
            "starts_on": "2026-11-01", "ends_on": "2026-11-30"});
        let response = self.post("/api/v1/series", Some(token), &body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("series JSON")
    }

    /// Creates an event and returns its JSON.
    pub async fn create_event(&self, token: &str, body: &Value) -> Value {
        let response = self.post("/api/v1/events", Some(token), body).await;
        let status = response.status();
        let json: Value = response.json().await.expect("event JSON");
        assert_eq!(status, StatusCode::CREATED, "{json}");
        json
    }
}

/// A valid matinale (the past edition of 25 November 2026, recorded with `past`); tests change
/// what they need.
pub fn matinale() -> Value {
    json!({
        "past": true,
        "kind": "matinale",
        "title": "4e matinale des achats responsables",
        "description": "Acheteurs publics et ESS",
        "starts_at": "2026-11-25T09:00:00+01:00",
        "ends_at": "2026-11-25T12:30:00+01:00",
        "venue": {"name": "Centre culturel", "address": "1 place du Fer-à-Cheval", "postcode": "94310", "city": "Orly"},
        "capacity": 80,
        "quotas": {"buyer": 20, "ess_structure": 40},
        "registration_opens_at": "2026-10-01T09:00:00+02:00",
        "registration_closes_at": "2026-11-24T18:00:00+01:00"
    })
}

/// A published matinale on 25 November 2099 (9:00–12:30), open for registration since 2020,
/// 500 seats and no quotas.
pub fn open_matinale() -> Value {
    let mut body = matinale();
    body["status"] = json!("published");
    body["capacity"] = json!(500);
    body["quotas"] = json!({});
    body["starts_at"] = json!("2099-11-25T09:00:00+01:00");
    body["ends_at"] = json!("2099-11-25T12:30:00+01:00");
    body["registration_opens_at"] = json!("2020-01-01T00:00:00Z");
    body["registration_closes_at"] = json!("2099-11-24T18:00:00+01:00");
    body
}

/// Reads a problem+json answer, checking its media type and status field.
pub async fn problem(response: Response, expected: StatusCode) -> Value {
    assert_eq!(response.status(), expected);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem JSON");
    assert_eq!(body["status"], expected.as_u16());
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}

/// The fields named by a 422 problem.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// POSTs `body` to `path`, expects 201; the created resource.
pub async fn created(app: &TestApp, path: &str, token: Option<&str>, body: Value) -> Value {
    let r = app.post(path, token, &body).await;
    let status = r.status();
    let json: Value = r.json().await.expect("JSON");
    assert_eq!(status, StatusCode::CREATED, "{path}: {json}");
    json
}

/// GETs `path` as `token`, expects 200; the body.
pub async fn ok_json(app: &TestApp, path: &str, token: &str) -> Value {
    let r = app.get(path, Some(token)).await;
    let status = r.status();
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

/// Cancels a registration (its 201 body) with its own manage token.
pub async fn cancel_own(app: &TestApp, registration: &Value) {
    let id = registration["id"].as_str().expect("an id");
    let token = registration["manage_token"].as_str().expect("a manage token");
    let r = app
        .post(&format!("/api/v1/registrations/{id}/cancel"), Some(token), &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}
