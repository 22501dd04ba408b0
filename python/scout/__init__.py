"""scout from Python: the Rust engine behind a thin binding.

>>> import scout, pyarrow.parquet as pq
>>> rules = scout.Rules("rules")              # checked as `scout check` does
>>> out = rules.rank_batch("glowskin", pq.read_table("c.parquet").to_batches()[0])

Every decision (what a column means, a row's tier, score, filters and verdict, the ranking
order) is made by the Rust library; this package only passes Arrow batches across, through
the Arrow C data interface, without copying them. `scout.spark` runs the same over Spark.
"""

from ._scout import Rules, RulesError, __version__, output_schema, top

__all__ = ["Rules", "RulesError", "output_schema", "top", "VERDICTS", "__version__"]

#: Every value of the `verdict` column, as `scout rank` counts rows.
VERDICTS = ("ranked", "filtered", "invalid", "rule_error")
