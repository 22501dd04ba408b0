"""`Rules.rank_batch` against `scout rank --format json` on the bundled examples: the same
verdict, tier and score for every row. (`examples/candidates.json` is left out: its rows
carry post samples, a nested shape Arrow input does not read.)"""

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import scout
from conftest import EXAMPLES, RULES, rank_json

RULESET = scout.Rules(RULES)


def by_handle(batch):
    rows = batch.to_pylist()
    assert len({r["handle"] for r in rows}) == len(rows), "the examples' handles are unique"
    return {r["handle"]: r for r in rows}


def assert_same_as_cli(out, cli, rows_in):
    assert out.num_rows == rows_in, "every input row comes back once"
    rows = by_handle(out)
    counts = {v: 0 for v in scout.VERDICTS}
    for row in rows.values():
        counts[row["verdict"]] += 1
        assert row["revision"] == cli["revision"]
    c = cli["counts"]
    assert counts == {"ranked": c["ranked"], "filtered": c["filtered"],
                      "invalid": c["invalid"], "rule_error": c["rule_errors"]}
    for ranked in cli["results"]:
        row = rows[ranked["handle"]]
        assert row["verdict"] == "ranked", ranked["handle"]
        assert row["tier"] == ranked["tier"]
        assert row["score"] == ranked["score"]
        assert row["platform"] == ranked["platform"]
        assert row["reasons"] == []
        for name, value in ranked["components"].items():
            # Unrounded here; the CLI's outputs round components to 6 decimals.
            assert (row[name] is None) == (value is None), (ranked["handle"], name)
            assert value is None or abs(row[name] - value) <= 5e-7, (ranked["handle"], name)
    for filtered in cli["filtered"]:
        row = rows[filtered["handle"]]
        assert row["verdict"] == "filtered"
        assert row["score"] is None
        assert row["reasons"] == filtered["reasons"]
    for error in cli["errors"]:
        assert rows[error["handle"]]["verdict"] == "invalid"
    # The CLI's order is the engine's order, and `scout.top` is that order.
    best = scout.top(out, 10).to_pylist()
    assert [r["handle"] for r in best] == [r["handle"] for r in cli["results"][:10]]


def csv_batch(path, text_only):
    options = None
    if text_only:  # every column as text, as the CLI reads a CSV file
        names = path.read_text().splitlines()[0].split(",")
        options = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                       strings_can_be_null=False)
    return pacsv.read_csv(path, convert_options=options).combine_chunks().to_batches()[0]


@pytest.mark.parametrize("brand", RULESET.brands)
@pytest.mark.parametrize("text_only", [False, True], ids=["typed", "text"])
def test_csv_example_matches_the_cli(brand, text_only):
    path = EXAMPLES / "candidates.csv"
    batch = csv_batch(path, text_only)
    cli = rank_json(path, brand)
    assert_same_as_cli(RULESET.rank_batch(brand, batch), cli, batch.num_rows)


@pytest.mark.parametrize("brand", RULESET.brands)
def test_parquet_matches_the_cli(brand, tmp_path):
    path = tmp_path / "candidates.parquet"
    pq.write_table(pacsv.read_csv(EXAMPLES / "candidates.csv"), path)
    batch = pq.read_table(path).combine_chunks().to_batches()[0]
    assert_same_as_cli(RULESET.rank_batch(brand, batch), rank_json(path, brand), batch.num_rows)


def test_invalid_rows_come_back_with_their_reason(tmp_path):
    lines = (EXAMPLES / "candidates.csv").read_text().splitlines()
    header, rows = lines[0], lines[1:11]
    cells = rows[3].split(",")
    cells[header.split(",").index("followers")] = "lots"
    rows[3] = ",".join(cells)
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    batch = csv_batch(path, text_only=True)
    out = RULESET.rank_batch("glowskin", batch, first_row=2)
    assert_same_as_cli(out, rank_json(path, "glowskin"), 10)
    bad = out.to_pylist()[3]
    assert bad["verdict"] == "invalid" and bad["row"] == 5
    assert bad["score"] is None and bad["tier"] is None
    assert "followers" in bad["reasons"][0] and "lots" in bad["reasons"][0]


def test_output_schema_and_zero_rows():
    empty = csv_batch(EXAMPLES / "candidates.csv", False).slice(0, 0)
    out = RULESET.rank_batch("glowskin", empty)
    assert out.num_rows == 0
    assert out.schema == scout.output_schema()


def test_the_spark_schema_is_the_output_schema():
    from scout.spark import SCHEMA

    names = [part.strip().split(" ")[0] for part in SCHEMA.split(", ")]
    assert names == scout.output_schema().names


def test_a_batch_without_handles_is_an_error():
    with pytest.raises(ValueError, match="handle"):
        RULESET.rank_batch("glowskin", pa.record_batch({"followers": [10]}))
