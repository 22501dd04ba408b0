//! Rows as header → cell text, from any format, built into candidates through one
//! [`ColumnPlan`]: how JSON and NDJSON input get mapping profiles (their keys, in order of
//! first appearance, are the header row), and how `scout audit` reads follower lists,
//! whose rows may have no handle.

use std::io::Read;
use std::sync::Arc;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::columns::ColumnPlan;
use super::{open_csv, sniff, Format, InputError, ReadOptions, Rows, Source};
use crate::model::{RecordAt, RowError};

/// One record's cells, in header order, and the line it starts on.
type Record = Result<(u64, Option<RecordAt>, Vec<String>), RowError>;

/// One JSON record: its line, its position in a minified document, and its object.
type JsonRecord = (u64, Option<RecordAt>, Result<Map<String, Value>, String>);

/// A table read from any format: its header and its records.
pub struct Records {
    /// The input's name, for messages.
    pub name: String,
    /// The column names: a CSV header row, or every JSON key in order of first appearance.
    pub headers: Vec<String>,
    rows: Box<dyn Iterator<Item = Record> + Send>,
}

impl std::fmt::Debug for Records {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records").field("headers", &self.headers).finish_non_exhaustive()
    }
}

/// Reads `source` as records.
pub fn read_records(
    source: &Source,
    format: Format,
    options: &ReadOptions,
) -> Result<Records, InputError> {
    let name = source.name();
    if format.is_columnar() {
        return Err(InputError::TextOnly { name, format });
    }
    if format == Format::Csv {
        let mut input = open_csv(&name, source.open()?, options)?;
        let headers = input.headers.clone();
        let mut record = ::csv::StringRecord::new();
        let rows = std::iter::from_fn(move || {
            Some(input.next_record(&mut record)?.map(|line| {
                (line, None, record.iter().map(|c| sniff::strip_cr(c).to_owned()).collect())
            }))
        });
        return Ok(Records { name, headers, rows: Box::new(rows) });
    }
    let mut text = String::new();
    source
        .open()?
        .read_to_string(&mut text)
        .map_err(|source| InputError::Io { name: name.clone(), source })?;
    let text = text.trim_start_matches('\u{feff}');
    let objects: Vec<JsonRecord> = if format == Format::Json {
        let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|err| InputError::Json {
            name: name.clone(),
            message: err.to_string().split(" at line").next().unwrap_or_default().to_owned(),
            line: err.line(),
            column: err.column(),
        })?;
        let starts: Vec<(usize, u64)> = items
            .iter()
            .map(|raw| {
                let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
                (offset, text[..offset].matches('\n').count() as u64 + 1)
            })
            .collect();
        let shared = starts.windows(2).any(|pair| pair[0].1 == pair[1].1);
        items
            .iter()
            .zip(&starts)
            .enumerate()
            .map(|(i, (raw, &(offset, line)))| {
                let at = shared.then_some(RecordAt { index: i as u64 + 1, byte: offset as u64 });
                (line, at, object(raw.get()))
            })
            .collect()
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(i, line)| (i as u64 + 1, None, object(line)))
            .collect()
    };
    let mut headers: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (_, _, object) in &objects {
        for key in object.iter().flat_map(|o| o.keys()) {
            if seen.insert(key.clone()) {
                headers.push(key.clone());
            }
        }
    }
    let keys = headers.clone();
    let rows = objects.into_iter().map(move |(line, record, object)| match object {
        Ok(mut object) => Ok((
            line,
            record,
            keys.iter().map(|k| object.remove(k).map_or_else(String::new, cell)).collect(),
        )),
        Err(message) => Err(RowError { line, handle: None, column: None, message, record }),
    });
    Ok(Records { name, headers, rows: Box::new(rows) })
}

fn object(text: &str) -> Result<Map<String, Value>, String> {
    serde_json::from_str(text).map_err(|err| {
        format!(
            "not a JSON object: {}",
            err.to_string().split(" at line").next().unwrap_or_default()
        )
    })
}

fn cell(value: Value) -> String {
    match value {
        Value::String(s) => s,
        Value::Null => String::new(),
        Value::Array(items) => items.into_iter().map(cell).collect::<Vec<_>>().join(";"),
        other => other.to_string(),
    }
}

impl Records {
    /// The records as they are: each one's line and cells in header order, or why it is
    /// not a record. For tables that are not candidate lists (`scout evaluate`'s outcomes).
    pub fn into_cells(self) -> impl Iterator<Item = Result<(u64, Vec<String>), RowError>> {
        self.rows.map(|record| record.map(|(line, _, cells)| (line, cells)))
    }

    /// Candidates built through one [`ColumnPlan`] of the header and `options`' profile.
    /// With `anonymous`, a table with no handle column gets one, `#LINE`, so rows that
    /// describe accounts without naming them (a follower sample) can be read.
    pub fn into_rows(self, options: &ReadOptions, anonymous: bool) -> Result<Rows, InputError> {
        let mapping = options.mapping.as_deref();
        let plan =
            ColumnPlan::from_headers(&self.name, self.headers.iter().map(String::as_str), mapping);
        let (plan, synthetic) = match plan {
            Err(InputError::MissingColumn { column: "handle", .. }) if anonymous => {
                let headers = self.headers.iter().map(String::as_str).chain(["handle"]);
                (ColumnPlan::from_headers(&self.name, headers, mapping)?, true)
            }
            other => (other?, false),
        };
        let plan = Arc::new(plan);
        let rows = self.rows.map(move |record| {
            let (line, at, mut cells) = record?;
            if synthetic {
                cells.push(format!("#{line}"));
            }
            plan.build(line, cells.len(), cells.iter().map(String::as_str)).map_err(|mut err| {
                err.record = err.record.or(at);
                err
            })
        });
        Ok(Box::new(rows))
    }
}
