#!/usr/bin/env python3
"""scout.spark.rank in Spark local mode against `scout rank` on the same Parquet file.

usage: python bench/spark.py --scout PATH/TO/scout [--rows 10000000] [--cores 2] [--brand bench]

Run with the Python of an environment where the `scout` wheel and pyspark are installed
(README: "Python and Spark"). Generates the file once under target/bench-data/ with
python/tests/gen_candidates.py (seed 42), then times, after one warm-up query:
  - `scout rank FILE --brand B --top 100 --format json` (every core: rayon);
  - `scout.spark.rank(spark.read.parquet(FILE), rules, B, top=100)` on local[CORES],
    the file split into CORES * 2 partitions;
  - the same without `top`, every row written back (`.write.format("noop")`),
and checks the two top 100 agree. Prints rows/s and rows/s per core for each.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python" / "tests"))
import gen_candidates  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scout", required=True)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--brand", default="bench")
    args = ap.parse_args()
    rules = ROOT / "rules"
    data = ROOT / "target" / "bench-data"
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"candidates-{args.rows}-42.parquet"
    if not path.exists():
        t = time.perf_counter()
        gen_candidates.write(args.rows, path.with_suffix(".partial"), 42)
        path.with_suffix(".partial").rename(path)
        print(f"generated {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)

    t = time.perf_counter()
    out = subprocess.run([args.scout, "rank", path, "--rules", rules, "--brand", args.brand,
                          "--top", "100", "--format", "json"], capture_output=True, check=True)
    cli_s = time.perf_counter() - t
    cli = json.loads(out.stdout)

    import os

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers: this venv

    import scout.spark

    spark = (SparkSession.builder.master(f"local[{args.cores}]")
             .config("spark.ui.enabled", "false").config("spark.driver.memory", "4g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.parquet(str(path))
    parts = df.rdd.getNumPartitions()
    if parts < args.cores * 2:
        df = df.repartition(args.cores * 2)
        parts = args.cores * 2
    df.limit(1000).count()  # warm-up: JVM, Python workers
    scout.spark.rank(df.limit(1000), rules, args.brand, top=10).collect()

    t = time.perf_counter()
    best = scout.spark.rank(df, rules, args.brand, top=100).collect()
    top_s = time.perf_counter() - t
    assert [(r.handle, r.score) for r in best] == \
        [(r["handle"], r["score"]) for r in cli["results"]], "top 100 differ"

    t = time.perf_counter()
    scout.spark.rank(df, rules, args.brand).write.format("noop").mode("overwrite").save()
    all_s = time.perf_counter() - t

    n = args.rows
    print(f"rows {n:,}, Spark local[{args.cores}], {parts} partitions; same top 100: yes")
    for name, secs, cores in [("scout rank --top 100 (CLI)", cli_s, args.cores),
                              ("scout.spark.rank top=100", top_s, args.cores),
                              ("scout.spark.rank, every row", all_s, args.cores)]:
        print(f"{name:32} {secs:7.1f} s  {n / secs:12,.0f} rows/s  "
              f"{n / secs / cores:12,.0f} rows/s/core")
    spark.stop()


if __name__ == "__main__":
    main()
