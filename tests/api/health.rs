use reqwest::StatusCode;

use crate::support::{problem, spawn_app};

#[tokio::test]
async fn liveness_and_readiness_answer() {
    let app = spawn_app().await;
    for path in ["/health/live", "/health/ready"] {
        let r = app.get(path, None).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["status"], "ok");
    }
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = spawn_app().await;
    app.db.clone().close().await.unwrap();
    assert_eq!(
        app.get("/health/ready", None).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(app.get("/health/live", None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_routes_and_ids_are_problem_404s() {
    let app = spawn_app().await;
    problem(app.get("/api/v1/nothing-here", None).await, StatusCode::NOT_FOUND).await;
    problem(app.get("/api/v1/events/not-a-uuid", None).await, StatusCode::NOT_FOUND).await;
    problem(
        app.get("/api/v1/events/01900000-0000-7000-8000-000000000000", None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn the_committed_openapi_document_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml is committed at the root");
    let generated = matinale_api::openapi_yaml();
    assert!(
        committed == generated,
        "openapi.yaml is stale: run `make openapi` and commit the result"
    );
    assert!(generated.starts_with("openapi: 3.1"), "OpenAPI 3.1 expected");
    let app = spawn_app().await;
    let served = app.get("/openapi.yaml", None).await.text().await.unwrap();
    assert_eq!(served, generated);
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary() {
    let app = spawn_app().await;
    let page = app.get("/docs/", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://unpkg.com") && !html.contains("cdn."),
        "no asset from the network"
    );
    let script = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(script.status(), StatusCode::OK);
    let spec = app.get("/docs/openapi.json", None).await;
    assert_eq!(spec.status(), StatusCode::OK);
}
