//! The set-up the HTTP benchmarks share: a fresh database (see `fresh_database`), migrated, an
//! organiser `{name}@bench.matinale`, the real server on a random port of this process (no
//! mail worker), and a client signed in as that organiser.

#[path = "fresh_database.rs"]
mod fresh_database;

use std::net::TcpListener;

use anyhow::Context;
use matinale_api::{AppState, Config};
use matinale_domain::user::{Actor, NewUser, Role};
use matinale_store::Store;
use serde_json::{json, Value};

pub use fresh_database::fresh_url;

/// A server ready to be measured. Each example compiles this module and reads what it needs.
#[allow(dead_code)]
pub struct Bench {
    /// The database's URL (`sqlite://…` or `postgres://…`).
    pub url: String,
    /// The store the server runs on, to fill it directly.
    pub db: Store,
    /// The organiser.
    pub actor: Actor,
    /// `http://127.0.0.1:{port}/api/v1`.
    pub api: String,
    /// A client with a long timeout (a regional schedule takes a while in a debug build).
    pub client: reqwest::Client,
    /// The organiser's bearer token.
    pub token: String,
}

impl Bench {
    /// `postgresql` or `sqlite`, as the benchmarks print it.
    #[allow(dead_code)] // each example compiles this module; not all of them print it
    pub fn backend(&self) -> &'static str {
        if self.url.starts_with("postgres") {
            "postgresql"
        } else {
            "sqlite"
        }
    }
}

/// A fresh database of `base` (`sqlite` or a PostgreSQL URL) named after `name`, and the rest.
pub async fn start(base: &str, name: &str) -> anyhow::Result<Bench> {
    let url = fresh_url(base, name).await?;
    let db = matinale_store::connect(&url).await?;
    matinale_store::migrate(&db).await?;
    let (email, password) = (format!("{name}@bench.matinale"), "correct horse battery");
    let user =
        matinale_store::accounts::create_user(&db, NewUser::parse(&email, "Bench", Role::Organiser, password)?).await?;
    let actor = Actor {
        user_id: user.id,
        role: Role::Organiser,
    };
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let config = Config {
        database_url: url.clone(),
        bind: format!("127.0.0.1:{port}"),
        public_url: format!("http://127.0.0.1:{port}"),
        worker: false,
        ..Config::default()
    };
    tokio::spawn(matinale_api::serve(listener, AppState::new(db.clone(), config))?);
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(600))
        .build()?;
    let api = format!("http://127.0.0.1:{port}/api/v1");
    let answer: Value = client
        .post(format!("{api}/auth/token"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?
        .json()
        .await?;
    let token = answer["token"].as_str().context("a token")?.to_owned();
    Ok(Bench {
        url,
        db,
        actor,
        api,
        client,
        token,
    })
}
