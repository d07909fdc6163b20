//! Accounts, password checks and bearer tokens.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use matinale_domain::user::{Actor, NewUser, Role, User};
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::database::Clocked;
use crate::database::Store;
use crate::entity::text::Text;
use crate::entity::{api_token, user};
use crate::error::Error;

/// How long a bearer token lives.
pub const TOKEN_LIFETIME_HOURS: i64 = 12;

fn to_user(m: user::Model) -> Result<User, Error> {
    Ok(User {
        id: m.id,
        role: m.role.get(),
        email: m.email,
        name: m.name,
        created_at: m.created_at,
    })
}

/// Hashes a password with argon2id off the async executor.
async fn hash_password(password: String) -> Result<String, Error> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::internal(format!("hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::internal(format!("hashing task failed: {e}")))?
}

/// Checks a password off the async executor, in a turn of `checks`: the permit moves into the
/// blocking task, so a caller that stops waiting (a client hanging up) does not free its turn
/// before the check is over.
async fn verify_password(password: String, hash: String, checks: &Arc<Semaphore>) -> Result<bool, Error> {
    let permit = checks
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| Error::internal("password checks are closed"))?;
    Ok(tokio::task::spawn_blocking(move || {
        let _permit = permit;
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false))
}

/// Creates an account; an e-mail already in use is a conflict.
pub async fn create_user(store: &Store, new: NewUser) -> Result<User, Error> {
    let db = store;
    if user::Entity::find()
        .filter(user::Column::Email.eq(new.email.as_str()))
        .one(db)
        .await?
        .is_some()
    {
        return Err(Error::Conflict(format!(
            "an account already uses {}",
            new.email.as_str()
        )));
    }
    let hash = hash_password(new.password.expose().to_owned()).await?;
    let row = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.as_str().to_owned()),
        name: Set(new.name),
        role: Set(Text(new.role)),
        password_hash: Set(hash),
        created_at: Set(store.now()),
    };
    let row = &row;
    let model = store
        .write(|txn| Box::pin(async move { Ok(row.clone().insert(txn).await?) }))
        .await?;
    to_user(model)
}

/// Creates the bootstrap admin unless an admin already exists; true when one was created.
pub async fn ensure_admin(store: &Store, new: NewUser) -> Result<bool, Error> {
    let exists = user::Entity::find()
        .filter(user::Column::Role.eq(Text(Role::Admin)))
        .one(store)
        .await?
        .is_some();
    if exists {
        return Ok(false);
    }
    create_user(
        store,
        NewUser {
            role: Role::Admin,
            ..new
        },
    )
    .await?;
    Ok(true)
}

/// Finds an account by e-mail.
pub async fn user_by_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<User>, Error> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?
        .map(to_user)
        .transpose()
}

/// Finds an account by id.
pub async fn user_by_id(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<User>, Error> {
    user::Entity::find_by_id(id).one(db).await?.map(to_user).transpose()
}

// A valid argon2 hash of a random string, checked when the e-mail is unknown so that the
// answer takes as long as for a known one.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7V1ZqB+QGx8E3Pm2m2X8mqYbWqQ0V7bC0c7yqJ8s5uQ";

/// Checks credentials; `None` when the e-mail is unknown or the password wrong. The password
/// is checked in a turn of `checks` (at most as many checks run at once as it has permits).
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &str,
    checks: &Arc<Semaphore>,
) -> Result<Option<User>, Error> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?;
    let hash = found
        .as_ref()
        .map_or(DECOY_HASH.to_owned(), |u| u.password_hash.clone());
    let ok = verify_password(password.to_owned(), hash, checks).await?;
    match found {
        Some(u) if ok => to_user(u).map(Some),
        _ => Ok(None),
    }
}

/// A new secret: 32 random bytes, URL-safe base64, with a prefix that says what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The SHA-256 of a secret, hex-encoded: secrets are stored only as this.
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Issues a bearer token for a user; returns the token (shown once) and its expiry.
pub async fn issue_token(store: &Store, user_id: Uuid) -> Result<(String, DateTime<Utc>), Error> {
    let token = new_secret("mt_");
    let now = store.now();
    let expires_at = now + Duration::hours(TOKEN_LIFETIME_HOURS);
    let row = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(secret_hash(&token)),
        expires_at: Set(expires_at),
        created_at: Set(now),
    };
    let row = &row;
    store
        .write(|txn| {
            Box::pin(async move {
                api_token::Entity::insert(row.clone())
                    .exec_without_returning(txn)
                    .await?;
                Ok(())
            })
        })
        .await?;
    Ok((token, expires_at))
}

/// The caller behind a bearer token, if it is known and not expired.
pub async fn actor_for_token(db: &impl Clocked, token: &str) -> Result<Option<Actor>, Error> {
    let Some(row) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(secret_hash(token)))
        .filter(api_token::Column::ExpiresAt.gt(db.now()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(owner) = user::Entity::find_by_id(row.user_id).one(db).await? else {
        return Ok(None);
    };
    Ok(Some(Actor {
        user_id: owner.id,
        role: owner.role.get(),
    }))
}

/// Revokes a bearer token (sign-out); false when it was unknown or already expired.
pub async fn revoke_token(store: &Store, token: &str) -> Result<bool, Error> {
    let hash = secret_hash(token);
    let hash = &hash;
    let done = store
        .write(|txn| {
            Box::pin(async move {
                Ok(api_token::Entity::delete_many()
                    .filter(api_token::Column::TokenHash.eq(hash.as_str()))
                    .filter(api_token::Column::ExpiresAt.gt(txn.now()))
                    .exec(txn)
                    .await?)
            })
        })
        .await?;
    Ok(done.rows_affected > 0)
}

/// Deletes the bearer tokens expired at `now` (the worker's sweep); returns how many.
pub async fn purge_expired_tokens(store: &Store, now: DateTime<Utc>) -> Result<u64, Error> {
    let done = store
        .write(|txn| {
            Box::pin(async move {
                Ok(api_token::Entity::delete_many()
                    .filter(api_token::Column::ExpiresAt.lte(now))
                    .exec(txn)
                    .await?)
            })
        })
        .await?;
    Ok(done.rows_affected)
}

/// Whether a user with this id exists.
pub async fn user_exists(db: &impl ConnectionTrait, id: Uuid) -> Result<bool, Error> {
    Ok(user::Entity::find_by_id(id).one(db).await?.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn password_checks_wait_for_a_turn() {
        let hash = Argon2::default()
            .hash_password(b"secret words", &SaltString::generate(&mut OsRng))
            .unwrap()
            .to_string();
        let checks = Arc::new(Semaphore::new(0));
        let check = verify_password("secret words".into(), hash, &checks);
        tokio::pin!(check);
        assert!(
            tokio::time::timeout(std::time::Duration::from_millis(300), &mut check)
                .await
                .is_err(),
            "no turn, no check"
        );
        checks.add_permits(1);
        assert!(check.await.unwrap());
        assert_eq!(checks.available_permits(), 1, "the turn is given back");
    }
}
