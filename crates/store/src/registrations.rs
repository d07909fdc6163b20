//! Registrations: seats, waiting list, promotion, magic-link tokens, check-in, history.
//!
//! Every seat is a row of `seats` (one pool per category with a quota, plus an `open` pool of
//! what the quotas leave of the capacity). Registering claims one free row of its pool: on
//! PostgreSQL with `FOR UPDATE SKIP LOCKED`, so concurrent registrants lock different rows and
//! no single row is a hot spot. A registration is one round trip: on PostgreSQL one statement,
//! on SQLite one batch of statements inside a write transaction that registrants waiting at the
//! same time share (group commit, module `group_commit`).
//! A seat can never hold two registrations (unique `registration_id`, one row per seat).

use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};
use matinale_domain::event::{Category, Event, Quotas};
use matinale_domain::mail::{MailKind, MailStatus};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::registration::{
    organisation_claim_confirmed, Consents, Locale, NewRegistration, Registration, RegistrationDetails,
    RegistrationStatus, SeatPool, StatusChange,
};
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, SqlErr, Statement, Value,
};
use uuid::Uuid;

use crate::accounts::{new_secret, secret_hash};
use crate::database::Store;
use crate::entity::{idempotency, registration, registration_history, registration_token};
use crate::error::{corrupt, Error};
use crate::outbox::{self, MailDetails, MailPayload, NewMail};

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_HOURS: i64 = 24;

/// A registration's manage link is mailed again at most once in this many minutes, however
/// often its e-mail is registered again.
pub const LINK_RESEND_MINUTES: i64 = 10;

/// Who changes a registration, as recorded in its history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// An organiser or admin account.
    User(Actor),
    /// The holder of the registration's manage token.
    Registrant(Uuid),
}

impl Credential {
    /// The account behind the credential, if it is one.
    pub fn actor(&self) -> Option<&Actor> {
        match self {
            Credential::User(actor) => Some(actor),
            Credential::Registrant(_) => None,
        }
    }

    fn actor_text(&self) -> String {
        match self {
            Credential::User(a) => a.user_id.to_string(),
            Credential::Registrant(_) => "registrant".to_owned(),
        }
    }
}

/// A created registration and its manage token (shown once).
#[derive(Debug, Clone)]
pub struct Registered {
    /// The registration.
    pub registration: Registration,
    /// The bearer secret for this registration only.
    pub manage_token: String,
}

impl Registered {
    /// What is kept of it for replays.
    pub fn receipt(&self) -> Receipt {
        let r = &self.registration;
        Receipt {
            id: r.id,
            event_id: r.event_id,
            category: r.category,
            status: r.status,
            waitlist_position: r.waitlist_position,
            manage_token: self.manage_token.clone(),
        }
    }
}

/// A new registration as its registrant was first told of it: what an idempotent replay
/// answers again. Kept (as JSON) with the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Receipt {
    /// The registration.
    pub id: Uuid,
    /// Its event.
    pub event_id: Uuid,
    /// Its category.
    pub category: Category,
    /// Its status then.
    pub status: RegistrationStatus,
    /// Its place on the waiting list then.
    pub waitlist_position: Option<u32>,
    /// The bearer secret for this registration only.
    pub manage_token: String,
}

/// What `register` did.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A new registration.
    Created(Box<Registered>),
    /// The registration first made with the same idempotency key and body.
    Replayed(Receipt),
}

/// The HTTP status kept with a receipt (the column predates receipts): 201, created.
const CREATED: i32 = 201;

/// An `Idempotency-Key` with what it protects.
#[derive(Debug, Clone)]
pub struct IdempotencyRequest {
    /// Client key.
    pub key: String,
    /// What it applies to (method and path).
    pub scope: String,
    /// Hash of the request body.
    pub request_hash: String,
}

/// Filters of the organiser's list.
#[derive(Debug, Clone, Copy, Default)]
pub struct RegistrationFilter {
    /// Only this status.
    pub status: Option<RegistrationStatus>,
    /// Only this category.
    pub category: Option<Category>,
}

/// The registration and its history.
#[derive(Debug, Clone)]
pub struct RegistrationWithHistory {
    /// The registration.
    pub registration: Registration,
    /// Its state changes, oldest first.
    pub history: Vec<StatusChange>,
}

pub(crate) fn stmt(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    // Written with PostgreSQL's `$n`; SQLite takes the same numbers as `?n`.
    let sql = if backend == DbBackend::Postgres {
        sql.to_owned()
    } else {
        // Only parameters: a `$` in a string (a JSON path) stays.
        let mut out = String::with_capacity(sql.len());
        let mut chars = sql.chars().peekable();
        while let Some(c) = chars.next() {
            let parameter = c == '$' && chars.peek().is_some_and(char::is_ascii_digit);
            out.push(if parameter { '?' } else { c });
        }
        out
    };
    Statement::from_sql_and_values(backend, sql, values)
}

pub(crate) fn to_registration(m: registration::Model, waitlist_position: Option<u32>) -> Result<Registration, Error> {
    Ok(Registration {
        id: m.id,
        event_id: m.event_id,
        category: Category::from_db(&m.category).ok_or_else(|| corrupt("category"))?,
        status: RegistrationStatus::from_db(&m.status).ok_or_else(|| corrupt("registration status"))?,
        waitlist_position,
        details: RegistrationDetails {
            first_name: m.first_name,
            last_name: m.last_name,
            phone: m.phone,
            organisation_id: m.organisation_id,
            locale: Locale::from_db(&m.locale).ok_or_else(|| corrupt("locale"))?,
            accessibility_needs: m.accessibility_needs,
            consents: Consents {
                share_contact: m.share_contact,
            },
        },
        // An approval only; the other evidence is read by `settle_claims`.
        organisation_confirmed: m.organisation_id.is_some() && m.organisation_confirmed_at.is_some(),
        email: m.email,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Which of `claims`, each the (organisation, e-mail) of a registration nobody approved, the
/// other evidence confirms: a member account's e-mail, a verified mail domain. One answer per
/// claim, in order.
pub(crate) async fn confirmed_by_evidence(
    db: &impl ConnectionTrait,
    claims: &[(Uuid, &str)],
) -> Result<Vec<bool>, Error> {
    if claims.is_empty() {
        return Ok(Vec::new());
    }
    let mut organisations: Vec<Uuid> = claims.iter().map(|(organisation, _)| *organisation).collect();
    organisations.sort();
    organisations.dedup();
    let evidence = crate::organisations::claim_evidence(db, organisations).await?;
    Ok(claims
        .iter()
        .map(|(organisation, email)| {
            evidence
                .get(organisation)
                .is_some_and(|e| organisation_claim_confirmed(email, false, &e.member_emails, &e.verified_domains))
        })
        .collect())
}

/// Completes `organisation_confirmed` of registrations read from their rows (which know only
/// of approvals) with the other evidence: a member account's e-mail, a verified mail domain.
pub(crate) async fn settle_claims(db: &impl ConnectionTrait, registrations: &mut [Registration]) -> Result<(), Error> {
    let open: Vec<(usize, Uuid)> = registrations
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.organisation_confirmed)
        .filter_map(|(i, r)| r.details.organisation_id.map(|o| (i, o)))
        .collect();
    let claims: Vec<(Uuid, &str)> = open
        .iter()
        .map(|&(i, organisation)| (organisation, registrations[i].email.as_str()))
        .collect();
    let confirmed = confirmed_by_evidence(db, &claims).await?;
    for ((i, _), confirmed) in open.into_iter().zip(confirmed) {
        registrations[i].organisation_confirmed = confirmed;
    }
    Ok(())
}

/// The foreign key refuses a registration naming an organisation that does not exist: that is
/// the caller's `organisation_id`, not a failure of the database.
fn unknown_organisation(err: DbErr) -> Error {
    match err.sql_err() {
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            matinale_domain::Error::field("organisation_id", "unknown", "no organisation has this id").into()
        }
        _ => err.into(),
    }
}

/// The 1-based place of a waitlisted registration among the waitlisted of its event and
/// category, computed from the queue order at read time, so positions are always gapless.
async fn waitlist_position(db: &impl ConnectionTrait, m: &registration::Model) -> Result<Option<u32>, Error> {
    if m.status != RegistrationStatus::Waitlisted.as_str() {
        return Ok(None);
    }
    let ahead = registration::Entity::find()
        .filter(registration::Column::EventId.eq(m.event_id))
        .filter(registration::Column::Category.eq(m.category.as_str()))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
        .filter(
            Condition::any()
                .add(registration::Column::QueueOrder.lt(m.queue_order))
                .add(
                    Condition::all()
                        .add(registration::Column::QueueOrder.eq(m.queue_order))
                        .add(registration::Column::Id.lt(m.id)),
                ),
        )
        .count(db)
        .await?;
    Ok(Some(ahead as u32 + 1))
}

async fn load(db: &impl ConnectionTrait, id: Uuid) -> Result<registration::Model, Error> {
    registration::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

async fn record(
    db: &impl ConnectionTrait,
    registration_id: Uuid,
    actor: &str,
    from: Option<RegistrationStatus>,
    to: RegistrationStatus,
    reason: &str,
) -> Result<(), Error> {
    registration_history::Entity::insert(registration_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        registration_id: Set(registration_id),
        at: Set(Utc::now()),
        actor: Set(actor.to_owned()),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(to.as_str().to_owned()),
        reason: Set(reason.to_owned()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Queues a mail of `kind` to the person of `m`, about their registration and its event.
pub(crate) async fn mail(
    db: &impl ConnectionTrait,
    kind: MailKind,
    m: &registration::Model,
    details: MailDetails,
) -> Result<(), Error> {
    outbox::enqueue(db, NewMail::to_registration(m, kind, details)).await
}

/// What every mail about a registration carries, and `details`.
pub(crate) fn mail_payload(
    registration_id: Uuid,
    event_id: Uuid,
    first_name: &str,
    last_name: &str,
    category: &str,
    details: MailDetails,
) -> serde_json::Value {
    MailPayload {
        registration_id,
        event_id: Some(event_id),
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        category: Some(category.to_owned()),
        details,
    }
    .to_json()
}

/// The first free seat of pool `$3` of event `$2`, as a sub-select. On PostgreSQL concurrent
/// claims skip each other's locked rows. Only when every free row looked locked does the second
/// sub-select wait for them (`COALESCE` evaluates it only then): a claim that rolls back
/// elsewhere must not send anybody to the waiting list.
fn free_seat(backend: DbBackend) -> String {
    let free = |lock: &str| {
        format!(
            "(SELECT seat_no FROM seats WHERE event_id = $2 AND pool = $3 AND registration_id IS NULL \
             ORDER BY seat_no LIMIT 1 {lock})"
        )
    };
    if backend == DbBackend::Postgres {
        format!("COALESCE({}, {})", free("FOR UPDATE SKIP LOCKED"), free("FOR UPDATE"))
    } else {
        free("")
    }
}

fn queue_order(now: DateTime<Utc>) -> i64 {
    now.timestamp_micros()
}

/// Registers `new` for the public event `event_id` if it takes registrations now (409 or 422
/// otherwise), in one transaction: the idempotency key, the row, a seat or a waiting-list
/// place, the history and the mail. A rush reads its event once per store instead of once
/// per registration ([`Store::remember_event`]); the registration itself checks that the event
/// still has the version read (see [`insert_registration`]), and reads it again when it has
/// changed.
pub async fn register(
    store: &Store,
    event_id: Uuid,
    new: NewRegistration,
    idempotency: Option<IdempotencyRequest>,
) -> Result<Outcome, Error> {
    let store = store.clone();
    crate::run_to_completion(async move {
        let remembered = store.remembered_event(event_id);
        let mut read = remembered.is_none();
        let mut event = match remembered {
            Some(event) => event,
            None => read_event(&store, event_id).await?,
        };
        for _ in 0..3 {
            match matinale_domain::registration::check_open(&event, Utc::now()) {
                Ok(()) => match register_once(&store, &event, &new, idempotency.as_ref()).await {
                    // The event has changed since it was read: read it again.
                    Err(Error::Stale) => {}
                    done => return done,
                },
                Err(closed) if read => return Err(closed.into()),
                // Closed as remembered; refuse only on what the database holds now.
                Err(_) => {}
            }
            event = read_event(&store, event_id).await?;
            read = true;
        }
        Err(Error::Conflict(
            "the event kept changing while registering: try again".into(),
        ))
    })
    .await
}

/// Reads the public event `event_id` and remembers it for the next registrations.
async fn read_event(store: &Store, event_id: Uuid) -> Result<Event, Error> {
    let event = crate::events::get_public(store, event_id).await?;
    store.remember_event(event.clone());
    Ok(event)
}

/// Two PostgreSQL claims can deadlock when one locks a seat another just took (the lock
/// follows the row's update chain) and then waits for a free one: the database rolls one back,
/// and [`Store::write`] runs it again with a fresh snapshot.
async fn register_once(
    store: &Store,
    event: &Event,
    new: &NewRegistration,
    idempotency: Option<&IdempotencyRequest>,
) -> Result<Outcome, Error> {
    let Some(idem) = idempotency else {
        // The common case. On PostgreSQL one statement, its own transaction, one round trip;
        // on SQLite one batch of statements in a transaction shared with other registrants.
        let inserted = if store.backend() == DbBackend::Postgres {
            store
                .write_statement(|| insert_registration(store.connection(), event, new, None))
                .await
        } else {
            crate::group_commit::register(store, event.clone(), new.clone()).await
        };
        return match inserted {
            Err(Error::Conflict(_)) => Err(resend_link(store, event.id, new.person.email.as_str()).await),
            done => done.map(|r| Outcome::Created(Box::new(r))),
        };
    };
    // With a key: the key, the registration and the receipt kept for replays, in one transaction.
    let duplicate = AtomicBool::new(false);
    let duplicate = &duplicate;
    let written = store
        .write(|txn| {
            Box::pin(async move {
                if let Some(earlier) = claim_idempotency_key(txn, idem).await? {
                    return Ok(Outcome::Replayed(earlier));
                }
                let registered = insert_registration(txn, event, new, None).await.inspect_err(|e| {
                    duplicate.store(matches!(e, Error::Conflict(_)), Ordering::Relaxed);
                })?;
                let receipt = serde_json::to_string(&registered.receipt())
                    .map_err(|e| Error::internal(format!("a receipt did not serialize: {e}")))?;
                idempotency::Entity::update_many()
                    .col_expr(idempotency::Column::ResponseStatus, Expr::val(CREATED))
                    .col_expr(idempotency::Column::ResponseBody, Expr::val(receipt))
                    .filter(idempotency::Column::Scope.eq(idem.scope.as_str()))
                    .filter(idempotency::Column::Key.eq(idem.key.as_str()))
                    .exec(txn)
                    .await?;
                Ok(Outcome::Created(Box::new(registered)))
            })
        })
        .await;
    match written {
        Err(Error::Conflict(_)) if duplicate.load(Ordering::Relaxed) => {
            Err(resend_link(store, event.id, new.person.email.as_str()).await)
        }
        done => done,
    }
}

/// Takes `idem` for this transaction. `Some` is the answer to give instead of registering: the
/// first answer to the same key and body, replayed. A key reused with another body is
/// [`Error::KeyReused`], and one whose first request has not finished yet a conflict.
async fn claim_idempotency_key(
    txn: &impl ConnectionTrait,
    idem: &IdempotencyRequest,
) -> Result<Option<Receipt>, Error> {
    // The first statement writes, so SQLite takes its one writer lock right away.
    let backend = txn.get_database_backend();
    txn.execute_raw(stmt(
        backend,
        "DELETE FROM idempotency WHERE scope = $1 AND key = $2 AND created_at < $3",
        vec![
            idem.scope.clone().into(),
            idem.key.clone().into(),
            (Utc::now() - Duration::hours(IDEMPOTENCY_HOURS)).into(),
        ],
    ))
    .await?;
    // On PostgreSQL a concurrent insert of the same key waits here for the first to commit.
    let inserted = txn
        .execute_raw(stmt(
            backend,
            "INSERT INTO idempotency (scope, key, request_hash, response_status, response_body, created_at) \
             VALUES ($1, $2, $3, NULL, NULL, $4) ON CONFLICT DO NOTHING",
            vec![
                idem.scope.clone().into(),
                idem.key.clone().into(),
                idem.request_hash.clone().into(),
                Utc::now().into(),
            ],
        ))
        .await?
        .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    let in_progress = || Error::Conflict("a request with this Idempotency-Key is in progress".into());
    let saved = idempotency::Entity::find_by_id((idem.scope.clone(), idem.key.clone()))
        .one(txn)
        .await?
        .ok_or_else(in_progress)?;
    if saved.request_hash != idem.request_hash {
        return Err(Error::KeyReused);
    }
    match saved.response_body {
        Some(body) => serde_json::from_str(&body)
            .map(Some)
            .map_err(|_| corrupt("idempotency receipt")),
        None => Err(in_progress()),
    }
}

/// What a new registration's row, history and first mail say, whichever way it is written.
struct Fresh {
    id: Uuid,
    token: String,
    pool: SeatPool,
    now: DateTime<Utc>,
}

impl Fresh {
    fn new(event: &Event, new: &NewRegistration) -> Self {
        Fresh {
            id: Uuid::now_v7(),
            token: new_secret("mr_"),
            pool: SeatPool::of(new.category, &event.fields.quotas),
            now: Utc::now(),
        }
    }

    /// The history's reason and the mail for a new registration of `status`.
    fn reason_and_mail(status: RegistrationStatus) -> (&'static str, MailKind) {
        match status {
            RegistrationStatus::Confirmed => ("registered; a seat was free", MailKind::RegistrationConfirmed),
            _ => (
                "registered; every seat of its category was taken",
                MailKind::RegistrationWaitlisted,
            ),
        }
    }
}

/// Rows each event and category's waiting-list tally is split over.
const TALLY_SHARDS: u128 = 16;

/// Adds to the waiting-list tally of an event and category (`FROM_ROW` gives the event, the
/// category, the shard and the change), creating the shard's row on first use.
const TALLY: &str = "INSERT INTO waitlist_tally (event_id, category, shard, waitlisted) FROM_ROW \
    ON CONFLICT (event_id, category, shard) DO UPDATE SET waitlisted = waitlist_tally.waitlisted + excluded.waitlisted";

/// The tally row a registration counts in, always the same one (so no row goes below zero).
fn tally_shard(registration_id: Uuid) -> i32 {
    (registration_id.as_u128() % TALLY_SHARDS) as i32
}

/// Takes one registration of `category` off the waiting-list tally of `event_id`: it was
/// promoted or cancelled. Every change of status from waitlisted goes through here, so that the
/// tally stays the number of waitlisted registrations.
async fn untally_waitlisted(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    category: &str,
    registration_id: Uuid,
) -> Result<(), Error> {
    let backend = db.get_database_backend();
    db.execute_raw(stmt(
        backend,
        &TALLY.replace("FROM_ROW", "VALUES ($1, $2, $3, -1)"),
        vec![event_id.into(), category.into(), tally_shard(registration_id).into()],
    ))
    .await?;
    Ok(())
}

/// Claims a seat (or not) and writes the row, its history and its first mail, in one round
/// trip: on PostgreSQL one statement (data-modifying `WITH`, its own transaction when `db` is
/// not one); on SQLite, which has no such `WITH`, the same steps as one batch of statements
/// inside the caller's write transaction. The seat is the first free one of its pool
/// ([`free_seat`]), claimed before the row is written, so the row is written once with its final status, and a
/// duplicate e-mail fails the insert and (by rollback) frees the seat.
///
/// On SQLite, `savepoint` names a savepoint the batch begins with, so that the caller can roll
/// back what it did when a statement of it fails.
pub(crate) async fn insert_registration(
    db: &impl ConnectionTrait,
    event: &Event,
    new: &NewRegistration,
    savepoint: Option<&str>,
) -> Result<Registered, Error> {
    let backend = db.get_database_backend();
    let fresh = Fresh::new(event, new);
    let (confirmed, waitlisted) = (RegistrationStatus::Confirmed, RegistrationStatus::Waitlisted);
    let reasons = [confirmed, waitlisted].map(Fresh::reason_and_mail);
    let person = &new.person;
    let payload = mail_payload(
        fresh.id,
        event.id,
        &person.first_name,
        &person.last_name,
        new.category.as_str(),
        MailDetails::token(fresh.token.clone()),
    );
    // Every part writes only while the event has the version `event` was read at ($26): else the
    // statement returns no row, and the caller reads the event again. On PostgreSQL the check
    // takes the key-share lock that the foreign key takes anyway, so it waits for an event
    // change in progress ([`lock_event_for_change`]) and then reads the version it committed.
    let unchanged = if backend == DbBackend::Postgres {
        "EXISTS (SELECT 1 FROM events WHERE id = $2 AND version = $26 FOR KEY SHARE)"
    } else {
        "EXISTS (SELECT 1 FROM events WHERE id = $2 AND version = $26)"
    };
    let claim = format!(
        "UPDATE seats SET registration_id = $1 WHERE event_id = $2 AND pool = $3 AND seat_no = {} AND {unchanged}",
        free_seat(backend)
    );
    let insert = "INSERT INTO registrations (id, event_id, category, pool, status, first_name, last_name, email, \
            phone, organisation_id, locale, accessibility_needs, share_contact, manage_token_hash, feed_token_hash, \
            version, queue_order, created_at, updated_at) \
        SELECT $1, $2, $4, $3, CASE WHEN SEATED THEN $16 ELSE $17 END, \
            $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, 1, $14, $15, $15 WHERE UNCHANGED";
    // The place of the row `reg` among the waitlisted of its category: after those waiting
    // already, as tallied ([`TALLY`]), not counted one by one.
    let position = "CASE WHEN reg.status = $17 THEN 1 + COALESCE((SELECT sum(t.waitlisted) FROM waitlist_tally t \
        WHERE t.event_id = reg.event_id AND t.category = reg.category), 0) END";
    let tally = TALLY.replace(
        "FROM_ROW",
        "SELECT reg.event_id, reg.category, $27, 1 FROM NEW_ROW WHERE reg.status = $17",
    );
    let history = "INSERT INTO registration_history (id, registration_id, at, actor, from_status, to_status, reason) \
        SELECT $18, reg.id, reg.created_at, 'registrant', NULL, reg.status, \
            CASE WHEN reg.status = $16 THEN $19 ELSE $20 END FROM NEW_ROW";
    let mail = "INSERT INTO outbox (id, kind, to_email, locale, payload, status, attempts, next_attempt_at, \
            last_error, registration_id, created_at, lease_until, event_id, sent_at) \
        SELECT $21, CASE WHEN reg.status = $16 THEN $22 ELSE $23 END, reg.email, reg.locale, PAYLOAD, $25, 0, \
            reg.created_at, NULL, reg.id, reg.created_at, NULL, reg.event_id, NULL FROM NEW_ROW";
    let sql = if backend == DbBackend::Postgres {
        format!(
            "WITH seat AS ({claim} RETURNING 1), reg AS ({insert} RETURNING *, {position} AS waitlist_position), \
             history AS ({history}), mail AS ({mail}), tally AS ({tally}) SELECT * FROM reg",
            tally = tally.replace("NEW_ROW", "reg"),
            // The claim's effect is not visible to the rest of the statement, its result is.
            insert = insert
                .replace("INSERT INTO registrations ", "INSERT INTO registrations AS reg ")
                .replace("SEATED", "EXISTS (SELECT 1 FROM seat)")
                .replace("UNCHANGED", unchanged),
            history = history.replace("NEW_ROW", "reg"),
            // Inside one statement every part sees the same snapshot: `reg` is the new row, and
            // its place reads the tally as committed before, without this row.
            mail = mail.replace("NEW_ROW", "reg").replace(
                "PAYLOAD",
                "($24::jsonb || jsonb_build_object('waitlist_position', reg.waitlist_position))::json"
            ),
        )
    } else {
        // `reg` names the new row; its place is computed once the row is there.
        let reg = "(SELECT * FROM registrations WHERE id = $1) AS reg";
        format!(
            // The place is computed once, for the mail (before the tally counts the new row), and
            // read back from it.
            "{savepoint}{claim}; {insert}; {history}; {mail}; {tally}; SELECT reg.*, \
             json_extract(outbox.payload, '$.waitlist_position') AS waitlist_position \
             FROM {reg} JOIN outbox ON outbox.id = $21",
            savepoint = savepoint.map(|name| format!("SAVEPOINT {name}; ")).unwrap_or_default(),
            insert = insert
                .replace("SEATED", "EXISTS (SELECT 1 FROM seats WHERE registration_id = $1)")
                .replace("UNCHANGED", unchanged),
            history = history.replace("NEW_ROW", reg),
            mail = mail
                .replace("PAYLOAD", &format!("json_set($24, '$.waitlist_position', {position})"))
                .replace("NEW_ROW", reg),
            tally = tally.replace("NEW_ROW", reg),
        )
    };
    let mut values: Vec<Value> = vec![
        fresh.id.into(),
        event.id.into(),
        fresh.pool.as_str().into(),
        new.category.as_str().into(),
        person.first_name.clone().into(),
        person.last_name.clone().into(),
        person.email.as_str().into(),
        person.phone.clone().into(),
        new.organisation_id.into(),
        new.locale.as_str().into(),
        new.accessibility_needs.clone().into(),
        new.consents.share_contact.into(),
        secret_hash(&fresh.token).into(),
        queue_order(fresh.now).into(),
        fresh.now.into(),
        confirmed.as_str().into(),
        waitlisted.as_str().into(),
        Uuid::now_v7().into(),
        reasons[0].0.into(),
        reasons[1].0.into(),
        Uuid::now_v7().into(),
        reasons[0].1.as_str().into(),
        reasons[1].1.as_str().into(),
        payload.into(),
        MailStatus::Queued.as_str().into(),
        event.version.into(),
        tally_shard(fresh.id).into(),
    ];
    if backend == DbBackend::Sqlite {
        // sqlx binds `?NNN` by its number, but also counts the numbers a statement of a batch
        // skips against the arguments, and stops binding a statement when that count passes
        // their end (leaving its later parameters NULL). Spare NULLs at the end keep it going;
        // they only bind to numbers that no statement uses. A statement skips fewer numbers
        // than there are arguments, so one set of spares per statement is always enough.
        let statements = sql.matches(';').count() + 1;
        values.extend(std::iter::repeat_n(
            Value::from(None::<String>),
            statements * values.len(),
        ));
    }
    let found = db
        .query_one_raw(stmt(backend, &sql, values))
        .await
        .map_err(unknown_organisation)?
        .ok_or(Error::Stale)?;
    let model = registration::Model::from_query_result(&found, "")?;
    let position: Option<i64> = found.try_get("", "waitlist_position")?;
    Ok(Registered {
        registration: to_registration(model, position.map(|p| p as u32))?,
        manage_token: fresh.token,
    })
}

/// Forgets the `Idempotency-Key`s older than [`IDEMPOTENCY_HOURS`] at `now`: their saved
/// answers hold manage tokens in clear. Returns how many were dropped.
pub async fn purge_idempotency(store: &Store, now: DateTime<Utc>) -> Result<u64, Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                Ok(idempotency::Entity::delete_many()
                    .filter(idempotency::Column::CreatedAt.lt(now - Duration::hours(IDEMPOTENCY_HOURS)))
                    .exec(txn)
                    .await?
                    .rows_affected)
            })
        })
        .await
}

/// The e-mail is already registered: mail the registration a new manage link, unless one was
/// mailed in the last [`LINK_RESEND_MINUTES`], then answer with the conflict. The links sent
/// before keep working (a new token is added, none replaced), and the answer is the same
/// whether a link was sent or not: it shows nothing of the registration.
async fn resend_link(store: &Store, event_id: Uuid, email: &str) -> Error {
    let attempt = store.write(|txn| {
        Box::pin(async move {
            let mut live = registration::Entity::find()
                .filter(registration::Column::EventId.eq(event_id))
                .filter(registration::Column::Email.eq(email))
                .filter(registration::Column::Status.ne(RegistrationStatus::Cancelled.as_str()));
            if txn.get_database_backend() == DbBackend::Postgres {
                // Two duplicates at once: the second waits, then sees the first one's link.
                live = live.lock_exclusive();
            }
            let Some(m) = live.one(txn).await? else {
                return Ok(());
            };
            let now = Utc::now();
            let recent = registration_token::Entity::find()
                .filter(registration_token::Column::RegistrationId.eq(m.id))
                .filter(registration_token::Column::CreatedAt.gt(now - Duration::minutes(LINK_RESEND_MINUTES)))
                .count(txn)
                .await?;
            if recent == 0 {
                let token = new_secret("mr_");
                registration_token::ActiveModel {
                    token_hash: Set(secret_hash(&token)),
                    registration_id: Set(m.id),
                    created_at: Set(now),
                }
                .insert(txn)
                .await?;
                mail(txn, MailKind::RegistrationLink, &m, MailDetails::token(token)).await?;
            }
            Ok(())
        })
    });
    match attempt.await {
        Ok(()) => Error::Conflict(format!(
            "this e-mail is already registered for this event; its management link is mailed to it \
             (at most once every {LINK_RESEND_MINUTES} minutes)"
        )),
        Err(e) => e,
    }
}

/// The registration a manage token opens, if any: its first token, or one mailed since.
pub async fn for_token(db: &impl ConnectionTrait, token: &str) -> Result<Option<Uuid>, Error> {
    let hash = secret_hash(token);
    let first = registration::Entity::find()
        .filter(registration::Column::ManageTokenHash.eq(hash.as_str()))
        .select_only()
        .column(registration::Column::Id)
        .into_tuple::<Uuid>()
        .one(db)
        .await?;
    if first.is_some() {
        return Ok(first);
    }
    Ok(registration_token::Entity::find_by_id(hash)
        .select_only()
        .column(registration_token::Column::RegistrationId)
        .into_tuple::<Uuid>()
        .one(db)
        .await?)
}

/// What a person's agenda shows: the event of the registration and, once speed meetings are
/// scheduled, the registration's meetings (added by the meetings use case).
#[derive(Debug, Clone)]
pub struct Agenda {
    /// The registration (its status decides whether the event shows as cancelled).
    pub registration: Registration,
    /// Its event.
    pub event: Event,
}

async fn agenda_of(db: &impl ConnectionTrait, m: registration::Model) -> Result<Agenda, Error> {
    let event = crate::events::get(db, m.event_id).await?;
    Ok(Agenda {
        registration: to_registration(m, None)?,
        event,
    })
}

/// The agenda of a registration, for its token holder or an organiser of its event.
pub async fn agenda(db: &impl ConnectionTrait, id: Uuid, who: &Credential) -> Result<Agenda, Error> {
    let m = authorised(db, id, who).await?;
    agenda_of(db, m).await
}

/// The agenda behind a calendar-feed token; unknown or revoked tokens are not found.
pub async fn agenda_for_feed(db: &impl ConnectionTrait, feed_token: &str) -> Result<Agenda, Error> {
    let m = registration::Entity::find()
        .filter(registration::Column::FeedTokenHash.eq(secret_hash(feed_token)))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    agenda_of(db, m).await
}

/// Opens the secret calendar feed of a registration, or replaces its token (the previous
/// one stops working at once); for its token holder or an organiser of its event. Returns
/// the new token, which is stored only as its hash and so is shown once.
pub async fn rotate_feed_token(store: &Store, id: Uuid, who: &Credential) -> Result<String, Error> {
    authorised(store, id, who).await?;
    let token = new_secret("mc_");
    let hash = secret_hash(&token);
    let hash = &hash;
    let written = store
        .write(|txn| {
            Box::pin(async move {
                Ok(registration::Entity::update_many()
                    .col_expr(registration::Column::FeedTokenHash, Expr::val(hash.as_str()))
                    .filter(registration::Column::Id.eq(id))
                    .exec(txn)
                    .await?)
            })
        })
        .await?;
    if written.rows_affected != 1 {
        return Err(Error::NotFound);
    }
    Ok(token)
}

/// Closes the calendar feed of a registration; closing a closed feed changes nothing.
pub async fn revoke_feed_token(store: &Store, id: Uuid, who: &Credential) -> Result<(), Error> {
    authorised(store, id, who).await?;
    store
        .write(|txn| {
            Box::pin(async move {
                registration::Entity::update_many()
                    .col_expr(registration::Column::FeedTokenHash, Expr::val(Option::<String>::None))
                    .filter(registration::Column::Id.eq(id))
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await
}

/// Loads a registration for `who`: its own token, or an organiser of its event; else not found.
pub(crate) async fn authorised(
    db: &impl ConnectionTrait,
    id: Uuid,
    who: &Credential,
) -> Result<registration::Model, Error> {
    match who {
        Credential::Registrant(own) if *own != id => return Err(Error::NotFound),
        _ => {}
    }
    let m = load(db, id).await?;
    if let Credential::User(actor) = who {
        let event = crate::events::get(db, m.event_id).await?;
        if !event.is_organised_by(actor) {
            return Err(Error::NotFound);
        }
    }
    Ok(m)
}

async fn history(db: &impl ConnectionTrait, id: Uuid) -> Result<Vec<StatusChange>, Error> {
    registration_history::Entity::find()
        .filter(registration_history::Column::RegistrationId.eq(id))
        .order_by_asc(registration_history::Column::At)
        .order_by_asc(registration_history::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|h| {
            Ok(StatusChange {
                at: h.at,
                actor: h.actor,
                from: match h.from_status {
                    Some(s) => Some(RegistrationStatus::from_db(&s).ok_or_else(|| corrupt("status"))?),
                    None => None,
                },
                to: RegistrationStatus::from_db(&h.to_status).ok_or_else(|| corrupt("status"))?,
                reason: h.reason,
            })
        })
        .collect()
}

/// One registration with its history, for its token holder or an organiser of its event.
pub async fn get(db: &impl ConnectionTrait, id: Uuid, who: &Credential) -> Result<RegistrationWithHistory, Error> {
    let m = authorised(db, id, who).await?;
    with_history(db, m).await
}

/// The registration of row `m`, with its history, once the caller is known to see it.
async fn with_history(db: &impl ConnectionTrait, m: registration::Model) -> Result<RegistrationWithHistory, Error> {
    let id = m.id;
    let position = waitlist_position(db, &m).await?;
    let mut registration = to_registration(m, position)?;
    settle_claims(db, std::slice::from_mut(&mut registration)).await?;
    Ok(RegistrationWithHistory {
        registration,
        history: history(db, id).await?,
    })
}

/// Confirms that a registration speaks for the organisation it names (see
/// `organisation_claim_confirmed`): by an organiser of its event or a member of that
/// organisation (or an admin), who then see the registration; anyone else gets 404. Approving
/// again changes nothing; the approval is kept in the history, and dropped if the registration
/// names another organisation later. Naming none is a 422 on `organisation_id`.
pub async fn approve_organisation(store: &Store, id: Uuid, actor: &Actor) -> Result<RegistrationWithHistory, Error> {
    store
        .write(|txn| Box::pin(approve_organisation_in(txn, id, actor)))
        .await
}

async fn approve_organisation_in(
    txn: &impl ConnectionTrait,
    id: Uuid,
    actor: &Actor,
) -> Result<RegistrationWithHistory, Error> {
    let m = load(txn, id).await?;
    let organiser = crate::events::get(txn, m.event_id).await?.is_organised_by(actor);
    let member = match m.organisation_id {
        Some(org) => match crate::organisations::get(txn, org).await {
            Ok(o) => crate::organisations::may_edit(&o, actor),
            Err(Error::NotFound) => false,
            Err(e) => return Err(e),
        },
        None => false,
    };
    if !organiser && !member {
        return Err(Error::NotFound);
    }
    let Some(org) = m.organisation_id else {
        return Err(matinale_domain::Error::field(
            "organisation_id",
            "required",
            "the registration names no organisation to confirm",
        )
        .into());
    };
    if m.organisation_confirmed_at.is_none() {
        let now = Utc::now();
        registration::Entity::update_many()
            .col_expr(registration::Column::OrganisationConfirmedAt, Expr::val(now))
            .col_expr(registration::Column::OrganisationConfirmedBy, Expr::val(actor.user_id))
            .col_expr(
                registration::Column::Version,
                Expr::col(registration::Column::Version).add(1),
            )
            .col_expr(registration::Column::UpdatedAt, Expr::val(now))
            .filter(registration::Column::Id.eq(id))
            .exec(txn)
            .await?;
        let status = RegistrationStatus::from_db(&m.status).ok_or_else(|| corrupt("status"))?;
        let reason = format!("speaks for organisation {org}: approved");
        record(txn, id, &actor.user_id.to_string(), Some(status), status, &reason).await?;
    }
    with_history(txn, load(txn, id).await?).await
}

/// Changes the details of a registration; `change` computes them from the current ones.
pub async fn update_details(
    store: &Store,
    id: Uuid,
    who: &Credential,
    if_match: Option<i32>,
    change: impl FnOnce(&Registration) -> Result<RegistrationDetails, matinale_domain::Error> + Send,
) -> Result<RegistrationWithHistory, Error> {
    let mut change = Some(change);
    store
        .write(|txn| {
            let change = change.take();
            Box::pin(async move { update_details_in(txn, id, who, if_match, crate::database::once(change)?).await })
        })
        .await
}

/// [`update_details`] inside the caller's write.
pub(crate) async fn update_details_in(
    db: &impl ConnectionTrait,
    id: Uuid,
    who: &Credential,
    if_match: Option<i32>,
    change: impl FnOnce(&Registration) -> Result<RegistrationDetails, matinale_domain::Error>,
) -> Result<RegistrationWithHistory, Error> {
    let m = authorised(db, id, who).await?;
    let current = to_registration(m, None)?;
    if if_match.is_some_and(|v| v != current.version) {
        return Err(Error::Stale);
    }
    let d = change(&current)?;
    let mut update = registration::Entity::update_many();
    if d.organisation_id != current.details.organisation_id {
        // An approval was for the organisation named then.
        update = update
            .col_expr(
                registration::Column::OrganisationConfirmedAt,
                Expr::val(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                registration::Column::OrganisationConfirmedBy,
                Expr::val(Option::<Uuid>::None),
            );
    }
    let written = update
        .col_expr(registration::Column::FirstName, Expr::val(d.first_name))
        .col_expr(registration::Column::LastName, Expr::val(d.last_name))
        .col_expr(registration::Column::Phone, Expr::val(d.phone))
        .col_expr(registration::Column::OrganisationId, Expr::val(d.organisation_id))
        .col_expr(registration::Column::Locale, Expr::val(d.locale.as_str()))
        .col_expr(
            registration::Column::AccessibilityNeeds,
            Expr::val(d.accessibility_needs),
        )
        .col_expr(registration::Column::ShareContact, Expr::val(d.consents.share_contact))
        .col_expr(registration::Column::Version, Expr::val(current.version + 1))
        .col_expr(registration::Column::UpdatedAt, Expr::val(Utc::now()))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::Version.eq(current.version))
        .exec(db)
        .await
        .map_err(unknown_organisation)?;
    if written.rows_affected != 1 {
        return Err(Error::Stale);
    }
    get(db, id, who).await
}

/// Gives a freed seat of `pool` to the first waitlisted registration of that pool (of
/// `category` first), if the seat is still free.
async fn promote_into(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    pool: &str,
    seat_no: i32,
    category: &str,
) -> Result<Promotion, Error> {
    let backend = db.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let row = db
        .query_one_raw(stmt(
            backend,
            &format!(
                "SELECT id, category FROM registrations WHERE event_id = $1 AND pool = $2 AND status = 'waitlisted' \
                 ORDER BY CASE WHEN category = $3 THEN 0 ELSE 1 END, queue_order, id LIMIT 1 {lock}"
            ),
            vec![event_id.into(), pool.into(), category.into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(Promotion::NobodyWaiting);
    };
    let promoted: Uuid = row.try_get("", "id")?;
    let promoted_category: String = row.try_get("", "category")?;
    // Only while the seat is still free: a registrant may have claimed it since it was read.
    let claimed = db
        .execute_raw(stmt(
            backend,
            "UPDATE seats SET registration_id = $1 WHERE event_id = $2 AND pool = $3 AND seat_no = $4 \
             AND registration_id IS NULL",
            vec![promoted.into(), event_id.into(), pool.into(), seat_no.into()],
        ))
        .await?
        .rows_affected();
    if claimed != 1 {
        return Ok(Promotion::SeatTaken);
    }
    untally_waitlisted(db, event_id, &promoted_category, promoted).await?;
    let now = Utc::now();
    registration::Entity::update_many()
        .col_expr(
            registration::Column::Status,
            Expr::val(RegistrationStatus::Confirmed.as_str()),
        )
        .col_expr(
            registration::Column::Version,
            Expr::col(registration::Column::Version).add(1),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::val(now))
        .filter(registration::Column::Id.eq(promoted))
        .exec(db)
        .await?;
    record(
        db,
        promoted,
        "system",
        Some(RegistrationStatus::Waitlisted),
        RegistrationStatus::Confirmed,
        "promoted from the waiting list: a seat was freed",
    )
    .await?;
    let m = load(db, promoted).await?;
    mail(db, MailKind::RegistrationPromoted, &m, MailDetails::default()).await?;
    Ok(Promotion::Promoted)
}

/// What [`promote_into`] did with a free seat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Promotion {
    /// The first waitlisted registration has it now.
    Promoted,
    /// Nobody waits in its pool.
    NobodyWaiting,
    /// Someone took it meanwhile; nothing was changed.
    SeatTaken,
}

/// Cancels a registration and, in the same transaction, gives its seat to the first
/// waitlisted person of its category (or of its seat pool).
pub async fn cancel(store: &Store, id: Uuid, who: &Credential) -> Result<RegistrationWithHistory, Error> {
    authorised(store, id, who).await?;
    // The promotion claims a seat like a registration does, so it can meet the same
    // PostgreSQL deadlock; the rolled-back cancellation simply runs again ([`Store::write`]).
    store.write(|txn| Box::pin(cancel_in(txn, id, who))).await
}

async fn cancel_in(txn: &impl ConnectionTrait, id: Uuid, who: &Credential) -> Result<RegistrationWithHistory, Error> {
    let backend = txn.get_database_backend();
    // First statement a write (SQLite's writer lock at once); the status guard settles races.
    let cancelled = registration::Entity::update_many()
        .col_expr(
            registration::Column::Status,
            Expr::val(RegistrationStatus::Cancelled.as_str()),
        )
        .col_expr(
            registration::Column::Version,
            Expr::col(registration::Column::Version).add(1),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::val(Utc::now()))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::Status.is_in([
            RegistrationStatus::Confirmed.as_str(),
            RegistrationStatus::Waitlisted.as_str(),
        ]))
        .exec(txn)
        .await?;
    if cancelled.rows_affected != 1 {
        let m = load(txn, id).await?;
        return Err(Error::Conflict(format!(
            "a {} registration cannot be cancelled",
            m.status
        )));
    }
    let freed = txn
        .query_one_raw(stmt(
            backend,
            "UPDATE seats SET registration_id = NULL WHERE registration_id = $1 RETURNING pool, seat_no",
            vec![id.into()],
        ))
        .await?;
    let m = load(txn, id).await?;
    let from = if freed.is_some() {
        RegistrationStatus::Confirmed
    } else {
        untally_waitlisted(txn, m.event_id, &m.category, id).await?;
        RegistrationStatus::Waitlisted
    };
    let reason = match who {
        Credential::User(_) => "cancelled by an organiser",
        Credential::Registrant(_) => "cancelled by the registrant",
    };
    record(
        txn,
        id,
        &who.actor_text(),
        Some(from),
        RegistrationStatus::Cancelled,
        reason,
    )
    .await?;
    mail(txn, MailKind::RegistrationCancelled, &m, MailDetails::default()).await?;
    crate::meeting_changes::cancel_for_registration(txn, id).await?;
    if let Some(row) = freed {
        let pool: String = row.try_get("", "pool")?;
        let seat_no: i32 = row.try_get("", "seat_no")?;
        promote_into(txn, m.event_id, &pool, seat_no, &m.category).await?;
    }
    get(txn, id, who).await
}

/// Sets a registration of `event_id` from `from` to `to` (check-in, no-show), by an organiser.
async fn set_status(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    id: Uuid,
    actor: &Actor,
    to: RegistrationStatus,
    reason: &str,
) -> Result<(), Error> {
    let m = load(db, id).await?;
    if m.event_id != event_id {
        return Err(Error::NotFound);
    }
    let from = RegistrationStatus::from_db(&m.status).ok_or_else(|| corrupt("status"))?;
    from.transition_to(to)?;
    let written = registration::Entity::update_many()
        .col_expr(registration::Column::Status, Expr::val(to.as_str()))
        .col_expr(
            registration::Column::Version,
            Expr::col(registration::Column::Version).add(1),
        )
        .col_expr(registration::Column::UpdatedAt, Expr::val(Utc::now()))
        .filter(registration::Column::Id.eq(id))
        .filter(registration::Column::Status.eq(from.as_str()))
        .exec(db)
        .await?;
    if written.rows_affected != 1 {
        return Err(Error::Conflict("the registration changed meanwhile; try again".into()));
    }
    if from == RegistrationStatus::Waitlisted {
        untally_waitlisted(db, event_id, &m.category, id).await?;
    }
    record(db, id, &actor.user_id.to_string(), Some(from), to, reason).await
}

/// Checks a registration in (confirmed or no-show → attended), by an organiser of its event.
pub async fn check_in(
    store: &Store,
    event_id: Uuid,
    id: Uuid,
    actor: &Actor,
) -> Result<RegistrationWithHistory, Error> {
    crate::events::get_editable(store, event_id, actor).await?;
    store
        .write(|txn| {
            Box::pin(async move {
                set_status(txn, event_id, id, actor, RegistrationStatus::Attended, "checked in").await?;
                get(txn, id, &Credential::User(*actor)).await
            })
        })
        .await
}

/// After the event, marks every confirmed registration that did not check in as no-show.
pub async fn mark_no_shows(store: &Store, event_id: Uuid, actor: &Actor) -> Result<u64, Error> {
    let event = crate::events::get_editable(store, event_id, actor).await?;
    if Utc::now() < event.fields.ends_at {
        return Err(Error::Conflict("no-shows are marked after the event has ended".into()));
    }
    store
        .write(|txn| {
            Box::pin(async move {
                let ids: Vec<Uuid> = registration::Entity::find()
                    .filter(registration::Column::EventId.eq(event_id))
                    .filter(registration::Column::Status.eq(RegistrationStatus::Confirmed.as_str()))
                    .select_only()
                    .column(registration::Column::Id)
                    .into_tuple()
                    .all(txn)
                    .await?;
                for id in &ids {
                    set_status(
                        txn,
                        event_id,
                        *id,
                        actor,
                        RegistrationStatus::NoShow,
                        "did not check in",
                    )
                    .await?;
                }
                Ok(ids.len() as u64)
            })
        })
        .await
}

/// The registrations of an event, for its organisers: oldest first, filtered.
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    actor: &Actor,
    filter: RegistrationFilter,
    page: Option<PageRequest>,
) -> Result<Page<Registration>, Error> {
    let event = crate::events::get(db, event_id).await?;
    if !event.is_organised_by(actor) {
        return Err(if event.status.is_public() {
            Error::Forbidden
        } else {
            Error::NotFound
        });
    }
    let mut query = registration::Entity::find().filter(registration::Column::EventId.eq(event_id));
    if let Some(s) = filter.status {
        query = query.filter(registration::Column::Status.eq(s.as_str()));
    }
    if let Some(c) = filter.category {
        query = query.filter(registration::Column::Category.eq(c.as_str()));
    }
    let total = query.clone().count(db).await?;
    let mut query = query
        .order_by_asc(registration::Column::QueueOrder)
        .order_by_asc(registration::Column::Id);
    let request = match page {
        Some(p) => {
            query = query.offset(p.offset()).limit(p.per_page);
            p
        }
        None => PageRequest {
            page: 1,
            per_page: Ord::max(total, 1),
        },
    };
    let rows = query.all(db).await?;
    // Waiting-list positions of the whole event, in one query.
    let waitlisted: Vec<(Uuid, String)> = registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
        .order_by_asc(registration::Column::QueueOrder)
        .order_by_asc(registration::Column::Id)
        .select_only()
        .column(registration::Column::Id)
        .column(registration::Column::Category)
        .into_tuple()
        .all(db)
        .await?;
    let mut positions = std::collections::HashMap::new();
    let mut counts = std::collections::HashMap::<String, u32>::new();
    for (id, category) in waitlisted {
        let n = counts.entry(category).or_default();
        *n += 1;
        positions.insert(id, *n);
    }
    let mut items = rows
        .into_iter()
        .map(|m| {
            let p = positions.get(&m.id).copied();
            to_registration(m, p)
        })
        .collect::<Result<Vec<_>, _>>()?;
    settle_claims(db, &mut items).await?;
    Ok(Page { items, request, total })
}

/// Counts per pool: (pool, seats, taken).
async fn seat_counts(db: &impl ConnectionTrait, event_id: Uuid) -> Result<Vec<(String, i64, i64, i64)>, Error> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(stmt(
            backend,
            "SELECT pool, COUNT(*) AS seats, COUNT(registration_id) AS taken, MAX(seat_no) AS top \
             FROM seats WHERE event_id = $1 GROUP BY pool",
            vec![event_id.into()],
        ))
        .await?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "pool")?,
                r.try_get::<i64>("", "seats")?,
                r.try_get::<i64>("", "taken")?,
                i64::from(r.try_get::<i32>("", "top")?),
            ))
        })
        .collect()
}

/// Makes the seat rows of an event match its capacity and quotas, then gives any free seat to
/// the waiting list. Lowering below the seats already taken is a conflict, and so is a seat
/// to drop that a registrant took meanwhile (every delete checks the seat is free and counts
/// what it dropped). Call it with the event held ([`lock_event_for_change`]).
pub async fn sync_seats(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    capacity: u32,
    quotas: &Quotas,
) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let existing = seat_counts(db, event_id).await?;
    let wanted = SeatPool::sizes(capacity, quotas);
    for (pool, seats, taken, _) in &existing {
        if !wanted.iter().any(|(p, _)| p.as_str() == pool) {
            if *taken > 0 {
                return Err(Error::Conflict(format!(
                    "{taken} registrations hold seats of the {pool} pool; cancel them before changing its quota"
                )));
            }
            let dropped = db
                .execute_raw(stmt(
                    backend,
                    "DELETE FROM seats WHERE event_id = $1 AND pool = $2 AND registration_id IS NULL",
                    vec![event_id.into(), pool.clone().into()],
                ))
                .await?
                .rows_affected();
            if i64::try_from(dropped).ok() != Some(*seats) {
                return Err(taken_meanwhile(pool));
            }
        }
    }
    // A category that moves between its own pool and the open pool would leave its live
    // registrations holding seats of the other pool: refuse instead of miscounting.
    for category in Category::ALL {
        let pool = SeatPool::of(*category, quotas);
        let elsewhere = registration::Entity::find()
            .filter(registration::Column::EventId.eq(event_id))
            .filter(registration::Column::Category.eq(category.as_str()))
            .filter(registration::Column::Pool.ne(pool.as_str()))
            .filter(registration::Column::Status.is_in([
                RegistrationStatus::Confirmed.as_str(),
                RegistrationStatus::Waitlisted.as_str(),
            ]))
            .count(db)
            .await?;
        if elsewhere > 0 {
            return Err(Error::Conflict(format!(
                "{elsewhere} live {category} registrations were taken {}; a quota cannot be added or removed now",
                if pool == SeatPool::Open {
                    "under its quota"
                } else {
                    "without a quota"
                }
            )));
        }
    }
    for (pool, size) in wanted {
        let size = i64::from(size);
        let (seats, taken, top) = existing
            .iter()
            .find(|(p, ..)| p == pool.as_str())
            .map_or((0, 0, 0), |(_, s, t, top)| (*s, *t, *top));
        if size > seats {
            let mut next = top + 1;
            let mut remaining = size - seats;
            while remaining > 0 {
                let chunk = Ord::min(remaining, 500);
                let mut sql = String::from("INSERT INTO seats (event_id, pool, seat_no, registration_id) VALUES ");
                let mut values: Vec<Value> = vec![event_id.into(), pool.as_str().into()];
                for i in 0..chunk {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str(&format!("($1, $2, ${}, NULL)", values.len() + 1));
                    values.push(((next + i) as i32).into());
                }
                db.execute_raw(stmt(backend, &sql, values)).await?;
                next += chunk;
                remaining -= chunk;
            }
        } else if size < seats {
            if taken > size {
                return Err(Error::Conflict(format!(
                    "{taken} seats of the {} pool are taken: it cannot shrink to {size}",
                    pool.as_str()
                )));
            }
            // The outer statement checks again that each seat is free: under READ COMMITTED the
            // subquery's choice is not re-read when a registrant claims one of them meanwhile.
            let dropped = db
                .execute_raw(stmt(
                    backend,
                    "DELETE FROM seats WHERE event_id = $1 AND pool = $2 AND registration_id IS NULL AND seat_no IN \
                     (SELECT seat_no FROM seats WHERE event_id = $1 AND pool = $2 AND registration_id IS NULL \
                     ORDER BY seat_no DESC LIMIT $3)",
                    vec![event_id.into(), pool.as_str().into(), (seats - size).into()],
                ))
                .await?
                .rows_affected();
            if i64::try_from(dropped).ok() != Some(seats - size) {
                return Err(taken_meanwhile(pool.as_str()));
            }
        }
    }
    fill_free_seats(db, event_id).await
}

fn taken_meanwhile(pool: &str) -> Error {
    Error::Conflict(format!(
        "seats of the {pool} pool were taken while it was changed; read the event again and retry"
    ))
}

/// Takes the event's row for a change (PostgreSQL; SQLite has one writer): registrations
/// check the event's version under a key-share lock, so those in flight finish first (and are
/// counted), and those arriving wait for the change and then see its version.
pub(crate) async fn lock_event_for_change(db: &impl ConnectionTrait, event_id: Uuid) -> Result<(), Error> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(stmt(
            DbBackend::Postgres,
            "SELECT 1 FROM events WHERE id = $1 FOR UPDATE",
            vec![event_id.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Promotes waitlisted registrations while their pool has free seats (after a quota rises).
async fn fill_free_seats(db: &impl ConnectionTrait, event_id: Uuid) -> Result<(), Error> {
    let backend = db.get_database_backend();
    loop {
        let free = db
            .query_one_raw(stmt(
                backend,
                // From the pools where someone waits to their first free seat (by the index of
                // free seats), not from every free seat: the event is held meanwhile, and
                // registrations wait for it.
                "SELECT pool, seat_no FROM (SELECT w.pool AS pool, (SELECT MIN(s.seat_no) FROM seats s \
                 WHERE s.event_id = $1 AND s.pool = w.pool AND s.registration_id IS NULL) AS seat_no \
                 FROM (SELECT DISTINCT r.pool AS pool FROM registrations r WHERE r.event_id = $1 \
                 AND r.status = 'waitlisted') w) free WHERE seat_no IS NOT NULL LIMIT 1",
                vec![event_id.into()],
            ))
            .await?;
        let Some(row) = free else { return Ok(()) };
        let pool: String = row.try_get("", "pool")?;
        let seat_no: i32 = row.try_get("", "seat_no")?;
        // A seat taken meanwhile: look for another free one.
        if promote_into(db, event_id, &pool, seat_no, "").await? == Promotion::NobodyWaiting {
            return Ok(());
        }
    }
}
