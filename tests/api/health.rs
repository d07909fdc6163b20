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
async fn a_wrong_method_on_a_known_path_is_405_with_the_allowed_ones() {
    let app = spawn_app().await;
    let id = "01900000-0000-7000-8000-000000000000";
    for (method, path, allow) in [
        (reqwest::Method::DELETE, "/api/v1/events".to_owned(), "GET, POST"),
        (reqwest::Method::PUT, format!("/api/v1/events/{id}"), "GET, PATCH"),
        (reqwest::Method::GET, format!("/api/v1/events/{id}/cancel"), "POST"),
        (reqwest::Method::POST, "/api/v1/calendars/mc_x.ics".to_owned(), "GET"),
        // A literal path answers for itself, not for the `/needs/{id}` it also fits.
        (reqwest::Method::OPTIONS, "/api/v1/needs/categories".to_owned(), "GET"),
        (
            reqwest::Method::HEAD,
            format!("/api/v1/registrations/{id}/agenda.ics"),
            "GET",
        ),
    ] {
        let r = app.request(method.clone(), &path, None).send().await.unwrap();
        assert_eq!(
            r.headers().get("allow").map(|v| v.to_str().unwrap().to_owned()),
            Some(allow.to_owned()),
            "{method} {path}"
        );
        if method != reqwest::Method::HEAD {
            problem(r, StatusCode::METHOD_NOT_ALLOWED).await;
        } else {
            assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
        }
    }
    // An unknown path stays a 404, whatever the method.
    let r = app
        .request(reqwest::Method::DELETE, "/api/v1/nothing-here", None)
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("allow").is_none());
    problem(r, StatusCode::NOT_FOUND).await;
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
