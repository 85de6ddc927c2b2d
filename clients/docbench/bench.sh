#!/usr/bin/env bash
# The document-control benchmark, by hand: a fresh release eiso-server on
# SQLite (127.0.0.1:50081, temporary data directory), a unit and two users
# created through the API (eiso-docbench --setup), then
#   1. drafts per second and full publish cycles per second;
#   2. a 200 MiB file uploaded and downloaded (checked by SHA-256), then
#      uploaded again through the web app's page (multipart/form-data), with
#      the server's RSS sampled every 0.1 s (after 1 MiB warm-up transfers
#      both ways);
# then the server's peak RSS (VmHWM) and SIGTERM. Extra arguments go to
# eiso-docbench (e.g. --revisions 100 --cycles 50 --concurrency 4).
# DOCBENCH_PORT and DOCBENCH_FILE_MIB change the port and the file size.
#
#   clients/docbench/bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
. clients/benchkit/release.sh
build_release eiso-docbench
PORT="${DOCBENCH_PORT:-50081}"
FILE_MIB="${DOCBENCH_FILE_MIB:-200}"
export DOCBENCH_ADMIN_PASSWORD=docbench-admin-password-123
export DOCBENCH_REVIEWER_PASSWORD=docbench-reviewer-password-123
CONTROLLER_PASSWORD=docbench-controller-password-123

EISO_ADMIN_PASSWORD=$DOCBENCH_ADMIN_PASSWORD "$BIN/eiso-server" --listen "127.0.0.1:$PORT" --data-dir "$T/data" \
    >"$T/server.log" 2>&1 &
SERVER=$!
SAMPLER=
trap 'kill $SERVER $SAMPLER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "eiso-server serving" "$T/server.log" && break; sleep 0.2; done
grep -q "eiso-server serving" "$T/server.log" || { cat "$T/server.log" >&2; exit 2; }

rss() { ps -o rss= -p "$SERVER" | tr -d ' '; }
RSS_START=$(rss)
echo "server pid $SERVER on 127.0.0.1:$PORT, RSS at start $RSS_START KiB, data in $T" >&2

bench() {
    echo "$CONTROLLER_PASSWORD" | "$BIN/eiso-docbench" --server "http://127.0.0.1:$PORT" \
        --username docbench.thuky --password-stdin \
        --reviewer-username docbench.lanhdao --reviewer-password-env DOCBENCH_REVIEWER_PASSWORD \
        --output json "$@"
}

bench --setup --admin-password-env DOCBENCH_ADMIN_PASSWORD --only revisions "$@" >"$T/revisions.json"
# Each sign-in is an argon2 verification (19 MiB) on a blocking thread, whose
# memory the allocator keeps: a 1 MiB transfer first, with the same sign-in,
# so that the reading before the upload is not the sign-in's.
bench --only files --file-mib 1 "$@" >/dev/null
bench --only files --file-mib 1 --upload-via web "$@" >/dev/null
RSS_IDLE=$(rss)

# RSS every 0.1 s while the file goes up and comes back: "<unix ms> <KiB>".
( while kill -0 "$SERVER" 2>/dev/null; do echo "$(date +%s%3N) $(rss)"; sleep 0.1; done ) >"$T/rss.log" &
SAMPLER=$!
# The file through the web app's upload first (multipart/form-data from the
# document page, as a browser sends it), then through gRPC: each starts from
# the warmed-up idle process, not from what the other left.
bench --only files --file-mib "$FILE_MIB" --upload-via web "$@" >"$T/files-web.json"
sleep 1
bench --only files --file-mib "$FILE_MIB" "$@" >"$T/files.json"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER/status")
RSS_AFTER=$(rss)

# The highest sample within [start, end] of a transfer (one sample either side
# is counted too: the process may peak between two samples).
peak() {
    local start end
    start=$(jq -r ".file.$1.start_unix_ms" "${2:-$T/files.json}")
    end=$(jq -r ".file.$1.end_unix_ms" "${2:-$T/files.json}")
    awk -v s="$start" -v e="$end" '$1 >= s - 100 && $1 <= e + 100 && $2 > max { max = $2 } END { print max + 0 }' "$T/rss.log"
}
# The level the process held in the second before a transfer started (the
# highest sample: a sign-in just before can trim the heap for a moment, and a
# dip is not the level): what the transfer adds is measured from there.
before() {
    local start
    start=$(jq -r ".file.$1.start_unix_ms" "${2:-$T/files.json}")
    awk -v s="$start" '$1 >= s - 1000 && $1 < s && $2 > max { max = $2 } END { print max + 0 }' "$T/rss.log"
}
UPLOAD_BEFORE=$(before upload)
WEB_UPLOAD_BEFORE=$(before upload "$T/files-web.json")
UPLOAD_PEAK=$(peak upload)
DOWNLOAD_PEAK=$(peak download)
WEB_UPLOAD_PEAK=$(peak upload "$T/files-web.json")

kill -TERM "$SERVER"
STOPPED=false
wait "$SERVER" && STOPPED=true

jq -n --slurpfile r "$T/revisions.json" --slurpfile f "$T/files.json" --slurpfile w "$T/files-web.json" \
    --argjson start "$RSS_START" --argjson idle "$RSS_IDLE" --argjson after "$RSS_AFTER" \
    --argjson up "$UPLOAD_PEAK" --argjson down "$DOWNLOAD_PEAK" --argjson webup "$WEB_UPLOAD_PEAK" --argjson hwm "$HWM" \
    --argjson upbefore "$UPLOAD_BEFORE" --argjson webupbefore "$WEB_UPLOAD_BEFORE" \
    --argjson samples "$(wc -l <"$T/rss.log")" --argjson stopped "$STOPPED" '{
        revisions: $r[0].revisions, concurrency: $r[0].concurrency, file: $f[0].file, web_upload: $w[0].file.upload,
        server_rss_kib: {at_start: $start, idle_before_upload: $idle, peak_sampled_upload: $up,
                         peak_sampled_download: $down, peak_sampled_web_upload: $webup,
                         before_upload: $upbefore, before_web_upload: $webupbefore,
                         added_by_upload: ($up - $upbefore), added_by_web_upload: ($webup - $webupbefore), after_download: $after, vm_hwm: $hwm,
                         samples: $samples, sample_interval_s: 0.1},
        server_stopped_cleanly_on_sigterm: $stopped
    }' >"$T/report.json"

jq -r '
  "documents with a draft: \(.revisions.documents_with_draft.count) in \(.revisions.documents_with_draft.seconds * 100 | round / 100) s = \(.revisions.documents_with_draft.per_second * 10 | round / 10) /s (\(.concurrency) clients)",
  "full publish cycles:    \(.revisions.publish_cycles.count) in \(.revisions.publish_cycles.seconds * 100 | round / 100) s = \(.revisions.publish_cycles.per_second * 10 | round / 10) /s",
  "upload   \(.file.mib) MiB: \(.file.upload.seconds * 100 | round / 100) s = \(.file.upload.mb_per_s * 10 | round / 10) MB/s",
  "upload   \(.file.mib) MiB from the web page: \(.web_upload.seconds * 100 | round / 100) s = \(.web_upload.mb_per_s * 10 | round / 10) MB/s",
  "download \(.file.mib) MiB: \(.file.download.seconds * 100 | round / 100) s = \(.file.download.mb_per_s * 10 | round / 10) MB/s, identical: \(.file.download_identical) (sha256 \(.file.sha256))",
  "server RSS KiB: start \(.server_rss_kib.at_start), idle before upload \(.server_rss_kib.idle_before_upload), peak sampled during upload \(.server_rss_kib.peak_sampled_upload), during download \(.server_rss_kib.peak_sampled_download), during the web page upload \(.server_rss_kib.peak_sampled_web_upload), VmHWM \(.server_rss_kib.vm_hwm)",
  "added by the upload: \(.server_rss_kib.added_by_upload) KiB (gRPC), \(.server_rss_kib.added_by_web_upload) KiB (web page), over the level in the second before each",
  "server stopped cleanly on SIGTERM: \(.server_stopped_cleanly_on_sigterm)"
' "$T/report.json"
echo "full report: $T/report.json (RSS samples: $T/rss.log, server log: $T/server.log)"
