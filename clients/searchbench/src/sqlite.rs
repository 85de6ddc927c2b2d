//! SQLite FTS5 (the SQLite bundled with sqlx) with the `unicode61` tokenizer
//! and `remove_diacritics 2`, ranked by bm25. Not patched for đ.

use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{ConnectOptions as _, Connection as _, Row as _, SqliteConnection, SqlitePool};

use crate::corpus::Corpus;

const CREATE: &str = "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')";
/// `rank` is `bm25(docs)` by default.
pub const QUERY: &str = "SELECT rowid FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10";
const COUNT: &str = "SELECT count(*) FROM docs WHERE docs MATCH ?1";

pub struct Built {
    pub pool: SqlitePool,
    pub build: Duration,
    /// Of which the final `optimize` merge.
    pub optimize: Duration,
    pub bytes: u64,
    pub version: String,
    pub probes: Vec<String>,
}

/// A query string as FTS5 wants it: every word quoted (an implicit AND),
/// so that no word is read as an operator or a column filter.
pub fn match_expression(text: &str) -> String {
    text.split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn options(file: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(true)
        .disable_statement_logging()
}

pub async fn build(corpus: &Corpus, file: &Path) -> anyhow::Result<Built> {
    let start = Instant::now();
    let mut conn = SqliteConnection::connect_with(&options(file)).await?;
    sqlx::raw_sql(CREATE).execute(&mut conn).await?;
    let mut tx = conn.begin().await?;
    for (id, doc) in corpus.docs.iter().enumerate() {
        sqlx::query("INSERT INTO docs (rowid, title, body) VALUES (?1, ?2, ?3)")
            .bind(id as i64 + 1)
            .bind(doc.title.as_str())
            .bind(doc.body.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    let merged = Instant::now();
    sqlx::raw_sql("INSERT INTO docs (docs) VALUES ('optimize')")
        .execute(&mut conn)
        .await?;
    let optimize = merged.elapsed();
    let build = start.elapsed();

    let version: String = sqlx::query_scalar("SELECT sqlite_version()")
        .fetch_one(&mut conn)
        .await?;
    let mut probes = Vec::new();
    sqlx::raw_sql(
        "CREATE VIRTUAL TABLE temp.probe USING fts5(t, tokenize = 'unicode61 remove_diacritics 2');
         INSERT INTO temp.probe (t) VALUES ('Đường đến trường'), ('hồ sơ');",
    )
    .execute(&mut conn)
    .await?;
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("hồ sơ Đặng").collect();
    sqlx::query("INSERT INTO temp.probe (t) VALUES (?1)")
        .bind(&nfd)
        .execute(&mut conn)
        .await?;
    for word in ["duong", "đuong", "truong", "ho", "dang", "đang"] {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM temp.probe WHERE probe MATCH ?1")
            .bind(match_expression(word))
            .fetch_one(&mut conn)
            .await?;
        probes.push(format!("MATCH '{word}' → {n}"));
    }
    conn.close().await?;
    let bytes = ["", "-wal", "-journal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", file.display())).ok())
        .map(|m| m.len())
        .sum();
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options(file).read_only(true))
        .await?;
    Ok(Built {
        pool,
        build,
        optimize,
        bytes,
        version,
        probes,
    })
}

/// Top-10 document indices for `text`.
pub async fn search(conn: &mut SqliteConnection, text: &str) -> anyhow::Result<Vec<u32>> {
    let rows = sqlx::query(QUERY)
        .bind(match_expression(text))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| Ok((row.try_get::<i64, _>(0)? - 1) as u32))
        .collect()
}

pub async fn count(conn: &mut SqliteConnection, text: &str) -> anyhow::Result<u64> {
    let n: i64 = sqlx::query_scalar(COUNT)
        .bind(match_expression(text))
        .fetch_one(&mut *conn)
        .await?;
    Ok(n as u64)
}
