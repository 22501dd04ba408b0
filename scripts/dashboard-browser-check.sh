#!/usr/bin/env bash
# The live dashboard of `scout serve` in headless Chromium, driven over the DevTools protocol
# (scripts/dashboard_cdp.py, Python stdlib only): the page must show the ranking and the
# charts, a new revision and its change list within 2 s of a weight edit, the red banner
# with the diagnostic after a broken save (and the revision still serving), and clear the
# banner once the folder is valid again. Fails on console errors, uncaught exceptions and
# anything the page's Content-Security-Policy refuses.
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
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && exec "$scout" serve --rules rules --candidates candidates.csv \
  --addr 127.0.0.1:0 --debounce 50) 2>"$out/serve.log" &
server=$!
url=""
for _ in $(seq 200); do
  url="$(sed -n 's/^listening on \(http:\/\/[^ ]*\).*/\1/p' "$out/serve.log" | head -n 1)"
  [ -n "$url" ] && break
  if ! kill -0 "$server" 2>/dev/null; then cat "$out/serve.log" >&2; exit 1; fi
  sleep 0.05
done
if [ -z "$url" ]; then
  echo "error: scout serve printed no address (see $out/serve.log)" >&2; exit 1
fi

python3 scripts/dashboard_cdp.py "$chromium" "$url" "$work/rules" "$out" "$shots"
echo "ok: dashboard → $shots/dashboard.png, $shots/dashboard-error.png"
