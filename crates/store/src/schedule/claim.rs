//! The claim that makes a schedule run the event's only one, across processes: a run claims
//! the event's `schedule_drafts` row (`run_token`), only the claim that wrote it may store its
//! draft, and a claim older than [`STALE_RUN_MINUTES`] (its process died) may be taken over.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, Set, UpdateMany};
use uuid::Uuid;

use super::{DraftResult, STALE_RUN_MINUTES};
use crate::database::Store;
use crate::entity::schedule_draft;
use crate::error::{corrupt, Error};

fn already_running() -> Error {
    Error::Conflict("the schedule of this event is being computed by another request; try again when it is done".into())
}

/// Claims the event's run: only one at a time, across processes.
pub(crate) async fn claim_run(store: &Store, event_id: Uuid) -> Result<Uuid, Error> {
    let token = Uuid::now_v7();
    let now = store.now();
    let stale = now - Duration::minutes(STALE_RUN_MINUTES);
    store
        .write(|txn| {
            Box::pin(async move {
                let existing = schedule_draft::Entity::find_by_id(event_id).one(txn).await?;
                match existing {
                    None => {
                        schedule_draft::Entity::insert(schedule_draft::ActiveModel {
                            event_id: Set(event_id),
                            draft_id: Set(None),
                            result: Set(None),
                            created_at: Set(None),
                            published_at: Set(None),
                            run_token: Set(Some(token)),
                            running_since: Set(Some(now)),
                        })
                        .exec_without_returning(txn)
                        .await
                        .map_err(|e| match Error::from(e) {
                            Error::Conflict(_) => already_running(),
                            other => other,
                        })?;
                    }
                    Some(row) if row.run_token.is_some() && row.running_since.is_some_and(|t| t > stale) => {
                        return Err(already_running());
                    }
                    Some(_) => {
                        let written = schedule_draft::Entity::update_many()
                            .col_expr(schedule_draft::Column::RunToken, Expr::val(token))
                            .col_expr(schedule_draft::Column::RunningSince, Expr::val(now))
                            .filter(schedule_draft::Column::EventId.eq(event_id))
                            .filter(
                                Condition::any()
                                    .add(schedule_draft::Column::RunToken.is_null())
                                    .add(schedule_draft::Column::RunningSince.lt(stale)),
                            )
                            .exec(txn)
                            .await?;
                        if written.rows_affected != 1 {
                            return Err(already_running());
                        }
                    }
                }
                Ok(token)
            })
        })
        .await
}

/// The update that ends the run `token` on the event's row; it changes nothing if another run
/// took the claim over.
fn ending_claim(event_id: Uuid, token: Uuid) -> UpdateMany<schedule_draft::Entity> {
    schedule_draft::Entity::update_many()
        .col_expr(schedule_draft::Column::RunToken, Expr::val(Option::<Uuid>::None))
        .col_expr(
            schedule_draft::Column::RunningSince,
            Expr::val(Option::<DateTime<Utc>>::None),
        )
        .filter(schedule_draft::Column::EventId.eq(event_id))
        .filter(schedule_draft::Column::RunToken.eq(token))
}

/// Stores the run's draft if the run still holds its claim.
pub(super) async fn store_draft(
    store: &Store,
    event_id: Uuid,
    token: Uuid,
    draft_id: Uuid,
    result: &DraftResult,
) -> Result<DateTime<Utc>, Error> {
    let now = store.now();
    let json = serde_json::to_value(result).map_err(|_| corrupt("draft schedule"))?;
    let json = &json;
    store
        .write(|txn| {
            Box::pin(async move {
                let written = ending_claim(event_id, token)
                    .col_expr(schedule_draft::Column::DraftId, Expr::val(draft_id))
                    .col_expr(schedule_draft::Column::Result, Expr::val(json.clone()))
                    .col_expr(schedule_draft::Column::CreatedAt, Expr::val(now))
                    .col_expr(
                        schedule_draft::Column::PublishedAt,
                        Expr::val(Option::<DateTime<Utc>>::None),
                    )
                    .exec(txn)
                    .await?;
                if written.rows_affected != 1 {
                    return Err(already_running());
                }
                Ok(now)
            })
        })
        .await
}

/// Ends the run `token` without a draft (it failed).
pub(crate) async fn release_run(store: &Store, event_id: Uuid, token: Uuid) -> Result<(), Error> {
    store
        .write(|txn| {
            Box::pin(async move {
                ending_claim(event_id, token).exec(txn).await?;
                Ok(())
            })
        })
        .await
}
