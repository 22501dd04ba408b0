#!/usr/bin/env python3
"""Deterministic synthetic candidates in scout's canonical columns, as Parquet.

usage: gen_candidates.py N OUT.parquet [SEED] [--bad K]

The same distributions as the shared CSV generator (seed 42 by default); handles are
unique (`user_0000000`, ...). `--bad K` also makes every K-th row unusable (a follower
count of `lots`), which turns the numeric columns into text columns.
"""

import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq

NICHES = ["beauty", "fashion", "travel", "parenting", "fitness", "food", "gaming", "tech",
          "finance", "pets", "home", "music"]
COUNTRIES = ["US", "GB", "CA", "AU", "DE", "FR", "BR", "IN", "ES", "IT", "MX", "JP"]
PLATFORMS = ["instagram", "tiktok", "youtube"]
COLUMNS = ["handle", "platform", "followers", "following", "posts", "avg_likes",
           "avg_comments", "avg_shares", "avg_views", "niches", "country",
           "fake_follower_pct", "cost_per_post"]


def rows(n, seed=42, bad=0):
    rng = random.Random(seed)
    for i in range(n):
        followers = int(10 ** rng.uniform(2.7, 7.3))
        er = max(0.001, rng.lognormvariate(-3.3, 0.6) * (followers / 10000) ** -0.15)
        platform = rng.choice(PLATFORMS)
        views = followers * rng.uniform(0.1, 1.5) if platform != "instagram" else 0
        k = 1 if rng.random() < 0.6 else 2
        niches = ";".join(rng.sample(NICHES, k))
        cost = round(max(20.0, followers / 100 * rng.uniform(0.5, 2.0)), 2)
        fake = round(min(0.9, rng.betavariate(2, 12)), 3)
        yield (f"user_{i:07d}", platform, followers, rng.randint(50, 3000),
               rng.randint(10, 4000), round(followers * er * 0.9, 1),
               round(followers * er * 0.07, 1), round(followers * er * 0.03, 1),
               round(views), niches, rng.choice(COUNTRIES), fake, cost)


def write(n, out, seed=42, bad=0, row_group=100_000):
    """Writes `n` rows to the Parquet file `out`, `row_group` rows at a time."""
    writer = None
    chunk = []
    def flush():
        nonlocal writer
        cols = list(zip(*chunk))
        arrays = {name: list(col) for name, col in zip(COLUMNS, cols)}
        if bad:
            arrays = {k: [None if v is None else str(v) for v in vs] if k not in ("handle", "platform", "niches", "country") else vs
                      for k, vs in arrays.items()}
        table = pa.table(arrays)
        if writer is None:
            writer = pq.ParquetWriter(out, table.schema)
        writer.write_table(table, row_group_size=row_group)
        chunk.clear()
    for i, row in enumerate(rows(n, seed)):
        if bad and i % bad == bad - 1:
            row = row[:2] + ("lots",) + row[3:]
        chunk.append(row)
        if len(chunk) == row_group:
            flush()
    if chunk:
        flush()
    writer.close()


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    bad = int(sys.argv[sys.argv.index("--bad") + 1]) if "--bad" in sys.argv else 0
    if bad:
        args.remove(str(bad))
    write(int(args[0]), args[1], int(args[2]) if len(args) > 2 else 42, bad)
