#!/usr/bin/env bash
# Reads against the bare transport (issue 15, target 6), on release builds:
# eiso-server on a fresh SQLite data directory, or on a fresh PostgreSQL
# database with READS_BENCH_POSTGRES=1 (eiso_bench_<random> on 127.0.0.1:5432,
# user postgres, trust auth; dropped at the end); READS_BENCH_DOSSIERS (2000)
# dossiers received and READS_BENCH_DOCUMENTS (400) documents drafted through
# the API; then eiso-readbench: a bare tonic echo service in a process of its
# own (answering as many bytes as a dossier takes), GetDossier and
# GetDocument, each READS_BENCH_SECONDS (10) s over READS_BENCH_CONNECTIONS
# (32) connections, one call in flight on each. The figures go to
# docs/benchmarks.md by hand, with the machine.
#
#   clients/reads-bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target}"
cargo build --release --locked -p eiso-server -p eiso-dossierbench -p eiso-docbench -p eiso-readbench >&2
BIN="$CARGO_TARGET_DIR/release"
T=$(mktemp -d)
PORT=50095
export BENCH_ADMIN_PASSWORD=reads-bench-admin-password
export DOSSIERBENCH_PASSWORD=reads-bench-user-password
export DOCBENCH_PASSWORD=reads-bench-user-password
DATABASE=""
ARGS=(--listen "127.0.0.1:$PORT" --data-dir "$T/data")
if [[ "${READS_BENCH_POSTGRES:-0}" == 1 ]]; then
    DATABASE="eiso_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DATABASE" >&2
    ARGS+=(--database-url "postgres://postgres@127.0.0.1:5432/$DATABASE")
fi
PID=""
cleanup() {
    [[ -n "$PID" ]] && { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
    [[ -n "$DATABASE" ]] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >&2 || true
    rm -rf "$T"
}
trap cleanup EXIT

EISO_ADMIN_PASSWORD=$BENCH_ADMIN_PASSWORD "$BIN/eiso-server" "${ARGS[@]}" >"$T/server.log" 2>&1 &
PID=$!
for _ in $(seq 300); do grep -qs "eiso-server serving" "$T/server.log" && break; sleep 0.2; done
grep -q "eiso-server serving" "$T/server.log" || { cat "$T/server.log" >&2; exit 2; }
SERVER="http://127.0.0.1:$PORT"
"$BIN/eiso-dossierbench" --server "$SERVER" --setup --admin-password-env BENCH_ADMIN_PASSWORD \
    receive --clients 8 --count "${READS_BENCH_DOSSIERS:-2000}" >&2
"$BIN/eiso-docbench" --server "$SERVER" --setup --admin-password-env BENCH_ADMIN_PASSWORD \
    --username docbench.thuky --password-env DOCBENCH_PASSWORD \
    --reviewer-username docbench.lanhdao --reviewer-password-env DOCBENCH_PASSWORD \
    --only revisions --revisions "${READS_BENCH_DOCUMENTS:-400}" --cycles 1 >&2
# Let the indexer take in the writes before the clock starts.
sleep "${READS_BENCH_SETTLE:-5}"
EISO_ADMIN_PASSWORD=$BENCH_ADMIN_PASSWORD "$BIN/eiso-readbench" run --server "$SERVER" \
    --connections "${READS_BENCH_CONNECTIONS:-32}" --seconds "${READS_BENCH_SECONDS:-10}" "$@"
