use matinale_domain::user::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{fields, matinale, problem, spawn_app};

#[tokio::test]
async fn a_wrong_password_is_401_and_a_right_one_gives_a_token() {
    let app = spawn_app().await;
    let (_, token) = app.account(Role::Organiser).await;
    assert!(token.starts_with("mt_"));
    let wrong = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"email": "nobody@test.matinale", "password": "whatever-123"}),
        )
        .await;
    let body = problem(wrong, StatusCode::UNAUTHORIZED).await;
    assert_eq!(body["detail"], "wrong e-mail or password");
}

#[tokio::test]
async fn writes_need_a_valid_token() {
    let app = spawn_app().await;
    problem(
        app.post("/api/v1/events", None, &matinale()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    problem(
        app.post("/api/v1/events", Some("mt_forged"), &matinale()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let basic = app
        .request(reqwest::Method::POST, "/api/v1/events", None)
        .header("Authorization", "Basic Zm9vOmJhcg==")
        .json(&matinale())
        .send()
        .await
        .unwrap();
    problem(basic, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn only_admins_create_accounts() {
    let app = spawn_app().await;
    let organiser = app.organiser().await;
    let (_, admin) = app.account(Role::Admin).await;
    let new = json!({"email": "Claire@Ville-Orly.fr", "password": "une phrase de passe", "role": "organiser", "name": "Claire"});
    problem(
        app.post("/api/v1/users", Some(&organiser), &new).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let created = app.post("/api/v1/users", Some(&admin), &new).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let user: serde_json::Value = created.json().await.unwrap();
    assert_eq!(user["email"], "claire@ville-orly.fr");
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    problem(
        app.post("/api/v1/users", Some(&admin), &new).await,
        StatusCode::CONFLICT,
    )
    .await;
    let signed_in = app
        .post(
            "/api/v1/auth/token",
            None,
            &json!({"email": "claire@ville-orly.fr", "password": "une phrase de passe"}),
        )
        .await;
    assert_eq!(signed_in.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_bad_account_names_each_field() {
    let app = spawn_app().await;
    let (_, admin) = app.account(Role::Admin).await;
    let bad = json!({"email": "not-an-email", "password": "short", "role": "organiser", "name": " "});
    let body = problem(
        app.post("/api/v1/users", Some(&admin), &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["email", "name", "password"]);
    let role = json!({"email": "a@b.fr", "password": "long enough pass", "role": "superuser", "name": "X"});
    let body = problem(
        app.post("/api/v1/users", Some(&admin), &role).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&body), ["role"]);
    assert_eq!(body["errors"][0]["code"], "invalid_choice");
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let app = crate::support::spawn_app_with(|c| c.login_attempts_per_minute = 3).await;
    let attempt = json!({"email": "x@test.matinale", "password": "wrong password"});
    for _ in 0..3 {
        let r = app.post("/api/v1/auth/token", None, &attempt).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let limited = app.post("/api/v1/auth/token", None, &attempt).await;
    assert!(limited.headers().contains_key("retry-after"));
    problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
}
