//! One scene for the speed-meeting tests, built over HTTP as an organiser and registrants
//! would: the matinale of 25 November 2099, 9:00–12:30 in Orly, published and open for
//! registration, with one block 10:30–12:00 of 10-minute slots and 2-minute breaks (7 slots);
//! buyers registered for a Ville each and ESS structures, as a test asks: the structures in
//! organisations of their own, every contact shared; every claim to an organisation approved
//! by the organiser. Then, as steps of the test, everyone
//! wishing to meet everyone on the other side, and the schedule drawn and published.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::support::{created, ok_json, open_matinale, TestApp};

/// A registrant and the manage token that speaks for them.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub(crate) id: String,
    pub(crate) token: String,
    pub(crate) email: String,
}

impl Person {
    /// Cancels this registration, with its own token.
    pub(crate) async fn cancel(&self, app: &TestApp) {
        let path = format!("/api/v1/registrations/{}/cancel", self.id);
        let r = app.post(&path, Some(&self.token), &json!({})).await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    }

    /// Changes this registrant's meeting preferences (`{"opt_in": false}`, …), with its own
    /// token.
    pub(crate) async fn set_meetings(&self, app: &TestApp, meetings: Value) {
        let path = format!("/api/v1/registrations/{}", self.id);
        let r = app
            .patch(&path, Some(&self.token), &json!({ "meetings": meetings }))
            .await;
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    }
}

/// What [`SceneBuilder::build`] made.
pub(crate) struct Scene {
    pub(crate) organiser: String,
    pub(crate) event: String,
    /// The block's slots, in time order.
    pub(crate) slots: Vec<String>,
    pub(crate) buyers: Vec<Person>,
    pub(crate) suppliers: Vec<Person>,
    /// The organisation of each buyer, in order.
    pub(crate) buyer_orgs: Vec<String>,
    /// The organisation of each supplier, in order (empty unless
    /// [`SceneBuilder::structures_in_organisations`]).
    pub(crate) supplier_orgs: Vec<String>,
}

/// ESS kinds given to the structures' organisations, in turn.
pub(crate) const KINDS: [&[&str]; 3] = [&["siae", "ei"], &["ea"], &["scop"]];

/// How [`Scene`] is set up; see [`Scene::with`].
#[must_use]
pub(crate) struct SceneBuilder {
    buyers: usize,
    suppliers: usize,
    tables: u32,
    structures_in_organisations: bool,
    everyone_shares_contact: bool,
    claims_unconfirmed: bool,
}

impl Scene {
    /// `buyers` buyers and `suppliers` ESS structures registered, at a block of 3 tables.
    /// Registrants of even index write in French, the others in English; buyers share their
    /// contact, structures do not.
    pub(crate) fn with(buyers: usize, suppliers: usize) -> SceneBuilder {
        SceneBuilder {
            buyers,
            suppliers,
            tables: 3,
            structures_in_organisations: false,
            everyone_shares_contact: false,
            claims_unconfirmed: false,
        }
    }

    /// Buyer by buyer, every buyer wishes to meet every structure (buyer `i`, structure `j`:
    /// priority `1 + (i + j) % 3`).
    pub(crate) async fn buyers_wish_every_structure(&self, app: &TestApp) {
        for (i, buyer) in self.buyers.iter().enumerate() {
            for (j, supplier) in self.suppliers.iter().enumerate() {
                wish(app, &self.event, buyer, supplier, (1 + (i + j) % 3) as u8).await;
            }
        }
    }

    /// Structure by structure, every structure wishes to meet every buyer at `priority`.
    pub(crate) async fn structures_wish_every_buyer(&self, app: &TestApp, priority: u8) {
        for supplier in &self.suppliers {
            for buyer in &self.buyers {
                wish(app, &self.event, supplier, buyer, priority).await;
            }
        }
    }

    /// Draws the schedule and publishes it.
    pub(crate) async fn run_and_publish(&self, app: &TestApp) {
        run(app, self).await;
        publish(app, self).await;
    }

    /// The buyer or structure registered as `id`.
    pub(crate) fn person(&self, id: &str) -> &Person {
        self.buyers
            .iter()
            .chain(&self.suppliers)
            .find(|p| p.id == id)
            .expect("a person of the scene")
    }
}

impl SceneBuilder {
    /// The block has `tables` tables.
    pub(crate) fn tables(mut self, tables: u32) -> Self {
        self.tables = tables;
        self
    }

    /// Each structure registers for an organisation of its own (ESS kinds from [`KINDS`]).
    pub(crate) fn structures_in_organisations(mut self) -> Self {
        self.structures_in_organisations = true;
        self
    }

    /// Structures share their contact too.
    pub(crate) fn everyone_shares_contact(mut self) -> Self {
        self.everyone_shares_contact = true;
        self
    }

    /// Nobody's claim to an organisation is approved.
    pub(crate) fn claims_unconfirmed(mut self) -> Self {
        self.claims_unconfirmed = true;
        self
    }

    pub(crate) async fn build(self, app: &TestApp) -> Scene {
        let organiser = app.organiser().await;
        let event = text(&app.create_event(&organiser, &open_matinale()).await["id"]);
        let block = created(
            app,
            &format!("/api/v1/events/{event}/meeting-blocks"),
            Some(&organiser),
            json!({"starts_at": "2099-11-25T10:30:00+01:00", "ends_at": "2099-11-25T12:00:00+01:00",
                   "slot_minutes": 10, "break_minutes": 2, "tables": self.tables}),
        )
        .await;
        let slots: Vec<String> = block["slots"]
            .as_array()
            .expect("slots")
            .iter()
            .map(|s| text(&s["id"]))
            .collect();
        assert_eq!(slots.len(), 7, "{block}");
        let mut scene = Scene {
            organiser,
            event,
            slots,
            buyers: Vec::new(),
            suppliers: Vec::new(),
            buyer_orgs: Vec::new(),
            supplier_orgs: Vec::new(),
        };
        for n in 0..self.buyers {
            let org = json!({"kind": "public_buyer", "name": format!("Ville n°{n}"), "cities": ["Orly"]});
            let org = text(&created(app, "/api/v1/organisations", Some(&scene.organiser), org).await["id"]);
            let person = register(app, &scene.event, "buyer", Some(&org), n, true).await;
            if !self.claims_unconfirmed {
                approve(app, &scene.organiser, &person).await;
            }
            scene.buyer_orgs.push(org);
            scene.buyers.push(person);
        }
        for n in 0..self.suppliers {
            let org = if self.structures_in_organisations {
                let kinds = KINDS[n % KINDS.len()];
                let org = json!({"kind": "ess_structure", "name": format!("Structure n°{n}"), "ess_kinds": kinds});
                let org = text(&created(app, "/api/v1/organisations", Some(&scene.organiser), org).await["id"]);
                scene.supplier_orgs.push(org.clone());
                Some(org)
            } else {
                None
            };
            let shares = self.everyone_shares_contact;
            let person = register(app, &scene.event, "ess_structure", org.as_deref(), n, shares).await;
            if org.is_some() && !self.claims_unconfirmed {
                approve(app, &scene.organiser, &person).await;
            }
            scene.suppliers.push(person);
        }
        scene
    }
}

fn text(v: &Value) -> String {
    v.as_str().expect("a string").to_owned()
}

/// Registers the `n`th person in `category` for `event`, for `organisation` if any; in French
/// when `n` is even, in English otherwise.
pub(crate) async fn register(
    app: &TestApp,
    event: &str,
    category: &str,
    organisation: Option<&str>,
    n: usize,
    share_contact: bool,
) -> Person {
    let email = format!("{category}-{n}-{}@example.org", Uuid::now_v7().simple());
    let body = json!({
        "category": category,
        "person": {"first_name": category, "last_name": format!("N{n}"), "email": email},
        "organisation_id": organisation,
        "locale": if n.is_multiple_of(2) { "fr" } else { "en" },
        "consents": {"share_contact": share_contact},
    });
    let r = created(app, &format!("/api/v1/events/{event}/registrations"), None, body).await;
    Person {
        id: text(&r["id"]),
        token: text(&r["manage_token"]),
        email,
    }
}

/// An organiser of the event confirms that `person` speaks for the organisation it names (an
/// unconfirmed claim is never shown as that organisation).
pub(crate) async fn approve(app: &TestApp, organiser: &str, person: &Person) {
    let path = format!("/api/v1/registrations/{}/organisation/approve", person.id);
    let r = app.post(&path, Some(organiser), &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
}

/// `from` wishes to meet `to`.
pub(crate) async fn wish(app: &TestApp, event: &str, from: &Person, to: &Person, priority: u8) -> Value {
    created(
        app,
        &format!("/api/v1/events/{event}/wishes"),
        Some(&from.token),
        json!({"from_registration_id": from.id, "to_registration_id": to.id, "priority": priority}),
    )
    .await
}

/// Draws the schedule; the draft.
pub(crate) async fn run(app: &TestApp, s: &Scene) -> Value {
    created(
        app,
        &format!("/api/v1/events/{}/schedule", s.event),
        Some(&s.organiser),
        json!({}),
    )
    .await
}

/// Publishes the draft.
pub(crate) async fn publish(app: &TestApp, s: &Scene) -> Value {
    let r = app
        .post(
            &format!("/api/v1/events/{}/schedule/publish", s.event),
            Some(&s.organiser),
            &json!({}),
        )
        .await;
    let status = r.status();
    let body: Value = r.json().await.expect("JSON");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Every published meeting of the event, in one page.
pub(crate) async fn timetable(app: &TestApp, s: &Scene) -> Vec<Value> {
    ok_json(
        app,
        &format!("/api/v1/events/{}/meetings?per_page=200", s.event),
        &s.organiser,
    )
    .await["items"]
        .as_array()
        .expect("items")
        .clone()
}
