//! `raw-commits`: the database's own rate of single-row write transactions,
//! the baseline receipts and transitions are measured against (issue 15,
//! target 1). The storage is opened exactly as the server opens a service's
//! (`eiso_platform::db::Db`, the procedures migrations run): on SQLite the
//! same pragmas (WAL, `synchronous`, busy timeout, foreign keys) and the one
//! writer connection every write waits its turn for, each transaction
//! `BEGIN IMMEDIATE`; on PostgreSQL the same pool (`[postgres]
//! max_connections`, 8 by default) in a schema of its own. Then N tasks each
//! insert one row and commit, again and again, for a fixed time.
//!
//! With `--hot-row`, each transaction also first updates one shared row (as
//! every eiso write updates its service's outbox and audit chain heads),
//! which measures what one lock held to the commit costs by itself.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use eiso_platform::config::{Config, SqliteSynchronous};
use eiso_platform::db::{Db, StorageTarget};
use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::report::Latency;

pub struct Plan<'a> {
    /// A postgres:// URL, or the SQLite file to create.
    pub database_url: &'a str,
    /// The PostgreSQL schema to create, use and drop.
    pub schema: &'a str,
    pub clients: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub synchronous: SqliteSynchronous,
    pub payload_bytes: usize,
    pub hot_row: bool,
    /// Keep the SQLite file or the PostgreSQL schema afterwards.
    pub keep: bool,
}

#[derive(Debug)]
pub struct RawRun {
    pub backend: &'static str,
    pub clients: usize,
    pub pool: u32,
    pub settings: Vec<(String, String)>,
    pub hot_row: bool,
    pub payload_bytes: usize,
    pub warmup: Duration,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl RawRun {
    pub fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn what(&self) -> &'static str {
        if self.hot_row {
            "UPDATE of one shared row + INSERT of one row + COMMIT"
        } else {
            "INSERT of one row + COMMIT"
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "backend": self.backend,
            "transaction": self.what(),
            "hot_row": self.hot_row,
            "clients": self.clients,
            "pool": self.pool,
            "settings": self
                .settings
                .iter()
                .map(|(name, value)| (name.clone(), Value::String(value.clone())))
                .collect::<serde_json::Map<_, _>>(),
            "payload_bytes": self.payload_bytes,
            "warmup_seconds": self.warmup.as_secs_f64(),
            "seconds": self.elapsed.as_secs_f64(),
            "commits": self.latencies.len(),
            "commits_per_second": self.per_second(),
            "latency_ms": Latency::of(&self.latencies).map(Latency::to_json),
        })
    }

    pub fn to_text(&self) -> String {
        let settings: Vec<String> = self.settings.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        let mut text = format!(
            "raw commits ({}), {}: {} by {} tasks over a pool of {} in {:.2} s = {:.1} commits/s\n  settings: {}\n",
            self.what(),
            self.backend,
            self.latencies.len(),
            self.clients,
            self.pool,
            self.elapsed.as_secs_f64(),
            self.per_second(),
            settings.join(", ")
        );
        if let Some(latency) = Latency::of(&self.latencies) {
            text += &format!("  latency: {}\n", latency.to_text());
        }
        text
    }
}

const TABLE: &str = "raw_commits";
const HEADS: &str = "raw_commit_heads";

pub async fn run(plan: Plan<'_>) -> anyhow::Result<RawRun> {
    let mut config = Config::default();
    config.sqlite.synchronous = plan.synchronous;
    let postgres = plan.database_url.starts_with("postgres");
    let (target, pool) = if postgres {
        let schema = plan.schema.replace('"', "");
        if schema.is_empty() {
            bail!("--schema is empty");
        }
        (
            StorageTarget::Postgres {
                url: plan.database_url.to_string(),
                schema: schema.clone(),
            },
            config.postgres.max_connections_of(&schema),
        )
    } else {
        let path = PathBuf::from(
            plan.database_url
                .trim_start_matches("sqlite://")
                .trim_start_matches("sqlite:"),
        );
        if path.exists() {
            bail!("{} exists: raw-commits creates a fresh SQLite file", path.display());
        }
        (StorageTarget::Sqlite { path }, 1)
    };
    let db = Db::open::<eiso_migrations::procedures::Migrator>(&target, &config)
        .await
        .context("cannot open the database as the server does")?;
    let backend = db.backend();
    let result = measure(&db, &plan, pool).await;
    if !plan.keep {
        match &target {
            StorageTarget::Postgres { schema, .. } => {
                db.reader()
                    .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                    .await
                    .with_context(|| format!("cannot drop the schema {schema}"))?;
                db.close().await;
            }
            StorageTarget::Sqlite { path } => {
                db.close().await;
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
        }
    }
    let mut run = result?;
    run.backend = if backend == DbBackend::Postgres {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    Ok(run)
}

async fn measure(db: &Db, plan: &Plan<'_>, pool: u32) -> anyhow::Result<RawRun> {
    let backend = db.backend();
    let txn = db.begin_write().await?;
    let id = if backend == DbBackend::Postgres {
        "BIGSERIAL PRIMARY KEY"
    } else {
        "INTEGER PRIMARY KEY"
    };
    txn.execute_unprepared(&format!(
        "CREATE TABLE {TABLE} (id {id}, client INTEGER NOT NULL, payload TEXT NOT NULL, create_time_us BIGINT NOT NULL)"
    ))
    .await?;
    txn.execute_unprepared(&format!(
        "CREATE TABLE {HEADS} (name TEXT PRIMARY KEY, sequence BIGINT NOT NULL)"
    ))
    .await?;
    txn.execute_unprepared(&format!("INSERT INTO {HEADS} (name, sequence) VALUES ('head', 0)"))
        .await?;
    let settings = settings(&txn, backend).await?;
    txn.commit().await?;

    let payload: Arc<str> = "x".repeat(plan.payload_bytes).into();
    let started = Instant::now();
    let measured_from = started + plan.warmup;
    let until = measured_from + plan.duration;
    let tasks = (0..plan.clients).map(|client| {
        let db = db.clone();
        let payload = Arc::clone(&payload);
        let hot_row = plan.hot_row;
        tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < until {
                let begun = Instant::now();
                let txn = db.begin_write().await?;
                if hot_row {
                    txn.query_one_raw(Statement::from_string(
                        backend,
                        format!("UPDATE {HEADS} SET sequence = sequence + 1 WHERE name = 'head' RETURNING sequence"),
                    ))
                    .await?
                    .context("the head row is missing")?;
                }
                txn.execute(
                    Query::insert()
                        .into_table(TABLE)
                        .columns(["client", "payload", "create_time_us"])
                        .values_panic([
                            (client as i64).into(),
                            payload.to_string().into(),
                            chrono::Utc::now().timestamp_micros().into(),
                        ]),
                )
                .await?;
                txn.commit().await?;
                if begun >= measured_from {
                    latencies.push(begun.elapsed());
                }
            }
            anyhow::Ok(latencies)
        })
    });
    let results = futures::future::try_join_all(tasks).await.context("a task panicked")?;
    let elapsed = measured_from.elapsed();
    let mut latencies = Vec::new();
    for result in results {
        latencies.extend(result?);
    }
    // Every measured commit is there: nothing lost, nothing doubled.
    let rows = db
        .reader()
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {TABLE}"),
        ))
        .await?
        .context("COUNT returned no row")?
        .try_get::<i64>("", "n")?;
    if (rows as usize) < latencies.len() {
        bail!("{} commits measured but only {rows} rows in {TABLE}", latencies.len());
    }
    Ok(RawRun {
        backend: "",
        clients: plan.clients,
        pool,
        settings,
        hot_row: plan.hot_row,
        payload_bytes: plan.payload_bytes,
        warmup: plan.warmup,
        elapsed,
        latencies,
    })
}

/// The settings that decide what a commit costs, as the connection sees them.
async fn settings(txn: &impl ConnectionTrait, backend: DbBackend) -> anyhow::Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    if backend == DbBackend::Postgres {
        for name in [
            "synchronous_commit",
            "fsync",
            "wal_sync_method",
            "commit_delay",
            "full_page_writes",
        ] {
            let row = txn
                .query_one_raw(Statement::from_string(
                    backend,
                    format!("SELECT current_setting('{name}') AS v"),
                ))
                .await?
                .with_context(|| format!("no {name}"))?;
            found.push((name.to_string(), row.try_get::<String>("", "v")?));
        }
    } else {
        for name in [
            "journal_mode",
            "synchronous",
            "busy_timeout",
            "foreign_keys",
            "temp_store",
        ] {
            let row = txn
                .query_one_raw(Statement::from_string(backend, format!("PRAGMA {name}")))
                .await?
                .with_context(|| format!("no PRAGMA {name}"))?;
            let value = match row.try_get_by_index::<String>(0) {
                Ok(text) => text,
                Err(_) => row.try_get_by_index::<i64>(0)?.to_string(),
            };
            let value = match (name, value.as_str()) {
                ("synchronous", "0") => "0 (OFF)".to_string(),
                ("synchronous", "1") => "1 (NORMAL)".to_string(),
                ("synchronous", "2") => "2 (FULL)".to_string(),
                ("synchronous", "3") => "3 (EXTRA)".to_string(),
                ("temp_store", "2") => "2 (MEMORY)".to_string(),
                _ => value,
            };
            found.push((name.to_string(), value));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_commits_are_counted_and_the_file_removed() {
        let path = std::env::temp_dir().join(format!("eiso-raw-commits-{}.db", uuid::Uuid::new_v4()));
        let url = path.display().to_string();
        let run = run(Plan {
            database_url: &url,
            schema: "raw_commits",
            clients: 2,
            warmup: Duration::from_millis(50),
            duration: Duration::from_millis(200),
            synchronous: SqliteSynchronous::Normal,
            payload_bytes: 10,
            hot_row: true,
            keep: false,
        })
        .await
        .map_err(|e| format!("{e:#}"));
        let run = run.as_ref();
        assert!(run.is_ok_and(|r| !r.latencies.is_empty()), "{run:?}");
        assert_eq!(run.map(|r| r.backend), Ok("SQLite"));
        assert_eq!(
            run.map(|r| r.settings.iter().any(|(k, v)| k == "synchronous" && v == "1 (NORMAL)")),
            Ok(true)
        );
        assert!(!path.exists());
        // A file that is there is refused, not replaced.
        std::fs::write(&path, b"").ok();
        let again = super::run(Plan {
            database_url: &url,
            schema: "raw_commits",
            clients: 1,
            warmup: Duration::ZERO,
            duration: Duration::from_millis(10),
            synchronous: SqliteSynchronous::Full,
            payload_bytes: 1,
            hot_row: false,
            keep: false,
        })
        .await;
        assert!(again.is_err());
        std::fs::remove_file(&path).ok();
    }
}
