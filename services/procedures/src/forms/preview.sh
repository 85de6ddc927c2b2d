#!/usr/bin/env bash
# Development tool, not used by the build or the tests: renders every form of a sample dossier
# (the ignored test `forms::tests::write_preview`), prints each page to PDF with headless
# Chromium as a counter would print it, reports its page count and size, and turns the pages
# into PNGs to look at.
#
# Needs Debian's chromium, fonts-croscore (Tinos: Times New Roman's widths, every Vietnamese
# letter) and poppler-utils (.ci/run installs them):
#   apt-get update && apt-get install -y chromium fonts-croscore poppler-utils
#
# Usage: services/procedures/src/forms/preview.sh [OUT_DIR]      (default /tmp/eiso-forms-preview)
#   FORMS_HTML_DIR=DIR     print the .html files in DIR instead of rendering the sample ones
#                          (e.g. an office's own templates rendered by the server)
#   PREVIEW_CARGO_ARGS=…   how to reach the test (default: -p eiso-procedures --lib)
#   DPI=…                  resolution of the PNGs (default 60)
set -euo pipefail

out=${1:-/tmp/eiso-forms-preview}
mkdir -p "$out"
rm -f "$out"/*.pdf "$out"/*.png

if [[ -z "${FORMS_HTML_DIR:-}" ]]; then
  root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
  # shellcheck disable=SC2086
  (cd "$root" && EISO_FORMS_PREVIEW_DIR="$out" cargo test -q ${PREVIEW_CARGO_ARGS:--p eiso-procedures --lib} \
    forms::tests::write_preview -- --ignored --exact >/dev/null)
  html_dir=$out
else
  html_dir=$FORMS_HTML_DIR
fi

browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[[ -n "$browser" ]] || { echo "chromium not found" >&2; exit 1; }

for html in "$html_dir"/*.html; do
  name=$(basename "$html" .html)
  pdf="$out/$name.pdf"
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --no-pdf-header-footer \
    --print-to-pdf="$pdf" "file://$(realpath "$html")" >/dev/null 2>&1
  pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
  size=$(pdfinfo "$pdf" | awk -F': *' '/^Page size:/ {print $2}')
  echo "$name.pdf: $pages page(s), $size"
  pdftoppm -png -r "${DPI:-60}" "$pdf" "$out/$name"
done
echo "PDFs and PNGs in $out"
