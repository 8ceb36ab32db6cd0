//! A council's own profile: its own rules (shared rule format), word lists, exceptions; field-named
//! errors; and the working-hours / severity parts of the Context (contract §1–§2).

use postcheck::{Checker, Context, Finding, Mode, Severity};
use serde_json::{json, Value};

fn barnsley() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/barnsley.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("barnsley.json")).expect("json")
}

/// Barnsley's policy under the id "testshire", with `extra` fields merged in.
fn testshire(extra: Value) -> Value {
    let mut p = barnsley();
    p["id"] = json!("testshire");
    p["name"] = json!("Testshire DC");
    for (k, v) in extra.as_object().expect("object") {
        p[k] = v.clone();
    }
    p
}

fn codename_rule() -> Value {
    json!({
        "id": "testshire.codename",
        "category": "confidential-info",
        "patterns": ["(?:project )?nightjar"],
        "unless_near": {"patterns": ["bird|heath|song"], "within": 4},
        "message": "“{match}” is the internal name of an unannounced project.",
        "examples": {"fire": ["Nightjar go-live has slipped again"], "quiet": ["a nightjar singing on the heath", "nothing to see"]}
    })
}

fn load(p: &Value) -> Result<Checker, postcheck::LoadError> {
    let mut c = Checker::builtin();
    c.add_profile_json(&p.to_string())?;
    Ok(c)
}

fn err(p: &Value) -> postcheck::LoadError {
    match load(p) {
        Ok(_) => panic!("loaded: {p}"),
        Err(e) => e,
    }
}

fn cats(f: &[Finding]) -> Vec<&str> {
    let mut v: Vec<&str> = f.iter().map(|f| f.category.as_str()).collect();
    v.dedup();
    v
}

#[test]
fn own_rule_fires_for_its_council_only_and_cites_its_clauses() {
    let p = testshire(json!({"rules": [codename_rule()]}));
    let c = load(&p).expect("loads");
    let text = "Can't say much but Project Nightjar is behind schedule";
    let f = c.check(text, &Context::new("testshire")).unwrap();
    let hit = f.iter().find(|f| f.rule == "testshire.codename").unwrap_or_else(|| panic!("{f:?}"));
    assert_eq!(hit.category, "confidential-info");
    assert_eq!(&text[hit.start as usize..hit.end as usize], "Project Nightjar");
    assert!(hit.message.contains("Project Nightjar"), "{}", hit.message);
    assert!(!hit.clauses.is_empty() && hit.clauses.iter().all(|c| c.council == "testshire"));
    // quiet example honoured in the real check too
    let f = c.check("a nightjar singing on the heath", &Context::new("testshire")).unwrap();
    assert!(f.iter().all(|f| f.rule != "testshire.codename"), "{f:?}");
    // not for another council
    let f = c.check(text, &Context::new("barnsley")).unwrap();
    assert!(f.iter().all(|f| f.rule != "testshire.codename"), "{f:?}");
}

#[test]
fn own_lexicon_and_shared_concepts() {
    let p = testshire(json!({
        "lexicons": {"local_slurs": ["grockle+s"]},
        "rules": [
            {"id": "testshire.local-slur", "category": "discrimination", "lexicon": "local_slurs",
             "message": "“{match}” is a slur here.", "examples": {"fire": ["bloody gr0ckles everywhere"], "quiet": ["tourists everywhere"]}},
            {"id": "testshire.secret-depot", "category": "confidential-info", "patterns": ["depot"],
             "near": {"patterns": ["{secrecy}"], "within": 5},
             "message": "“{match}” with a secrecy cue.", "examples": {"fire": ["between us the depot is shutting"], "quiet": ["the depot is open"]}}
        ]
    }));
    let c = load(&p).expect("loads");
    let f = c.check("the GROCKLES are back", &Context::new("testshire")).unwrap();
    assert!(f.iter().any(|f| f.rule == "testshire.local-slur" && f.category == "discrimination"), "{f:?}");
    let f = c.check("off the record: depot closing", &Context::new("testshire")).unwrap();
    assert!(f.iter().any(|f| f.rule == "testshire.secret-depot"), "{f:?}");
}

#[test]
fn own_rule_errors_name_the_rule_field() {
    let with = |r: Value| testshire(json!({"rules": [codename_rule(), r]}));
    let mut r = codename_rule();
    r["id"] = json!("testshire.other");
    let cases: Vec<(Value, &str, &str)> = vec![
        ({ let mut x = r.clone(); x["category"] = json!("political"); x }, "rules[1].category", "political"),
        ({ let mut x = r.clone(); x["id"] = json!("testshire.codename"); x }, "rules[1].id", "duplicate"),
        ({ let mut x = r.clone(); x["category"] = json!("working-time"); x }, "rules[1].category", "working hours"),
        ({ let mut x = r.clone(); x["id"] = json!("profanity.swear"); x }, "rules[1].id", "shared"),
        ({ let mut x = r.clone(); x["patterns"] = json!(["ok", "(unclosed"]); x }, "rules[1].patterns[1]", "bad pattern"),
        ({ let mut x = r.clone(); x["patterns"] = json!(["{no_such_concept}"]); x }, "rules[1].patterns[0]", "no_such_concept"),
        // valid regexes outside the supported pattern syntax (docs/profile-format.md)
        ({ let mut x = r.clone(); x["patterns"] = json!(["ok", "(?i)nightjar"]); x }, "rules[1].patterns[1]", "not in the pattern syntax"),
        ({ let mut x = r.clone(); x["unless_near"]["patterns"] = json!(["[[:alpha:]]+jar"]); x }, "rules[1].unless_near.patterns[0]", "not in the pattern syntax"),
        ({ let mut x = r.clone(); x["except"] = json!(["night(?P<j>jar)"]); x }, "rules[1].except[0]", "not in the pattern syntax"),
        ({ let mut x = r.clone(); x["unless_followed_by"] = json!({"patterns": ["[a-z]+"], "except": ["ok", "(owl"]}); x }, "rules[1].unless_followed_by.except[1]", "bad pattern"),
        ({ let mut x = r.clone(); x["unless_followed_by"] = json!({"patterns": "owls"}); x }, "rules[1].unless_followed_by", "invalid type"),
        ({ let mut x = r.clone(); x["unless_preceded_by"] = json!({"patterns": ["the (owl"]}); x }, "rules[1].unless_preceded_by.patterns[0]", "bad pattern"),
        ({ let mut x = r.clone(); x["unless_near"]["unless_followed_by"] = json!({"patterns": ["(owl"]}); x }, "rules[1].unless_near.unless_followed_by.patterns[0]", "bad pattern"),
        ({ let mut x = r.clone(); x["with_any"] = json!(["café"]); x }, "rules[1].with_any[0]", "not in the pattern syntax"),
        ({ let mut x = r.clone(); x["patterns"] = json!("nightjar"); x }, "rules[1].patterns", "invalid type"),
        ({ let mut x = r.clone(); x["withn"] = json!(3); x }, "rules[1]", "withn"),
        ({ let mut x = r.clone(); x["examples"]["fire"] = json!(["the owls are fine"]); x }, "rules[1].examples.fire[0]", "does not fire"),
        ({ let mut x = r.clone(); x["examples"]["quiet"] = json!(["nothing", "nightjar slips"]); x }, "rules[1].examples.quiet[1]", "fires on"),
        ({ let mut x = r.clone(); x["examples"] = json!({}); x }, "rules[1].examples.fire", "at least one"),
        ({ let mut x = r.clone(); x.as_object_mut().unwrap().remove("patterns"); x["lexicon"] = json!("nope"); x }, "rules[1].lexicon", "nope"),
        ({ let mut x = r.clone(); x["detector"] = json!("passport"); x.as_object_mut().unwrap().remove("patterns"); x }, "rules[1].detector", "passport"),
        (json!("not a rule"), "rules[1]", "rule object"),
    ];
    for (rule, path, words) in cases {
        let e = err(&with(rule.clone()));
        assert_eq!(e.profile, "testshire");
        assert_eq!(e.path, path, "{rule}: {e}");
        assert!(e.reason.contains(words), "{path}: {e}");
        if path.contains("examples.") {
            assert!(e.reason.contains("testshire.other"), "names the rule: {e}");
        }
    }
}

/// A lexicon entry with non-ASCII letters loads, is folded as the draft is (accents stripped:
/// `crachàch` matches `crachach`, `Crachàch` and the disguised `cr4chach`), and the profile's
/// ASCII entries still fire.
#[test]
fn lexicon_entries_with_non_ascii_letters_load() {
    let p = testshire(json!({
        "lexicons": {"local_slurs": ["grockle+s", "crachàch"]},
        "rules": [
            {"id": "testshire.local-slur", "category": "discrimination", "lexicon": "local_slurs",
             "message": "“{match}” is a slur here.", "examples": {"fire": ["bloody gr0ckles everywhere"], "quiet": ["tourists everywhere"]}}
        ]
    }));
    let c = load(&p).expect("loads");
    let f = c.check("the GROCKLES are back", &Context::new("testshire")).unwrap();
    assert!(f.iter().any(|f| f.rule == "testshire.local-slur"), "{f:?}");
    for text in ["the crachach again", "the Crachàch again", "the CRACHÀCH again", "the cr4chach again"] {
        let f = c.check(text, &Context::new("testshire")).unwrap();
        let hit = f.iter().find(|f| f.rule == "testshire.local-slur").unwrap_or_else(|| panic!("{text}: {f:?}"));
        assert_eq!(text.encode_utf16().skip(hit.start as usize).take((hit.end - hit.start) as usize).count(), 8, "{text}: {hit:?}");
    }
    let f = c.check("the crash again", &Context::new("testshire")).unwrap();
    assert!(!f.iter().any(|f| f.rule == "testshire.local-slur"), "{f:?}");
}

#[test]
fn exceptions_drop_findings_within_them() {
    let text = "Roadworks on Dickhead Lane tonight";
    let base = Checker::builtin().check(text, &Context::new("barnsley")).unwrap();
    assert_eq!(cats(&base), ["profanity"], "precondition: the street name trips the swear list");
    for exc in [json!("dickhead lane"), json!({"text": "Dickhead  Lane", "categories": ["profanity"]}), json!("DICKHEAD-LANE")] {
        let c = load(&testshire(json!({"exceptions": [exc.clone()]}))).expect("loads");
        let f = c.check(text, &Context::new("testshire")).unwrap();
        assert!(f.is_empty(), "{exc}: {f:?}");
        // outside the phrase, the same word is still flagged
        let f = c.check("Dickhead Lane is shut, what a dickhead", &Context::new("testshire")).unwrap();
        assert_eq!(f.len(), 1, "{exc}: {f:?}");
        assert_eq!(f[0].start, 30, "{f:?}");
    }
    // an exception for another category leaves profanity alone; a partial word does not match
    for exc in [json!({"text": "Dickhead Lane", "categories": ["bullying"]}), json!("Dickhead Lanes")] {
        let c = load(&testshire(json!({"exceptions": [exc.clone()]}))).expect("loads");
        assert_eq!(cats(&c.check(text, &Context::new("testshire")).unwrap()), ["profanity"], "{exc}");
    }
    let e = err(&testshire(json!({"exceptions": ["ok", {"text": "x", "categories": ["nonsense"]}]})));
    assert_eq!((e.path.as_str(), e.reason.contains("nonsense")), ("exceptions[1].categories[0]", true), "{e}");
    let e = err(&testshire(json!({"exceptions": ["!!!"]})));
    assert_eq!(e.path, "exceptions[0]", "{e}");
    let e = err(&testshire(json!({"exceptions": [3]})));
    assert_eq!(e.path, "exceptions[0]", "{e}");
}

#[test]
fn type_errors_name_the_field() {
    let cases = [
        (json!({"clauses": "not a list"}), "clauses"),
        (json!({"name": 7}), "name"),
        (json!({"lexicons": {"a": "b"}}), "lexicons.a"),
        (json!({"rules": {}}), "rules"),
        (json!({"categories": {"bullying": {"grounds": [{"clauses": "4.2"}]}}}), "categories.bullying.grounds[0]"),
        (json!({"categories": {"bullying": {"grounds": [{"clauses": ["4.2"]}], "severity": "loud"}}}), "categories.bullying.severity"),
    ];
    for (extra, path) in cases {
        let e = err(&testshire(extra.clone()));
        assert_eq!(e.path, path, "{extra}: {e}");
        assert!(!e.reason.contains("line "), "no line/column for a field error: {e}");
        assert_eq!(e.profile, "testshire");
    }
}

fn at(council: &str, now: &str, hours: Value) -> Context {
    let mut v = json!({"council": council, "now": now});
    if !hours.is_null() {
        v["working_hours"] = hours;
    }
    serde_json::from_value(v).expect("context")
}

#[test]
fn working_time_is_raised_by_the_core() {
    let c = Checker::builtin();
    let hours = json!({"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"});
    let text = "Lovely sunny morning for the 10k";
    // 2026-05-01 is a Friday
    for council in ["barnsley", "caerphilly", "chelmsford", "shaftesbury", "sheffield"] {
        let f = c.check(text, &at(council, "2026-05-01T10:00", hours.clone())).unwrap();
        let w: Vec<&Finding> = f.iter().filter(|f| f.category == "working-time").collect();
        assert_eq!(w.len(), 1, "{council}: {f:?}");
        let w = w[0];
        assert_eq!((w.start, w.end, w.severity), (0, 0, Severity::Info), "{council}");
        assert!(!w.clauses.is_empty() && w.clauses.iter().all(|cl| cl.council == council), "{council}");
        assert!(w.message.contains("09:00") && w.message.contains("17:00"), "{}", w.message);
    }
    let none = |ctx: &Context, t: &str| c.check(t, ctx).unwrap().iter().all(|f| f.category != "working-time");
    assert!(none(&at("barnsley", "2026-05-01T17:00", hours.clone()), text), "end is exclusive");
    assert!(none(&at("barnsley", "2026-05-02T10:00", hours.clone()), text), "Saturday");
    assert!(none(&at("barnsley", "2026-05-01T10:00", Value::Null), text), "no working hours: off");
    assert!(none(&at("barnsley", "2026-05-01T10:00", hours.clone()), "   "), "blank draft");
    let mut official = at("barnsley", "2026-05-01T10:00", hours.clone());
    official.mode = Mode::Official;
    assert!(none(&official, text), "official mode: posting at work is the job");
    let mut no_clock = at("barnsley", "2026-05-01T10:00", hours.clone());
    no_clock.now = None;
    assert!(none(&no_clock, text));
}

#[test]
fn severity_overrides_apply_in_the_core() {
    let c = Checker::builtin();
    let text = "Roadworks on Dickhead Lane tonight";
    let with = |sev: Value| -> Vec<Finding> {
        let ctx: Context = serde_json::from_value(json!({"council": "barnsley", "severity": sev})).unwrap();
        c.check(text, &ctx).unwrap()
    };
    assert_eq!(with(json!({}))[0].severity, Severity::Warn);
    assert_eq!(with(json!({"profanity": "block"}))[0].severity, Severity::Block);
    assert_eq!(with(json!({"profanity": "info", "bullying": "off"}))[0].severity, Severity::Info);
    assert!(with(json!({"profanity": "off"})).is_empty());
    assert_eq!(with(json!({"no-such-category": "off"})).len(), 1);
    // working time too
    let hours = json!({"days": ["fri"], "start": "09:00", "end": "17:00"});
    let ctx = |sev: Value| -> Context {
        serde_json::from_value(json!({"council": "barnsley", "now": "2026-05-01T10:00", "workingHours": hours, "severity": sev})).unwrap()
    };
    let f = c.check("hello all", &ctx(json!({"working-time": "warn"}))).unwrap();
    assert_eq!(f.iter().find(|f| f.category == "working-time").map(|f| f.severity), Some(Severity::Warn));
    let f = c.check("hello all", &ctx(json!({"working-time": "off"}))).unwrap();
    assert!(f.iter().all(|f| f.category != "working-time"), "{f:?}");
}

/// docs/profile-format.md lists every shared concept lexicon (`{name}`) and every detector a
/// council's own rule can reuse; a name added to the code must be documented.
#[test]
fn docs_list_every_concept_and_detector() {
    let root = env!("CARGO_MANIFEST_DIR");
    let doc = std::fs::read_to_string(format!("{root}/../docs/profile-format.md")).expect("doc");
    let concepts: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(format!("{root}/rules/lexicons.json")).expect("lexicons")).expect("json");
    let mut missing: Vec<String> =
        concepts.keys().filter(|k| !k.starts_with('_')).filter(|k| !doc.contains(&format!("`{{{k}}}`"))).cloned().collect();
    for d in postcheck::detectors::Detector::ALL {
        if !doc.contains(&format!("`{}`", d.name())) {
            missing.push(d.name().to_string());
        }
    }
    assert!(missing.is_empty(), "not in docs/profile-format.md: {missing:?}");
    // and a documented concept works in an own rule
    let p = testshire(json!({"rules": [{
        "id": "testshire.secret-plan", "category": "confidential-info", "patterns": ["plan"],
        "near": {"patterns": ["{secrecy}"], "within": 6}, "message": "m",
        "examples": {"fire": ["off the record, the plan is to merge"], "quiet": ["the plan is public"]}
    }]}));
    load(&p).expect("loads");
}
