//! `[history]` in a brand file: the history file (read with the folder, under `history/`),
//! its column mapping, the "as of" date and the relationship knobs, each checked.

use std::path::PathBuf;
use std::sync::Arc;

use super::{normalize_rel, Loader};
use crate::rules::history::{self, History, HistorySettings, HISTORY_COLUMNS};
use crate::rules::raw::RawBrand;
use crate::source::SourceFile;

/// History files live in this folder of the rule folder.
pub const HISTORY_DIR: &str = "history";

impl Loader<'_> {
    /// The brand's history settings, with its history file parsed; every bad row is
    /// reported with its line.
    pub(super) fn history(&mut self, file: &SourceFile, raw: &RawBrand) -> HistorySettings {
        let mut settings = HistorySettings::default();
        let Some(raw) = raw.history.as_ref().map(|h| h.get_ref()) else { return settings };
        if let Some(days) = &raw.half_life_days {
            if *days.get_ref() > 0.0 && days.get_ref().is_finite() {
                settings.half_life_days = *days.get_ref();
            } else {
                self.diags.push(
                    file.error(days.span(), "`half_life_days` must be above 0")
                        .label("not above 0"),
                );
            }
        }
        if let Some(n) = &raw.established {
            if *n.get_ref() >= 1 {
                settings.established = *n.get_ref() as f64;
            } else {
                self.diags
                    .push(file.error(n.span(), "`established` must be 1 or more").label("below 1"));
            }
        }
        if let Some(ratio) = &raw.under_delivery_ratio {
            if *ratio.get_ref() >= 0.0 && ratio.get_ref().is_finite() {
                settings.under_delivery_ratio = *ratio.get_ref();
            } else {
                self.diags.push(
                    file.error(ratio.span(), "`under_delivery_ratio` cannot be negative")
                        .label("negative"),
                );
            }
        }
        settings.no_history = raw.no_history.unwrap_or_default();
        let as_of = raw.as_of.as_ref().and_then(|text| {
            let day = history::parse_date(text.get_ref());
            if day.is_none() {
                self.diags.push(
                    file.error(text.span(), format!("`{}` is not a date", text.get_ref()))
                        .label("not YYYY-MM-DD")
                        .hint("write the date as `2025-03-31`"),
                );
            }
            day
        });
        let mut mapping = Vec::new();
        for (column, header) in &raw.mapping {
            match HISTORY_COLUMNS.iter().find(|s| s.name == column.get_ref()) {
                Some(spec) => mapping.push((spec.column, header.clone())),
                None => {
                    let names = HISTORY_COLUMNS.iter().map(|s| s.name);
                    let hint = crate::diagnostic::did_you_mean(column.get_ref(), names)
                        .map(|close| format!("did you mean `{close}`?"));
                    self.diags.push(
                        file.error(
                            column.span(),
                            format!("`{}` is not a history column", column.get_ref()),
                        )
                        .label("unknown column")
                        .maybe_hint(hint.or_else(|| Some(column_list()))),
                    );
                }
            }
        }
        let Some(path) = &raw.file else { return settings };
        let rel = normalize_rel(path.get_ref());
        if !rel.starts_with(&format!("{HISTORY_DIR}/")) {
            self.diags.push(
                file.error(path.span(), format!("history file `{rel}` is not under `{HISTORY_DIR}/`"))
                    .label("outside `history/`")
                    .hint("put history files in the rule folder's `history/` folder, so they load and reload with the rules"),
            );
            return settings;
        }
        let Some(data) = self.file(&rel).cloned() else {
            self.diags.push(
                file.error(path.span(), format!("history file `{rel}` does not exist"))
                    .label("no such file")
                    .hint("history files are CSV (`.csv`) or NDJSON (`.ndjson`, `.jsonl`)"),
            );
            return settings;
        };
        match history::parse(&data, &mapping) {
            Ok(rows) => {
                settings.history = Some(Arc::new(History::new(PathBuf::from(rel), rows, as_of)));
            }
            Err(diags) => self.diags.extend(diags),
        }
        settings
    }
}

fn column_list() -> String {
    let names: Vec<&str> = HISTORY_COLUMNS.iter().map(|s| s.name).collect();
    format!("history columns: {}", names.join(", "))
}

/// Whether a file of the rule folder is a history file the loader reads.
pub fn is_history_file(rel: &str) -> bool {
    rel.starts_with("history/")
        && [".csv", ".ndjson", ".jsonl"].iter().any(|ext| rel.ends_with(ext))
}
