//! A registration's history: every change of status (and approval), who made it and why.

use matinale_domain::registration::{RegistrationStatus, StatusChange};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::database::Clocked;
use crate::entity::registration_history::{self, Changer};
use crate::entity::text::Text;
use crate::error::Error;

/// Records that `by` moved registration `registration_id` from `from` to `to`, for `reason`.
pub(crate) async fn record(
    db: &impl Clocked,
    registration_id: Uuid,
    by: Changer,
    from: Option<RegistrationStatus>,
    to: RegistrationStatus,
    reason: &str,
) -> Result<(), Error> {
    registration_history::Entity::insert(registration_history::ActiveModel {
        id: Set(Uuid::now_v7()),
        registration_id: Set(registration_id),
        at: Set(db.now()),
        actor: Set(Text(by)),
        from_status: Set(from.map(Text)),
        to_status: Set(Text(to)),
        reason: Set(reason.to_owned()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The history of registration `id`, oldest first.
pub(crate) async fn of(db: &impl ConnectionTrait, id: Uuid) -> Result<Vec<StatusChange>, Error> {
    Ok(registration_history::Entity::find()
        .filter(registration_history::Column::RegistrationId.eq(id))
        .order_by_asc(registration_history::Column::At)
        .order_by_asc(registration_history::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|h| StatusChange {
            at: h.at,
            actor: h.actor.to_string(),
            from: h.from_status.map(Text::get),
            to: h.to_status.get(),
            reason: h.reason,
        })
        .collect())
}
