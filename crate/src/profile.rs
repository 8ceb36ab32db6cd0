//! Council profiles (contract §1): serde types and validation.
//!
//! A profile is one council's policy as data: its clauses (verbatim quotes from the seed) and,
//! per category, the *grounds* on which that category may fire (clauses cited, modes, flags, tags).
//! Validation never panics; every error names the profile, the field path and the reason.

use crate::context::{Flags, Mode, FLAG_NAMES};
use crate::detectors::Detectors;
use crate::rules::{Concepts, Prepared, RegexPool, Rule, RuleSpec};
use crate::Severity;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// A profile failed to load. Display: `profile "foo": categories.political.grounds[1].clauses[0]:
/// unknown clause id "4.99"`. `profile` is `"?"` when the id could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The profile id (or `"?"`).
    pub profile: String,
    /// Dotted field path, e.g. `categories.political.grounds[1].clauses[0]`; empty for the whole file.
    pub path: String,
    /// Plain-English reason.
    pub reason: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "profile \"{}\": {}", self.profile, self.reason)
        } else {
            write!(f, "profile \"{}\": {}: {}", self.profile, self.path, self.reason)
        }
    }
}

impl std::error::Error for LoadError {}

/// One clause of a council document, quoted verbatim from its seed file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Clause {
    /// Unique within the profile; referenced by `grounds[].clauses`.
    pub id: String,
    /// As a user sees it after the document title, e.g. `"4.4"`, `"Principle 14"`.
    pub label: String,
    /// Section heading in the seed.
    pub heading: String,
    /// Verbatim quote from the seed (whitespace may be collapsed).
    pub quote: String,
}

/// When a category may fire for this council, and which clauses it then cites.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Ground {
    /// Clause ids cited when this ground matches (at least one).
    pub clauses: Vec<String>,
    /// Modes in which the ground applies; absent = both.
    #[serde(default)]
    pub modes: Option<Vec<Mode>>,
    /// Flags that must ALL be set; absent/empty = none required.
    #[serde(default)]
    pub flags: Vec<String>,
    /// If present, the ground only matches findings from rules carrying at least one of these tags.
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

impl Ground {
    /// Whether this ground applies for the mode, flags and the firing rule's tags.
    pub fn matches(&self, mode: Mode, flags: &Flags, rule_tags: &[String]) -> bool {
        if let Some(m) = &self.modes {
            if !m.contains(&mode) {
                return false;
            }
        }
        if !self.flags.iter().all(|f| flags.has(f)) {
            return false;
        }
        match &self.tags {
            Some(t) => t.iter().any(|t| rule_tags.iter().any(|r| r == t)),
            None => true,
        }
    }
}

/// A category as configured for one council.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CategoryConfig {
    /// Overrides the category's default severity for this council.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// The category fires only if at least one ground matches.
    pub grounds: Vec<Ground>,
}

/// A word or phrase that must never be flagged for this council (a local place name, a
/// councillor's surname): a finding whose span lies wholly within an occurrence is dropped.
///
/// JSON: a plain string (all categories) or `{"text": "Cockermouth", "categories": ["profanity"]}`.
/// Matched case-insensitively on whole words of the draft's normalised skeleton (accents, look-alikes
/// and spacing folded as for the rules; words separated by any run of non-letters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// The word or phrase, as written in the profile.
    pub text: String,
    /// Category ids the exception applies to; `None` = every category.
    pub categories: Option<Vec<String>>,
}

impl<'de> Deserialize<'de> for Exception {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            text: String,
            #[serde(default)]
            categories: Option<Vec<String>>,
        }
        match Value::deserialize(d)? {
            Value::String(text) => Ok(Exception { text, categories: None }),
            v @ Value::Object(_) => {
                let f: Full = serde_json::from_value(v).map_err(serde::de::Error::custom)?;
                Ok(Exception { text: f.text, categories: f.categories })
            }
            other => Err(serde::de::Error::custom(format!(
                "expected a string or an object {{text, categories?}}, not {}",
                json_type(&other)
            ))),
        }
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A council profile (contract §1).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Profile {
    /// `[a-z0-9-]+`, unique among loaded profiles.
    pub id: String,
    /// Display name, e.g. "Barnsley MBC".
    pub name: String,
    /// Document title used in every clause reference.
    pub document: String,
    /// Seed file the quotes come from.
    #[serde(default)]
    pub source: Option<String>,
    /// Language of the quotes: `"en"` | `"cy"`.
    #[serde(default = "default_lang")]
    pub language: String,
    /// Optional caveat shown in the UI.
    #[serde(default)]
    pub note: Option<String>,
    pub clauses: Vec<Clause>,
    /// Category id → configuration. A category absent here never fires for this council.
    pub categories: BTreeMap<String, CategoryConfig>,
    /// The council's own word lists, name → words (the rule-file `lexicons` format:
    /// `"base+suffix,suffix"`), for its own rules' `"lexicon"` trigger.
    #[serde(default)]
    pub lexicons: BTreeMap<String, Vec<String>>,
    /// The council's own rules, each in the shared rule format (`crate/rules/*.json`, see
    /// [`crate::rules`]), kept as JSON here and compiled by [`load_profile`]. Each must be in
    /// one of this profile's `categories` and runs only when this council is selected.
    #[serde(default)]
    pub rules: Vec<Value>,
    /// Words and phrases never flagged for this council (see [`Exception`]).
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// Example drafts with the categories each must raise, `[{text, mode?, flags?, expect}]`;
    /// run by `postcheck profile validate` and, for the built-in profiles, by a test.
    #[serde(default)]
    pub examples: Vec<Value>,
}

fn default_lang() -> String {
    "en".into()
}

impl Profile {
    /// The clause with this id.
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.id == id)
    }
}

/// What a profile is validated and compiled against: the shared rule set's categories, tags and
/// rule ids, the shared concept lexicons and the detectors (to run the own rules' examples).
pub struct LoadEnv<'a> {
    /// Category ids of the rule set.
    pub categories: &'a HashSet<String>,
    /// Tags carried by the shared rules (a ground tag no rule carries is an error: it could never match).
    pub tags: &'a HashSet<String>,
    /// Ids of the shared rules (an own rule may not reuse one).
    pub rule_ids: &'a HashSet<String>,
    /// The shared concept lexicons (`crate/rules/lexicons.json`), referenced as `{name}`.
    pub concepts: &'a Concepts,
    pub detectors: &'a Detectors,
}

/// An exception compiled for matching: skeleton regex and the categories it covers.
pub struct ExceptionMatcher {
    /// Whole-word, case-insensitive regex over the skeleton (`\b[Ww]1[^0-9A-Za-z]+[Ww]2…\b`,
    /// each letter of the exception's words as the class of its two cases; checked at load,
    /// compiled on first search);
    /// [`crate::rules::Lazy::matches`] gives skeleton byte ranges.
    pub re: crate::rules::Lazy,
    /// `None` = every category.
    pub categories: Option<Vec<String>>,
}

impl ExceptionMatcher {
    /// Whether the exception covers `category`.
    pub fn covers(&self, category: &str) -> bool {
        self.categories.as_ref().is_none_or(|c| c.iter().any(|x| x == category))
    }
}

/// A validated profile with its own rules compiled and its exceptions ready to match.
pub struct LoadedProfile {
    pub profile: Profile,
    /// `profile.rules`, compiled (eagerly: a bad regex is a load error).
    pub rules: Vec<Rule>,
    /// `profile.exceptions`, in order.
    pub exceptions: Vec<ExceptionMatcher>,
}

/// Parses, validates and compiles a profile (contract §1): its fields, clauses and grounds; its
/// own `rules` (shared rule format; each example is run now, a failing one is an error naming the
/// rule and field, e.g. `rules[0].examples.fire[1]`); its `lexicons` and `exceptions`.
/// Errors name the field path, also for a wrongly typed field (`clauses: invalid type: …`).
pub fn load_profile(json: &str, env: &LoadEnv) -> Result<LoadedProfile, LoadError> {
    let p = parse_json(json)?;
    let err = |path: String, reason: String| LoadError { profile: p.id.clone(), path, reason };
    for (name, words) in &p.lexicons {
        if words.is_empty() {
            return Err(err(format!("lexicons.{name}"), "must list at least one word".into()));
        }
        for (k, w) in words.iter().enumerate() {
            if w.trim().is_empty() {
                return Err(err(format!("lexicons.{name}[{k}]"), "must not be empty".into()));
            }
        }
    }
    let mut rules = Vec::new();
    let mut own_ids: HashSet<String> = HashSet::new();
    let mut tags: HashSet<String> = env.tags.clone();
    for (i, raw) in p.rules.iter().enumerate() {
        let r = compile_own_rule(&p, i, raw, env, &own_ids).map_err(|(path, reason)| err(path, reason))?;
        own_ids.insert(r.spec.id.clone());
        tags.extend(r.spec.tags.iter().cloned());
        rules.push(r);
    }
    validate(&p, env.categories, &tags)?;
    let mut exceptions = Vec::new();
    for (i, x) in p.exceptions.iter().enumerate() {
        exceptions.push(compile_exception(x, env.categories).map_err(|(f, reason)| err(format!("exceptions[{i}]{f}"), reason))?);
    }
    Ok(LoadedProfile { profile: p, rules, exceptions })
}

/// One word of an exception (ASCII letters and digits, as the skeleton splits them) as a
/// case-insensitive regex fragment: each letter as the class of its two cases (`[Dd]`), each
/// digit as itself.
fn case_insensitive_word(w: &[u8]) -> String {
    let mut out = String::with_capacity(w.len() * 4);
    for &c in w {
        if c.is_ascii_alphabetic() {
            out.extend(['[', c.to_ascii_uppercase() as char, c.to_ascii_lowercase() as char, ']']);
        } else {
            out.push(c as char);
        }
    }
    out
}

/// One exception → matcher. Errors: `("", reason)` or `(".categories[k]", reason)`.
fn compile_exception(x: &Exception, cats: &HashSet<String>) -> Result<ExceptionMatcher, (String, String)> {
    let skel = crate::normalize::Normalized::new(&x.text).skel;
    let words: Vec<String> = skel
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(case_insensitive_word)
        .collect();
    if words.is_empty() {
        return Err((String::new(), format!("\"{}\" must contain letters or digits", x.text)));
    }
    if let Some(c) = &x.categories {
        if c.is_empty() {
            return Err((".categories".into(), "must not be empty (omit it for every category)".into()));
        }
        for (k, cat) in c.iter().enumerate() {
            if !cats.contains(cat) {
                return Err((format!(".categories[{k}]"), format!("unknown category \"{cat}\"")));
            }
        }
    }
    // as `(?i-u)\b{words joined by [^a-z0-9]+}\b` (what this was), written without the inline
    // flag, which only regex-syntax's parser reads (not linked in the wasm): regex-syntax folds
    // a letter to the class of both cases and a class before negating it, so the HIR is the same
    // (`tests::exception_source_is_the_case_insensitive_one`)
    let src = format!(r"\b{}\b", words.join("[^0-9A-Za-z]+"));
    // the `regex` crate's default size limit (10 MiB), as when this was compiled with it
    crate::rules::check_source(&src, 10 << 20).map_err(|e| (String::new(), format!("cannot be matched: {e}")))?;
    Ok(ExceptionMatcher { re: crate::rules::Lazy::new(src), categories: x.categories.clone() })
}

/// Compiles `rules[i]`: the spec's shape, its category (one of the profile's), its id (unique,
/// not a shared rule's), concept references, each regex, the lexicon, then the examples.
fn compile_own_rule(
    p: &Profile,
    i: usize,
    raw: &Value,
    env: &LoadEnv,
    own_ids: &HashSet<String>,
) -> Result<Rule, (String, String)> {
    let base = format!("rules[{i}]");
    if !raw.is_object() {
        return Err((base, format!("must be a rule object (the shared rule format), not {}", json_type(raw))));
    }
    if let Some((f, reason)) = locate_rule_type_error(raw) {
        return Err((format!("{base}.{f}"), reason));
    }
    let mut spec: RuleSpec = serde_json::from_value(raw.clone()).map_err(|e| (base.clone(), e.to_string()))?;
    if spec.id.trim().is_empty() {
        return Err((format!("{base}.id"), "must not be empty".into()));
    }
    if env.rule_ids.contains(&spec.id) {
        return Err((format!("{base}.id"), format!("\"{}\" is a shared rule's id; choose another", spec.id)));
    }
    if own_ids.contains(&spec.id) {
        return Err((format!("{base}.id"), format!("duplicate rule id \"{}\"", spec.id)));
    }
    if !p.categories.contains_key(&spec.category) {
        let known: Vec<&str> = p.categories.keys().map(String::as_str).collect();
        return Err((
            format!("{base}.category"),
            format!("\"{}\" is not one of this profile's categories ({})", spec.category, known.join(", ")),
        ));
    }
    if spec.category == "working-time" {
        return Err((
            format!("{base}.category"),
            "working-time is raised from the working hours (managed workingHours), not by rules".into(),
        ));
    }
    let id = spec.id.clone();
    let split = |m: String| -> (String, String) {
        let m = m.strip_prefix(&format!("rule \"{id}\": ")).map(str::to_string).unwrap_or(m);
        match m.split_once(": ") {
            Some((f, r)) if !f.contains(' ') => (format!("{base}.{f}"), r.to_string()),
            _ => (base.clone(), m),
        }
    };
    crate::rules::expand_spec(&mut spec, env.concepts).map_err(|e| split(e.0))?;
    // locate a bad regex to its element (the compiled rule joins each field's patterns)
    crate::rules::for_each_pattern_list(&mut spec, |f, pats| {
        for (k, pat) in pats.iter().enumerate() {
            if let Err(e) = crate::rules::check_source(pat, 8 << 20) {
                return Err((format!("{base}.{f}[{k}]"), format!("bad pattern: {e}")));
            }
        }
        Ok(())
    })?;
    if let Some(l) = &spec.lexicon {
        if !p.lexicons.contains_key(l) {
            let known: Vec<&str> = p.lexicons.keys().map(String::as_str).collect();
            return Err((format!("{base}.lexicon"), format!("unknown lexicon \"{l}\" (this profile's lexicons: {})", known.join(", "))));
        }
    }
    let rule = Rule::compile_in(spec, &p.lexicons, &mut RegexPool::new(true)).map_err(|e| split(e.0))?;
    if rule.spec.examples.fire.is_empty() {
        return Err((
            format!("{base}.examples.fire"),
            format!("rule \"{id}\" needs at least one example draft it must fire on (and quiet ones are advised)"),
        ));
    }
    for (which, list, should_fire) in [("fire", &rule.spec.examples.fire, true), ("quiet", &rule.spec.examples.quiet, false)] {
        for (k, ex) in list.iter().enumerate() {
            let (t, ctx) = ex.parts();
            let fired = !rule.hits(&Prepared::new(t, env.detectors), &ctx).is_empty();
            if fired != should_fire {
                let what = if should_fire { "does not fire on" } else { "fires on" };
                return Err((format!("{base}.examples.{which}[{k}]"), format!("rule \"{id}\" {what} {t:?}")));
            }
        }
    }
    Ok(rule)
}

/// Serde's type errors carry a line/column, not the field: find the field of a rule object whose
/// value has the wrong type (one level into `near`/`unless_near`/`also_near`/`unless_followed_by`/
/// `unless_preceded_by`/`examples`).
fn locate_rule_type_error(raw: &Value) -> Option<(String, String)> {
    let o = raw.as_object()?;
    let mut out = None;
    for (k, v) in o {
        let r = match k.as_str() {
            "id" | "category" | "message" => first_error::<String>(v),
            "severity" => first_error::<Option<Severity>>(v),
            "tags" | "flags" | "patterns" | "except" | "with_any" | "unless_any" => elems::<String>(v),
            "modes" => elems::<Mode>(v),
            "election_window" | "attachments" | "word" => first_error::<bool>(v),
            "detector" | "lexicon" | "view" | "source" => first_error::<Option<String>>(v),
            "near" | "unless_near" => first_error::<Option<crate::rules::Near>>(v),
            "also_near" => elems::<crate::rules::Near>(v),
            "unless_followed_by" => first_error::<Option<crate::rules::FollowedBy>>(v),
            "unless_preceded_by" => first_error::<Option<crate::rules::PrecededBy>>(v),
            "examples" => first_error::<crate::rules::Examples>(v),
            _ => None,
        };
        if let Some(e) = r {
            let (sub, reason) = e;
            out = Some((format!("{k}{sub}"), reason));
            break;
        }
    }
    out
}

/// The deserialisation error of `v` as `T`, if any, as `("", reason)`.
fn first_error<T: DeserializeOwned>(v: &Value) -> Option<(String, String)> {
    serde_json::from_value::<T>(v.clone()).err().map(|e| (String::new(), e.to_string()))
}

/// For an array field: the first element that is not a `T`, as `("[k]", reason)`; for a
/// non-array, the error of the whole as a `Vec<T>`.
fn elems<T: DeserializeOwned>(v: &Value) -> Option<(String, String)> {
    match v {
        Value::Array(a) => a.iter().enumerate().find_map(|(k, x)| first_error::<T>(x).map(|(_, e)| (format!("[{k}]"), e))),
        other => first_error::<Vec<T>>(other),
    }
}

/// The field of a profile whose value has the wrong type (serde_json only reports line/column),
/// down to list elements and category grounds: `("clauses", "invalid type: …")`.
fn locate_type_error(v: &Value) -> Option<(String, String)> {
    let o = v.as_object()?;
    for (k, x) in o {
        let r = match k.as_str() {
            "id" | "name" | "document" | "language" => first_error::<String>(x),
            "source" | "note" => first_error::<Option<String>>(x),
            "clauses" => elems::<Clause>(x),
            "exceptions" => elems::<Exception>(x),
            "rules" | "examples" => first_error::<Vec<Value>>(x),
            "lexicons" => match x {
                Value::Object(m) => m.iter().find_map(|(n, w)| elems::<String>(w).map(|(s, e)| (format!(".{n}{s}"), e))),
                other => first_error::<BTreeMap<String, Vec<String>>>(other),
            },
            "categories" => match x {
                Value::Object(m) => m.iter().find_map(|(cat, cfg)| {
                    let sub = match cfg.as_object() {
                        Some(c) => c.iter().find_map(|(ck, cv)| {
                            let e = match ck.as_str() {
                                "severity" => first_error::<Option<Severity>>(cv),
                                "grounds" => elems::<Ground>(cv),
                                _ => None,
                            };
                            e.map(|(s, e)| (format!(".{ck}{s}"), e))
                        }),
                        None => None,
                    };
                    sub.or_else(|| first_error::<CategoryConfig>(cfg)).map(|(s, e)| (format!(".{cat}{s}"), e))
                }),
                other => first_error::<BTreeMap<String, CategoryConfig>>(other),
            },
            _ => None,
        };
        if let Some((sub, reason)) = r {
            return Some((format!("{k}{sub}"), reason));
        }
    }
    None
}

/// Parses and validates a profile's own fields (no rule compilation). `known_categories` are the
/// category ids of the rule set; `known_tags` the tags used by any rule (a ground tag no rule
/// carries is an error, as it could never match).
pub fn parse_profile(
    json: &str,
    known_categories: &HashSet<String>,
    known_tags: &HashSet<String>,
) -> Result<Profile, LoadError> {
    let p = parse_json(json)?;
    validate(&p, known_categories, known_tags)?;
    Ok(p)
}

/// JSON → [`Profile`], with errors naming the field (see [`locate_type_error`]).
fn parse_json(json: &str) -> Result<Profile, LoadError> {
    // First read the id loosely so a later type error can still name the profile.
    let loose: Result<serde_json::Value, _> = crate::json::parse(json);
    let id_hint = loose
        .as_ref()
        .ok()
        .and_then(|v| v.get("id"))
        .and_then(|v| v.as_str())
        .unwrap_or("?")
        .to_string();
    if let Err(e) = &loose {
        return Err(LoadError { profile: id_hint, path: String::new(), reason: format!("invalid JSON: {e}") });
    }
    let v = loose.unwrap_or(Value::Null);
    if !v.is_object() {
        return Err(LoadError { profile: id_hint, path: String::new(), reason: format!("a profile must be a JSON object, not {}", json_type(&v)) });
    }
    match serde_json::from_value::<Profile>(v.clone()) {
        Ok(p) => Ok(p),
        Err(e) => Err(match locate_type_error(&v) {
            Some((path, reason)) => LoadError { profile: id_hint, path, reason },
            None => LoadError { profile: id_hint, path: String::new(), reason: format!("{e}") },
        }),
    }
}

fn validate(p: &Profile, cats: &HashSet<String>, tags: &HashSet<String>) -> Result<(), LoadError> {
    let err = |path: String, reason: String| LoadError { profile: p.id.clone(), path, reason };
    if p.id.is_empty() || !p.id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(err("id".into(), format!("\"{}\" must match [a-z0-9-]+", p.id)));
    }
    for (field, v) in [("name", &p.name), ("document", &p.document)] {
        if v.trim().is_empty() {
            return Err(err(field.into(), "must not be empty".into()));
        }
    }
    if p.language != "en" && p.language != "cy" {
        return Err(err("language".into(), format!("\"{}\" must be \"en\" or \"cy\"", p.language)));
    }
    let mut seen = HashSet::new();
    for (i, c) in p.clauses.iter().enumerate() {
        for (field, v) in [("id", &c.id), ("label", &c.label), ("heading", &c.heading), ("quote", &c.quote)] {
            if v.trim().is_empty() {
                return Err(err(format!("clauses[{i}].{field}"), "must not be empty".into()));
            }
        }
        if !seen.insert(c.id.as_str()) {
            return Err(err(format!("clauses[{i}].id"), format!("duplicate clause id \"{}\"", c.id)));
        }
    }
    for (cat, cfg) in &p.categories {
        let base = format!("categories.{cat}");
        if !cats.contains(cat) {
            return Err(err(base, format!("unknown category \"{cat}\"")));
        }
        if cfg.grounds.is_empty() {
            return Err(err(format!("{base}.grounds"), "at least one ground is required".into()));
        }
        for (g, ground) in cfg.grounds.iter().enumerate() {
            let gp = format!("{base}.grounds[{g}]");
            if ground.clauses.is_empty() {
                return Err(err(format!("{gp}.clauses"), "at least one clause id is required".into()));
            }
            for (k, cl) in ground.clauses.iter().enumerate() {
                if !seen.contains(cl.as_str()) {
                    return Err(err(format!("{gp}.clauses[{k}]"), format!("unknown clause id \"{cl}\"")));
                }
            }
            if let Some(m) = &ground.modes {
                if m.is_empty() {
                    return Err(err(format!("{gp}.modes"), "must not be empty (omit it for both modes)".into()));
                }
            }
            for (k, f) in ground.flags.iter().enumerate() {
                let norm = f.replace('-', "_");
                if !FLAG_NAMES.contains(&norm.as_str()) {
                    return Err(err(format!("{gp}.flags[{k}]"), format!("unknown flag \"{f}\"")));
                }
            }
            if let Some(t) = &ground.tags {
                if t.is_empty() {
                    return Err(err(format!("{gp}.tags"), "must not be empty (omit it to match every rule)".into()));
                }
                for (k, tag) in t.iter().enumerate() {
                    if !tags.contains(tag) {
                        return Err(err(format!("{gp}.tags[{k}]"), format!("unknown tag \"{tag}\" (no rule carries it)")));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An exception's regex is the one it was when written with the inline flag
    /// (`(?i-u)\bw1[^a-z0-9]+w2…\b`, the words escaped): the same HIR from regex-syntax's parser,
    /// and built without it (`source::parse_direct`, the only parser in the wasm). So the same
    /// spans are dropped as before.
    #[test]
    fn exception_source_is_the_case_insensitive_one() {
        let parse = |src: &str| regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(src).unwrap();
        let cats: HashSet<String> = ["profanity".to_string()].into();
        for text in ["Cockermouth", "Dickhead Lane", "A1 / M62", "St. Helen's", "Ysbyty Gwynedd 24", "Café Nero", "x", "2024", "Rhyl-on-Sea"] {
            let x = Exception { text: text.to_string(), categories: None };
            let m = compile_exception(&x, &cats).unwrap_or_else(|e| panic!("{text}: {e:?}"));
            let skel = crate::normalize::Normalized::new(text).skel;
            let words: Vec<String> = skel
                .split(|b| !b.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(|w| regex_syntax::escape(&String::from_utf8_lossy(w)))
                .collect();
            let was = format!(r"(?i-u)\b{}\b", words.join("[^a-z0-9]+"));
            let direct = crate::source::parse_direct(m.re.src()).unwrap_or_else(|| panic!("{}: outside the direct subset", m.re.src()));
            assert!(direct == parse(&was), "{text}: {} vs {was}", m.re.src());
            assert!(direct == parse(m.re.src()), "{text}");
        }
        // and it matches as before: either case, any run of separators between the words
        let x = Exception { text: "Dickhead Lane".into(), categories: None };
        let m = compile_exception(&x, &cats).unwrap();
        let re = regex::bytes::RegexBuilder::new(m.re.src()).unicode(false).build().unwrap();
        assert!(re.is_match(b"dickhead lane") && re.is_match(b"DICKHEAD -- lane") && !re.is_match(b"dickheadlane"));
    }
}
