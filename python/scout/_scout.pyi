"""Type stubs of the extension module `scout._scout` (re-exported by `scout`)."""

from os import PathLike
from pathlib import Path
from typing import List, Optional, TypedDict, Union

import pyarrow

__version__: str

class Diagnostic(TypedDict):
    """One located problem, as `scout check --json` lists it."""

    severity: str  # "error" or "warning"
    file: str  # the rule file, under the folder given to `Rules`
    line: Optional[int]  # 1-based; None when the problem has no location
    column: Optional[int]  # 1-based, in characters
    message: str
    hint: Optional[str]
    snippet: Optional[str]  # the offending text
    rendered: str  # as `scout check` prints it, with the source line and caret

class RulesError(ValueError):
    """A rule folder with errors. `str(e)` is `scout check`'s report (every diagnostic,
    then `error: found N problems in ...`)."""

    diagnostics: List[Diagnostic]
    report: str

class Rules:
    """A rule folder, loaded and checked once (as `scout check`: the rules load, scripts
    and `when`s cope with the probe candidates, rule tests pass, mapping profiles check).

    Raises `RulesError` when the folder has errors."""

    def __init__(self, path: Union[str, PathLike[str]]) -> None: ...
    @property
    def revision(self) -> str:
        """The content hash `scout check` and every output print."""
    @property
    def brands(self) -> List[str]:
        """The brand ids, sorted."""
    @property
    def path(self) -> Path:
        """The folder it was loaded from."""
    @property
    def warnings(self) -> List[Diagnostic]:
        """What `scout check` warns about in this (valid) folder."""
    def rank_batch(
        self, brand: str, batch: pyarrow.RecordBatch, first_row: int = 1
    ) -> pyarrow.RecordBatch:
        """Scores every row of `batch` for `brand`: one output row per input row, in
        order. Columns are read as a CSV file's header (aliases, `12.5K`, `N/A`);
        anything with the Arrow PyCapsule interface is accepted, read without a copy.

        Output columns (`output_schema()`): `row` (int64, `first_row` + index), `handle`,
        `platform`, `tier`, `score` (0-100, ranked rows only), `engagement`, `niche_fit`,
        `cost_efficiency`, `authenticity`, `relationship` (float64, null when not
        computed), `verdict` ("ranked", "filtered", "invalid" or "rule_error"),
        `reasons` (list<string>: failed filters, what is wrong with the row, or the
        located rule error; empty when ranked), `revision`.

        A batch sees no other batch: an account repeated across batches is not reported
        as a duplicate (`scout rank` on the whole file makes the later row invalid).

        Raises `KeyError` for an unknown brand, `ValueError` for a batch without the
        required columns."""

def top(batch: pyarrow.RecordBatch, n: int) -> pyarrow.RecordBatch:
    """The best `n` ranked rows of a `rank_batch` result (or several concatenated), best
    first, in `scout rank`'s order: score descending, then handle, platform, row."""

def output_schema() -> pyarrow.Schema:
    """The schema of every batch `Rules.rank_batch` returns."""
