#!/usr/bin/env bash
# Builds one fuzz target with cargo-afl and runs it for a bounded number of executions.
#
#   fuzz/run.sh TARGET EXECS      e.g. fuzz/run.sh number 10000000
#   fuzz/run.sh TARGET 600s       run for 600 seconds instead (AFL's -V)
#
# TARGET is one of rules, csv, json, number, script. Seeds come from fuzz/seeds/TARGET;
# AFL's queue, crashes and hangs go to fuzz/out/TARGET (kept out of git, replaced on each
# run). Prints executions, exec/s, crashes and hangs at the end. The fuzzer runs under
# `nice -n 19` (set NICE=0 to change that) on one core, without binding to it.
#
# Needs cargo-afl: `cargo install cargo-afl --locked && cargo afl config --build`.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET EXECS|SECONDSs}
budget=${2:?usage: fuzz/run.sh TARGET EXECS|SECONDSs}
case "$target" in rules | csv | json | number | script) ;; *)
  echo "unknown target \`$target\`: rules, csv, json, number or script" >&2
  exit 2
  ;;
esac
case "$budget" in
  *s) bound=(-V "${budget%s}") ;;
  *) bound=(-E "$budget") ;;
esac
nice=${NICE:-19}

nice -n "$nice" cargo afl build --release --bin "$target" --quiet

out="out/$target"
rm -rf "$out"
mkdir -p out
# AFL_NO_AFFINITY: the machine is shared; AFL_SKIP_CPUFREQ and
# AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES: no tuning of the host needed; AFL_NO_UI: plain log.
# -t 1000: an execution over one second of wall time is a hang (the script target also
# asserts one second of CPU time per evaluation inside the target).
AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
  AFL_SKIP_CRASHES=1 \
  nice -n "$nice" cargo afl fuzz -i "seeds/$target" -o "$out" "${bound[@]}" -t 1000 \
  -- "target/release/$target" >"out/$target.log" 2>&1 || {
  echo "afl-fuzz failed; the end of out/$target.log:" >&2
  tail -n 30 "out/$target.log" >&2
  exit 1
}

stats="$out/default/fuzzer_stats"
field() { sed -n "s/^$1 *: //p" "$stats"; }
crashes=$(field saved_crashes)
hangs=$(field saved_hangs)
echo "target:     $target"
echo "executions: $(field execs_done)"
echo "exec/s:     $(field execs_per_sec)"
echo "run time:   $(( $(field last_update) - $(field start_time) )) s"
echo "corpus:     $(field corpus_count) inputs"
echo "crashes:    $crashes"
echo "hangs:      $hangs"
if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
  echo "inputs: fuzz/$out/default/crashes, fuzz/$out/default/hangs;" \
    "replay: cargo run --release --bin replay -- $target FILE"
  exit 1
fi
