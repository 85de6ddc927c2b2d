//! Storage of one service: a SQLite file set up for a server, or a PostgreSQL
//! schema, with migrations run at start.
//!
//! SQLite gets one writer connection and a read pool. Every write transaction
//! begins `IMMEDIATE`: it takes the write lock up front (waiting its turn in the
//! writer pool, then up to the busy timeout for other processes), so a
//! read-then-write transaction can never fail half-way with "database is
//! locked". PostgreSQL gets one pool with the service's schema on its
//! `search_path`, as large as `[postgres]` says.

use std::path::Path;
use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous as SqlxSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::config::{Config, SqliteSynchronous};

/// Where a service's data lives.
#[derive(Debug, Clone)]
pub enum StorageTarget {
    /// A SQLite file.
    Sqlite { path: std::path::PathBuf },
    /// A PostgreSQL database; the service's tables live in schema `schema`.
    Postgres { url: String, schema: String },
}

impl StorageTarget {
    /// The target of service `service` under `config`: `data_dir/<service>.db`,
    /// or schema `<service>` of the configured PostgreSQL database.
    pub fn for_service(config: &Config, service: &str) -> Self {
        match &config.database_url {
            Some(url) if url.starts_with("postgres") => StorageTarget::Postgres {
                url: url.clone(),
                schema: service.to_string(),
            },
            Some(url) => {
                let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
                StorageTarget::Sqlite {
                    path: Path::new(path).join(format!("{service}.db")),
                }
            }
            None => StorageTarget::Sqlite {
                path: config.data_dir.join(format!("{service}.db")),
            },
        }
    }
}

/// The connections of one service.
#[derive(Debug, Clone)]
pub struct Db {
    writer: DatabaseConnection,
    reader: DatabaseConnection,
    backend: DbBackend,
}

impl Db {
    /// Connects to `target` and runs migrator `M`.
    pub async fn open<M: MigratorTrait>(target: &StorageTarget, config: &Config) -> Result<Self, DbErr> {
        let db = match target {
            StorageTarget::Sqlite { path } => Self::open_sqlite(path, config).await?,
            StorageTarget::Postgres { url, schema } => Self::open_postgres(url, schema, config).await?,
        };
        db.migrate::<M>(target).await?;
        Ok(db)
    }

    async fn open_sqlite(path: &Path, config: &Config) -> Result<Self, DbErr> {
        if let Some(dir) = path.parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbErr::Custom(format!("cannot create data directory {}: {e}", dir.display())))?;
        }
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let busy = Duration::from_millis(config.sqlite.busy_timeout_ms);
        let synchronous = match config.sqlite.synchronous {
            SqliteSynchronous::Full => SqlxSynchronous::Full,
            SqliteSynchronous::Normal => SqlxSynchronous::Normal,
        };
        let tune = move |read_only: bool| {
            move |opts: sea_orm::sqlx::sqlite::SqliteConnectOptions| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(busy)
                    .synchronous(synchronous)
                    .foreign_keys(true)
                    .create_if_missing(!read_only)
                    .read_only(read_only)
                    .pragma("temp_store", "memory")
            }
        };

        // One writer: writes queue in the pool (acquire timeout) rather than
        // fight over the file lock.
        let mut writer = ConnectOptions::new(url.clone());
        writer
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(60))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(tune(false));
        let writer = connect_sqlite(writer, busy).await?;

        let mut reader = ConnectOptions::new(url);
        reader
            .max_connections(config.sqlite.read_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(tune(true));
        let reader = connect_sqlite(reader, busy).await?;
        Ok(Self {
            writer,
            reader,
            backend: DbBackend::Sqlite,
        })
    }

    /// One pool of `[postgres] max_connections`, or the service's own size
    /// from `[postgres.pool]` (the schema is the service's name).
    async fn open_postgres(url: &str, schema: &str, config: &Config) -> Result<Self, DbErr> {
        let max_connections = config.postgres.max_connections_of(schema);
        tracing::debug!(schema, max_connections, "PostgreSQL pool");
        let mut options = ConnectOptions::new(url.to_string());
        options
            .max_connections(max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            .set_schema_search_path(schema.to_string());
        let pool = Database::connect(options).await?;
        Ok(Self {
            writer: pool.clone(),
            reader: pool,
            backend: DbBackend::Postgres,
        })
    }

    async fn migrate<M: MigratorTrait>(&self, target: &StorageTarget) -> Result<(), DbErr> {
        match target {
            StorageTarget::Sqlite { .. } => {
                // One IMMEDIATE transaction: a second process opening the
                // same file waits for the first to finish migrating.
                let txn = self.begin_write().await?;
                M::up(&txn, None).await?;
                txn.commit().await
            }
            StorageTarget::Postgres { schema, .. } => {
                // Replicas starting at once: the first takes the lock and
                // migrates; the others wait, then find nothing left to do.
                let txn = self.writer.begin().await?;
                txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({})", migration_lock_key(schema)))
                    .await?;
                txn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", schema.replace('"', "")))
                    .await?;
                M::up(&txn, None).await?;
                txn.commit().await
            }
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// The connection for reads (the read pool on SQLite).
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// Begins a write transaction (`BEGIN IMMEDIATE` on SQLite).
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.backend {
            DbBackend::Sqlite => {
                self.writer
                    .begin_with_options(TransactionOptions {
                        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await
            }
            _ => self.writer.begin().await,
        }
    }

    /// Asks the database a trivial query through the read pool: whether it
    /// answers at all (the readiness check). Bound its time by the caller.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.reader.execute_unprepared("SELECT 1").await.map(|_| ())
    }

    /// Closes the pools (at shutdown, so SQLite checkpoints its WAL).
    pub async fn close(self) {
        let _ = self.reader.close().await;
        let _ = self.writer.close().await;
    }
}

/// Connects to a SQLite file, retrying while another process holds it.
///
/// Switching a new file to WAL takes an exclusive lock that SQLite does not
/// wait for with the busy timeout, so processes opening the same new file at
/// once get "database is locked" from the first connection. They retry here,
/// within the same busy timeout, instead of failing to start.
async fn connect_sqlite(options: ConnectOptions, busy: Duration) -> Result<DatabaseConnection, DbErr> {
    let deadline = std::time::Instant::now() + busy;
    let mut pause = Duration::from_millis(5);
    loop {
        match Database::connect(options.clone()).await {
            Err(err) if is_sqlite_busy(&err) && std::time::Instant::now() + pause < deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            result => return result,
        }
    }
}

/// Whether `err` is SQLite's SQLITE_BUSY ("database is locked", code 5).
fn is_sqlite_busy(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("database is locked") || text.contains("(code: 5)")
}

/// A stable advisory-lock key per schema (FNV-1a, as a positive i64).
fn migration_lock_key(schema: &str) -> i64 {
    let mut hash: u64 = 0xcbf29ce484222325;
    for byte in format!("eiso-migrations:{schema}").bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x100000001b3);
    }
    (hash >> 1) as i64
}
