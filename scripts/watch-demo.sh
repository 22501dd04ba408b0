#!/usr/bin/env bash
# Records the `scout watch` session shown in docs/watch.md, on a scratch copy of the rules:
# a niche weight raised, a tier experiment saved halfway, then finished (which the rule
# tests refuse), then Ctrl-C. Prints the transcript with the editor's steps as `# …` lines.
# usage: scripts/watch-demo.sh   (builds target/debug/scout first)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --locked --manifest-path "$root/Cargo.toml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/rules" "$root/examples" "$work/"
cd "$work"
out=$work/transcript
export NO_COLOR=1
: >"$out"
"$root/target/debug/scout" watch examples/candidates.csv --brand glowskin --top 8 >>"$out" 2>&1 &
pid=$!
step() { sleep "$1"; printf '%s\n' "$2" >>"$out"; }
edit() { python3 - "$@" <<'PY'
import sys
path, old, new = sys.argv[1:4]
text = open(path).read()
assert old in text, (path, old)
open(path, "w").write(text.replace(old, new, 1))
PY
}
sleep 3
step 0 "    # rules/brands/glowskin.toml: wellness = 0.6 → 1.0 (sleep and self-care sell skincare)"
edit rules/brands/glowskin.toml "wellness = 0.6" "wellness = 1.0"
sleep 3
step 0 "    # rules/tiers.toml: nano raised to 2,999, micro not moved yet (saved halfway)"
edit rules/tiers.toml "max_followers = 1_999        # 1,999 is nano …" "max_followers = 2_999"
sleep 3
step 0 "    # rules/tiers.toml: micro now starts at 3,000 (the experiment, finished)"
edit rules/tiers.toml "min_followers = 2_000        # … 2,000 is micro …" "min_followers = 3_000"
sleep 4
printf '^C\n' >>"$out"
kill -INT "$pid"
wait "$pid" || true
cat "$out"
