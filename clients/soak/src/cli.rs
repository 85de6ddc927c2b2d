//! Command-line flags, and the parsers for `--duration` and `--mix`.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Parser};
use eiso_benchkit::report::OutputFormat;

/// eiso-soak: many clients writing to one eiso server at once.
///
/// Signs in once, opens one HTTP/2 connection per client and has every client
/// call the identity service in a loop until the time is up, then prints the
/// throughput, the latency of each operation and every error by gRPC code.
/// Exits 1 if any call failed (or the audit trail or the server log shows a
/// problem), 2 if the run could not start.
#[derive(Debug, Parser)]
#[command(version)]
#[command(group(ArgGroup::new("password_source").required(true).args(["password_stdin", "password_env"])))]
pub struct Args {
    /// The server, http://HOST:PORT.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:50051")]
    pub server: String,
    /// The user to sign in as; it needs the rights to create units (and users).
    #[arg(long, value_name = "NAME", default_value = "admin")]
    pub username: String,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Read the password from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
    /// How many clients, each with its own connection.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u32).range(1..=4096))]
    pub clients: u32,
    /// How long the clients keep calling: `60s`, `2m`, `500ms` or plain seconds.
    #[arg(long, value_name = "TIME", default_value = "60s", value_parser = parse_duration)]
    pub duration: Duration,
    /// The operations and their weights, e.g. `create-unit=70,update-unit=20,list-units=10`;
    /// a name without `=weight` counts 1. Operations: create-unit, create-user,
    /// update-unit, list-units, get-unit.
    #[arg(long, value_name = "LIST", default_value = "create-unit=70,update-unit=20,list-units=10", value_parser = Mix::parse)]
    pub mix: Mix,
    /// Deadline of each call.
    #[arg(long, value_name = "TIME", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// At the end, recompute the hash chain of `trails/identity` and report it.
    #[arg(long)]
    pub verify: bool,
    /// The server's log file: at the end, count its lines that say the database was locked
    /// (the server does not send internal error text to callers).
    #[arg(long, value_name = "PATH")]
    pub server_log: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// One kind of call a client makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    CreateUnit,
    CreateUser,
    UpdateUnit,
    ListUnits,
    GetUnit,
}

impl Op {
    pub const ALL: [Op; 5] = [
        Op::CreateUnit,
        Op::CreateUser,
        Op::UpdateUnit,
        Op::ListUnits,
        Op::GetUnit,
    ];

    /// The name used in `--mix` and in the report.
    pub fn name(self) -> &'static str {
        match self {
            Op::CreateUnit => "create-unit",
            Op::CreateUser => "create-user",
            Op::UpdateUnit => "update-unit",
            Op::ListUnits => "list-units",
            Op::GetUnit => "get-unit",
        }
    }

    /// Position in [`Op::ALL`], for per-operation arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    fn parse(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.name() == name)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The weighted choice of operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mix {
    weights: Vec<(Op, u32)>,
    total: u64,
}

impl Mix {
    /// Parses `name[=weight],…`.
    pub fn parse(text: &str) -> Result<Mix, String> {
        let mut weights: Vec<(Op, u32)> = Vec::new();
        for item in text.split(',').map(str::trim).filter(|item| !item.is_empty()) {
            let (name, weight) = match item.split_once('=') {
                Some((name, weight)) => {
                    let weight = weight
                        .trim()
                        .parse::<u32>()
                        .map_err(|_| format!("`{item}`: the weight must be a whole number"))?;
                    (name.trim(), weight)
                }
                None => (item, 1),
            };
            let op = Op::parse(name).ok_or_else(|| {
                let known: Vec<_> = Op::ALL.iter().map(|op| op.name()).collect();
                format!("unknown operation `{name}` (known: {})", known.join(", "))
            })?;
            if weights.iter().any(|(seen, _)| *seen == op) {
                return Err(format!("`{name}` is listed twice"));
            }
            if weight > 0 {
                weights.push((op, weight));
            }
        }
        let total = weights.iter().map(|(_, weight)| u64::from(*weight)).sum();
        if total == 0 {
            return Err("give at least one operation with a weight above 0".to_string());
        }
        Ok(Mix { weights, total })
    }

    /// The operation for a uniformly random `roll`.
    pub fn pick(&self, roll: u64) -> Op {
        let mut point = roll % self.total;
        for (op, weight) in &self.weights {
            let weight = u64::from(*weight);
            if point < weight {
                return *op;
            }
            point -= weight;
        }
        // Unreachable: `point < total`, the sum of the weights.
        self.weights[0].0
    }

    /// Whether `op` can be chosen.
    pub fn contains(&self, op: Op) -> bool {
        self.weights.iter().any(|(candidate, _)| *candidate == op)
    }
}

impl fmt::Display for Mix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .weights
            .iter()
            .map(|(op, weight)| format!("{op}={:.0}%", f64::from(*weight) * 100.0 / self.total as f64))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// Parses `60s`, `2m`, `1h`, `500ms` or a plain number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 60s, 2m or 500ms"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(format!("`{other}` is not a time unit: use ms, s, m or h")),
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 7.0 * 24.0 * 3600.0) {
        return Err(format!("`{text}` must be above 0 and at most a week"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_usual_units() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("60"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("ten").is_err());
        assert!(parse_duration("5 fortnights").is_err());
    }

    #[test]
    fn the_default_mix_is_seventy_twenty_ten() -> Result<(), String> {
        let mix = Mix::parse("create-unit=70,update-unit=20,list-units=10")?;
        let mut counts = [0u32; 5];
        for roll in 0..100 {
            counts[mix.pick(roll).index()] += 1;
        }
        assert_eq!(counts[Op::CreateUnit.index()], 70);
        assert_eq!(counts[Op::UpdateUnit.index()], 20);
        assert_eq!(counts[Op::ListUnits.index()], 10);
        assert_eq!(counts[Op::CreateUser.index()] + counts[Op::GetUnit.index()], 0);
        assert_eq!(mix.to_string(), "create-unit=70%,update-unit=20%,list-units=10%");
        Ok(())
    }

    #[test]
    fn bare_names_weigh_the_same() -> Result<(), String> {
        let mix = Mix::parse("create-unit,create-user,update-unit,list-units,get-unit")?;
        let picked: Vec<Op> = (0..5).map(|roll| mix.pick(roll)).collect();
        assert_eq!(picked, Op::ALL.to_vec());
        Ok(())
    }

    #[test]
    fn bad_mixes_are_refused() {
        assert!(Mix::parse("create-unit,create-unit").is_err());
        assert!(Mix::parse("delete-everything").is_err());
        assert!(Mix::parse("create-unit=0").is_err());
        assert!(Mix::parse("create-unit=lots").is_err());
        assert!(Mix::parse("").is_err());
    }

    #[test]
    fn a_password_source_is_required() {
        assert!(Args::try_parse_from(["eiso-soak"]).is_err());
        assert!(Args::try_parse_from(["eiso-soak", "--password-env", "P"]).is_ok());
        assert!(Args::try_parse_from(["eiso-soak", "--password-stdin", "--password-env", "P"]).is_err());
    }
}
