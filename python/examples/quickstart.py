"""Score the bundled candidates for GlowSkin from Python (run from the repository root)."""

from collections import Counter

import pyarrow.csv

import scout

rules = scout.Rules("rules")
print(rules, rules.brands)
batch = pyarrow.csv.read_csv("examples/candidates.csv").to_batches()[0]
scored = rules.rank_batch("glowskin", batch)
print(dict(Counter(scored.column("verdict").to_pylist())))
for row in scout.top(scored, 3).to_pylist():
    print(row["handle"], row["tier"], row["score"], row["verdict"])
filtered = next(r for r in scored.to_pylist() if r["verdict"] == "filtered")
print(filtered["handle"], filtered["reasons"])
