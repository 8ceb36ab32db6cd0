//! Learned rule confidence in the engine (docs/rule-confidence.md): a rule marked
//! `"confidence": {"demoted": true}` reports at `info`, unless the user or the council's profile
//! sets the category's severity, the rule has its own severity (block rules), or the stance model
//! corroborates the category. Self-contained: the demoted rules here are a test council's own.

use postcheck::{Checker, Context, Finding, Severity};
use serde_json::{json, Value};

fn profile(council: &str) -> Value {
    let path = format!("{}/profiles/{council}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("profile")).expect("json")
}

/// Barnsley's policy as "testshire" with one own rule (confidential-info, "nightjar").
fn testshire(rule_extra: Value, category_severity: Option<&str>) -> Checker {
    let mut p = profile("barnsley");
    p["id"] = json!("testshire");
    let mut rule = json!({
        "id": "testshire.codename",
        "category": "confidential-info",
        "patterns": ["nightjar"],
        "message": "“{match}” is the internal name of an unannounced project.",
        "examples": {"fire": ["nightjar"], "quiet": ["a heron"]}
    });
    for (k, v) in rule_extra.as_object().expect("object") {
        rule[k] = v.clone();
    }
    p["rules"] = json!([rule]);
    if let Some(s) = category_severity {
        p["categories"]["confidential-info"]["severity"] = json!(s);
    }
    let mut c = Checker::builtin();
    c.add_profile_json(&p.to_string()).expect("loads");
    c
}

const TEXT: &str = "nightjar";

fn own(f: &[Finding]) -> Severity {
    f.iter().find(|f| f.rule == "testshire.codename").unwrap_or_else(|| panic!("no finding: {f:?}")).severity
}

fn check(c: &Checker, ctx: &Context) -> Vec<Finding> {
    postcheck::model::check_with_model(c, TEXT, ctx, false).expect("checks")
}

#[test]
fn a_demoted_rule_reports_at_info_and_an_undemoted_one_at_the_category_default() {
    let ctx = Context::new("testshire");
    assert_eq!(own(&check(&testshire(json!({}), None), &ctx)), Severity::Warn);
    let demoted = testshire(json!({"confidence": {"clean": 9, "expected": 1, "other": 0, "precision": 0.2, "demoted": true}}), None);
    assert_eq!(own(&check(&demoted, &ctx)), Severity::Info);
    // statistics alone do not demote
    let counted = testshire(json!({"confidence": {"clean": 9, "expected": 1, "other": 0, "precision": 0.2}}), None);
    assert_eq!(own(&check(&counted, &ctx)), Severity::Warn);
}

#[test]
fn explicit_severities_win_over_a_demotion() {
    let demote = json!({"confidence": {"demoted": true}});
    // the user's (deployment's) override
    let mut ctx = Context::new("testshire");
    ctx.severity = serde_json::from_value(json!({"confidential-info": "warn"})).expect("severity policy");
    assert_eq!(own(&check(&testshire(demote.clone(), None), &ctx)), Severity::Warn);
    let ctx = Context::new("testshire");
    // the council's profile
    assert_eq!(own(&check(&testshire(demote.clone(), Some("warn")), &ctx)), Severity::Warn);
    assert_eq!(own(&check(&testshire(demote.clone(), Some("block")), &ctx)), Severity::Block);
    // the rule's own severity: block rules are never demoted
    let mut block = demote.clone();
    block["severity"] = json!("block");
    assert_eq!(own(&check(&testshire(block, None), &ctx)), Severity::Block);
}

/// Labelled drafts the stance model fires on in a category the built-in rules do not raise: a
/// demoted own rule of that category (any word) is restored to `warn` with the model on, and stays
/// at `info` with it off.
#[test]
fn the_stance_model_corroborates_a_demoted_finding() {
    let m = postcheck::model::builtin().expect("model");
    let base = Checker::builtin();
    let data = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/own14.jsonl")).expect("own14");
    let mut tried = 0;
    for line in data.lines() {
        let v: Value = serde_json::from_str(line).expect("json");
        let ctx: Context = serde_json::from_value(v.clone()).expect("context");
        let text = v["text"].as_str().expect("text");
        let rules_only = postcheck::model::check_with_model(&base, text, &ctx, false).expect("checks");
        let Some(cat) = m.categories.iter().map(|c| c.id.as_str()).find(|c| {
            !rules_only.iter().any(|f| f.category == *c)
                && postcheck::model::grounded(&base, &ctx, c)
                && m.verdict(text, &ctx, c).is_some_and(|v| v.fires)
        }) else {
            continue;
        };
        let e = Example { text, category: cat, context: &ctx };
        let ctx = e.context;
        tried += 1;
        let mut p = profile(&ctx.council);
        p["rules"] = json!([{
            "id": "own.any-word",
            "category": e.category,
            "patterns": ["[a-z]{3,}"],
            "message": "“{match}”",
            "examples": {"fire": ["any words at all"]},
            "confidence": {"demoted": true}
        }]);
        let mut c = Checker::builtin();
        c.add_profile_json(&p.to_string()).expect("loads");
        let sev = |on: bool| {
            let f = postcheck::model::check_with_model(&c, e.text, ctx, on).expect("checks");
            let mine: Vec<&Finding> = f.iter().filter(|f| f.category == e.category).collect();
            assert!(!mine.is_empty() && mine.iter().all(|f| f.rule == "own.any-word"), "{}: {f:?}", e.text);
            mine.iter().map(|f| f.severity).min().expect("a finding")
        };
        assert_eq!(sev(false), Severity::Info, "model off: demoted ({})", e.text);
        assert_eq!(sev(true), Severity::Warn, "model on: corroborated ({})", e.text);
        if tried >= 3 {
            break;
        }
    }
    assert!(tried > 0, "no own14 draft where the model alone raises a category");
}

struct Example<'a> {
    text: &'a str,
    category: &'a str,
    context: &'a Context,
}
