#!/usr/bin/env bash
# Memory of an idle eiso-server (issue 15, target 3), on a release build and
# a fresh SQLite data directory: the time from exec to "eiso-server serving",
# VmRSS MEMORY_BENCH_SETTLE (5) s after the start, and again after
# MEMORY_BENCH_SIGNINS (100) sign-ins of the administrator (argon2 hashes,
# the heaviest allocation of an idle office), with VmHWM and the anonymous /
# file-backed split of smaps_rollup. Sign-ins go over the Connect protocol
# with curl (the Login request encoded by hand), so nothing else runs in the
# server's way. Then the demo office is loaded through the web app's page
# (as an administrator would on a first start), the server is stopped with
# SIGTERM and started again on that data: the time to serving and the RSS
# at idle with the demo data.
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

# Starts the server on $T/data and says how long it took to serve.
start() {
    : >"$T/server.log"
    local started serving
    started=$(date +%s%N)
    EISO_ADMIN_PASSWORD=$PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:$PORT" --data-dir "$T/data" >"$T/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 3000); do grep -qs "eiso-server serving" "$T/server.log" && break; sleep 0.005; done
    grep -q "eiso-server serving" "$T/server.log" || { cat "$T/server.log" >&2; exit 2; }
    serving=$(date +%s%N)
    echo "start to serving: $(( (serving - started) / 1000000 )) ms ($1)"
}
start "fresh data directory"

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

# The demo office, loaded through its page as the administrator (the CSRF
# field is the eiso_csrf cookie, as a browser's form carries it).
JAR="$T/cookies"
PAGES="http://127.0.0.1:$PORT"
csrf() { awk '$6 == "eiso_csrf" {print $7}' "$JAR"; }
curl -s -c "$JAR" -b "$JAR" -o /dev/null "$PAGES/dang-nhap"
code=$(curl -s -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code}' -X POST "$PAGES/dang-nhap" \
    --data-urlencode "csrf=$(csrf)" --data-urlencode "tiep=/" \
    --data-urlencode "ten_dang_nhap=admin" --data-urlencode "mat_khau=$PASSWORD")
[[ "$code" == 303 ]] || { echo "the page sign-in answered HTTP $code" >&2; exit 1; }
code=$(curl -s -c "$JAR" -b "$JAR" -o "$T/demo.html" -w '%{http_code}' -X POST "$PAGES/du-lieu-mau" \
    --data-urlencode "csrf=$(csrf)")
[[ "$code" == 200 ]] || { echo "loading the demo office answered HTTP $code" >&2; exit 1; }
grep -q "Đã nạp dữ liệu mẫu" "$T/demo.html" || { echo "the demo office did not load" >&2; exit 1; }
# Let the search index take the demo office in before the stop.
sleep "$SETTLE"
kill -TERM "$PID"
wait "$PID" || true
PID=""
start "the demo office"
memory "idle with the demo office"
