#!/usr/bin/env bash
# The scaled-out shape against one replica, by hand, on release builds:
# eiso-server on a fresh PostgreSQL database (eiso_bench_<random> on
# 127.0.0.1:5432, user postgres, trust auth; dropped at the end) and an S3
# bucket (s3s-fs, as the tests install it), each replica with its own data
# directory and search index. For one replica, then three:
#   1. dossier receipts: eiso-dossierbench receive, REPLICAS_BENCH_CLIENTS (32)
#      clients spread over the replicas, REPLICAS_BENCH_COUNT (4000) dossiers;
#   2. document control with uploads to the bucket: eiso-docbench --only
#      revisions, REPLICAS_BENCH_CONCURRENCY (16) clients: drafts/s and full
#      publish cycles/s (each cycle uploads a 1 KiB file);
#   3. one REPLICAS_BENCH_FILE_MIB (200) MiB file up and down.
# The figures go to docs/benchmarks.md by hand, with the machine.
#
#   clients/replicas-bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target}"
cargo build --release --locked -p eiso-server -p eiso-dossierbench -p eiso-docbench >&2
BIN="$CARGO_TARGET_DIR/release"
S3S="${EISO_TEST_S3_SERVER:-$CARGO_TARGET_DIR/tools/bin/s3s-fs}"
[[ -x "$S3S" ]] || { echo "no s3s-fs at $S3S: run scripts/test once, or set EISO_TEST_S3_SERVER" >&2; exit 2; }
T=$(mktemp -d)
CLIENTS="${REPLICAS_BENCH_CLIENTS:-32}"
COUNT="${REPLICAS_BENCH_COUNT:-4000}"
CONCURRENCY="${REPLICAS_BENCH_CONCURRENCY:-16}"
FILE_MIB="${REPLICAS_BENCH_FILE_MIB:-200}"
PORTS=(50091 50092 50093)
S3_PORT=50099
export BENCH_ADMIN_PASSWORD=replicas-bench-admin-password
export DOSSIERBENCH_PASSWORD=replicas-bench-user-password
export DOCBENCH_PASSWORD=replicas-bench-user-password

DATABASE="eiso_bench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DATABASE" >&2
URL="postgres://postgres@127.0.0.1:5432/$DATABASE"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >&2 || true
}
trap cleanup EXIT

mkdir -p "$T/s3/eiso"
"$S3S" --host 127.0.0.1 --port "$S3_PORT" --access-key bench --secret-key bench-secret-key "$T/s3" >"$T/s3.log" 2>&1 &
PIDS+=($!)
export EISO_BLOB_STORE_KIND=s3 EISO_BLOB_STORE_BUCKET=eiso EISO_BLOB_STORE_ENDPOINT="http://127.0.0.1:$S3_PORT"
export EISO_BLOB_STORE_PATH_STYLE=true EISO_BLOB_STORE_ALLOW_HTTP=true
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret-key

start_replica() {
    local i=$1 log="$T/replica-$1.log"
    EISO_ADMIN_PASSWORD=$BENCH_ADMIN_PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:${PORTS[$i]}" \
        --data-dir "$T/data-$i" --database-url "$URL" >"$log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 300); do grep -qs "eiso-server serving" "$log" && break; sleep 0.2; done
    grep -q "eiso-server serving" "$log" || { cat "$log" >&2; exit 2; }
}

run() {
    local n=$1 replicas=()
    for ((i = 1; i < n; i++)); do replicas+=(--replica "http://127.0.0.1:${PORTS[$i]}"); done
    echo "== $n replica(s): receipts" >&2
    "$BIN/eiso-dossierbench" --server "http://127.0.0.1:${PORTS[0]}" "${replicas[@]}" \
        --admin-password-env BENCH_ADMIN_PASSWORD receive --clients "$CLIENTS" --count "$COUNT" --warmup 200
    echo "== $n replica(s): document control, uploads to the bucket" >&2
    "$BIN/eiso-docbench" --server "http://127.0.0.1:${PORTS[0]}" "${replicas[@]}" \
        --username docbench.thuky --password-env DOCBENCH_PASSWORD \
        --reviewer-username docbench.lanhdao --reviewer-password-env DOCBENCH_PASSWORD \
        --concurrency "$CONCURRENCY" --revisions 400 --cycles 200 --file-mib "$FILE_MIB"
}

start_replica 0
"$BIN/eiso-dossierbench" --server "http://127.0.0.1:${PORTS[0]}" --setup --admin-password-env BENCH_ADMIN_PASSWORD
"$BIN/eiso-docbench" --server "http://127.0.0.1:${PORTS[0]}" --setup --admin-password-env BENCH_ADMIN_PASSWORD \
    --username docbench.thuky --password-env DOCBENCH_PASSWORD \
    --reviewer-username docbench.lanhdao --reviewer-password-env DOCBENCH_PASSWORD \
    --revisions 1 --cycles 1 --file-mib 1 >/dev/null
run 1
start_replica 1
start_replica 2
# The new replicas build their search index from everything the first run
# wrote: let them finish before the clock starts (REPLICAS_BENCH_SETTLE s).
for i in 1 2; do
    for _ in $(seq 600); do grep -qs "index rebuilt" "$T/replica-$i.log" && break; sleep 0.1; done
done
sleep "${REPLICAS_BENCH_SETTLE:-15}"
run 3
