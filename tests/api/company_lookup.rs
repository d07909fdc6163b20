//! The SIRET look-up in the public company register (`MATINALE_COMPANY_API_URL`), against a
//! stand-in for the administration's search service spawned by each test on a random port,
//! answering the service's JSON shape (`tests/fixtures/company_search/search_siret.json`);
//! never the network.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::import::{import, siret};
use crate::support::{fields, problem, spawn_app, spawn_app_with, TestApp};

/// The service's answer for [`KNOWN`], recorded in the shape it has.
const FIXTURE: &str = include_str!("../fixtures/company_search/search_siret.json");
/// What it answers for a SIRET it does not know.
const NOTHING: &str = r#"{"results": [], "total_results": 0, "page": 1, "per_page": 1, "total_pages": 0}"#;
/// The establishment of the fixture: ATELIER DU REEMPLOI, 94400 VITRY-SUR-SEINE, 38.32Z, ESS.
const KNOWN: &str = "88000000000013";

/// The stand-in: how many requests it received, and their targets.
struct StandIn {
    url: String,
    calls: Arc<AtomicUsize>,
    targets: Arc<Mutex<Vec<String>>>,
}

impl StandIn {
    /// Answers `GET /search?q=…`: the fixture for [`KNOWN`], no result for another SIRET; when
    /// `silent`, reads the request and never answers (the client's timeout ends it).
    async fn spawn(silent: bool) -> StandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let calls = Arc::new(AtomicUsize::new(0));
        let targets = Arc::new(Mutex::new(Vec::new()));
        let (counted, seen) = (calls.clone(), targets.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (counted, seen) = (counted.clone(), seen.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0u8; 2048];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buffer).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buffer[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&request).into_owned();
                    let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                    seen.lock().unwrap().push(target.clone());
                    counted.fetch_add(1, Ordering::SeqCst);
                    if silent {
                        // Until the client gives up and closes.
                        let _ = socket.read(&mut buffer).await;
                        return;
                    }
                    let body = if target.starts_with("/search?") && target.contains(&format!("q={KNOWN}")) {
                        FIXTURE
                    } else {
                        NOTHING
                    };
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        StandIn { url, calls, targets }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// The app, its look-up pointed at `stand_in`, quick to give up when `timeout` is short.
async fn app_asking(stand_in: &StandIn, timeout: Duration) -> TestApp {
    let url = stand_in.url.clone();
    spawn_app_with(move |c| {
        c.company_api_url = Some(url);
        c.company_api_timeout = timeout;
        c.company_api_rate_per_second = 1000;
    })
    .await
}

async fn report(app: &TestApp, token: &str, file: &str) -> Value {
    let r = import(app, token, "", "text/csv", file.as_bytes().to_vec()).await;
    let status = r.status();
    let body: Value = r.json().await.expect("a JSON report");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn by_siret(app: &TestApp, siret: &str) -> Value {
    let r = app.get("/api/v1/organisations?per_page=200", None).await;
    let list: Value = r.json().await.expect("a list");
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|o| o["siret"] == siret)
        .cloned()
        .unwrap_or_else(|| panic!("no organisation {siret} in {list}"))
}

#[tokio::test]
async fn an_import_line_with_only_a_siret_is_filled_from_the_register_and_asked_once() {
    let stand_in = StandIn::spawn(false).await;
    let app = app_asking(&stand_in, Duration::from_secs(2)).await;
    let token = app.organiser().await;
    let unknown = siret(5);
    let complete = siret(6);
    let file = format!(
        "siret;nom;code postal;commune;naf;ess\n\
         {KNOWN};;;;;\n\
         {unknown};Amicale des jardins;;Orly;;O\n\
         {complete};Coop Nettoyage;94310;Orly;81.21Z;O\n"
    );
    let first = report(&app, &token, &file).await;
    assert_eq!(first["created"], 3, "{first}");
    assert_eq!(first["rejected"], json!([]));
    // The complete line is not asked about; the known SIRET is found, the other is not.
    assert_eq!(
        first["company_lookup"],
        json!({"asked": 2, "found": 1, "not_found": 1, "failed_lines": [], "skipped": 0})
    );
    assert_eq!(stand_in.calls(), 2);
    let targets = stand_in.targets.lock().unwrap().clone();
    assert!(
        targets.iter().any(|t| t.starts_with(&format!("/search?q={KNOWN}"))),
        "{targets:?}"
    );

    let filled = by_siret(&app, KNOWN).await;
    assert_eq!(filled["name"], "ATELIER DU REEMPLOI");
    assert_eq!(filled["postcode"], "94400");
    assert_eq!(filled["cities"], json!(["VITRY-SUR-SEINE"]));
    assert_eq!(filled["sectors"], json!(["38.32Z"]));
    assert_eq!(filled["kind"], "ess_structure", "the register's ESS flag");
    assert_eq!(filled["ess_kinds"], json!(["siae", "aci", "association"]));
    let kept = by_siret(&app, &unknown).await;
    assert_eq!(
        (kept["name"].as_str(), kept["postcode"].as_str()),
        (Some("Amicale des jardins"), None)
    );

    // Again: the answers come from the cache, and nothing changes.
    let again = report(&app, &token, &file).await;
    assert_eq!(
        (again["unchanged"].as_u64(), again["created"].as_u64()),
        (Some(3), Some(0)),
        "{again}"
    );
    assert_eq!(again["company_lookup"]["asked"], 2);
    assert_eq!(stand_in.calls(), 2, "the second import asked the cache only");
}

#[tokio::test]
async fn a_create_with_only_a_siret_takes_the_register_s_name_and_address() {
    let stand_in = StandIn::spawn(false).await;
    let app = app_asking(&stand_in, Duration::from_secs(2)).await;
    let token = app.organiser().await;
    let r = app
        .post(
            "/api/v1/organisations",
            Some(&token),
            &json!({"kind": "ess_structure", "siret": KNOWN, "sectors": ["réemploi"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["name"], "ATELIER DU REEMPLOI");
    assert_eq!(created["postcode"], "94400");
    assert_eq!(created["cities"], json!(["VITRY-SUR-SEINE"]));
    assert_eq!(created["sectors"], json!(["réemploi", "38.32Z"]));
    assert_eq!(created["ess_kinds"], json!(["siae", "aci", "association"]));
    // What the caller sends wins; a SIRET the register does not know leaves the name missing.
    let r = app
        .post(
            "/api/v1/organisations",
            Some(&token),
            &json!({"kind": "company", "name": "Atelier (Vitry)", "siret": KNOWN, "postcode": "94400"}),
        )
        .await;
    let second: Value = r.json().await.unwrap();
    assert_eq!(second["name"], "Atelier (Vitry)", "{second}");
    assert_eq!(second["ess_kinds"], json!([]));
    assert_eq!(stand_in.calls(), 1, "the second create was answered by the cache");
    let unknown = json!({"kind": "company", "siret": siret(7)});
    let body = problem(
        app.post("/api/v1/organisations", Some(&token), &unknown).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["name"]);
    assert_eq!(stand_in.calls(), 2);
}

#[tokio::test]
async fn a_service_that_does_not_answer_fails_neither_the_import_nor_the_create() {
    let stand_in = StandIn::spawn(true).await;
    let app = app_asking(&stand_in, Duration::from_millis(300)).await;
    let token = app.organiser().await;
    let file = format!(
        "siret,name\n{KNOWN},Atelier\n{},\n{},Trois\n{},Quatre\n{},Cinq\n",
        siret(31),
        siret(32),
        siret(33),
        siret(34)
    );
    let body = report(&app, &token, &file).await;
    // Every line goes on with what it had: the one without a name is refused for that.
    assert_eq!(body["created"], 4, "{body}");
    assert_eq!(body["rejected"][0]["line"], 3, "{body}");
    assert_eq!(body["rejected"][0]["field"], "name", "{body}");
    // Three failures in a row, and the import asks no more.
    let lookups = &body["company_lookup"];
    assert_eq!(lookups["failed_lines"].as_array().map(Vec::len), Some(3), "{body}");
    assert_eq!(lookups["asked"], 3, "{body}");
    assert_eq!(lookups["skipped"], 2, "{body}");
    assert_eq!(by_siret(&app, KNOWN).await["name"], "Atelier");

    let r = app
        .post(
            "/api/v1/organisations",
            Some(&token),
            &json!({"kind": "ess_structure", "name": "Rejoué", "siret": siret(35)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    assert_eq!(
        (created["name"].as_str(), created["postcode"].as_str()),
        (Some("Rejoué"), None)
    );
}

#[tokio::test]
async fn without_the_service_nothing_is_looked_up() {
    let stand_in = StandIn::spawn(false).await;
    let app = spawn_app().await;
    let token = app.organiser().await;
    let body = report(&app, &token, &format!("siret;nom\n{KNOWN};Atelier\n{};\n", siret(40))).await;
    assert_eq!(body["created"], 1, "{body}");
    assert!(body.get("company_lookup").is_none(), "{body}");
    let unnamed = json!({"kind": "ess_structure", "siret": KNOWN});
    let refused = problem(
        app.post("/api/v1/organisations", Some(&token), &unnamed).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&refused), ["name"]);
    let bad_postcode = json!({"kind": "partner", "name": "Amicale", "postcode": "9440"});
    let refused = problem(
        app.post("/api/v1/organisations", Some(&token), &bad_postcode).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&refused), ["postcode"]);
    let body = report(&app, &token, "nom;cp\nAmicale;75O11\n").await;
    assert_eq!(body["rejected"][0]["field"], "postcode", "{body}");
    assert_eq!(stand_in.calls(), 0);

    // On, with room for one look-up an import: the second line goes without.
    let url = stand_in.url.clone();
    let limited = spawn_app_with(move |c| {
        c.company_api_url = Some(url);
        c.company_lookups_per_import = 1;
    })
    .await;
    let token = limited.organiser().await;
    let body = report(
        &limited,
        &token,
        &format!("siret;nom\n{KNOWN};\n{};Amicale\n", siret(41)),
    )
    .await;
    assert_eq!(body["company_lookup"]["asked"], 1, "{body}");
    assert_eq!(body["company_lookup"]["skipped"], 1, "{body}");
    assert_eq!(stand_in.calls(), 1);
}
