//! What the clients record, and the report made from it at the end.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use eiso_benchkit::percentile::nearest_rank;
use eiso_proto::tonic::{Code, Status};
use serde_json::{Value, json};

use crate::cli::Op;
pub use eiso_proto::codes::name as code_name;

/// The text that SQLite lock contention shows up as, in a status or a log line.
const LOCKED_MARKERS: [&str; 2] = ["database is locked", "database table is locked"];
/// How many error examples are kept and printed.
const EXAMPLES: usize = 5;

/// Whether `text` reports SQLite lock contention.
pub fn mentions_locked(text: &str) -> bool {
    let text = text.to_ascii_lowercase();
    LOCKED_MARKERS.iter().any(|marker| text.contains(marker))
}

/// One failed call, kept as an example.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorExample {
    /// Seconds since the start of the run.
    pub at: f64,
    pub client: u32,
    pub op: Op,
    pub code: Code,
    pub message: String,
}

/// What one client recorded; merged with the others at the end.
#[derive(Debug, Default)]
pub struct Stats {
    /// Latency of each successful call, in microseconds, per operation.
    latencies: [Vec<u32>; Op::ALL.len()],
    failures: [u64; Op::ALL.len()],
    /// Failed calls by gRPC code (as its number).
    by_code: BTreeMap<i32, u64>,
    /// Failed calls by code and message.
    messages: HashMap<(i32, String), u64>,
    examples: Vec<ErrorExample>,
    locked: u64,
}

impl Stats {
    pub fn success(&mut self, op: Op, latency: Duration) {
        let micros = u32::try_from(latency.as_micros()).unwrap_or(u32::MAX);
        self.latencies[op.index()].push(micros);
    }

    pub fn failure(&mut self, op: Op, client: u32, at: Duration, status: &Status) {
        self.failures[op.index()] += 1;
        let code = status.code();
        *self.by_code.entry(code as i32).or_default() += 1;
        *self
            .messages
            .entry((code as i32, status.message().to_string()))
            .or_default() += 1;
        if mentions_locked(status.message()) {
            self.locked += 1;
        }
        if self.examples.len() < EXAMPLES {
            self.examples.push(ErrorExample {
                at: at.as_secs_f64(),
                client,
                op,
                code,
                message: status.message().to_string(),
            });
        }
    }

    pub fn merge(&mut self, other: Stats) {
        for (mine, theirs) in self.latencies.iter_mut().zip(other.latencies) {
            mine.extend(theirs);
        }
        for (mine, theirs) in self.failures.iter_mut().zip(other.failures) {
            *mine += theirs;
        }
        for (code, count) in other.by_code {
            *self.by_code.entry(code).or_default() += count;
        }
        for (key, count) in other.messages {
            *self.messages.entry(key).or_default() += count;
        }
        self.examples.extend(other.examples);
        self.examples.sort_by(|a, b| a.at.total_cmp(&b.at));
        self.examples.truncate(EXAMPLES);
        self.locked += other.locked;
    }
}

/// Latency figures of one operation, in milliseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct OpSummary {
    pub op: String,
    pub count: u64,
    pub errors: u64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

impl OpSummary {
    fn new(op: String, latencies: &mut [u32], errors: u64) -> OpSummary {
        latencies.sort_unstable();
        OpSummary {
            op,
            count: latencies.len() as u64 + errors,
            errors,
            p50: percentile_ms(latencies, 50.0),
            p95: percentile_ms(latencies, 95.0),
            p99: percentile_ms(latencies, 99.0),
            max: latencies.last().map_or(0.0, |&micros| f64::from(micros) / 1000.0),
        }
    }
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds (0 when empty).
pub fn percentile_ms(sorted_micros: &[u32], percent: f64) -> f64 {
    nearest_rank(sorted_micros, percent / 100.0).map_or(0.0, |micros| f64::from(micros) / 1000.0)
}

/// The outcome of `VerifyAuditTrail`.
#[derive(Debug, Clone, PartialEq)]
pub enum AuditCheck {
    Checked {
        trail: String,
        intact: bool,
        entries_checked: i64,
        first_broken_sequence: i64,
        detail: String,
    },
    CallFailed {
        trail: String,
        code: Code,
        message: String,
    },
}

/// The lines of the server's log that mention lock contention.
#[derive(Debug, Clone, PartialEq)]
pub enum LogScan {
    Scanned {
        path: PathBuf,
        locked_lines: u64,
        first: Option<String>,
    },
    Unreadable {
        path: PathBuf,
        error: String,
    },
}

/// Everything the run found.
#[derive(Debug)]
pub struct Report {
    pub server: String,
    pub run_id: String,
    pub clients: u32,
    pub mix: String,
    pub requested: Duration,
    pub elapsed: Duration,
    pub relogins: u64,
    pub ops: Vec<OpSummary>,
    pub all: OpSummary,
    pub errors_by_code: Vec<(String, u64)>,
    pub distinct_messages: usize,
    pub examples: Vec<ErrorExample>,
    pub locked_responses: u64,
    pub audit: Option<AuditCheck>,
    pub server_log: Option<LogScan>,
}

impl Report {
    /// Summarises `stats`; operations that were neither chosen nor called are left out.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        server: String,
        run_id: String,
        clients: u32,
        mix: String,
        requested: Duration,
        elapsed: Duration,
        relogins: u64,
        mut stats: Stats,
        wanted: impl Fn(Op) -> bool,
    ) -> Report {
        let mut ops = Vec::new();
        let mut every: Vec<u32> = Vec::new();
        for op in Op::ALL {
            let latencies = &mut stats.latencies[op.index()];
            let errors = stats.failures[op.index()];
            every.extend_from_slice(latencies);
            if wanted(op) || !latencies.is_empty() || errors > 0 {
                ops.push(OpSummary::new(op.name().to_string(), latencies, errors));
            }
        }
        let all = OpSummary::new("all".to_string(), &mut every, stats.failures.iter().sum());
        let mut errors_by_code: Vec<(String, u64)> = stats
            .by_code
            .iter()
            .map(|(&code, &count)| (code_name(Code::from(code)).to_string(), count))
            .collect();
        errors_by_code.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Report {
            server,
            run_id,
            clients,
            mix,
            requested,
            elapsed,
            relogins,
            ops,
            all,
            errors_by_code,
            distinct_messages: stats.messages.len(),
            examples: stats.examples,
            locked_responses: stats.locked,
            audit: None,
            server_log: None,
        }
    }

    /// Calls per second over the whole run.
    pub fn ops_per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.all.count as f64 / seconds
        } else {
            0.0
        }
    }

    /// Whether anything went wrong: a failed call, a broken or unverifiable
    /// audit trail, lock contention in the server log.
    pub fn has_problems(&self) -> bool {
        let audit_bad = match &self.audit {
            Some(AuditCheck::Checked { intact, .. }) => !intact,
            Some(AuditCheck::CallFailed { .. }) => true,
            None => false,
        };
        let log_bad = match &self.server_log {
            Some(LogScan::Scanned { locked_lines, .. }) => *locked_lines > 0,
            Some(LogScan::Unreadable { .. }) => true,
            None => false,
        };
        self.all.errors > 0 || audit_bad || log_bad
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_text(&mut out);
        out
    }

    fn write_text(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out, "eiso-soak report")?;
        writeln!(out, "  server       {}", self.server)?;
        writeln!(out, "  run id       {}", self.run_id)?;
        writeln!(out, "  clients      {} (one connection each)", self.clients)?;
        writeln!(out, "  mix          {}", self.mix)?;
        writeln!(
            out,
            "  duration     {:.2} s (asked for {:.2} s)",
            self.elapsed.as_secs_f64(),
            self.requested.as_secs_f64()
        )?;
        writeln!(
            out,
            "  total ops    {} ({} ok, {} failed)",
            self.all.count,
            self.all.count - self.all.errors,
            self.all.errors
        )?;
        writeln!(out, "  throughput   {:.1} ops/s", self.ops_per_second())?;
        writeln!(out, "  re-logins    {}", self.relogins)?;
        writeln!(out)?;
        writeln!(
            out,
            "  {:<12} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
            "operation", "count", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"
        )?;
        for summary in self.ops.iter().chain(std::iter::once(&self.all)) {
            writeln!(
                out,
                "  {:<12} {:>8} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                summary.op, summary.count, summary.errors, summary.p50, summary.p95, summary.p99, summary.max
            )?;
        }
        writeln!(out, "  (latencies are of successful calls)")?;
        writeln!(out)?;
        if self.errors_by_code.is_empty() {
            writeln!(out, "errors: 0")?;
        } else {
            writeln!(
                out,
                "errors: {} ({} distinct messages)",
                self.all.errors, self.distinct_messages
            )?;
            for (code, count) in &self.errors_by_code {
                writeln!(out, "  {code:<20} {count}")?;
            }
            writeln!(out, "first {} examples:", self.examples.len())?;
            for example in &self.examples {
                writeln!(
                    out,
                    "  [{:>8.3} s] client {:>3} {:<12} {}: {}",
                    example.at,
                    example.client,
                    example.op.name(),
                    code_name(example.code),
                    example.message
                )?;
            }
        }
        if self.locked_responses > 0 {
            writeln!(
                out,
                "DATABASE IS LOCKED: {} calls failed with \"database is locked\"",
                self.locked_responses
            )?;
        } else {
            writeln!(out, "\"database is locked\" in responses: 0")?;
        }
        match &self.server_log {
            None => {}
            Some(LogScan::Scanned {
                path,
                locked_lines,
                first,
            }) => {
                if *locked_lines > 0 {
                    writeln!(
                        out,
                        "DATABASE IS LOCKED in the server log {}: {locked_lines} lines",
                        path.display()
                    )?;
                    if let Some(first) = first {
                        writeln!(out, "  first: {first}")?;
                    }
                } else {
                    writeln!(out, "\"database is locked\" in the server log {}: 0", path.display())?;
                }
            }
            Some(LogScan::Unreadable { path, error }) => {
                writeln!(out, "server log {}: cannot read it: {error}", path.display())?;
            }
        }
        match &self.audit {
            None => {}
            Some(AuditCheck::Checked {
                trail,
                intact: true,
                entries_checked,
                ..
            }) => writeln!(out, "audit trail {trail}: intact ({entries_checked} entries checked)")?,
            Some(AuditCheck::Checked {
                trail,
                intact: false,
                entries_checked,
                first_broken_sequence,
                detail,
            }) => writeln!(
                out,
                "audit trail {trail}: BROKEN at sequence {first_broken_sequence} ({entries_checked} entries checked): {detail}"
            )?,
            Some(AuditCheck::CallFailed { trail, code, message }) => writeln!(
                out,
                "audit trail {trail}: cannot verify: {}: {message}",
                code_name(*code)
            )?,
        }
        Ok(())
    }

    pub fn to_json(&self) -> Value {
        let summary = |s: &OpSummary| {
            json!({
                "op": s.op,
                "count": s.count,
                "errors": s.errors,
                "p50_ms": s.p50,
                "p95_ms": s.p95,
                "p99_ms": s.p99,
                "max_ms": s.max,
            })
        };
        let errors_by_code: serde_json::Map<String, Value> = self
            .errors_by_code
            .iter()
            .map(|(code, count)| (code.clone(), json!(count)))
            .collect();
        let examples: Vec<Value> = self
            .examples
            .iter()
            .map(|e| {
                json!({
                    "at_s": e.at,
                    "client": e.client,
                    "op": e.op.name(),
                    "code": code_name(e.code),
                    "message": e.message,
                })
            })
            .collect();
        let audit = match &self.audit {
            None => Value::Null,
            Some(AuditCheck::Checked {
                trail,
                intact,
                entries_checked,
                first_broken_sequence,
                detail,
            }) => json!({
                "trail": trail,
                "intact": intact,
                "entries_checked": entries_checked,
                "first_broken_sequence": first_broken_sequence,
                "detail": detail,
            }),
            Some(AuditCheck::CallFailed { trail, code, message }) => json!({
                "trail": trail,
                "error": { "code": code_name(*code), "message": message },
            }),
        };
        let server_log = match &self.server_log {
            None => Value::Null,
            Some(LogScan::Scanned {
                path,
                locked_lines,
                first,
            }) => json!({ "path": path.display().to_string(), "locked_lines": locked_lines, "first": first }),
            Some(LogScan::Unreadable { path, error }) => {
                json!({ "path": path.display().to_string(), "error": error })
            }
        };
        json!({
            "server": self.server,
            "run_id": self.run_id,
            "clients": self.clients,
            "mix": self.mix,
            "requested_s": self.requested.as_secs_f64(),
            "duration_s": self.elapsed.as_secs_f64(),
            "total_ops": self.all.count,
            "ok_ops": self.all.count - self.all.errors,
            "failed_ops": self.all.errors,
            "ops_per_s": self.ops_per_second(),
            "relogins": self.relogins,
            "ops": self.ops.iter().map(summary).collect::<Vec<_>>(),
            "all": summary(&self.all),
            "errors": {
                "total": self.all.errors,
                "by_code": errors_by_code,
                "distinct_messages": self.distinct_messages,
                "examples": examples,
                "database_is_locked": self.locked_responses,
            },
            "server_log": server_log,
            "audit": audit,
            "ok": !self.has_problems(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(stats: Stats) -> Report {
        Report::new(
            "http://127.0.0.1:1".into(),
            "RUN".into(),
            2,
            "create-unit=100%".into(),
            Duration::from_secs(1),
            Duration::from_secs(2),
            0,
            stats,
            |op| op == Op::CreateUnit,
        )
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let micros: Vec<u32> = (1..=100).map(|ms| ms * 1000).collect();
        assert_eq!(percentile_ms(&micros, 50.0), 50.0);
        assert_eq!(percentile_ms(&micros, 95.0), 95.0);
        assert_eq!(percentile_ms(&micros, 99.0), 99.0);
        assert_eq!(percentile_ms(&micros, 100.0), 100.0);
        assert_eq!(percentile_ms(&[7000], 50.0), 7.0);
        assert_eq!(percentile_ms(&[], 50.0), 0.0);
    }

    #[test]
    fn a_clean_run_reports_no_errors_and_passes() {
        let mut stats = Stats::default();
        for ms in 1..=4 {
            stats.success(Op::CreateUnit, Duration::from_millis(ms));
        }
        let report = report(stats);
        assert!(!report.has_problems());
        assert_eq!(report.all.count, 4);
        assert_eq!(report.ops_per_second(), 2.0);
        assert_eq!(report.ops.len(), 1, "only the chosen operation is listed");
        let text = report.to_text();
        assert!(text.contains("errors: 0"), "{text}");
        assert!(text.contains("\"database is locked\" in responses: 0"), "{text}");
        assert_eq!(report.to_json()["errors"]["total"], 0);
        assert_eq!(report.to_json()["ok"], true);
    }

    #[test]
    fn errors_are_counted_by_code_and_locks_are_called_out() {
        let mut first = Stats::default();
        let mut second = Stats::default();
        let locked = Status::internal("error returned from database: (code: 5) database is locked");
        first.failure(Op::CreateUnit, 0, Duration::from_millis(20), &locked);
        first.failure(Op::CreateUnit, 0, Duration::from_millis(30), &locked);
        second.failure(
            Op::UpdateUnit,
            1,
            Duration::from_millis(10),
            &Status::aborted("etag mismatch"),
        );
        second.success(Op::UpdateUnit, Duration::from_millis(3));
        first.merge(second);
        let report = report(first);
        assert!(report.has_problems());
        assert_eq!(report.all.count, 4);
        assert_eq!(report.all.errors, 3);
        assert_eq!(report.locked_responses, 2);
        assert_eq!(report.distinct_messages, 2);
        assert_eq!(
            report.errors_by_code,
            vec![("INTERNAL".to_string(), 2), ("ABORTED".to_string(), 1)]
        );
        assert_eq!(report.examples[0].op, Op::UpdateUnit, "examples are in time order");
        let text = report.to_text();
        assert!(text.contains("DATABASE IS LOCKED: 2 calls"), "{text}");
        assert_eq!(report.to_json()["errors"]["by_code"]["INTERNAL"], 2);
        assert_eq!(report.to_json()["ok"], false);
    }

    #[test]
    fn a_broken_trail_fails_the_run() {
        let mut report = report(Stats::default());
        report.audit = Some(AuditCheck::Checked {
            trail: "trails/identity".into(),
            intact: false,
            entries_checked: 10,
            first_broken_sequence: 7,
            detail: "hash mismatch".into(),
        });
        assert!(report.has_problems());
        assert!(report.to_text().contains("BROKEN at sequence 7"));
    }

    #[test]
    fn lock_messages_are_recognised() {
        assert!(mentions_locked("(code: 5) Database is locked"));
        assert!(mentions_locked("database table is locked"));
        assert!(!mentions_locked("internal error; the server log has the details"));
    }
}
