"""`scout.spark.rank` in Spark local mode against `scout rank` on the same file."""

import shutil
import sys
from pathlib import Path

import pytest

import scout
import scout.spark
from conftest import ROOT, RULES, rank_json

sys.path.insert(0, str(Path(__file__).parent))
import gen_candidates  # noqa: E402

pytestmark = pytest.mark.spark
DATA = ROOT / "target" / "py" / "data"


def generated(n, seed=42, bad=0):
    """A generated Parquet file, kept under target/ between runs."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"candidates-{n}-{seed}-bad{bad}.parquet"
    if not path.exists():
        partial = path.with_suffix(".partial")
        gen_candidates.write(n, partial, seed, bad)
        partial.rename(path)
    return path


def test_top_100_of_a_million_rows_is_the_clis(spark):
    path = generated(1_000_000)
    df = spark.read.parquet(str(path)).repartition(4)
    assert df.rdd.getNumPartitions() == 4
    best = scout.spark.rank(df, RULES, "bench", top=100).collect()
    cli = rank_json(path, "bench", "--top", "100")
    assert cli["counts"]["read"] == 1_000_000
    assert [(r.handle, r.score) for r in best] == [(r["handle"], r["score"]) for r in cli["results"]]
    assert [r.tier for r in best] == [r["tier"] for r in cli["results"]]
    assert {r.revision for r in best} == {cli["revision"]}


def test_every_row_comes_back_and_counts_add_up(spark):
    path = generated(20_000, seed=7, bad=97)
    df = spark.read.parquet(str(path)).repartition(4)
    scored = scout.spark.rank(df, RULES, "glowskin")
    counts = {r.verdict: r["count"] for r in scored.groupBy("verdict").count().collect()}
    cli = rank_json(path, "glowskin")["counts"]
    assert sum(counts.values()) == cli["read"] == 20_000
    assert counts.get("ranked", 0) == cli["ranked"]
    assert counts.get("filtered", 0) == cli["filtered"]
    assert counts.get("invalid", 0) == cli["invalid"] == 20_000 // 97
    invalid = scored.where("verdict = 'invalid'").limit(5).collect()
    assert all(r.reasons and "lots" in r.reasons[0] for r in invalid)


def test_a_broken_folder_fails_before_any_task(spark, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    tiers = folder / "tiers.toml"
    tiers.write_text(tiers.read_text().replace("min_followers", "min_folowers", 1))
    sc = spark.sparkContext
    sc.setJobGroup("scout-broken", "a broken rule folder")
    df = spark.createDataFrame([("a", 1000)], "handle STRING, followers BIGINT")
    try:
        with pytest.raises(scout.RulesError) as caught:
            scout.spark.rank(df, folder, "glowskin", top=10).collect()
    finally:
        sc.setJobGroup("", "")
    assert sc.statusTracker().getJobIdsForGroup("scout-broken") == []
    first = caught.value.diagnostics[0]
    assert first["file"].endswith("tiers.toml") and first["line"] >= 1
    assert "tiers.toml:" in str(caught.value)


def test_an_executor_with_other_rules_refuses_to_score(tmp_path):
    files = scout.spark.folder_content(RULES)
    revision = scout.Rules(RULES).revision
    tampered = dict(files)
    tampered["scoring.rhai"] = files["scoring.rhai"] + b"\n// edited\n"
    with pytest.raises(RuntimeError, match="revision"):
        scout.spark._materialise(tampered, revision)
    assert scout.spark._materialise(files, revision).revision == revision
