use matinale_domain::user::{NewUser, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{problem, spawn_app, TestApp};

async fn organisation(app: &TestApp, token: &str, kind: &str, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/organisations",
            Some(token),
            &json!({"kind": kind, "name": name}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn add(app: &TestApp, org: &str, by: &str, user: Uuid) {
    let r = app
        .post(
            &format!("/api/v1/organisations/{org}/members"),
            Some(by),
            &json!({"user_id": user}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
}

async fn delete(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    app.request(Method::DELETE, path, token).send().await.unwrap()
}

/// The user ids listed by `GET /organisations/{id}/members`, as `token` sees them.
async fn listed(app: &TestApp, org: &str, token: &str) -> Vec<String> {
    let r = app
        .get(&format!("/api/v1/organisations/{org}/members"), Some(token))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let mut ids: Vec<String> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[tokio::test]
async fn members_organisers_and_admins_list_the_members_of_an_organisation() {
    let app = spawn_app().await;
    let (creator_id, creator) = app.account(Role::Organiser).await;
    let (buyer_id, buyer) = app.account(Role::Member).await;
    let (outsider_id, outsider) = app.account(Role::Member).await;
    let (_, loner) = app.account(Role::Member).await;
    let (_, stranger) = app.account(Role::Organiser).await;
    let (_, admin) = app.account(Role::Admin).await;
    let orly = organisation(&app, &creator, "public_buyer", "Ville d'Orly").await;
    let ess = organisation(&app, &creator, "ess_structure", "La Mine").await;
    add(&app, &orly, &creator, buyer_id).await;
    add(&app, &ess, &creator, outsider_id).await;

    let path = format!("/api/v1/organisations/{orly}/members");
    problem(app.get(&path, None).await, StatusCode::UNAUTHORIZED).await;
    problem(app.get(&path, Some("mt_forged")).await, StatusCode::UNAUTHORIZED).await;
    // Members of another organisation, or of none: 403.
    problem(app.get(&path, Some(&outsider)).await, StatusCode::FORBIDDEN).await;
    problem(app.get(&path, Some(&loner)).await, StatusCode::FORBIDDEN).await;
    problem(
        app.get(
            &format!("/api/v1/organisations/{}/members", Uuid::now_v7()),
            Some(&admin),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // Its members, any organiser, admins.
    let expected = sorted(vec![creator_id.to_string(), buyer_id.to_string()]);
    for token in [&buyer, &creator, &stranger, &admin] {
        assert_eq!(listed(&app, &orly, token).await, expected);
    }
    let body: Value = app.get(&path, Some(&buyer)).await.json().await.unwrap();
    let me = body
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user_id"] == json!(buyer_id))
        .unwrap()
        .clone();
    assert_eq!(me["role"], "member");
    assert_eq!(me["name"], "Test");
    assert!(me["email"].as_str().unwrap().ends_with("@test.matinale"));
    // The addresses are for the organisation's members and admins; another organiser lists
    // the members by name and role, without e-mail (data minimisation).
    let emails = |body: Value| -> Vec<Option<String>> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|m| m.get("email").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    for token in [&buyer, &creator, &admin] {
        let seen = emails(app.get(&path, Some(token)).await.json().await.unwrap());
        assert!(seen
            .iter()
            .all(|e| e.as_deref().is_some_and(|e| e.ends_with("@test.matinale"))));
    }
    let body: Value = app.get(&path, Some(&stranger)).await.json().await.unwrap();
    assert_eq!(emails(body.clone()), vec![None, None]);
    assert!(body
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["name"] == "Test" && m["role"].is_string()));
    assert_eq!(
        listed(&app, &ess, &outsider).await,
        sorted(vec![creator_id.to_string(), outsider_id.to_string()])
    );
}

#[tokio::test]
async fn members_or_admins_remove_members_but_never_the_last_one() {
    let app = spawn_app().await;
    let (creator_id, creator) = app.account(Role::Organiser).await;
    let (buyer_id, buyer) = app.account(Role::Member).await;
    let (outsider_id, outsider) = app.account(Role::Member).await;
    let (_, stranger) = app.account(Role::Organiser).await;
    let (_, admin) = app.account(Role::Admin).await;
    let orly = organisation(&app, &creator, "public_buyer", "Ville d'Orly").await;
    let ess = organisation(&app, &creator, "ess_structure", "La Mine").await;
    add(&app, &orly, &creator, buyer_id).await;
    add(&app, &ess, &creator, outsider_id).await;
    let member = |user: Uuid| format!("/api/v1/organisations/{orly}/members/{user}");

    // Who may not: anonymous 401; an organiser who is not a member and a member of another
    // organisation 403.
    problem(delete(&app, &member(buyer_id), None).await, StatusCode::UNAUTHORIZED).await;
    problem(
        delete(&app, &member(buyer_id), Some(&stranger)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        delete(&app, &member(buyer_id), Some(&outsider)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // What does not exist: 404 (organisation, non-member, malformed id).
    problem(
        delete(
            &app,
            &format!("/api/v1/organisations/{}/members/{buyer_id}", Uuid::now_v7()),
            Some(&admin),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        delete(&app, &member(outsider_id), Some(&buyer)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        delete(
            &app,
            &format!("/api/v1/organisations/{orly}/members/nope"),
            Some(&buyer),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;

    // A member removes another: that one loses the right to edit the organisation.
    let r = delete(&app, &member(creator_id), Some(&buyer)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(listed(&app, &orly, &buyer).await, [buyer_id.to_string()]);
    problem(
        app.patch(
            &format!("/api/v1/organisations/{orly}"),
            Some(&creator),
            &json!({"description": "x"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        delete(&app, &member(buyer_id), Some(&creator)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // The last member stays, even for an admin.
    let last = problem(
        delete(&app, &member(buyer_id), Some(&buyer)).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(last["detail"].as_str().unwrap().contains("last member"));
    problem(
        delete(&app, &member(buyer_id), Some(&admin)).await,
        StatusCode::CONFLICT,
    )
    .await;
    // An admin adds someone back and removes the other; a member may leave by itself.
    add(&app, &orly, &admin, creator_id).await;
    let r = delete(&app, &member(buyer_id), Some(&admin)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    add(&app, &orly, &creator, buyer_id).await;
    let r = delete(&app, &member(buyer_id), Some(&buyer)).await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(listed(&app, &orly, &admin).await, [creator_id.to_string()]);
    problem(
        delete(&app, &member(buyer_id), Some(&creator)).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn members_add_an_account_by_its_e_mail() {
    let app = spawn_app().await;
    let (_, creator) = app.account(Role::Organiser).await;
    let (_, outsider) = app.account(Role::Member).await;
    let orly = organisation(&app, &creator, "public_buyer", "Ville d'Orly").await;
    let new = NewUser::parse(
        "awa.diallo@orly.test",
        "Awa Diallo",
        Role::Member,
        "correct horse battery",
    )
    .unwrap();
    let awa = matinale_store::accounts::create_user(&app.db, new).await.unwrap();
    let path = format!("/api/v1/organisations/{orly}/members");

    // Not a member of the organisation: 403, before any look-up of the address.
    problem(
        app.post(&path, Some(&outsider), &json!({"email": "awa.diallo@orly.test"}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post(&path, Some(&outsider), &json!({"email": "nobody@orly.test"}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // An address no account has, neither field, or both: 422 naming the field.
    let body = problem(
        app.post(&path, Some(&creator), &json!({"email": "nobody@orly.test"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "email");
    assert_eq!(body["errors"][0]["code"], "unknown");
    let body = problem(
        app.post(&path, Some(&creator), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "user_id");
    let both = json!({"email": "awa.diallo@orly.test", "user_id": awa.id});
    let body = problem(
        app.post(&path, Some(&creator), &both).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "email");
    assert!(!listed(&app, &orly, &creator).await.contains(&awa.id.to_string()));

    // Case and spaces ignored; twice changes nothing.
    for email in [" Awa.Diallo@ORLY.test ", "awa.diallo@orly.test"] {
        let r = app.post(&path, Some(&creator), &json!({"email": email})).await;
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
    let members = listed(&app, &orly, &creator).await;
    assert_eq!(members.iter().filter(|m| **m == awa.id.to_string()).count(), 1);
    assert_eq!(members.len(), 2);
}
