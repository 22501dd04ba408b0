"""scout over Spark: score a DataFrame of candidates with `DataFrame.mapInArrow`.

The rule folder is checked on the driver first (a folder with errors raises `RulesError`
before any Spark job starts), then shipped to the executors as its content (a broadcast
dict of relative path -> bytes, with the driver's revision). Each Python worker writes it
to a temporary folder once, loads it, and refuses to score if the revision it computes
differs from the driver's. Every partition's Arrow batches go to `Rules.rank_batch`
without a copy; all decisions are the Rust engine's.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, Optional

import pyarrow as pa

from ._scout import Rules, top as _top

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

__all__ = ["rank", "SCHEMA", "folder_content"]

#: The Spark schema of `rank`'s result: `scout.output_schema()` in Spark's DDL.
SCHEMA = (
    "row BIGINT, handle STRING, platform STRING, tier STRING, score DOUBLE, "
    "engagement DOUBLE, niche_fit DOUBLE, cost_efficiency DOUBLE, authenticity DOUBLE, "
    "relationship DOUBLE, verdict STRING, reasons ARRAY<STRING>, revision STRING"
)

# Rule folders loaded in this Python worker, by revision (Spark reuses workers).
_LOADED: Dict[str, Rules] = {}


def folder_content(path: "str | os.PathLike[str]") -> Dict[str, bytes]:
    """Every file of the rule folder at `path`, by path relative to it (with `/`)."""
    root = Path(path)
    files: Dict[str, bytes] = {}
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root)
        if file.is_file() and not any(part.startswith(".") for part in rel.parts):
            files[rel.as_posix()] = file.read_bytes()
    return files


def _materialise(files: Dict[str, bytes], revision: str) -> Rules:
    """The shipped rule folder, written out and loaded once per worker and revision."""
    rules = _LOADED.get(revision)
    if rules is not None:
        return rules
    folder = Path(tempfile.mkdtemp(prefix=f"scout-rules-{revision}-"))
    for rel, data in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    rules = Rules(folder)
    if rules.revision != revision:
        raise RuntimeError(
            f"scout: the rule folder shipped to this executor has revision {rules.revision}, "
            f"the driver checked revision {revision}: refusing to score with other rules"
        )
    _LOADED[revision] = rules
    return rules


def _concat(a: pa.RecordBatch, b: pa.RecordBatch) -> pa.RecordBatch:
    table = pa.Table.from_batches([a, b]).combine_chunks()
    batches = table.to_batches()
    return batches[0] if batches else a


def rank(
    df: "DataFrame",
    rules_path: "str | os.PathLike[str]",
    brand: str,
    top: Optional[int] = None,
) -> "DataFrame":
    """Scores every row of `df` for `brand` with the rule folder at `rules_path`.

    Without `top`: one result row per input row (schema `SCHEMA`, as `Rules.rank_batch`),
    invalid rows included with their reasons, so counts by `verdict` add up to the input's
    rows as `scout rank`'s do. `row` numbers rows within their partition.

    With `top`: the best `top` ranked rows, best first, exact: each partition keeps its
    best `top` (in `scout rank`'s order, by the engine), and the driver merges those.

    Raises `scout.RulesError` (before any Spark job) when the folder has errors, and
    `KeyError` for a brand it does not define.
    """
    rules = Rules(rules_path)  # the driver checks first: a broken folder runs no task
    if brand not in rules.brands:
        raise KeyError(f"no brand `{brand}` in `{rules_path}` (brands: {', '.join(rules.brands)})")
    if top is not None and top < 0:
        raise ValueError("`top` must be at least 0")
    shipped = df.sparkSession.sparkContext.broadcast((folder_content(rules_path), rules.revision))

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        files, revision = shipped.value
        worker_rules = _materialise(files, revision)
        first = 1
        best: Optional[pa.RecordBatch] = None
        for batch in batches:
            out = worker_rules.rank_batch(brand, batch, first_row=first)
            first += batch.num_rows
            if top is None:
                yield out
            else:
                best = _top(out if best is None else _concat(best, out), top)
        if best is not None:
            yield best

    scored = df.mapInArrow(score, SCHEMA)
    if top is None:
        return scored
    # At most `top` rows per partition reach the driver; the engine merges them.
    best = _collect_arrow(scored)
    session = df.sparkSession
    if best.num_rows == 0:
        return session.createDataFrame([], SCHEMA)
    merged = _top(best.combine_chunks().to_batches()[0], top)
    return _create(session, pa.Table.from_batches([merged]))


def _collect_arrow(df: "DataFrame") -> pa.Table:
    if hasattr(df, "toArrow"):  # pyspark >= 4.0
        return df.toArrow()
    return pa.Table.from_pandas(df.toPandas(), preserve_index=False)  # pragma: no cover


def _create(session, table: pa.Table) -> "DataFrame":
    try:  # pyspark >= 4.0 takes Arrow tables
        return session.createDataFrame(table, SCHEMA)
    except (TypeError, ValueError):  # pragma: no cover
        return session.createDataFrame(table.to_pandas(), SCHEMA)


