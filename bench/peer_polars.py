#!/usr/bin/env python3
"""Peer: the benchmark brand's scoring with polars. usage: peer_polars.py FILE.csv|FILE.parquet [TOP]
Copied from shared/bench (which already scans Parquet by extension) so bench/e2e.py's Parquet run
does not depend on the shared copy."""
import sys, polars as pl
f = sys.argv[1]; top = int(sys.argv[2]) if len(sys.argv) > 2 else 100
w = {"beauty": 1.0, "fashion": 0.7, "fitness": 0.5, "food": 0.2}
c = pl.scan_parquet(f) if f.endswith(".parquet") else pl.scan_csv(f)
er = pl.when(pl.col("followers") > 0).then((pl.col("avg_likes") + pl.col("avg_comments") + pl.col("avg_shares")) / pl.col("followers")).otherwise(0.0)
fo = pl.col("followers")
bench = pl.when(fo < 2000).then(0.05).when(fo <= 100000).then(0.03).when(fo <= 500000).then(0.02).when(fo <= 1000000).then(0.015).otherwise(0.01)
niche = pl.col("niches").str.split(";").list.eval(pl.element().replace_strict(w, default=0.0, return_dtype=pl.Float64)).list.max().fill_null(0.0)
q = (c.filter((pl.col("fake_follower_pct") <= 0.3) & pl.col("country").is_in(["US", "GB", "CA", "AU"]))
      .with_columns(er.alias("er"), bench.alias("bench"), niche.alias("niche"))
      .with_columns((100 * (0.4 * pl.min_horizontal(pl.col("er") / pl.col("bench"), pl.lit(2.0)) / 2.0 + 0.3 * pl.col("niche")
           + 0.2 * pl.min_horizontal(pl.lit(1.0), pl.col("followers") * pl.col("er") / (pl.col("cost_per_post") * 50.0))
           + 0.1 * (1.0 - pl.col("fake_follower_pct")))).round(4).alias("score"))
      .sort(["score", "handle"], descending=[True, False]).head(top).select(["handle", "score"]))
for h, s in q.collect().iter_rows():
    print(f"{h},{s}")
