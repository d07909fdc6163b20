//! A fresh database for a benchmark run, shared by the examples.

use anyhow::Context;
use sea_orm::ConnectionTrait;

/// A new database named `mt_{label}_…` (so that `make clean-test-dbs` drops it): on the
/// PostgreSQL server of `base` (`postgres://…/db[?options]`, options kept), else a temporary
/// SQLite file.
pub async fn fresh_url(base: &str, label: &str) -> anyhow::Result<String> {
    let name = format!("mt_{label}_{}", uuid::Uuid::now_v7().simple());
    if base.starts_with("postgres") {
        let admin = sea_orm::Database::connect(base).await?;
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
        admin.close().await.ok();
        let (base, query) = base.split_once('?').map_or((base, ""), |(b, q)| (b, q));
        let (server, _) = base.rsplit_once('/').context("a database URL ends with /name")?;
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        Ok(format!("{server}/{name}{query}"))
    } else {
        let path = std::env::temp_dir().join(format!("{name}.db"));
        Ok(format!("sqlite://{}?mode=rwc", path.display()))
    }
}
