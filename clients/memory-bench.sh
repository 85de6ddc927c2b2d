#!/usr/bin/env bash
# Memory of an idle eiso-server (issue 15, target 3), on a release build and
# a fresh SQLite data directory: the time from exec to "eiso-server serving",
# VmRSS MEMORY_BENCH_SETTLE (5) s after the start, and again after
# MEMORY_BENCH_SIGNINS (100) sign-ins of the administrator (argon2 hashes,
# the heaviest allocation of an idle office), with VmHWM and the anonymous /
# file-backed split of smaps_rollup. Sign-ins go over the Connect protocol
# with curl (the Login request encoded by hand), so nothing else runs in the
# server's way.
#
#   clients/memory-bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/eiso-target}"
cargo build --release --locked -p eiso-server >&2
BIN="$CARGO_TARGET_DIR/release"
T=$(mktemp -d)
PORT=50098
PASSWORD=memory-bench-admin-password
SETTLE="${MEMORY_BENCH_SETTLE:-5}"
PID=""
cleanup() {
    [[ -n "$PID" ]] && { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
    rm -rf "$T"
}
trap cleanup EXIT

started=$(date +%s%N)
EISO_ADMIN_PASSWORD=$PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:$PORT" --data-dir "$T/data" >"$T/server.log" 2>&1 &
PID=$!
for _ in $(seq 3000); do grep -qs "eiso-server serving" "$T/server.log" && break; sleep 0.005; done
grep -q "eiso-server serving" "$T/server.log" || { cat "$T/server.log" >&2; exit 2; }
serving=$(date +%s%N)
echo "start to serving: $(( (serving - started) / 1000000 )) ms (fresh data directory)"

memory() {
    sleep "$SETTLE"
    local rss hwm anon file
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$PID/status")
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")
    anon=$(awk '/^Pss_Anon/ {print $2}' "/proc/$PID/smaps_rollup")
    file=$(awk '/^Pss_File/ {print $2}' "/proc/$PID/smaps_rollup")
    printf '%-24s RSS %6.1f MiB  peak %6.1f MiB  (anonymous %5.1f MiB, files %5.1f MiB; %s threads)\n' \
        "$1" "$(bc -l <<<"$rss/1024")" "$(bc -l <<<"$hwm/1024")" "$(bc -l <<<"$anon/1024")" \
        "$(bc -l <<<"$file/1024")" "$(awk '/^Threads/ {print $2}' "/proc/$PID/status")"
}
memory "idle after start"

python3 - "$PASSWORD" >"$T/login.bin" <<'PY'
import sys
username, password = b"admin", sys.argv[1].encode()
inner = b"\x0a" + bytes([len(username)]) + username + b"\x12" + bytes([len(password)]) + password
sys.stdout.buffer.write(b"\x0a" + bytes([len(inner)]) + inner)
PY
SIGNINS="${MEMORY_BENCH_SIGNINS:-100}"
for _ in $(seq "$SIGNINS"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/eiso.identity.v1.IdentityService/Login" \
        -H 'Content-Type: application/proto' -H 'Connect-Protocol-Version: 1' --data-binary @"$T/login.bin")
    [[ "$code" == 200 ]] || { echo "a sign-in answered HTTP $code" >&2; exit 1; }
done
memory "after $SIGNINS sign-ins"
