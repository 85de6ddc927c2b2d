//! Moving an office between the two storage shapes: `eiso-server export --to
//! DIR` writes every service's tables and every stored file to a directory,
//! in a format of its own that is the same whatever the database; `eiso-server
//! import --from DIR` puts them into the storage its configuration names.
//! Export with the embedded default's configuration (SQLite files, the local
//! file store) and import with the scaled shape's (PostgreSQL, a bucket), or
//! the other way round. Both want the servers stopped.
//!
//! # The directory
//!
//! ```text
//! DIR/manifest.json             the format, eiso's version, when; per service its applied
//!                               migrations and per table its columns and number of rows
//! DIR/<service>/<table>.jsonl   one JSON object per row, in primary-key order
//! DIR/files/<aa>/<sha256>       each stored file, named by its content's digest
//! ```
//!
//! A value is written as the kind of its column (in the manifest) says:
//! integers, floats and booleans as JSON numbers and booleans, text as a
//! string, bytes in base64, a time in RFC 3339 UTC with every digit the
//! database kept, a JSON column as its text; NULL as `null`. Rows are read in
//! pages by primary key (keyset paging) and rows and files are streamed, so
//! memory stays bounded whatever the size of the office. The manifest is
//! written last: a directory without one holds an export that did not finish.
//!
//! Import checks everything it can before it writes: the dump's migrations
//! must be exactly this binary's (and the target's), its tables and columns
//! the target's, and the target must not hold an office already (rows in a
//! service's `audit_entries`) unless `--replace` is given. Then the files go
//! into the store (each checked against its name), then each service's
//! tables in one transaction: emptied (migrations seed some rows), filled in
//! batches, counted against the manifest. The audit trails and the token
//! signing key are rows like any other, copied as they are.
//!
//! The search index is not carried: a server builds it from the databases at
//! start. Import sets aside the target's index, if there is one, for that.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use base64::Engine;
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, SecondsFormat, Utc};
use eiso_blobs::{BlobRef, BlobStore};
use eiso_platform::config::{BlobStoreKind, Config};
use eiso_platform::db::{Db, StorageTarget};
use futures::{Stream, StreamExt, TryStreamExt};
use sea_orm_migration::MigratorTrait;
use sea_orm_migration::sea_orm::sea_query::Value;
use sea_orm_migration::sea_orm::{
    AccessMode, ConnectOptions, ConnectionTrait, Database, DatabaseTransaction, DbBackend, DbErr, IsolationLevel,
    QueryResult, Statement, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::describe;

/// The version of the directory's format this binary writes and reads.
pub const FORMAT: u32 = 1;

const MANIFEST: &str = "manifest.json";
const FILES: &str = "files";
/// The platform table whose rows mean that a service holds an office.
const AUDIT_TABLE: &str = "audit_entries";
/// The migrations' own table: not carried (the target has its own).
const MIGRATIONS_TABLE: &str = "seaql_migrations";
/// Rows read per page on export.
const PAGE_ROWS: u64 = 256;
/// Rows per INSERT on import, at most: as many as a statement may carry
/// (SQLite takes 32766 parameters, PostgreSQL 65535), up to a few MiB of the
/// dump. Few large statements rather than many small ones: sqlx does not set
/// TCP_NODELAY, and a statement a little over one TCP segment waits for the
/// server's delayed ACK (40 ms on Linux); with 200 rows per INSERT a million
/// rows took 248 s into PostgreSQL on loopback, with these 26 s.
const BATCH_ROWS: usize = 5_000;
const BATCH_PARAMETERS: usize = 30_000;
/// An INSERT is sent once its rows take this much of the dump.
const BATCH_BYTES: usize = 4 << 20;
/// The longest row line import reads (a damaged dump is refused, not read
/// into memory whole).
const MAX_LINE: u64 = 512 << 20;
/// Files copied at once.
const FILE_CONCURRENCY: usize = 4;
/// Read and write block of files.
const FILE_CHUNK: usize = 1 << 20;

/// The services whose tables are carried, in the order they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Identity,
    Documents,
    Procedures,
    Plans,
    Quality,
    Sync,
    Notify,
}

impl Service {
    const ALL: [Service; 7] = [
        Service::Identity,
        Service::Documents,
        Service::Procedures,
        Service::Plans,
        Service::Quality,
        Service::Sync,
        Service::Notify,
    ];

    fn name(self) -> &'static str {
        match self {
            Service::Identity => eiso_identity::SERVICE_NAME,
            Service::Documents => eiso_documents::SERVICE_NAME,
            Service::Procedures => eiso_procedures::SERVICE_NAME,
            Service::Plans => eiso_plans::SERVICE_NAME,
            Service::Quality => eiso_quality::SERVICE_NAME,
            Service::Sync => crate::portal_sync::SERVICE_NAME,
            Service::Notify => crate::notifications::SERVICE_NAME,
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|service| service.name() == name)
    }

    /// Every office has it; the portal sync and the notifications have
    /// storage only where they were configured once.
    fn core(self) -> bool {
        !matches!(self, Service::Sync | Service::Notify)
    }

    /// The names of this binary's migrations of the service, sorted.
    fn migrations(self) -> Vec<String> {
        fn names<M: MigratorTrait>() -> Vec<String> {
            let mut names: Vec<String> = M::migrations().iter().map(|m| m.name().to_string()).collect();
            names.sort();
            names
        }
        match self {
            Service::Identity => names::<eiso_migrations::identity::Migrator>(),
            Service::Documents => names::<eiso_migrations::documents::Migrator>(),
            Service::Procedures => names::<eiso_migrations::procedures::Migrator>(),
            Service::Plans => names::<eiso_migrations::plans::Migrator>(),
            Service::Quality => names::<eiso_migrations::quality::Migrator>(),
            Service::Sync => names::<eiso_migrations::sync::Migrator>(),
            Service::Notify => names::<eiso_migrations::notify::Migrator>(),
        }
    }

    fn target(self, config: &Config) -> StorageTarget {
        StorageTarget::for_service(config, self.name())
    }

    /// Opens the service's storage, creating and migrating it as the server
    /// does at start.
    async fn open(self, config: &Config) -> anyhow::Result<Db> {
        let target = self.target(config);
        let opened = match self {
            Service::Identity => Db::open::<eiso_migrations::identity::Migrator>(&target, config).await,
            Service::Documents => Db::open::<eiso_migrations::documents::Migrator>(&target, config).await,
            Service::Procedures => Db::open::<eiso_migrations::procedures::Migrator>(&target, config).await,
            Service::Plans => Db::open::<eiso_migrations::plans::Migrator>(&target, config).await,
            Service::Quality => Db::open::<eiso_migrations::quality::Migrator>(&target, config).await,
            Service::Sync => Db::open::<eiso_migrations::sync::Migrator>(&target, config).await,
            Service::Notify => Db::open::<eiso_migrations::notify::Migrator>(&target, config).await,
        };
        opened.with_context(|| format!("cannot open the {} database ({})", self.name(), describe(&target)))
    }

    /// Whether the service's storage is there (a SQLite file, a PostgreSQL
    /// schema), without creating it.
    async fn exists(self, config: &Config) -> anyhow::Result<bool> {
        match self.target(config) {
            StorageTarget::Sqlite { path } => tokio::fs::try_exists(&path)
                .await
                .with_context(|| format!("cannot look for {}", path.display())),
            StorageTarget::Postgres { url, schema } => {
                let mut options = ConnectOptions::new(url.clone());
                options.max_connections(1).min_connections(0).sqlx_logging(false);
                let connection = Database::connect(options)
                    .await
                    .with_context(|| format!("cannot connect to PostgreSQL {}", redact(&url)))?;
                let found = connection
                    .query_one_raw(Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = $1",
                        [Value::from(schema.clone())],
                    ))
                    .await
                    .and_then(|row| row.map(|row| row.try_get_by_index::<i64>(0)).transpose());
                let _ = connection.close().await;
                let found = found.with_context(|| format!("cannot look for schema {schema}"))?;
                Ok(found.unwrap_or(0) > 0)
            }
        }
    }
}

fn redact(url: &str) -> String {
    eiso_platform::config::redact_url(url)
}

/// The databases and the file store `config` names, in words.
fn describe_storage(config: &Config) -> String {
    let databases = match Service::Identity.target(config) {
        StorageTarget::Sqlite { path } => format!(
            "SQLite files in {}",
            path.parent()
                .map_or_else(|| ".".into(), |dir| dir.display().to_string())
        ),
        StorageTarget::Postgres { url, .. } => format!("PostgreSQL {}", redact(&url)),
    };
    let files = match config.blob_store.kind {
        BlobStoreKind::Local => format!("files in {}", config.data_dir.join("blobs").display()),
        BlobStoreKind::S3 => format!(
            "files in bucket {} at {}",
            config.blob_store.bucket,
            config.blob_store.endpoint.as_deref().unwrap_or("AWS S3")
        ),
    };
    format!("{databases}, {files}")
}

// ---------------------------------------------------------------------------
// The manifest and the summary

/// What a column holds, as the dump writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Int,
    Bool,
    Float,
    Text,
    Bytes,
    Timestamp,
    Json,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: u32,
    eiso_version: String,
    created: DateTime<Utc>,
    /// Where it was exported from, in words (passwords masked).
    source: String,
    services: Vec<ServiceDump>,
    files: FilesDump,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceDump {
    name: String,
    /// The migrations applied to the service's storage, sorted.
    migrations: Vec<String>,
    tables: Vec<TableDump>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableDump {
    name: String,
    rows: u64,
    columns: Vec<ColumnDump>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnDump {
    name: String,
    kind: Kind,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilesDump {
    count: u64,
    bytes: u64,
}

impl FilesDump {
    /// These files and one more of `bytes`.
    fn and_file(self, bytes: u64) -> Self {
        Self {
            count: self.count + 1,
            bytes: self.bytes + bytes,
        }
    }
}

/// What an export or an import carried.
#[derive(Debug, Clone)]
pub struct Summary {
    /// `"exported"` or `"imported"`.
    pub action: &'static str,
    /// The export's directory.
    pub dir: PathBuf,
    /// The databases and the file store, in words.
    pub storage: String,
    pub services: Vec<ServiceSummary>,
    /// Stored files carried, and their bytes.
    pub files: u64,
    pub file_bytes: u64,
    pub elapsed: Duration,
}

/// One service's tables and their rows.
#[derive(Debug, Clone)]
pub struct ServiceSummary {
    pub name: String,
    /// (table, rows), by table name.
    pub tables: Vec<(String, u64)>,
}

impl ServiceSummary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }
}

impl Summary {
    fn of(action: &'static str, dir: &Path, storage: String, manifest: &Manifest, elapsed: Duration) -> Self {
        Self {
            action,
            dir: dir.to_path_buf(),
            storage,
            services: manifest
                .services
                .iter()
                .map(|service| ServiceSummary {
                    name: service.name.clone(),
                    tables: service.tables.iter().map(|t| (t.name.clone(), t.rows)).collect(),
                })
                .collect(),
            files: manifest.files.count,
            file_bytes: manifest.files.bytes,
            elapsed,
        }
    }

    /// The rows of `table` of `service`, if it was carried.
    pub fn rows(&self, service: &str, table: &str) -> Option<u64> {
        self.services
            .iter()
            .find(|s| s.name == service)?
            .tables
            .iter()
            .find(|(name, _)| name == table)
            .map(|(_, rows)| *rows)
    }

    /// The services carried, by name.
    pub fn service_names(&self) -> Vec<&str> {
        self.services.iter().map(|s| s.name.as_str()).collect()
    }

    pub fn total_rows(&self) -> u64 {
        self.services.iter().map(ServiceSummary::rows).sum()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to) = if self.action == "exported" {
            (self.storage.clone(), self.dir.display().to_string())
        } else {
            (self.dir.display().to_string(), self.storage.clone())
        };
        writeln!(f, "{} from {from}", self.action)?;
        writeln!(f, "  to {to}")?;
        for service in &self.services {
            writeln!(
                f,
                "  {:<12}{:>4} tables {:>10} rows",
                service.name,
                service.tables.len(),
                service.rows()
            )?;
        }
        writeln!(f, "  {:<12}{:>4} {:>17} bytes", "files", self.files, self.file_bytes)?;
        writeln!(
            f,
            "  in {:.1} s: {} services, {} rows, {} files",
            self.elapsed.as_secs_f64(),
            self.services.len(),
            self.total_rows(),
            self.files
        )?;
        write!(
            f,
            "The search index is not carried: the server rebuilds it from the databases at start."
        )
    }
}

// ---------------------------------------------------------------------------
// Tables and columns

/// A column's type as the database declares it, for reading and binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Int16,
    Int32,
    Int64,
    Bool,
    Float32,
    Float64,
    Text,
    Bytes,
    Timestamp,
    Json,
}

impl ColumnType {
    fn kind(self) -> Kind {
        match self {
            ColumnType::Int16 | ColumnType::Int32 | ColumnType::Int64 => Kind::Int,
            ColumnType::Bool => Kind::Bool,
            ColumnType::Float32 | ColumnType::Float64 => Kind::Float,
            ColumnType::Text => Kind::Text,
            ColumnType::Bytes => Kind::Bytes,
            ColumnType::Timestamp => Kind::Timestamp,
            ColumnType::Json => Kind::Json,
        }
    }

    /// A SQLite column's declared type (sea-query's names: `integer`,
    /// `boolean`, `text`, `varchar`, `blob`, `timestamp_with_timezone_text` ...).
    fn of_sqlite(declared: &str) -> Option<Self> {
        let t = declared.to_ascii_lowercase();
        let has = |part: &str| t.contains(part);
        Some(if has("timestamp") || has("datetime") {
            ColumnType::Timestamp
        } else if has("bool") {
            ColumnType::Bool
        } else if has("int") {
            ColumnType::Int64
        } else if has("json") {
            ColumnType::Json
        } else if has("blob") || has("binary") || has("bytea") {
            ColumnType::Bytes
        } else if has("real") || has("floa") || has("doub") {
            ColumnType::Float64
        } else if has("char") || has("text") || has("clob") || has("string") {
            ColumnType::Text
        } else {
            return None;
        })
    }

    /// A PostgreSQL column's `information_schema.columns.data_type`.
    fn of_postgres(data_type: &str) -> Option<Self> {
        Some(match data_type {
            "smallint" => ColumnType::Int16,
            "integer" => ColumnType::Int32,
            "bigint" => ColumnType::Int64,
            "boolean" => ColumnType::Bool,
            "real" => ColumnType::Float32,
            "double precision" => ColumnType::Float64,
            "text" | "character varying" | "character" => ColumnType::Text,
            "bytea" => ColumnType::Bytes,
            "timestamp with time zone" => ColumnType::Timestamp,
            "json" | "jsonb" => ColumnType::Json,
            _ => return None,
        })
    }
}

#[derive(Debug)]
struct Column {
    name: String,
    ty: ColumnType,
}

/// A table of a service's storage.
#[derive(Debug)]
struct Table {
    name: String,
    columns: Vec<Column>,
    /// The primary key's columns (indexes into `columns`), in key order.
    key: Vec<usize>,
}

/// `"name"`, quoted for either database.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Placeholder `n` (1-based) of `backend`.
fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Postgres => format!("${n}"),
        _ => "?".to_string(),
    }
}

/// A table name usable as a file name, as every eiso table's is.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

async fn strings(
    connection: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
    columns: usize,
) -> Result<Vec<Vec<String>>, DbErr> {
    let backend = connection.get_database_backend();
    let rows = connection
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.iter()
        .map(|row| (0..columns).map(|i| row.try_get_by_index::<String>(i)).collect())
        .collect()
}

/// Every table of the service's storage (schema `schema` on PostgreSQL)
/// but the migrations' own, by name, with its columns and primary key.
async fn tables(connection: &impl ConnectionTrait, schema: &str) -> anyhow::Result<Vec<Table>> {
    let backend = connection.get_database_backend();
    let names = match backend {
        DbBackend::Postgres => {
            strings(
                connection,
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
                vec![schema.into()],
                1,
            )
            .await?
        }
        _ => {
            strings(
                connection,
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                vec![],
                1,
            )
            .await?
        }
    };
    let mut tables = Vec::new();
    for name in names.into_iter().filter_map(|row| row.into_iter().next()) {
        if name == MIGRATIONS_TABLE {
            continue;
        }
        let table = describe_table(connection, schema, &name)
            .await
            .with_context(|| format!("table {name}"))?;
        tables.push(table);
    }
    Ok(tables)
}

async fn describe_table(connection: &impl ConnectionTrait, schema: &str, name: &str) -> anyhow::Result<Table> {
    let backend = connection.get_database_backend();
    let mut columns = Vec::new();
    let key_names: Vec<String> = match backend {
        DbBackend::Postgres => {
            let found = strings(
                connection,
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
                vec![schema.into(), name.into()],
                2,
            )
            .await?;
            for row in found {
                let [column, data_type] = <[String; 2]>::try_from(row).map_err(|_| anyhow!("unexpected row"))?;
                let ty = ColumnType::of_postgres(&data_type)
                    .ok_or_else(|| anyhow!("column {column}: type {data_type} is not one eiso uses"))?;
                columns.push(Column { name: column, ty });
            }
            strings(
                connection,
                "SELECT k.column_name::text FROM information_schema.table_constraints c \
                 JOIN information_schema.key_column_usage k ON k.constraint_schema = c.constraint_schema \
                 AND k.constraint_name = c.constraint_name AND k.table_name = c.table_name \
                 WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = $1 AND c.table_name = $2 \
                 ORDER BY k.ordinal_position",
                vec![schema.into(), name.into()],
                1,
            )
            .await?
            .into_iter()
            .filter_map(|row| row.into_iter().next())
            .collect()
        }
        _ => {
            let rows = connection
                .query_all_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY cid",
                    [Value::from(name)],
                ))
                .await?;
            let mut keyed = Vec::new();
            for row in rows {
                let column: String = row.try_get_by_index(0)?;
                let declared: String = row.try_get_by_index(1)?;
                let pk: i64 = row.try_get_by_index(2)?;
                let ty = ColumnType::of_sqlite(&declared)
                    .ok_or_else(|| anyhow!("column {column}: type {declared:?} is not one eiso uses"))?;
                if pk > 0 {
                    keyed.push((pk, column.clone()));
                }
                columns.push(Column { name: column, ty });
            }
            keyed.sort();
            keyed.into_iter().map(|(_, column)| column).collect()
        }
    };
    if columns.is_empty() {
        bail!("no columns found");
    }
    let key = key_names
        .iter()
        .map(|k| {
            columns
                .iter()
                .position(|c| &c.name == k)
                .ok_or_else(|| anyhow!("primary key column {k} not found"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Table {
        name: name.to_string(),
        columns,
        key,
    })
}

/// The migrations applied to a service's storage, sorted.
async fn applied_migrations(connection: &impl ConnectionTrait) -> anyhow::Result<Vec<String>> {
    let rows = strings(
        connection,
        &format!("SELECT version FROM {} ORDER BY version", quote(MIGRATIONS_TABLE)),
        vec![],
        1,
    )
    .await
    .context("cannot read the applied migrations")?;
    Ok(rows.into_iter().filter_map(|row| row.into_iter().next()).collect())
}

async fn count(connection: &impl ConnectionTrait, table: &str) -> Result<u64, DbErr> {
    let backend = connection.get_database_backend();
    let row = connection
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) FROM {}", quote(table)),
        ))
        .await?;
    let n = row.map(|row| row.try_get_by_index::<i64>(0)).transpose()?.unwrap_or(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

// ---------------------------------------------------------------------------
// Values

/// Reads column `i` of `row` as its type says.
fn read_value(row: &QueryResult, i: usize, ty: ColumnType, backend: DbBackend) -> Result<Value, DbErr> {
    Ok(match ty {
        ColumnType::Int16 => Value::SmallInt(row.try_get_by_index(i)?),
        ColumnType::Int32 => Value::Int(row.try_get_by_index(i)?),
        ColumnType::Int64 => Value::BigInt(row.try_get_by_index(i)?),
        ColumnType::Bool => Value::Bool(row.try_get_by_index(i)?),
        ColumnType::Float32 => Value::Float(row.try_get_by_index(i)?),
        ColumnType::Float64 => Value::Double(row.try_get_by_index(i)?),
        ColumnType::Text => Value::String(row.try_get_by_index(i)?),
        ColumnType::Bytes => Value::Bytes(row.try_get_by_index(i)?),
        ColumnType::Timestamp => Value::ChronoDateTimeUtc(row.try_get_by_index::<Option<DateTime<Utc>>>(i)?),
        ColumnType::Json => match backend {
            DbBackend::Postgres => Value::Json(row.try_get_by_index::<Option<serde_json::Value>>(i)?.map(Box::new)),
            _ => Value::String(row.try_get_by_index(i)?),
        },
    })
}

fn float_to_json(x: f64) -> serde_json::Value {
    match serde_json::Number::from_f64(x) {
        Some(number) => serde_json::Value::Number(number),
        None if x.is_nan() => "NaN".into(),
        None if x > 0.0 => "Infinity".into(),
        None => "-Infinity".into(),
    }
}

/// A value as the dump writes it.
fn to_json(value: &Value) -> anyhow::Result<serde_json::Value> {
    use serde_json::Value as J;
    Ok(match value {
        Value::SmallInt(v) => v.map_or(J::Null, J::from),
        Value::Int(v) => v.map_or(J::Null, J::from),
        Value::BigInt(v) => v.map_or(J::Null, J::from),
        Value::Bool(v) => v.map_or(J::Null, J::from),
        Value::Float(v) => v.map_or(J::Null, |x| float_to_json(f64::from(x))),
        Value::Double(v) => v.map_or(J::Null, float_to_json),
        Value::String(v) => v.as_ref().map_or(J::Null, |s| J::from(s.as_str())),
        Value::Bytes(v) => v.as_ref().map_or(J::Null, |bytes| {
            J::from(base64::engine::general_purpose::STANDARD.encode(bytes))
        }),
        Value::ChronoDateTimeUtc(v) => v.map_or(J::Null, |time| {
            J::from(time.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }),
        Value::Json(v) => v.as_ref().map_or(J::Null, |json| J::from(json.to_string())),
        other => bail!("unexpected value {other:?}"),
    })
}

/// The NULL of a column of type `ty`: typed, as PostgreSQL wants it.
fn null_of(ty: ColumnType, backend: DbBackend) -> Value {
    match ty {
        ColumnType::Int16 => Value::SmallInt(None),
        ColumnType::Int32 => Value::Int(None),
        ColumnType::Int64 => Value::BigInt(None),
        ColumnType::Bool => Value::Bool(None),
        ColumnType::Float32 => Value::Float(None),
        ColumnType::Float64 => Value::Double(None),
        ColumnType::Text => Value::String(None),
        ColumnType::Bytes => Value::Bytes(None),
        ColumnType::Timestamp => Value::ChronoDateTimeUtc(None),
        ColumnType::Json => match backend {
            DbBackend::Postgres => Value::Json(None),
            _ => Value::String(None),
        },
    }
}

fn json_float(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        other => other.as_f64(),
    }
}

/// A dump's value for a column of type `ty` of the target.
fn from_json(value: &serde_json::Value, ty: ColumnType, backend: DbBackend) -> Result<Value, String> {
    if value.is_null() {
        return Ok(null_of(ty, backend));
    }
    let int = || {
        value
            .as_i64()
            .ok_or_else(|| format!("expected an integer, found {value}"))
    };
    let text = || {
        value
            .as_str()
            .ok_or_else(|| format!("expected a string, found {value}"))
    };
    let out_of_range = |_| format!("{value} is out of the column's range");
    Ok(match ty {
        ColumnType::Int16 => Value::SmallInt(Some(i16::try_from(int()?).map_err(out_of_range)?)),
        ColumnType::Int32 => Value::Int(Some(i32::try_from(int()?).map_err(out_of_range)?)),
        ColumnType::Int64 => Value::BigInt(Some(int()?)),
        ColumnType::Bool => Value::Bool(Some(
            value
                .as_bool()
                .ok_or_else(|| format!("expected true or false, found {value}"))?,
        )),
        ColumnType::Float32 | ColumnType::Float64 => {
            let x = json_float(value).ok_or_else(|| format!("expected a number, found {value}"))?;
            if ty == ColumnType::Float32 {
                Value::Float(Some(x as f32))
            } else {
                Value::Double(Some(x))
            }
        }
        ColumnType::Text => Value::String(Some(text()?.to_string())),
        ColumnType::Bytes => Value::Bytes(Some(
            base64::engine::general_purpose::STANDARD
                .decode(text()?)
                .map_err(|e| format!("not base64: {e}"))?,
        )),
        ColumnType::Timestamp => Value::ChronoDateTimeUtc(Some(
            DateTime::parse_from_rfc3339(text()?)
                .map_err(|e| format!("not an RFC 3339 time: {e}"))?
                .with_timezone(&Utc),
        )),
        ColumnType::Json => {
            let json = text()?;
            match backend {
                DbBackend::Postgres => Value::Json(Some(Box::new(
                    serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?,
                ))),
                _ => Value::String(Some(json.to_string())),
            }
        }
    })
}

// ---------------------------------------------------------------------------
// Export

/// Writes the office that `config` names — every service's tables and every
/// stored file — to the directory `to`, which must be empty or absent.
pub async fn export(config: &Config, to: &Path) -> anyhow::Result<Summary> {
    let started = Instant::now();
    no_server_running(config, "exporting")?;
    if !Service::Identity.exists(config).await? {
        bail!(
            "there is no office to export: {} does not exist (check --data-dir, EISO_DATA_DIR or EISO_DATABASE_URL)",
            describe(&Service::Identity.target(config))
        );
    }
    prepare_empty_dir(to).await?;
    let store = crate::files::open(config).await?;
    // Files an operator puts beside the data are settings, not data.
    for own in [
        config.data_dir.join("templates"),
        config.search_dir().join("abbreviations.txt"),
    ] {
        if own.exists() {
            tracing::warn!(path = %own.display(), "the office's own file is not exported: copy it to the new data directories");
        }
    }
    let mut manifest = Manifest {
        format: FORMAT,
        eiso_version: env!("CARGO_PKG_VERSION").to_string(),
        created: Utc::now(),
        source: describe_storage(config),
        services: Vec::new(),
        files: FilesDump::default(),
    };
    for service in Service::ALL {
        // The core services are opened as the server opens them (migrating
        // them to this version); the others only if they are there.
        if !service.core() && !service.exists(config).await? {
            continue;
        }
        let db = service.open(config).await?;
        let dumped = export_service(&db, service, &to.join(service.name())).await;
        db.close().await;
        let dumped = dumped.with_context(|| format!("cannot export the {} database", service.name()))?;
        tracing::info!(
            service = service.name(),
            tables = dumped.tables.len(),
            rows = dumped.tables.iter().map(|t| t.rows).sum::<u64>(),
            "exported"
        );
        manifest.services.push(dumped);
    }
    // After the databases: content is never changed in place, so every file
    // the databases refer to is there.
    manifest.files = export_files(&store, &to.join(FILES))
        .await
        .context("cannot export the stored files")?;
    tracing::info!(files = manifest.files.count, bytes = manifest.files.bytes, "exported");
    write_manifest(to, &manifest).await?;
    Ok(Summary::of(
        "exported",
        to,
        manifest.source.clone(),
        &manifest,
        started.elapsed(),
    ))
}

/// Creates `dir`, or checks that it is an empty directory.
async fn prepare_empty_dir(dir: &Path) -> anyhow::Result<()> {
    match tokio::fs::read_dir(dir).await {
        Ok(mut entries) => {
            if entries
                .next_entry()
                .await
                .with_context(|| format!("cannot read {}", dir.display()))?
                .is_some()
            {
                bail!(
                    "{} is not empty: export writes into a new or empty directory",
                    dir.display()
                );
            }
            Ok(())
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            // Owner only: the export holds password hashes, the token signing
            // key and applicants' personal data.
            let mut builder = tokio::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            builder.mode(0o700);
            builder
                .create(dir)
                .await
                .with_context(|| format!("cannot create {}", dir.display()))
        }
        Err(error) => Err(error).with_context(|| format!("cannot use {} for the export", dir.display())),
    }
}

/// A transaction that sees one state of the whole service (on SQLite, the
/// read transaction's snapshot).
async fn begin_snapshot(db: &Db) -> Result<DatabaseTransaction, DbErr> {
    match db.backend() {
        DbBackend::Postgres => {
            db.reader()
                .begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                .await
        }
        _ => db.reader().begin().await,
    }
}

async fn export_service(db: &Db, service: Service, dir: &Path) -> anyhow::Result<ServiceDump> {
    tokio::fs::create_dir(dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let txn = begin_snapshot(db).await?;
    let migrations = applied_migrations(&txn).await?;
    let mut dumped = Vec::new();
    for table in tables(&txn, service.name()).await? {
        if !plain_name(&table.name) {
            bail!("table {:?}: not a name eiso gives a table", table.name);
        }
        let path = dir.join(format!("{}.jsonl", table.name));
        let rows = export_table(&txn, &table, &path)
            .await
            .with_context(|| format!("table {}", table.name))?;
        dumped.push(TableDump {
            name: table.name.clone(),
            rows,
            columns: table
                .columns
                .iter()
                .map(|c| ColumnDump {
                    name: c.name.clone(),
                    kind: c.ty.kind(),
                })
                .collect(),
        });
    }
    txn.rollback().await?;
    Ok(ServiceDump {
        name: service.name().to_string(),
        migrations,
        tables: dumped,
    })
}

/// Writes every row of `table` to `path`, a page at a time in primary-key
/// order; returns how many.
async fn export_table(txn: &DatabaseTransaction, table: &Table, path: &Path) -> anyhow::Result<u64> {
    let backend = txn.get_database_backend();
    let file = tokio::fs::File::create(path)
        .await
        .with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = tokio::io::BufWriter::with_capacity(256 * 1024, file);
    let columns = table
        .columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Vec<_>>()
        .join(", ");
    // By the primary key (keyset paging); a table without one (eiso has
    // none) by every column, in pages by offset.
    let order: Vec<usize> = if table.key.is_empty() {
        (0..table.columns.len()).collect()
    } else {
        table.key.clone()
    };
    let order_by = order
        .iter()
        .map(|&i| quote(&table.columns[i].name))
        .collect::<Vec<_>>()
        .join(", ");
    let mut after: Option<Vec<Value>> = None;
    let mut rows: u64 = 0;
    let mut line = Vec::with_capacity(4096);
    loop {
        let (condition, values) = match (&after, table.key.is_empty()) {
            (Some(last), false) => {
                let marks = (1..=last.len()).map(|n| placeholder(backend, n)).collect::<Vec<_>>();
                let condition = if last.len() == 1 {
                    format!(" WHERE {order_by} > {}", marks[0])
                } else {
                    format!(" WHERE ({order_by}) > ({})", marks.join(", "))
                };
                (condition, last.clone())
            }
            _ => (String::new(), Vec::new()),
        };
        let offset = if table.key.is_empty() {
            format!(" OFFSET {rows}")
        } else {
            String::new()
        };
        let sql = format!(
            "SELECT {columns} FROM {}{condition} ORDER BY {order_by} LIMIT {PAGE_ROWS}{offset}",
            quote(&table.name)
        );
        let page = txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        for row in &page {
            let mut values = Vec::with_capacity(table.columns.len());
            for (i, column) in table.columns.iter().enumerate() {
                let value = read_value(row, i, column.ty, backend)
                    .with_context(|| format!("row {}: column {} ({:?})", rows + 1, column.name, column.ty))?;
                values.push(value);
            }
            line.clear();
            line.push(b'{');
            for (i, (column, value)) in table.columns.iter().zip(&values).enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                serde_json::to_writer(&mut line, &column.name)?;
                line.push(b':');
                serde_json::to_writer(&mut line, &to_json(value)?)?;
            }
            line.extend_from_slice(b"}\n");
            out.write_all(&line)
                .await
                .with_context(|| format!("cannot write {}", path.display()))?;
            rows += 1;
            if !table.key.is_empty() {
                after = Some(table.key.iter().map(|&k| values[k].clone()).collect());
            }
        }
        if (page.len() as u64) < PAGE_ROWS {
            break;
        }
    }
    out.flush()
        .await
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.into_inner()
        .sync_all()
        .await
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(rows)
}

/// Copies every stored file into `dir`, verified on the way out.
async fn export_files(store: &BlobStore, dir: &Path) -> anyhow::Result<FilesDump> {
    tokio::fs::create_dir(dir)
        .await
        .with_context(|| format!("cannot create {}", dir.display()))?;
    store
        .list()
        .map_err(|e| anyhow::Error::new(e).context("cannot list the stored files"))
        .map_ok(|blob| export_file(store, blob, dir))
        .try_buffer_unordered(FILE_CONCURRENCY)
        .try_fold(
            FilesDump::default(),
            |total, bytes| async move { Ok(total.and_file(bytes)) },
        )
        .await
}

async fn export_file(store: &BlobStore, blob: BlobRef, dir: &Path) -> anyhow::Result<u64> {
    let digest = &blob.digest;
    let shard = dir.join(&digest[..2]);
    tokio::fs::create_dir_all(&shard)
        .await
        .with_context(|| format!("cannot create {}", shard.display()))?;
    let partial = shard.join(format!("{digest}.partial"));
    let path = shard.join(digest);
    // BlobStore::get checks the digest of what it reads: a damaged stored
    // file stops the export, named, instead of being copied.
    let mut content = store
        .get(digest, FILE_CHUNK)
        .await
        .with_context(|| format!("cannot read stored file {digest}"))?;
    let mut out = tokio::fs::File::create(&partial)
        .await
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut size: u64 = 0;
    while let Some(chunk) = content.next().await {
        let chunk = chunk.with_context(|| format!("cannot read stored file {digest}"))?;
        size += chunk.len() as u64;
        out.write_all(&chunk)
            .await
            .with_context(|| format!("cannot write {}", partial.display()))?;
    }
    out.sync_all()
        .await
        .with_context(|| format!("cannot write {}", partial.display()))?;
    drop(out);
    tokio::fs::rename(&partial, &path)
        .await
        .with_context(|| format!("cannot rename {}", partial.display()))?;
    Ok(size)
}

async fn write_manifest(dir: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let text = serde_json::to_vec_pretty(manifest)?;
    let partial = dir.join(format!("{MANIFEST}.partial"));
    let mut file = tokio::fs::File::create(&partial)
        .await
        .with_context(|| format!("cannot create {}", partial.display()))?;
    file.write_all(&text).await?;
    file.write_all(b"\n").await?;
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&partial, dir.join(MANIFEST))
        .await
        .with_context(|| format!("cannot write {}", dir.join(MANIFEST).display()))?;
    // The directory entries too (Unix).
    if let Ok(dir) = tokio::fs::File::open(dir).await {
        let _ = dir.sync_all().await;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Import

/// Puts the office exported to `from` into the storage `config` names. A
/// target that already holds an office (rows in any service's audit trail)
/// is refused unless `replace`, which empties it first.
pub async fn import(config: &Config, from: &Path, replace: bool) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let manifest = read_manifest(from).await?;
    let services = check_manifest(&manifest)?;
    let search = SearchIndex::check(config)?;
    let store = crate::files::open(config).await?;

    // A service the dump does not have but the target does, with data:
    // another office's, which the import would leave behind.
    for service in Service::ALL {
        if services.contains(&service) || !service.exists(config).await? {
            continue;
        }
        let db = service.open(config).await?;
        let held = async {
            Ok::<_, DbErr>(count(db.reader(), AUDIT_TABLE).await? + count(db.reader(), "outbox_events").await?)
        }
        .await;
        db.close().await;
        if held.with_context(|| format!("cannot read the target's {} database", service.name()))? > 0 {
            bail!(
                "the target's {name} database ({}) holds data, but the dump has no {name} data: \
                 remove it first (delete {name}.db, or DROP SCHEMA {name} CASCADE)",
                describe(&service.target(config)),
                name = service.name()
            );
        }
    }

    let mut opened = Vec::new();
    for service in &services {
        match service.open(config).await {
            Ok(db) => opened.push(db),
            Err(error) => {
                for db in opened {
                    db.close().await;
                }
                return Err(error);
            }
        }
    }
    let imported = import_into(&manifest, &services, &opened, &store, from, replace).await;
    for db in opened {
        db.close().await;
    }
    imported?;
    search.set_aside()?;
    Ok(Summary::of(
        "imported",
        from,
        describe_storage(config),
        &manifest,
        started.elapsed(),
    ))
}

async fn read_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let path = from.join(MANIFEST);
    let text = match tokio::fs::read(&path).await {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => bail!(
            "{} not found: {} is not a finished export (export writes the manifest last)",
            path.display(),
            from.display()
        ),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", path.display())),
    };
    let manifest: Manifest =
        serde_json::from_slice(&text).with_context(|| format!("{}: not a manifest of an export", path.display()))?;
    if manifest.format != FORMAT {
        bail!(
            "{}: format {} (by eiso {}); this eiso reads format {FORMAT}",
            path.display(),
            manifest.format,
            manifest.eiso_version
        );
    }
    Ok(manifest)
}

/// The dump's services, checked against this binary: known, the core ones
/// all there, each once, with exactly this binary's migrations.
fn check_manifest(manifest: &Manifest) -> anyhow::Result<Vec<Service>> {
    let mut services = Vec::new();
    for dumped in &manifest.services {
        let service = Service::from_name(&dumped.name)
            .ok_or_else(|| anyhow!("the dump has a service {:?} this eiso does not know", dumped.name))?;
        if services.contains(&service) {
            bail!("the dump has the {} service twice", dumped.name);
        }
        let ours = service.migrations();
        if dumped.migrations != ours {
            let theirs: BTreeSet<&String> = dumped.migrations.iter().collect();
            let mine: BTreeSet<&String> = ours.iter().collect();
            let unknown: Vec<&str> = theirs.difference(&mine).map(|s| s.as_str()).collect();
            let missing: Vec<&str> = mine.difference(&theirs).map(|s| s.as_str()).collect();
            if !unknown.is_empty() {
                bail!(
                    "the dump's {} data was migrated by a newer eiso ({} unknown here): import it with eiso {} or later",
                    dumped.name,
                    unknown.join(", "),
                    manifest.eiso_version
                );
            }
            bail!(
                "the dump's {} data was made by an older eiso (without {}): export it again with this eiso, \
                 which brings the data up to date first",
                dumped.name,
                missing.join(", ")
            );
        }
        let mut seen = BTreeSet::new();
        for table in &dumped.tables {
            if !plain_name(&table.name) || !seen.insert(table.name.as_str()) {
                bail!("the dump's {} data has a table named {:?}", dumped.name, table.name);
            }
        }
        services.push(service);
    }
    for service in Service::ALL.into_iter().filter(|s| s.core()) {
        if !services.contains(&service) {
            bail!("the dump has no {} data: it is not a whole export", service.name());
        }
    }
    Ok(services)
}

/// One table's import: the dump's columns in the dump's order, with the
/// target's types.
struct TablePlan<'a> {
    dumped: &'a TableDump,
    types: Vec<ColumnType>,
}

async fn import_into(
    manifest: &Manifest,
    services: &[Service],
    dbs: &[Db],
    store: &BlobStore,
    from: &Path,
    replace: bool,
) -> anyhow::Result<()> {
    // Everything is checked before anything is written.
    let mut plans = Vec::new();
    let mut holding = Vec::new();
    for ((service, dumped), db) in services.iter().zip(&manifest.services).zip(dbs) {
        let name = service.name();
        let applied = applied_migrations(db.reader())
            .await
            .with_context(|| format!("the target's {name} database"))?;
        if applied != dumped.migrations {
            bail!(
                "the target's {name} database has migrations {applied:?}, the dump {:?}: \
                 the target was migrated by another eiso",
                dumped.migrations
            );
        }
        let target = tables(db.reader(), name)
            .await
            .with_context(|| format!("cannot read the target's {name} tables"))?;
        plans.push(plan_service(name, dumped, &target)?);
        if count(db.reader(), AUDIT_TABLE)
            .await
            .with_context(|| format!("cannot read the target's {name} audit trail"))?
            > 0
        {
            holding.push(name);
        }
    }
    if !holding.is_empty() && !replace {
        bail!(
            "the target already holds an office (audit entries in its {} database{}): import refuses to \
             overwrite it; give --replace to replace it with the dump",
            holding.join(", "),
            if holding.len() > 1 { "s" } else { "" }
        );
    }

    // The files first: if the databases then fail, what is left in the
    // store is content nothing refers to, swept after a day.
    let files = import_files(store, &from.join(FILES))
        .await
        .context("cannot import the stored files")?;
    if files != manifest.files {
        bail!(
            "the dump's files are {} ({} bytes), the manifest says {} ({} bytes): the dump is incomplete",
            files.count,
            files.bytes,
            manifest.files.count,
            manifest.files.bytes
        );
    }
    tracing::info!(files = files.count, bytes = files.bytes, "imported");

    for (((service, dumped), db), (target, plan)) in services.iter().zip(&manifest.services).zip(dbs).zip(&plans) {
        import_service(db, target, plan, &from.join(&dumped.name))
            .await
            .with_context(|| format!("cannot import the {} database", service.name()))?;
        tracing::info!(
            service = service.name(),
            tables = plan.len(),
            rows = dumped.tables.iter().map(|t| t.rows).sum::<u64>(),
            "imported"
        );
    }
    Ok(())
}

/// Matches the dump's tables of a service with the target's: the same
/// tables, the same columns, of the same kinds.
fn plan_service<'a>(
    service: &str,
    dumped: &'a ServiceDump,
    target: &[Table],
) -> anyhow::Result<(Vec<String>, Vec<TablePlan<'a>>)> {
    let theirs: BTreeSet<&str> = dumped.tables.iter().map(|t| t.name.as_str()).collect();
    let ours: BTreeSet<&str> = target.iter().map(|t| t.name.as_str()).collect();
    if theirs != ours {
        bail!(
            "the {service} tables differ: the dump has {:?}, the target {:?}",
            theirs.difference(&ours).collect::<Vec<_>>(),
            ours.difference(&theirs).collect::<Vec<_>>()
        );
    }
    let mut plans = Vec::new();
    for table in &dumped.tables {
        let Some(ours) = target.iter().find(|t| t.name == table.name) else {
            bail!("{service}: table {} missing in the target", table.name);
        };
        let by_name: BTreeMap<&str, ColumnType> = ours.columns.iter().map(|c| (c.name.as_str(), c.ty)).collect();
        if by_name.len() != table.columns.len() {
            bail!(
                "{service}: table {} has {} columns in the dump and {} in the target",
                table.name,
                table.columns.len(),
                by_name.len()
            );
        }
        let mut types = Vec::new();
        for column in &table.columns {
            let ty = by_name.get(column.name.as_str()).copied().ok_or_else(|| {
                anyhow!(
                    "{service}: table {}: the target has no column {}",
                    table.name,
                    column.name
                )
            })?;
            if ty.kind() != column.kind {
                bail!(
                    "{service}: table {} column {}: {:?} in the dump, {:?} in the target",
                    table.name,
                    column.name,
                    column.kind,
                    ty.kind()
                );
            }
            types.push(ty);
        }
        plans.push(TablePlan { dumped: table, types });
    }
    Ok((target.iter().map(|t| t.name.clone()).collect(), plans))
}

/// One service in one transaction: its tables emptied, filled from the
/// dump, counted.
async fn import_service(db: &Db, tables: &[String], plans: &[TablePlan<'_>], dir: &Path) -> anyhow::Result<()> {
    let txn = db.begin_write().await?;
    let backend = txn.get_database_backend();
    for table in tables {
        txn.execute_raw(Statement::from_string(backend, format!("DELETE FROM {}", quote(table))))
            .await
            .with_context(|| format!("cannot empty table {table}"))?;
    }
    for plan in plans {
        let path = dir.join(format!("{}.jsonl", plan.dumped.name));
        let read = import_table(&txn, plan, &path).await?;
        if read != plan.dumped.rows {
            bail!(
                "{}: {read} rows, the manifest says {}: the dump is damaged",
                path.display(),
                plan.dumped.rows
            );
        }
        let stored = count(&txn, &plan.dumped.name).await?;
        if stored != plan.dumped.rows {
            bail!(
                "table {} holds {stored} rows after the import, the manifest says {}",
                plan.dumped.name,
                plan.dumped.rows
            );
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Reads `path` a line at a time and inserts its rows in batches; returns
/// how many rows it read.
async fn import_table(txn: &DatabaseTransaction, plan: &TablePlan<'_>, path: &Path) -> anyhow::Result<u64> {
    let backend = txn.get_database_backend();
    let table = &plan.dumped.name;
    let file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let mut reader = tokio::io::BufReader::with_capacity(256 * 1024, file);
    let columns = &plan.dumped.columns;
    let batch_rows = (BATCH_PARAMETERS / columns.len().max(1)).clamp(1, BATCH_ROWS);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(batch_rows);
    let mut batch_bytes = 0;
    let mut line = Vec::new();
    let mut number: u64 = 0;
    loop {
        line.clear();
        let read = (&mut reader)
            .take(MAX_LINE + 1)
            .read_until(b'\n', &mut line)
            .await
            .with_context(|| format!("cannot read {}", path.display()))?;
        if read == 0 {
            break;
        }
        number += 1;
        let at = || format!("{} line {number}", path.display());
        if line.last() == Some(&b'\n') {
            line.pop();
        } else if line.len() as u64 > MAX_LINE {
            bail!("{}: longer than {MAX_LINE} bytes", at());
        }
        let row: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&line).map_err(|e| anyhow!("{}: not a row of the dump: {e}", at()))?;
        if row.len() != columns.len() {
            bail!(
                "{}: {} values, table {table} has {} columns",
                at(),
                row.len(),
                columns.len()
            );
        }
        let mut values = Vec::with_capacity(columns.len());
        for (column, ty) in columns.iter().zip(&plan.types) {
            let value = row
                .get(&column.name)
                .ok_or_else(|| anyhow!("{}: no value for column {}", at(), column.name))?;
            values.push(from_json(value, *ty, backend).map_err(|e| anyhow!("{}: column {}: {e}", at(), column.name))?);
        }
        batch.push(values);
        batch_bytes += line.len();
        if batch.len() >= batch_rows || batch_bytes >= BATCH_BYTES {
            insert(txn, table, columns, &batch)
                .await
                .with_context(|| format!("{}: cannot insert the rows before", at()))?;
            batch.clear();
            batch_bytes = 0;
        }
    }
    if !batch.is_empty() {
        insert(txn, table, columns, &batch)
            .await
            .with_context(|| format!("{}: cannot insert the last rows", path.display()))?;
    }
    Ok(number)
}

async fn insert(
    txn: &DatabaseTransaction,
    table: &str,
    columns: &[ColumnDump],
    rows: &[Vec<Value>],
) -> Result<(), DbErr> {
    let backend = txn.get_database_backend();
    let names = columns.iter().map(|c| quote(&c.name)).collect::<Vec<_>>().join(", ");
    let mut sql = format!("INSERT INTO {} ({names}) VALUES ", quote(table));
    let mut n = 0;
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..row.len() {
            if j > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&placeholder(backend, n));
        }
        sql.push(')');
    }
    let values = rows.iter().flatten().cloned();
    txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    Ok(())
}

/// Puts every file of the dump's `dir` into the store, each checked against
/// its name.
async fn import_files(store: &BlobStore, dir: &Path) -> anyhow::Result<FilesDump> {
    let mut files = Vec::new();
    let mut shards = match tokio::fs::read_dir(dir).await {
        Ok(shards) => shards,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(FilesDump::default()),
        Err(error) => return Err(error).with_context(|| format!("cannot read {}", dir.display())),
    };
    while let Some(shard) = shards
        .next_entry()
        .await
        .with_context(|| format!("cannot read {}", dir.display()))?
    {
        let shard_name = shard.file_name().to_string_lossy().into_owned();
        let mut entries = tokio::fs::read_dir(shard.path())
            .await
            .with_context(|| format!("{}: not a directory of the dump's files", shard.path().display()))?;
        while let Some(entry) = entries
            .next_entry()
            .await
            .with_context(|| format!("cannot read {}", shard.path().display()))?
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !eiso_blobs::valid_digest(&name) || !name.starts_with(&shard_name) {
                bail!(
                    "{}: not a file of the dump (files are named by their SHA-256)",
                    entry.path().display()
                );
            }
            files.push((name, entry.path()));
        }
    }
    futures::stream::iter(files)
        .map(|(digest, path)| async move { import_file(store, &digest, &path).await })
        .buffer_unordered(FILE_CONCURRENCY)
        .try_fold(
            FilesDump::default(),
            |total, bytes| async move { Ok(total.and_file(bytes)) },
        )
        .await
}

async fn import_file(store: &BlobStore, digest: &str, path: &Path) -> anyhow::Result<u64> {
    let file = tokio::fs::File::open(path)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    let stored = store
        .put(chunks(file), u64::MAX)
        .await
        .with_context(|| format!("cannot store {}", path.display()))?;
    if stored.digest != digest {
        bail!(
            "{}: the content does not match its name (its SHA-256 is {}): the dump is damaged",
            path.display(),
            stored.digest
        );
    }
    Ok(stored.size)
}

/// A file as a stream of blocks.
fn chunks(file: tokio::fs::File) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures::stream::try_unfold(file, |mut file| async move {
        let mut block = BytesMut::with_capacity(FILE_CHUNK);
        while block.len() < FILE_CHUNK {
            if file.read_buf(&mut block).await? == 0 {
                break;
            }
        }
        if block.is_empty() {
            Ok(None)
        } else {
            Ok(Some((block.freeze(), file)))
        }
    })
}

/// The target's search index (a read model of the databases): after an
/// import it describes another office, so it is set aside and the server
/// builds it anew at start. Checked first: a server running on it stops
/// the import before anything is written.
struct SearchIndex {
    dir: PathBuf,
}

impl SearchIndex {
    /// What the index keeps of the data; the office's abbreviations
    /// (`abbreviations.txt`) and the lock file stay.
    const DERIVED: [&str; 3] = ["CURRENT", "ATTEMPTS", "QUARANTINE"];

    fn check(config: &Config) -> anyhow::Result<Self> {
        no_server_running(config, "importing")?;
        Ok(Self {
            dir: config.search_dir(),
        })
    }

    fn set_aside(&self) -> anyhow::Result<()> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error).with_context(|| format!("cannot read {}", self.dir.display())),
        };
        let mut removed = false;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", self.dir.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with("gen-") && path.is_dir() {
                std::fs::remove_dir_all(&path).with_context(|| format!("cannot remove {}", path.display()))?;
                removed = true;
            } else if Self::DERIVED.contains(&name.as_str()) {
                std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
                removed = true;
            }
        }
        if removed {
            tracing::info!(dir = %self.dir.display(), "removed the search index: the server rebuilds it at start");
        }
        Ok(())
    }
}

/// Refuses while a server runs on this machine with this configuration
/// (it holds its search index's lock): what it writes meanwhile would be
/// missing from an export, or overwritten by an import. Replicas on other
/// machines cannot be seen from here: stopping them is the operator's part.
fn no_server_running(config: &Config, doing: &str) -> anyhow::Result<()> {
    let lock = config.search_dir().join("LOCK");
    if let Ok(file) = std::fs::OpenOptions::new().write(true).open(&lock)
        && file.try_lock().is_err()
    {
        bail!(
            "a server is running on {} (its search index {} is locked): stop it before {doing}",
            config.data_dir.display(),
            config.search_dir().display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn column_types_of_the_migrations() {
        // What sea-query declares on SQLite for the migrations' column kinds.
        for (declared, ty) in [
            ("integer", ColumnType::Int64),
            ("bigint", ColumnType::Int64),
            ("smallint", ColumnType::Int64),
            ("boolean", ColumnType::Bool),
            ("text", ColumnType::Text),
            ("varchar", ColumnType::Text),
            ("blob", ColumnType::Bytes),
            ("timestamp_with_timezone_text", ColumnType::Timestamp),
            ("double", ColumnType::Float64),
            ("json_text", ColumnType::Json),
        ] {
            assert_eq!(ColumnType::of_sqlite(declared), Some(ty), "{declared}");
        }
        assert_eq!(ColumnType::of_sqlite("decimal"), None);
        assert_eq!(
            ColumnType::of_postgres("timestamp with time zone"),
            Some(ColumnType::Timestamp)
        );
        assert_eq!(ColumnType::of_postgres("character varying"), Some(ColumnType::Text));
        assert_eq!(ColumnType::of_postgres("timestamp without time zone"), None);
    }

    #[test]
    fn values_survive_the_dump() {
        let time = DateTime::parse_from_rfc3339("2026-12-07T07:43:47.487045188+00:00")
            .unwrap()
            .with_timezone(&Utc);
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for (value, ty) in [
                (Value::BigInt(Some(i64::MAX)), ColumnType::Int64),
                (Value::Int(Some(-7)), ColumnType::Int32),
                (Value::SmallInt(Some(3)), ColumnType::Int16),
                (Value::Bool(Some(false)), ColumnType::Bool),
                (Value::Double(Some(0.1)), ColumnType::Float64),
                (Value::Double(Some(f64::NEG_INFINITY)), ColumnType::Float64),
                (Value::String(Some("Sổ theo dõi \"hồ sơ\"\n".into())), ColumnType::Text),
                (Value::Bytes(Some(vec![0, 255, 10, 13])), ColumnType::Bytes),
                (Value::ChronoDateTimeUtc(Some(time)), ColumnType::Timestamp),
                (Value::ChronoDateTimeUtc(None), ColumnType::Timestamp),
                (Value::Bytes(None), ColumnType::Bytes),
            ] {
                let json = to_json(&value).unwrap();
                assert_eq!(from_json(&json, ty, backend).unwrap(), value, "{json}");
            }
        }
        assert_eq!(
            to_json(&Value::ChronoDateTimeUtc(Some(time))).unwrap(),
            "2026-12-07T07:43:47.487045188Z"
        );
        // Out of range, or of the wrong kind: refused, not wrapped.
        assert!(from_json(&serde_json::json!(70000), ColumnType::Int16, DbBackend::Postgres).is_err());
        assert!(from_json(&serde_json::json!("1"), ColumnType::Int64, DbBackend::Sqlite).is_err());
        assert!(from_json(&serde_json::json!("not base64!"), ColumnType::Bytes, DbBackend::Sqlite).is_err());
    }
}
