//! Apache Lucene: `lucene/LuceneBench.java` (embedded in the binary), compiled
//! with `javac` against the jars of Debian's `liblucene8-java` and run as a child
//! process. The corpus and the query set go to it as files; it builds its index,
//! then runs the query set on the commands written to its stdin (`results`,
//! `pass`, `two`, `quit`) and answers on its stdout, one line per answer. The
//! latencies are measured inside the JVM, around each query, as the Rust engines'
//! are around theirs.

use std::io::{BufRead as _, BufReader, BufWriter, Write as _};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};

use crate::corpus::Corpus;
use crate::measure::{Pass, Results};

const SOURCE: &str = include_str!("../lucene/LuceneBench.java");
/// The jars LuceneBench.java needs, by the start of their file names in the jar directory.
const JARS: [&str; 2] = ["lucene-core", "lucene-analyzers-common"];
/// The JVM's heap: fixed, so that its resizing does not fall into the timed passes.
pub const HEAP: &str = "2g";
const MISSING: &str = "--skip-lucene runs without Lucene";

/// How Lucene collects the top 10 (see `Mode` in LuceneBench.java).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `IndexSearcher.search(query, 10)`: hits counted up to 1,000, then
    /// non-competitive documents skipped (block-max WAND over impacts).
    Top,
    /// `TopScoreDocCollector.create(10, Integer.MAX_VALUE)`: every match scored and counted.
    Exact,
}

impl Mode {
    fn word(self) -> &'static str {
        match self {
            Mode::Top => "TOP",
            Mode::Exact => "EXACT",
        }
    }
}

/// The running LuceneBench, its index built.
pub struct Lucene {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    queries: usize,
    /// Lucene's and the JVM's versions, the heap.
    pub version: String,
    /// The analyzer on sample text.
    pub probes: Vec<String>,
    /// Writer opened → every document added (one thread) → `commit()` returned.
    pub build: Duration,
    pub segments_at_commit: usize,
    pub bytes_at_commit: u64,
    /// `close()` (waits for the merges) and a reader opened.
    pub settle: Duration,
    pub segments: usize,
    pub bytes: u64,
    /// The `Directory` implementation `FSDirectory.open` chose.
    pub directory: String,
    pub jars: Vec<PathBuf>,
}

/// The newest `{name}-*.jar` (or `{name}.jar`) in `dir`.
fn jar(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n == format!("{name}.jar")
                    || n.strip_prefix(name)
                        .and_then(|rest| rest.strip_prefix('-'))
                        .is_some_and(|v| v.ends_with(".jar") && v.starts_with(|c: char| c.is_ascii_digit()))
            })
        })
        .collect();
    found.sort();
    found.pop().ok_or_else(|| {
        anyhow!(
            "Lucene: no {name}-*.jar in {} (Debian: apt-get install liblucene8-java; bench.sh installs it; \
             --lucene-jars names another directory); {MISSING}",
            dir.display()
        )
    })
}

fn tool(name: &str) -> anyhow::Result<()> {
    match Command::new(name).arg("-version").output() {
        Ok(out) if out.status.success() => Ok(()),
        _ => bail!(
            "Lucene: `{name}` not found or not working: a JDK (17 was used) is needed on PATH \
             (Debian: apt-get install openjdk-17-jdk-headless); {MISSING}"
        ),
    }
}

/// Compiles LuceneBench.java in `dir`, writes the corpus and the queries there,
/// starts it and waits for its index to be built (in `dir/index`).
/// `jfr`: a Java Flight Recorder file to write (the JVM's own sampling profiler).
pub fn start(
    corpus: &Corpus,
    queries: &[String],
    dir: &Path,
    jar_dir: &Path,
    jfr: Option<&Path>,
) -> anyhow::Result<Lucene> {
    tool("java")?;
    tool("javac")?;
    let jars = JARS
        .iter()
        .map(|name| jar(jar_dir, name))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let classes = dir.join("classes");
    std::fs::create_dir_all(&classes).with_context(|| format!("cannot create {}", classes.display()))?;
    let source = dir.join("LuceneBench.java");
    std::fs::write(&source, SOURCE)?;
    let classpath = std::env::join_paths(&jars)?;
    let status = Command::new("javac")
        .arg("-nowarn")
        .arg("-cp")
        .arg(&classpath)
        .arg("-d")
        .arg(&classes)
        .arg(&source)
        .status()
        .context("cannot run javac")?;
    anyhow::ensure!(status.success(), "javac failed on LuceneBench.java ({status})");

    let corpus_file = dir.join("corpus.tsv");
    {
        let mut file = BufWriter::new(std::fs::File::create(&corpus_file)?);
        let mut line = String::new();
        for doc in &corpus.docs {
            line.clear();
            crate::postgres::copy_escape(&mut line, &doc.title);
            line.push('\t');
            crate::postgres::copy_escape(&mut line, &doc.body);
            line.push('\n');
            file.write_all(line.as_bytes())?;
        }
        file.flush()?;
    }
    let queries_file = dir.join("queries.txt");
    anyhow::ensure!(
        queries.iter().all(|q| !q.contains(['\n', '\r'])),
        "a query holds a line break"
    );
    std::fs::write(
        &queries_file,
        queries.iter().map(|q| format!("{q}\n")).collect::<String>(),
    )?;

    let mut runtime_path = vec![classes];
    runtime_path.extend(jars.iter().cloned());
    let mut java = Command::new("java");
    java.arg(format!("-Xms{HEAP}")).arg(format!("-Xmx{HEAP}"));
    if let Some(jfr) = jfr {
        java.arg("-Xlog:jfr+startup=off").arg(format!(
            "-XX:StartFlightRecording=filename={},settings=profile",
            jfr.display()
        ));
    }
    let mut child = java
        .arg("-cp")
        .arg(std::env::join_paths(&runtime_path)?)
        .arg("LuceneBench")
        .arg(&corpus_file)
        .arg(&queries_file)
        .arg(dir.join("index"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start java")?;
    let stdin = child.stdin.take().context("no stdin")?;
    let stdout = BufReader::new(child.stdout.take().context("no stdout")?);
    let mut lucene = Lucene {
        child,
        stdin,
        stdout,
        queries: queries.len(),
        version: String::new(),
        probes: Vec::new(),
        build: Duration::ZERO,
        segments_at_commit: 0,
        bytes_at_commit: 0,
        settle: Duration::ZERO,
        segments: 0,
        bytes: 0,
        directory: String::new(),
        jars,
    };
    loop {
        let line = lucene.line()?;
        if let Some(version) = line.strip_prefix("version ") {
            lucene.version = version.to_string();
        } else if let Some(probe) = line.strip_prefix("probe ") {
            lucene.probes.push(probe.to_string());
        } else if let Some(built) = line.strip_prefix("built ") {
            let words: Vec<&str> = built.split(' ').collect();
            let number = |i: usize| -> anyhow::Result<u64> {
                words
                    .get(i)
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| anyhow!("Lucene: unexpected line {line:?}"))
            };
            lucene.build = Duration::from_nanos(number(0)?);
            lucene.segments_at_commit = number(1)? as usize;
            lucene.bytes_at_commit = number(2)?;
            lucene.settle = Duration::from_nanos(number(3)?);
            lucene.segments = number(4)? as usize;
            lucene.bytes = number(5)?;
            lucene.directory = words.get(6).unwrap_or(&"?").to_string();
        } else if line == "ready" {
            return Ok(lucene);
        } else {
            bail!("Lucene: unexpected line {line:?}");
        }
    }
}

impl Lucene {
    /// The next answer; the JVM's own log lines (`[0.123s][warning][gc] …`, on
    /// stdout by default) go to stderr.
    fn line(&mut self) -> anyhow::Result<String> {
        loop {
            let mut line = String::new();
            let n = self.stdout.read_line(&mut line)?;
            if n == 0 {
                let status = self.child.wait()?;
                bail!("Lucene: LuceneBench ended ({status}); its errors are above");
            }
            if line.starts_with('[') && line.contains("][") {
                eprint!("java: {line}");
                continue;
            }
            return Ok(line.trim_end().to_string());
        }
    }

    fn command(&mut self, command: &str, mode: Mode, range: Option<Range<usize>>) -> anyhow::Result<()> {
        match range {
            Some(range) => writeln!(self.stdin, "{command} {} {} {}", mode.word(), range.start, range.end)?,
            None => writeln!(self.stdin, "{command} {}", mode.word())?,
        }
        self.stdin.flush()?;
        Ok(())
    }

    /// Every query once: the top-10 ids and the total hits (a lower bound for
    /// [`Mode::Top`] beyond 1,000).
    pub fn results(&mut self, mode: Mode) -> anyhow::Result<(Results, Vec<u64>)> {
        self.command("results", mode, None)?;
        let mut results = Vec::with_capacity(self.queries);
        let mut totals = Vec::with_capacity(self.queries);
        for _ in 0..self.queries {
            let line = self.line()?;
            let mut numbers = line.split(' ').map(str::parse::<u64>);
            totals.push(numbers.next().context("empty line")??);
            results.push(numbers.map(|n| n.map(|n| n as u32)).collect::<Result<Vec<_>, _>>()?);
        }
        Ok((results, totals))
    }

    /// One sequential timed pass over the queries in `range` (latencies measured in the JVM).
    pub fn pass(&mut self, mode: Mode, range: Range<usize>) -> anyhow::Result<Pass> {
        let n = range.len();
        self.command("pass", mode, Some(range))?;
        let line = self.line()?;
        let mut numbers = line.split(' ').map(|n| n.parse::<u64>().map(Duration::from_nanos));
        let wall = numbers.next().context("empty line")??;
        let latencies = numbers.collect::<Result<Vec<_>, _>>()?;
        anyhow::ensure!(
            latencies.len() == n,
            "Lucene: {} latencies, {n} expected",
            latencies.len()
        );
        Ok(Pass { latencies, wall })
    }

    /// The wall time of two threads sharing the queries in `range` (even / odd ones).
    pub fn two_threads(&mut self, mode: Mode, range: Range<usize>) -> anyhow::Result<Duration> {
        self.command("two", mode, Some(range))?;
        Ok(Duration::from_nanos(self.line()?.parse()?))
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        writeln!(self.stdin, "quit")?;
        self.stdin.flush()?;
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "Lucene: LuceneBench exited with {status}");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_keeps_one_document_a_line() {
        let mut out = String::new();
        crate::postgres::copy_escape(&mut out, "a\tb\nc\\d\re");
        assert_eq!(out, "a\\tb\\nc\\\\d\\re");
        assert!(!out.contains(['\n', '\t', '\r']));
    }

    #[test]
    fn finds_versioned_jars() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        for name in [
            "lucene-core-8.7.0.jar",
            "lucene-core-extra-1.jar",
            "lucene-analyzers-common-8.7.0.jar",
        ] {
            std::fs::write(dir.path().join(name), "")?;
        }
        assert_eq!(
            jar(dir.path(), "lucene-core")?,
            dir.path().join("lucene-core-8.7.0.jar")
        );
        assert!(jar(dir.path(), "lucene-queryparser").is_err());
        Ok(())
    }
}
