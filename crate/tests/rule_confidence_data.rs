//! The committed `"confidence"` lines of `crate/rules/*.json` are what
//! `crate/examples/rule-confidence.rs --write` computes from the labelled writers
//! (docs/rule-confidence.md): edit a rule or add a writer, and this fails until the statistics and
//! demotions are recomputed (`cargo run --release -p postcheck --example rule-confidence -- --write`).
//! Its own test binary: it switches demotions off (`POSTCHECK_RULE_CONFIDENCE=0`, read once per
//! process) so the statistics come from undemoted findings, as the tool's do.

#[path = "../examples/rule-confidence.rs"]
#[allow(dead_code)]
mod tool;

use postcheck::{Checker, Severity};
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn committed_demotions_match_the_data() {
    std::env::set_var("POSTCHECK_RULE_CONFIDENCE", "0");
    // the tool's paths are relative to the repository root
    std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).expect("repository root");
    let checker = Checker::builtin();
    let info_default: BTreeSet<String> =
        checker.categories().into_iter().filter(|c| c.2 == Severity::Info).map(|c| c.0).collect();
    let writers = tool::load_pool(&checker, tool::SHIPPED.pool, matches!(tool::SHIPPED.decide, tool::Decide::Gain { .. }));
    assert!(!writers.is_empty(), "no writers found");
    let conf = tool::computed(&writers, &info_default);
    assert!(conf.values().any(|c| c.contains("\"demoted\": true")) || conf.is_empty(), "computed: {conf:?}");
    let bad = tool::committed_mismatches(&writers, &info_default);
    assert!(bad.is_empty(), "confidence lines out of date in {bad:?}: rerun the tool with --write");
}

/// `--write` replaces a rule's old confidence object whole, also one spread over several lines
/// (a hand edit): none of its lines is left behind, and the other rules' lines are untouched.
#[test]
fn rewrite_replaces_a_confidence_object_spread_over_lines() {
    let text = concat!(
        "[\n",
        "  {\n",
        "    \"id\": \"a.one\",\n",
        "    \"category\": \"grievance\",\n",
        "    \"confidence\": {\n",
        "      \"n\": 4,\n",
        "      \"precision\": 0.5\n",
        "    },\n",
        "    \"patterns\": [\"x\"]\n",
        "  },\n",
        "  {\n",
        "    \"id\": \"a.two\",\n",
        "    \"category\": \"bullying\",\n",
        "    \"confidence\": {\"n\": 2, \"precision\": 1.0},\n",
        "    \"patterns\": [\"y\"]\n",
        "  }\n",
        "]\n"
    );
    let conf: BTreeMap<String, String> = [("a.one".to_string(), "{\"n\": 9}".to_string())].into_iter().collect();
    let out = tool::rewrite(text, &conf);
    let want = concat!(
        "[\n",
        "  {\n",
        "    \"id\": \"a.one\",\n",
        "    \"category\": \"grievance\",\n",
        "    \"confidence\": {\"n\": 9},\n",
        "    \"patterns\": [\"x\"]\n",
        "  },\n",
        "  {\n",
        "    \"id\": \"a.two\",\n",
        "    \"category\": \"bullying\",\n",
        "    \"patterns\": [\"y\"]\n",
        "  }\n",
        "]\n"
    );
    assert_eq!(out, want);
    serde_json::from_str::<serde_json::Value>(&out).expect("the rewritten file is JSON");
    // idempotent: writing the same objects again changes nothing
    assert_eq!(tool::rewrite(&out, &conf), out);
}
