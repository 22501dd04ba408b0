"""Shared fixtures: the repository, the `scout` CLI to compare against, a Spark session."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"


def scout_bin() -> Path:
    """The CLI built from this checkout, the newer of the release and debug builds (a stale
    release binary beside a fresh `cargo build` must not be the one compared with);
    `SCOUT_BIN` overrides."""
    if "SCOUT_BIN" in os.environ:
        return Path(os.environ["SCOUT_BIN"])
    built = [ROOT / "target" / profile / "scout" for profile in ("release", "debug")]
    built = [path for path in built if path.exists()]
    if not built:
        pytest.fail("no scout binary: run `cargo build` first, or set SCOUT_BIN")
    return max(built, key=lambda path: path.stat().st_mtime)


def run_scout(*args, check=True):
    """Runs the CLI without colours; returns the completed process."""
    env = dict(os.environ, NO_COLOR="1")
    result = subprocess.run([str(scout_bin()), *map(str, args)], capture_output=True,
                            text=True, env=env, cwd=ROOT)
    if check and result.returncode != 0:
        raise AssertionError(f"scout {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


def rank_json(path, brand, *extra, rules=RULES):
    """`scout rank FILE --brand B --format json` parsed."""
    out = run_scout("rank", path, "--rules", rules, "--brand", brand, "--format", "json", *extra,
                    check=False)
    # Exit 1 says some rows were unusable; the JSON still accounts for every row.
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def spark():
    pyspark = pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    # Workers run this interpreter (the venv with the wheel), not whatever `python3` is first
    # on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("scout-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
