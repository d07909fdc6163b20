//! `matinale backup`: a copy of the SQLite database taken while a registration rush runs.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{json, Value};

use crate::ops::run_to_end;
use crate::support::{open_matinale, spawn_app, TestApp};

const REGISTRATIONS: usize = 600;
const CLIENTS: usize = 16;
const CATEGORIES: [&str; 3] = ["buyer", "ess_structure", "visitor"];

async fn rush(app: Arc<TestApp>, path: Arc<String>, next: Arc<AtomicUsize>, acked: Arc<Mutex<Vec<(String, String)>>>) {
    loop {
        let n = next.fetch_add(1, Ordering::SeqCst);
        if n >= REGISTRATIONS {
            return;
        }
        let body = json!({"category": CATEGORIES[n % 3], "locale": "fr",
            "person": {"first_name": "Rush", "last_name": format!("N{n}"), "email": format!("rush{n}@example.org")}});
        let r = app.post(&path, None, &body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let created: Value = r.json().await.unwrap();
        let id = created["id"].as_str().unwrap().to_owned();
        let status = created["status"].as_str().unwrap().to_owned();
        acked.lock().unwrap().push((id, status));
    }
}

/// All registrations of the event, through the API.
async fn registrations(client: &reqwest::Client, address: &str, token: &str, event: &str) -> Vec<Value> {
    let mut all = Vec::new();
    for page in 1.. {
        let r = client
            .get(format!(
                "{address}/api/v1/events/{event}/registrations?per_page=200&page={page}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.unwrap();
        let items = body["items"].as_array().unwrap().clone();
        let done = items.len() < 200;
        all.extend(items);
        if done {
            break;
        }
    }
    all
}

#[tokio::test]
async fn a_backup_taken_during_a_registration_rush_is_whole_and_serves() {
    let app = spawn_app().await;
    let token = app.organiser().await;
    let mut body = open_matinale();
    body["capacity"] = json!(150);
    body["quotas"] = json!({"buyer": 40, "ess_structure": 60});
    let event = app.create_event(&token, &body).await["id"].as_str().unwrap().to_owned();
    let output = tempfile::tempdir().unwrap();
    let copy = output.path().join("matinale-backup.db");
    let copy_arg = copy.to_str().unwrap().to_owned();

    if app.database_url.starts_with("postgres") {
        let (done, said) = run_to_end(
            &["backup", "--output", &copy_arg],
            &[("MATINALE_DATABASE_URL", &app.database_url)],
        );
        assert!(!done, "refused on PostgreSQL");
        assert!(said.contains("pg_dump") && said.contains("pg_restore"), "{said}");
        assert!(!copy.exists());
        return;
    }

    let app = Arc::new(app);
    let path = Arc::new(format!("/api/v1/events/{event}/registrations"));
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| tokio::spawn(rush(app.clone(), path.clone(), next.clone(), acked.clone())))
        .collect();
    while acked.lock().unwrap().len() < REGISTRATIONS / 5 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // Everything acknowledged before the backup began must be in the copy.
    let before: HashMap<String, String> = acked.lock().unwrap().iter().cloned().collect();
    let database_url = app.database_url.clone();
    let (done, said) = tokio::task::spawn_blocking(move || {
        run_to_end(
            &["backup", "--output", &copy_arg],
            &[("MATINALE_DATABASE_URL", &database_url)],
        )
    })
    .await
    .unwrap();
    assert!(done, "{said}");
    let after_backup = acked.lock().unwrap().len();
    for client in clients {
        client.await.unwrap();
    }
    assert!(
        after_backup < REGISTRATIONS,
        "the rush went on after the backup ({after_backup} acknowledged when it ended)"
    );

    // A second backup to the same file is refused, naming it.
    let (again, said) = run_to_end(
        &["backup", "--output", copy.to_str().unwrap()],
        &[("MATINALE_DATABASE_URL", &app.database_url)],
    );
    assert!(!again && said.contains("already exists"), "{said}");

    // The copy: whole, then served by the app.
    let copy_url = format!("sqlite://{}?mode=rw", copy.display());
    let db = matinale_store::connect(&copy_url).await.unwrap();
    let check = db
        .connection()
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA integrity_check"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(check.try_get_by_index::<String>(0).unwrap(), "ok");
    let pending = matinale_store::operations::pending_migrations(&db).await.unwrap();
    assert_eq!(pending, 0);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let config = matinale_api::Config {
        database_url: copy_url,
        worker: false,
        ..matinale_api::Config::default()
    };
    tokio::spawn(matinale_api::serve(listener, matinale_api::AppState::new(db.clone(), config)).unwrap());
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(format!("{address}/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    // The organiser's token was issued before the backup: it opens the copy too.
    let copied = registrations(&client, &address, &token, &event).await;
    let in_copy: HashMap<&str, &Value> = copied.iter().map(|r| (r["id"].as_str().unwrap(), r)).collect();
    for (id, status) in &before {
        let row = in_copy
            .get(id.as_str())
            .unwrap_or_else(|| panic!("{id}, acknowledged before, is missing"));
        assert_eq!(row["status"], json!(status), "{id}");
    }
    assert!(copied.len() >= before.len() && copied.len() <= REGISTRATIONS);

    // Seats and quotas exact: every confirmed registration holds one seat of its pool, none
    // is held by anyone else, and no pool is oversold.
    let confirmed = |category: &str| {
        copied
            .iter()
            .filter(|r| r["category"] == category && r["status"] == "confirmed")
            .count() as i64
    };
    let rows = db
        .connection()
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT s.pool, COUNT(*), COUNT(s.registration_id), \
               SUM(CASE WHEN r.status = 'confirmed' THEN 1 ELSE 0 END) \
             FROM seats s LEFT JOIN registrations r ON r.id = s.registration_id \
             WHERE s.event_id = ? GROUP BY s.pool",
            [uuid::Uuid::parse_str(&event).unwrap().into()],
        ))
        .await
        .unwrap();
    let pools: HashMap<String, (i64, i64, i64)> = rows
        .iter()
        .map(|row| {
            let pool: String = row.try_get_by_index(0).unwrap();
            let figures = (
                row.try_get_by_index(1).unwrap(),
                row.try_get_by_index(2).unwrap(),
                row.try_get_by_index(3).unwrap(),
            );
            (pool, figures)
        })
        .collect();
    assert_eq!(pools["buyer"].0, 40);
    assert_eq!(pools["ess_structure"].0, 60);
    assert_eq!(pools["open"].0, 50);
    assert_eq!(pools["buyer"].1, confirmed("buyer"));
    assert_eq!(pools["ess_structure"].1, confirmed("ess_structure"));
    assert_eq!(pools["open"].1, confirmed("visitor"));
    for (pool, (seats, taken, held_by_confirmed)) in &pools {
        assert!(taken <= seats, "{pool} oversold");
        assert_eq!(
            taken, held_by_confirmed,
            "{pool}: a seat held by a registration that is not confirmed"
        );
    }
    // The rush filled every pool before the backup was taken (a fifth of 600 is 120 of 150
    // seats asked for, a third of each category); what is waitlisted waits in order.
    for category in CATEGORIES {
        let mut positions: Vec<i64> = copied
            .iter()
            .filter(|r| r["category"] == category && r["status"] == "waitlisted")
            .map(|r| r["waitlist_position"].as_i64().unwrap())
            .collect();
        positions.sort_unstable();
        assert_eq!(
            positions,
            (1..=positions.len() as i64).collect::<Vec<_>>(),
            "{category}"
        );
    }
}
