//! `scout._scout`: the Python extension module. Glue only: every decision is the `scout`
//! library's ([`scout::valid::check`] for a rule folder, [`scout::input::columnar`] for
//! turning Arrow columns into candidates, [`scout::rank::row::judge`] for a row's verdict,
//! [`scout::rank::order`] for the ranking order). Record batches cross the boundary
//! through the Arrow C data interface (`arrow-pyarrow`), without copying their buffers.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::builder::{
    ArrayBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
};
use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use scout::diagnostic::{display_path, Diagnostic, Severity};
use scout::input::columnar::{batch_rows, ArrowPlan};
use scout::input::{Format, ReadOptions, RowSink};
use scout::model::{Candidate, RowError};
use scout::rank::row::{judge, Judged, Verdict};
use scout::rank::{order, RankKey};
use scout::rules::{Brand, RuleSet};

pyo3::create_exception!(
    scout,
    RulesError,
    pyo3::exceptions::PyValueError,
    "A rule folder that does not check: `str()` is `scout check`'s report, `.diagnostics` \
     the located problems."
);

/// The columns of every batch `rank_batch` returns, in order.
fn output_schema() -> SchemaRef {
    let text = |name| Field::new(name, DataType::Utf8, true);
    let number = |name| Field::new(name, DataType::Float64, true);
    Arc::new(Schema::new(vec![
        Field::new("row", DataType::Int64, false),
        text("handle"),
        text("platform"),
        text("tier"),
        number("score"),
        number("engagement"),
        number("niche_fit"),
        number("cost_efficiency"),
        number("authenticity"),
        number("relationship"),
        Field::new("verdict", DataType::Utf8, false),
        Field::new(
            "reasons",
            DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
            false,
        ),
        Field::new("revision", DataType::Utf8, false),
    ]))
}

/// A diagnostic as a Python dict: `severity`, `file`, `line`, `column`, `message`, `hint`,
/// `snippet`, and `rendered` (as `scout check` prints it).
fn diagnostic_dict<'py>(py: Python<'py>, d: &Diagnostic) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    let (line, column) = d.line_col().unzip();
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    dict.set_item("severity", severity)?;
    dict.set_item("file", display_path(&d.path))?;
    dict.set_item("line", line)?;
    dict.set_item("column", column)?;
    dict.set_item("message", &d.message)?;
    dict.set_item("hint", &d.hint)?;
    dict.set_item("snippet", d.snippet())?;
    dict.set_item("rendered", d.render(false))?;
    Ok(dict)
}

/// A checked rule folder, loaded once.
#[pyclass(frozen, module = "scout")]
struct Rules {
    rules: Arc<RuleSet>,
    path: PathBuf,
    warnings: Vec<Diagnostic>,
}

impl Rules {
    fn brand(&self, name: &str) -> PyResult<&Brand> {
        self.rules.brand(name).map_err(|e| PyKeyError::new_err(format!("{e} ({})", e.hint())))
    }
}

#[pymethods]
impl Rules {
    /// Loads and checks the rule folder at `path` as `scout check` does; raises
    /// `RulesError` with its report and diagnostics when it has errors.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let report = py.detach(|| scout::valid::check(&path));
        match report.rules {
            Some(rules) => Ok(Self { rules: Arc::new(rules), path, warnings: report.diagnostics }),
            None => {
                let text = report.render();
                let err = RulesError::new_err(text.trim_end().to_owned());
                let diagnostics = PyList::empty(py);
                for d in &report.diagnostics {
                    diagnostics.append(diagnostic_dict(py, d)?)?;
                }
                let value = err.value(py);
                value.setattr("diagnostics", diagnostics)?;
                value.setattr("report", text)?;
                Err(err)
            }
        }
    }

    /// The revision: a hash of the folder's content (what `scout check` prints).
    #[getter]
    fn revision(&self) -> &str {
        &self.rules.revision
    }

    /// The brand ids, sorted.
    #[getter]
    fn brands(&self) -> Vec<String> {
        self.rules.brands.keys().cloned().collect()
    }

    /// The folder this was loaded from.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The warnings `scout check` prints for a valid folder, as dicts.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let list = PyList::empty(py);
        for d in &self.warnings {
            list.append(diagnostic_dict(py, d)?)?;
        }
        Ok(list)
    }

    fn __repr__(&self) -> String {
        format!("Rules({:?}, revision={:?})", display_path(&self.path), self.rules.revision)
    }

    /// Scores every row of `batch` for `brand`: one output row per input row, in order.
    #[pyo3(signature = (brand, batch, first_row = 1))]
    fn rank_batch<'py>(
        &self,
        py: Python<'py>,
        brand: &str,
        batch: &Bound<'py, PyAny>,
        first_row: i64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let brand = self.brand(brand)?;
        if first_row < 1 {
            return Err(PyValueError::new_err("`first_row` is 1-based: at least 1"));
        }
        let batch = RecordBatch::from_pyarrow_bound(batch)?;
        let out = py.detach(|| rank_batch(&self.rules, brand, &batch, first_row as u64));
        out.map_err(PyValueError::new_err)?.to_pyarrow(py)
    }
}

/// Collects one output row per input row.
struct Table<'r> {
    rules: &'r RuleSet,
    brand: &'r Brand,
    row: Int64Builder,
    handle: StringBuilder,
    platform: StringBuilder,
    tier: StringBuilder,
    score: Float64Builder,
    components: [Float64Builder; 5],
    verdict: StringBuilder,
    reasons: ListBuilder<StringBuilder>,
}

impl<'r> Table<'r> {
    fn new(rules: &'r RuleSet, brand: &'r Brand, rows: usize) -> Self {
        let numbers = || Float64Builder::with_capacity(rows);
        Self {
            rules,
            brand,
            row: Int64Builder::with_capacity(rows),
            handle: StringBuilder::with_capacity(rows, rows * 16),
            platform: StringBuilder::with_capacity(rows, rows * 8),
            tier: StringBuilder::with_capacity(rows, rows * 8),
            score: numbers(),
            components: [numbers(), numbers(), numbers(), numbers(), numbers()],
            verdict: StringBuilder::with_capacity(rows, rows * 8),
            reasons: ListBuilder::new(StringBuilder::new()),
        }
    }

    fn push(&mut self, line: u64, handle: Option<&str>, platform: Option<&str>, judged: Judged) {
        self.row.append_value(line as i64);
        self.handle.append_option(handle);
        self.platform.append_option(platform);
        self.tier.append_option(judged.tier.as_deref());
        self.score.append_option(judged.score);
        let c = judged.components.as_ref();
        let values = [
            c.and_then(|c| c.engagement),
            c.map(|c| c.niche_fit),
            c.and_then(|c| c.cost_efficiency),
            c.and_then(|c| c.authenticity),
            c.and_then(|c| c.relationship),
        ];
        for (builder, value) in self.components.iter_mut().zip(values) {
            builder.append_option(value);
        }
        self.verdict.append_value(judged.verdict.as_str());
        for reason in &judged.reasons {
            self.reasons.values().append_value(reason);
        }
        self.reasons.append(true);
    }

    fn finish(mut self, revision: &str) -> Result<RecordBatch, String> {
        let rows = self.row.len();
        let [engagement, niche_fit, cost_efficiency, authenticity, relationship] =
            self.components.each_mut().map(|b| Arc::new(b.finish()) as ArrayRef);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.row.finish()),
            Arc::new(self.handle.finish()),
            Arc::new(self.platform.finish()),
            Arc::new(self.tier.finish()),
            Arc::new(self.score.finish()),
            engagement,
            niche_fit,
            cost_efficiency,
            authenticity,
            relationship,
            Arc::new(self.verdict.finish()),
            Arc::new(self.reasons.finish()),
            Arc::new(StringArray::from(vec![revision; rows])),
        ];
        RecordBatch::try_new(output_schema(), columns).map_err(|e| e.to_string())
    }
}

impl RowSink for Table<'_> {
    fn take(&mut self, candidate: &mut Candidate) {
        let judged = judge(self.rules, self.brand, Ok(candidate));
        self.push(candidate.line, Some(&candidate.handle), candidate.platform.as_deref(), judged);
    }

    fn reject(&mut self, error: RowError) {
        let judged = judge(self.rules, self.brand, Err(&error));
        self.push(error.line, error.handle.as_deref(), None, judged);
    }
}

/// Scores `batch` through the library: its schema compiled as a CSV header row, its rows
/// built by [`batch_rows`], each judged by [`judge`].
fn rank_batch(
    rules: &RuleSet,
    brand: &Brand,
    batch: &RecordBatch,
    first_row: u64,
) -> Result<RecordBatch, String> {
    let options = ReadOptions::default();
    let plan = ArrowPlan::compile("batch", Format::ArrowIpc, &batch.schema(), &options)
        .map_err(|e| e.to_string())?;
    let mut table = Table::new(rules, brand, batch.num_rows());
    batch_rows(&plan, batch, first_row, &mut table).map_err(|e| e.to_string())?;
    table.finish(&rules.revision)
}

/// The best `n` ranked rows of `batch` (a batch `rank_batch` returned, or several
/// concatenated), best first, in `scout rank`'s one order ([`scout::rank::order`]: score
/// descending, then handle, platform and row).
#[pyfunction]
fn top<'py>(py: Python<'py>, batch: &Bound<'py, PyAny>, n: usize) -> PyResult<Bound<'py, PyAny>> {
    let batch = RecordBatch::from_pyarrow_bound(batch)?;
    let best = py.detach(|| best_of(&batch, n)).map_err(PyValueError::new_err)?;
    best.to_pyarrow(py)
}

fn column<'b, T: 'static>(batch: &'b RecordBatch, name: &str) -> Result<&'b T, String> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| format!("not a batch of `rank_batch`: no column `{name}` of its type"))
}

fn best_of(batch: &RecordBatch, n: usize) -> Result<RecordBatch, String> {
    let score = column::<Float64Array>(batch, "score")?;
    let handle = column::<StringArray>(batch, "handle")?;
    let platform = column::<StringArray>(batch, "platform")?;
    let row = column::<Int64Array>(batch, "row")?;
    let verdict = column::<StringArray>(batch, "verdict")?;
    let key = |i: usize| RankKey {
        score: score.value(i),
        handle: handle.value(i),
        platform: platform.is_valid(i).then(|| platform.value(i)),
        line: row.value(i) as u64,
    };
    let mut ranked: Vec<usize> = (0..batch.num_rows())
        .filter(|&i| verdict.value(i) == Verdict::Ranked.as_str() && score.is_valid(i))
        .collect();
    if ranked.len() > n {
        ranked.select_nth_unstable_by(n, |&a, &b| order(key(a), key(b)));
        ranked.truncate(n);
    }
    ranked.sort_by(|&a, &b| order(key(a), key(b)));
    let indices = arrow_array::UInt32Array::from_iter_values(ranked.iter().map(|&i| i as u32));
    arrow_select::take::take_record_batch(batch, &indices).map_err(|e| e.to_string())
}

/// The Arrow schema of `rank_batch`'s output.
#[pyfunction]
fn output_schema_py(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    output_schema().as_ref().to_pyarrow(py)
}

/// scout's engine: rule folders, and scoring Arrow record batches.
#[pymodule]
fn _scout(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Rules>()?;
    m.add("RulesError", m.py().get_type::<RulesError>())?;
    m.add_function(wrap_pyfunction!(top, m)?)?;
    let schema = wrap_pyfunction!(output_schema_py, m)?;
    m.add("output_schema", schema)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
