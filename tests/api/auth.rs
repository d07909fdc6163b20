use matinale_domain::user::{NewUser, Role};
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

/// A sign-in attempt from `forwarded_for` (an `X-Forwarded-For` value).
async fn attempt_from(app: &crate::support::TestApp, email: &str, forwarded_for: &str) -> reqwest::Response {
    app.request(reqwest::Method::POST, "/api/v1/auth/token", None)
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"email": email, "password": "wrong password"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_sign_in_limit() {
    let app = crate::support::spawn_app_with(|c| {
        c.login_attempts_per_minute = 2;
        c.trusted_proxies = matinale_api::proxies::TrustedProxies::parse("127.0.0.1").0;
    })
    .await;
    for n in 0..2 {
        let r = attempt_from(&app, &format!("a{n}@test.matinale"), "203.0.113.1").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // The left-most value is the client's own word; the proxy appended the address it saw.
    let limited = attempt_from(&app, "a2@test.matinale", "10.9.9.9, 203.0.113.1").await;
    assert!(limited.headers().contains_key("retry-after"));
    problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    let other = attempt_from(&app, "a3@test.matinale", "203.0.113.2").await;
    assert_eq!(
        other.status(),
        StatusCode::UNAUTHORIZED,
        "another client behind the same proxy"
    );
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_ignored() {
    let app = crate::support::spawn_app_with(|c| c.login_attempts_per_minute = 2).await;
    for n in 0..2 {
        let r = attempt_from(&app, &format!("b{n}@test.matinale"), &format!("203.0.113.{n}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let r = attempt_from(&app, "b9@test.matinale", "203.0.113.99").await;
    problem(r, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn sign_ins_are_limited_per_e_mail_even_from_many_addresses() {
    let app = crate::support::spawn_app_with(|c| {
        c.login_attempts_per_minute = 1000;
        c.login_attempts_per_email_per_minute = 5;
        c.trusted_proxies = matinale_api::proxies::TrustedProxies::parse("127.0.0.1").0;
    })
    .await;
    let new = NewUser::parse("target@test.matinale", "T", Role::Organiser, "correct horse battery").unwrap();
    matinale_store::accounts::create_user(&app.db, new).await.unwrap();
    for n in 0..5 {
        let r = attempt_from(&app, "Target@test.matinale", &format!("198.51.100.{n}")).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // Even the right password waits now; another account does not.
    let right = app
        .request(reqwest::Method::POST, "/api/v1/auth/token", None)
        .header("X-Forwarded-For", "198.51.100.77")
        .json(&json!({"email": "target@test.matinale", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert!(right.headers().contains_key("retry-after"));
    problem(right, StatusCode::TOO_MANY_REQUESTS).await;
    let other = attempt_from(&app, "someone-else@test.matinale", "198.51.100.1").await;
    assert_eq!(other.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn signing_out_revokes_the_token() {
    let app = spawn_app().await;
    let (_, token) = app.account(Role::Organiser).await;
    let logout = |token: Option<&str>| app.request(reqwest::Method::POST, "/api/v1/auth/logout", token).send();
    problem(logout(None).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    problem(logout(Some("mt_forged")).await.unwrap(), StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.get("/api/v1/outbox", Some(&token)).await.status(), StatusCode::OK);
    assert_eq!(logout(Some(&token)).await.unwrap().status(), StatusCode::NO_CONTENT);
    problem(app.get("/api/v1/outbox", Some(&token)).await, StatusCode::UNAUTHORIZED).await;
    problem(logout(Some(&token)).await.unwrap(), StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn expired_account_tokens_are_purged() {
    let app = spawn_app().await;
    let (_, token) = app.account(Role::Organiser).await;
    let now = chrono::Utc::now();
    assert_eq!(
        matinale_store::accounts::purge_expired_tokens(&app.db, now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(app.get("/api/v1/outbox", Some(&token)).await.status(), StatusCode::OK);
    let later = now + chrono::Duration::hours(13);
    assert_eq!(
        matinale_store::accounts::purge_expired_tokens(&app.db, later)
            .await
            .unwrap(),
        1
    );
}
