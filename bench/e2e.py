#!/usr/bin/env python3
"""End-to-end benchmark: scout against polars and DuckDB on the benchmark formula.

usage: python3 bench/e2e.py [--rows 100000,1000000,10000000] [--runs 5] [--shared DIR]
                           [--scout BIN] [--formats csv,parquet]

It builds scout in release mode, makes a virtual environment with polars and duckdb
(pip), generates candidate files with the shared generator (once; they are kept under
target/bench-data/), then, for each size:
  - times `scout rank FILE --brand bench --top 100` and the two peers, the same number of
    runs each, interleaved, and reports the median wall time and the peak RSS;
  - checks that all three give the same top 100 (handles, and scores to 4 decimals);
  - with `parquet` among --formats, writes the list as Parquet (snappy, with polars) next to
    the CSV file and times `scout rank FILE.parquet ...` against polars' same query on the
    same Parquet file (bench/peer_polars.py), checking the same top 100;
and finally prints the targets, met or not, with the figures:
  1. end to end on 1M rows: scout <= 0.8 x polars' wall time, same top 100;
  2. the benchmark formula on the compiled fast path >= 5M evaluations/s per core
     (from `cargo bench --bench eval`, criterion);
  3. --top 100 over 10M rows: peak RSS <= 64 MiB;
  4. cost grows linearly: the cost of each further row is the same at every size
     (start-up aside);
  5. Parquet 10M (else the largest size run): scout <= 0.8 x polars' wall time, same top 100.
`--scout BIN` times a binary already built (a non-LTO release build is quicker to make)
instead of building the fat-LTO release.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "target" / "bench-data"
VENV = ROOT / "target" / "bench-venv"


def run(cmd, **kw):
    print("$", " ".join(str(c) for c in cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd):
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{cmd} failed with status {status}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def top_of_scout(text):
    rows = text.strip().splitlines()[1:]
    return [(r.split(",")[1], round(float(r.split(",")[5]), 4)) for r in rows]


def top_of_peer(text):
    return [(line.split(",")[0], round(float(line.split(",")[1]), 4)) for line in text.strip().splitlines()]


def scout_cmd(scout, path):
    return [str(scout), "rank", str(path), "--brand", "bench", "--top", "100", "--format", "csv",
            "--rules", str(ROOT / "rules")]


def compare(cmds, runs, n, title):
    """Times cmds interleaved, runs times each; prints and returns (medians, peak RSS, same top)."""
    walls = {k: [] for k in cmds}
    rss = {k: 0.0 for k in cmds}
    outs = {}
    for _ in range(runs):
        for name, cmd in cmds.items():
            wall, peak, out = timed(cmd)
            walls[name].append(wall)
            rss[name] = max(rss[name], peak)
            outs[name] = out
    tops = {k: top_of_scout(v) if k == "scout" else top_of_peer(v) for k, v in outs.items()}
    same = all(t == tops["scout"] for t in tops.values()) and len(tops["scout"]) == 100
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(f"\n{title}, median of {runs} runs:")
    for name in cmds:
        print(f"  {name:7} {med[name]:7.3f} s  {rss[name]:7.1f} MiB peak  "
              f"{n / med[name] / 1e6:6.2f}M rows/s  ratio to polars {med[name] / med['polars']:.2f}")
    print(f"  top 100 identical across {', '.join(cmds)}: {'yes' if same else 'NO'}")
    return med, rss, same


def fmt_rows(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}K"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="100000,1000000,10000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--skip-criterion", action="store_true")
    parser.add_argument("--scout", help="a scout binary to time, instead of building the release")
    parser.add_argument("--formats", default="csv,parquet")
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    formats = args.formats.split(",")
    bench = Path(args.shared) / "bench"

    if args.scout:
        scout = Path(args.scout).resolve()
    else:
        run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
        scout = ROOT / "target" / "release" / "scout"
    python = VENV / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(VENV)])
        run([str(python), "-m", "pip", "install", "--quiet", "polars", "duckdb"])
    DATA.mkdir(parents=True, exist_ok=True)

    results = {}
    parquet_results = {}
    for n in sizes:
        path = DATA / f"candidates-{n}.csv"
        if not path.exists():
            with open(path.with_suffix(".tmp"), "w") as f:
                run([sys.executable, str(bench / "gen_candidates.py"), str(n)], stdout=f)
            path.with_suffix(".tmp").rename(path)
        if "csv" in formats:
            cmds = {
                "scout": scout_cmd(scout, path),
                "polars": [str(python), str(bench / "peer_polars.py"), str(path), "100"],
                "duckdb": [str(python), str(bench / "peer_duckdb.py"), str(path), "100"],
            }
            runs = args.runs if n <= 1_000_000 else max(1, args.runs // 2)
            results[n] = compare(cmds, runs, n, f"{fmt_rows(n)} rows ({path.stat().st_size / 1e6:.0f} MB)")
        if "parquet" in formats:
            parquet = path.with_suffix(".parquet")
            if not parquet.exists():
                run([str(python), "-c", "import polars as pl, sys; "
                     "pl.read_csv(sys.argv[1]).write_parquet(sys.argv[2] + '.tmp', compression='snappy')",
                     str(path), str(parquet)])
                Path(str(parquet) + ".tmp").rename(parquet)
            cmds = {
                "scout": scout_cmd(scout, parquet),
                "polars": [str(python), str(ROOT / "bench" / "peer_polars.py"), str(parquet), "100"],
            }
            runs = args.runs if n <= 1_000_000 else max(1, args.runs // 2)
            parquet_results[n] = compare(
                cmds, runs, n, f"Parquet, {fmt_rows(n)} rows ({parquet.stat().st_size / 1e6:.0f} MB, snappy)")

    formula = None
    if not args.skip_criterion:
        out = subprocess.run(["cargo", "bench", "--bench", "eval", "--", "formula/bench/fast_path",
                              "--warm-up-time", "1", "--measurement-time", "3"],
                             cwd=ROOT, check=True, capture_output=True, text=True).stdout
        m = re.search(r"formula/bench/fast_path.*?thrpt:\s+\[\S+ \S+ (\S+) (\S+)", out, re.S)
        if m:
            value, unit = float(m.group(1)), m.group(2)
            formula = value * {"Kelem/s": 1e3, "Melem/s": 1e6, "Gelem/s": 1e9}.get(unit, 1)

    print("\ntargets:")
    if 1_000_000 in results:
        med, _, same = results[1_000_000]
        ratio = med["scout"] / med["polars"]
        ok = ratio <= 0.8 and same
        print(f"  1. end to end, 1M rows: scout {med['scout']:.3f} s = {ratio:.2f} x polars "
              f"({med['polars']:.3f} s), duckdb {med['duckdb']:.3f} s; same top 100: {same} -> "
              f"{'MET' if ok else 'NOT MET'} (target <= 0.80)")
    if formula is not None:
        print(f"  2. formula on the fast path: {formula / 1e6:.1f}M evaluations/s on one core -> "
              f"{'MET' if formula >= 5e6 else 'NOT MET'} (target >= 5M/s)")
    if 10_000_000 in results:
        _, rss, _ = results[10_000_000]
        print(f"  3. --top 100 over 10M rows: peak RSS {rss['scout']:.1f} MiB -> "
              f"{'MET' if rss['scout'] <= 64 else 'NOT MET'} (target <= 64 MiB)")
    if parquet_results:
        n = 10_000_000 if 10_000_000 in parquet_results else max(parquet_results)
        med, rss, same = parquet_results[n]
        ratio = med["scout"] / med["polars"]
        ok = ratio <= 0.8 and same
        note = "" if n == 10_000_000 else f" (measured at {fmt_rows(n)}, not 10M)"
        print(f"  5. Parquet 10M: scout {med['scout']:.3f} s = {ratio:.2f} x polars ({med['polars']:.3f} s), "
              f"RSS {rss['scout']:.0f} vs {rss['polars']:.0f} MiB; same top 100: {same} -> "
              f"{'MET' if ok else 'NOT MET'} (target <= 0.80){note}")
    sizes_done = sorted(results)
    per_row = {n: results[n][0]["scout"] / n * 1e9 for n in sizes_done}
    if len(sizes_done) > 1:
        # Linear means time = start-up + rows x cost: the cost of each further row (the slope
        # between consecutive sizes) stays the same, whatever the size.
        slopes = [
            (results[b][0]["scout"] - results[a][0]["scout"]) / (b - a) * 1e9
            for a, b in zip(sizes_done, sizes_done[1:])
        ]
        spread = max(slopes) / min(slopes)
        cells = ", ".join(f"{fmt_rows(n)}: {ns:.0f} ns/row" for n, ns in per_row.items())
        marginal = ", ".join(
            f"{fmt_rows(a)}->{fmt_rows(b)}: {ns:.0f} ns/row" for (a, b), ns in zip(zip(sizes_done, sizes_done[1:]), slopes)
        )
        print(f"  4. scaling: {cells} (start-up included); each further row costs {marginal}; "
              f"ratio {spread:.2f} -> {'MET' if spread <= 1.5 else 'NOT MET'} (linear: further rows cost the same within 1.5x)")


if __name__ == "__main__":
    main()
