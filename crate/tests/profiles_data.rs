//! Data tests for the built-in council profiles (`crate/profiles/*.json`) and the category
//! list (`crate/rules/categories.json`).
//!
//! These tests deliberately read the JSON as `serde_json::Value` rather than through the core's
//! Rust types, so they check the data against the contract (docs/contract.md §1) and the
//! reference (`shared/policy-map.md`) independently of the engine.
//!
//! Quotes and headings are checked against the seed policies in `shared/seeds/` (the repository
//! sits beside `shared/`); set `POSTCHECK_SEEDS` to point somewhere else.

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const CATEGORY_IDS: [&str; 14] = [
    "confidential-info",
    "personal-data",
    "service-users",
    "discrimination",
    "bullying",
    "disrepute",
    "grievance",
    "profanity",
    "political",
    "pre-election",
    "official-voice",
    "images",
    "official-conduct",
    "working-time",
];
const MODES: [&str; 2] = ["personal", "official"];
const FLAGS: [&str; 2] = ["politically_restricted", "works_with_vulnerable"];
const SEVERITIES: [&str; 3] = ["block", "warn", "info"];
const LANGUAGES: [&str; 2] = ["en", "cy"];
const COUNCILS: [&str; 5] = ["sheffield", "shaftesbury", "barnsley", "chelmsford", "caerphilly"];

// ---------------------------------------------------------------------------------------------
// loading

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn profiles_dir() -> PathBuf {
    manifest_dir().join("profiles")
}

fn seeds_dir() -> PathBuf {
    let dir = match std::env::var_os("POSTCHECK_SEEDS") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => manifest_dir().join("..").join("..").join("shared").join("seeds"),
    };
    if !dir.is_dir() {
        panic!(
            "seed policies not found at {}: the repository is expected to sit beside `shared/` \
             (shared/seeds/*.txt); set POSTCHECK_SEEDS=/path/to/seeds to point elsewhere",
            dir.display()
        );
    }
    dir
}

/// (file stem, parsed JSON) for every `profiles/*.json`, sorted by file name.
fn load_profiles() -> Vec<(String, Value)> {
    let dir = profiles_dir();
    let mut paths: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no profiles in {}", dir.display());
    paths
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&p)
                .unwrap_or_else(|e| panic!("{stem}: cannot read {}: {e}", p.display()));
            let v: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{stem}: {} is not valid JSON: {e}", p.display()));
            (stem, v)
        })
        .collect()
}

fn load_profile(id: &str) -> Value {
    load_profiles()
        .into_iter()
        .find(|(stem, _)| stem == id)
        .unwrap_or_else(|| panic!("profile {id}.json is missing from {}", profiles_dir().display()))
        .1
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn fail(errors: Vec<String>) {
    if !errors.is_empty() {
        panic!("{} problem(s):\n  - {}", errors.len(), errors.join("\n  - "));
    }
}

fn str_field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key).and_then(Value::as_str)
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

// ---------------------------------------------------------------------------------------------
// structure

#[test]
fn all_five_councils_have_a_profile() {
    let stems: BTreeSet<String> = load_profiles().into_iter().map(|(s, _)| s).collect();
    let missing: Vec<_> = COUNCILS.iter().filter(|c| !stems.contains(**c)).collect();
    assert!(missing.is_empty(), "profiles missing for {missing:?} in {}", profiles_dir().display());
}

/// Checks one string-list field of a ground (`modes`, `flags`, `tags`).
fn check_list(
    errors: &mut Vec<String>,
    at: &str,
    ground: &Map<String, Value>,
    key: &str,
    allowed: Option<&[&str]>,
) {
    let Some(v) = ground.get(key) else { return };
    let Some(items) = v.as_array() else {
        errors.push(format!("{at}: `{key}` must be an array of strings"));
        return;
    };
    if items.is_empty() {
        errors.push(format!("{at}: `{key}` is empty (omit it instead)"));
    }
    let mut seen = BTreeSet::new();
    for item in items {
        match item.as_str() {
            None => errors.push(format!("{at}: `{key}` holds a non-string {item}")),
            Some(s) => {
                if let Some(allowed) = allowed {
                    if !allowed.contains(&s) {
                        errors.push(format!("{at}: `{key}` value {s:?} is not one of {allowed:?}"));
                    }
                } else if s.is_empty() {
                    errors.push(format!("{at}: `{key}` holds an empty string"));
                }
                if !seen.insert(s) {
                    errors.push(format!("{at}: `{key}` repeats {s:?}"));
                }
            }
        }
    }
}

fn check_profile(stem: &str, v: &Value, errors: &mut Vec<String>) {
    let Some(p) = v.as_object() else {
        errors.push(format!("{stem}: top level must be an object"));
        return;
    };
    const TOP: [&str; 12] = [
        "id", "name", "document", "source", "language", "note", "clauses", "categories", "lexicons", "rules",
        "exceptions", "examples",
    ];
    for k in p.keys() {
        if !TOP.contains(&k.as_str()) {
            errors.push(format!("{stem}: unknown top-level field `{k}`"));
        }
    }
    for k in ["id", "name", "document", "source", "language"] {
        match str_field(p, k) {
            Some(s) if !s.trim().is_empty() => {}
            _ => errors.push(format!("{stem}: `{k}` must be a non-empty string")),
        }
    }
    match str_field(p, "id") {
        Some(id) if id != stem => {
            errors.push(format!("{stem}: `id` is {id:?} but the file is {stem}.json"))
        }
        Some(id) if !is_id(id) => errors.push(format!("{stem}: `id` {id:?} is not [a-z0-9-]+")),
        _ => {}
    }
    if let Some(lang) = str_field(p, "language") {
        if !LANGUAGES.contains(&lang) {
            errors.push(format!("{stem}: `language` {lang:?} is not one of {LANGUAGES:?}"));
        }
    }
    match p.get("note") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        Some(_) => errors.push(format!("{stem}: `note` must be null or a non-empty string")),
    }

    // clauses
    let mut clause_ids: Vec<String> = Vec::new();
    match p.get("clauses").and_then(Value::as_array) {
        None => errors.push(format!("{stem}: `clauses` must be an array")),
        Some(clauses) => {
            if clauses.is_empty() {
                errors.push(format!("{stem}: `clauses` is empty"));
            }
            for (i, c) in clauses.iter().enumerate() {
                let Some(c) = c.as_object() else {
                    errors.push(format!("{stem}: clauses[{i}] must be an object"));
                    continue;
                };
                let cid = str_field(c, "id").unwrap_or("").to_string();
                let at = if cid.is_empty() {
                    format!("{stem}: clauses[{i}]")
                } else {
                    format!("{stem}: clause {cid}")
                };
                for k in c.keys() {
                    if !["id", "label", "heading", "quote"].contains(&k.as_str()) {
                        errors.push(format!("{at}: unknown field `{k}`"));
                    }
                }
                for k in ["id", "label", "heading", "quote"] {
                    match str_field(c, k) {
                        Some(s) if !s.trim().is_empty() => {}
                        _ => errors.push(format!("{at}: `{k}` must be a non-empty string")),
                    }
                }
                if !cid.is_empty() {
                    if clause_ids.contains(&cid) {
                        errors.push(format!("{at}: `id` is not unique within the profile"));
                    }
                    clause_ids.push(cid);
                }
            }
        }
    }

    // categories and grounds
    let mut referenced: BTreeSet<String> = BTreeSet::new();
    match p.get("categories").and_then(Value::as_object) {
        None => errors.push(format!("{stem}: `categories` must be an object")),
        Some(cats) => {
            for (cat, body) in cats {
                let at = format!("{stem}: category {cat}");
                if !CATEGORY_IDS.contains(&cat.as_str()) {
                    errors.push(format!("{at}: not a known category id ({CATEGORY_IDS:?})"));
                }
                let Some(body) = body.as_object() else {
                    errors.push(format!("{at}: must be an object"));
                    continue;
                };
                for k in body.keys() {
                    if !["severity", "grounds"].contains(&k.as_str()) {
                        errors.push(format!("{at}: unknown field `{k}`"));
                    }
                }
                if let Some(sev) = body.get("severity") {
                    if !sev.as_str().is_some_and(|s| SEVERITIES.contains(&s)) {
                        errors.push(format!("{at}: `severity` {sev} is not one of {SEVERITIES:?}"));
                    }
                }
                let Some(grounds) = body.get("grounds").and_then(Value::as_array) else {
                    errors.push(format!("{at}: `grounds` must be an array"));
                    continue;
                };
                if grounds.is_empty() {
                    errors.push(format!("{at}: `grounds` is empty (omit the category instead)"));
                }
                for (gi, g) in grounds.iter().enumerate() {
                    let at = format!("{at}: grounds[{gi}]");
                    let Some(g) = g.as_object() else {
                        errors.push(format!("{at}: must be an object"));
                        continue;
                    };
                    for k in g.keys() {
                        if !["clauses", "modes", "flags", "tags"].contains(&k.as_str()) {
                            errors.push(format!("{at}: unknown field `{k}`"));
                        }
                    }
                    match g.get("clauses").and_then(Value::as_array) {
                        Some(cl) if !cl.is_empty() => {
                            for c in cl {
                                match c.as_str() {
                                    Some(id) if clause_ids.iter().any(|x| x == id) => {
                                        referenced.insert(id.to_string());
                                    }
                                    Some(id) => errors.push(format!(
                                        "{at}: `clauses` refers to clause {id:?}, which the profile does not define"
                                    )),
                                    None => errors.push(format!("{at}: `clauses` holds a non-string {c}")),
                                }
                            }
                        }
                        _ => errors.push(format!("{at}: `clauses` must be a non-empty array")),
                    }
                    check_list(errors, &at, g, "modes", Some(&MODES));
                    check_list(errors, &at, g, "flags", Some(&FLAGS));
                    check_list(errors, &at, g, "tags", None);
                }
            }
        }
    }
    for id in &clause_ids {
        if !referenced.contains(id) {
            errors.push(format!("{stem}: clause {id}: not referenced by any ground"));
        }
    }
}

#[test]
fn profiles_are_well_formed() {
    let mut errors = Vec::new();
    for (stem, v) in load_profiles() {
        check_profile(&stem, &v, &mut errors);
    }
    fail(errors);
}

#[test]
fn profile_ids_and_names_are_unique() {
    let mut errors = Vec::new();
    let mut names = BTreeMap::new();
    for (stem, v) in load_profiles() {
        if let Some(name) = v.get("name").and_then(Value::as_str) {
            if let Some(other) = names.insert(name.to_string(), stem.clone()) {
                errors.push(format!("{stem}: `name` {name:?} is also used by {other}"));
            }
        }
    }
    fail(errors);
}

// ---------------------------------------------------------------------------------------------
// verbatim quotes

/// The longest prefix of `needle` found in `hay`, to show where a near-miss quote diverges.
fn longest_found_prefix<'a>(needle: &'a str, hay: &str) -> &'a str {
    let mut best = "";
    for (i, ch) in needle.char_indices() {
        let end = i + ch.len_utf8();
        if hay.contains(&needle[..end]) {
            best = &needle[..end];
        } else {
            break;
        }
    }
    best
}

#[test]
fn quotes_and_headings_are_verbatim_from_the_seeds() {
    let seeds = seeds_dir();
    let mut errors = Vec::new();
    for (stem, v) in load_profiles() {
        let Some(source) = v.get("source").and_then(Value::as_str) else {
            errors.push(format!("{stem}: `source` is missing"));
            continue;
        };
        if source.contains('/') || source.contains('\\') || Path::new(source).is_absolute() {
            errors.push(format!("{stem}: `source` {source:?} must be a bare file name in the seeds directory"));
            continue;
        }
        let path = seeds.join(source);
        let seed = match fs::read_to_string(&path) {
            Ok(s) => collapse(&s),
            Err(e) => {
                errors.push(format!("{stem}: `source` {}: cannot read: {e}", path.display()));
                continue;
            }
        };
        for c in v.get("clauses").and_then(Value::as_array).into_iter().flatten() {
            let cid = c.get("id").and_then(Value::as_str).unwrap_or("?");
            for field in ["quote", "heading"] {
                let Some(text) = c.get(field).and_then(Value::as_str) else {
                    errors.push(format!("{stem}: clause {cid}: `{field}` is missing"));
                    continue;
                };
                let text = collapse(text);
                if text.is_empty() {
                    errors.push(format!("{stem}: clause {cid}: `{field}` is empty"));
                } else if !seed.contains(&text) {
                    let ok = longest_found_prefix(&text, &seed);
                    errors.push(format!(
                        "{stem}: clause {cid}: `{field}` is not verbatim in {source}; matches up to {:?}, then differs at {:?}",
                        ok,
                        text[ok.len()..].chars().take(40).collect::<String>()
                    ));
                }
            }
        }
    }
    fail(errors);
}

// ---------------------------------------------------------------------------------------------
// metadata from policy-map.md

#[test]
fn names_documents_and_sources_follow_the_policy_map() {
    let expected = [
        ("sheffield", "Sheffield City Council",
         "Sheffield City Council Social Networking Policy (2015)",
         "sheffield-social-networking-policy-2015.txt"),
        ("shaftesbury", "Shaftesbury Town Council",
         "Shaftesbury Town Council Acceptable Use of Social Media Policy (2017)",
         "shaftesbury-acceptable-use-of-social-media-policy-2017.txt"),
        ("barnsley", "Barnsley MBC", "Barnsley MBC Social Networking Policy",
         "barnsley-social-networking-policy.txt"),
        ("chelmsford", "Chelmsford City Council",
         "Chelmsford City Council Social Media Policy (v3, May 2017)",
         "chelmsford-social-media-policy-2017.txt"),
        ("caerphilly", "Caerphilly County Borough Council",
         "Caerphilly CBC, Draft Social Media Policy \u{2014} report to Policy and Resources Scrutiny Committee, 14 July 2015",
         "caerphilly-draft-social-media-policy-report-2015.txt"),
    ];
    let mut errors = Vec::new();
    for (id, name, document, source) in expected {
        let p = load_profile(id);
        for (field, want) in [("name", name), ("document", document), ("source", source), ("language", "en")] {
            let got = p.get(field).and_then(Value::as_str);
            if got != Some(want) {
                errors.push(format!("{id}: `{field}` is {got:?}, expected {want:?}"));
            }
        }
    }
    // Caerphilly's seed is the committee report, not the policy: the UI must say so.
    let note = load_profile("caerphilly").get("note").and_then(Value::as_str).map(str::to_lowercase);
    match note {
        Some(n) if n.contains("report") && n.contains("paragraph") => {}
        other => errors.push(format!(
            "caerphilly: `note` should explain that the seed is the committee report and its paragraphs are cited; got {other:?}"
        )),
    }
    fail(errors);
}

// ---------------------------------------------------------------------------------------------
// the policy map's table

/// One cell (or part of a cell) of the policy map: `labels` are cited when `when` holds.
/// `when`: "any" | "personal" | "official" | "restricted" (any mode, politically restricted)
/// | "personal+restricted" | "councillor" (any mode, finding from a rule tagged `councillor`).
struct Cell {
    council: &'static str,
    category: &'static str,
    when: &'static str,
    labels: &'static [&'static str],
}

const fn cell(
    council: &'static str,
    category: &'static str,
    when: &'static str,
    labels: &'static [&'static str],
) -> Cell {
    Cell { council, category, when, labels }
}

const GR: &str = "Appendix A (Editorial Policy), General Rules";

#[rustfmt::skip]
const MAP: &[Cell] = &[
    // Sheffield
    cell("sheffield", "confidential-info", "any", &["Compliance", "Principle 14"]),
    cell("sheffield", "personal-data", "any", &["Compliance", "Principle 14"]),
    cell("sheffield", "service-users", "any", &["Principle 12", "Principle 15"]),
    cell("sheffield", "discrimination", "any", &["Compliance", "Principle 6"]),
    cell("sheffield", "bullying", "any", &["Compliance", "Principle 6"]),
    cell("sheffield", "disrepute", "any", &["Compliance", "Principle 2"]),
    cell("sheffield", "grievance", "any", &["Principle 4"]),
    cell("sheffield", "profanity", "any", &["Principle 1", "Principle 5"]),
    cell("sheffield", "political", "official", &["Principle 3"]),
    cell("sheffield", "political", "personal+restricted", &["Principle 3"]),
    cell("sheffield", "political", "councillor", &["Principle 13"]),
    cell("sheffield", "official-voice", "personal", &["Compliance"]),
    cell("sheffield", "images", "any", &["Compliance"]),
    cell("sheffield", "official-conduct", "official", &["Principle 9", "Principle 10"]),
    cell("sheffield", "working-time", "any", &["Principle 8", "Responsibilities"]),
    // Shaftesbury
    cell("shaftesbury", "confidential-info", "any", &["6.4", "1.2"]),
    cell("shaftesbury", "personal-data", "any", &["6.4", "6.1 vi"]),
    cell("shaftesbury", "service-users", "any", &["5.3", "Appendix 1"]),
    cell("shaftesbury", "discrimination", "any", &["6.4"]),
    cell("shaftesbury", "bullying", "any", &["6.4", "6.1 v"]),
    cell("shaftesbury", "disrepute", "any", &["6.4", "6.1 vii", "Appendix 1"]),
    cell("shaftesbury", "grievance", "any", &["Appendix 1"]),
    cell("shaftesbury", "profanity", "any", &["6.4"]),
    cell("shaftesbury", "images", "any", &["6.4"]),
    cell("shaftesbury", "official-conduct", "official", &["6.2"]),
    cell("shaftesbury", "working-time", "any", &["6.3"]),
    // Barnsley
    cell("barnsley", "confidential-info", "any", &["4.4", "4.12"]),
    cell("barnsley", "personal-data", "any", &["4.4", "4.12"]),
    cell("barnsley", "service-users", "any", &["4.9", "4.6"]),
    cell("barnsley", "discrimination", "any", &["4.2"]),
    cell("barnsley", "bullying", "any", &["4.2"]),
    cell("barnsley", "disrepute", "any", &["4.2"]),
    cell("barnsley", "grievance", "any", &["4.3"]),
    cell("barnsley", "profanity", "any", &["4.2"]),
    cell("barnsley", "official-voice", "personal", &["4.10", "4.8"]),
    cell("barnsley", "images", "any", &["4.6"]),
    cell("barnsley", "working-time", "any", &["5.1"]),
    // Chelmsford
    cell("chelmsford", "confidential-info", "any", &["5.1"]),
    cell("chelmsford", "personal-data", "any", &["5.1", GR]),
    cell("chelmsford", "service-users", "any", &["5.1"]),
    cell("chelmsford", "discrimination", "any", &["4.2"]),
    cell("chelmsford", "discrimination", "official", &["8.3"]),
    cell("chelmsford", "bullying", "any", &["4.2", "7.3"]),
    cell("chelmsford", "disrepute", "any", &["4.2", "7.1"]),
    cell("chelmsford", "disrepute", "official", &["8.3", "8.6"]),
    cell("chelmsford", "grievance", "any", &["4.2"]),
    cell("chelmsford", "profanity", "official", &[GR]),
    cell("chelmsford", "profanity", "personal", &["4.2"]),
    cell("chelmsford", "political", "restricted", &["5.4"]),
    cell("chelmsford", "political", "official", &["Appendix A, Introduction"]),
    cell("chelmsford", "pre-election", "official", &["Appendix A, Pre-election period"]),
    cell("chelmsford", "pre-election", "personal+restricted", &["Appendix A, Pre-election period"]),
    cell("chelmsford", "official-voice", "personal", &["5.2"]),
    cell("chelmsford", "images", "any", &["4.2"]),
    cell("chelmsford", "official-conduct", "official", &[GR, "8.4", "8.5", "8.6"]),
    cell("chelmsford", "working-time", "any", &["4.1"]),
    // Caerphilly
    cell("caerphilly", "confidential-info", "any", &["para 4.6"]),
    cell("caerphilly", "personal-data", "any", &["para 4.6"]),
    cell("caerphilly", "service-users", "any", &["para 4.2"]),
    cell("caerphilly", "discrimination", "any", &["para 4.2"]),
    cell("caerphilly", "bullying", "any", &["para 4.2"]),
    cell("caerphilly", "disrepute", "any", &["para 4.2"]),
    cell("caerphilly", "grievance", "any", &["para 4.3"]),
    cell("caerphilly", "profanity", "any", &["para 4.2"]),
    cell("caerphilly", "official-voice", "personal", &["para 4.12"]),
    cell("caerphilly", "official-conduct", "official", &["para 4.8"]),
    cell("caerphilly", "working-time", "any", &["para 4.9"]),
];

#[derive(Debug, Clone, Copy)]
struct Ctx {
    mode: &'static str,
    restricted: bool,
    vulnerable: bool,
    councillor_tag: bool,
}

fn all_contexts() -> Vec<Ctx> {
    let mut out = Vec::new();
    for mode in MODES {
        for restricted in [false, true] {
            for vulnerable in [false, true] {
                for councillor_tag in [false, true] {
                    out.push(Ctx { mode, restricted, vulnerable, councillor_tag });
                }
            }
        }
    }
    out
}

fn cell_applies(when: &str, ctx: Ctx) -> bool {
    match when {
        "any" => true,
        "personal" | "official" => ctx.mode == when,
        "restricted" => ctx.restricted,
        "personal+restricted" => ctx.mode == "personal" && ctx.restricted,
        "councillor" => ctx.councillor_tag,
        other => panic!("bad `when` {other:?} in the MAP table"),
    }
}

/// Labels the map says are cited for `council`/`category` in `ctx` (empty: no finding).
fn expected_labels(council: &str, category: &str, ctx: Ctx) -> BTreeSet<String> {
    MAP.iter()
        .filter(|c| c.council == council && c.category == category && cell_applies(c.when, ctx))
        .flat_map(|c| c.labels.iter().map(|l| l.to_string()))
        .collect()
}

/// Labels the profile cites for `category` in `ctx`, following contract §1: a ground matches
/// when the mode is listed (default both), ALL its flags are set, and (if it lists tags) the
/// finding carries one of them; the union of matching grounds' clauses is cited.
fn profile_labels(profile: &Value, category: &str, ctx: Ctx) -> BTreeSet<String> {
    let label_of: BTreeMap<&str, &str> = profile["clauses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| Some((c.get("id")?.as_str()?, c.get("label")?.as_str()?)))
        .collect();
    let strs = |v: Option<&Value>| -> Option<Vec<String>> {
        v.map(|v| {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
    };
    let mut out = BTreeSet::new();
    let grounds = profile["categories"].get(category).and_then(|c| c.get("grounds"));
    for g in grounds.and_then(Value::as_array).into_iter().flatten() {
        if let Some(modes) = strs(g.get("modes")) {
            if !modes.iter().any(|m| m == ctx.mode) {
                continue;
            }
        }
        if let Some(flags) = strs(g.get("flags")) {
            let set = |f: &String| match f.as_str() {
                "politically_restricted" => ctx.restricted,
                "works_with_vulnerable" => ctx.vulnerable,
                _ => false,
            };
            if !flags.iter().all(set) {
                continue;
            }
        }
        if let Some(tags) = strs(g.get("tags")) {
            if !(ctx.councillor_tag && tags.iter().any(|t| t == "councillor")) {
                continue;
            }
        }
        for id in strs(g.get("clauses")).unwrap_or_default() {
            out.insert(label_of.get(id.as_str()).map_or(format!("<unknown clause {id}>"), |l| l.to_string()));
        }
    }
    out
}

#[test]
fn cited_clauses_match_the_policy_map_in_every_context() {
    let mut errors = Vec::new();
    for council in COUNCILS {
        let profile = load_profile(council);
        for category in CATEGORY_IDS {
            let mut ever = false;
            for ctx in all_contexts() {
                let want = expected_labels(council, category, ctx);
                let got = profile_labels(&profile, category, ctx);
                ever |= !want.is_empty();
                if want != got {
                    errors.push(format!(
                        "{council}: category {category} in {ctx:?}: cites {got:?}, the policy map says {want:?}"
                    ));
                }
            }
            // A "—" cell: the category must be absent from the profile altogether.
            let present = profile["categories"].get(category).is_some();
            if !ever && present {
                errors.push(format!(
                    "{council}: category {category} is \u{2014} in the policy map and must be absent from `categories`"
                ));
            }
            if ever && !present {
                errors.push(format!("{council}: category {category} is missing from `categories`"));
            }
        }
    }
    fail(errors);
}

#[test]
fn presence_and_absence_cells() {
    // Spot checks of the map's "—" cells, stated directly.
    let absent: &[(&str, &[&str])] = &[
        ("sheffield", &["pre-election"]),
        ("shaftesbury", &["political", "pre-election", "official-voice"]),
        ("barnsley", &["political", "pre-election", "official-conduct"]),
        ("chelmsford", &[]),
        ("caerphilly", &["political", "pre-election", "images"]),
    ];
    let mut errors = Vec::new();
    for (council, missing) in absent {
        let profile = load_profile(council);
        let cats = profile["categories"].as_object().cloned().unwrap_or_default();
        for category in CATEGORY_IDS {
            let should_be_present = !missing.contains(&category);
            if cats.contains_key(category) != should_be_present {
                errors.push(format!(
                    "{council}: category {category} should be {}",
                    if should_be_present { "present" } else { "absent" }
                ));
            }
        }
    }
    let with_pre_election: Vec<_> = COUNCILS
        .iter()
        .filter(|c| load_profile(c)["categories"].get("pre-election").is_some())
        .collect();
    if with_pre_election != [&"chelmsford"] {
        errors.push(format!("only chelmsford may have pre-election; found {with_pre_election:?}"));
    }
    fail(errors);
}

#[test]
fn mode_only_categories_are_restricted_to_their_mode() {
    let mut errors = Vec::new();
    for (stem, v) in load_profiles() {
        for (category, only) in [("official-voice", "personal"), ("official-conduct", "official")] {
            let grounds = v["categories"].get(category).and_then(|c| c.get("grounds"));
            for (i, g) in grounds.and_then(Value::as_array).into_iter().flatten().enumerate() {
                let modes = g.get("modes").and_then(Value::as_array);
                let ok = modes.is_some_and(|m| m.len() == 1 && m[0].as_str() == Some(only));
                if !ok {
                    errors.push(format!(
                        "{stem}: category {category}: grounds[{i}] `modes` must be [\"{only}\"]"
                    ));
                }
            }
        }
    }
    fail(errors);
}

// ---------------------------------------------------------------------------------------------
// rules/categories.json

#[test]
fn categories_file_lists_the_fourteen_categories() {
    let path = manifest_dir().join("rules").join("categories.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not valid JSON: {e}", path.display()));
    let items = v.as_array().expect("categories.json must be an array");
    let titles: BTreeMap<&str, &str> = [
        ("confidential-info", "Confidential information"),
        ("personal-data", "Personal data"),
        ("service-users", "Service users"),
        ("discrimination", "Discrimination"),
        ("bullying", "Bullying or intimidation"),
        ("disrepute", "Bringing the council into disrepute"),
        ("grievance", "Work grievance in public"),
        ("profanity", "Swearing"),
        ("political", "Political comment"),
        ("pre-election", "Pre-election period"),
        ("official-voice", "Speaking for the council"),
        ("images", "Images"),
        ("official-conduct", "Official account conduct"),
        ("working-time", "Posting in working time"),
    ]
    .into_iter()
    .collect();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let Some(o) = item.as_object() else {
            errors.push(format!("categories.json[{i}]: must be an object"));
            continue;
        };
        let id = str_field(o, "id").unwrap_or("");
        let at = format!("categories.json: category {}", if id.is_empty() { format!("[{i}]") } else { id.to_string() });
        for k in o.keys() {
            if !["id", "title", "severity", "description"].contains(&k.as_str()) {
                errors.push(format!("{at}: unknown field `{k}`"));
            }
        }
        if !CATEGORY_IDS.contains(&id) {
            errors.push(format!("{at}: `id` is not a known category id"));
        }
        if !seen.insert(id.to_string()) {
            errors.push(format!("{at}: `id` is repeated"));
        }
        if let Some(want) = titles.get(id) {
            if str_field(o, "title") != Some(want) {
                errors.push(format!("{at}: `title` is {:?}, expected {want:?}", str_field(o, "title")));
            }
        }
        let want_sev = if id == "images" || id == "working-time" { "info" } else { "warn" };
        match str_field(o, "severity") {
            Some(s) if !SEVERITIES.contains(&s) => {
                errors.push(format!("{at}: `severity` {s:?} is not one of {SEVERITIES:?}"))
            }
            Some(s) if s != want_sev => {
                errors.push(format!("{at}: `severity` is {s:?}, the default is {want_sev:?}"))
            }
            Some(_) => {}
            None => errors.push(format!("{at}: `severity` is missing")),
        }
        match str_field(o, "description") {
            Some(d) if d.trim().ends_with('.') && d.len() > 20 => {}
            other => errors.push(format!("{at}: `description` must be a plain sentence; got {other:?}")),
        }
    }
    for id in CATEGORY_IDS {
        if !seen.contains(id) {
            errors.push(format!("categories.json: category {id} is missing"));
        }
    }
    fail(errors);
}
