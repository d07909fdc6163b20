//! Upgrades: a database written by an earlier Matinale (commit c602566: the fixtures of
//! `tests/fixtures/upgrade/`, made by its `make.sh` with rows in every table) is migrated by
//! `matinale migrate`, then every row is read back through the API.

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::PathBuf;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::ops::run_to_end;
use crate::support::fresh_database_url;

const FIXTURE: &str = "c602566";

fn fixture(extension: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/upgrade/{FIXTURE}.{extension}"))
}

/// A database holding the fixture, as the earlier version left it; its URL.
async fn earlier_database() -> String {
    let url = fresh_database_url().await;
    if url.starts_with("postgres") {
        // The dump as pg_dump wrote it, without psql's meta-commands (`\restrict`); on a
        // connection of its own, since the dump empties the search path of its session.
        let dump = std::fs::read_to_string(fixture("pg.sql")).expect("the PostgreSQL fixture");
        let sql: String = dump
            .lines()
            .filter(|line| !line.starts_with('\\'))
            .map(|line| format!("{line}\n"))
            .collect();
        let db = sea_orm::Database::connect(&url).await.unwrap();
        db.execute_unprepared(&sql).await.expect("the dump loads");
        db.close().await.unwrap();
        url
    } else {
        let path = url
            .trim_start_matches("sqlite://")
            .split('?')
            .next()
            .unwrap()
            .to_owned();
        std::fs::copy(fixture("sqlite"), &path).expect("the SQLite fixture");
        url
    }
}

struct Reader {
    client: reqwest::Client,
    address: String,
}

impl Reader {
    async fn get(&self, path: &str, token: &str) -> Value {
        let r = self
            .client
            .get(format!("{}/api/v1{path}", self.address))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    /// Every item of a list: paged (`items`), or a plain array.
    async fn all(&self, path: &str, token: &str) -> Vec<Value> {
        let mut items = Vec::new();
        let join = if path.contains('?') { '&' } else { '?' };
        for page in 1.. {
            let body = self.get(&format!("{path}{join}per_page=200&page={page}"), token).await;
            if let Some(plain) = body.as_array() {
                return plain.clone();
            }
            let got = body["items"].as_array().cloned().unwrap_or_default();
            let done = got.len() < 200;
            items.extend(got);
            if done {
                break;
            }
        }
        items
    }

    async fn sign_in(&self, email: &str, password: &str) -> String {
        let r = self
            .client
            .post(format!("{}/api/v1/auth/token", self.address))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{email} signs in on the migrated database");
        r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
    }
}

fn ids(items: &[Value]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = items
        .iter()
        .map(|i| Uuid::parse_str(i["id"].as_str().expect("an id")).unwrap())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_database_of_an_earlier_version_migrates_and_every_row_reads_back() {
    let url = earlier_database().await;
    let (migrated, said) = run_to_end(&["migrate"], &[("MATINALE_DATABASE_URL", url.as_str())]);
    assert!(migrated, "{said}");
    let db = matinale_store::connect(&url).await.unwrap();
    assert_eq!(matinale_store::operations::pending_migrations(&db).await.unwrap(), 0);

    // What the tables hold, read with SQL, to compare with what the API answers.
    let sql_ids = |table: &'static str, filter: &'static str| {
        let db = db.clone();
        async move {
            let rows = db
                .connection()
                .query_all_raw(Statement::from_string(
                    db.backend(),
                    format!("SELECT id FROM {table} {filter}"),
                ))
                .await
                .unwrap();
            let mut ids: Vec<Uuid> = rows.iter().map(|r| r.try_get_by_index(0).unwrap()).collect();
            ids.sort();
            ids
        }
    };
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            let row = db
                .connection()
                .query_one_raw(Statement::from_string(
                    db.backend(),
                    format!("SELECT COUNT(*) FROM {table}"),
                ))
                .await
                .unwrap()
                .unwrap();
            let n: i64 = row.try_get_by_index(0).unwrap();
            assert!(n > 0, "the fixture has rows in {table}");
            n as usize
        }
    };

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let config = matinale_api::Config {
        database_url: url.clone(),
        worker: false,
        ..matinale_api::Config::default()
    };
    tokio::spawn(matinale_api::serve(listener, matinale_api::AppState::new(db.clone(), config)).unwrap());
    let api = Reader {
        client: reqwest::Client::new(),
        address,
    };
    // The three accounts sign in with the passwords they were made with.
    let organiser = api.sign_in("organisatrice@grand-orly.demo", "matinale-demo-2026").await;
    let admin = api.sign_in("admin@fixture.example.org", "fixture-admin-2026").await;
    api.sign_in("co@fixture.example.org", "fixture-co-2026").await;
    assert_eq!(count("users").await, 3);

    assert_eq!(ids(&api.all("/series", &organiser).await), sql_ids("series", "").await);
    let events = api.all("/events", &organiser).await;
    assert_eq!(ids(&events), sql_ids("events", "").await);
    assert_eq!(
        ids(&api.all("/organisations", &organiser).await),
        sql_ids("organisations", "").await
    );
    assert_eq!(ids(&api.all("/needs", &admin).await), sql_ids("needs", "").await);
    assert_eq!(ids(&api.all("/outbox", &admin).await), sql_ids("outbox", "").await);

    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut registrations = Vec::new();
    let mut co_organisers = 0;
    for event in &events {
        let id = event["id"].as_str().unwrap();
        let full = api.get(&format!("/events/{id}"), &organiser).await;
        co_organisers += full["co_organisers"].as_array().map_or(0, Vec::len);
        let programme = api.get(&format!("/events/{id}/programme"), &organiser).await;
        *seen.entry("programme_items").or_default() += programme.as_array().map_or(0, Vec::len);
        *seen.entry("stands").or_default() += api.all(&format!("/events/{id}/stands"), &organiser).await.len();
        let blocks = api.all(&format!("/events/{id}/meeting-blocks"), &organiser).await;
        *seen.entry("meeting_blocks").or_default() += blocks.len();
        *seen.entry("meeting_slots").or_default() += blocks
            .iter()
            .map(|b| b["slots"].as_array().map_or(0, Vec::len))
            .sum::<usize>();
        *seen.entry("meetings").or_default() += api.all(&format!("/events/{id}/meetings"), &organiser).await.len();
        registrations.extend(api.all(&format!("/events/{id}/registrations"), &organiser).await);
    }
    assert_eq!(co_organisers, count("event_organisers").await);
    assert_eq!(ids(&registrations), sql_ids("registrations", "").await);
    for table in [
        "programme_items",
        "stands",
        "meeting_blocks",
        "meeting_slots",
        "meetings",
    ] {
        assert_eq!(seen[table], count(table).await, "{table}");
    }

    // Each registration with its history, its preferences and its wishes.
    let (mut history, mut wishes, mut preferences, mut promoted) = (0, Vec::new(), 0, 0);
    for registration in &registrations {
        let id = registration["id"].as_str().unwrap();
        let full = api.get(&format!("/registrations/{id}"), &organiser).await;
        let moves = full["history"].as_array().cloned().unwrap_or_default();
        history += moves.len();
        promoted += moves.iter().filter(|m| m["from_status"] == "waitlisted").count();
        if full["meetings"]["max_meetings"] == 4 {
            preferences += 1;
        }
        let theirs = api.get(&format!("/registrations/{id}/wishes"), &organiser).await;
        for list in theirs.as_object().into_iter().flat_map(|o| o.values()) {
            wishes.extend(list.as_array().cloned().unwrap_or_default());
        }
    }
    assert_eq!(history, count("registration_history").await);
    assert_eq!(preferences, count("meeting_preferences").await);
    // Wishes made (those implied by an interest are the interest's, read below).
    let made: Vec<Value> = wishes.iter().filter(|w| w["source"] == "wish").cloned().collect();
    assert!(made.len() < wishes.len(), "the interest implies a wish too");
    let mut wish_ids: Vec<Uuid> = ids(&made);
    wish_ids.dedup();
    assert_eq!(wish_ids, sql_ids("wishes", "").await);
    let declined = wishes.iter().filter(|w| w["declined"] == true).count();
    assert!(declined >= count("wish_declines").await, "declined wishes show as such");
    // The waiting list served: someone left it for a seat (the tally it was counted in became
    // the queues' rows, which hold only lists with someone waiting: none here).
    assert!(promoted >= 1);

    // Memberships, interests, the draft and the outcomes.
    let mut members = 0;
    for organisation in sql_ids("organisations", "").await {
        members += api
            .get(&format!("/organisations/{organisation}/members"), &organiser)
            .await
            .as_array()
            .map_or(0, Vec::len);
    }
    assert_eq!(members, count("organisation_members").await);
    let mut interests = 0;
    for need in sql_ids("needs", "").await {
        interests += api.all(&format!("/needs/{need}/interests"), &admin).await.len();
    }
    assert_eq!(interests, count("need_interests").await);
    let mut outcomes = 0;
    for meeting in sql_ids("meetings", "").await {
        let body = api.get(&format!("/meetings/{meeting}/outcomes"), &organiser).await;
        outcomes += body["history"]["items"].as_array().map_or(0, Vec::len);
    }
    assert_eq!(outcomes, count("meeting_outcomes").await);
    let mut drafts = 0;
    for event in sql_ids("events", "").await {
        let r = api
            .client
            .get(format!("{}/api/v1/events/{event}/schedule", api.address))
            .bearer_auth(&organiser)
            .send()
            .await
            .unwrap();
        drafts += usize::from(r.status() == StatusCode::OK);
    }
    assert_eq!(drafts, count("schedule_drafts").await);
}
