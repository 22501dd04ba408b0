//! The CSV reader: a header row, then one candidate per record.

use std::io::Read;

use super::columns::ColumnPlan;
use super::{InputError, Rows};
use crate::model::RowError;

pub(super) fn rows(name: &str, reader: Box<dyn Read + Send>) -> Result<Rows, InputError> {
    let mut reader = ::csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = reader
        .headers()
        .map_err(|err| InputError::Io {
            name: name.to_owned(),
            source: std::io::Error::other(err),
        })?
        .clone();
    let plan = ColumnPlan::from_headers(name, headers.iter())?;
    let mut record = ::csv::StringRecord::new();
    let mut done = false;
    let iter = std::iter::from_fn(move || loop {
        if done {
            return None;
        }
        match reader.read_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {
                if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
                    continue; // a blank line
                }
                let line = record.position().map_or(0, |p| p.line());
                return Some(plan.build(line, record.len(), record.iter()));
            }
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                let message = match err.kind() {
                    ::csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8".to_owned(),
                    _ => format!("unreadable row: {err}"),
                };
                // An I/O error ends the stream; anything else costs one record.
                done = matches!(err.kind(), ::csv::ErrorKind::Io(_));
                return Some(Err(RowError { line, handle: None, column: None, message }));
            }
        }
    });
    Ok(Box::new(iter))
}
