//! The `examples` of every built-in profile (docs/profile-format.md, `examples[]`): each draft,
//! checked for its council with the example's mode, flags and attachments, raises exactly the
//! categories in `expect` — the same test `postcheck profile validate` runs on a council's own
//! profile. The examples encode policy-map differences (e.g. `political` for a politically
//! restricted post only where the policy covers it; no `images` for Caerphilly).

use postcheck::{Checker, Context, Mode};
use serde_json::Value;
use std::collections::BTreeSet;

/// Every example of profile `v` whose categories differ from its `expect`, as
/// `"<id> examples[<i>] <text>: expected …, got …"` (empty: all hold).
fn example_failures(checker: &Checker, v: &Value) -> Vec<String> {
    let id = v["id"].as_str().expect("id");
    let examples = v["examples"].as_array().unwrap_or_else(|| panic!("{id}: no examples"));
    let mut failures = Vec::new();
    for (i, ex) in examples.iter().enumerate() {
        let text = ex["text"].as_str().unwrap_or_else(|| panic!("{id}: examples[{i}].text"));
        let mut ctx = Context::new(id);
        if let Some(m) = ex.get("mode") {
            ctx.mode = m.as_str().expect("mode string").parse::<Mode>().expect("mode");
        }
        for f in ex.get("flags").and_then(Value::as_array).into_iter().flatten() {
            ctx.flags.set(f.as_str().expect("flag string")).expect("flag");
        }
        ctx.attachments = ex.get("attachments").and_then(Value::as_bool).unwrap_or(false);
        let expect: BTreeSet<String> =
            ex["expect"].as_array().expect("expect").iter().map(|c| c.as_str().expect("category").to_string()).collect();
        let got: BTreeSet<String> = checker.check(text, &ctx).expect("check").into_iter().map(|f| f.category).collect();
        if got != expect {
            failures.push(format!("{id} examples[{i}] {text:?}: expected {expect:?}, got {got:?}"));
        }
    }
    failures
}

fn builtin_profiles() -> Vec<Value> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("profiles dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            out.push(serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json"));
        }
    }
    out
}

#[test]
fn builtin_profile_examples_pass() {
    let checker = Checker::builtin();
    let mut failures = Vec::new();
    let mut councils = 0;
    for v in builtin_profiles() {
        let id = v["id"].as_str().expect("id");
        let examples = v["examples"].as_array().unwrap_or_else(|| panic!("{id}: no examples"));
        assert!(examples.len() >= 5, "{id}: at least five examples");
        assert!(examples.iter().any(|e| e["expect"].as_array().is_some_and(|a| a.is_empty())), "{id}: a clean example");
        assert!(examples.iter().any(|e| e["expect"].as_array().is_some_and(|a| !a.is_empty())), "{id}: a breaching example");
        councils += 1;
        failures.extend(example_failures(&checker, &v));
    }
    assert_eq!(councils, 5);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The examples can fail: in each built-in profile, a breaching example whose `expect` is emptied
/// and a clean one that is made to expect `profanity` are both reported by the comparison the test
/// above runs (guards it against passing vacuously).
#[test]
fn a_wrong_expectation_is_caught() {
    let checker = Checker::builtin();
    for mut v in builtin_profiles() {
        let id = v["id"].as_str().expect("id").to_string();
        let examples = v["examples"].as_array_mut().expect("examples");
        let breach = examples.iter().position(|e| e["expect"].as_array().is_some_and(|a| !a.is_empty())).expect("a breaching example");
        let clean = examples.iter().position(|e| e["expect"].as_array().is_some_and(|a| a.is_empty())).expect("a clean example");
        examples[breach]["expect"] = serde_json::json!([]);
        examples[clean]["expect"] = serde_json::json!(["profanity"]);
        let failures = example_failures(&checker, &v);
        assert_eq!(failures.len(), 2, "{id}: {failures:?}");
        assert!(failures[0].starts_with(&format!("{id} examples[{}] ", breach.min(clean))), "{failures:?}");
        assert!(failures[1].starts_with(&format!("{id} examples[{}] ", breach.max(clean))), "{failures:?}");
    }
}
