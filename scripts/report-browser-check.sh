#!/usr/bin/env bash
# Renders `scout report` pages in headless Chromium, offline, and fails when the browser
# logs a console error or a blocked request, or when the rendered DOM lacks the charts.
#
#   scripts/report-browser-check.sh [OUT_DIR]
#
# Builds scout (debug), writes reports for the bundled examples (glowskin with a budget,
# pulsefit) into OUT_DIR (default: a temp dir) and screenshots each at 1280x2400 as PNG.
# Set SCOUT=path/to/scout to use another binary, CHROMIUM=path to use another browser.
# Needs /usr/bin/chromium (Debian: `apt-get install -y chromium`).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "error: no Chromium at \`$chromium\`" >&2
  echo "hint: apt-get update && apt-get install -y chromium" >&2
  exit 2
fi
scout="${SCOUT:-}"
if [ -z "$scout" ]; then
  cargo build --quiet --locked
  scout=target/debug/scout
fi
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1767225600}"

# Loads `$1` (an HTML file) in headless Chromium: a screenshot to `$2.png`, the rendered DOM
# to `$2.dom.html`, the browser's log to `$2.console.log`. Fails on console messages (the
# report has no scripts, so any is an error), uncaught exceptions and failed loads.
load_page() {
  local html="$1" base="$2" profile
  profile="$(mktemp -d)"
  local flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$profile" --enable-logging=stderr --v=0 --hide-scrollbars)
  timeout 120 "$chromium" "${flags[@]}" --window-size=1280,2400 \
    --screenshot="$base.png" "file://$(realpath "$html")" >/dev/null 2>"$base.console.log" || true
  timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$(realpath "$html")" \
    >"$base.dom.html" 2>>"$base.console.log" || true
  rm -rf "$profile"
  if [ ! -s "$base.png" ] || [ ! -s "$base.dom.html" ]; then
    echo "error: Chromium rendered nothing for \`$html\`" >&2; return 1
  fi
  if grep -E ':CONSOLE[:(]|Uncaught|net::ERR_|Failed to load|Refused to' "$base.console.log" >&2; then
    echo "error: console errors in \`$html\` (see $base.console.log)" >&2; return 1
  fi
}

# The check must catch what it looks for: a page that logs an error fails it.
printf '%s' '<!DOCTYPE html><html><body><script>console.error("x")</script></body></html>' \
  >"$out/selftest.html"
if load_page "$out/selftest.html" "$out/selftest" 2>/dev/null; then
  echo "error: the console check missed a console.error; Chromium's log format changed?" >&2
  exit 1
fi

render() { # name, then scout report arguments
  local name="$1"; shift
  local html="$out/$name.html" rc=0
  "$scout" report "$@" --output "$html" 2>"$out/$name.scout.log" || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then cat "$out/$name.scout.log" >&2; return 1; fi
  load_page "$html" "$out/$name" || return 1
  local failed=0
  for chart in scatter histogram bars stacked; do
    if ! grep -q "class=\"chart $chart\"" "$out/$name.dom.html"; then
      echo "error: the rendered \`$name\` has no $chart chart" >&2; failed=1
    fi
  done
  if grep -oiE '(src|href)="[^"#][^"]*"' "$out/$name.dom.html" >&2; then
    echo "error: \`$name\` loads or links something outside the page" >&2; failed=1
  fi
  [ "$failed" -eq 0 ] && echo "ok: $name → $out/$name.png"
  return "$failed"
}

render glowskin examples/candidates.csv --brand glowskin --budget 1000
render pulsefit examples/candidates.csv --brand pulsefit
