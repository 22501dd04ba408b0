//! `scout schema`: the committed schemas match the types, and every bundled rule file
//! validates against its schema and points at it with a `#:schema` directive.

use std::path::Path;

use scout::authoring::schema::{directive, SchemaKind};

use crate::{root, scout};

fn rule_files(dir: &Path, base: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rule_files(&path, base, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

fn as_json(text: &str) -> serde_json::Value {
    let value: toml::Value = toml::from_str(text).unwrap();
    serde_json::to_value(value).unwrap()
}

fn validator(kind: SchemaKind) -> jsonschema::Validator {
    jsonschema::validator_for(&kind.schema()).expect("a valid JSON Schema")
}

fn problems(kind: SchemaKind, instance: &serde_json::Value) -> Vec<String> {
    validator(kind)
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn committed_schemas_match_the_types() {
    for kind in SchemaKind::ALL {
        let path = root().join("rules/schemas").join(kind.file_name());
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == kind.render(),
            "`{}` is stale: run `cargo run -- schema --output rules/schemas`",
            path.display()
        );
    }
}

#[test]
fn every_bundled_rule_file_validates_and_names_its_schema() {
    let rules = root().join("rules");
    let mut files = Vec::new();
    rule_files(&rules, &rules, &mut files);
    files.sort();
    // Other kinds of TOML (say, import profiles) have no schema here yet.
    let files: Vec<(String, SchemaKind)> =
        files.into_iter().filter_map(|rel| SchemaKind::of_file(&rel).map(|k| (rel, k))).collect();
    assert!(files.len() >= 14, "{files:?}");
    for kind in SchemaKind::ALL {
        assert!(files.iter().any(|(_, k)| *k == kind), "no bundled {kind:?} file");
    }
    for (rel, kind) in &files {
        let kind = *kind;
        let text = std::fs::read_to_string(rules.join(rel)).unwrap();
        let errors = problems(kind, &as_json(&text));
        assert!(errors.is_empty(), "{rel}: {errors:?}");
        let expected = directive(rel).unwrap();
        assert!(text.lines().any(|l| l == expected), "{rel} lacks `{expected}`");
        let target = expected.trim_start_matches("#:schema ");
        assert!(rules.join(rel).parent().unwrap().join(target).is_file(), "{rel}: {target}");
    }
}

#[test]
fn the_example_tier_scheme_validates_too() {
    let path = root().join("examples/nano5k.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(problems(SchemaKind::Tiers, &as_json(&text)).is_empty());
    let target = text.lines().find_map(|l| l.strip_prefix("#:schema ")).unwrap();
    assert!(path.parent().unwrap().join(target).is_file(), "{target}");
}

#[test]
fn schemas_catch_what_scout_check_catches() {
    let brand = as_json("[weights]\nnich_fit = 0.3\n[filters]\nmax_fake_follower_pct = 25.0\n");
    let errors = problems(SchemaKind::Brand, &brand);
    assert!(errors.iter().any(|e| e.contains("nich_fit")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("25.0") || e.contains("25")), "{errors:?}");

    let tiers = as_json("[[tier]]\nname = \"nano\"\nmax_followers = -1\n");
    assert!(!problems(SchemaKind::Tiers, &tiers).is_empty());
    let tests = as_json("[[case]]\nname = \"x\"\ncandidate = { handle = \"a\", followers = 1 }\nexpect = { teir = \"nano\" }\n");
    let errors = problems(SchemaKind::Tests, &tests);
    assert!(errors.iter().any(|e| e.contains("teir")), "{errors:?}");
    let basis = as_json("[engagement]\nbasis = \"follower\"\n");
    assert!(!problems(SchemaKind::Brand, &basis).is_empty());
}

#[test]
fn the_command_prints_lists_and_writes() {
    let run = scout(&["schema", "brand"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, SchemaKind::Brand.render());

    let run = scout(&["schema"]);
    assert_eq!(run.code, 0);
    for kind in SchemaKind::ALL {
        assert!(run.stdout.contains(kind.name()), "{}", run.stdout);
    }

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("schemas");
    let run = scout(&["schema", "--output", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for kind in SchemaKind::ALL {
        let written = std::fs::read_to_string(out.join(kind.file_name())).unwrap();
        assert_eq!(written, kind.render());
    }

    let run = scout(&["schema", "brands"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("brand"), "{}", run.stderr);
}
