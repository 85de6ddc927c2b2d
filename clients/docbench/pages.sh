#!/usr/bin/env bash
# The web app's document and search pages over a filled server (issue 11's
# bar: with 10,000 documents and 100,000 items indexed, list and search
# pages p95 ≤ 50 ms). A fresh release eiso-server on SQLite
# (127.0.0.1:50083, temporary data directory), then
#   1. 90,000 dossiers received through the API (eiso-dossierbench: its own
#      unit, agencies, catalogue and counter clerk), each a search item;
#   2. 10,000 documents with a draft (eiso-docbench --only revisions);
#   3. once the index holds 100,000 items, each page asked 50 times
#      (eiso-docbench --only pages) as the document controller, and the search
#      over everything as the administrator.
# PAGESBENCH_DOSSIERS, PAGESBENCH_DOCUMENTS and PAGESBENCH_REPEAT change the
# sizes; PAGESBENCH_PORT the port.
#
#   clients/docbench/pages.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. clients/benchkit/release.sh
build_release eiso-docbench eiso-dossierbench
PORT="${PAGESBENCH_PORT:-50083}"
DOSSIERS="${PAGESBENCH_DOSSIERS:-90000}"
DOCUMENTS="${PAGESBENCH_DOCUMENTS:-10000}"
REPEAT="${PAGESBENCH_REPEAT:-50}"
export BENCH_ADMIN_PASSWORD=pagesbench-admin-password-123
export DOSSIERBENCH_PASSWORD=dossierbench-user-password-123
export DOCBENCH_REVIEWER_PASSWORD=docbench-reviewer-password-123
export DOCBENCH_CONTROLLER_PASSWORD=docbench-controller-password-123

EISO_ADMIN_PASSWORD=$BENCH_ADMIN_PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:$PORT" --data-dir "$T/data" \
    >"$T/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "eiso-server serving" "$T/server.log" && break; sleep 0.2; done
grep -q "eiso-server serving" "$T/server.log" || { cat "$T/server.log" >&2; exit 2; }
echo "server pid $SERVER on 127.0.0.1:$PORT, data in $T; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$BIN/eiso-dossierbench" --server "http://127.0.0.1:$PORT" --admin-password-env BENCH_ADMIN_PASSWORD \
    --output json --setup setup >"$T/setup.json"
"$BIN/eiso-dossierbench" --server "http://127.0.0.1:$PORT" --admin-password-env BENCH_ADMIN_PASSWORD \
    --output json receive --clients 8 --count "$DOSSIERS" >"$T/receive.json"
docbench() {
    "$BIN/eiso-docbench" --server "http://127.0.0.1:$PORT" \
        --username docbench.thuky --password-env DOCBENCH_CONTROLLER_PASSWORD \
        --reviewer-username docbench.lanhdao --reviewer-password-env DOCBENCH_REVIEWER_PASSWORD \
        --admin-password-env BENCH_ADMIN_PASSWORD "$@"
}
docbench --setup --only revisions --revisions "$DOCUMENTS" --cycles 1 --output json >"$T/documents.json"
docbench --only pages --pages-repeat "$REPEAT" --expect-items $((DOSSIERS + DOCUMENTS)) --output json >"$T/pages.json"
RSS=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")

jq -r --argjson rss "$RSS" '
  def r: . * 10 | round / 10;
  "search index: \(.pages.index_items) items",
  (.pages.pages[] | "GET \(.path) as the \(.who) (\(.bytes / 1024 | floor) KB): p50 \(.latency_ms.p50 | r) ms, p95 \(.latency_ms.p95 | r) ms, max \(.latency_ms.max | r) ms"),
  "server peak RSS (VmHWM): \($rss) KiB"
' "$T/pages.json"
jq -r '"dossiers received: \(.receive.count) in \(.receive.seconds | round) s"' "$T/receive.json"
jq -r '"documents with a draft: \(.revisions.documents_with_draft.count) at \(.revisions.documents_with_draft.per_second | round) /s"' "$T/documents.json"
echo "reports: $T/{receive,documents,pages}.json, server log: $T/server.log"
