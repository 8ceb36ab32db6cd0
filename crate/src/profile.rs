//! Council profiles (contract §1): serde types and validation.
//!
//! A profile is one council's policy as data: its clauses (verbatim quotes from the seed) and,
//! per category, the *grounds* on which that category may fire (clauses cited, modes, flags, tags).
//! Validation never panics; every error names the profile, the field path and the reason.

use crate::context::{Flags, Mode, FLAG_NAMES};
use crate::Severity;
use serde::Deserialize;
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

/// Parses and validates a profile. `known_categories` are the category ids of the rule set;
/// `known_tags` the tags used by any rule (a ground tag no rule carries is an error, as it could
/// never match).
pub fn parse_profile(
    json: &str,
    known_categories: &HashSet<String>,
    known_tags: &HashSet<String>,
) -> Result<Profile, LoadError> {
    // First read the id loosely so a later type error can still name the profile.
    let loose: Result<serde_json::Value, _> = serde_json::from_str(json);
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
    let p: Profile = serde_json::from_str(json).map_err(|e| LoadError {
        profile: id_hint.clone(),
        path: String::new(),
        reason: format!("{e}"),
    })?;
    validate(&p, known_categories, known_tags)?;
    Ok(p)
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
