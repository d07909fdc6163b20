//! Personal data (RGPD): everything stored about a person, exported as one document, and its
//! erasure. Erasing keeps each registration as an anonymous row (category, status, history,
//! wishes, meetings, outcomes and their amounts), so that counts and reports stay right, as
//! pretix's data shredder does; names, e-mail, phone, accessibility needs, messages, the comments
//! of the person's outcomes and the addresses and names in queued
//! mail are replaced or removed, and every token of the registration stops working. The
//! person's invitations go too; an opt-out of invitations stays (a hash of the address only).

use chrono::{DateTime, Utc};
use matinale_domain::meeting::Side;
use matinale_domain::outcome::side_text;
use matinale_domain::user::Actor;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::accounts::{new_secret, secret_hash};
use crate::credential::Credential;
use crate::database::Clocked;
use crate::database::Store;
use crate::entity::registration_history::Changer;
use crate::entity::{
    event, idempotency, meeting, meeting_outcome, meeting_preference, need_interest, outbox, registration,
    registration_history, registration_token, user, wish,
};
use crate::error::Error;

/// One registration and what hangs off it, as exported.
#[derive(Debug, Clone, Serialize)]
pub struct RegistrationExport {
    /// The registration's own fields.
    pub registration: Value,
    /// Its event's id and title.
    pub event: Value,
    /// Its state changes.
    pub history: Vec<Value>,
    /// Its speed-meeting preferences, if set.
    pub meeting_preferences: Option<Value>,
    /// Wishes it made and received (registration ids and priorities).
    pub wishes: Vec<Value>,
    /// Its published meetings (the partner by registration id only: their data is theirs).
    pub meetings: Vec<Value>,
    /// Expressions of interest made through it.
    pub interests: Vec<Value>,
    /// Mail queued or sent to it, without tokens.
    pub mails: Vec<Value>,
}

/// Everything stored about one e-mail address.
#[derive(Debug, Clone, Serialize)]
pub struct PersonExport {
    /// The address asked for.
    pub email: String,
    /// Its account, if it has one (name, role, creation).
    pub account: Option<Value>,
    /// Its registrations, oldest first.
    pub registrations: Vec<RegistrationExport>,
}

/// What an erasure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Erased {
    /// Registrations made anonymous.
    pub registrations: u64,
    /// Accounts with that address, left as they are (staff accounts are managed by admins).
    pub accounts_kept: u64,
}

fn time(t: DateTime<Utc>) -> Value {
    Value::String(t.to_rfc3339())
}

async fn export_of(db: &impl ConnectionTrait, r: registration::Model) -> Result<RegistrationExport, Error> {
    let event = event::Entity::find_by_id(r.event_id).one(db).await?;
    let history = registration_history::Entity::find()
        .filter(registration_history::Column::RegistrationId.eq(r.id))
        .order_by_asc(registration_history::Column::At)
        .all(db)
        .await?
        .into_iter()
        .map(|h| {
            serde_json::json!({"at": time(h.at), "actor": h.actor, "from_status": h.from_status,
                               "to_status": h.to_status, "reason": h.reason})
        })
        .collect();
    let meeting_preferences = meeting_preference::Entity::find_by_id(r.id).one(db).await?.map(|p| {
        serde_json::json!({"opt_in": p.opt_in, "max_meetings": p.max_meetings,
                                    "unavailable_slot_ids": p.unavailable_slot_ids})
    });
    let wishes = wish::Entity::find()
        .filter(
            Condition::any()
                .add(wish::Column::FromRegistrationId.eq(r.id))
                .add(wish::Column::ToRegistrationId.eq(r.id)),
        )
        .order_by_asc(wish::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|w| {
            serde_json::json!({"id": w.id, "from_registration_id": w.from_registration_id,
                               "to_registration_id": w.to_registration_id, "priority": w.priority,
                               "created_at": time(w.created_at)})
        })
        .collect();
    let mine = meeting::Entity::find()
        .filter(
            Condition::any()
                .add(meeting::Column::BuyerRegistrationId.eq(r.id))
                .add(meeting::Column::SupplierRegistrationId.eq(r.id)),
        )
        .order_by_asc(meeting::Column::Id)
        .all(db)
        .await?;
    // The outcomes this person's side reported (the other side's are theirs).
    let outcomes = meeting_outcome::Entity::find()
        .filter(meeting_outcome::Column::MeetingId.is_in(mine.iter().map(|m| m.id)))
        .order_by_asc(meeting_outcome::Column::RecordedAt)
        .all(db)
        .await?;
    let meetings = mine
        .into_iter()
        .map(|m| {
            let (side, partner) = if m.buyer_registration_id == r.id {
                (Side::Buyer, m.supplier_registration_id)
            } else {
                (Side::Supplier, m.buyer_registration_id)
            };
            let reported: Vec<Value> = outcomes
                .iter()
                .filter(|o| o.meeting_id == m.id && o.side == side)
                .map(|o| {
                    serde_json::json!({"outcome": o.outcome, "amount_cents": o.amount_cents,
                                       "comment": o.comment, "recorded_at": time(o.recorded_at)})
                })
                .collect();
            serde_json::json!({"id": m.id, "slot_id": m.slot_id, "table": m.table_no, "status": m.status,
                               "partner_registration_id": partner, "side": side_text(side), "outcomes": reported})
        })
        .collect();
    let interests = need_interest::Entity::find()
        .filter(need_interest::Column::RegistrationId.eq(r.id))
        .all(db)
        .await?
        .into_iter()
        .map(|i| {
            serde_json::json!({"id": i.id, "need_id": i.need_id, "message": i.message,
                                    "created_at": time(i.created_at)})
        })
        .collect();
    let mails = outbox::Entity::find()
        .filter(outbox::Column::RegistrationId.eq(r.id))
        .order_by_asc(outbox::Column::CreatedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|m| {
            serde_json::json!({"id": m.id, "kind": m.kind, "to_email": m.to_email, "status": m.status,
                               "payload": crate::outbox::without_tokens(m.payload), "created_at": time(m.created_at),
                               "sent_at": m.sent_at.map(time)})
        })
        .collect();
    Ok(RegistrationExport {
        registration: serde_json::json!({
            "id": r.id, "category": r.category, "status": r.status, "first_name": r.first_name,
            "last_name": r.last_name, "email": r.email, "phone": r.phone, "organisation_id": r.organisation_id,
            "organisation_confirmed_at": r.organisation_confirmed_at.map(time), "locale": r.locale,
            "accessibility_needs": r.accessibility_needs, "share_contact": r.share_contact,
            "calendar_feed_open": r.feed_token_hash.is_some(), "created_at": time(r.created_at),
            "updated_at": time(r.updated_at),
        }),
        event: serde_json::json!({"id": r.event_id, "title": event.map(|e| e.title)}),
        history,
        meeting_preferences,
        wishes,
        meetings,
        interests,
        mails,
    })
}

/// The registration of `id` for its own token holder or an admin: organisers of its event
/// may see it but not export or erase the person's data (403); others get not found.
async fn for_owner_or_admin(
    db: &impl ConnectionTrait,
    id: Uuid,
    who: &Credential,
) -> Result<registration::Model, Error> {
    let m = crate::credential::authorised(db, id, who).await?;
    match who {
        Credential::User(actor) if !actor.is_admin() => Err(Error::Forbidden),
        _ => Ok(m),
    }
}

/// Everything stored about the person of one registration: its token or an admin.
pub async fn export_registration(
    db: &impl ConnectionTrait,
    id: Uuid,
    who: &Credential,
) -> Result<RegistrationExport, Error> {
    let m = for_owner_or_admin(db, id, who).await?;
    export_of(db, m).await
}

fn admin_only(actor: &Actor) -> Result<(), Error> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

fn normalised(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Everything stored about an e-mail address, across events: admins only.
pub async fn export_person(db: &impl ConnectionTrait, email: &str, actor: &Actor) -> Result<PersonExport, Error> {
    admin_only(actor)?;
    let email = normalised(email);
    let account = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .map(|u| serde_json::json!({"id": u.id, "email": u.email, "name": u.name, "role": u.role}));
    let mut registrations = Vec::new();
    for r in registration::Entity::find()
        .filter(registration::Column::Email.eq(email.as_str()))
        .order_by_asc(registration::Column::CreatedAt)
        .all(db)
        .await?
    {
        registrations.push(export_of(db, r).await?);
    }
    Ok(PersonExport {
        email,
        account,
        registrations,
    })
}

/// Makes one registration anonymous inside the caller's transaction. A registration still
/// confirmed or waitlisted is cancelled first: its seat goes to the next person waiting, its
/// meetings to come are cancelled (their partners are told, without the erased name), and it
/// leaves every list of live participants; nothing is mailed to the erased address.
async fn erase(db: &impl Clocked, id: Uuid, by: Changer) -> Result<(), Error> {
    crate::registrations::withdraw(db, id, by, "cancelled: the person's data was erased", false).await?;
    // Its invitation to this event goes too (an opt-out stays: a hash only).
    if let Some(m) = registration::Entity::find_by_id(id).one(db).await? {
        crate::invitations::erase(db, Some(m.event_id), &m.email).await?;
    }
    let placeholder = format!("erased-{}@erased.invalid", id.simple());
    registration::change(id, db.now())
        .col_expr(registration::Column::FirstName, Expr::val("—"))
        .col_expr(registration::Column::LastName, Expr::val("—"))
        .col_expr(registration::Column::Email, Expr::val(placeholder.as_str()))
        .col_expr(registration::Column::Phone, Expr::val(Option::<String>::None))
        .col_expr(
            registration::Column::AccessibilityNeeds,
            Expr::val(Option::<String>::None),
        )
        .col_expr(registration::Column::ShareContact, Expr::val(false))
        // A random secret nobody knows: the manage link stops working.
        .col_expr(
            registration::Column::ManageTokenHash,
            Expr::val(secret_hash(&new_secret("mr_"))),
        )
        .col_expr(registration::Column::FeedTokenHash, Expr::val(Option::<String>::None))
        .col_expr(
            registration::Column::EmailVerificationHash,
            Expr::val(Option::<String>::None),
        )
        .col_expr(registration::Column::ErasedAt, Expr::val(db.now()))
        .exec(db)
        .await?;
    registration_token::Entity::delete_many()
        .filter(registration_token::Column::RegistrationId.eq(id))
        .exec(db)
        .await?;
    need_interest::Entity::update_many()
        .col_expr(need_interest::Column::Message, Expr::val(""))
        .filter(need_interest::Column::RegistrationId.eq(id))
        .exec(db)
        .await?;
    // Outcomes keep their kind and amount (reports), not the words of the person's side.
    for (side, column) in [
        ("buyer", meeting::Column::BuyerRegistrationId),
        ("supplier", meeting::Column::SupplierRegistrationId),
    ] {
        let theirs = meeting::Entity::find().filter(column.eq(id)).all(db).await?;
        if theirs.is_empty() {
            continue;
        }
        meeting_outcome::Entity::update_many()
            .col_expr(meeting_outcome::Column::Comment, Expr::val(Option::<String>::None))
            .filter(meeting_outcome::Column::MeetingId.is_in(theirs.iter().map(|m| m.id)))
            .filter(meeting_outcome::Column::Side.eq(side))
            .exec(db)
            .await?;
    }
    // Queued or sent mail keeps its kind and status (counts), not whom it was for.
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ToEmail, Expr::val(placeholder.as_str()))
        .col_expr(
            outbox::Column::Payload,
            Expr::val(serde_json::json!({"registration_id": id, "erased": true})),
        )
        .col_expr(outbox::Column::LastError, Expr::val(Option::<String>::None))
        .filter(outbox::Column::RegistrationId.eq(id))
        .exec(db)
        .await?;
    // A mail not sent yet would now go nowhere: it is given up.
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::val("failed"))
        .col_expr(outbox::Column::LastError, Expr::val("the person's data was erased"))
        .filter(outbox::Column::RegistrationId.eq(id))
        .filter(outbox::Column::Status.is_in(["queued", "sending"]))
        .exec(db)
        .await?;
    Ok(())
}

/// Drops the saved answers to `Idempotency-Key` retries that created registration `id`: they
/// name it and hold its first manage token.
async fn forget_replays(db: &impl ConnectionTrait, id: Uuid) -> Result<(), Error> {
    idempotency::Entity::delete_many()
        .filter(idempotency::Column::ResponseBody.contains(id.to_string()))
        .exec(db)
        .await?;
    Ok(())
}

/// Erases the person of one registration (its token or an admin), in one transaction.
pub async fn erase_registration(store: &Store, id: Uuid, who: &Credential) -> Result<Erased, Error> {
    for_owner_or_admin(store, id, who).await?;
    store
        .write(|txn| {
            Box::pin(async move {
                erase(txn, id, who.changer()).await?;
                forget_replays(txn, id).await?;
                Ok(Erased {
                    registrations: 1,
                    accounts_kept: 0,
                })
            })
        })
        .await
}

/// Erases every registration of an e-mail address (admins only), in one transaction.
pub async fn erase_person(store: &Store, email: &str, actor: &Actor) -> Result<Erased, Error> {
    admin_only(actor)?;
    let email = normalised(email);
    let email = &email;
    store
        .write(|txn| {
            Box::pin(async move {
                let ids: Vec<Uuid> = registration::Entity::find()
                    .filter(registration::Column::Email.eq(email.as_str()))
                    .all(txn)
                    .await?
                    .into_iter()
                    .map(|r| r.id)
                    .collect();
                for id in &ids {
                    erase(txn, *id, Changer::User(actor.user_id)).await?;
                    forget_replays(txn, *id).await?;
                }
                // Invitations of events the person never registered for (opt-outs stay).
                crate::invitations::erase(txn, None, email).await?;
                let accounts_kept = user::Entity::find()
                    .filter(user::Column::Email.eq(email.as_str()))
                    .all(txn)
                    .await?
                    .len() as u64;
                Ok(Erased {
                    registrations: ids.len() as u64,
                    accounts_kept,
                })
            })
        })
        .await
}
