//! A registration's bearer secrets, stored only as hashes: its manage tokens (the first one,
//! shown once at registration, and any mailed again since) and the token of its calendar feed.

use chrono::Duration;
use matinale_domain::mail::MailKind;
use matinale_domain::registration::RegistrationStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    Set,
};
use uuid::Uuid;

use crate::accounts::{new_secret, secret_hash};
use crate::credential::{authorised, Credential};
use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{registration, registration_token};
use crate::error::Error;
use crate::notices::mail;

/// A registration's manage link is mailed again at most once in this many minutes, however
/// often its e-mail is registered again.
pub const LINK_RESEND_MINUTES: i64 = 10;

/// A new manage token (shown once) and its hash (stored).
pub(crate) fn new_manage_token() -> (String, String) {
    let token = new_secret("mr_");
    let hash = secret_hash(&token);
    (token, hash)
}

/// A new e-mail verification secret (mailed once, in the confirmation mail's link) and its
/// hash (stored).
pub(crate) fn new_verification_token() -> (String, String) {
    let token = new_secret("mv_");
    let hash = secret_hash(&token);
    (token, hash)
}

/// The e-mail is already registered: mail the registration a new manage link (which also
/// proves the mailbox while it is not proven), unless one was mailed in the last
/// [`LINK_RESEND_MINUTES`], then answer with the conflict. The links sent
/// before keep working (a new token is added, none replaced), and the answer is the same
/// whether a link was sent or not: it shows nothing of the registration.
pub(crate) async fn resend_link(store: &Store, event_id: Uuid, email: &str) -> Error {
    let attempt = store.write(|txn| {
        Box::pin(async move {
            let mut live = registration::Entity::find()
                .filter(registration::Column::EventId.eq(event_id))
                .filter(registration::Column::Email.eq(email))
                .filter(registration::Column::Status.ne(Text(RegistrationStatus::Cancelled)));
            if txn.get_database_backend() == DbBackend::Postgres {
                // Two duplicates at once: the second waits, then sees the first one's link.
                live = live.lock_exclusive();
            }
            let Some(m) = live.one(txn).await? else {
                return Ok(());
            };
            let now = store.now();
            let recent = registration_token::Entity::find()
                .filter(registration_token::Column::RegistrationId.eq(m.id))
                .filter(registration_token::Column::CreatedAt.gt(now - Duration::minutes(LINK_RESEND_MINUTES)))
                .count(txn)
                .await?;
            if recent == 0 {
                let (token, hash) = new_manage_token();
                registration_token::ActiveModel {
                    token_hash: Set(hash),
                    registration_id: Set(m.id),
                    created_at: Set(now),
                }
                .insert(txn)
                .await?;
                // Not proven yet: the new link proves the mailbox too (the earlier link's
                // verification secret is replaced; its manage token keeps working).
                let verification = if m.email_verified_at.is_none() {
                    let (secret, hash) = new_verification_token();
                    registration::change(m.id, now)
                        .col_expr(registration::Column::EmailVerificationHash, Expr::val(hash))
                        .exec(txn)
                        .await?;
                    Some(secret)
                } else {
                    None
                };
                mail(
                    txn,
                    MailKind::RegistrationLink,
                    &m,
                    crate::outbox::MailDetails {
                        verification_token: verification,
                        ..crate::outbox::MailDetails::token(token)
                    },
                )
                .await?;
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

/// The registration behind a calendar-feed token; unknown or revoked tokens are not found.
pub(crate) async fn for_feed_token(db: &impl ConnectionTrait, feed_token: &str) -> Result<registration::Model, Error> {
    registration::Entity::find()
        .filter(registration::Column::FeedTokenHash.eq(secret_hash(feed_token)))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Opens the secret calendar feed of a registration, or replaces its token (the previous
/// one stops working at once); for its token holder or an organiser of its event. Returns
/// the new token, which is stored only as its hash and so is shown once.
pub async fn rotate_feed_token(store: &Store, id: Uuid, who: &Credential) -> Result<String, Error> {
    authorised(store, id, who).await?;
    let token = new_secret("mc_");
    let hash = secret_hash(&token);
    let written = set_feed_token(store, id, Some(hash)).await?;
    if written != 1 {
        return Err(Error::NotFound);
    }
    Ok(token)
}

/// Closes the calendar feed of a registration; closing a closed feed changes nothing.
pub async fn revoke_feed_token(store: &Store, id: Uuid, who: &Credential) -> Result<(), Error> {
    authorised(store, id, who).await?;
    set_feed_token(store, id, None).await.map(|_| ())
}

/// Sets the feed token hash of registration `id`: how many rows were written.
async fn set_feed_token(store: &Store, id: Uuid, hash: Option<String>) -> Result<u64, Error> {
    let hash = &hash;
    store
        .write(|txn| {
            Box::pin(async move {
                Ok(registration::Entity::update_many()
                    .col_expr(registration::Column::FeedTokenHash, Expr::val(hash.clone()))
                    .filter(registration::Column::Id.eq(id))
                    .exec(txn)
                    .await?
                    .rows_affected)
            })
        })
        .await
}

/// Proves the e-mail of registration `id` with the secret of its confirmation mail's link:
/// from then on the address counts as evidence of its claim to an organisation. Using the link
/// again changes nothing; a wrong secret (the manage token included) or an unknown
/// registration is not found. The first use is kept in the registration's history.
pub async fn verify_email(store: &Store, id: Uuid, secret: &str) -> Result<(), Error> {
    let hash = secret_hash(secret.trim());
    let hash = &hash;
    store
        .write(|txn| {
            Box::pin(async move {
                let m = registration::Entity::find_by_id(id)
                    .filter(registration::Column::EmailVerificationHash.eq(hash.as_str()))
                    .one(txn)
                    .await?
                    .ok_or(Error::NotFound)?;
                if m.email_verified_at.is_some() {
                    return Ok(());
                }
                let now = txn.now();
                registration::change(id, now)
                    .col_expr(registration::Column::EmailVerifiedAt, Expr::val(now))
                    .filter(registration::Column::EmailVerifiedAt.is_null())
                    .exec(txn)
                    .await?;
                let status = m.status.get();
                crate::history::record(
                    txn,
                    id,
                    crate::entity::registration_history::Changer::Registrant,
                    Some(status),
                    status,
                    "e-mail verified: the confirmation mail's link was used",
                )
                .await
            })
        })
        .await
}
