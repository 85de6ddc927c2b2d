#!/usr/bin/env bash
# The dossier benchmark, by hand, on a fresh release eiso-server:
#   1. --setup: three agencies, a counter-staff user, a document controller and
#      procedure 2.002481 (3 working days; 4 + 16 + 4 h), published, through the API;
#   2. for 8 clients, then 32 clients: the database's own rate of single-row
#      INSERT + COMMIT (the baseline of issue 15, target 1; see below), then
#      receive DOSSIERBENCH_COUNT (5000) dossiers, then hand the same dossiers
#      over (transitions); each receipt and transition rate is printed as a
#      share of that raw commit rate, with CPU, write transactions, WAL and
#      fsyncs per dossier measured over each phase;
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
# The raw commit rate, in the same run and on the same database and settings:
# on SQLite, `eiso-dossierbench raw-commits` on a fresh file beside the
# server's, opened as the server opens its own (WAL, synchronous = FULL, one
# writer, BEGIN IMMEDIATE), N tasks inserting one row and committing; on
# PostgreSQL, pgbench with a one-INSERT script, N connections, in a schema of
# the bench database (dropped after), and beside it two more figures: the
# same INSERT through eiso's own pool (raw-commits, 8 connections) and
# pgbench with each transaction first updating one shared row, as every eiso
# write updates its service's outbox and audit chain heads. Each baseline runs
# DOSSIERBENCH_RAW_SECONDS (10) after a second of warm-up.
#
# --writes stops after the writes (no seed, statistics or pages). --profile
# (needs perf) also records, over the receipts and the transitions at 32
# clients, a CPU profile of the whole machine (perf record -a) and, on
# PostgreSQL, samples pg_stat_activity every 50 ms (what each backend of the
# bench database waits for, and on which statement); both summaries are
# printed and kept in the temporary directory.
#
#   clients/dossierbench/bench.sh [--postgres] [--writes] [--profile]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
POSTGRES=false
WRITES_ONLY=false
PROFILE=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        --postgres) POSTGRES=true ;;
        --writes) WRITES_ONLY=true ;;
        --profile) PROFILE=true ;;
        *) break ;;
    esac
    shift
done
. clients/benchkit/release.sh
build_release eiso-dossierbench
PORT="${DOSSIERBENCH_PORT:-50082}"
COUNT="${DOSSIERBENCH_COUNT:-5000}"
TOTAL="${DOSSIERBENCH_TOTAL:-1000000}"
REPEAT="${DOSSIERBENCH_REPEAT:-10}"
PAGES_REPEAT="${DOSSIERBENCH_PAGES_REPEAT:-50}"
RAW_SECONDS="${DOSSIERBENCH_RAW_SECONDS:-10}"
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

BACKGROUND=()
cleanup() {
    # Only those still running as this shell's children (a pid may be reused).
    for pid in "${BACKGROUND[@]}"; do
        if [[ "$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d ' ')" == "$$" ]]; then kill -INT "$pid" 2>/dev/null || true; fi
    done
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
# What a phase costs, from snapshots before and after it: the machine's CPU
# (/proc/stat) and how much of it went to the server, to PostgreSQL (every
# postgres process, and those that ended, through the postmaster's children's
# times), to the bench client (bash's `time`) and to the rest of the machine;
# on PostgreSQL, the write transactions (transaction ids handed out) and the
# WAL written; with perf, each fdatasync and fsync call on the machine, by
# process.
PERF=false
if command -v perf >/dev/null && perf stat -e syscalls:sys_enter_fdatasync -a -o /dev/null true 2>/dev/null; then
    PERF=true
fi
psql_bench() { psql -h 127.0.0.1 -U postgres -d "$DATABASE" -v ON_ERROR_STOP=1 -qAtX "$@"; }
ticks() { # pids...: their utime + stime + cutime + cstime
    local pid
    for pid in "$@"; do
        sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null || true
    done | awk '{s += $12 + $13 + $14 + $15} END {print s + 0}'
}
# PostgreSQL's processes that work for this run: the bench database's
# backends (the server's pools) and the WAL writer, checkpointer and
# background writer, as pid:ticks,pid:ticks,...
pg_ticks() {
    local pid list=
    for pid in $(psql_bench -c "SELECT pid FROM pg_stat_activity WHERE (datname = current_database()
            AND pid <> pg_backend_pid()) OR backend_type IN ('walwriter', 'checkpointer', 'background writer')"); do
        list+="$pid:$(ticks "$pid"),"
    done
    echo "${list:-none}"
}
snapshot() {
    local cpu server=0 pg=none xid=0 lsn=0
    cpu=$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
    if [[ -n "$SERVER" ]]; then server=$(ticks "$SERVER"); fi
    if $POSTGRES; then
        pg=$(pg_ticks)
        read -r xid lsn < <(psql_bench -F ' ' -c \
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, pg_current_wal_lsn() - '0/0'::pg_lsn")
    fi
    echo "$(date +%s.%N) $cpu $server $pg $xid $lsn"
}
# Ticks between two pg_ticks lists: each process's growth (a process that
# started in between, all of its ticks).
pg_delta() { # before after
    awk -v before="$1" -v after="$2" 'BEGIN {
        n = split(before, b, ","); for (i = 1; i <= n; i++) { split(b[i], kv, ":"); if (kv[1] != "") t[kv[1]] = kv[2] }
        n = split(after, a, ","); for (i = 1; i <= n; i++) { split(a[i], kv, ":"); if (kv[1] != "" && kv[1] != "none") s += kv[2] - t[kv[1]] }
        print s + 0 }'
}
METER_START=
METER_PERF=
METER_CLIENTS=
METER_STAT=
meter_start() { # name
    METER_START=$(snapshot)
    METER_PERF=
    METER_CLIENTS=
    if $PERF; then
        perf record -q -a -c 1 -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync -o "$T/fsyncs-$1.data" \
            2>"$T/fsyncs-$1.log" &
        METER_PERF=$!
        BACKGROUND+=("$METER_PERF")
        # The server's system calls and context switches.
        perf stat -x, -e raw_syscalls:sys_enter,context-switches -p "$SERVER" -o "$T/server-stat-$1.csv" 2>/dev/null &
        METER_STAT=$!
        BACKGROUND+=("$METER_STAT")
        # The bench client's pids (its own calls are not the server's).
        while sleep 0.5; do pgrep -x eiso-dossierben || true; pgrep -x pgbench || true; done >"$T/clients-$1.txt" &
        METER_CLIENTS=$!
        BACKGROUND+=("$METER_CLIENTS")
        sleep 0.2
    fi
}
# Runs a command, its user + system CPU seconds (bash's `time`) to $T/cpu-<name>.
timed() { # name command...
    local name=$1 TIMEFORMAT='%U %S'
    shift
    { time "$@" 2>&3; } 3>&2 2>"$T/time-$name"
    awk '{print $1 + $2}' "$T/time-$name" >"$T/cpu-$name"
}
meter_stop() { # name [client-is-database]: writes $T/meter-<name>.json (the client's CPU from $T/cpu-<name>)
    local end syncs='{}' client client_is_database=${2:-false} syscalls= switches=
    end=$(snapshot)
    if [[ -n "$METER_PERF" ]]; then
        kill -INT "$METER_PERF"
        wait "$METER_PERF" 2>/dev/null || true
        kill "$METER_CLIENTS" 2>/dev/null || true
        wait "$METER_CLIENTS" 2>/dev/null || true
        kill -INT "$METER_STAT" 2>/dev/null || true
        wait "$METER_STAT" 2>/dev/null || true
        syscalls=$(awk -F, '$3 == "raw_syscalls:sys_enter" && $1 ~ /^[0-9]+$/ {print $1}' "$T/server-stat-$1.csv")
        switches=$(awk -F, '$3 == "context-switches" && $1 ~ /^[0-9]+$/ {print $1}' "$T/server-stat-$1.csv")
        # Each call by who made it; the server's also by file (its open
        # descriptors, read while it runs).
        local fds=
        if [[ -n "$SERVER" ]]; then
            fds=$(for fd in /proc/"$SERVER"/fd/*; do printf '%s=%s ' "${fd##*/}" "$(readlink "$fd" | sed 's|.*/||')"; done)
        fi
        # shellcheck disable=SC2046
        syncs=$(perf script -i "$T/fsyncs-$1.data" -F comm,pid,event,trace 2>/dev/null |
            awk -v server="${SERVER:-0}" -v pg=" $(pgrep -d ' ' -x postgres || true) " \
                -v clients=" $(sort -u "$T/clients-$1.txt" | tr '\n' ' ') " -v fds=" $fds" '
                BEGIN { m = split(fds, pairs, " "); for (i = 1; i <= m; i++) { split(pairs[i], kv, "="); file[kv[1]] = kv[2] } }
                { call = ($0 ~ /fdatasync/) ? "fdatasync" : "fsync"
                  for (i = 1; i <= NF; i++) if ($i ~ /^syscalls:/) { pid = $(i - 1); fd = strtonum($NF) }
                  if (pid == server) { who = "server"; f[(fd in file) ? file[fd] : "fd " fd]++ }
                  else if ($1 == "postgres" || index(pg, " " pid " ")) who = "postgresql"
                  else if (index(clients, " " pid " ")) who = "client"
                  else who = "other"
                  n[who "." call]++ }
                END { printf "{"; sep = ""; for (k in n) { printf "%s\"%s\": %d", sep, k, n[k]; sep = ", " }
                      printf "%s\"server_files\": {", sep; sep = ""
                      for (k in f) { printf "%s\"%s\": %d", sep, k, f[k]; sep = ", " }
                      print "}}" }')
    fi
    client=$(cat "$T/cpu-$1" 2>/dev/null || echo 0)
    read -r t0 busy0 total0 server0 pg0 xid0 lsn0 <<<"$METER_START"
    read -r t1 busy1 total1 server1 pg1 xid1 lsn1 <<<"$end"
    jq -n --argjson hz "$(getconf CLK_TCK)" --argjson cores "$(nproc)" \
        --argjson seconds "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')" \
        --argjson busy "$((busy1 - busy0))" --argjson total "$((total1 - total0))" \
        --argjson server "$((server1 - server0))" --argjson pg "$(pg_delta "$pg0" "$pg1")" --argjson client "$client" \
        --argjson xids "$((xid1 - xid0))" --argjson wal "$((lsn1 - lsn0))" \
        --argjson syncs "$syncs" --argjson perf "$PERF" --argjson postgres "$POSTGRES" \
        --argjson client_is_database "$client_is_database" \
        --argjson syscalls "${syscalls:-null}" --argjson switches "${switches:-null}" '{
            seconds: $seconds,
            machine_cpu_busy_percent: (if $total > 0 then 100 * $busy / $total else null end),
            cpu_seconds: {
                machine: ($busy / $hz), server: ($server / $hz),
                postgresql: (if $postgres then $pg / $hz else null end),
                client: $client,
                rest: ($busy / $hz - $server / $hz - (if $postgres then $pg / $hz else 0 end) - $client)
            },
            cores: $cores,
            postgresql_write_transactions: (if $postgres then $xids else null end),
            postgresql_wal_bytes: (if $postgres then $wal else null end),
            server_system_calls: $syscalls, server_context_switches: $switches,
            sync_calls: (if $perf then $syncs else null end),
            database_sync_calls: (if $perf then
                (($syncs["server.fdatasync"] // 0) + ($syncs["server.fsync"] // 0)
                 + ($syncs["postgresql.fdatasync"] // 0) + ($syncs["postgresql.fsync"] // 0)
                 + (if $client_is_database then ($syncs["client.fdatasync"] // 0) + ($syncs["client.fsync"] // 0) else 0 end))
                else null end)
        }' >"$T/meter-$1.json"
}

# Profiling (--profile): the whole machine's CPU, with call graphs, and what
# the bench database's backends wait for.
PROFILER=()
PROFILE_T0=
PROFILE_SECONDS=
profile_start() { # name
    PROFILER=()
    $PROFILE || return 0
    PROFILE_T0=$(date +%s.%N)
    perf record -q -F 499 -a -o "$T/perf-$1.data" 2>"$T/perf-$1.log" &
    PROFILER+=($!)
    BACKGROUND+=($!)
    if $POSTGRES; then
        printf '%s\n' "SELECT extract(epoch FROM now())::text || ' | ' || coalesce(wait_event_type, 'CPU') || ':' || coalesce(wait_event, '-') || ' | ' || state || ' | ' || left(regexp_replace(coalesce(query, ''), '\s+', ' ', 'g'), 60) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' \watch 0.05" |
            psql -h 127.0.0.1 -U postgres -d "$DATABASE" -qAtX >"$T/waits-$1.txt" 2>/dev/null &
        PROFILER+=($!)
        BACKGROUND+=($!)
    fi
}
profile_stop() { # name
    $PROFILE || return 0
    for pid in "${PROFILER[@]}"; do kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    PROFILE_SECONDS=$(awk -v a="$PROFILE_T0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
    (
        # head ends the reports early: not a failure.
        set +o pipefail
        local expected
        expected=$(awk -v s="$PROFILE_SECONDS" -v c="$(nproc)" 'BEGIN {printf "%d", s * c * 499}')
        echo "== $1: CPU samples of the whole machine by process (perf record -a, 499 Hz; $PROFILE_SECONDS s x $(nproc) cores = $expected samples if always busy) =="
        local ours=
        if $POSTGRES; then
            ours=$(psql_bench -c "SELECT string_agg(pid::text, ' ') FROM pg_stat_activity WHERE datname = current_database()
                OR backend_type IN ('walwriter', 'checkpointer', 'background writer')")
        fi
        perf script -i "$T/perf-$1.data" -F comm,pid 2>/dev/null | awk -v server="$SERVER" -v ours=" $ours " \
            -v clients=" $(sort -u "$T/clients-$1.txt" 2>/dev/null | tr '\n' ' ') " '
            { pid = $NF; comm = $0; sub(/[ \t]+[0-9]+[ \t]*$/, "", comm); sub(/^[ \t]+/, "", comm)
              if (pid == server) who = "eiso-server"
              else if (index(ours, " " pid " ")) who = "postgres: the bench database'"'"'s backends, WAL writer, checkpointer"
              else if (comm == "postgres") who = "postgres: other databases"
              else if (index(clients, " " pid " ")) who = "eiso-dossierbench (the clients)"
              else if (pid == 0) who = "idle"
              else who = "other: " comm
              n[who]++; total++ }
            END { for (w in n) printf "%8d  %5.1f%%  %s\n", n[w], 100 * n[w] / total, w }' | sort -rn | head -12
        perf script -i "$T/perf-$1.data" -F pid,ip,sym,dso 2>/dev/null >"$T/perf-$1.txt"
        echo "== $1: the server's samples by crate or library (self time) =="
        awk -v server="$SERVER" '$1 == server {
                dso = $NF; gsub(/[()]/, "", dso); sub(/.*\//, "", dso)
                line = $0; sub(/^ *[0-9]+ +[0-9a-f]+ /, "", line); sub(/ \([^()]*\)$/, "", line)
                if (dso == "[kernel.kallsyms]") what = "kernel"
                else if (line ~ /^_?mi_|^mi_/) what = "mimalloc"
                else if (dso != "eiso-server") what = dso
                else if (match(line, /[a-z_][a-z0-9_]*::/)) what = substr(line, RSTART, RLENGTH - 2)
                else if (line ~ /^sqlite3|^pcache|^vdbe|^btree|^wal/) what = "sqlite (C)"
                else what = "other: " line
                n[what]++; total++ }
            END { for (w in n) printf "%8d  %5.1f%%  %s\n", n[w], 100 * n[w] / total, w }' "$T/perf-$1.txt" | sort -rn | head -20
        echo "== $1: the server's hottest functions (self time) =="
        awk -v server="$SERVER" '$1 == server { line = $0; sub(/^ *[0-9]+ +[0-9a-f]+ /, "", line); n[substr(line, 1, 150)]++; total++ }
            END { for (w in n) printf "%8d  %5.1f%%  %s\n", n[w], 100 * n[w] / total, w }' "$T/perf-$1.txt" | sort -rn | head -25
        if $POSTGRES; then
            echo "== $1: PostgreSQL's hottest functions (self time, the bench database's backends, WAL writer, checkpointer) =="
            awk -v ours=" $ours " 'index(ours, " " $1 " ") { line = $0; sub(/^ *[0-9]+ +[0-9a-f]+ /, "", line)
                    sub(/\(\/usr\/lib\/postgresql\/[^)]*\)/, "(postgres)", line); n[substr(line, 1, 120)]++; total++ }
                END { for (w in n) printf "%8d  %5.1f%%  %s\n", n[w], 100 * n[w] / total, w }' "$T/perf-$1.txt" |
                sort -rn | head -25
            local rounds busy
            rounds=$(cut -d'|' -f1 "$T/waits-$1.txt" | sort -u | grep -c . || true)
            busy=$(grep -v ' | idle | ' "$T/waits-$1.txt" | grep -c . || true)
            echo "== $1: the bench database's backends, sampled every 50 ms: $rounds rounds, $busy samples of a backend in a transaction (on average $(awk -v b="$busy" -v r="$rounds" 'BEGIN {printf "%.1f", r ? b / r : 0}') at once); by wait | state | statement =="
            grep -v ' | idle | ' "$T/waits-$1.txt" | cut -d'|' -f2- | sort | uniq -c | sort -rn | head -25
        fi
    ) >"$T/profile-$1.txt"
    cat "$T/profile-$1.txt" >&2
}

# With --profile, the 8-client receipts and transitions also run under
# strace, which names the file of each of the server's fsync and fdatasync
# calls (perf only sees descriptors, which may be closed by then); it slows
# the server, so the figures of a --profile run at 8 clients are not the
# table's.
TRACER=
trace_start() { # name
    TRACER=
    $PROFILE || return 0
    command -v strace >/dev/null || return 0
    strace -f -qq -y --seccomp-bpf -e trace=fsync,fdatasync -p "$SERVER" -o "$T/strace-$1.txt" 2>/dev/null &
    TRACER=$!
    BACKGROUND+=("$TRACER")
    sleep 0.5
}
trace_stop() { # name operations
    [[ -n "$TRACER" ]] || return 0
    kill -INT "$TRACER" 2>/dev/null || true
    wait "$TRACER" 2>/dev/null || true
    {
        echo "== $1: the server's fsync and fdatasync calls by file (strace), per operation of $(($2 + 100)) =="
        sed -n 's/^[0-9]* *\(f[a-z]*sync\)([0-9]*<\([^>]*\)>.*/\1 \2/p' "$T/strace-$1.txt" |
            sed 's|/[^ ]*/search/[^ ]*|search-index/*|; s|'"$T"'/||' | sort | uniq -c | sort -rn |
            awk -v n="$(($2 + 100))" '{printf "%8d  %5.2f  %s %s\n", $1, $1 / n, $2, $3}' | head -15
    } >"$T/trace-$1.txt"
    cat "$T/trace-$1.txt" >&2
}

# The raw commit rate at `clients`: $T/raw-<clients>.json.
PGBENCH_SCHEMA=pgbench_raw
pgbench_run() { # name script clients: one pgbench run, JSON with tps and latency percentiles
    local name=$1 script=$2 clients=$3
    mkdir -p "$T/pgbench-$name"
    pgbench -h 127.0.0.1 -U postgres -n -M prepared -f "$script" -c "$clients" -j "$(nproc)" -T 1 "$DATABASE" \
        >/dev/null 2>&1
    (cd "$T/pgbench-$name" && pgbench -h 127.0.0.1 -U postgres -n -M prepared -f "$script" -c "$clients" \
        -j "$(nproc)" -T "$RAW_SECONDS" -l --log-prefix=tx "$DATABASE") >"$T/pgbench-$name.txt" 2>&1 ||
        { cat "$T/pgbench-$name.txt" >&2; exit 2; }
    local tps
    tps=$(awk '/^tps = / {print $3}' "$T/pgbench-$name.txt")
    cat "$T/pgbench-$name"/tx.* | awk '{print $3 / 1000}' | sort -n | awk -v tps="$tps" -v clients="$clients" '
        { v[NR] = $1; sum += $1 }
        function rank(p,   i) { i = int(p * NR); if (i < p * NR) i++; if (i < 1) i = 1; return v[i] }
        END {
            printf "{\"clients\": %d, \"commits\": %d, \"commits_per_second\": %s, \"latency_ms\": {\"mean\": %.3f, \"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f, \"max\": %.3f}}\n",
                clients, NR, tps, sum / NR, rank(0.5), rank(0.95), rank(0.99), v[NR]
        }'
    rm -rf "$T/pgbench-$name"
}
raw_commits() { # clients, then the extra arguments
    local c=$1
    shift
    if $POSTGRES; then
        psql_bench -c "CREATE SCHEMA $PGBENCH_SCHEMA;
            CREATE TABLE $PGBENCH_SCHEMA.raw_commits (id BIGSERIAL PRIMARY KEY, client INTEGER NOT NULL,
                payload TEXT NOT NULL, create_time TIMESTAMPTZ NOT NULL DEFAULT now());
            CREATE TABLE $PGBENCH_SCHEMA.heads (name TEXT PRIMARY KEY, sequence BIGINT NOT NULL);
            INSERT INTO $PGBENCH_SCHEMA.heads VALUES ('head', 0)"
        local insert="INSERT INTO $PGBENCH_SCHEMA.raw_commits (client, payload) VALUES (:client_id, repeat('x', 200));"
        echo "$insert" >"$T/pgbench-insert.sql"
        printf 'BEGIN;\n%s\n%s\nEND;\n' \
            "UPDATE $PGBENCH_SCHEMA.heads SET sequence = sequence + 1 WHERE name = 'head';" "$insert" >"$T/pgbench-hot.sql"
        meter_start "raw-$c"
        timed "raw-$c" pgbench_run "insert-$c" "$T/pgbench-insert.sql" "$c" >"$T/pgbench-insert-$c.json"
        meter_stop "raw-$c"
        pgbench_run "hot-$c" "$T/pgbench-hot.sql" "$c" >"$T/pgbench-hot-$c.json"
        psql_bench -c "DROP SCHEMA $PGBENCH_SCHEMA CASCADE"
        bench raw-commits --database-url "$URL" --schema raw_commits --clients "$c" --seconds "$RAW_SECONDS" "$@" \
            >"$T/raw-pool-$c.json"
        jq -n --slurpfile insert "$T/pgbench-insert-$c.json" --slurpfile hot "$T/pgbench-hot-$c.json" \
            --slurpfile pool "$T/raw-pool-$c.json" --slurpfile meter "$T/meter-raw-$c.json" '{
                baseline: ($insert[0] + {how: "pgbench -M prepared, one INSERT of one row a transaction, one connection a client", meter: $meter[0]}),
                hot_row: ($hot[0] + {how: "pgbench -M prepared, UPDATE of one shared row + INSERT of one row a transaction"}),
                eiso_pool: $pool[0].raw_commits
            }' >"$T/raw-$c.json"
    else
        meter_start "raw-$c"
        timed "raw-$c" bench raw-commits --database-url "$T/raw-commits.db" --clients "$c" --seconds "$RAW_SECONDS" "$@" \
            >"$T/raw-pool-$c.json"
        meter_stop "raw-$c" true
        jq -n --slurpfile pool "$T/raw-pool-$c.json" --slurpfile meter "$T/meter-raw-$c.json" '{
                baseline: ($pool[0].raw_commits + {how: "eiso-dossierbench raw-commits: the server'"'"'s storage (one writer, BEGIN IMMEDIATE), one INSERT of one row a transaction", meter: $meter[0]})
            }' >"$T/raw-$c.json"
    fi
}

start_server
LOAD_RECEIVE=$(load)
bench --setup setup "$@" >"$T/setup.json"
for c in 8 32; do
    LOAD_WRITES[c]=$(load)
    raw_commits "$c" "$@"
    meter_start "receive-$c"
    [[ $c == 8 ]] && trace_start "receive-$c"
    [[ $c == 32 ]] && profile_start "receive-$c"
    timed "receive-$c" bench receive --clients "$c" --count "$COUNT" --names-out "$T/received-$c.txt" "$@" \
        >"$T/receive-$c.json"
    [[ $c == 32 ]] && profile_stop "receive-$c"
    [[ $c == 8 ]] && trace_stop "receive-$c" "$COUNT"
    meter_stop "receive-$c"
    meter_start "transitions-$c"
    [[ $c == 8 ]] && trace_start "transitions-$c"
    [[ $c == 32 ]] && profile_start "transitions-$c"
    timed "transitions-$c" bench transitions --clients "$c" --count "$COUNT" --dossiers "$T/received-$c.txt" "$@" \
        >"$T/transitions-$c.json"
    [[ $c == 32 ]] && profile_stop "transitions-$c"
    [[ $c == 8 ]] && trace_stop "transitions-$c" "$COUNT"
    meter_stop "transitions-$c"
done
stop_server

jq -n --arg backend "$BACKEND" --argjson cores "$(nproc)" --arg load8 "${LOAD_WRITES[8]}" --arg load32 "${LOAD_WRITES[32]}" \
    --slurpfile raw8 "$T/raw-8.json" --slurpfile raw32 "$T/raw-32.json" \
    --slurpfile r8 "$T/receive-8.json" --slurpfile r32 "$T/receive-32.json" \
    --slurpfile t8 "$T/transitions-8.json" --slurpfile t32 "$T/transitions-32.json" \
    --slurpfile mr8 "$T/meter-receive-8.json" --slurpfile mr32 "$T/meter-receive-32.json" \
    --slurpfile mt8 "$T/meter-transitions-8.json" --slurpfile mt32 "$T/meter-transitions-32.json" '
    def per($m; $n): $m + {
        per_operation: {
            machine_cpu_ms: (1000 * $m.cpu_seconds.machine / $n),
            server_cpu_ms: (1000 * $m.cpu_seconds.server / $n),
            postgresql_cpu_ms: (if $m.cpu_seconds.postgresql == null then null else 1000 * $m.cpu_seconds.postgresql / $n end),
            postgresql_write_transactions: (if $m.postgresql_write_transactions == null then null else $m.postgresql_write_transactions / $n end),
            postgresql_wal_bytes: (if $m.postgresql_wal_bytes == null then null else $m.postgresql_wal_bytes / $n end),
            client_cpu_ms: (1000 * $m.cpu_seconds.client / $n),
            server_system_calls: (if $m.server_system_calls == null then null else $m.server_system_calls / $n end),
            server_context_switches: (if $m.server_context_switches == null then null else $m.server_context_switches / $n end),
            database_sync_calls: (if $m.database_sync_calls == null then null else $m.database_sync_calls / $n end)
        }
    };
    def phase($raw; $r; $t; $mr; $mt; $load): {
        clients: $r.receive.clients, load_average_1_5_15_min_before: $load,
        raw_commits: $raw,
        receipts: ($r.receive + {ratio_to_raw_commits: ($r.receive.dossiers_per_second / $raw.baseline.commits_per_second),
            meter: per($mr; ($r.receive.count + $r.receive.warmup))}),
        transitions: ($t.transitions + {ratio_to_raw_commits: ($t.transitions.transitions_per_second / $raw.baseline.commits_per_second),
            meter: per($mt; ($t.transitions.count + $t.transitions.warmup))})
    };
    {backend: $backend, cores: $cores, writes: [
        phase($raw8[0]; $r8[0]; $t8[0]; $mr8[0]; $mt8[0]; $load8),
        phase($raw32[0]; $r32[0]; $t32[0]; $mr32[0]; $mt32[0]; $load32)
    ]}' >"$T/writes.json"

jq -r '
  def r: . * 10 | round / 10;
  def n: round | tostring | if length > 3 then .[:-3] + "," + .[-3:] else . end;
  def pct: . * 100 | round | tostring + "%";
  def m($x): if $x == null then "–" else ($x | r | tostring) end;
  "writes against the raw commit rate, \(.backend), \(.cores) cores, client, server and database on the same machine:",
  (.writes[] |
    "  \(.clients) clients (load average before: \(.load_average_1_5_15_min_before)):",
    "    raw commits \(.raw_commits.baseline.commits_per_second | n)/s (p99 \(.raw_commits.baseline.latency_ms.p99 | r) ms; \(.raw_commits.baseline.how))",
    (if .raw_commits.hot_row then "    raw commits on one hot row \(.raw_commits.hot_row.commits_per_second | n)/s (p99 \(.raw_commits.hot_row.latency_ms.p99 | r) ms); through eiso'"'"'s pool of \(.raw_commits.eiso_pool.pool) \(.raw_commits.eiso_pool.commits_per_second | n)/s (p99 \(.raw_commits.eiso_pool.latency_ms.p99 | r) ms)" else empty end),
    "    receipts \(.receipts.dossiers_per_second | n)/s = \(.receipts.ratio_to_raw_commits | pct) of raw commits \(.raw_commits.baseline.commits_per_second | n)/s; p99 \(.receipts.latency_ms.p99 | r) ms",
    "    transitions \(.transitions.transitions_per_second | n)/s = \(.transitions.ratio_to_raw_commits | pct) of raw commits; p99 \(.transitions.latency_ms.p99 | r) ms",
    (. as $w | ["receipts", "transitions"][] as $k | $w[$k].meter as $m |
      "    per \($k | rtrimstr("s")): CPU ms: server \(m($m.per_operation.server_cpu_ms)), PostgreSQL \(m($m.per_operation.postgresql_cpu_ms)), client \(m($m.per_operation.client_cpu_ms)), whole machine \(m($m.per_operation.machine_cpu_ms)); write transactions \(m($m.per_operation.postgresql_write_transactions)), WAL \(m($m.per_operation.postgresql_wal_bytes)) B, fsyncs by server and database \(m($m.per_operation.database_sync_calls)); server system calls \(m($m.per_operation.server_system_calls)), context switches \(m($m.per_operation.server_context_switches)); machine CPU busy \($m.machine_cpu_busy_percent | round)%")
  )
' "$T/writes.json"

if $WRITES_ONLY; then
    echo "full report: $T/writes.json (server log: $T/server-1.log)"
    exit 0
fi

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
    --slurpfile writes "$T/writes.json" \
    --slurpfile seed "$T/seed.json" --slurpfile stats "$T/stats.json" --slurpfile pages "$T/pages.json" '{
        backend: $backend, cores: $cores, setup: $setup[0].setup,
        receive: [$r8[0].receive, $r32[0].receive], writes: $writes[0].writes, seed: $seed[0].seed, stats: $stats[0].stats, pages: $pages[0].pages,
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
