//! Rows written optimistically: each carries a `version`, an update names the version it read
//! and lands only if the row is still at it (else [`Error::Stale`]: somebody changed it since).
//! Clients pass the version they read as `If-Match`.

use sea_orm::{ActiveModelBehavior, ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::database::Clocked;
use crate::entity::{event, need, organisation};
use crate::error::Error;

/// A table whose rows have an `id`, a `version`, who created them and when, and when they
/// last changed.
pub(crate) trait Versioned: EntityTrait {
    /// The primary key.
    const ID: Self::Column;
    /// The version, 1 at creation and one more at each update.
    const VERSION: Self::Column;
    /// The user who created the row.
    const CREATED_BY: Self::Column;
    /// When the row was created.
    const CREATED_AT: Self::Column;
    /// When the row last changed.
    const UPDATED_AT: Self::Column;
}

/// `Versioned` for the entities of `modules`, whose columns all bear the same names.
macro_rules! versioned {
    ($($module:ident),+) => {$(
        impl Versioned for $module::Entity {
            const ID: $module::Column = $module::Column::Id;
            const VERSION: $module::Column = $module::Column::Version;
            const CREATED_BY: $module::Column = $module::Column::CreatedBy;
            const CREATED_AT: $module::Column = $module::Column::CreatedAt;
            const UPDATED_AT: $module::Column = $module::Column::UpdatedAt;
        }
    )+};
}

versioned!(event, need, organisation);

/// Refuses a change whose `If-Match` names another version than the row's `current` one.
pub(crate) fn expect_version(if_match: Option<i32>, current: i32) -> Result<(), Error> {
    match if_match {
        Some(v) if v != current => Err(Error::Stale),
        _ => Ok(()),
    }
}

/// Inserts `row` as the first version of the row `id`, created now by `created_by`.
pub(crate) async fn insert<E>(
    db: &impl Clocked,
    mut row: E::ActiveModel,
    id: Uuid,
    created_by: Uuid,
) -> Result<E::Model, Error>
where
    E: Versioned,
    E::ActiveModel: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    E::Model: IntoActiveModel<E::ActiveModel>,
{
    let now = db.now();
    row.set(E::ID, id.into());
    row.set(E::VERSION, 1.into());
    row.set(E::CREATED_BY, created_by.into());
    row.set(E::CREATED_AT, now.into());
    row.set(E::UPDATED_AT, now.into());
    Ok(row.insert(db).await?)
}

/// Writes `changes` to the row `id` if it is still at `version`, as version `version + 1`
/// updated now; [`Error::Stale`] when another write got there first.
pub(crate) async fn update<E>(
    db: &impl Clocked,
    mut changes: E::ActiveModel,
    id: Uuid,
    version: i32,
) -> Result<(), Error>
where
    E: Versioned,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    changes.set(E::VERSION, (version + 1).into());
    changes.set(E::UPDATED_AT, db.now().into());
    let written = E::update_many()
        .set(changes)
        .filter(E::ID.eq(id))
        .filter(E::VERSION.eq(version))
        .exec(db)
        .await?;
    if written.rows_affected != 1 {
        return Err(Error::Stale);
    }
    Ok(())
}
