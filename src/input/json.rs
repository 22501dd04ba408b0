//! The JSON and NDJSON readers: objects with the canonical keys, optionally with per-post
//! samples under `posts: [{likes, comments, shares, views}]`.
//!
//! Row errors carry the line a record starts on; in a JSON array whose records share lines
//! (minified), they also carry the record's index and byte offset ([`RecordAt`]).

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::posts::{post_samples, Post};
use super::{InputError, RowBuilder, Rows};
use crate::model::Field;
use crate::model::{Candidate, PostSample, RecordAt, RowError};

/// Streams a JSON array record by record, from a source it can open more than once: a
/// first pass checks the whole document (so a broken one is refused before any row, with
/// serde_json's message, line and column), a second finds whether records share lines
/// (then errors also name each record's index and byte offset), and the third hands out
/// the records, counting lines as it goes. Memory holds one record at a time.
pub(super) fn rows_from_array_reader(
    name: &str,
    open: impl Fn() -> Result<Box<dyn Read + Send>, InputError>,
) -> Result<Rows, InputError> {
    let io = |source| InputError::Io { name: name.to_owned(), source };
    let mut reader = BufReader::with_capacity(1 << 16, open()?);
    let bom = "\u{feff}".as_bytes();
    if reader.fill_buf().map_err(io)?.starts_with(bom) {
        reader.consume(bom.len());
    }
    serde_json::from_reader::<_, Checked>(reader).map_err(|err| {
        if err.is_io() {
            return io(std::io::Error::other(err.to_string()));
        }
        InputError::Json {
            name: name.to_owned(),
            message: err.to_string().split(" at line").next().unwrap_or_default().to_owned(),
            line: err.line(),
            column: err.column(),
        }
    })?;
    let mut records = Records::new(BufReader::with_capacity(1 << 16, open()?));
    let mut buffer = Vec::new();
    let mut last_line = None;
    let mut shared_lines = false;
    while let Some((_, line)) = records.next(&mut buffer).map_err(io)? {
        if last_line == Some(line) {
            shared_lines = true;
            break;
        }
        last_line = Some(line);
    }
    let mut records = Records::new(BufReader::with_capacity(1 << 16, open()?));
    let mut index = 0u64;
    let mut buffer = Vec::new();
    Ok(Box::new(std::iter::from_fn(move || {
        let (offset, line) = records.next(&mut buffer).ok()??;
        index += 1;
        let row = match std::str::from_utf8(&buffer) {
            Ok(text) => row_from_json(line, text),
            Err(_) => Err(RowError {
                line,
                handle: None,
                column: None,
                message: "not UTF-8 text".to_owned(),
                record: None,
            }),
        };
        Some(row.map_err(|mut error| {
            if shared_lines {
                error.record = Some(RecordAt { index, byte: offset });
            }
            error
        }))
    })))
}

/// A JSON document, checked and thrown away: an array of anything.
struct Checked;

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Checked;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Checked, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Checked)
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

/// Finds the records of a JSON array already checked to be valid: each record's bytes,
/// its byte offset and the line it starts on, counting lines as it reads.
struct Records<R> {
    reader: R,
    offset: u64,
    line: u64,
    /// Past the opening `[`.
    open: bool,
    done: bool,
}

impl<R: BufRead> Records<R> {
    fn new(reader: R) -> Self {
        Self { reader, offset: 0, line: 1, open: false, done: false }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn bump(&mut self, byte: u8) {
        self.reader.consume(1);
        self.offset += 1;
        if byte == b'\n' {
            self.line += 1;
        }
    }

    /// Skips whitespace (and a BOM at the start).
    fn skip(&mut self) -> std::io::Result<Option<u8>> {
        while let Some(byte) = self.peek()? {
            if byte.is_ascii_whitespace() || (self.offset < 3 && !self.open && byte >= 0x80) {
                self.bump(byte);
            } else {
                return Ok(Some(byte));
            }
        }
        Ok(None)
    }

    /// The next record into `buffer`: its byte offset and line, or `None` at the end.
    fn next(&mut self, buffer: &mut Vec<u8>) -> std::io::Result<Option<(u64, u64)>> {
        buffer.clear();
        if self.done {
            return Ok(None);
        }
        if !self.open {
            match self.skip()? {
                Some(b'[') => self.bump(b'['),
                _ => {
                    self.done = true;
                    return Ok(None);
                }
            }
            self.open = true;
        }
        match self.skip()? {
            Some(b',') => {
                self.bump(b',');
                self.skip()?;
            }
            Some(b']') | None => {
                self.done = true;
                return Ok(None);
            }
            Some(_) => {}
        }
        let start = (self.offset, self.line);
        let (mut depth, mut string, mut escape) = (0u32, false, false);
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let mut used = 0;
            let mut end = false;
            for &byte in chunk {
                if string {
                    if escape {
                        escape = false;
                    } else if byte == b'\\' {
                        escape = true;
                    } else if byte == b'"' {
                        string = false;
                    }
                } else {
                    match byte {
                        b'"' => string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' if depth > 0 => depth -= 1,
                        b']' | b',' if depth == 0 => end = true,
                        b if b.is_ascii_whitespace() && depth == 0 => end = true,
                        _ => {}
                    }
                }
                if end {
                    break;
                }
                if byte == b'\n' {
                    self.line += 1;
                }
                used += 1;
            }
            buffer.extend_from_slice(&chunk[..used]);
            self.reader.consume(used);
            self.offset += used as u64;
            if end {
                break;
            }
        }
        Ok(Some(start))
    }
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
        if let Some(text) = ndjson_text(line, &buffer) {
            return Some(text.and_then(|text| row_from_json(line, text)));
        }
    }))
}

/// Reads the NDJSON lines of an in-memory range, the first on line `first_line`, into
/// `sink` (what a file split across threads uses).
pub(super) fn read_lines(bytes: &[u8], first_line: u64, sink: &mut impl super::RowSink) {
    // One candidate for every row: the sink takes it out only when it keeps it.
    let mut spare = Candidate::default();
    for (i, bytes) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        let line = first_line + i as u64;
        let filled = match ndjson_text(line, bytes) {
            Some(text) => text.and_then(|text| fill_from_json(&mut spare, line, text)),
            None => continue,
        };
        match filled {
            Ok(()) => sink.take(&mut spare),
            Err(error) => sink.reject(error),
        }
    }
}

/// The text of one NDJSON line (with its line end, if any); `None` for a blank line. The
/// first line may start with a byte-order mark.
fn ndjson_text(line: u64, bytes: &[u8]) -> Option<Result<&str, RowError>> {
    let mut bytes = bytes;
    if line == 1 {
        bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    }
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(Err(RowError {
            line,
            handle: None,
            column: None,
            message: "not UTF-8 text".to_owned(),
            record: None,
        }));
    };
    if text.trim().is_empty() {
        return None;
    }
    Some(Ok(text))
}

/// The field a key names: its canonical name without an allocation (the common case,
/// and what scout writes), else a header alias ([`crate::model::headers::builtin_field`],
/// which normalises the key: 40 % of NDJSON reading time when done for every key).
fn field_of(key: &str) -> Option<Field> {
    Field::ALL
        .into_iter()
        .find(|f| f.name() == key)
        .or_else(|| crate::model::headers::builtin_field(key))
}

fn row_from_json(line: u64, text: &str) -> Result<Candidate, RowError> {
    let mut candidate = Candidate::default();
    fill_from_json(&mut candidate, line, text)?;
    Ok(candidate)
}

/// Fills `candidate` (reusing its buffers) from one JSON object.
fn fill_from_json(candidate: &mut Candidate, line: u64, text: &str) -> Result<(), RowError> {
    let not_object = |err: serde_json::Error| RowError {
        line,
        handle: None,
        column: None,
        message: format!(
            "not a JSON object: {}",
            err.to_string().split(" at line").next().unwrap_or_default()
        ),
        record: None,
    };
    let mut row = RowBuilder::new(candidate, line);
    let mut json = serde_json::Deserializer::from_str(text);
    serde::de::DeserializeSeed::deserialize(Object(&mut row), &mut json).map_err(not_object)?;
    json.end().map_err(not_object)?;
    row.finish()
}

/// Reads one JSON object straight into a row, key by key: no map, no allocation for keys
/// and strings without escapes (what made NDJSON several times slower than CSV).
struct Object<'a, 'c>(&'a mut RowBuilder<'c>);

impl<'de> serde::de::DeserializeSeed<'de> for Object<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Object<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let row = self.0;
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match field_of(&key) {
                Some(field @ (Field::Posts | Field::Niches)) => {
                    set_structured(row, field, map.next_value()?);
                }
                Some(field) => match map.next_value::<Scalar<'de>>()? {
                    Scalar::Number(n) if field.kind().is_numeric() => {
                        row.set_number(field, n.as_f64())
                    }
                    Scalar::Number(n) => row.set(field, &n.to_string()),
                    Scalar::Null => {}
                    Scalar::Text(text) => row.set(field, &text),
                    Scalar::Other(kind) => row.fail_row(
                        Some(field.name().to_owned()),
                        format!("{} must be a number or a string, not {kind}", field.name()),
                    ),
                },
                None => {
                    let value: Value = map.next_value()?;
                    row.set_extra(Arc::from(&*key), scalar_text(&value));
                }
            }
        }
        Ok(())
    }
}

/// A value of `posts` or `niches`: a list, or a plain value (a string is borrowed).
enum Structured<'de> {
    List(Vec<Value>),
    Plain(Scalar<'de>),
}

impl<'de> serde::Deserialize<'de> for Structured<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Structured<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Structured<'de>, A::Error> {
                let mut list = Vec::new();
                while let Some(value) = seq.next_element()? {
                    list.push(value);
                }
                Ok(Structured::List(list))
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Structured<'de>, E> {
                ScalarVisitor.visit_u64(n).map(Structured::Plain)
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Structured<'de>, E> {
                ScalarVisitor.visit_i64(n).map(Structured::Plain)
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Structured<'de>, E> {
                ScalarVisitor.visit_f64(n).map(Structured::Plain)
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                text: &'de str,
            ) -> Result<Structured<'de>, E> {
                ScalarVisitor.visit_borrowed_str(text).map(Structured::Plain)
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Structured<'de>, E> {
                ScalarVisitor.visit_str(text).map(Structured::Plain)
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Structured<'de>, E> {
                ScalarVisitor.visit_unit().map(Structured::Plain)
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Structured<'de>, E> {
                ScalarVisitor.visit_bool(b).map(Structured::Plain)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<Structured<'de>, A::Error> {
                ScalarVisitor.visit_map(map).map(Structured::Plain)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// A value of `posts` or `niches`: a list of samples or labels, or a plain value.
fn set_structured(row: &mut RowBuilder<'_>, field: Field, value: Structured<'_>) {
    match (field, value) {
        (Field::Posts, Structured::List(posts)) => match samples(&posts) {
            Ok(samples) => row.set_samples(samples),
            Err(message) => row.fail_row(Some("posts".to_owned()), message),
        },
        (Field::Niches, Structured::List(niches)) => {
            let joined: Vec<String> = niches.iter().map(scalar_text).collect();
            row.set(Field::Niches, &joined.join(";"));
        }
        (_, Structured::List(_)) => row.fail_row(
            Some(field.name().to_owned()),
            format!("{} must be a number or a string, not an array", field.name()),
        ),
        (_, Structured::Plain(Scalar::Null)) => {}
        (_, Structured::Plain(Scalar::Text(text))) => row.set(field, &text),
        (_, Structured::Plain(Scalar::Number(n))) => row.set(field, &n.to_string()),
        (_, Structured::Plain(Scalar::Other(kind))) => row.fail_row(
            Some(field.name().to_owned()),
            format!("{} must be a number or a string, not {kind}", field.name()),
        ),
    }
}

/// A string, borrowed from the input when it has no escapes.
struct Text<'de>(std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(text.into()))
            }
            fn visit_str<E>(self, text: &str) -> Result<Text<'de>, E> {
                Ok(Text(text.to_owned().into()))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// The value of a plain field: a number, a string, null, or anything else (by its kind,
/// for the message; its contents are skipped).
enum Scalar<'de> {
    Number(serde_json::Number),
    Text(std::borrow::Cow<'de, str>),
    Null,
    Other(&'static str),
}

impl<'de> serde::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> serde::de::Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_u64<E>(self, n: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Scalar<'de>, E> {
        Ok(serde_json::Number::from_f64(n).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(text.into()))
    }
    fn visit_str<E>(self, text: &str) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(text.to_owned().into()))
    }
    fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other("a boolean"))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("an array"))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
        while map.next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other("an object"))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Rows(Vec<Result<Candidate, RowError>>);

    impl crate::input::RowSink for Rows {
        fn take(&mut self, candidate: &mut Candidate) {
            self.0.push(Ok(candidate.clone()));
        }
        fn reject(&mut self, error: RowError) {
            self.0.push(Err(error));
        }
    }

    /// Lines read into one reused candidate give the rows each line gives on its own: a
    /// field one row has and the next lacks does not carry over, whatever shape it takes.
    #[test]
    fn reused_rows_equal_fresh_rows() {
        let lines = [
            r#"{"handle":"a","followers":10,"niches":["beauty","travel"],"country":"US","x":1}"#,
            r#"{"handle":"b","followers":"12.5K","niches":"food","posts":[{"likes":3}]}"#,
            r#"{"handle":"c","followers":5,"niches":{"no":1}}"#,
            r#"{"handle":"d","followers":7,"niches":null,"bio":"caf\u00e9"}"#,
            r#"not json"#,
            r#"{"followers":7}"#,
            r#"{"handle":"e","followers":8}"#,
        ];
        let text = lines.join("\n");
        let mut rows = Rows::default();
        read_lines(text.as_bytes(), 1, &mut rows);
        assert_eq!(rows.0.len(), lines.len());
        for (i, (line, row)) in lines.iter().zip(&rows.0).enumerate() {
            let fresh = row_from_json(i as u64 + 1, line);
            assert_eq!(format!("{row:?}"), format!("{fresh:?}"), "line {}", i + 1);
        }
        let last = rows.0.last().unwrap().as_ref().unwrap();
        assert!(last.niches.is_empty() && last.country.is_none() && last.extra.is_empty());
        assert!(rows.0[2].is_err() && rows.0[4].is_err() && rows.0[5].is_err());
    }
}
