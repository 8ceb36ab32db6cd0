//! The stance model (`crate/src/model.rs`, `crate/model/stance.json`): the file parses, its stored
//! fire/quiet examples hold, scores are deterministic, and — with the model on — its findings
//! cite the council's grounding clauses, sit on UTF-16 boundaries, never block, honour severity
//! overrides and exceptions, and the trap list still raises nothing.

use postcheck::model::{builtin, check_with_model, features, Model, MODEL_JSON};
use postcheck::normalize::Normalized;
use postcheck::{Checker, Context, Mode, Severity};

const COUNCILS: [&str; 5] = ["sheffield", "shaftesbury", "barnsley", "chelmsford", "caerphilly"];

/// A draft the model reads as talk about service users while no rule raises that category
/// (sheffield, personal mode); the heaviest words are "lady" and "day centre".
const SERVICE_USER_DRAFT: &str = "The lady from the day centre told me her son is back in care again, poor woman.";

fn model() -> &'static Model {
    builtin().expect("crate/model/stance.json parses")
}

#[test]
fn model_file_parses_and_documents_itself() {
    let m = Model::parse(MODEL_JSON).expect("parses");
    assert!(!m.is_empty(), "the model has weights");
    let v: serde_json::Value = serde_json::from_str(MODEL_JSON).unwrap();
    for k in ["format", "features", "training", "data", "date", "cv", "regenerate"] {
        assert!(v["about"].get(k).is_some(), "header lacks about.{k}");
    }
    let ids: Vec<&str> = m.categories.iter().map(|c| c.id.as_str()).collect();
    for id in ["disrepute", "bullying", "official-voice", "official-conduct", "service-users", "confidential-info", "discrimination"] {
        assert!(ids.contains(&id), "{id} missing");
    }
    for c in &m.categories {
        assert!(c.threshold >= 0.5, "{}: threshold {} below 0.5", c.id, c.threshold);
        assert!(!c.reads_as.is_empty());
    }
    // the header says which labelled sets were held out, and none of those is in its training data
    // (experiments train with `--exclude`; the shipped file trains on all of them)
    let held_out = v["about"]["not_trained_on"].as_str().expect("about.not_trained_on");
    let data = v["about"]["data"].to_string();
    for set in ["own4", "own5"] {
        assert!(data.contains(set) != held_out.contains(&format!("{set}.jsonl")), "{set}: data {data} / held out {held_out}");
    }
    // own9 (session 4, read for summary figures only) and own56–own59 (written in session 14,
    // session 15's pool) are untouched fresh test sets: the shipped model is never trained on
    // them (own16/own17, own20/own21, own26–own29, own32–own35, own36–own39, own40–own43,
    // own44–own47, own48–own51 and own52–own55, sessions 5–13's, are retired as test sets). Matched as a whole file name
    // ("/own9.jsonl " in "crate/tests/data/own9.jsonl (200)"), so own3.jsonl or own360.jsonl do not count.
    let entries: Vec<String> = v["about"]["data"]
        .as_array()
        .expect("about.data is a list of \"<path> (<drafts>)\"")
        .iter()
        .map(|e| e.as_str().expect("about.data entry").to_string())
        .collect();
    assert!(entries.iter().any(|e| e.contains("/own.jsonl ")), "about.data names the sets: {entries:?}");
    for fresh in ["own9.jsonl", "own56.jsonl", "own57.jsonl", "own58.jsonl", "own59.jsonl"] {
        let hit = entries.iter().find(|e| e.split(' ').next().is_some_and(|path| path.ends_with(&format!("/{fresh}"))));
        assert!(hit.is_none(), "the model was trained on {fresh}: {hit:?}");
    }
    // broken files are errors naming the field, not panics
    let e = Model::parse(r#"{"categories": [{"id": "x", "reads_as": "r", "bias": 0, "threshold": 0.9, "weights": [["a", "heavy"]]}]}"#).unwrap_err();
    assert!(e.contains("weights[0]"), "{e}");
    assert!(Model::parse("{").is_err());
}

#[test]
fn stored_examples_fire_and_stay_quiet() {
    let m = model();
    assert!(m.examples.iter().any(|e| e.fire) && m.examples.iter().any(|e| !e.fire), "examples of both kinds");
    let mut bad = Vec::new();
    for e in &m.examples {
        let v = m.verdict(&e.text, &e.context, &e.category).expect("example category in the model");
        if v.fires != e.fire {
            bad.push(format!("{} ({}): expected fire={} got p={:.3}: {:?}", e.category, e.context.council, e.fire, v.probability, e.text));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn scores_are_deterministic_and_context_matters() {
    let m = model();
    let ctx = Context::new("sheffield");
    let a = m.verdict(SERVICE_USER_DRAFT, &ctx, "service-users").unwrap();
    for _ in 0..3 {
        let b = m.verdict(SERVICE_USER_DRAFT, &ctx, "service-users").unwrap();
        assert_eq!(a.probability.to_bits(), b.probability.to_bits());
        assert_eq!(a.top, b.top);
    }
    assert!(a.fires, "p {}", a.probability);
    // features: each once, spans inside the skeleton
    let n = Normalized::new(SERVICE_USER_DRAFT);
    let f = features(&n.skel, &ctx);
    let mut hs: Vec<u32> = f.iter().map(|f| f.hash).collect();
    hs.sort();
    hs.dedup();
    assert_eq!(hs.len(), f.len(), "features are unique");
    assert!(f.iter().all(|f| f.end <= n.skel.len()));
    // mode:official is a feature; the empty draft fires nothing
    let mut off = ctx.clone();
    off.mode = Mode::Official;
    assert!(features(&n.skel, &off).iter().any(|f| f.text == "mode:official"));
    for c in &m.categories {
        assert!(!m.verdict("", &ctx, &c.id).unwrap().fires, "{} fires on an empty draft", c.id);
    }
}

#[test]
fn model_finding_cites_grounds_on_utf16_spans_and_never_blocks() {
    let c = Checker::builtin();
    let ctx = Context::new("sheffield");
    let rules_only = check_with_model(&c, SERVICE_USER_DRAFT, &ctx, false).unwrap();
    assert!(!rules_only.iter().any(|f| f.category == "service-users"), "the rules raise service-users: pick another draft");
    // emoji and an accented letter before the draft: spans must count UTF-16 code units
    let text = format!("🙂 Café. {SERVICE_USER_DRAFT}");
    let f = check_with_model(&c, &text, &ctx, true).unwrap();
    let m = f.iter().find(|f| f.rule == "model.service-users").unwrap_or_else(|| panic!("no model finding: {f:?}"));
    assert_eq!(m.category, "service-users");
    assert_eq!(m.severity, Severity::Warn);
    // the span is the feature that weighs most (the model's verdict on the same text: "lady" with
    // the session-5 weights, "day centre" with session 6's), counted in UTF-16 code units: the
    // same text as its UTF-8 byte span
    let v = model().verdict(&text, &ctx, "service-users").expect("category");
    let n = Normalized::new(&text);
    let (b0, b1) = n.span8(v.top[0].0, v.top[0].1);
    let heaviest = text[b0..b1].trim();
    assert!(["lady", "day centre"].contains(&heaviest), "heaviest {heaviest:?}: pick another draft or update this list");
    let u: Vec<u16> = text.encode_utf16().collect();
    let quoted = String::from_utf16(&u[m.start as usize..m.end as usize]).expect("span on UTF-16 boundaries");
    assert_eq!(quoted, heaviest);
    assert!(m.message.starts_with("Reads as talk about the people you serve") && m.message.contains(&format!("“{heaviest}”")), "{}", m.message);
    // the clauses: exactly sheffield's service-users grounds (profile data), quoted verbatim
    let p: serde_json::Value = serde_json::from_str(include_str!("../profiles/sheffield.json")).unwrap();
    let want: Vec<String> = p["categories"]["service-users"]["grounds"][0]["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            let cl = p["clauses"].as_array().unwrap().iter().find(|c| c["id"] == *id).unwrap();
            cl["label"].as_str().unwrap().to_string()
        })
        .collect();
    let got: Vec<String> = m.clauses.iter().map(|c| c.clause.clone()).collect();
    assert_eq!(got, want);
    assert!(m.clauses.iter().all(|c| c.council == "sheffield" && !c.quote.is_empty()));
    // an override to block is capped at warn; info and off are honoured
    for (sev, want) in [("block", Some(Severity::Warn)), ("info", Some(Severity::Info)), ("off", None)] {
        let ctx: Context = serde_json::from_value(serde_json::json!({"council": "sheffield", "severity": {"service-users": sev}})).unwrap();
        let f = check_with_model(&c, SERVICE_USER_DRAFT, &ctx, true).unwrap();
        let got = f.iter().find(|f| f.rule == "model.service-users").map(|f| f.severity);
        assert_eq!(got, want, "override {sev}");
    }
    // a category the council does not ground stays silent: official-voice in official mode
    let mut off = Context::new("sheffield");
    off.mode = Mode::Official;
    let f = check_with_model(&c, "saw the draft budget papers at work today and the library is on the list. not public yet", &off, true).unwrap();
    assert!(!f.iter().any(|f| f.rule == "model.official-voice"), "{f:?}");
}

#[test]
fn exceptions_apply_to_model_findings() {
    // the word the model finding rests on without an exception (whatever the current weights make
    // heaviest): excepting exactly that word must move the finding off it or drop it
    let ctx = Context::new("sheffield");
    let u: Vec<u16> = SERVICE_USER_DRAFT.encode_utf16().collect();
    let quoted = |m: &postcheck::Finding| String::from_utf16(&u[m.start as usize..m.end as usize]).unwrap();
    let before = check_with_model(&Checker::builtin(), SERVICE_USER_DRAFT, &ctx, true).unwrap();
    let m0 = before.iter().find(|f| f.rule == "model.service-users").unwrap_or_else(|| panic!("precondition: a model finding: {before:?}"));
    let heaviest = quoted(m0);
    assert!(m0.message.contains(&format!("“{heaviest}”")), "precondition: {}", m0.message);
    let mut c = Checker::builtin();
    let mut p: serde_json::Value = serde_json::from_str(include_str!("../profiles/sheffield.json")).unwrap();
    p["exceptions"] = serde_json::json!([{"text": heaviest, "categories": ["service-users"]}]);
    c.add_profile_json(&p.to_string()).expect("profile with an exception loads");
    let f = check_with_model(&c, SERVICE_USER_DRAFT, &ctx, true).unwrap();
    // the heaviest words are excepted: the finding, if any, no longer rests on them
    for m in f.iter().filter(|f| f.rule == "model.service-users") {
        assert_ne!(quoted(m).to_lowercase(), heaviest.to_lowercase(), "{m:?}");
        assert!(!m.message.contains(&format!("“{heaviest}”")), "{}", m.message);
    }
}

#[test]
fn traps_raise_nothing_with_the_model_on() {
    let c = Checker::builtin();
    let mut bad = Vec::new();
    let traps: Vec<&str> = include_str!("data/traps.txt").lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(traps.len() >= 100, "the trap list is {} lines: lost?", traps.len());
    for t in traps {
        for council in COUNCILS {
            for mode in [Mode::Personal, Mode::Official] {
                let mut ctx = Context::new(council);
                ctx.mode = mode;
                let f = check_with_model(&c, t, &ctx, true).unwrap();
                let alarms: Vec<_> = f.iter().filter(|f| f.severity != Severity::Info).map(|f| f.rule.clone()).collect();
                if !alarms.is_empty() {
                    bad.push(format!("{council}/{mode:?}: {t:?} → {alarms:?}"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "false alarms on the trap list with the model on:\n{}", bad.join("\n"));
}
