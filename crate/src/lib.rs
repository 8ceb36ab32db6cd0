//! postcheck core: checks a social-media draft against a UK council's social-media policy.
//!
//! See `docs/contract.md`. The pipeline, all in pure Rust (no browser types):
//!
//! 1. [`normalize`] builds an ASCII *skeleton* of the draft (lower-cased, accents stripped,
//!    look-alikes folded) with a map from every skeleton byte back to its UTF-16 offset in the
//!    input, plus a second "de-disguised" view for profanity.
//! 2. [`detectors`] finds identifiers (NI numbers, NHS numbers, phones, emails, postcodes, dates
//!    of birth, case references) — these are masked before the profanity view is read.
//! 3. [`rules`] runs the data-driven rule set (`crate/rules/<category>.json`): patterns,
//!    context requirements, suppressors, mode/flag/election conditions.
//! 4. [`Checker::check`] turns rule hits into [`Finding`]s for the selected council: a category
//!    fires only when the council's profile grounds it for the mode, flags and rule tags, and cites
//!    that council's own clauses.
//!
//! All spans in this crate's public API are **UTF-16 code units** of the input text, end
//! exclusive (what JavaScript's `String` indexes), never bytes.

pub mod context;
pub mod detectors;
pub mod normalize;
pub mod profile;
pub mod rules;

mod builtin;
mod engine;
mod json;
pub mod model;
mod model_table;
mod prefilter;
mod sort;
mod source;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use context::{Context, Date, Flags, LocalDateTime, Mode};
pub use profile::{LoadError, Profile};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// How strongly a finding is presented. Serde: `"block"` | `"warn"` | `"info"`.
/// Ordering: `Block < Warn < Info` (so sorting ascending puts block first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Held at submission until edited or "Post anyway" (identifiers, slurs, threats).
    Block,
    /// Shown inline; held once at submission.
    Warn,
    /// Shown, never holds the post.
    Info,
}

impl Severity {
    /// `"block"` | `"warn"` | `"info"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Block => "block",
            Severity::Warn => "warn",
            Severity::Info => "info",
        }
    }
}

/// A clause cited by a finding, as shown to the user (contract §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseRef {
    /// Profile id, e.g. `"barnsley"`.
    pub council: String,
    /// Document title from the profile.
    pub document: String,
    /// The clause *label* (as the user sees it), e.g. `"4.4"`.
    pub clause: String,
    pub heading: String,
    /// Verbatim quote from the council's policy.
    pub quote: String,
    /// `"{document} {label}"`.
    pub reference: String,
}

/// One problem in a draft (contract §3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Id of the rule that fired (the first, when several merged), e.g. `"confidential.secrecy-cue"`.
    pub rule: String,
    /// Category id, e.g. `"confidential-info"`.
    pub category: String,
    /// The category's display title.
    pub title: String,
    pub severity: Severity,
    /// Clauses of the selected council's policy that ground the finding (at least one).
    /// Shared: each is built once per loaded profile and every finding citing it holds the same
    /// [`Arc`] (a check clones a pointer, not six strings). Serde (its `rc` feature) reads and
    /// writes each as the plain [`ClauseRef`] object, so the JSON / JS shape is contract §3's.
    pub clauses: Vec<Arc<ClauseRef>>,
    /// Start, in UTF-16 code units of the input text.
    pub start: u32,
    /// End (exclusive), in UTF-16 code units. `start == end == 0` means the whole post
    /// (e.g. `images`: nothing in the text triggered it).
    pub end: u32,
    /// Plain English: what triggered it (quoting the words) and why the clause applies.
    pub message: String,
}

/// What the options page lists for a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileSummary {
    pub id: String,
    pub name: String,
    pub document: String,
    /// `"en"` | `"cy"`.
    pub language: String,
    /// Caveat to show in the UI (e.g. Caerphilly: the seed is a report, not the policy).
    pub note: Option<String>,
}

/// A check could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// `Context::council` names no loaded profile.
    UnknownCouncil(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::UnknownCouncil(c) => write!(f, "unknown council \"{c}\""),
        }
    }
}

impl std::error::Error for CheckError {}

/// The checker: built-in profiles and the rule set, compiled once. Cheap to query, `Send + Sync`.
pub struct Checker {
    engine: engine::Engine,
}

impl Checker {
    /// The built-in profiles (`crate/profiles/*.json`) and rules (`crate/rules/*.json`), embedded
    /// at compile time and compiled once. Panics only if the embedded data is broken
    /// (`tests` guard this: `builtin_loads`).
    pub fn builtin() -> Checker {
        match engine::Engine::builtin() {
            Ok(engine) => Checker { engine },
            Err(e) => panic!("embedded postcheck data is broken: {e}"),
        }
    }

    /// Like [`Checker::builtin`] but returns the error instead of panicking.
    pub fn try_builtin() -> Result<Checker, LoadError> {
        engine::Engine::builtin().map(|engine| Checker { engine })
    }

    /// Adds (or replaces, by id) a council profile from its JSON (contract §1).
    /// Returns the profile id. Errors name the profile, the field path and the reason.
    pub fn add_profile_json(&mut self, json: &str) -> Result<String, LoadError> {
        self.engine.add_profile_json(json)
    }

    /// The loaded profiles, sorted by id.
    pub fn profiles(&self) -> Vec<ProfileSummary> {
        self.engine.profiles()
    }

    /// Checks `text` for `ctx.council`. Findings are sorted by `start`, then severity (block
    /// first); spans are UTF-16 code units of `text`, end exclusive. Never panics on any input.
    /// Errors only for an unknown council.
    pub fn check(&self, text: &str, ctx: &Context) -> Result<Vec<Finding>, CheckError> {
        self.engine.check(text, ctx)
    }

    /// Category ids with their display titles and default severities, in the rule set's order.
    pub fn categories(&self) -> Vec<(String, String, Severity)> {
        self.engine.categories()
    }
}

/// Helpers shared by the unit tests.
#[cfg(test)]
pub(crate) mod testing {
    /// Deterministic pseudo-random numbers for the randomised tests (so a failure reproduces):
    /// xorshift64 (Marsaglia 2003, shifts 13, 7, 17) from a non-zero `seed`; each call returns
    /// the next 64-bit state.
    pub(crate) fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// The draft texts of the labelled sets `crate/tests/data/own.jsonl`, `own4.jsonl` and
    /// `own5.jsonl` (tuning material; never the fresh pool or `own9.jsonl`), in file order.
    pub(crate) fn labelled_texts() -> Vec<String> {
        let mut v = Vec::new();
        for f in ["tests/data/own.jsonl", "tests/data/own4.jsonl", "tests/data/own5.jsonl"] {
            let s = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            v.extend(s.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["text"].as_str().map(str::to_string)));
        }
        v
    }

    /// [`xorshift`] reduced to `0..n` (`n > 0`): the next state `% n`.
    pub(crate) fn xorshift_below(seed: u64) -> impl FnMut(usize) -> usize {
        let mut next = xorshift(seed);
        move |n| (next() % n as u64) as usize
    }
}
