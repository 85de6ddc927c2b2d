#!/usr/bin/env bash
# The search benchmark: eiso search (the eiso-search crate itself) against
# PostgreSQL full-text search (unaccent + GIN tsvector), SQLite FTS5
# (unicode61 remove_diacritics 2) and Apache Lucene (ASCII folding, BM25), in
# one run, on one synthetic Vietnamese corpus and one query set typed without
# diacritics. Prints a Markdown report
# (also written to $SEARCHBENCH_OUT, default searchbench-report.md in a
# temporary directory) with build time, index size, QPS, p50/p99 and recall@10.
#
#   clients/searchbench/bench.sh [--docs 100000] [--queries 500] [--seed 42] [other eiso-searchbench flags]
#
# Needs PostgreSQL with the unaccent extension at 127.0.0.1:5432, user
# postgres, trust auth (SEARCHBENCH_PG_URL overrides); the benchmark creates
# and drops its own database, eiso_searchbench. --skip-postgres runs without it.
#
# Lucene needs a JDK (java and javac; 17 was used) and Debian's liblucene8-java
# (Lucene 8.8.1: Maven's registry is not reachable from the bench machine),
# which this script installs with apt-get when its jars are missing; the binary
# compiles clients/searchbench/lucene/LuceneBench.java against them and runs it.
# SEARCHBENCH_LUCENE_JARS names another jar directory; --skip-lucene runs without.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [[ " $* " != *" --skip-lucene "* ]]; then
    JARS="${SEARCHBENCH_LUCENE_JARS:-/usr/share/java}"
    if ! compgen -G "$JARS/lucene-core-*.jar" >/dev/null || ! compgen -G "$JARS/lucene-analyzers-common-*.jar" >/dev/null; then
        echo "+ apt-get install -y liblucene8-java (no Lucene jars in $JARS)" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends liblucene8-java >/dev/null \
            || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends liblucene8-java >/dev/null; } \
            || { echo "bench.sh: cannot install liblucene8-java (root and Debian's archive needed); --skip-lucene runs without Lucene" >&2; exit 1; }
    fi
    for tool in java javac; do
        command -v "$tool" >/dev/null 2>&1 || {
            echo "bench.sh: $tool not found: Lucene needs a JDK (17 was used; Debian: apt-get install openjdk-17-jdk-headless); --skip-lucene runs without Lucene" >&2
            exit 1
        }
    done
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target}"
cargo build --release --locked -p eiso-searchbench >&2
OUT="${SEARCHBENCH_OUT:-$(mktemp -d)/searchbench-report.md}"
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg); report: $OUT" >&2
REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
for path in services/search clients/searchbench; do
    git diff --quiet HEAD -- "$path" 2>/dev/null && [[ -z "$(git ls-files --others --exclude-standard -- "$path" 2>/dev/null)" ]] \
        || REVISION="$REVISION ($path modified)"
done
START=$(date +%s)
# Defaults (eiso-searchbench's own): --docs 100000 --queries 500 --seed 42 --repeat 3.
"$CARGO_TARGET_DIR/release/eiso-searchbench" --markdown "$OUT" --revision "$REVISION" "$@"
echo "bench.sh: $(( $(date +%s) - START ))s for the run" >&2
