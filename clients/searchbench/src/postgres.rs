//! PostgreSQL full-text search as a user sets it up: `unaccent` behind an
//! IMMUTABLE wrapper, a stored generated `tsvector` over title and body with
//! the `simple` configuration, a GIN index, `plainto_tsquery` ranked by
//! `ts_rank`. Loaded with COPY, in a database of its own.

use std::str::FromStr as _;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions as _, Connection as _, PgConnection, PgPool, Row as _};

use crate::corpus::Corpus;

const SETUP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    // unaccent() is STABLE (it reads a dictionary); an index expression needs
    // IMMUTABLE, hence the usual wrapper with the dictionary named explicitly.
    "CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
        LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
        AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE TABLE docs (
        id integer PRIMARY KEY,
        title text NOT NULL,
        body text NOT NULL,
        tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', f_unaccent(title || ' ' || body))) STORED
    )",
];

/// Top 10 by `ts_rank`.
pub const QUERY: &str = "SELECT d.id FROM docs d, plainto_tsquery('simple', f_unaccent($1)) q \
     WHERE d.tsv @@ q ORDER BY ts_rank(d.tsv, q) DESC LIMIT 10";
const COUNT: &str = "SELECT count(*) FROM docs WHERE tsv @@ plainto_tsquery('simple', f_unaccent($1))";

pub struct Built {
    pub pool: PgPool,
    pub build: Duration,
    /// Heap + TOAST + every index.
    pub total_bytes: u64,
    pub gin_bytes: u64,
    pub version: String,
    /// What `f_unaccent` and the tsvector make of đ and of NFD text.
    pub probes: Vec<String>,
}

/// Escapes a value for COPY's text format (`\`, tab, newline and carriage
/// return); the Lucene side reads its corpus lines the same way.
pub fn copy_escape(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

fn options(url: &str, database: &str) -> anyhow::Result<PgConnectOptions> {
    Ok(PgConnectOptions::from_str(url)
        .with_context(|| format!("bad PostgreSQL URL {url}"))?
        .database(database)
        .disable_statement_logging())
}

/// Drops and creates `database`.
pub async fn recreate(url: &str, database: &str) -> anyhow::Result<()> {
    // The name goes into the SQL text: only a plain identifier will do.
    anyhow::ensure!(
        !database.is_empty()
            && database
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
        "--pg-database must be lower-case letters, digits and _"
    );
    let mut admin = PgConnection::connect_with(&options(url, "postgres")?)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {url}"))?;
    drop_on(&mut admin, database).await?;
    sqlx::raw_sql(AssertSqlSafe(format!(
        "CREATE DATABASE \"{database}\" TEMPLATE template0 ENCODING 'UTF8'"
    )))
    .execute(&mut admin)
    .await?;
    admin.close().await?;
    Ok(())
}

/// Drops `database` if it is there, ending its sessions, over `admin`.
async fn drop_on(admin: &mut PgConnection, database: &str) -> anyhow::Result<()> {
    sqlx::raw_sql(AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
    )))
    .execute(admin)
    .await?;
    Ok(())
}

pub async fn drop_database(url: &str, database: &str) -> anyhow::Result<()> {
    let mut admin = PgConnection::connect_with(&options(url, "postgres")?).await?;
    drop_on(&mut admin, database).await?;
    admin.close().await?;
    Ok(())
}

/// Builds the table and its index from the corpus (the database must exist and be empty).
pub async fn build(corpus: &Corpus, url: &str, database: &str) -> anyhow::Result<Built> {
    let options = options(url, database)?;
    let start = Instant::now();
    let mut conn = PgConnection::connect_with(&options).await?;
    for statement in SETUP {
        sqlx::raw_sql(AssertSqlSafe(*statement)).execute(&mut conn).await?;
    }
    let mut copy = conn.copy_in_raw("COPY docs (id, title, body) FROM STDIN").await?;
    let mut buffer = String::with_capacity(2 << 20);
    for (id, doc) in corpus.docs.iter().enumerate() {
        buffer.push_str(&id.to_string());
        buffer.push('\t');
        copy_escape(&mut buffer, &doc.title);
        buffer.push('\t');
        copy_escape(&mut buffer, &doc.body);
        buffer.push('\n');
        if buffer.len() >= 1 << 20 {
            copy.send(std::mem::take(&mut buffer).into_bytes()).await?;
            buffer.reserve(2 << 20);
        }
    }
    if !buffer.is_empty() {
        copy.send(buffer.into_bytes()).await?;
    }
    let rows = copy.finish().await?;
    anyhow::ensure!(rows == corpus.docs.len() as u64, "COPY loaded {rows} rows");
    sqlx::raw_sql("CREATE INDEX docs_tsv ON docs USING GIN (tsv)")
        .execute(&mut conn)
        .await?;
    sqlx::raw_sql("ANALYZE docs").execute(&mut conn).await?;
    let build = start.elapsed();

    let total_bytes: i64 = sqlx::query_scalar("SELECT pg_total_relation_size('docs')")
        .fetch_one(&mut conn)
        .await?;
    let gin_bytes: i64 = sqlx::query_scalar("SELECT pg_relation_size('docs_tsv')")
        .fetch_one(&mut conn)
        .await?;
    let version: String = sqlx::query_scalar("SELECT version()").fetch_one(&mut conn).await?;
    let mut probes = Vec::new();
    for (label, sql) in [
        (
            "f_unaccent('Đường đến trường, ĐỀ ÁN')",
            "SELECT f_unaccent('Đường đến trường, ĐỀ ÁN')",
        ),
        (
            "tsvector of NFD 'hồ sơ Đặng'",
            "SELECT to_tsvector('simple', f_unaccent(normalize('hồ sơ Đặng', NFD)))::text",
        ),
    ] {
        let value: String = sqlx::query_scalar(sql).fetch_one(&mut conn).await?;
        probes.push(format!("{label} → {value}"));
    }
    conn.close().await?;
    let pool = PgPoolOptions::new().max_connections(2).connect_with(options).await?;
    Ok(Built {
        pool,
        build,
        total_bytes: total_bytes as u64,
        gin_bytes: gin_bytes as u64,
        version,
        probes,
    })
}

/// Top-10 document indices for `text`.
pub async fn search(conn: &mut PgConnection, text: &str) -> anyhow::Result<Vec<u32>> {
    let rows = sqlx::query(QUERY).bind(text).fetch_all(&mut *conn).await?;
    rows.iter().map(|row| Ok(row.try_get::<i32, _>(0)? as u32)).collect()
}

pub async fn count(conn: &mut PgConnection, text: &str) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query_scalar(COUNT).bind(text).fetch_one(&mut *conn).await?;
    Ok(n as u64)
}
