//! Embedded data: rule files, category table and council profiles (`include_str!`), as
//! `build.rs` writes them to `$OUT_DIR/data/`: verbatim natively; for wasm32 without the rule
//! examples and maintainer notes and without insignificant whitespace (see `build.rs`).

macro_rules! rule_files {
    ($($name:literal),* $(,)?) => { &[$(($name, include_str!(concat!(env!("OUT_DIR"), "/data/rules/", $name)))),*] };
}

/// `crate/rules/<category>.json` rule files (not categories.json), as `(file name, JSON)`.
pub const RULE_FILES: &[(&str, &str)] = rule_files![
    "confidential-info.json",
    "personal-data.json",
    "service-users.json",
    "discrimination.json",
    "bullying.json",
    "disrepute.json",
    "grievance.json",
    "profanity.json",
    "political.json",
    "pre-election.json",
    "official-voice.json",
    "images.json",
    "official-conduct.json",
];

/// `crate/rules/lexicons.json`: concept lexicons referenced from rule patterns as `{name}`.
pub const CONCEPTS: &str = include_str!(concat!(env!("OUT_DIR"), "/data/rules/lexicons.json"));

/// `crate/rules/categories.json`: the 14 categories (id, title, default severity, description).
pub const CATEGORIES: Option<&str> = Some(include_str!(concat!(env!("OUT_DIR"), "/data/rules/categories.json")));

macro_rules! profile_files {
    ($($name:literal),* $(,)?) => { &[$(($name, include_str!(concat!(env!("OUT_DIR"), "/data/profiles/", $name)))),*] };
}

/// `crate/profiles/<id>.json`, as `(file name, JSON)`.
pub const PROFILES: &[(&str, &str)] = profile_files![
    "barnsley.json",
    "caerphilly.json",
    "chelmsford.json",
    "shaftesbury.json",
    "sheffield.json",
];
