#!/usr/bin/env bash
# The search benchmark: eiso search (the eiso-search crate itself) against
# PostgreSQL full-text search (unaccent + GIN tsvector) and SQLite FTS5
# (unicode61 remove_diacritics 2), in one run, on one synthetic Vietnamese
# corpus and one query set typed without diacritics. Prints a Markdown report
# (also written to $SEARCHBENCH_OUT, default searchbench-report.md in a
# temporary directory) with build time, index size, QPS, p50/p99 and recall@10.
#
#   clients/searchbench/bench.sh [--docs 100000] [--queries 500] [--seed 42] [other eiso-searchbench flags]
#
# Needs PostgreSQL with the unaccent extension at 127.0.0.1:5432, user
# postgres, trust auth (SEARCHBENCH_PG_URL overrides); the benchmark creates
# and drops its own database, eiso_searchbench. --skip-postgres runs without it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target}"
cargo build --release --locked -p eiso-searchbench >&2
OUT="${SEARCHBENCH_OUT:-$(mktemp -d)/searchbench-report.md}"
echo "cores: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg); report: $OUT" >&2
REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
git diff --quiet HEAD -- services/search 2>/dev/null || REVISION="$REVISION (services/search modified)"
START=$(date +%s)
# Defaults (eiso-searchbench's own): --docs 100000 --queries 500 --seed 42 --repeat 3.
"$CARGO_TARGET_DIR/release/eiso-searchbench" --markdown "$OUT" --revision "$REVISION" "$@"
echo "bench.sh: $(( $(date +%s) - START ))s for the run" >&2
