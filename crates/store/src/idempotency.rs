//! `Idempotency-Key`s: a key is claimed in the transaction it protects (insert, or find the
//! first request's row), the answer kept with it in the same transaction, and replayed to the
//! same key and body; keys are forgotten after [`IDEMPOTENCY_HOURS`].

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TryInsertResult};

use crate::database::Clocked;
use crate::database::Store;
use crate::entity::idempotency;
use crate::error::{corrupt, Error};
use crate::receipt::Receipt;

/// How long an `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_HOURS: i64 = 24;

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

/// Takes `idem` for this transaction. `Some` is the answer to give instead of registering: the
/// first answer to the same key and body, replayed. A key reused with another body is
/// [`Error::KeyReused`], and one whose first request has not finished yet a conflict.
pub(crate) async fn claim(txn: &impl Clocked, idem: &IdempotencyRequest) -> Result<Option<Receipt>, Error> {
    // The first statement writes, so SQLite takes its one writer lock right away.
    idempotency::Entity::delete_many()
        .filter(idempotency::Column::Scope.eq(idem.scope.as_str()))
        .filter(idempotency::Column::Key.eq(idem.key.as_str()))
        .filter(idempotency::Column::CreatedAt.lt(txn.now() - Duration::hours(IDEMPOTENCY_HOURS)))
        .exec(txn)
        .await?;
    // On PostgreSQL a concurrent insert of the same key waits here for the first to commit.
    let inserted = idempotency::Entity::insert(idempotency::ActiveModel {
        scope: Set(idem.scope.clone()),
        key: Set(idem.key.clone()),
        request_hash: Set(idem.request_hash.clone()),
        response_status: Set(None),
        response_body: Set(None),
        created_at: Set(txn.now()),
    })
    .on_conflict_do_nothing_on([idempotency::Column::Scope, idempotency::Column::Key])
    .exec_without_returning(txn)
    .await?;
    if matches!(inserted, TryInsertResult::Inserted(1)) {
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

/// Keeps `receipt` with the key `idem`, claimed in this transaction, for its replays.
pub(crate) async fn keep(
    txn: &impl ConnectionTrait,
    idem: &IdempotencyRequest,
    receipt: &Receipt,
) -> Result<(), Error> {
    let receipt =
        serde_json::to_string(receipt).map_err(|e| Error::internal(format!("a receipt did not serialize: {e}")))?;
    idempotency::Entity::update_many()
        .col_expr(idempotency::Column::ResponseStatus, Expr::val(CREATED))
        .col_expr(idempotency::Column::ResponseBody, Expr::val(receipt))
        .filter(idempotency::Column::Scope.eq(idem.scope.as_str()))
        .filter(idempotency::Column::Key.eq(idem.key.as_str()))
        .exec(txn)
        .await?;
    Ok(())
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
