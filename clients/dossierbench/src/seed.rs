//! `seed`: a year of synthetic dossiers inserted straight into the procedures
//! database, in multi-row INSERTs inside large transactions, until the table
//! holds `--total` dossiers. The rows are the service's own
//! ([`eiso_procedures::rows::DossierRow`], encoded by it into the columns of
//! [`DOSSIER_COLUMNS`]), in receive-time order, as a year of real intake would
//! have left them. Codes are `BENCH-YYMMDD-NNNNNNN`, numbered on from the last seeded
//! one, so they never meet the server's `<agency code>-YYMMDD-XXXX` codes.
//!
//! The mix: about 85% returned and 5% completed (early / on time / late about
//! 50 / 40 / 10%, 70% with a digitised result, two in three returned ones
//! rated), 5% still running (half waiting for a supplement, the rest past
//! their due time, some with a new appointment), 3% withdrawn or stopped and
//! 2% refused at intake; 30% online, 5% by post; school transfers peak in the
//! summer.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use eiso_procedures::rows::dossiers::{ChangeJson, DocumentJson, ExtensionJson, HandoverJson, SupplementJson};
use eiso_procedures::rows::{DOSSIER_COLUMNS, DossierRow};
use eiso_proto::eiso::procedures::v1::{Applicant, Channel, DossierStatus as S, Outcome, Satisfaction};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value,
};
use serde_json::json;

use crate::people;
use crate::receive::{channel, weighted};
use crate::workcal::{self, add_working, to_local, to_utc};

/// The prefix of seeded codes.
pub const CODE_PREFIX: &str = "BENCH-";

/// The procedure's budget (3 working days) and its steps, in working minutes.
const BUDGET_MINUTES: i64 = 3 * 8 * 60;
const STEP_HOURS: [i64; 3] = [4, 16, 4];

/// How many of each kind were inserted.
#[derive(Debug, Default, Clone)]
pub struct Mix {
    pub returned: u64,
    pub completed: u64,
    pub early: u64,
    pub on_time: u64,
    pub late: u64,
    pub digitised: u64,
    pub rated: u64,
    pub supplement_requested: u64,
    pub in_progress: u64,
    pub extended: u64,
    pub withdrawn: u64,
    pub stopped: u64,
    pub refused: u64,
    pub online: u64,
}

impl Mix {
    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "returned": self.returned, "completed_not_returned": self.completed,
            "early": self.early, "on_time": self.on_time, "late": self.late,
            "digitised": self.digitised, "rated": self.rated,
            "supplement_requested": self.supplement_requested, "in_progress_or_overdue": self.in_progress,
            "extended": self.extended, "withdrawn": self.withdrawn, "stopped": self.stopped,
            "refused": self.refused, "online": self.online,
        })
    }
}

/// What `seed` did.
#[derive(Debug)]
pub struct SeedRun {
    pub backend: &'static str,
    pub target: String,
    pub before: u64,
    pub inserted: u64,
    pub after: u64,
    pub elapsed: Duration,
    /// Making the statistics' counts from the table afterwards.
    pub counted: Duration,
    pub analyze: Option<Duration>,
    pub agencies: Vec<String>,
    pub procedure_version: String,
    pub seed: u64,
    pub batch: u32,
    pub batches_per_transaction: u32,
    pub first_code: String,
    pub last_code: String,
    pub mix: Mix,
}

impl SeedRun {
    pub fn per_second(&self) -> f64 {
        self.inserted as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({
            "backend": self.backend,
            "target": self.target,
            "dossiers_before": self.before,
            "inserted": self.inserted,
            "dossiers_after": self.after,
            "seconds": self.elapsed.as_secs_f64(),
            "rows_per_second": self.per_second(),
            "rows_per_insert": self.batch,
            "inserts_per_transaction": self.batches_per_transaction,
            "count_seconds": self.counted.as_secs_f64(),
            "analyze_seconds": self.analyze.map(|d| d.as_secs_f64()),
            "agencies": self.agencies,
            "procedure_version": self.procedure_version,
            "seed": self.seed,
            "first_code": self.first_code,
            "last_code": self.last_code,
            "mix": self.mix.to_json(),
        })
    }

    pub fn to_text(&self) -> String {
        let mut text = format!(
            "seed ({} {}): {} dossiers before, {} inserted, {} after\n",
            self.backend, self.target, self.before, self.inserted, self.after
        );
        text += &format!(
            "  {:.1} s = {:.0} rows/s ({} rows per INSERT, {} INSERTs per transaction; not a product figure)\n",
            self.elapsed.as_secs_f64(),
            self.per_second(),
            self.batch,
            self.batches_per_transaction
        );
        text += &format!(
            "  the statistics' counts made from the table in {:.1} s\n",
            self.counted.as_secs_f64()
        );
        if let Some(analyze) = self.analyze {
            text += &format!("  ANALYZE: {:.1} s\n", analyze.as_secs_f64());
        }
        let m = &self.mix;
        text += &format!(
            "  mix: returned {}, completed {} (early {}, on time {}, late {}; digitised {}; rated {}), supplement requested {}, running {} (extended {}), withdrawn {}, stopped {}, refused {}; online {}\n",
            m.returned,
            m.completed,
            m.early,
            m.on_time,
            m.late,
            m.digitised,
            m.rated,
            m.supplement_requested,
            m.in_progress,
            m.extended,
            m.withdrawn,
            m.stopped,
            m.refused,
            m.online
        );
        text += &format!(
            "  agencies {}; {}; codes {} … {}\n",
            self.agencies.join(", "),
            self.procedure_version,
            self.first_code,
            self.last_code
        );
        text
    }
}

/// What to seed.
pub struct Plan<'a> {
    pub database_url: &'a str,
    pub schema: &'a str,
    pub total: u64,
    pub year: i32,
    pub batch: u32,
    pub batches_per_transaction: u32,
    pub agencies: &'a [String],
    pub procedure: &'a str,
    pub analyze: bool,
    pub seed: u64,
}

/// The database, and how to name it in the report (without a password).
/// The procedures database at `database_url` (a postgres:// URL with the
/// service's `schema`, or the SQLite file or the data directory holding it),
/// and how to show it.
pub async fn connect(database_url: &str, schema: &str) -> anyhow::Result<(DatabaseConnection, String)> {
    if database_url.starts_with("postgres") {
        let mut options = ConnectOptions::new(database_url.to_string());
        options
            .max_connections(1)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            .sqlx_logging(false)
            .set_schema_search_path(schema.to_string());
        let db = Database::connect(options)
            .await
            .context("cannot connect to PostgreSQL")?;
        let shown = match database_url.rsplit_once('@') {
            Some((_, host)) => format!("postgres://…@{host} schema {schema}"),
            None => format!("{database_url} schema {schema}"),
        };
        return Ok((db, shown));
    }
    let path = database_url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let mut path = Path::new(path).to_path_buf();
    if path.is_dir() {
        path = path.join("procedures.db");
    }
    if !path.is_file() {
        bail!(
            "{} does not exist: start the server once on its data directory so that it creates and migrates it",
            path.display()
        );
    }
    let mut options = ConnectOptions::new(format!("sqlite://{}?mode=rw", path.display()));
    options
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(60))
                .pragma("cache_size", "-262144")
                .pragma("temp_store", "memory")
        });
    let db = Database::connect(options)
        .await
        .with_context(|| format!("cannot open {}", path.display()))?;
    Ok((db, path.display().to_string()))
}

async fn count(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> anyhow::Result<u64> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values))
        .await?
        .context("COUNT returned no row")?;
    let n: i64 = row.try_get("", "n")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The agencies to spread over: those given, else those already receiving
/// dossiers (most first), else the procedure's.
async fn find_agencies(db: &DatabaseConnection, plan: &Plan<'_>) -> anyhow::Result<Vec<String>> {
    if !plan.agencies.is_empty() {
        if plan.agencies.len() > 3 || plan.agencies.iter().any(|a| !a.starts_with("units/")) {
            bail!("--agency takes one to three units/{{id}}");
        }
        return Ok(plan.agencies.to_vec());
    }
    let backend = db.get_database_backend();
    let mut agencies: Vec<String> = Vec::new();
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            match backend {
                DbBackend::Postgres => {
                    "SELECT agency, COUNT(*) AS n FROM dossiers WHERE code NOT LIKE $1 GROUP BY agency ORDER BY n DESC, agency"
                }
                _ => "SELECT agency, COUNT(*) AS n FROM dossiers WHERE code NOT LIKE ? GROUP BY agency ORDER BY n DESC, agency",
            },
            [format!("{CODE_PREFIX}%").into()],
        ))
        .await?;
    for row in rows {
        agencies.push(row.try_get("", "agency")?);
    }
    let rows = db
        .query_all(
            Query::select()
                .column("agency")
                .from("procedure_versions")
                .and_where(Expr::col("code").eq(plan.procedure.to_string())),
        )
        .await?;
    for row in rows {
        let agency: String = row.try_get("", "agency")?;
        if !agencies.contains(&agency) {
            agencies.push(agency);
        }
    }
    agencies.truncate(3);
    if agencies.is_empty() {
        bail!(
            "no agency found in the database: run `--setup` and `receive` first, or name them with --agency units/{{id}}"
        );
    }
    Ok(agencies)
}

/// The published version of the procedure.
async fn published_version(db: &DatabaseConnection, procedure: &str) -> anyhow::Result<i32> {
    let row = db
        .query_one(
            Query::select()
                .column("published_version")
                .from("procedures")
                .and_where(Expr::col("code").eq(procedure.to_string())),
        )
        .await?
        .with_context(|| format!("procedures/{procedure} is not in the catalogue: run --setup first"))?;
    let version: i32 = row.try_get("", "published_version")?;
    if version == 0 {
        bail!("procedures/{procedure} has no published version: run --setup first");
    }
    Ok(version)
}

/// The counter user who received the dossiers already there (for the
/// history's actor), if any.
async fn counter_user(db: &DatabaseConnection) -> anyhow::Result<Option<String>> {
    let row = db
        .query_one(
            Query::select()
                .column("history")
                .from("dossiers")
                .and_where(Expr::col("code").not_like(format!("{CODE_PREFIX}%")))
                .limit(1),
        )
        .await?;
    let Some(row) = row else { return Ok(None) };
    let history: String = row.try_get("", "history")?;
    let history: serde_json::Value = serde_json::from_str(&history).context("a dossier's history is not JSON")?;
    Ok(history
        .get(0)
        .and_then(|change| change.get("actor"))
        .and_then(|actor| actor.as_str())
        .map(str::to_string))
}

pub async fn run(plan: Plan<'_>) -> anyhow::Result<SeedRun> {
    let (db, target) = connect(plan.database_url, plan.schema).await?;
    let backend = db.get_database_backend();
    let like = match backend {
        DbBackend::Postgres => "SELECT COUNT(*) AS n FROM dossiers WHERE code LIKE $1",
        _ => "SELECT COUNT(*) AS n FROM dossiers WHERE code LIKE ?",
    };
    let before = count(&db, "SELECT COUNT(*) AS n FROM dossiers", Vec::new())
        .await
        .context("cannot count the dossiers (is this the procedures database, migrated by the server?)")?;
    let seeded = count(&db, like, vec![format!("{CODE_PREFIX}%").into()]).await?;
    let agencies = find_agencies(&db, &plan).await?;
    let version = published_version(&db, plan.procedure).await?;
    let counter = counter_user(&db).await?;
    let wanted = plan.total.saturating_sub(before);

    let generator = Generator::new(
        plan.seed,
        plan.year,
        wanted,
        seeded + 1,
        agencies.clone(),
        plan.procedure.to_string(),
        version,
        counter,
    );
    let first_code = generator.peek_code();
    let batch = plan.batch as usize;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<(usize, Statement)>(4);
    // Generating and encoding rows is CPU work: a thread of its own, ahead of
    // the inserts by a few batches.
    let producer = std::thread::spawn(move || {
        let mut generator = generator;
        loop {
            let rows = generator.next_rows(batch)?;
            if rows.is_empty() {
                break;
            }
            let n = rows.len();
            let mut insert = Query::insert();
            insert.into_table("dossiers").columns(DOSSIER_COLUMNS);
            for row in rows {
                insert.values_panic(row.into_iter().map(Expr::from));
            }
            if sender.blocking_send((n, backend.build(&insert))).is_err() {
                break;
            }
        }
        anyhow::Ok(generator)
    });

    let started = Instant::now();
    let mut inserted = 0u64;
    let mut reported = 0u64;
    let mut txn = None;
    let mut statements = 0;
    while let Some((n, statement)) = receiver.recv().await {
        if txn.is_none() {
            txn = Some(db.begin().await?);
        }
        if let Some(t) = &txn {
            t.execute_raw(statement).await.context("a multi-row INSERT failed")?;
        }
        inserted += n as u64;
        statements += 1;
        if statements == plan.batches_per_transaction {
            if let Some(t) = txn.take() {
                t.commit().await?;
            }
            statements = 0;
            if inserted - reported >= 100_000 {
                reported = inserted;
                eprintln!(
                    "eiso-dossierbench: {inserted} of {wanted} inserted ({:.0} rows/s)",
                    inserted as f64 / started.elapsed().as_secs_f64().max(1e-9)
                );
            }
        }
    }
    if let Some(t) = txn.take() {
        t.commit().await?;
    }
    let elapsed = started.elapsed();
    let generator = producer
        .join()
        .map_err(|_| anyhow::anyhow!("the row generator panicked"))??;

    // The rows went in around the service: its statistics' counts are
    // made again from the table, as a first start after m0007 would.
    let begun = Instant::now();
    eiso_procedures::counts::rebuild_on(&db)
        .await
        .context("cannot count the seeded dossiers for the statistics")?;
    let counted = begun.elapsed();
    let analyze = if plan.analyze {
        let begun = Instant::now();
        match backend {
            DbBackend::Postgres => db.execute_unprepared("VACUUM ANALYZE dossiers").await?,
            _ => db.execute_unprepared("ANALYZE").await?,
        };
        Some(begun.elapsed())
    } else {
        None
    };
    let after = count(&db, "SELECT COUNT(*) AS n FROM dossiers", Vec::new()).await?;
    db.close().await?;
    Ok(SeedRun {
        backend: match backend {
            DbBackend::Postgres => "PostgreSQL",
            _ => "SQLite",
        },
        target,
        before,
        inserted,
        after,
        elapsed,
        counted,
        analyze,
        agencies,
        procedure_version: format!("procedures/{}/versions/{version}", plan.procedure),
        seed: plan.seed,
        batch: plan.batch,
        batches_per_transaction: plan.batches_per_transaction,
        first_code: if inserted > 0 { first_code } else { String::new() },
        last_code: generator.last_code.clone(),
        mix: generator.mix,
    })
}

/// Dossiers of one year, in receive-time order.
struct Generator {
    rng: StdRng,
    days: Vec<NaiveDate>,
    /// Dossiers still to generate per day.
    per_day: Vec<u64>,
    day: usize,
    /// Offsets (seconds into the office day) of the current day, latest first.
    pending: Vec<u32>,
    agencies: Vec<String>,
    procedure: String,
    version: i32,
    counter: String,
    /// Per agency: processing officers and leaders (as `users/{id}`).
    officers: Vec<Vec<String>>,
    leaders: Vec<Vec<String>>,
    next_number: u64,
    last_code: String,
    mix: Mix,
}

/// How busy a day is: transfers peak in the summer holidays, Mondays are busy.
fn day_weight(rng: &mut impl Rng, day: NaiveDate) -> f64 {
    let month = match day.month() {
        1 | 2 => 0.8,
        6 | 8 => 1.8,
        7 => 2.2,
        _ => 1.0,
    };
    let weekday = match day.weekday() {
        chrono::Weekday::Mon => 1.25,
        chrono::Weekday::Fri => 0.9,
        chrono::Weekday::Sat => 0.6,
        _ => 1.0,
    };
    month * weekday * rng.random_range(0.75..1.25)
}

fn user(rng: &mut impl Rng) -> String {
    format!("users/{}", uuid::Builder::from_random_bytes(rng.random()).into_uuid())
}

impl Generator {
    #[allow(clippy::too_many_arguments)]
    fn new(
        seed: u64,
        year: i32,
        total: u64,
        next_number: u64,
        agencies: Vec<String>,
        procedure: String,
        version: i32,
        counter: Option<String>,
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let days = workcal::working_days(year);
        let weights: Vec<f64> = days.iter().map(|d| day_weight(&mut rng, *d)).collect();
        let sum: f64 = weights.iter().sum();
        let mut per_day: Vec<u64> = weights
            .iter()
            .map(|w| (total as f64 * w / sum).floor() as u64)
            .collect();
        let mut left = total - per_day.iter().sum::<u64>();
        let mut i = 0;
        while left > 0 && !per_day.is_empty() {
            per_day[i % days.len()] += 1;
            left -= 1;
            i += 7;
        }
        let counter = counter.unwrap_or_else(|| user(&mut rng));
        let officers = agencies
            .iter()
            .map(|_| (0..4).map(|_| user(&mut rng)).collect())
            .collect();
        let leaders = agencies
            .iter()
            .map(|_| (0..2).map(|_| user(&mut rng)).collect())
            .collect();
        Self {
            rng,
            days,
            per_day,
            day: 0,
            pending: Vec::new(),
            agencies,
            procedure,
            version,
            counter,
            officers,
            leaders,
            next_number,
            last_code: String::new(),
            mix: Mix::default(),
        }
    }

    fn code(&self, day: NaiveDate, number: u64) -> String {
        format!("{CODE_PREFIX}{}-{number:07}", day.format("%y%m%d"))
    }

    /// The code the first row will get.
    fn peek_code(&self) -> String {
        let day = self
            .per_day
            .iter()
            .position(|n| *n > 0)
            .map(|i| self.days[i])
            .unwrap_or_default();
        self.code(day, self.next_number)
    }

    /// The next receive time, or `None` when done.
    fn next_time(&mut self) -> Option<NaiveDateTime> {
        while self.pending.is_empty() {
            let n = *self.per_day.get(self.day)?;
            let seconds = workcal::minutes_per_day() * 60;
            let mut offsets: Vec<u32> = (0..n).map(|_| self.rng.random_range(0..seconds)).collect();
            offsets.sort_unstable_by(|a, b| b.cmp(a));
            self.pending = offsets;
            self.day += 1;
        }
        let offset = self.pending.pop()?;
        Some(workcal::office_time(self.days[self.day - 1], offset))
    }

    /// The next `n` rows (fewer at the end of the year), as the values of
    /// [`DOSSIER_COLUMNS`].
    fn next_rows(&mut self, n: usize) -> anyhow::Result<Vec<Vec<Value>>> {
        let mut rows = Vec::with_capacity(n);
        while rows.len() < n {
            let Some(received) = self.next_time() else { break };
            rows.push(self.row(received).values()?);
        }
        Ok(rows)
    }

    /// One dossier received at local time `received`.
    fn row(&mut self, received: NaiveDateTime) -> DossierRow {
        let number = self.next_number;
        self.next_number += 1;
        let code = self.code(received.date(), number);
        self.last_code = code.clone();
        let agency_index = weighted(&mut self.rng, self.agencies.len()).min(self.agencies.len() - 1);
        let agency = self.agencies[agency_index].clone();
        let officer = self.pick(&self.officers[agency_index].clone());
        let leader = self.pick(&self.leaders[agency_index].clone());
        let counter = self.counter.clone();
        let rng = &mut self.rng;
        let application = people::application(rng);
        let receive_time = to_utc(received);
        let at = |minutes: i64| to_utc(add_working(received, minutes));
        let id = {
            let unix = u64::try_from(receive_time.timestamp()).unwrap_or(0);
            uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
                uuid::NoContext,
                unix,
                rng.random_range(0..1_000_000_000),
            ))
            .to_string()
        };
        let change = |status: S, time: DateTime<Utc>, actor: &str, note: &str| ChangeJson {
            status: status as i32,
            time,
            actor: actor.to_string(),
            note: note.to_string(),
        };
        // Moves `d` to `status`, with its change in the history.
        let move_to = |d: &mut DossierRow, status: S, time: DateTime<Utc>, actor: &str, note: &str| {
            d.status = status as i32;
            d.history.push(change(status, time, actor, note));
        };
        let handover = |step: usize, giver: &str, receiver: &str, time: DateTime<Utc>, note: &str| HandoverJson {
            step: step as i32,
            giver: giver.to_string(),
            receiver: receiver.to_string(),
            time,
            step_due: to_utc(add_working(to_local(time), STEP_HOURS[step] * 60)),
            note: note.to_string(),
            // Step 0 is the intake, the counter's, recorded at receipt.
            intake: step == 0,
            giver_unit: String::new(),
        };

        let kind: f64 = rng.random();
        let mut d = DossierRow {
            id,
            code,
            agency,
            procedure_code: self.procedure.clone(),
            procedure_version: self.version,
            channel: channel(rng) as i32,
            summary: application.summary.clone(),
            documents: application
                .documents
                .iter()
                .map(|(name, copy, sets)| DocumentJson {
                    display_name: name.to_string(),
                    copy_kind: *copy,
                    sets: *sets,
                })
                .collect(),
            applicant: Applicant {
                full_name: application.full_name,
                id_number: application.id_number,
                phone: application.phone,
                address: application.address,
                email: application.email,
                r#type: eiso_proto::eiso::procedures::v1::ApplicantType::Citizen as i32,
            },
            due_time: Some(at(BUDGET_MINUTES)),
            history: vec![change(S::Received, receive_time, &counter, "")],
            ..DossierRow::at_intake(receive_time)
        };
        d.appointment_time = d.due_time;
        let first_handover = rng.random_range(5..=60);
        if kind < 0.02 {
            // Refused at intake (form 03).
            self.mix.refused += 1;
            d.status = S::NotReceived as i32;
            d.channel = Channel::Direct as i32;
            d.summary = String::new();
            d.documents = Vec::new();
            d.due_time = None;
            d.appointment_time = None;
            d.history = vec![change(
                S::NotReceived,
                receive_time,
                &counter,
                "Không thuộc thẩm quyền giải quyết của phường nơi cư trú",
            )];
        } else if kind < 0.05 {
            // Withdrawn by the applicant, or stopped by a leader.
            let t0 = at(first_handover);
            d.handovers.push(handover(0, &counter, &counter, receive_time, ""));
            d.history.push(change(S::InProgress, t0, &counter, "Hồ sơ đầy đủ"));
            let end = at(first_handover + rng.random_range(30..=1200));
            let (status, actor, note) = if rng.random_bool(2.0 / 3.0) {
                self.mix.withdrawn += 1;
                (S::Withdrawn, &counter, "Gia đình chuyển nơi cư trú, xin rút hồ sơ")
            } else {
                self.mix.stopped += 1;
                (S::Stopped, &leader, "Trường nơi đến không còn chỉ tiêu tiếp nhận")
            };
            move_to(&mut d, status, end, actor, note);
            d.current_step = 0;
            d.end_time = Some(end);
            d.update_time = end;
        } else if kind < 0.10 {
            // Still running: waiting for a supplement, or past its due time.
            let t0 = at(first_handover);
            d.handovers.push(handover(0, &counter, &counter, receive_time, ""));
            d.history.push(change(S::InProgress, t0, &counter, "Hồ sơ đầy đủ"));
            d.current_step = 0;
            d.assignee = counter.clone();
            d.status = S::InProgress as i32;
            d.update_time = t0;
            if rng.random_bool(0.5) {
                self.mix.supplement_requested += 1;
                let asked = at(first_handover + rng.random_range(60..=3 * 480));
                d.supplements.push(SupplementJson {
                    request_time: asked,
                    reason: "Học bạ nộp là bản photo, chưa có bản chính".to_string(),
                    documents: vec!["Học bạ (bản chính)".to_string()],
                    receive_time: None,
                });
                d.due_time = None;
                move_to(
                    &mut d,
                    S::SupplementRequested,
                    asked,
                    &officer,
                    "Học bạ nộp là bản photo, chưa có bản chính",
                );
                d.update_time = asked;
            } else {
                self.mix.in_progress += 1;
                let t1 = at(first_handover + rng.random_range(30..=240));
                d.handovers
                    .push(handover(1, &counter, &officer, t1, "Chuyển thẩm định"));
                d.current_step = 1;
                d.assignee = officer.clone();
                d.update_time = t1;
                if rng.random_bool(0.2) {
                    self.mix.extended += 1;
                    let asked = at(first_handover + rng.random_range(240..=480));
                    let new_appointment = at(BUDGET_MINUTES + 2 * 480);
                    d.extension = Some(ExtensionJson {
                        request_time: asked,
                        reason: "Cần xác minh chỉ tiêu tiếp nhận với trường nơi đến".to_string(),
                        new_appointment,
                    });
                    d.appointment_time = Some(new_appointment);
                    d.update_time = asked;
                }
            }
        } else {
            // Resolved: early (50%), on time (40%) or late (10%).
            let due = d.due_time.unwrap_or(receive_time);
            let x: f64 = rng.random();
            let minutes = if x < 0.5 {
                self.mix.early += 1;
                d.outcome = Outcome::Early as i32;
                rng.random_range(60..=16 * 60)
            } else if x < 0.9 {
                self.mix.on_time += 1;
                d.outcome = Outcome::OnTime as i32;
                // On the due day, at or before the due time.
                let into_day = std::cmp::max(worked_today(to_local(due)), 1);
                BUDGET_MINUTES - rng.random_range(0..into_day)
            } else {
                self.mix.late += 1;
                d.outcome = Outcome::Late as i32;
                BUDGET_MINUTES + rng.random_range(30..=5 * 480)
            };
            let completed = at(minutes);
            let t0 = at(minutes * 5 / 100);
            let t1 = at(minutes * 15 / 100);
            let t2 = at(minutes * 80 / 100);
            d.handovers.push(handover(0, &counter, &counter, receive_time, ""));
            d.handovers
                .push(handover(1, &counter, &officer, t1, "Chuyển thẩm định"));
            d.handovers.push(handover(
                2,
                &officer,
                &leader,
                t2,
                "Đủ điều kiện chuyển trường, trình ký",
            ));
            d.history.push(change(S::InProgress, t0, &counter, "Hồ sơ đầy đủ"));
            d.current_step = 2;
            d.result_digitised = rng.random_bool(0.7);
            if d.result_digitised {
                self.mix.digitised += 1;
            }
            d.result_summary = "Đồng ý cho học sinh chuyển trường".to_string();
            d.complete_time = Some(completed);
            d.end_time = Some(completed);
            d.status = S::Completed as i32;
            d.history
                .push(change(S::Completed, completed, &leader, &d.result_summary));
            d.update_time = completed;
            if rng.random_bool(85.0 / 90.0) {
                self.mix.returned += 1;
                let returned = at(minutes + rng.random_range(10..=3 * 480));
                d.return_time = Some(returned);
                move_to(&mut d, S::Returned, returned, &counter, "");
                d.update_time = returned;
                if rng.random_bool(2.0 / 3.0) {
                    self.mix.rated += 1;
                    let y: f64 = rng.random();
                    d.satisfaction = if y < 0.45 {
                        Satisfaction::VerySatisfied
                    } else if y < 0.85 {
                        Satisfaction::Satisfied
                    } else if y < 0.95 {
                        Satisfaction::Acceptable
                    } else {
                        Satisfaction::Dissatisfied
                    } as i32;
                }
            } else {
                self.mix.completed += 1;
                d.assignee = counter.clone();
            }
        }
        if d.channel == Channel::Online as i32 {
            self.mix.online += 1;
        }
        d.version = d.history.len() as i64 + i64::from(d.satisfaction != 0);
        d
    }

    fn pick(&mut self, users: &[String]) -> String {
        users[self.rng.random_range(0..users.len())].clone()
    }
}

/// Working minutes from the opening of `local`'s day to `local`.
fn worked_today(local: NaiveDateTime) -> i64 {
    let opening = local.date().and_time(chrono::NaiveTime::MIN) + TimeDelta::hours(7);
    let mut minutes = (local - opening).num_minutes();
    let afternoon = opening + TimeDelta::minutes(6 * 60 + 30);
    if local >= afternoon {
        // The lunch break, 11:30–13:30.
        minutes -= 120;
    }
    minutes.clamp(0, 480)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of `column` in a row.
    fn cell<'r>(row: &'r [Value], column: &str) -> &'r Value {
        let index = DOSSIER_COLUMNS
            .iter()
            .position(|c| *c == column)
            .expect("a dossier column");
        &row[index]
    }

    fn generator(total: u64) -> Generator {
        Generator::new(
            42,
            2025,
            total,
            1,
            vec!["units/a".into(), "units/b".into(), "units/c".into()],
            "2.002481".into(),
            1,
            None,
        )
    }

    #[test]
    fn a_year_in_order_with_the_mix_asked_for() {
        let mut g = generator(20_000);
        let mut rows = Vec::new();
        loop {
            let batch = g.next_rows(500).expect("rows");
            if batch.is_empty() {
                break;
            }
            rows.extend(batch);
        }
        assert_eq!(rows.len(), 20_000);
        assert!(rows.iter().all(|r| r.len() == DOSSIER_COLUMNS.len()));
        let times: Vec<DateTime<Utc>> = rows
            .iter()
            .filter_map(|r| match cell(r, "receive_time") {
                Value::ChronoDateTimeUtc(Some(t)) => Some(*t),
                _ => None,
            })
            .collect();
        assert_eq!(times.len(), rows.len());
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "receive times in order");
        assert!(times.iter().all(|t| to_local(*t).year() == 2025));
        let m = &g.mix;
        let resolved = (m.early + m.on_time + m.late) as f64;
        assert!((m.early as f64 / resolved - 0.5).abs() < 0.03);
        assert!((m.late as f64 / resolved - 0.1).abs() < 0.02);
        assert!((m.returned as f64 / 20_000.0 - 0.85).abs() < 0.02);
        assert!((m.online as f64 / 20_000.0 - 0.3).abs() < 0.03);
        assert_eq!(g.last_code, "BENCH-251231-0020000");
    }

    #[test]
    fn outcomes_agree_with_the_due_time() {
        let mut g = generator(3000);
        for row in g.next_rows(3000).expect("rows") {
            let (Value::ChronoDateTimeUtc(due), Value::ChronoDateTimeUtc(done), Value::Int(Some(outcome))) = (
                cell(&row, "due_time"),
                cell(&row, "complete_time"),
                cell(&row, "outcome"),
            ) else {
                continue;
            };
            let (Some(due), Some(done)) = (due, done) else { continue };
            let expected = if done > due {
                Outcome::Late
            } else if to_local(*done).date() < to_local(*due).date() {
                Outcome::Early
            } else {
                Outcome::OnTime
            } as i32;
            assert_eq!(*outcome, expected, "due {due}, completed {done}");
        }
    }
}
