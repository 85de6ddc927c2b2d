#!/usr/bin/env bash
# The one-minute soak, by hand: a fresh release eiso-server on SQLite, 32
# clients writing at once through eiso-soak, the server's RSS sampled every
# 2 s, the audit trail verified, then SIGTERM. Extra arguments go to eiso-soak
# (e.g. --duration 10s, --clients 8, --output json).
#
#   clients/soak/soak.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. clients/benchkit/release.sh
build_release eiso-soak
PORT="${SOAK_PORT:-50071}"
PASSWORD=soak-admin-password-123

EISO_ADMIN_PASSWORD=$PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:$PORT" --data-dir "$T/data" >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "eiso-server serving" "$T/server.log" && break; sleep 0.2; done
echo "server pid $SERVER, RSS at start $(ps -o rss= -p $SERVER) KiB, data in $T"
( while kill -0 $SERVER 2>/dev/null; do ps -o rss= -p $SERVER; sleep 2; done ) >"$T/rss.log" &
SAMPLER=$!

status=0
echo "$PASSWORD" | "$BIN/eiso-soak" --server "http://127.0.0.1:$PORT" --username admin --password-stdin \
    --clients 32 --duration 60s --verify --server-log "$T/server.log" "$@" || status=$?
echo "eiso-soak exit status $status"
echo "server peak RSS (VmHWM): $(awk '/VmHWM/ {print $2, $3}' /proc/$SERVER/status)"
kill -TERM $SERVER
wait $SERVER && echo "eiso-server stopped cleanly on SIGTERM"
kill $SAMPLER 2>/dev/null || true
exit $status
