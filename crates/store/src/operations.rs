//! What the people who run Matinale read and do outside the use cases: the pool's and the
//! outbox's figures for monitoring, pending migrations (readiness), and SQLite backups.

use std::path::Path;

use chrono::{DateTime, Utc};
use matinale_domain::mail::MailStatus;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, FromQueryResult, QueryFilter,
    QuerySelect,
};
use sea_orm_migration::MigratorTrait;

use crate::database::Store;
use crate::entity::outbox;
use crate::entity::text::Text;
use crate::error::Error;

/// The connections of a store's pool at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolFigures {
    /// Connections open, busy or idle.
    pub open: u32,
    /// Open connections lent out to a query or transaction.
    pub in_use: u32,
    /// The most the pool opens; once all are in use, further queries wait for one.
    pub max: u32,
    /// Write transactions of this process waiting now for a connection (reads outside a
    /// transaction wait too, uncounted: the pool does not say how many wait).
    pub waiting_for_connection: u64,
    /// SQLite: write transactions waiting now for the one writer's turn (0 on PostgreSQL).
    pub waiting_for_writer: u64,
}

/// The connections of `store`'s pool now.
pub fn pool(store: &Store) -> PoolFigures {
    let db = store.connection();
    let (open, idle, max) = match store.backend() {
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
        _ => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle(), pool.options().get_max_connections())
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    let (waiting_for_connection, waiting_for_writer) = store.waiting_now();
    PoolFigures {
        open,
        in_use: open.saturating_sub(idle),
        max,
        waiting_for_connection,
        waiting_for_writer,
    }
}

/// The mail waiting to go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxBacklog {
    /// Rows a worker may claim now: queued and due, or still `sending` after their lease.
    pub due: u64,
    /// Since when the longest-waiting of them is due.
    pub oldest_due_at: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct BacklogRow {
    due: i64,
    oldest: Option<DateTime<Utc>>,
}

/// The outbox rows due at `now` (as `outbox::claim` would see them) and the oldest due time.
pub async fn outbox_backlog(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<OutboxBacklog, Error> {
    let due = Condition::any()
        .add(
            Condition::all()
                .add(outbox::Column::Status.eq(Text(MailStatus::Queued)))
                .add(outbox::Column::NextAttemptAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(outbox::Column::Status.eq(Text(MailStatus::Sending)))
                .add(outbox::Column::LeaseUntil.lt(now)),
        );
    let row = outbox::Entity::find()
        .select_only()
        .expr_as(Expr::col(outbox::Column::Id).count(), "due")
        .expr_as(Expr::col(outbox::Column::NextAttemptAt).min(), "oldest")
        .filter(due)
        .into_model::<BacklogRow>()
        .one(db)
        .await?;
    Ok(row.map_or_else(OutboxBacklog::default, |row| OutboxBacklog {
        due: u64::try_from(row.due).unwrap_or_default(),
        oldest_due_at: row.oldest,
    }))
}

/// How many migrations this binary knows that the database has not applied (0 once
/// `migrate` ran; more while another process is about to migrate, or on a restored copy).
/// Only reads: the probe never creates the migrations table. Fails when the database holds
/// migrations this binary does not know (a newer version migrated it).
pub async fn pending_migrations(store: &Store) -> Result<usize, Error> {
    Ok(
        matinale_migrations::Migrator::get_pending_migrations_read_only(store.connection())
            .await?
            .len(),
    )
}

/// Why a backup was not made.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// PostgreSQL is backed up by its own tools.
    #[error("this is a PostgreSQL database: back it up with pg_dump")]
    Postgres,
    /// `VACUUM INTO` does not overwrite a file.
    #[error("{0} already exists; give a new file name")]
    Exists(String),
    /// The copy failed (disk full, directory missing, …).
    #[error(transparent)]
    Store(#[from] Error),
}

/// Writes a consistent copy of the SQLite database of `store` to `output` with `VACUUM INTO`:
/// one read transaction, so the copy is the database as of one moment, while writers go on
/// (WAL). The copy is compacted and complete in itself (no `-wal` file to carry along).
pub async fn backup_sqlite(store: &Store, output: &Path) -> Result<(), BackupError> {
    if store.backend() != DbBackend::Sqlite {
        return Err(BackupError::Postgres);
    }
    if output.exists() {
        return Err(BackupError::Exists(output.display().to_string()));
    }
    let literal = output.to_string_lossy().replace('\'', "''");
    store
        .connection()
        .execute_unprepared(&format!("VACUUM INTO '{literal}'"))
        .await
        .map_err(Error::from)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use sea_orm::ConnectionTrait;

    use super::pool;

    #[tokio::test]
    async fn a_write_waiting_for_the_sqlite_writer_is_counted_until_it_gets_its_turn() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let url = format!("sqlite://{}?mode=rwc", file.path().display());
        let store = crate::connect(&url).await.unwrap();
        store.execute_unprepared("CREATE TABLE t (n INTEGER)").await.unwrap();
        assert_eq!(
            (pool(&store).waiting_for_writer, pool(&store).waiting_for_connection),
            (0, 0)
        );

        // The first write holds the writer's turn until told to finish.
        let (finish, finished) = tokio::sync::oneshot::channel::<()>();
        let (started, has_started) = tokio::sync::oneshot::channel::<()>();
        let first = tokio::spawn({
            let store = store.clone();
            async move {
                let mut once = Some((started, finished));
                store
                    .write(move |txn| {
                        let taken = once.take();
                        Box::pin(async move {
                            txn.execute_unprepared("INSERT INTO t VALUES (1)").await?;
                            if let Some((started, finished)) = taken {
                                let _ = started.send(());
                                let _ = finished.await;
                            }
                            Ok(())
                        })
                    })
                    .await
            }
        });
        has_started.await.unwrap();
        let second = tokio::spawn({
            let store = store.clone();
            async move {
                store
                    .write(|txn| Box::pin(async move { Ok(txn.execute_unprepared("INSERT INTO t VALUES (2)").await?) }))
                    .await
            }
        });
        while pool(&store).waiting_for_writer == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool(&store).waiting_for_writer, 1);
        finish.send(()).unwrap();
        first.await.unwrap().unwrap();
        second.await.unwrap().unwrap();
        assert_eq!(pool(&store).waiting_for_writer, 0);
    }
}
