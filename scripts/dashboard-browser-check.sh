#!/usr/bin/env bash
# The live dashboard of `scout serve` in headless Chromium, driven over the DevTools protocol
# (scripts/dashboard_cdp.py, Python stdlib only): the page must show the ranking and the
# charts, a new revision and its change list within 2 s of a weight edit, the red banner
# with the diagnostic after a broken save (and the revision still serving), and clear the
# banner once the folder is valid again; then, on a list with a hostile handle, that data
# shows only as text. The server has a token, which the page reads from `#token=`. Fails on
# console errors, uncaught exceptions and anything the page's Content-Security-Policy
# refuses.
#
#   scripts/dashboard-browser-check.sh [OUT_DIR]
#
# Serves a copy of the bundled rules/ with --candidates examples/candidates.csv on a free
# loopback port. Screenshots (1280 px wide, whole page) go to OUT_DIR (default: a temp
# dir), or to SCREENSHOTS=DIR: `SCREENSHOTS=docs scripts/dashboard-browser-check.sh`
# refreshes docs/dashboard.png and docs/dashboard-error.png. Set SCOUT=path/to/scout to use
# another binary, CHROMIUM=path to use another browser. Needs /usr/bin/chromium (Debian:
# `apt-get install -y chromium`).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-$(mktemp -d)}"
mkdir -p "$out"
shots="${SCREENSHOTS:-$out}"
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
scout="$(realpath "$scout")"

work="$(mktemp -d)"
cp -R rules "$work/rules"
cp examples/candidates.csv "$work/candidates.csv"
# The same list with a handle and a bio made to run script if anything shows them as HTML.
{ cat examples/candidates.csv
  echo '"<img src=x onerror=console.error(1)>",instagram,15300,990,488,535.4,11.8,,,nature;wanderlust,NO,0.05,190,"<script>console.error(2)</script>"'
} >"$work/hostile.csv"
# Every run has a token, so the page's way of sending it is what is checked.
token="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts `scout serve` on a copy of the rules with the list `$1`; sets `server` and `url`.
start_server() {
  (cd "$work" && SCOUT_TOKEN="$token" exec "$scout" serve --rules rules --candidates "$1" \
    --addr 127.0.0.1:0 --debounce 50) 2>"$out/serve-$1.log" &
  server=$!
  url=""
  for _ in $(seq 200); do
    url="$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$out/serve-$1.log" | head -n 1)"
    [ -n "$url" ] && return 0
    if ! kill -0 "$server" 2>/dev/null; then cat "$out/serve-$1.log" >&2; exit 1; fi
    sleep 0.05
  done
  echo "error: scout serve printed no address (see $out/serve-$1.log)" >&2; exit 1
}

stop_server() {
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

start_server candidates.csv
python3 scripts/dashboard_cdp.py live "$chromium" "$url" "$token" "$work/rules" "$out" "$shots"
stop_server
start_server hostile.csv
python3 scripts/dashboard_cdp.py hostile "$chromium" "$url" "$token" "$out"
stop_server
echo "ok: dashboard → $shots/dashboard.png, $shots/dashboard-error.png"
