//! JSON Schemas for every rule-file kind, generated with schemars from the very serde types
//! that read those files ([`crate::rules::raw`], [`super::ruletest::RawTestFile`]), so the
//! schema an editor validates against cannot drift from what `scout check` accepts.
//!
//! A rule file points at its schema with a taplo `#:schema` directive, a path relative to
//! the file ([`directive`]); the schemas live in `<rules>/schemas/`.

use schemars::generate::SchemaSettings;
use schemars::Schema;
use serde_json::{json, Value};

use super::ruletest::RawTestFile;
use crate::rules::audience::RawAudience;
use crate::rules::load::{
    AUDIENCE_FILE, BENCHMARKS_FILE, BRANDS_DIR, EXPERIMENTS_DIR, NICHES_FILE, TESTS_SUFFIX,
    TIERS_FILE,
};
use crate::rules::raw::{RawBrand, RawNiches, RawTierScheme};

/// The folder, inside a rule folder, that holds the schemas.
pub const SCHEMAS_DIR: &str = "schemas";

/// A kind of rule file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SchemaKind {
    /// `tiers.toml` and `experiments/*.toml`: a tier scheme.
    Tiers,
    /// `niches.toml`: the niche taxonomy.
    Niches,
    /// `benchmarks.toml`: engagement-rate benchmarks.
    Benchmarks,
    /// `brands/<brand>.toml`: one brand.
    Brand,
    /// `*.tests.toml`: rule unit tests.
    Tests,
    /// `audience.toml`: the audience rules judging one follower account.
    Audience,
}

impl SchemaKind {
    /// Every kind, in a stable order.
    pub const ALL: [SchemaKind; 6] = [
        SchemaKind::Tiers,
        SchemaKind::Niches,
        SchemaKind::Benchmarks,
        SchemaKind::Brand,
        SchemaKind::Tests,
        SchemaKind::Audience,
    ];

    /// The kind's name, as `scout schema KIND` takes it.
    pub fn name(self) -> &'static str {
        match self {
            SchemaKind::Tiers => "tiers",
            SchemaKind::Niches => "niches",
            SchemaKind::Benchmarks => "benchmarks",
            SchemaKind::Brand => "brand",
            SchemaKind::Tests => "tests",
            SchemaKind::Audience => "audience",
        }
    }

    /// One line on what the kind is.
    pub fn about(self) -> &'static str {
        match self {
            SchemaKind::Tiers => "`tiers.toml` and `experiments/*.toml`: a tier scheme",
            SchemaKind::Niches => "`niches.toml`: the niche taxonomy",
            SchemaKind::Benchmarks => "`benchmarks.toml`: engagement-rate benchmarks",
            SchemaKind::Brand => "`brands/<brand>.toml`: one brand",
            SchemaKind::Tests => "`*.tests.toml`: rule unit tests",
            SchemaKind::Audience => "`audience.toml`: audience rules for one follower account",
        }
    }

    /// The schema's file name: `brand.json`.
    pub fn file_name(self) -> String {
        format!("{}.json", self.name())
    }

    /// The rule files of this kind, as a pattern people read.
    pub fn files(self) -> &'static str {
        match self {
            SchemaKind::Tiers => "tiers.toml, experiments/*.toml",
            SchemaKind::Niches => "niches.toml",
            SchemaKind::Benchmarks => "benchmarks.toml",
            SchemaKind::Brand => "brands/*.toml",
            SchemaKind::Tests => "*.tests.toml",
            SchemaKind::Audience => "audience.toml",
        }
    }

    /// The kind of the rule file at `rel` (relative to the rule folder, `/`-separated).
    pub fn of_file(rel: &str) -> Option<SchemaKind> {
        if rel.ends_with(TESTS_SUFFIX) {
            return Some(SchemaKind::Tests);
        }
        if !rel.ends_with(".toml") {
            return None;
        }
        let in_dir = |dir: &str| {
            rel.strip_prefix(dir)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|name| !name.contains('/'))
        };
        match rel {
            TIERS_FILE => Some(SchemaKind::Tiers),
            NICHES_FILE => Some(SchemaKind::Niches),
            BENCHMARKS_FILE => Some(SchemaKind::Benchmarks),
            AUDIENCE_FILE => Some(SchemaKind::Audience),
            _ if in_dir(EXPERIMENTS_DIR) => Some(SchemaKind::Tiers),
            _ if in_dir(BRANDS_DIR) => Some(SchemaKind::Brand),
            _ => None,
        }
    }

    /// The schema, generated from the type that reads this kind of file.
    pub fn schema(self) -> Value {
        // Draft 7 with every subschema inlined: what TOML language servers (taplo, Even
        // Better TOML) read best; `$defs` references are not resolved by all of them.
        let generator =
            || SchemaSettings::draft07().with(|s| s.inline_subschemas = true).into_generator();
        let (schema, title): (Schema, &str) = match self {
            SchemaKind::Tiers => {
                (generator().into_root_schema_for::<RawTierScheme>(), "scout tier scheme")
            }
            SchemaKind::Niches => {
                (generator().into_root_schema_for::<RawNiches>(), "scout niche taxonomy")
            }
            SchemaKind::Benchmarks => {
                let mut schema =
                    generator().into_root_schema_for::<crate::rules::raw::BenchmarksSchema>();
                schema.insert(
                    "description".to_owned(),
                    json!("Engagement-rate benchmarks: platform (or `default`) → tier → rate, a fraction (2.28% is 0.0228); `[followers.<platform>]` and `[views.<platform>]` for one ER basis; `[curve.<platform>]` for a curve over follower counts."),
                );
                (schema, "scout engagement-rate benchmarks")
            }
            SchemaKind::Brand => (generator().into_root_schema_for::<RawBrand>(), "scout brand"),
            SchemaKind::Tests => {
                (generator().into_root_schema_for::<RawTestFile>(), "scout rule tests")
            }
            SchemaKind::Audience => {
                (generator().into_root_schema_for::<RawAudience>(), "scout audience rules")
            }
        };
        let mut value = schema.to_value();
        tidy(&mut value);
        // People read the head first: the dialect, the title, what the file is.
        let mut ordered = serde_json::Map::new();
        if let Value::Object(map) = &mut value {
            for key in ["$schema", "title", "description"] {
                if let Some(v) = map.remove(key) {
                    ordered.insert(key.to_owned(), v);
                }
            }
            ordered.insert("title".to_owned(), json!(format!("{title} ({})", self.files())));
            ordered.append(map);
        }
        Value::Object(ordered)
    }

    /// The schema as the file `scout schema --output` writes: pretty JSON and a newline.
    pub fn render(self) -> String {
        let mut text =
            serde_json::to_string_pretty(&self.schema()).expect("a schema serialises to JSON");
        text.push('\n');
        text
    }
}

/// Drops `null` from every schema (TOML has no null: an `Option` is a key left out), drops
/// schemars' Rust-type formats (`uint64`, `double`: not JSON Schema formats, which some
/// validators warn about) and joins the lines of doc comments, so editors show each
/// description as one paragraph.
fn tidy(value: &mut Value) {
    match value {
        Value::Object(map) => {
            // (A property named `format` would be an object, and stays.)
            if map.get("format").is_some_and(Value::is_string) {
                map.remove("format");
            }
            if let Some(Value::String(text)) = map.get_mut("description") {
                *text = text
                    .split("\n\n")
                    .map(|p| p.replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join("\n\n");
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".to_owned(), only);
                }
            }
            if let Some(Value::Array(any_of)) = map.get_mut("anyOf") {
                any_of.retain(|s| s.get("type") != Some(&json!("null")));
                if any_of.len() == 1 {
                    if let Some(Value::Object(only)) = any_of.pop() {
                        map.remove("anyOf");
                        for (key, v) in only {
                            map.entry(key).or_insert(v);
                        }
                    }
                }
            }
            map.values_mut().for_each(tidy);
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
}

/// The `#:schema` directive for the rule file at `rel`: a path to `schemas/<kind>.json`
/// relative to the file, as taplo resolves it. `None` for files that are not rule files.
pub fn directive(rel: &str) -> Option<String> {
    let kind = SchemaKind::of_file(rel)?;
    let depth = rel.matches('/').count();
    let up = if depth == 0 { "./".to_owned() } else { "../".repeat(depth) };
    Some(format!("#:schema {up}{SCHEMAS_DIR}/{}", kind.file_name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_map_to_kinds_and_directives() {
        assert_eq!(SchemaKind::of_file("tiers.toml"), Some(SchemaKind::Tiers));
        assert_eq!(SchemaKind::of_file("experiments/meta.toml"), Some(SchemaKind::Tiers));
        assert_eq!(SchemaKind::of_file("brands/glowskin.toml"), Some(SchemaKind::Brand));
        assert_eq!(SchemaKind::of_file("brands/glowskin.tests.toml"), Some(SchemaKind::Tests));
        assert_eq!(SchemaKind::of_file("brands/glowskin.rhai"), None);
        assert_eq!(SchemaKind::of_file("brands/old/glowskin.toml"), None);
        assert_eq!(directive("tiers.toml").unwrap(), "#:schema ./schemas/tiers.json");
        assert_eq!(directive("brands/x.toml").unwrap(), "#:schema ../schemas/brand.json");
        assert_eq!(directive("tiers.tests.toml").unwrap(), "#:schema ./schemas/tests.json");
    }

    #[test]
    fn schemas_reject_unknown_keys_and_describe_fields() {
        let brand = SchemaKind::Brand.schema();
        assert_eq!(brand["additionalProperties"], json!(false));
        let description = brand["properties"]["tiers"]["description"].as_str().unwrap();
        assert!(description.contains("tier scheme"), "{description}");
    }
}
