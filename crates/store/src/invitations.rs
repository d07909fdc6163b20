//! Invitations (issue 25): an organiser's list of addresses, each sent one personal mail with
//! a link that pre-fills the event page (its secret proves the mailbox and vouches for the
//! organisation the list named) and a one-click unsubscribe link. Never twice to one address
//! for one event (a unique index), never to an address that unsubscribed (`mail_opt_outs`,
//! the SHA-256 of the lower-cased address, kept across events and through erasure).

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use matinale_domain::event::{Category, EventStatus};
use matinale_domain::invitation::{
    self as rules, InvitationCounts, InvitationLine, InvitationReport, InvitationStatus, SkippedLine,
};
use matinale_domain::mail::{MailKind, MailStatus};
use matinale_domain::page::{Page, PageRequest};
use matinale_domain::registration::{Locale, RegistrationStatus};
use matinale_domain::user::Actor;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::accounts::{new_secret, secret_hash};
use crate::database::{Clocked, Store};
use crate::entity::text::Text;
use crate::entity::{invitation, mail_opt_out, organisation, outbox, registration};
use crate::error::Error;
use crate::outbox::{InvitationPayload, NewMail};

/// Rows written by one `INSERT` (13 columns an invitation, 14 an outbox row: under SQLite's
/// bound-parameter limit).
const BATCH: usize = 500;

/// How an address is kept in `mail_opt_outs`: the SHA-256 of its trimmed, lower-cased form.
pub fn opt_out_hash(email: &str) -> String {
    secret_hash(&email.trim().to_lowercase())
}

/// Sends an invitations file for event `event_id` (its organisers; a published event), in one
/// transaction (read-only in a dry run): one invitation and one queued mail per line that is
/// a valid, new, not registered, not unsubscribed address, the others reported with why.
pub async fn invite(
    store: &Store,
    event_id: Uuid,
    actor: &Actor,
    text: &str,
    dry_run: bool,
) -> Result<InvitationReport, Error> {
    let event = crate::events::get_editable(store, event_id, actor).await?;
    if event.status != EventStatus::Published {
        return Err(Error::Conflict(
            "invitations are sent for a published event: its page must take registrations".into(),
        ));
    }
    rules::open(text)?;
    store
        .write(|txn| Box::pin(async move { invite_in(txn, event_id, actor, text, dry_run).await }))
        .await
}

async fn invite_in(
    txn: &impl Clocked,
    event_id: Uuid,
    actor: &Actor,
    text: &str,
    dry_run: bool,
) -> Result<InvitationReport, Error> {
    let (columns, mut lines) = rules::open(text)?;
    let mut report = InvitationReport::default();
    let mut read: Vec<(u64, InvitationLine)> = Vec::new();
    while let Some(next) = lines.next() {
        let (line, record) = match next {
            Ok(read) => read,
            Err(rejected) => {
                report.skipped.push(SkippedLine {
                    line: rejected.line,
                    email: String::new(),
                    reason: rejected.reason,
                });
                continue;
            }
        };
        match InvitationLine::parse(&columns, record) {
            (_, Ok(parsed)) => read.push((line, parsed)),
            (email, Err(reason)) => report.skipped.push(SkippedLine { line, email, reason }),
        }
    }
    let invited: HashSet<String> = invitation::Entity::find()
        .filter(invitation::Column::EventId.eq(event_id))
        .select_only()
        .column(invitation::Column::Email)
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    let registered = registered_emails(txn, event_id).await?;
    let hashes: Vec<String> = read.iter().map(|(_, l)| opt_out_hash(l.email.as_str())).collect();
    let opted_out = opted_out(txn, hashes).await?;
    let sirets: Vec<String> = read
        .iter()
        .filter_map(|(_, l)| l.siret.as_ref().map(|s| s.as_str().to_owned()))
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut organisations: HashMap<String, Uuid> = HashMap::new();
    for chunk in sirets.chunks(BATCH) {
        let found: Vec<(Uuid, Option<String>)> = organisation::Entity::find()
            .filter(organisation::Column::Siret.is_in(chunk.iter().cloned()))
            .select_only()
            .column(organisation::Column::Id)
            .column(organisation::Column::Siret)
            .into_tuple()
            .all(txn)
            .await?;
        organisations.extend(found.into_iter().filter_map(|(id, siret)| siret.map(|s| (s, id))));
    }
    let now = txn.now();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let (mut rows, mut mails) = (Vec::new(), Vec::new());
    for (line, l) in read {
        let email = l.email.as_str().to_owned();
        let skip = |reason: String| SkippedLine {
            line,
            email: email.clone(),
            reason,
        };
        if let Some(first) = seen.get(&email) {
            report.skipped.push(skip(format!("the same address as line {first}")));
            continue;
        }
        seen.insert(email.clone(), line);
        let organisation_id = match &l.siret {
            Some(siret) => match organisations.get(siret.as_str()) {
                Some(id) => Some(*id),
                None => {
                    report.skipped.push(skip("unknown SIRET".into()));
                    continue;
                }
            },
            None => None,
        };
        let reason = if invited.contains(&email) {
            Some("already invited to this event")
        } else if registered.contains(&email) {
            Some("already registered")
        } else if opted_out.contains(&opt_out_hash(&email)) {
            Some("unsubscribed")
        } else {
            None
        };
        if let Some(reason) = reason {
            report.skipped.push(skip(reason.into()));
            continue;
        }
        report.queued += 1;
        if dry_run {
            continue;
        }
        let (id, mail_id) = (Uuid::now_v7(), Uuid::now_v7());
        let (token, unsubscribe) = (new_secret("mi_"), new_secret("mu_"));
        let locale = l.locale.unwrap_or(Locale::Fr);
        let payload = InvitationPayload {
            invitation_id: id,
            event_id,
            first_name: l.first_name.clone(),
            last_name: l.last_name.clone(),
            invitation_token: Some(token.clone()),
            unsubscribe_token: Some(unsubscribe.clone()),
        };
        let mut mail = crate::outbox::queued(
            NewMail {
                kind: MailKind::Invitation.as_str(),
                to_email: email.clone(),
                locale: locale.as_str().to_owned(),
                payload: payload.to_json(),
                registration_id: None,
                event_id: Some(event_id),
            },
            now,
        );
        mail.id = Set(mail_id);
        mails.push(mail);
        rows.push(invitation::ActiveModel {
            id: Set(id),
            event_id: Set(event_id),
            email: Set(email),
            first_name: Set(l.first_name),
            last_name: Set(l.last_name),
            organisation_id: Set(organisation_id),
            category: Set(l.category.map(Text)),
            locale: Set(Text(locale)),
            token_hash: Set(secret_hash(&token)),
            unsubscribe_hash: Set(secret_hash(&unsubscribe)),
            outbox_id: Set(Some(mail_id)),
            invited_by: Set(actor.user_id),
            created_at: Set(now),
        });
        if rows.len() >= BATCH {
            flush(txn, &mut rows, &mut mails).await?;
        }
    }
    flush(txn, &mut rows, &mut mails).await?;
    report.skipped.sort_by_key(|s| s.line);
    Ok(report)
}

async fn flush(
    db: &impl ConnectionTrait,
    rows: &mut Vec<invitation::ActiveModel>,
    mails: &mut Vec<outbox::ActiveModel>,
) -> Result<(), Error> {
    if !mails.is_empty() {
        outbox::Entity::insert_many(std::mem::take(mails))
            .exec_without_returning(db)
            .await?;
    }
    if !rows.is_empty() {
        invitation::Entity::insert_many(std::mem::take(rows))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The addresses registered for `event_id` now (not cancelled, not erased), lower-cased.
async fn registered_emails(db: &impl ConnectionTrait, event_id: Uuid) -> Result<HashSet<String>, Error> {
    Ok(registration::Entity::find()
        .filter(registration::Column::EventId.eq(event_id))
        .filter(registration::Column::Status.ne(Text(RegistrationStatus::Cancelled)))
        .filter(registration::Column::ErasedAt.is_null())
        .select_only()
        .column(registration::Column::Email)
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.to_lowercase())
        .collect())
}

/// Which of `hashes` are opted out.
async fn opted_out(db: &impl ConnectionTrait, hashes: Vec<String>) -> Result<HashSet<String>, Error> {
    let mut out = HashSet::new();
    for chunk in hashes.chunks(BATCH) {
        out.extend(
            mail_opt_out::Entity::find()
                .filter(mail_opt_out::Column::EmailHash.is_in(chunk.iter().cloned()))
                .select_only()
                .column(mail_opt_out::Column::EmailHash)
                .into_tuple::<String>()
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// One invitation as its organisers see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationView {
    /// Id.
    pub id: Uuid,
    /// The address (lower-cased).
    pub email: String,
    /// First name, as the list gave it.
    pub first_name: String,
    /// Last name, as the list gave it.
    pub last_name: String,
    /// The organisation the list named.
    pub organisation_id: Option<Uuid>,
    /// The category to pre-fill.
    pub category: Option<Category>,
    /// The language of its mail.
    pub locale: Locale,
    /// Where it stands.
    pub status: InvitationStatus,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When its mail was accepted by the mail server.
    pub sent_at: Option<DateTime<Utc>>,
}

/// The invitations of an event, oldest first (all of them without `page`), and their counts:
/// for its organisers.
pub async fn list(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    actor: &Actor,
    page: Option<PageRequest>,
) -> Result<(Page<InvitationView>, InvitationCounts), Error> {
    crate::events::get_editable(db, event_id, actor).await?;
    let registered = registered_emails(db, event_id).await?;
    // The counts: every invitation's address and category.
    let all: Vec<(String, Option<Text<Category>>)> = invitation::Entity::find()
        .filter(invitation::Column::EventId.eq(event_id))
        .select_only()
        .column(invitation::Column::Email)
        .column(invitation::Column::Category)
        .into_tuple()
        .all(db)
        .await?;
    let opted = opted_out(db, all.iter().map(|(e, _)| opt_out_hash(e)).collect()).await?;
    let counts = rules::count(all.iter().map(|(email, category)| {
        (
            category.map(Text::get),
            registered.contains(email),
            opted.contains(&opt_out_hash(email)),
        )
    }));
    let query = invitation::Entity::find()
        .filter(invitation::Column::EventId.eq(event_id))
        .order_by_asc(invitation::Column::CreatedAt)
        .order_by_asc(invitation::Column::Id);
    let total = all.len() as u64;
    let (rows, request) = match page {
        Some(p) => (query.offset(p.offset()).limit(p.per_page).all(db).await?, p),
        None => (
            query.all(db).await?,
            PageRequest {
                page: 1,
                per_page: Ord::max(total, 1),
            },
        ),
    };
    let mut mails: HashMap<Uuid, (MailStatus, Option<DateTime<Utc>>)> = HashMap::new();
    let ids: Vec<Uuid> = rows.iter().filter_map(|r| r.outbox_id).collect();
    for chunk in ids.chunks(BATCH) {
        let found: Vec<(Uuid, Text<MailStatus>, Option<DateTime<Utc>>)> = outbox::Entity::find()
            .filter(outbox::Column::Id.is_in(chunk.iter().copied()))
            .select_only()
            .column(outbox::Column::Id)
            .column(outbox::Column::Status)
            .column(outbox::Column::SentAt)
            .into_tuple()
            .all(db)
            .await?;
        mails.extend(found.into_iter().map(|(id, s, at)| (id, (s.get(), at))));
    }
    let items = rows
        .into_iter()
        .map(|m| {
            let mail = m.outbox_id.and_then(|id| mails.get(&id).copied());
            InvitationView {
                status: rules::status(
                    registered.contains(&m.email),
                    opted.contains(&opt_out_hash(&m.email)),
                    mail.map(|(s, _)| s),
                ),
                sent_at: mail.and_then(|(_, at)| at),
                id: m.id,
                email: m.email,
                first_name: m.first_name,
                last_name: m.last_name,
                organisation_id: m.organisation_id,
                category: m.category.map(|c| c.get()),
                locale: m.locale.get(),
                created_at: m.created_at,
            }
        })
        .collect();
    Ok((Page { items, request, total }, counts))
}

/// What the event page pre-fills from an invitation link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationPrefill {
    /// The event invited to.
    pub event_id: Uuid,
    /// The invited address.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// The organisation the list named.
    pub organisation_id: Option<Uuid>,
    /// Its name.
    pub organisation_name: Option<String>,
    /// The category.
    pub category: Option<Category>,
    /// The language.
    pub locale: Locale,
}

/// The invitation of the secret of its link (not found: unknown, or erased since).
pub(crate) async fn by_secret(db: &impl ConnectionTrait, secret: &str) -> Result<invitation::Model, Error> {
    invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(secret_hash(secret.trim())))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// What the invitation link `secret` pre-fills (the secret is the credential).
pub async fn prefill(db: &impl ConnectionTrait, secret: &str) -> Result<InvitationPrefill, Error> {
    let m = by_secret(db, secret).await?;
    let organisation_name = match m.organisation_id {
        Some(id) => organisation::Entity::find_by_id(id).one(db).await?.map(|o| o.name),
        None => None,
    };
    Ok(InvitationPrefill {
        event_id: m.event_id,
        email: m.email,
        first_name: m.first_name,
        last_name: m.last_name,
        organisation_id: m.organisation_id,
        organisation_name,
        category: m.category.map(|c| c.get()),
        locale: m.locale.get(),
    })
}

/// What a registration through an invitation link of event `event_id` gains, for the address
/// `email` and the organisation it names: whether the mailbox is proven (the invited address),
/// and the organiser whose list named that organisation for that address (who then vouches
/// for the claim, as an approval does). A secret of another event, or unknown, is a 422 on
/// `invitation`.
pub(crate) async fn vouching(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    secret: &str,
    email: &str,
    organisation_id: Option<Uuid>,
) -> Result<(bool, Option<Uuid>), Error> {
    let m = match by_secret(db, secret).await {
        Ok(m) if m.event_id == event_id => m,
        Ok(_) | Err(Error::NotFound) => {
            return Err(matinale_domain::Error::field(
                "invitation",
                "unknown",
                "this invitation link is not one of this event",
            )
            .into())
        }
        Err(e) => return Err(e),
    };
    let proven = m.email == email.trim().to_lowercase();
    let vouched =
        (proven && m.organisation_id.is_some() && m.organisation_id == organisation_id).then_some(m.invited_by);
    Ok((proven, vouched))
}

/// Whether `token` is the unsubscribe secret of an invitation (for the confirming page).
pub async fn unsubscribe_known(db: &impl ConnectionTrait, token: &str) -> Result<bool, Error> {
    Ok(invitation::Entity::find()
        .filter(invitation::Column::UnsubscribeHash.eq(secret_hash(token.trim())))
        .count(db)
        .await?
        > 0)
}

/// One-click unsubscribe (RFC 8058) with the secret of an invitation's link: its address gets
/// no more invitations, for any event, and its invitation mails not sent yet are given up.
/// Again changes nothing; an unknown secret is not found.
pub async fn unsubscribe(store: &Store, token: &str) -> Result<(), Error> {
    let hash = secret_hash(token.trim());
    let hash = &hash;
    store
        .write(|txn| {
            Box::pin(async move {
                let m = invitation::Entity::find()
                    .filter(invitation::Column::UnsubscribeHash.eq(hash.as_str()))
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                mail_opt_out::Entity::insert(mail_opt_out::ActiveModel {
                    email_hash: Set(opt_out_hash(&m.email)),
                    created_at: Set(txn.now()),
                })
                .on_conflict(
                    OnConflict::column(mail_opt_out::Column::EmailHash)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
                outbox::Entity::update_many()
                    .col_expr(outbox::Column::Status, Expr::val(MailStatus::Failed.as_str()))
                    .col_expr(outbox::Column::LastError, Expr::val("the address unsubscribed"))
                    .filter(outbox::Column::Kind.eq(MailKind::Invitation.as_str()))
                    .filter(outbox::Column::ToEmail.eq(m.email.as_str()))
                    .filter(outbox::Column::Status.eq(MailStatus::Queued.as_str()))
                    .exec(txn)
                    .await?;
                Ok(())
            })
        })
        .await
}

/// Erases the invitations of `email` (of one event, or of all), and the addresses and names in
/// their mails, inside the caller's transaction; an opt-out is kept (it holds a hash only).
pub(crate) async fn erase(db: &impl Clocked, event_id: Option<Uuid>, email: &str) -> Result<(), Error> {
    let email = email.trim().to_lowercase();
    let mut gone = invitation::Entity::find().filter(invitation::Column::Email.eq(email.as_str()));
    if let Some(event_id) = event_id {
        gone = gone.filter(invitation::Column::EventId.eq(event_id));
    }
    let gone = gone.all(db).await?;
    if gone.is_empty() {
        return Ok(());
    }
    let mails: Vec<Uuid> = gone.iter().filter_map(|m| m.outbox_id).collect();
    let placeholder = "erased@erased.invalid";
    outbox::Entity::update_many()
        .col_expr(outbox::Column::ToEmail, Expr::val(placeholder))
        .col_expr(outbox::Column::Payload, Expr::val(serde_json::json!({"erased": true})))
        .col_expr(outbox::Column::LastError, Expr::val(Option::<String>::None))
        .filter(outbox::Column::Id.is_in(mails.iter().copied()))
        .exec(db)
        .await?;
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::val(MailStatus::Failed.as_str()))
        .col_expr(outbox::Column::LastError, Expr::val("the person's data was erased"))
        .filter(outbox::Column::Id.is_in(mails))
        .filter(outbox::Column::Status.is_in([MailStatus::Queued.as_str(), MailStatus::Sending.as_str()]))
        .exec(db)
        .await?;
    invitation::Entity::delete_many()
        .filter(invitation::Column::Id.is_in(gone.iter().map(|m| m.id)))
        .exec(db)
        .await?;
    Ok(())
}
