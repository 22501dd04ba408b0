//! `scout new brand`: the scaffold checks and its tests pass; nothing is ever overwritten.

use crate::{rules_fixture, rules_with, scout_in, variant, write_rule};

fn read(dir: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join("rules").join(rel)).unwrap()
}

#[test]
fn a_template_brand_passes_check_and_test() {
    let tmp = rules_with(&[]);
    let run = scout_in(tmp.path(), &["new", "brand", "acme"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("created `rules/brands/acme.toml`"), "{}", run.stderr);
    assert!(run.stderr.contains("created `rules/brands/acme.tests.toml`"), "{}", run.stderr);

    let check = scout_in(tmp.path(), &["check"], None);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let test = scout_in(tmp.path(), &["test", "--brand", "acme"], None);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(test.stdout.ends_with("11 passed, 0 failed\n"), "{}", test.stdout);

    insta::assert_snapshot!("new_brand_template", read(tmp.path(), "brands/acme.toml"));
    insta::assert_snapshot!("new_brand_template_tests", read(tmp.path(), "brands/acme.tests.toml"));
}

#[test]
fn it_never_overwrites() {
    let tmp = rules_with(&[]);
    assert_eq!(scout_in(tmp.path(), &["new", "brand", "acme"], None).code, 0);
    let brand = tmp.path().join("rules/brands/acme.toml");
    std::fs::write(&brand, "# edited by hand\nname = \"Acme\"\n").unwrap();
    let run = scout_in(tmp.path(), &["new", "brand", "acme"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`rules/brands/acme.toml` already exists"), "{}", run.stderr);
    assert!(run.stderr.contains("never overwrites"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&brand).unwrap(), "# edited by hand\nname = \"Acme\"\n");

    // A stray test file of that name blocks the brand too, and nothing is written.
    std::fs::write(tmp.path().join("rules/brands/zeta.tests.toml"), "").unwrap();
    let run = scout_in(tmp.path(), &["new", "brand", "zeta", "--from", "glowskin"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`rules/brands/zeta.tests.toml` already exists"), "{}", run.stderr);
    assert!(!tmp.path().join("rules/brands/zeta.toml").exists());

    // An existing brand of that name is refused.
    let run = scout_in(tmp.path(), &["new", "brand", "glowskin"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
}

#[test]
fn a_copy_keeps_the_brand_its_script_and_its_tests() {
    let tmp = rules_with(&[]);
    let run = scout_in(tmp.path(), &["new", "brand", "trekco", "--from", "trailpack"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let brand = read(tmp.path(), "brands/trekco.toml");
    assert!(brand.contains("name = \"trekco\""), "{brand}");
    assert!(brand.contains("script = \"brands/trekco.rhai\""), "{brand}");
    assert_eq!(
        read(tmp.path(), "brands/trekco.rhai").replace("trekco", "trailpack"),
        read(tmp.path(), "brands/trailpack.rhai")
    );
    let tests = read(tmp.path(), "brands/trekco.tests.toml");
    assert!(tests.contains("scout test --brand trekco"), "{tests}");

    assert_eq!(scout_in(tmp.path(), &["check"], None).code, 0);
    let test = scout_in(tmp.path(), &["test", "--brand", "trekco"], None);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
    assert!(test.stdout.contains("rules/brands/trekco.tests.toml  14 cases"), "{}", test.stdout);
}

#[test]
fn a_copy_without_tests_gets_boundary_tests() {
    let tmp = rules_with(&[]);
    std::fs::remove_file(tmp.path().join("rules/brands/littlenest.tests.toml")).unwrap();
    let run = scout_in(tmp.path(), &["new", "brand", "nestling", "--from", "littlenest"], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let tests = read(tmp.path(), "brands/nestling.tests.toml");
    for boundary in
        ["followers = 1_999,", "followers = 2_000,", "followers = 100_000,", "followers = 100_001,"]
    {
        assert!(tests.contains(boundary), "{boundary}: {tests}");
    }
    assert!(!tests.contains("bought.audience"), "no template cases in a copy");
    let test = scout_in(tmp.path(), &["test", "--brand", "nestling"], None);
    assert_eq!(test.code, 0, "{}{}", test.stdout, test.stderr);
}

#[test]
fn bad_names_unknown_sources_and_broken_folders_are_refused() {
    let tmp = rules_with(&[]);
    let run = scout_in(tmp.path(), &["new", "brand", "Acme Co"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`Acme Co` cannot be a brand name"), "{}", run.stderr);
    assert!(run.stderr.contains("hint: use lowercase letters"), "{}", run.stderr);

    let run = scout_in(tmp.path(), &["new", "brand", "acme", "--from", "glowskn"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `glowskin`?"), "{}", run.stderr);

    let broken = rules_fixture("one_brand");
    write_rule(&broken, "tiers.toml", &variant("tiers_overlapping.toml"));
    let run = scout_in(broken.path(), &["new", "brand", "acme"], None);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("overlap"), "{}", run.stderr);
    assert!(!broken.path().join("rules/brands/acme.toml").exists());
}

#[test]
fn schema_directives_only_when_the_folder_has_schemas() {
    let tmp = rules_with(&[]);
    std::fs::remove_dir_all(tmp.path().join("rules/schemas")).unwrap();
    assert_eq!(scout_in(tmp.path(), &["new", "brand", "acme"], None).code, 0);
    assert!(!read(tmp.path(), "brands/acme.toml").contains("#:schema"));
}
