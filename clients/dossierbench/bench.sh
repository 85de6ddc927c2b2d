#!/usr/bin/env bash
# The dossier benchmark, by hand, on a fresh release eiso-server:
#   1. --setup: three agencies, a counter-staff user, a document controller and
#      procedure 2.002481 (3 working days; 4 + 16 + 4 h), published, through the API;
#   2. receive: 8 clients, then 32 clients, DOSSIERBENCH_COUNT (5000) dossiers each run;
#   3. the server stopped, the procedures database seeded straight to
#      DOSSIERBENCH_TOTAL (1,000,000) dossiers spread over 2025;
#   4. the server started again, GetServiceStatistics for 2025 (one agency, all
#      agencies; each for every procedure and for 2.002481 alone)
#      DOSSIERBENCH_REPEAT (10) times each, each answer compared with a scan
#      of the dossier rows read straight from the database (and the scan timed);
#   5. the web app's dossier lists and the leader's dashboard over the same
#      dossiers, DOSSIERBENCH_PAGES_REPEAT (50) times each (issue 10's target is
#      p95 ≤ 50 ms at DOSSIERBENCH_TOTAL=100000).
# SQLite (a temporary data directory) by default; with --postgres, a fresh
# database eiso_bench_<random> on 127.0.0.1:5432 (user postgres, trust auth),
# dropped at the end (DOSSIERBENCH_KEEP=1 keeps it, and the SQLite files are
# always kept in the temporary directory). Extra arguments go to every
# eiso-dossierbench call. DOSSIERBENCH_PORT changes the port (50082).
#
#   clients/dossierbench/bench.sh [--postgres]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
POSTGRES=false
if [[ "${1:-}" == "--postgres" ]]; then
    POSTGRES=true
    shift
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target}"
cargo build --release --locked -p eiso-server -p eiso-dossierbench >&2
BIN="$CARGO_TARGET_DIR/release"
T=$(mktemp -d)
PORT="${DOSSIERBENCH_PORT:-50082}"
COUNT="${DOSSIERBENCH_COUNT:-5000}"
TOTAL="${DOSSIERBENCH_TOTAL:-1000000}"
REPEAT="${DOSSIERBENCH_REPEAT:-10}"
PAGES_REPEAT="${DOSSIERBENCH_PAGES_REPEAT:-50}"
export DOSSIERBENCH_ADMIN_PASSWORD=dossierbench-admin-password-123
export DOSSIERBENCH_PASSWORD=dossierbench-user-password-123

SERVER=
DATABASE=
DB_ARGS=()
if $POSTGRES; then
    DATABASE="eiso_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DATABASE" >&2
    URL="postgres://postgres@127.0.0.1:5432/$DATABASE"
    DB_ARGS=(--database-url "$URL")
    SEED_TARGET="$URL"
    BACKEND=PostgreSQL
else
    SEED_TARGET="$T/data/procedures.db"
    BACKEND=SQLite
fi

cleanup() {
    if [[ -n "$SERVER" ]]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    if [[ -n "$DATABASE" && "${DOSSIERBENCH_KEEP:-0}" != 1 ]]; then
        psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >&2 || true
    fi
}
trap cleanup EXIT

STARTS=0
start_server() {
    STARTS=$((STARTS + 1))
    local log="$T/server-$STARTS.log"
    EISO_ADMIN_PASSWORD=$DOSSIERBENCH_ADMIN_PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:$PORT" \
        --data-dir "$T/data" "${DB_ARGS[@]}" >"$log" 2>&1 &
    SERVER=$!
    for _ in $(seq 300); do grep -qs "eiso-server serving" "$log" && break; sleep 0.2; done
    grep -q "eiso-server serving" "$log" || { cat "$log" >&2; exit 2; }
}
stop_server() {
    kill -TERM "$SERVER"
    wait "$SERVER" || { echo "the server did not stop cleanly" >&2; exit 2; }
    SERVER=
}

bench() {
    "$BIN/eiso-dossierbench" --server "http://127.0.0.1:$PORT" --admin-password-env DOSSIERBENCH_ADMIN_PASSWORD \
        --output json "$@"
}

echo "$BACKEND, data in $T${DATABASE:+, database $DATABASE}; $(nproc) cores; client and server on this machine" >&2
# Other work on the machine skews every figure: note the load averages.
load() { cut -d' ' -f1-3 /proc/loadavg; }
start_server
LOAD_RECEIVE=$(load)
bench --setup setup "$@" >"$T/setup.json"
bench receive --clients 8 --count "$COUNT" "$@" >"$T/receive-8.json"
bench receive --clients 32 --count "$COUNT" "$@" >"$T/receive-32.json"
stop_server

SEED_ARGS=()
# PostgreSQL's autovacuum would vacuum and analyse the table by itself within
# a minute or so; doing it at once makes the timings repeatable. SQLite is
# left as the server leaves it (it never runs ANALYZE).
$POSTGRES && SEED_ARGS=(--analyze)
bench seed --total "$TOTAL" --database-url "$SEED_TARGET" "${SEED_ARGS[@]}" "$@" >"$T/seed.json"

start_server
LOAD_STATS=$(load)
bench stats --repeat "$REPEAT" --procedure procedures/2.002481 --database-url "$SEED_TARGET" "$@" >"$T/stats.json"
bench pages --repeat "$PAGES_REPEAT" "$@" >"$T/pages.json"
RSS=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
stop_server

jq -n --arg backend "$BACKEND" --argjson cores "$(nproc)" --argjson rss "$RSS" \
    --arg load_receive "$LOAD_RECEIVE" --arg load_stats "$LOAD_STATS" \
    --slurpfile setup "$T/setup.json" --slurpfile r8 "$T/receive-8.json" --slurpfile r32 "$T/receive-32.json" \
    --slurpfile seed "$T/seed.json" --slurpfile stats "$T/stats.json" --slurpfile pages "$T/pages.json" '{
        backend: $backend, cores: $cores, setup: $setup[0].setup,
        receive: [$r8[0].receive, $r32[0].receive], seed: $seed[0].seed, stats: $stats[0].stats, pages: $pages[0].pages,
        server_vm_hwm_kib_after_stats: $rss,
        load_average_1_5_15_min: {before_receive: $load_receive, before_stats: $load_stats}
    }' >"$T/report.json"

jq -r '
  def r: . * 10 | round / 10;
  "\(.backend), \(.cores) cores, client and server on the same machine; load average before receive \(.load_average_1_5_15_min.before_receive), before stats \(.load_average_1_5_15_min.before_stats)",
  (.receive[] | "receive, \(.clients) clients: \(.count) dossiers in \(.seconds | r) s = \(.dossiers_per_second | r) dossiers/s; latency p50 \(.latency_ms.p50 | r) ms, p95 \(.latency_ms.p95 | r) ms, p99 \(.latency_ms.p99 | r) ms, max \(.latency_ms.max | r) ms; all codes distinct: \(.all_codes_distinct)"),
  "seed: \(.seed.inserted) rows in \(.seed.seconds | r) s = \(.seed.rows_per_second | round) rows/s (\(.seed.dossiers_after) dossiers in the table)",
  (.stats.year as $year | .stats.queries[] | "GetServiceStatistics over \(.figures.received) dossiers received in \($year), \(if .agency == "" then "all agencies" else "one agency" end)\(if .procedure == "" then "" else ", one procedure" end) (period view: \(.figures.period.to_handle) to handle): min \(.latency_ms.min | r) ms, median \(.latency_ms.median | r) ms, max \(.latency_ms.max | r) ms (first \(.latency_ms.first | r) ms); a scan of the rows \(.scan.ms | r) ms, same figures: \(.scan.equal)"),
  (.pages.pages[] | "GET \(.path) as the \(.who) (\(.bytes / 1024 | floor) KB): p50 \(.latency_ms.p50 | r) ms, p95 \(.latency_ms.p95 | r) ms, max \(.latency_ms.max | r) ms"),
  "CSS and JavaScript of the web app: \(.pages.assets_bytes) bytes",
  "server peak RSS (VmHWM) after the statistics and pages: \(.server_vm_hwm_kib_after_stats) KiB"
' "$T/report.json"
echo "full report: $T/report.json (server logs: $T/server-*.log)"
