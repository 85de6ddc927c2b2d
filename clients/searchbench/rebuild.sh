#!/usr/bin/env bash
# A rebuild of the search index through the service (issue 15, target 4:
# ≥ 20 MB/s of text at 100,000 items). A fresh release eiso-server
# (127.0.0.1:50083, temporary data directory); through its gRPC API a unit,
# a document controller and a leader, then the searchbench corpus's documents
# written concurrently (`eiso-searchbench rebuild`: 20% controlled documents
# published through the whole cycle, 80% records, each with its body as an
# uploaded text/plain file); once GetIndexStatus shows the live index caught
# up, RebuildIndex, polled until done. Prints the load's and the rebuild's
# figures (items, MB of text, server and client seconds, MB/s, items/s, the
# server's CPU seconds — its own and its text-extraction children's — and
# peak RSS over the rebuild, load averages), the revision and the machine.
#
#   clients/searchbench/rebuild.sh [--postgres] [--profile] [eiso-searchbench rebuild flags]
#
# e.g. `--items 20000`, `--rebuilds 3`, `--document-share 0.5`, `--concurrency 32`.
# --postgres: a fresh database rebuildbench_<random> on 127.0.0.1:5432 (user
# postgres, trust auth), dropped at the end (REBUILDBENCH_KEEP=1 keeps it).
# --profile: `perf record -g -F 499` of the server over the (last) rebuild, then
# its samples by process, thread, library or crate, and function (self time).
# REBUILDBENCH_PORT changes the port; CARGO_TARGET_DIR defaults to
# /var/tmp/eiso-target-bench. The data directory is kept (its path is printed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
POSTGRES=false
PROFILE=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --postgres) POSTGRES=true ;;
        --profile) PROFILE=true ;;
        *) break ;;
    esac
    shift
done
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target-bench}"
. clients/benchkit/release.sh
build_release eiso-searchbench
PORT="${REBUILDBENCH_PORT:-50083}"
export REBUILDBENCH_ADMIN_PASSWORD=rebuildbench-admin-password-123
export REBUILDBENCH_USER_PASSWORD=rebuildbench-user-password-123

SERVER=
DATABASE=
DB_ARGS=()
BACKEND=SQLite
if $POSTGRES; then
    DATABASE="rebuildbench_$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $DATABASE" >&2
    DB_ARGS=(--database-url "postgres://postgres@127.0.0.1:5432/$DATABASE")
    BACKEND="PostgreSQL ($(psql -h 127.0.0.1 -U postgres -qAtXc 'SHOW server_version' | cut -d' ' -f1), 127.0.0.1)"
fi
cleanup() {
    if [[ -n "$SERVER" ]]; then kill -TERM "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    if [[ -n "$DATABASE" && "${REBUILDBENCH_KEEP:-0}" != 1 ]]; then
        psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $DATABASE WITH (FORCE)" >&2 || true
    fi
}
trap cleanup EXIT

EISO_ADMIN_PASSWORD=$REBUILDBENCH_ADMIN_PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:$PORT" \
    --data-dir "$T/data" "${DB_ARGS[@]}" >"$T/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 300); do grep -qs "eiso-server serving" "$T/server.log" && break; sleep 0.2; done
grep -q "eiso-server serving" "$T/server.log" || { cat "$T/server.log" >&2; exit 2; }

REVISION="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
for path in services/search services/server services/documents clients/searchbench; do
    git diff --quiet HEAD -- "$path" 2>/dev/null && [[ -z "$(git ls-files --others --exclude-standard -- "$path" 2>/dev/null)" ]] \
        || REVISION="$REVISION ($path modified)"
done
echo "$BACKEND, data in $T, server pid $SERVER; $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

PERF_ARGS=()
if $PROFILE; then
    command -v perf >/dev/null || { echo "rebuild.sh: --profile needs perf" >&2; exit 1; }
    PERF_ARGS=(--perf-data "$T/perf.data")
fi
"$BIN/eiso-searchbench" rebuild --server "http://127.0.0.1:$PORT" --server-pid "$SERVER" \
    --admin-password-env REBUILDBENCH_ADMIN_PASSWORD --user-password-env REBUILDBENCH_USER_PASSWORD \
    --backend "$BACKEND" --revision "$REVISION" "${PERF_ARGS[@]}" "$@" | tee "$T/report.md"
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
echo "server VmHWM over the whole run (load included): $((HWM / 1024)) MiB"

if $PROFILE; then
    (
        # head ends the reports early: not a failure.
        set +o pipefail
        # One line a sample (its leaf): "who<TAB>thread<TAB>library or crate<TAB>function", who being
        # the server or one of its children (the text-extraction processes, the same binary).
        perf script -G -i "$T/perf.data" -F comm,pid,tid,ip,sym,dso 2>/dev/null | awk -v server="$SERVER" '{
                for (i = 1; i <= NF && $i !~ /^[0-9]+\/[0-9]+$/; i++) {}
                if (i > NF) next
                split($i, ids, "/")
                who = (ids[1] == server ? "server" : "child")
                thread = $1; for (j = 2; j < i; j++) thread = thread " " $j
                sub(/-?[0-9]+$/, "", thread)
                dso = $NF; gsub(/[()]/, "", dso); sub(/.*\//, "", dso)
                sym = ""; for (j = i + 2; j < NF; j++) sym = sym (sym == "" ? "" : " ") $j
                if (dso == "[kernel.kallsyms]") what = "kernel"
                else if (dso != "eiso-server") what = dso
                else if (match(sym, /[a-z_][a-z0-9_]*::/)) what = substr(sym, RSTART, RLENGTH - 2)
                else if (sym ~ /^sqlite3|^pcache|^vdbe|^btree|^wal/) what = "sqlite (C)"
                else what = "other"
                printf "%s\t%s\t%s\t%s\n", who, thread, what, substr(sym, 1, 110) }' >"$T/perf.tsv"
        count() { sort | uniq -c | sort -rn | awk -v total="$(wc -l <"$T/perf.tsv")" '{ n = $1; $1 = ""; printf "%8d  %5.1f%%  %s\n", n, 100 * n / total, $0 }'; }
        echo
        echo "== the rebuild's CPU samples (perf record -g -F 499 -p $SERVER: the server and the children it starts; self time, $(wc -l <"$T/perf.tsv") samples) by process and thread =="
        cut -f1,2 "$T/perf.tsv" | tr '\t' ' ' | count | head -12
        echo "== by library or crate =="
        cut -f1,3 "$T/perf.tsv" | tr '\t' ' ' | count | head -25
        echo "== hottest functions =="
        cut -f1,3,4 "$T/perf.tsv" | tr '\t' ' ' | count | head -30
        echo "== kernel time by the path that led there (callers) =="
        perf report -i "$T/perf.data" --no-children --sort comm,dso --dsos '[kernel.kallsyms]' -g caller,2,callee,function,percent --max-stack 12 --stdio 2>/dev/null |
            grep -v '^#' | grep -v '^$' | cut -c1-170 | head -80
    ) | tee "$T/profile.txt"
fi
if $PROFILE; then
    echo "report: $T/report.md (profile: $T/profile.txt, $T/perf.data); server log: $T/server.log" >&2
else
    echo "report: $T/report.md; server log: $T/server.log" >&2
fi
