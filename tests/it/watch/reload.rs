//! The reload logic driven by synthetic change events on a temp copy of the `one_brand`
//! rule fixture, changed by writing whole files: no watcher, so every step is
//! deterministic.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use scout::reload::{Change, ChangeKind, Outcome, Reloader};
use scout::rules::load::{read_folder, revision_of};
use scout::rules::RuleSet;

use crate::{glowskin_toml, rules_fixture, variant, GLOWSKIN_WEIGHTS};

const BRAND: &str = "brands/glowskin.toml";

fn rules_dir(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("rules")
}

fn modified(root: &Path, rel: &str) -> Vec<Change> {
    vec![Change::new(ChangeKind::Modified, root.join(rel))]
}

/// The fixture's `brands/glowskin.toml`, whole, with `beauty` weighing `beauty` and
/// `extra_niches` added to its `[niches]` table.
fn glowskin(beauty: &str, extra_niches: &str) -> String {
    let niches = format!(
        "beauty = {beauty}\nwellness = 0.6\nfashion = 0.5\nlifestyle = 0.4\n{extra_niches}"
    );
    glowskin_toml(&niches, GLOWSKIN_WEIGHTS)
}

/// Writes `text` as the whole of the rule file `rel`, in place.
fn write(root: &Path, rel: &str, text: &str) {
    std::fs::write(root.join(rel), text).unwrap();
}

/// The revision of what is on disk now.
fn disk_revision(root: &Path) -> String {
    revision_of(&read_folder(root).unwrap())
}

fn niche_weight(rules: &RuleSet, brand: &str, niche: &str) -> Option<f64> {
    let id = rules.taxonomy.resolve(niche)?;
    Some(rules.brands.get(brand)?.niche_weights[id])
}

fn activated(outcome: Outcome) -> scout::reload::Activation {
    match outcome {
        Outcome::Activated(activation) => activation,
        other => panic!("expected an activation, got {other:?}"),
    }
}

fn rejected(outcome: Outcome) -> scout::reload::Rejection {
    match outcome {
        Outcome::Rejected(rejection) => rejection,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn valid_then_invalid_then_valid() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::new(&root).unwrap();
    let first = reloader.revision();

    write(&root, BRAND, &glowskin("0.8", ""));
    let activation = activated(reloader.apply(&modified(&root, BRAND)));
    assert_eq!(activation.previous.revision, first);
    let second = reloader.revision();
    assert_ne!(second, first);
    assert_eq!(second, disk_revision(&root));
    assert_eq!(niche_weight(&reloader.snapshot(), "glowskin", "beauty"), Some(0.8));

    let typo = format!("wieght = 0.1\n{GLOWSKIN_WEIGHTS}");
    let niches = "beauty = 0.8\nwellness = 0.6\nfashion = 0.5\nlifestyle = 0.4\n";
    write(&root, BRAND, &glowskin_toml(niches, &typo));
    let rejection = rejected(reloader.apply(&modified(&root, BRAND)));
    assert_eq!(rejection.active, second);
    assert_eq!(rejection.revision.as_deref(), Some(disk_revision(&root).as_str()));
    let diagnostic = &rejection.diagnostics[0];
    assert_eq!(diagnostic.message, "unknown key `wieght`");
    assert!(
        diagnostic.location().ends_with("brands/glowskin.toml:22:1"),
        "{}",
        diagnostic.location()
    );
    // The last good rules keep serving, and the status says why the reload failed.
    assert_eq!(reloader.revision(), second);
    assert_eq!(niche_weight(&reloader.snapshot(), "glowskin", "beauty"), Some(0.8));
    let status = reloader.status();
    assert_eq!(status.revision, second);
    assert_eq!(status.last_error.as_ref().unwrap().diagnostics.len(), 1);

    write(&root, BRAND, &glowskin("0.7", ""));
    activated(reloader.apply(&modified(&root, BRAND)));
    assert_eq!(reloader.revision(), disk_revision(&root));
    assert_eq!(niche_weight(&reloader.snapshot(), "glowskin", "beauty"), Some(0.7));
    let status = reloader.status();
    assert!(status.last_error.is_none());
    assert_eq!((status.activations, status.rejections), (2, 1));
}

#[test]
fn rename_over_save_reloads_once_and_ignores_temp_files() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::new(&root).unwrap();
    let first = reloader.revision();
    let target = root.join(BRAND);
    let text = glowskin("0.9", "");

    // The editor writes a temp file next to the target, with the same extension even.
    let temp = root.join("brands/.glowskin.toml.tmp4913");
    std::fs::write(&temp, &text).unwrap();
    let probe = root.join("brands/4913");
    std::fs::write(&probe, "").unwrap();
    let backup = root.join("brands/glowskin.toml~");
    std::fs::copy(&target, &backup).unwrap();
    let noise = [
        Change::new(ChangeKind::Created, &temp),
        Change::new(ChangeKind::Modified, &temp),
        Change::new(ChangeKind::Created, &probe),
        Change::new(ChangeKind::Removed, &probe),
        Change::new(ChangeKind::Created, &backup),
        Change::new(ChangeKind::Created, root.join("brands/.glowskin.toml.swp")),
        Change::new(ChangeKind::Modified, root.join("notes.md")),
    ];
    assert!(matches!(reloader.apply(&noise), Outcome::Ignored));
    assert_eq!(reloader.revision(), first);

    // … then renames it over the target.
    std::fs::rename(&temp, &target).unwrap();
    let activation = activated(reloader.apply(&[Change::renamed(&temp, &target)]));
    assert_eq!(activation.previous.revision, first);
    assert_eq!(niche_weight(&reloader.snapshot(), "glowskin", "beauty"), Some(0.9));
    // Backups left behind are not rule files.
    assert_eq!(reloader.revision(), disk_revision(&root));
}

#[test]
fn delete_then_create() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::new(&root).unwrap();
    let first = reloader.revision();
    let tiers = root.join("tiers.toml");
    let text = std::fs::read_to_string(&tiers).unwrap();

    // Seen in one batch: one reload, straight to the new content.
    std::fs::remove_file(&tiers).unwrap();
    std::fs::write(&tiers, format!("{text}\n")).unwrap();
    let batch =
        [Change::new(ChangeKind::Removed, &tiers), Change::new(ChangeKind::Created, &tiers)];
    activated(reloader.apply(&batch));
    let second = reloader.revision();
    assert_ne!(second, first);

    // Seen in two batches: the gap is a missing file, rejected; the old rules serve.
    std::fs::remove_file(&tiers).unwrap();
    let rejection = rejected(reloader.apply(&[Change::new(ChangeKind::Removed, &tiers)]));
    assert!(rejection.diagnostics[0].message.starts_with("missing `tiers.toml`"));
    assert_eq!(reloader.revision(), second);
    std::fs::write(&tiers, &text).unwrap();
    activated(reloader.apply(&[Change::new(ChangeKind::Created, &tiers)]));
    assert_eq!(reloader.revision(), first, "the original content has the original revision");
}

#[test]
fn a_burst_of_100_events_is_one_reload() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::new(&root).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    for i in 0..100 {
        write(&root, BRAND, &glowskin(&format!("0.{}", 10 + i % 90), ""));
        let kind = [ChangeKind::Modified, ChangeKind::Created, ChangeKind::Renamed][i % 3];
        tx.send(vec![
            Change::new(kind, root.join(BRAND)),
            Change::new(ChangeKind::Modified, root.join("brands/.glowskin.toml.swp")),
        ])
        .unwrap();
    }
    drop(tx);
    let mut outcomes = Vec::new();
    reloader.follow(&rx, |outcome| outcomes.push(outcome));
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    activated(outcomes.remove(0));
    assert_eq!(
        niche_weight(&reloader.snapshot(), "glowskin", "beauty"),
        Some(0.19),
        "the last save wins"
    );
    assert_eq!(reloader.status().activations, 1);
}

#[test]
fn saving_the_same_content_is_not_a_new_revision() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::new(&root).unwrap();
    let first = reloader.revision();
    let outcome = reloader.apply(&modified(&root, BRAND));
    assert!(matches!(outcome, Outcome::Unchanged { recovered: false, .. }), "{outcome:?}");

    // Broken, then put back exactly as it was: the folder recovered to the active revision.
    let text = std::fs::read_to_string(root.join(BRAND)).unwrap();
    std::fs::write(root.join(BRAND), format!("{text}\noops = [\n")).unwrap();
    rejected(reloader.apply(&modified(&root, BRAND)));
    std::fs::write(root.join(BRAND), text).unwrap();
    let outcome = reloader.apply(&modified(&root, BRAND));
    assert!(matches!(outcome, Outcome::Unchanged { recovered: true, .. }), "{outcome:?}");
    assert_eq!(reloader.revision(), first);
    assert!(reloader.status().last_error.is_none());
}

#[test]
fn a_file_caught_mid_save_is_never_loaded() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::new(&root).unwrap();
    let first = reloader.revision();
    // An in-place save truncates before it writes; an empty brand file would load.
    std::fs::write(root.join(BRAND), "").unwrap();
    let rejection = rejected(reloader.apply(&modified(&root, BRAND)));
    assert_eq!(rejection.diagnostics[0].message, "`brands/glowskin.toml` is empty");
    assert_eq!(reloader.revision(), first);
}

#[test]
fn settling_reads_until_two_reads_agree() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader =
        Reloader::builder(&root).settle(std::time::Duration::from_millis(5)).build().unwrap();
    write(&root, BRAND, &glowskin("0.3", ""));
    let activation = activated(reloader.apply(&modified(&root, BRAND)));
    assert!(activation.settling >= std::time::Duration::from_millis(5));
    assert!(activation.took >= activation.settling);
    assert_eq!(niche_weight(&reloader.snapshot(), "glowskin", "beauty"), Some(0.3));
}

#[test]
fn a_validator_can_veto_a_reload_and_sees_the_same_files() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::builder(&root)
        .validator(|rules, files| {
            let weight = niche_weight(rules, "glowskin", "beauty").unwrap_or(0.0);
            let file = files.iter().find(|f| f.rel == BRAND).expect("the brand file is there");
            if weight >= 0.5 {
                return Ok(());
            }
            let at = file.text.find("beauty = ").unwrap();
            Err(vec![scout::diagnostic::Diagnostic::error(
                &file.path,
                "test failed: beauty must weigh at least 0.5",
            )
            .at(&file.text, at..at + 6)])
        })
        .build()
        .unwrap();
    let first = reloader.revision();
    write(&root, BRAND, &glowskin("0.4", ""));
    let rejection = rejected(reloader.apply(&modified(&root, BRAND)));
    assert_eq!(rejection.diagnostics[0].message, "test failed: beauty must weigh at least 0.5");
    assert!(rejection.diagnostics[0].location().ends_with("brands/glowskin.toml:5:1"));
    assert_eq!(reloader.revision(), first);
    write(&root, BRAND, &glowskin("0.6", ""));
    activated(reloader.apply(&modified(&root, BRAND)));
}

#[test]
fn an_invalid_folder_never_makes_a_reloader() {
    let tmp = rules_fixture("one_brand");
    write(&rules_dir(&tmp), "scoring.rhai", &variant("scoring_unknown_variable.rhai"));
    let diagnostics = Reloader::new(rules_dir(&tmp)).unwrap_err();
    assert!(diagnostics[0].message.contains("nichefit"), "{}", diagnostics[0].message);
}

/// What a step leaves the brand file as.
#[derive(Clone, Copy, Debug)]
enum BrandFile {
    /// `beauty = 0.<k>`.
    Weight(u8),
    /// `beauty = 0.<k>` and `fragrance = 0.9`: valid only while niches.toml has fragrance.
    UsesFragrance(u8),
    /// An unknown table.
    Broken,
    /// Truncated by an in-place save, not yet written.
    Empty,
    /// Deleted: the folder is still valid, without the brand.
    Missing,
}

#[derive(Clone, Copy, Debug)]
enum NichesFile {
    Original,
    WithFragrance,
    Broken,
    Missing,
}

#[derive(Clone, Copy, Debug)]
enum Save {
    InPlace,
    AtomicRename,
    DeleteThenCreate,
}

#[derive(Clone, Copy, Debug)]
enum Step {
    Brand(BrandFile, Save),
    Niches(NichesFile, Save),
}

fn step() -> impl Strategy<Value = Step> {
    let save =
        prop_oneof![Just(Save::InPlace), Just(Save::AtomicRename), Just(Save::DeleteThenCreate)];
    let brand = prop_oneof![
        (1u8..10).prop_map(BrandFile::Weight),
        (1u8..10).prop_map(BrandFile::UsesFragrance),
        Just(BrandFile::Broken),
        Just(BrandFile::Empty),
        Just(BrandFile::Missing),
    ];
    let niches = prop_oneof![
        Just(NichesFile::Original),
        Just(NichesFile::WithFragrance),
        Just(NichesFile::Broken),
        Just(NichesFile::Missing),
    ];
    prop_oneof![
        (brand, save.clone()).prop_map(|(b, s)| Step::Brand(b, s)),
        (niches, save).prop_map(|(n, s)| Step::Niches(n, s)),
    ]
}

/// The model: what the two files say, and whether the folder is valid.
#[derive(Clone, Copy, Debug)]
struct Model {
    brand: BrandFile,
    niches: NichesFile,
}

impl Model {
    fn valid(&self) -> bool {
        let niches_ok = matches!(self.niches, NichesFile::Original | NichesFile::WithFragrance);
        let brand_ok = match self.brand {
            BrandFile::Weight(_) | BrandFile::Missing => true,
            BrandFile::UsesFragrance(_) => matches!(self.niches, NichesFile::WithFragrance),
            BrandFile::Broken | BrandFile::Empty => false,
        };
        niches_ok && brand_ok
    }

    /// Asserts that `rules` is exactly this model's content, never a mix of two saves.
    fn matches(&self, rules: &RuleSet) -> Result<(), TestCaseError> {
        let (beauty, fragrance) = match self.brand {
            BrandFile::Weight(k) => (Some(f64::from(k) / 10.0), Some(0.0)),
            BrandFile::UsesFragrance(k) => (Some(f64::from(k) / 10.0), Some(0.9)),
            BrandFile::Missing => (None, None),
            BrandFile::Broken | BrandFile::Empty => unreachable!("a broken model is never active"),
        };
        prop_assert_eq!(niche_weight(rules, "glowskin", "beauty"), beauty);
        let has_fragrance = matches!(self.niches, NichesFile::WithFragrance);
        prop_assert_eq!(rules.taxonomy.resolve("perfume").is_some(), has_fragrance);
        if has_fragrance {
            prop_assert_eq!(niche_weight(rules, "glowskin", "fragrance"), fragrance);
        }
        Ok(())
    }
}

fn brand_text(file: BrandFile) -> Option<String> {
    match file {
        BrandFile::Weight(k) => Some(glowskin(&format!("0.{k}"), "")),
        BrandFile::UsesFragrance(k) => Some(glowskin(&format!("0.{k}"), "fragrance = 0.9\n")),
        BrandFile::Broken => {
            Some(format!("{}\n[wieghts]\nengagement = 1.0\n", glowskin("0.5", "")))
        }
        BrandFile::Empty => Some(String::new()),
        BrandFile::Missing => None,
    }
}

fn niches_text(original: &str, file: NichesFile) -> Option<String> {
    match file {
        NichesFile::Original => Some(original.to_owned()),
        NichesFile::WithFragrance => {
            Some(format!("{original}\n[niche.fragrance]\naliases = [\"perfume\"]\n"))
        }
        NichesFile::Broken => Some(format!("{original}\n[niche.fragrance\n")),
        NichesFile::Missing => None,
    }
}

/// Saves `text` to `path` the way `save` says, and returns the events a watcher would see.
fn save(path: &Path, text: Option<&str>, how: Save) -> Vec<Change> {
    let Some(text) = text else {
        let _ = std::fs::remove_file(path);
        return vec![Change::new(ChangeKind::Removed, path)];
    };
    match how {
        Save::InPlace => {
            std::fs::write(path, text).unwrap();
            vec![Change::new(ChangeKind::Modified, path)]
        }
        Save::AtomicRename => {
            let temp = path.with_file_name(".scout-save.tmp");
            std::fs::write(&temp, text).unwrap();
            std::fs::rename(&temp, path).unwrap();
            vec![Change::new(ChangeKind::Created, &temp), Change::renamed(&temp, path)]
        }
        Save::DeleteThenCreate => {
            let _ = std::fs::remove_file(path);
            std::fs::write(path, text).unwrap();
            vec![Change::new(ChangeKind::Removed, path), Change::new(ChangeKind::Created, path)]
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// For any interleaving of valid and invalid saves, the active rule set is always the
    /// last valid content, whole.
    #[test]
    fn the_active_rules_are_always_the_last_valid_content(steps in proptest::collection::vec(step(), 1..10)) {
        let tmp = rules_fixture("one_brand");
        let root = rules_dir(&tmp);
        // The tier tests name the brand, which this model may remove; they are not what is
        // modelled here.
        std::fs::remove_file(root.join("tiers.tests.toml")).unwrap();
        let brand_path = root.join(BRAND);
        let niches_path = root.join("niches.toml");
        let niches_original = std::fs::read_to_string(&niches_path).unwrap();
        // Start from a known model state.
        std::fs::write(&brand_path, brand_text(BrandFile::Weight(5)).unwrap()).unwrap();
        let reloader = Reloader::new(&root).unwrap();
        let mut model = Model { brand: BrandFile::Weight(5), niches: NichesFile::Original };
        let mut last_valid = model;
        let mut last_valid_revision = reloader.revision();
        for step in steps {
            let changes = match step {
                Step::Brand(file, how) => {
                    model.brand = file;
                    save(&brand_path, brand_text(file).as_deref(), how)
                }
                Step::Niches(file, how) => {
                    model.niches = file;
                    save(&niches_path, niches_text(&niches_original, file).as_deref(), how)
                }
            };
            let outcome = reloader.apply(&changes);
            if model.valid() {
                prop_assert!(!matches!(outcome, Outcome::Rejected(_)), "{:?} gave {:?}", model, outcome);
                last_valid = model;
                last_valid_revision = disk_revision(&root);
            } else {
                prop_assert!(matches!(outcome, Outcome::Rejected(_)), "{:?} gave {:?}", model, outcome);
            }
            let active = reloader.snapshot();
            prop_assert_eq!(&active.revision, &last_valid_revision);
            last_valid.matches(&active)?;
        }
    }
}

#[test]
fn a_folder_whose_rule_tests_fail_is_not_activated() {
    let tmp = rules_fixture("one_brand");
    let root = rules_dir(&tmp);
    let reloader = Reloader::builder(&root)
        .validator(|rules, _| scout::authoring::ruletest::validate(rules))
        .build()
        .unwrap();
    let before = reloader.revision();
    // A valid tier scheme that breaks the fixture's expectation: 2,000 followers stop
    // being micro.
    write(&root, "tiers.toml", &variant("tiers_2000_is_nano.toml"));
    let rejection = rejected(reloader.apply(&modified(&root, "tiers.toml")));
    assert_eq!(reloader.revision(), before, "the old rules keep serving");
    let text: Vec<String> = rejection.diagnostics.iter().map(|d| d.message.clone()).collect();
    assert!(text.iter().any(|m| m.contains("2,000 followers is micro")), "{text:#?}");
}
