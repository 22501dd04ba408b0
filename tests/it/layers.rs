//! The library's top-level modules form layers that import one way: each module may use
//! only the modules of lower layers (and its own). ARCHITECTURE.md draws the same list.

use std::collections::BTreeMap;
use std::path::Path;

use crate::root;

/// Lowest first. Modules on one line are peers that do not import each other.
const LAYERS: &[&[&str]] = &[
    &["text", "number", "country", "diagnostic", "metrics"],
    &["source"],
    &["model"],
    &["rules"],
    &["input"],
    &["engine", "inspect", "audit"],
    &["rank"],
    &["changes", "plan", "evaluate"],
    &["authoring"],
    &["valid"],
    &["reload", "output"],
    &["serve"],
    &["cli"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// `crate::x` paths outside comments, by the top-level module of the file they are in.
fn imports() -> BTreeMap<String, Vec<(String, String)>> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = root().join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut found: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        let module = rel.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
        if module == "lib" || module == "main" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let code = line.split("//").next().unwrap_or_default();
            for (at, _) in code.match_indices("crate::") {
                let used: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                if !used.is_empty() && used != module {
                    found.entry(module.clone()).or_default().push((used, rel.clone()));
                }
            }
        }
    }
    found
}

#[test]
fn every_module_is_in_a_layer() {
    let listed: Vec<&str> = LAYERS.iter().flat_map(|l| l.iter().copied()).collect();
    for entry in std::fs::read_dir(root().join("src")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().trim_end_matches(".rs").to_owned();
        if name != "lib" && name != "main" {
            assert!(listed.contains(&name.as_str()), "`src/{name}` is in no layer of LAYERS");
        }
    }
}

#[test]
fn layers_import_only_downwards() {
    let mut upward = Vec::new();
    for (module, uses) in imports() {
        let Some(own) = layer_of(&module) else { continue };
        for (used, file) in uses {
            match layer_of(&used) {
                Some(layer) if layer < own => {}
                _ => upward.push(format!("src/{file}: `{module}` uses `crate::{used}`")),
            }
        }
    }
    upward.sort();
    upward.dedup();
    assert!(upward.is_empty(), "imports that do not go down a layer:\n{}", upward.join("\n"));
}
