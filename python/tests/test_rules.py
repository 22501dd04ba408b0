"""`scout.Rules`: the same verdict on a rule folder as `scout check`."""

import re
import shutil

import pytest

import scout
from conftest import RULES, run_scout


def test_revision_and_brands_match_scout_check():
    rules = scout.Rules(RULES)
    out = run_scout("check", "--rules", RULES)
    assert f"revision {rules.revision}" in out.stderr
    brands = sorted(p.stem for p in (RULES / "brands").glob("*.toml") if ".tests" not in p.name)
    assert rules.brands == brands
    assert re.fullmatch(r"[0-9a-f]{12}", rules.revision)


def broken(tmp_path):
    """A copy of the bundled rules with one typo in a brand's filter."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    brand = folder / "brands" / "glowskin.toml"
    text = brand.read_text()
    assert "max_fake_follower_pct" in text
    brand.write_text(text.replace("max_fake_follower_pct", "max_fake_folower_pct", 1))
    return folder


def test_a_broken_folder_raises_what_scout_check_prints(tmp_path):
    folder = broken(tmp_path)
    with pytest.raises(scout.RulesError) as caught:
        scout.Rules(folder)
    printed = run_scout("check", "--rules", folder, check=False)
    assert printed.returncode != 0
    assert str(caught.value) == printed.stderr.strip()
    assert caught.value.report.strip() == printed.stderr.strip()
    (first, *_) = caught.value.diagnostics
    assert first["severity"] == "error"
    assert first["file"].endswith("brands/glowskin.toml")
    assert first["line"] >= 1 and first["column"] >= 1
    assert "max_fake_folower_pct" in first["message"] + (first["snippet"] or "")
    assert first["rendered"] in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_brand_is_a_key_error():
    import pyarrow as pa

    rules = scout.Rules(RULES)
    batch = pa.record_batch({"handle": ["a"], "followers": [1000]})
    with pytest.raises(KeyError, match="glowskn"):
        rules.rank_batch("glowskn", batch)
