#!/usr/bin/env python3
"""End-to-end benchmark: scout against polars and DuckDB on the benchmark formula.

usage: python3 bench/e2e.py [--rows 100000,1000000,10000000] [--runs 5] [--shared DIR]
                           [--scout BIN] [--formats csv,parquet,ndjson,brands] [--floors]

It builds scout in release mode (or times `--scout BIN`, e.g. a quicker non-LTO release
build), makes a virtual environment with polars and duckdb (pip), generates candidate
files with the shared generator (once; kept under target/bench-data/), then:
  - csv: for each size, times `scout rank FILE --brand bench --top 100 --format csv` and
    the two peers, interleaved, the same number of runs each (median wall and CPU time,
    peak RSS), and checks that all three give the same top 100; then, at the largest size,
    one run each of `--format json` and `--format ndjson` for their peak RSS;
  - parquet: writes each list as Parquet (snappy, with polars) and times scout against
    polars' same query on that file, same top 100;
  - ndjson: writes the 1M list as NDJSON (with polars) and times scout on it against scout
    on the CSV file;
  - brands: at 1M, each bundled brand alone and the four in one read (`--brand` x4,
    `--output 'out-{brand}.csv'`);
With --floors it also builds the two floor examples and times them in the same runs:
`examples/csv_floor.rs` (the query written by hand over scout's own CSV pieces, with the
work scout owes every row: all 13 cells checked, accounts hashed, every filter judged) on
each CSV file, and `examples/parquet_decode.rs` (arrow-rs decoding every column, nothing
else) on each Parquet file: the least time any engine built on those pieces could take.

It prints the five targets of the speed issue II, met or not, with the figures:
  1. CSV at every size: scout's wall time <= 0.8 x polars', and at 10M its CPU time <= polars';
  2. --format json and ndjson with --top 100 over 10M rows: peak RSS <= 64 MiB;
  3. NDJSON input ranks at >= 50 % of the CSV speed (1M rows);
  4. Parquet 10M: scout <= 0.8 x polars' wall time, same top 100;
  5. N brands in one read cost <= 1 + 0.3 x (N - 1) single-brand runs (N = 4: 1.9).
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
    """Runs cmd; returns (wall seconds, peak RSS in MiB, stdout, CPU seconds: user + system)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status not in (0, 256):  # scout exits 1 when some rows are unusable
        raise SystemExit(f"{cmd} failed with status {status}")
    return wall, usage.ru_maxrss / 1024, out.decode(), usage.ru_utime + usage.ru_stime


def top_of_scout(text):
    rows = text.strip().splitlines()[1:]
    return [(r.split(",")[1], round(float(r.split(",")[5]), 4)) for r in rows]


def top_of_peer(text):
    return [(line.split(",")[0], round(float(line.split(",")[1]), 4)) for line in text.strip().splitlines()]


def scout_cmd(scout, path, fmt="csv", brand="bench"):
    return [str(scout), "rank", str(path), "--brand", brand, "--top", "100", "--format", fmt,
            "--rules", str(ROOT / "rules")]


BRANDS = ["glowskin", "pulsefit", "trailpack", "littlenest"]


def brands_cmds(scout, path, out_dir):
    """Each bundled brand alone, and all four in one read (one output file each)."""
    cmds = {b: scout_cmd(scout, path, brand=b) for b in BRANDS}
    together = [str(scout), "rank", str(path), "--top", "100", "--format", "csv",
                "--rules", str(ROOT / "rules"), "--output", str(out_dir / "out-{brand}.csv")]
    for b in BRANDS:
        together += ["--brand", b]
    cmds["all4"] = together
    return cmds


def compare(cmds, runs, n, title, cpu=None, base="polars", same_top=True):
    """Times cmds interleaved, runs times each; prints and returns (medians, peak RSS, same top).
    With `cpu` (a dict), also fills it with each command's median CPU seconds. Without
    `same_top` (commands that rank differently), the top 100s are not compared."""
    walls = {k: [] for k in cmds}
    cpus = {k: [] for k in cmds}
    rss = {k: 0.0 for k in cmds}
    outs = {}
    for _ in range(runs):
        for name, cmd in cmds.items():
            wall, peak, out, used = timed(cmd)
            walls[name].append(wall)
            cpus[name].append(used)
            rss[name] = max(rss[name], peak)
            outs[name] = out
    if cpu is not None:
        cpu.update({k: statistics.median(v) for k, v in cpus.items()})
    tops = {k: top_of_scout(v) if v.startswith("rank,") else top_of_peer(v) for k, v in outs.items() if v}
    first = next(iter(tops.values()), [])
    same = all(t == first for t in tops.values()) and len(first) == 100
    med = {k: statistics.median(v) for k, v in walls.items()}
    print(f"\n{title}, median of {runs} runs:")
    for name in cmds:
        print(f"  {name:7} {med[name]:7.3f} s  {statistics.median(cpus[name]):7.3f} s CPU  "
              f"{rss[name]:7.1f} MiB peak  {n / med[name] / 1e6:6.2f}M rows/s  "
              f"ratio to {base} {med[name] / med[base]:.2f}")
    if same_top:
        print(f"  top 100 identical across {', '.join(cmds)}: {'yes' if same else 'NO'}")
    return med, rss, same


def fmt_rows(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}K"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="100000,1000000,10000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--scout", help="a scout binary to time, instead of building the release")
    parser.add_argument("--formats", default="csv,parquet,ndjson,brands")
    parser.add_argument("--floors", action="store_true",
                        help="also time the floor examples (csv_floor, parquet_decode)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.rows.split(",")]
    formats = args.formats.split(",")
    bench = Path(args.shared) / "bench"

    if args.scout:
        scout = Path(args.scout).resolve()
    else:
        run(["cargo", "build", "--release", "--quiet"], cwd=ROOT)
        scout = ROOT / "target" / "release" / "scout"
    examples = ROOT / "target" / "release" / "examples"
    if args.floors:
        run(["cargo", "build", "--release", "--quiet", "--example", "csv_floor", "--example",
             "parquet_decode"], cwd=ROOT)
    python = VENV / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(VENV)])
        run([str(python), "-m", "pip", "install", "--quiet", "polars", "duckdb"])
    DATA.mkdir(parents=True, exist_ok=True)

    results = {}
    csv_cpu = {}
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
            if args.floors:
                cmds["floor"] = [str(examples / "csv_floor"), str(path)]
            runs = args.runs if n <= 1_000_000 else max(1, args.runs // 2)
            csv_cpu[n] = {}
            results[n] = compare(cmds, runs, n, f"{fmt_rows(n)} rows ({path.stat().st_size / 1e6:.0f} MB)",
                                 cpu=csv_cpu[n])
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
            if args.floors:
                # Prints nothing on standard output, so it is left out of the top 100 check.
                cmds["decode"] = [str(examples / "parquet_decode"), str(parquet)]
            runs = args.runs if n <= 1_000_000 else max(1, args.runs // 2)
            parquet_results[n] = compare(
                cmds, runs, n, f"Parquet, {fmt_rows(n)} rows ({parquet.stat().st_size / 1e6:.0f} MB, snappy)")

    largest = max(sizes)
    middle = 1_000_000 if 1_000_000 in sizes else largest
    path = DATA / f"candidates-{middle}.csv"
    bounded = {}
    if "csv" in formats:
        big = DATA / f"candidates-{largest}.csv"
        for fmt in ("json", "ndjson"):
            wall, peak, _, _ = timed(scout_cmd(scout, big, fmt))
            bounded[fmt] = (wall, peak)
            print(f"\n{fmt_rows(largest)} rows, --top 100 --format {fmt}: {wall:.3f} s, {peak:.1f} MiB peak")
    ndjson_results = None
    if "ndjson" in formats:
        ndjson = path.with_suffix(".ndjson")
        if not ndjson.exists():
            run([str(python), "-c", "import polars as pl, sys; pl.read_csv(sys.argv[1]).write_ndjson(sys.argv[2] + '.tmp')",
                 str(path), str(ndjson)])
            Path(str(ndjson) + ".tmp").rename(ndjson)
        cmds = {"csv": scout_cmd(scout, path), "ndjson": scout_cmd(scout, ndjson)}
        ndjson_results = compare(cmds, args.runs, middle, f"scout on NDJSON against CSV, {fmt_rows(middle)} rows",
                                 base="csv")
    brand_results = None
    if "brands" in formats:
        out_dir = DATA / "brands-out"
        out_dir.mkdir(exist_ok=True)
        brand_results = compare(brands_cmds(scout, path, out_dir), max(1, args.runs // 2), middle,
                                f"four brands alone and in one read, {fmt_rows(middle)} rows", base="all4",
                                same_top=False)

    print("\ntargets (the speed issue II):")
    print_targets(results, csv_cpu, bounded, largest, ndjson_results, parquet_results, brand_results)


def verdict(ok):
    return "MET" if ok else "NOT MET"


def print_targets(results, csv_cpu, bounded, largest, ndjson_results, parquet_results, brand_results):
    """The five targets of the speed issue II, each met or not, with its figures."""
    for n, (med, _, same) in sorted(results.items()):
        ratio = med["scout"] / med["polars"]
        print(f"  1. CSV {fmt_rows(n)}: scout {med['scout']:.3f} s = {ratio:.2f} x polars ({med['polars']:.3f} s); "
              f"same top 100: {same} -> {verdict(ratio <= 0.8 and same)} (target <= 0.80)")
        if "floor" in med:
            print(f"     floor (csv_floor): {med['floor']:.3f} s = {med['floor'] / med['polars']:.2f} x polars")
    if 10_000_000 in csv_cpu:
        cpu = csv_cpu[10_000_000]
        print(f"  1. CSV 10M CPU: scout {cpu['scout']:.2f} s, polars {cpu['polars']:.2f} s "
              f"-> {verdict(cpu['scout'] <= cpu['polars'])} (target: scout <= polars)")
        if "floor" in cpu:
            print(f"     floor (csv_floor): {cpu['floor']:.2f} s CPU")
    for fmt, (wall, peak) in bounded.items():
        note = "" if largest == 10_000_000 else f" (measured at {fmt_rows(largest)}, not 10M)"
        print(f"  2. --format {fmt} --top 100 over {fmt_rows(largest)} rows: {peak:.1f} MiB peak "
              f"-> {verdict(peak <= 64)} (target <= 64 MiB){note}")
    if ndjson_results:
        med = ndjson_results[0]
        speed = med["csv"] / med["ndjson"]
        print(f"  3. NDJSON input: {med['ndjson']:.3f} s against CSV {med['csv']:.3f} s = {speed:.0%} of the CSV speed "
              f"-> {verdict(speed >= 0.5)} (target >= 50 %)")
    if parquet_results:
        n = 10_000_000 if 10_000_000 in parquet_results else max(parquet_results)
        med, rss, same = parquet_results[n]
        ratio = med["scout"] / med["polars"]
        note = "" if n == 10_000_000 else f" (measured at {fmt_rows(n)}, not 10M)"
        print(f"  4. Parquet {fmt_rows(n)}: scout {med['scout']:.3f} s = {ratio:.2f} x polars ({med['polars']:.3f} s), "
              f"RSS {rss['scout']:.0f} vs {rss['polars']:.0f} MiB; same top 100: {same} -> "
              f"{verdict(ratio <= 0.8 and same)} (target <= 0.80){note}")
        if "decode" in med:
            print(f"     floor (parquet_decode, every column): {med['decode']:.3f} s = "
                  f"{med['decode'] / med['polars']:.2f} x polars")
    if brand_results:
        med = brand_results[0]
        single = statistics.mean(med[b] for b in BRANDS)
        cost = med["all4"] / single
        limit = 1 + 0.3 * (len(BRANDS) - 1)
        print(f"  5. {len(BRANDS)} brands in one read: {med['all4']:.3f} s = {cost:.2f} single-brand runs "
              f"(mean alone {single:.3f} s) -> {verdict(cost <= limit)} (target <= {limit:.1f})")


if __name__ == "__main__":
    main()
