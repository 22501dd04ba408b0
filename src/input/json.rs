//! The JSON and NDJSON readers: objects with the canonical keys, optionally with per-post
//! samples under `posts: [{likes, comments, shares, views}]`.
//!
//! Row errors carry the line a record starts on; in a JSON array whose records share lines
//! (minified), they also carry the record's index and byte offset ([`RecordAt`]).

use std::sync::Arc;

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::posts::{post_samples, Post};
use super::{InputError, RowBuilder, Rows};
use crate::model::Field;
use crate::model::{Candidate, PostSample, RecordAt, RowError};

pub(super) fn rows_from_array(name: &str, input: &str) -> Result<Rows, InputError> {
    let text = input.trim_start_matches('\u{feff}');
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(|err| InputError::Json {
        name: name.to_owned(),
        message: err.to_string().split(" at line").next().unwrap_or_default().to_owned(),
        line: err.line(),
        column: err.column(),
    })?;
    let starts: Vec<(usize, u64)> = items
        .iter()
        .map(|raw| {
            let offset = raw.get().as_ptr() as usize - input.as_ptr() as usize;
            (offset, input[..offset].matches('\n').count() as u64 + 1)
        })
        .collect();
    // In a minified document (records sharing lines) a line does not find a record: errors
    // then name the record's index and byte offset as well.
    let shared_lines = starts.windows(2).any(|pair| pair[0].1 == pair[1].1);
    let rows: Vec<Result<Candidate, RowError>> = items
        .iter()
        .zip(&starts)
        .enumerate()
        .map(|(i, (raw, &(offset, line)))| {
            row_from_json(line, raw.get()).map_err(|mut error| {
                if shared_lines {
                    error.record = Some(RecordAt { index: i as u64 + 1, byte: offset as u64 });
                }
                error
            })
        })
        .collect();
    Ok(Box::new(rows.into_iter()))
}

/// Streams NDJSON line by line from `reader`: one line in memory at a time, counted as it
/// is read. A line that is not UTF-8 becomes an unusable row.
pub(super) fn rows_from_reader(reader: impl std::io::BufRead + Send + 'static) -> Rows {
    let mut reader = reader;
    let mut line = 0u64;
    let mut buffer = Vec::new();
    Box::new(std::iter::from_fn(move || loop {
        buffer.clear();
        match reader.read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        line += 1;
        let mut bytes = &buffer[..];
        if line == 1 {
            bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
        }
        let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                return Some(Err(RowError {
                    line,
                    handle: None,
                    column: None,
                    message: "not UTF-8 text".to_owned(),
                    record: None,
                }))
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        return Some(row_from_json(line, text));
    }))
}

fn row_from_json(line: u64, text: &str) -> Result<Candidate, RowError> {
    let object: Map<String, Value> = serde_json::from_str(text).map_err(|err| RowError {
        line,
        handle: None,
        column: None,
        message: format!(
            "not a JSON object: {}",
            err.to_string().split(" at line").next().unwrap_or_default()
        ),
        record: None,
    })?;
    let mut candidate = Candidate::default();
    let mut row = RowBuilder::new(&mut candidate, line);
    for (key, value) in object {
        match (crate::model::headers::builtin_field(&key), value) {
            (Some(Field::Posts), Value::Array(posts)) => match samples(&posts) {
                Ok(samples) => row.set_samples(samples),
                Err(message) => row.fail_row(Some("posts".to_owned()), message),
            },
            (Some(Field::Niches), Value::Array(niches)) => {
                let joined: Vec<String> = niches.iter().map(scalar_text).collect();
                row.set(Field::Niches, &joined.join(";"));
            }
            (Some(field), Value::Number(n)) if field.kind().is_numeric() => {
                row.set_number(field, n.as_f64())
            }
            (Some(field), Value::Number(n)) => row.set(field, &n.to_string()),
            (Some(_), Value::Null) => {}
            (Some(field), Value::String(s)) => row.set(field, &s),
            (Some(field), other) => row.fail_row(
                Some(field.name().to_owned()),
                format!("{} must be a number or a string, not {}", field.name(), kind(&other)),
            ),
            (None, value) => row.set_extra(Arc::from(key.as_str()), scalar_text(&value)),
        }
    }
    row.finish()?;
    Ok(candidate)
}

fn samples(posts: &[Value]) -> Result<Vec<PostSample>, String> {
    post_samples(posts, |i, post| match post {
        Value::Object(post) => Ok(post),
        _ => Err(format!("posts[{i}] must be an object like {{\"likes\": 120}}")),
    })
}

impl Post for &Map<String, Value> {
    fn count(&self, i: usize, key: &str) -> Result<Option<f64>, String> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_f64() {
                Some(v) if v > crate::number::MAX_VALUE => {
                    Err(format!("posts[{i}].{key} {}", crate::number::too_large(&n.to_string())))
                }
                Some(v) if v >= 0.0 => Ok(Some(v)),
                _ => Err(format!("posts[{i}].{key} must not be negative")),
            },
            Some(Value::String(s)) => match crate::number::parse_number(s) {
                Ok(Some(v)) if v > crate::number::MAX_VALUE => {
                    Err(format!("posts[{i}].{key} {}", crate::number::too_large(s)))
                }
                other => other.map_err(|why| format!("posts[{i}].{key} {why}")),
            },
            Some(other) => Err(format!("posts[{i}].{key} must be a number, not {}", kind(other))),
        }
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
