//! Rules as data (Vale / LanguageTool style): `crate/rules/<category>.json`.
//!
//! A rule file is `{"lexicons": {"name": ["word", "base+suffix,suffix", …]}, "rules": [Rule, …]}`
//! (`lexicons` optional). A rule:
//!
//! ```jsonc
//! {
//!   "id": "confidential.secrecy-cue",      // unique across all files
//!   "category": "confidential-info",       // a category id
//!   "severity": "block",                   // optional override of the category default
//!   "tags": ["councillor"],                // optional; profile grounds may require one of these
//!   "modes": ["personal"],                 // optional; default both
//!   "flags": ["works_with_vulnerable"],    // optional; ALL required
//!   "election_window": true,               // optional; `now` 0–42 days before an election
//!   // trigger: exactly one of
//!   "patterns": ["between us", "…"],       // regexes over the skeleton (ASCII, lower-case, Unicode off)
//!   "detector": "ni-number",               // a built-in detector (see `detectors`)
//!   "lexicon": "swears",                   // a word list, matched disguise-tolerantly on the profanity view
//!   "attachments": true,                   // fires (empty span at 0) when the composer holds media
//!   "view": "profanity",                  // patterns run on the profanity view (leet folded)
//!   "word": true,                          // no word character right before/after a match (default true)
//!   "except": ["penistone"],               // hits overlapping one of these are dropped
//!   "near": {"patterns": ["…"], "within": 8},        // must ALSO occur within N words of the hit
//!   "with_any": ["…"],                     // must also occur anywhere in the draft
//!   "unless_any": ["views (are )?my own"], // suppresses the rule if anywhere in the draft
//!   "unless_near": {"patterns": ["…"], "within": 6}, // suppresses a hit with this within N words
//!   "unless_followed_by": {"hits": ["{insult_adj}"], "patterns": ["[a-z]{3,}"], "except": ["{person_noun}"]},
//!                                          // suppresses a hit whose next word matches (see `FollowedBy`)
//!   "message": "“{match}” suggests …",    // {match} = the input's words under the span
//!   "examples": {"fire": ["…", {"text": "…", "context": {"mode": "official"}}], "quiet": ["…"]},
//!   "confidence": {"clean": 9, "expected": 2, "other": 1, "precision": 0.21, "gain": 0.9, "demoted": true}
//!                                          // optional; learned, see `Confidence`, docs/rule-confidence.md
//! }
//! ```
//!
//! Patterns have `regex::bytes` syntax and semantics with `unicode(false)`: ASCII only. They
//! run on regex-automata's lazy DFA (hybrid) over Thompson NFAs, never on the meta engine
//! or the `regex` crate (neither is in the build; the `regex` crate is a dev-dependency, the
//! reference the tests compare every search path with).
//!
//! Matching (same matches either way, see [`Rule::hits_with`]): the engine's prefilter
//! (`prefilter.rs`) scans the draft once with Aho-Corasick for the literals of every rule
//! field. A field whose literal set is a PREFIX set (every match starts with one of them) is
//! searched with a forward-only lazy DFA anchored at those literals' start positions
//! ([`Lazy::find_at`]): leftmost-first, skipping positions inside the previous match, which is
//! `find_iter`'s semantics. Other fields scan the whole view (forward lazy DFA for the end of
//! a match, reverse anchored lazy DFA for its start: [`Lazy::find_iter`]), but a field
//! with a REQUIRED literal set (every match contains one, `source::contained_literals`) is gated:
//! when none of its literals occurs in the view (the same scan), it has no match and is skipped
//! (its regex not even compiled). On a long view (at least [`Starts::RUNS_MIN_LEN`] bytes) an
//! open gate's field searches only the runs of bytes it can consume around its literals'
//! occurrences, which the same scan records ([`Lazy::find_in_runs`]). Ungated fields (no such
//! set: `[a-z]+,? \d{1,3},`, a branch `hr`), a profile's own rules, and [`Rule::hits`] always
//! scan the whole view.

use crate::context::{Context, Mode, FLAG_NAMES};
use crate::detectors::{Detector, Ident};
use crate::normalize::Normalized;
use crate::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;

pub use crate::source::{disguise_pattern, expand_concepts, Concepts, Expander, RuleError};
use crate::source::source;


/// A rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub lexicons: BTreeMap<String, Vec<String>>,
    pub rules: Vec<RuleSpec>,
}

/// Patterns required/forbidden within `within` words of a hit.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Near {
    pub patterns: Vec<String>,
    /// Distance in words between the hit and the other match (0 = adjacent or overlapping).
    pub within: u32,
    /// Ignores a match of `patterns` by the word after it, as the rule-level field does for hits.
    #[serde(default)]
    pub unless_followed_by: Option<FollowedBy>,
    /// Ignores a match of `patterns` by the clause before it, as the rule-level field does for hits.
    #[serde(default)]
    pub unless_preceded_by: Option<PrecededBy>,
}

/// `unless_followed_by`: drops a hit when the word right after it matches, e.g. an insult
/// adjective used attributively on a thing ("thick fog", "ugly sweaters", "a useless umbrella")
/// rather than on a person ("thick manager", "useless lot"). The patterns cannot say "any word
/// but a person word" (the engine has no look-ahead), hence `except`.
///
/// All patterns run on the skeleton (ASCII, lower-case), each wrapped in half word boundaries
/// like every rule pattern. The *next word* starts at the first byte after the hit's end that is
/// not a space or tab; there must be at least one, and no newline or punctuation in between
/// ("thick, lazy" and "thick\nfog" keep the hit).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowedBy {
    /// Which hits the test applies to: those that one of these patterns matches in full (a
    /// match from the hit's first byte to its last). Empty (the default): every hit.
    #[serde(default)]
    pub hits: Vec<String>,
    /// A hit is dropped when one of these matches starting at the next word…
    pub patterns: Vec<String>,
    /// …and none of these matches starting there (the next word is a person, a function word…).
    #[serde(default)]
    pub except: Vec<String>,
    /// `true`: a next word written with a capital and then a small letter in the draft
    /// ("Gary", "Sunday") keeps the hit, as a probable name (the skeleton is lower-case, so no
    /// pattern can tell; ASCII letters only). An all-capitals word is no evidence either way and is matched as usual.
    #[serde(default)]
    pub keep_names: bool,
    /// With `keep_names`: capitalised next words one of these matches are not taken for names
    /// (days of the week, festivals: "a lazy Sunday", "Fat Tuesday").
    #[serde(default)]
    pub not_names: Vec<String>,
    /// The test is skipped when one of these matches the whole clause before the hit (as
    /// [`PrecededBy::patterns`] do): "my manager is a [lazy] slug" keeps its hit whatever the
    /// next word, because the noun phrase is said of the subject.
    #[serde(default)]
    pub not_after: Vec<String>,
}

/// `unless_preceded_by`: drops a hit when the clause before it matches, e.g. an insult
/// adjective said of a thing ("the pond was slimy", "the fog is thick", "my boss says the
/// lights are too dim") rather than of a person ("the new manager is lazy").
///
/// The *clause before the hit* runs from just after the last `. ! ? ; : , ( ) "` or line break
/// before the hit (or the draft's start) to the end of the word before the hit (the spaces
/// between them left out), at most [`PrecededBy::MAX_CLAUSE`] bytes of the skeleton; a longer
/// one keeps the hit. A pattern must match the WHOLE of it (anchored at both ends), so
/// `"the [a-z]+ (?:is|was)"` matches "the pond was" but not "the lads on the bins are".
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrecededBy {
    /// Which hits the test applies to, as [`FollowedBy::hits`]. Empty: every hit.
    #[serde(default)]
    pub hits: Vec<String>,
    /// A hit is dropped when one of these matches the whole clause before it…
    pub patterns: Vec<String>,
    /// …and none of these does (its subject is a person: "the new manager is").
    #[serde(default)]
    pub except: Vec<String>,
}

impl PrecededBy {
    /// The longest clause before a hit that is tested, in skeleton bytes.
    pub const MAX_CLAUSE: usize = 160;

    /// Its pattern lists by field name (`"hits"`, `"patterns"`, `"except"`): the one list
    /// concept expansion and a profile's error locations walk.
    pub fn pattern_lists_mut(&mut self) -> [(&'static str, &mut Vec<String>); 3] {
        [("hits", &mut self.hits), ("patterns", &mut self.patterns), ("except", &mut self.except)]
    }
}

impl FollowedBy {
    /// Its pattern lists by field name, as [`PrecededBy::pattern_lists_mut`].
    pub fn pattern_lists_mut(&mut self) -> [(&'static str, &mut Vec<String>); 5] {
        [
            ("hits", &mut self.hits),
            ("patterns", &mut self.patterns),
            ("except", &mut self.except),
            ("not_names", &mut self.not_names),
            ("not_after", &mut self.not_after),
        ]
    }
}

/// An example run as a test: the text and optionally a context (`council` is ignored).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Text(String),
    WithContext { text: String, #[serde(default)] context: Option<ExampleContext> },
}

/// Context keys an example may set.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct ExampleContext {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub flags: crate::Flags,
    #[serde(default)]
    pub now: Option<crate::LocalDateTime>,
    #[serde(default)]
    pub elections: Vec<crate::Date>,
    #[serde(default)]
    pub attachments: bool,
}

impl Example {
    /// The example's text and context (personal mode, no flags unless given).
    pub fn parts(&self) -> (&str, Context) {
        match self {
            Example::Text(t) => (t, Context::new("example")),
            Example::WithContext { text, context } => {
                let c = context.clone().unwrap_or_default();
                (
                    text,
                    Context {
                        council: "example".into(),
                        mode: c.mode,
                        flags: c.flags,
                        now: c.now,
                        elections: c.elections,
                        attachments: c.attachments,
                        ..Context::default()
                    },
                )
            }
        }
    }
}

/// Examples: texts the rule must fire on, and texts it must stay quiet on.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub fire: Vec<Example>,
    #[serde(default)]
    pub quiet: Vec<Example>,
}

/// A rule as written in the rule file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub category: String,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub modes: Option<Vec<Mode>>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub election_window: bool,
    #[serde(default)]
    pub patterns: Vec<String>,
    #[serde(default)]
    pub detector: Option<String>,
    #[serde(default)]
    pub lexicon: Option<String>,
    #[serde(default)]
    pub attachments: bool,
    #[serde(default = "yes")]
    pub word: bool,
    /// `"skeleton"` (default) or `"profanity"`: which view `patterns` run on.
    #[serde(default)]
    pub view: Option<String>,
    #[serde(default)]
    pub except: Vec<String>,
    #[serde(default)]
    pub near: Option<Near>,
    #[serde(default)]
    pub with_any: Vec<String>,
    #[serde(default)]
    pub unless_any: Vec<String>,
    #[serde(default)]
    pub unless_near: Option<Near>,
    /// Further proximity requirements, ALL of which must hold (e.g. a target *and* a stance).
    #[serde(default)]
    pub also_near: Vec<Near>,
    /// Drops a hit by the word right after it ([`FollowedBy`]).
    #[serde(default)]
    pub unless_followed_by: Option<FollowedBy>,
    /// Drops a hit by the clause before it ([`PrecededBy`]).
    #[serde(default)]
    pub unless_preceded_by: Option<PrecededBy>,
    pub message: String,
    #[serde(default)]
    pub examples: Examples,
    /// Free-text note on the policy source / rationale (not shown to users).
    #[serde(default)]
    pub source: Option<String>,
    /// Learned confidence (`crate/examples/rule-confidence.rs`, `docs/rule-confidence.md`): how
    /// often the rule was right on the labelled drafts, and whether its findings are demoted.
    #[serde(default)]
    pub confidence: Option<Confidence>,
}

/// A rule's learned confidence, written into its rule file by `crate/examples/rule-confidence.rs`
/// from the labelled drafts of every training writer (`docs/rule-confidence.md`).
///
/// Counts are drafts (not hits) on which the rule raised a finding with the stance model off:
/// `clean` drafts labelled with no category, `expected` drafts labelled with the rule's category,
/// `other` drafts labelled with other categories only. `precision` is the smoothed
/// `expected / (clean + expected + other)`; `gain` the figure the demotion was decided on.
///
/// `demoted: true`: the rule's findings are shown at `info` instead of the category's default
/// `warn` (the user still sees the note; posting is not held), unless the user or the council's
/// profile sets the category's severity explicitly, the rule sets its own `severity` (block
/// rules are never demoted), or the finding is corroborated (see `Engine::check_with`).
/// Native builds ignore demotions when `POSTCHECK_RULE_CONFIDENCE=0` ([`confidence_enabled`]).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Confidence {
    /// Labelled drafts of the statistics' writers (docs/rule-confidence.md) labelled clean on
    /// which the rule raised a finding (stance model off, demotions off).
    #[serde(default)]
    pub clean: u32,
    /// Drafts labelled with the rule's own category on which it raised a finding.
    #[serde(default)]
    pub expected: u32,
    /// Drafts labelled with other categories only on which it raised a finding.
    #[serde(default)]
    pub other: u32,
    /// Smoothed precision `(expected + 2·p0) / (n + 2)`, p0 the pooled precision of all rules on
    /// the same drafts; reported, not used for the decision.
    #[serde(default)]
    pub precision: Option<f64>,
    /// Percentage points: ΔCW − ΔF of demoting this rule alone on the statistics' drafts with the
    /// stance model on (CW: breaching drafts warned; F: clean drafts with warn/block). Present for
    /// rules judged by it; the rule is demoted where it exceeds the tool's margin.
    #[serde(default)]
    pub gain: Option<f64>,
    /// Whether the rule is demoted (its findings at `info` unless corroborated or an explicit
    /// severity exists); the only field that changes behaviour. Written by
    /// `crate/examples/rule-confidence.rs --write` (`gain` above the margin, 0.3 point).
    #[serde(default)]
    pub demoted: bool,
}

impl RuleSpec {
    /// Whether the rule's findings are demoted to `info` for low learned confidence: its
    /// `confidence.demoted`, no explicit `severity` of its own, and demotions switched on
    /// ([`confidence_enabled`]).
    pub fn demoted(&self) -> bool {
        self.severity.is_none() && self.confidence.as_ref().is_some_and(|c| c.demoted) && confidence_enabled()
    }
}

/// Whether rule demotions (`confidence.demoted`) apply: native builds read
/// `POSTCHECK_RULE_CONFIDENCE` once per process (`0` off, for measuring a demotion's effect and
/// for recomputing the statistics from undemoted findings); always on in wasm.
pub fn confidence_enabled() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    {
        static E: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *E.get_or_init(|| std::env::var("POSTCHECK_RULE_CONFIDENCE").map_or(true, |v| v.trim() != "0"))
    }
    #[cfg(target_arch = "wasm32")]
    {
        true
    }
}

fn yes() -> bool {
    true
}

enum Trigger {
    Regex { re: Lazy, profanity_view: bool },
    Detector(Detector),
    Attachments,
}

/// A compiled rule.
pub struct Rule {
    pub spec: RuleSpec,
    trigger: Trigger,
    except: Option<Lazy>,
    near: Option<(Lazy, u32, Surroundings)>,
    with_any: Option<Lazy>,
    unless_any: Option<Lazy>,
    unless_near: Option<(Lazy, u32, Surroundings)>,
    also_near: Vec<(Lazy, u32, Surroundings)>,
    /// The rule-level `unless_followed_by` / `unless_preceded_by` (on the trigger's hits).
    surroundings: Surroundings,
}

/// A compiled pair of `unless_followed_by` / `unless_preceded_by` (either may be absent): on the
/// rule, they filter its hits; on a `near`-type field, that field's matches.
#[derive(Default)]
struct Surroundings {
    followed: Option<FollowedByRe>,
    preceded: Option<PrecededByRe>,
}

impl Surroundings {
    fn is_empty(&self) -> bool {
        self.followed.is_none() && self.preceded.is_none()
    }

    /// Drops from `matches` (a field's matches, ascending; the order is kept) those [`Surroundings::drops`] drops.
    fn filter(&self, p: &Prepared, matches: &mut Vec<(usize, usize)>) {
        if !self.is_empty() {
            matches.retain(|m| !self.drops(p, *m));
        }
    }

    /// Whether the match `h` (skeleton byte range) of the draft `p` is dropped.
    fn drops(&self, p: &Prepared, h: (usize, usize)) -> bool {
        self.followed.as_ref().is_some_and(|f| f.drops(p, h)) || self.preceded.as_ref().is_some_and(|f| f.drops(&p.norm.skel, h))
    }

    /// Compiles the two specs; `at` names the field in errors (`unless_followed_by`,
    /// `near.unless_followed_by`, …).
    fn compile(
        pool: &mut RegexPool,
        fb: &Option<FollowedBy>,
        pb: &Option<PrecededBy>,
        id: &str,
        at: &str,
    ) -> Result<Surroundings, RuleError> {
        // `hits` and `unless_preceded_by`'s sources end at the end of the haystack they are given
        let ended = |pool: &mut RegexPool, parts: &[String], f: &str| -> Result<Lazy, RuleError> {
            pool.intern(format!(r"{}\z", source(parts, true)), &|| format!("rule \"{id}\": {at}{f}"))
        };
        let ended_opt = |pool: &mut RegexPool, parts: &[String], f: &str| -> Result<Option<Lazy>, RuleError> {
            if parts.is_empty() {
                Ok(None)
            } else {
                ended(pool, parts, f).map(Some)
            }
        };
        let followed = match fb {
            Some(f) => Some(FollowedByRe {
                hits: ended_opt(pool, &f.hits, "unless_followed_by.hits")?,
                patterns: compile(pool, &f.patterns, true, &|| format!("rule \"{id}\": {at}unless_followed_by.patterns"))?,
                except: compile_opt(pool, &f.except, &|| format!("rule \"{id}\": {at}unless_followed_by.except"))?,
                keep_names: f.keep_names,
                not_names: compile_opt(pool, &f.not_names, &|| format!("rule \"{id}\": {at}unless_followed_by.not_names"))?,
                not_after: ended_opt(pool, &f.not_after, "unless_followed_by.not_after")?,
            }),
            None => None,
        };
        let preceded = match pb {
            Some(f) => Some(PrecededByRe {
                hits: ended_opt(pool, &f.hits, "unless_preceded_by.hits")?,
                patterns: ended(pool, &f.patterns, "unless_preceded_by.patterns")?,
                except: ended_opt(pool, &f.except, "unless_preceded_by.except")?,
            }),
            None => None,
        };
        Ok(Surroundings { followed, preceded })
    }
}

/// A compiled [`PrecededBy`]: every source ends in `\z` and runs anchored at the clause's start
/// on the skeleton cut at the clause's end (`hits` as in [`FollowedByRe`]).
struct PrecededByRe {
    hits: Option<Lazy>,
    patterns: Lazy,
    except: Option<Lazy>,
}

impl PrecededByRe {
    /// Whether hit `h` (skeleton byte range) is dropped.
    fn drops(&self, skel: &[u8], h: (usize, usize)) -> bool {
        let Some((start, end)) = clause_before(skel, h) else { return false };
        if let Some(re) = &self.hits {
            if !anchored_match(re, &skel[..h.1], h.0) {
                return false;
            }
        }
        let clause = &skel[..end];
        anchored_match(&self.patterns, clause, start) && !self.except.as_ref().is_some_and(|re| anchored_match(re, clause, start))
    }
}

/// The clause before hit `h` as a skeleton byte range `(start, end)` ([`PrecededBy`]: from just
/// after the last `. ! ? ; : , ( ) "` or line break, or the draft's start, to the end of the word
/// before the hit); `None` when it is empty (punctuation right before the hit, the draft's start)
/// or longer than [`PrecededBy::MAX_CLAUSE`].
fn clause_before(skel: &[u8], h: (usize, usize)) -> Option<(usize, usize)> {
    let end = skel[..h.0].iter().rposition(|&b| b != b' ' && b != b'\t').map_or(0, |i| i + 1);
    // no clause before the hit, or punctuation right before it ("(slimy", "pond,slimy")
    if end == 0 || end == h.0 {
        return None;
    }
    let floor = end.saturating_sub(PrecededBy::MAX_CLAUSE);
    let start = match skel[floor..end].iter().rposition(|b| b"\n\r.!?;:,()\"".contains(b)) {
        Some(i) => floor + i + 1,
        None if floor == 0 => 0,
        None => return None,
    };
    let start = start + skel[start..end].iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    (start < end).then_some((start, end))
}

/// Whether `re` matches `hay` anchored at `at` (a DFA that fails to build or gives up: no).
fn anchored_match(re: &Lazy, hay: &[u8], at: usize) -> bool {
    let mut found = false;
    let _ = re.find_at(hay, &[at as u32], true, |_, _| {
        found = true;
        false
    });
    found
}

/// A compiled [`FollowedBy`]: `hits` ends in `\z` and runs anchored on the skeleton cut at a
/// hit's end (so a match must end exactly there); `patterns` and `except` run anchored at the
/// next word. None is registered with the prefilter: they run only for a hit that survived
/// every other field, a few anchored DFA steps each.
struct FollowedByRe {
    hits: Option<Lazy>,
    patterns: Lazy,
    except: Option<Lazy>,
    keep_names: bool,
    not_names: Option<Lazy>,
    not_after: Option<Lazy>,
}

impl FollowedByRe {
    /// Whether hit `h` (skeleton byte range) of the draft `p` is dropped.
    fn drops(&self, p: &Prepared, h: (usize, usize)) -> bool {
        let skel = &p.norm.skel[..];
        let next = h.1 + skel.get(h.1..).map_or(0, |r| r.iter().take_while(|&&b| b == b' ' || b == b'\t').count());
        if next == h.1 || next >= skel.len() {
            return false;
        }
        if self.keep_names && p.looks_like_name(next) && !self.not_names.as_ref().is_some_and(|re| anchored_match(re, skel, next)) {
            return false;
        }
        if let Some(re) = &self.hits {
            if !anchored_match(re, &skel[..h.1], h.0) {
                return false;
            }
        }
        if !anchored_match(&self.patterns, skel, next) || self.except.as_ref().is_some_and(|re| anchored_match(re, skel, next)) {
            return false;
        }
        // last, as the costliest: the clause before the hit
        !self.not_after.as_ref().is_some_and(|re| clause_before(skel, h).is_some_and(|(s, e)| anchored_match(re, &skel[..e], s)))
    }
}

/// A rule regex compiled on first use and shared by every rule field with the same source
/// (concept lexicons make many fields identical). Compiling hundreds of large alternations
/// eagerly was most of the checker's start-up cost; most of them are never needed for a
/// given draft (the engine's literal prefilter skips their rules).
///
/// Two lazy DFAs, each built only if used:
/// - forward (leftmost-first): whole-haystack searches ([`Lazy::find_iter`], `is_match`) for
///   sources without a prefix literal set, for rules the engine's prefilter does not cover (a
///   profile's own rules), for the detectors and profile exceptions; and anchored searches
///   ([`Lazy::find_at`]) for a source with a PREFIX literal set
///   (every match starts with one of its literals, `source::required_literals_kind`), the
///   engine's one Aho-Corasick scan records where those literals occur ([`Starts`]) and the
///   DFA runs anchored at those positions only. Cost ≈ candidates × match length instead of
///   haystack length, and no reverse NFA to compile.
/// - reverse (anchored at a match's end): the start of a whole-haystack match, built on the
///   first such match.
///
/// Neither DFA ever gives up on a search: no quit bytes (ASCII word boundaries only: a
/// Unicode one makes the DFA fail to build, and the meta engine too, see [`check_source`])
/// and no cache-clear minimum; a DFA whose minimum cache exceeds the configured 2 MiB is built
/// with that minimum instead of failing (none of the built-in sources comes near it). So the
/// only source without a DFA is one whose NFA does not build (over the 8 MiB limit, which
/// [`check_source`] reports at an eager load): it never matches, as before with the meta
/// engine's placeholder for a source that did not compile.
#[derive(Clone)]
pub struct Lazy(std::sync::Arc<LazyInner>);

pub struct LazyInner {
    src: String,
    /// whether the forward DFA's unanchored searches skip ahead with a literal prefilter
    /// ([`Lazy::with_prefilter`]: the detectors) instead of stepping through every byte
    prefilter: bool,
    /// the `regex` crate's compile of the source: the reference the tests compare with
    #[cfg(test)]
    re: std::sync::OnceLock<regex::bytes::Regex>,
    /// per view (0 skeleton, 1 profanity): `(prefilter id, slot)` when an engine prefilter
    /// records this source's literal start positions on that view in [`Starts::slots`]`[slot]`
    slot: [std::sync::OnceLock<(u64, u32)>; 2],
    /// per view: `(prefilter id, gate)` when an engine prefilter gates this source on that view
    /// ([`Starts::open`]`[gate]`: false if none of its required literals occurs there)
    gate: [std::sync::OnceLock<(u64, u32)>; 2],
    /// per view: `(prefilter id, slot)` when an engine prefilter records where this source's
    /// REQUIRED literals start on that view (every match contains one), in
    /// [`Starts::slots`]`[slot]`: the whole-view search then runs only over the runs of
    /// [`LazyInner::consumed`] bytes around those positions ([`Lazy::find_in_runs`])
    runs: [std::sync::OnceLock<(u64, u32)>; 2],
    /// the bytes a match of the source can consume (every byte of every literal and class of
    /// its parsed source, look-arounds consume none), as a 256-bit set; computed on the first
    /// [`Lazy::find_in_runs`]
    consumed: std::sync::OnceLock<ByteSet>,
    /// the forward lazy DFA, searched anchored (at prefilter starts) or unanchored (whole view);
    /// None if it does not build (then the source never matches)
    fwd: std::sync::OnceLock<Option<LazyDfa>>,
    /// the reverse lazy DFA that finds where a whole-view match found by `fwd` starts; built
    /// on the first such match only (most fields never match a given draft, and `is_match`
    /// fields never need it). None if it does not build (then the source never matches)
    rev: std::sync::OnceLock<Option<LazyDfa>>,
    /// the parsed source, kept from building `fwd` for a whole-view search until `rev` is built
    /// from it (parsing, `source::parse_direct`, is about a third of compiling a source: measured
    /// 16.8M of parsing against 34.2M of Thompson NFA building on the cold-start bench)
    hir: std::sync::Mutex<Option<regex_syntax::hir::Hir>>,
}

/// A lazy DFA (forward leftmost-first, or reverse match-all; no captures) and a pool of its
/// caches (the engine is used through `&self` and is `Send + Sync`).
struct LazyDfa {
    dfa: std::sync::Arc<regex_automata::hybrid::dfa::DFA>,
    caches: regex_automata::util::pool::Pool<regex_automata::hybrid::dfa::Cache, CacheFn>,
}

type CacheFn = Box<dyn Fn() -> regex_automata::hybrid::dfa::Cache + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// Start positions (skeleton or profanity-view byte offsets, ascending) of the
/// literal occurrences of every position source of one engine prefilter, for one draft.
/// Built by `Prefilter::candidates`; `owner` is that prefilter's id.
pub struct Starts {
    pub(crate) owner: u64,
    /// slot `k`'s positions are `flat[at[k]..at[k + 1]]` (ascending; may repeat a position)
    pub(crate) at: Vec<u32>,
    pub(crate) flat: Vec<u32>,
    /// per gate of the prefilter: whether one of its required literals occurs in its view
    pub(crate) open: Vec<bool>,
    /// per view (0 skeleton, 1 profanity): whether the required-literal slots of the
    /// [`Lazy::find_in_runs`] sources were filled (only for a view of at least
    /// [`Starts::RUNS_MIN_LEN`] bytes; else those sources scan the whole view)
    pub(crate) runs: [bool; 2],
    /// slot of the first required-literal source: a source's registered run index `r`
    /// ([`Lazy::set_runs`]) has its positions in slot `run_base + r`
    pub(crate) run_base: u32,
    /// per view: [`separators`] of the view, computed on the first search that needs them
    pub(crate) seps: [std::sync::OnceLock<Vec<u32>>; 2],
}

impl Starts {
    /// Shortest view (bytes) whose required-literal slots are filled, so that gated fields
    /// search runs around their literals ([`Lazy::find_in_runs`]) instead of the whole view. On
    /// a short view a whole-view scan is cheap (~9 instructions a byte) and the runs cover most
    /// of it: measured with callgrind on the 280-character bench check, the first form of the
    /// runs (on every view, run ends found by walking bytes) cost +15 k instructions a check, the
    /// slot filling and the runs' set-up (docs/performance.md, session 14). The same bound as
    /// [`FieldMemo::MIN_LEN`]; lengths in between were not measured.
    pub(crate) const RUNS_MIN_LEN: usize = 2048;

    /// The positions recorded in slot `k` (ascending, possibly with repeats).
    pub(crate) fn slot(&self, k: u32) -> &[u32] {
        let k = k as usize;
        &self.flat[self.at[k] as usize..self.at[k + 1] as usize]
    }
}

impl Lazy {
    /// A regex for `src` (`regex::bytes` syntax, Unicode off), compiled on its first search.
    /// Not shared through a [`RegexPool`] and not checked: for the crate's own fixed sources
    /// (detectors) and sources already checked with [`check_source`] (profile exceptions).
    /// A source that does not compile never matches.
    pub fn new(src: String) -> Lazy {
        Lazy::build(src, false)
    }

    /// [`Lazy::new`], with the forward DFA's whole-haystack searches skipping ahead to the next
    /// occurrence of one of the source's prefix literals (regex-automata's literal prefilter,
    /// from `Prefilter::from_hir_prefix`, as the meta engine builds for its lazy DFA; none if the
    /// source has no useful prefix set). The same matches, found faster where the prefix
    /// literals are rare: for the detectors (`dob`, `case_ref`: words such as "born",
    /// "reference"). Not for the rule fields: the engine's own prefilter has already found a
    /// literal of the rule before they run, and building a prefilter per source cost more than
    /// it saved there (measured with the meta engine's own prefilter, when the rule fields
    /// still ran on it: first-use compiles 253M → 188M instructions on the cold-start bench
    /// without it, and checks cheaper too).
    pub fn with_prefilter(src: String) -> Lazy {
        Lazy::build(src, true)
    }

    fn build(src: String, prefilter: bool) -> Lazy {
        Lazy(std::sync::Arc::new(LazyInner {
            src,
            prefilter,
            #[cfg(test)]
            re: std::sync::OnceLock::new(),
            slot: Default::default(),
            gate: Default::default(),
            runs: Default::default(),
            consumed: std::sync::OnceLock::new(),
            fwd: std::sync::OnceLock::new(),
            rev: std::sync::OnceLock::new(),
            hir: std::sync::Mutex::new(None),
        }))
    }

    /// The `regex` crate's compile of the source (`RegexBuilder::new(src).unicode(false)
    /// .size_limit(8 << 20)`; the placeholder `[a&&b]`, which never matches, if it does not
    /// compile): the reference every search path here is tested against.
    #[cfg(test)]
    pub fn get(&self) -> &regex::bytes::Regex {
        self.0.re.get_or_init(|| {
            regex::bytes::RegexBuilder::new(&self.0.src)
                .unicode(false)
                .size_limit(8 << 20)
                .build()
                .unwrap_or_else(|_| regex::bytes::Regex::new("[a&&b]").expect("empty class compiles"))
        })
    }

    /// The regex source.
    pub fn src(&self) -> &str {
        &self.0.src
    }

    /// Identity of the shared regex (fields with the same source in one pool share it).
    pub(crate) fn id(&self) -> usize {
        std::sync::Arc::as_ptr(&self.0) as usize
    }

    /// Registers slot `slot` of prefilter `owner` as this source's start positions on `view`
    /// (0 skeleton, 1 profanity). The caller guarantees every match of the source starts with
    /// one of the literals whose occurrences it records there. False if already registered.
    pub(crate) fn set_slot(&self, view: usize, owner: u64, slot: u32) -> bool {
        self.0.slot[view].set((owner, slot)).is_ok()
    }

    /// This source's slot on `view`, if registered by the prefilter `owner`.
    pub(crate) fn slot(&self, view: usize, owner: u64) -> Option<u32> {
        self.0.slot[view].get().filter(|s| s.0 == owner).map(|s| s.1)
    }

    /// Registers gate `gate` of prefilter `owner` for this source on `view`. The caller
    /// guarantees every match of the source contains one of the gate's literals. False if
    /// already registered.
    pub(crate) fn set_gate(&self, view: usize, owner: u64, gate: u32) -> bool {
        self.0.gate[view].set((owner, gate)).is_ok()
    }

    /// Registers required-literal slot `slot` (counted from [`Starts::run_base`]) of prefilter
    /// `owner` as the positions of this source's required literals on `view` (0 skeleton, 1
    /// profanity). The caller guarantees every match of the
    /// source contains, as a substring, one of the literals whose occurrences (every one,
    /// overlapping) it records there, by its start. False if already registered.
    pub(crate) fn set_runs(&self, view: usize, owner: u64, slot: u32) -> bool {
        self.0.runs[view].set((owner, slot)).is_ok()
    }

    /// This source's required-literal slot on `view`, if registered by the prefilter `owner`.
    pub(crate) fn runs_slot(&self, view: usize, owner: u64) -> Option<u32> {
        self.0.runs[view].get().filter(|s| s.0 == owner).map(|s| s.1)
    }

    /// This source's required-literal positions on `view` (`hay`) and the view's separators,
    /// when `starts` filled them ([`Starts::runs`]).
    fn runs_of<'s>(&self, view: usize, starts: &'s Starts, hay: &[u8]) -> Option<(&'s [u32], &'s [u32])> {
        if !starts.runs[view] {
            return None;
        }
        let k = self.runs_slot(view, starts.owner)?;
        Some((starts.slot(starts.run_base + k), starts.seps[view].get_or_init(|| separators(hay))))
    }

    /// False if `starts` (of the prefilter that gates this source on `view`) says none of the
    /// source's required literals occurs in the view: it cannot match there.
    fn may_match(&self, view: usize, starts: Option<&Starts>) -> bool {
        match starts {
            Some(s) => match self.0.gate[view].get() {
                Some(&(owner, g)) if owner == s.owner => s.open[g as usize],
                _ => true,
            },
            None => true,
        }
    }

    fn fwd(&self) -> Option<&LazyDfa> {
        self.fwd_keep(false)
    }

    /// The forward DFA; `keep`: if it is built now, keep the parsed source for [`Lazy::rev`].
    fn fwd_keep(&self, keep: bool) -> Option<&LazyDfa> {
        self.0
            .fwd
            .get_or_init(|| {
                let hir = parse(&self.0.src)?;
                let f = build_dfa(&hir, false, self.0.prefilter);
                if keep && f.is_some() {
                    *self.0.hir.lock().unwrap_or_else(|e| e.into_inner()) = Some(hir);
                }
                f
            })
            .as_ref()
    }

    /// Leftmost-first, non-overlapping matches of the source in `hay` that start at one of
    /// `starts` (byte offsets, ascending, repeats skipped): each found by an anchored forward search at a
    /// start, skipping starts inside the previous match. If every match of the source starts
    /// at one of `starts`, this is exactly `self.get().find_iter(hay)` (each match is
    /// non-empty: it starts with a non-empty literal). `f(start, end)` returns false to stop.
    /// `Err` if the DFA did not build or gave up, or on an empty match (cannot happen for a
    /// prefix-literal source): the caller then searches the whole view. With no `starts` there is
    /// no match and nothing is compiled (`Ok`, `f` never called).
    pub fn find_at(&self, hay: &[u8], starts: &[u32], earliest: bool, mut f: impl FnMut(usize, usize) -> bool) -> Result<(), NoDfa> {
        use regex_automata::{Anchored, Input};
        // no start, no match: answered before the DFA is built (a prefix-literal field none of
        // whose literals is in the draft is never compiled)
        if starts.is_empty() {
            return Ok(());
        }
        let Some(fwd) = self.fwd() else { return Err(NoDfa) };
        let mut cache = fwd.caches.get();
        let (mut next, mut last) = (0usize, usize::MAX);
        for &c in starts {
            let c = c as usize;
            if c < next || c == last || c > hay.len() {
                continue;
            }
            last = c;
            // the whole haystack with a range: the look-behind of `\b{start-half}` sees hay[c - 1]
            let input = Input::new(hay).range(c..).anchored(Anchored::Yes).earliest(earliest);
            match fwd.dfa.try_search_fwd(&mut cache, &input) {
                Ok(Some(m)) if m.offset() > c => {
                    if !f(c, m.offset()) {
                        return Ok(());
                    }
                    next = m.offset();
                }
                Ok(Some(_)) | Err(_) => return Err(NoDfa),
                Ok(None) => {}
            }
        }
        Ok(())
    }

    /// All leftmost-first non-overlapping matches in `hay` (as `find_iter`: skeleton or
    /// profanity-view byte ranges, ascending), written to `out` (cleared first; its capacity is
    /// reused, so a check allocates no vector per field), through the anchored DFA when
    /// `starts` holds this source's start positions on `view` (0 skeleton, 1 profanity).
    /// A gated source whose gate is closed has no match (its regex is not even compiled).
    fn find_all_into(&self, hay: &[u8], view: usize, starts: Option<&Starts>, out: &mut Vec<(usize, usize)>) {
        out.clear();
        if !self.may_match(view, starts) {
            return;
        }
        if let Some(pos) = starts.and_then(|s| self.slot(view, s.owner).map(|k| s.slot(k))) {
            if self
                .find_at(hay, pos, false, |s, e| {
                    out.push((s, e));
                    true
                })
                .is_ok()
            {
                return;
            }
            // the DFA failed part-way: start again on the whole view
            out.clear();
        }
        if let Some((pos, seps)) = starts.and_then(|s| self.runs_of(view, s, hay)) {
            if self.find_in_runs(hay, pos, seps, false, &mut |s, e| {
                out.push((s, e));
                true
            })
            .is_ok()
            {
                return;
            }
            out.clear();
        }
        if self.find_iter_into(hay, out).is_err() {
            // no DFA (the source does not compile): no match
            out.clear();
        }
    }

    /// Every leftmost-first non-overlapping match in the whole of `hay` (byte ranges,
    /// ascending), as the `regex` crate's `find_iter`: [`Lazy::find_iter`], with a source that
    /// does not compile matching nothing.
    pub fn matches(&self, hay: &[u8]) -> Vec<(usize, usize)> {
        self.find_iter(hay).unwrap_or_default()
    }

    /// Whether the source matches anywhere in `hay` (as the `regex` crate's `is_match`;
    /// forward lazy DFA only, stopping at the first match end).
    pub fn is_match_in(&self, hay: &[u8]) -> bool {
        self.is_match(hay, 0, None)
    }

    /// Every leftmost-first non-overlapping match in the whole of `hay` (byte ranges,
    /// ascending), exactly as the `regex` crate's `find_iter` (its meta engine's iteration,
    /// `util::iter::Searcher`, so empty matches are handled alike), with the lazy DFAs the meta
    /// engine would search these regexes with (forward to find a match's end, then reverse
    /// anchored at that end to find its start, as `hybrid::regex::Regex::try_search`) but
    /// compiled lazily: the forward NFA on the first search, the reverse NFA only once a match is
    /// found. `Err` if either DFA does not build (the source does not compile); a search never
    /// gives up (no quit bytes, no cache-clear minimum, see [`Lazy`]).
    pub fn find_iter(&self, hay: &[u8]) -> Result<Vec<(usize, usize)>, NoDfa> {
        let mut v = Vec::new();
        self.find_iter_into(hay, &mut v).map(|()| v)
    }

    /// [`Lazy::find_iter`], appending the matches (byte ranges of `hay`) to `v` instead of
    /// returning a new vector. On `Err`, `v` may hold some of the matches already: the caller
    /// discards them.
    fn find_iter_into(&self, hay: &[u8], v: &mut Vec<(usize, usize)>) -> Result<(), NoDfa> {
        let fwd = self.fwd_keep(true).ok_or(NoDfa)?;
        self.find_iter_span(fwd, hay, 0..hay.len(), &mut |s, e| {
            v.push((s, e));
            true
        })
    }

    /// [`Lazy::find_iter`]'s iteration over `hay[span]` only, with `hay` around it as context
    /// (the look-behind of `\b` and `^` at `span.start` sees `hay[span.start - 1]`, the
    /// look-ahead at `span.end` sees `hay[span.end]`, as regex-automata's searches of a span do):
    /// every leftmost-first non-overlapping match lying inside `span`, ascending, each passed to
    /// `f(start, end)` (byte offsets into `hay`), which returns false to stop. `Err` if a DFA
    /// does not build.
    fn find_iter_span(&self, fwd: &LazyDfa, hay: &[u8], span: std::ops::Range<usize>, f: &mut dyn FnMut(usize, usize) -> bool) -> Result<(), NoDfa> {
        use regex_automata::{util::iter::Searcher, Anchored, Input, Match};
        let mut fc = fwd.caches.get();
        let mut rc = None;
        let anchored = fwd.dfa.get_nfa().is_always_start_anchored();
        let mut it = Searcher::new(Input::new(hay).span(span));
        loop {
            let m = it.try_advance(|input| {
                let Some(end) = fwd.dfa.try_search_fwd(&mut fc, input)? else { return Ok(None) };
                if input.start() == end.offset() || anchored {
                    return Ok(Some(Match::new(end.pattern(), input.start()..end.offset())));
                }
                let Some(rev) = self.rev() else { return Err(regex_automata::MatchError::gave_up(end.offset())) };
                let rc = rc.get_or_insert_with(|| rev.caches.get());
                let back = input.clone().span(input.start()..end.offset()).anchored(Anchored::Yes).earliest(false);
                match rev.dfa.try_search_rev(rc, &back)? {
                    Some(start) => Ok(Some(Match::new(end.pattern(), start.offset()..end.offset()))),
                    None => Err(regex_automata::MatchError::gave_up(end.offset())),
                }
            });
            match m {
                Ok(Some(m)) => {
                    if !f(m.start(), m.end()) {
                        return Ok(());
                    }
                }
                Ok(None) => return Ok(()),
                Err(_) => return Err(NoDfa),
            }
        }
    }

    /// Every leftmost-first non-overlapping match of the source in `hay` (as
    /// [`Lazy::find_iter`]), found by searching only the RUNS around `at`. `at` holds the start
    /// (byte offset, ascending, repeats allowed) of every occurrence in `hay` of every literal of
    /// a set such that each match contains one of them; a run is a maximal stretch of `hay` of
    /// bytes in [`LazyInner::consumed`] (a superset of the bytes a match can consume) holding one
    /// of those positions; `seps` is [`separators`]`(hay)`, the positions of the bytes outside
    /// [`always_consumed`], where runs can end (found by walking `seps`, not the bytes).
    ///
    /// A match consumes only such bytes and contains one of the occurrences, so it lies inside
    /// one run, and every match starting in a run ends in it: each run's matches, searched as a
    /// span of the whole view ([`Lazy::find_iter_span`], look-arounds seeing the bytes around
    /// it), are the whole view's matches there, and the rest of the view has none. Each match
    /// goes to `f(start, end)` in ascending order; `f` returns false to stop. `earliest`: for a
    /// yes/no answer, each run's search stops at the first match end it sees and passes
    /// `(end, end)`. `Err` if a DFA does not build, or on an empty match (none can contain a
    /// non-empty literal; checked when not `earliest`): the caller then searches the whole view.
    /// Without `at` there is no match and nothing is compiled.
    pub(crate) fn find_in_runs(&self, hay: &[u8], at: &[u32], seps: &[u32], earliest: bool, f: &mut dyn FnMut(usize, usize) -> bool) -> Result<(), NoDfa> {
        if at.is_empty() {
            return Ok(());
        }
        let fwd = self.fwd_keep(!earliest).ok_or(NoDfa)?;
        // parsed again on the first runs search (once per source, on a long view only): keeping
        // it from the forward DFA's build cost every compile a walk of the source
        let set = self.0.consumed.get_or_init(|| parse(&self.0.src).map_or(ByteSet([u64::MAX; 4]), |h| ByteSet::consumed_by(&h)));
        // `end`: where the previous run ended (0 before the first); `i`: the first separator at
        // or after the current position
        let (mut end, mut i) = (0usize, 0usize);
        let mut stop = false;
        for &p in at {
            let p = p as usize;
            // inside the previous run, or a byte no match consumes (a literal occurrence there
            // is in no match)
            if p < end || p >= hay.len() || !set.has(hay[p]) {
                continue;
            }
            while i < seps.len() && (seps[i] as usize) < p {
                i += 1;
            }
            // the run's start: just after the nearest separator before `p` that no match
            // consumes, not before the previous run's end (whose own end byte is one of those)
            let mut j = i;
            while j > 0 && seps[j - 1] as usize >= end && set.has(hay[seps[j - 1] as usize]) {
                j -= 1;
            }
            let a = if j > 0 && seps[j - 1] as usize >= end { seps[j - 1] as usize + 1 } else { end };
            // its end: the first separator at or after `p` that no match consumes
            while i < seps.len() && set.has(hay[seps[i] as usize]) {
                i += 1;
            }
            let b = seps.get(i).map_or(hay.len(), |&q| q as usize);
            end = b;
            if earliest {
                let input = regex_automata::Input::new(hay).span(a..b).earliest(true);
                match fwd.dfa.try_search_fwd(&mut fwd.caches.get(), &input) {
                    Ok(Some(m)) => {
                        if !f(m.offset(), m.offset()) {
                            return Ok(());
                        }
                    }
                    Ok(None) => {}
                    Err(_) => return Err(NoDfa),
                }
                continue;
            }
            let mut empty = false;
            self.find_iter_span(fwd, hay, a..b, &mut |s, e| {
                if s == e {
                    empty = true;
                    return false;
                }
                stop = !f(s, e);
                !stop
            })?;
            if empty {
                return Err(NoDfa);
            }
            if stop {
                return Ok(());
            }
        }
        Ok(())
    }

    fn rev(&self) -> Option<&LazyDfa> {
        self.0
            .rev
            .get_or_init(|| {
                let kept = self.0.hir.lock().unwrap_or_else(|e| e.into_inner()).take();
                build_dfa(&kept.or_else(|| parse(&self.0.src))?, true, false)
            })
            .as_ref()
    }

    /// Whether the source matches anywhere in `hay` (as `is_match`), see [`Lazy::find_all_into`].
    fn is_match(&self, hay: &[u8], view: usize, starts: Option<&Starts>) -> bool {
        if !self.may_match(view, starts) {
            return false;
        }
        if let Some(pos) = starts.and_then(|s| self.slot(view, s.owner).map(|k| s.slot(k))) {
            let mut found = false;
            if self.find_at(hay, pos, true, |_, _| {
                found = true;
                false
            })
            .is_ok()
            {
                return found;
            }
        }
        if let Some((pos, seps)) = starts.and_then(|s| self.runs_of(view, s, hay)) {
            let mut found = false;
            if self
                .find_in_runs(hay, pos, seps, true, &mut |_, _| {
                    found = true;
                    false
                })
                .is_ok()
            {
                return found;
            }
        }
        // forward only: whether a match ends anywhere (the `regex` crate's `is_match` answer);
        // no DFA (the source does not compile): no match
        let Some(fwd) = self.fwd() else { return false };
        let input = regex_automata::Input::new(hay).earliest(true);
        matches!(fwd.dfa.try_search_fwd(&mut fwd.caches.get(), &input), Ok(Some(_)))
    }

    /// Whether the source matches anywhere in `hay`, through the forward DFA alone (no
    /// prefilter gate or starts): the whole-view branch of `is_match`, for tests.
    #[cfg(test)]
    pub(crate) fn is_match_whole(&self, hay: &[u8]) -> bool {
        self.is_match(hay, 0, None)
    }

    /// Checks that the source compiles ([`check_source`] with the rules' 8 MiB limit; the
    /// DFAs are still built on first use); the error names `what`.
    fn force(&self, what: &str) -> Result<(), RuleError> {
        check_source(&self.0.src, 8 << 20).map_err(|e| RuleError(format!("{what}: {e}")))
    }
}

/// The matches of the rule fields searched so far in one check, so that a field (a shared
/// [`Lazy`]: concept lexicons and common `near` lists make many rules' fields the same regex)
/// is searched once per check however many rules use it. Keyed by the field's identity and
/// view (0 skeleton, 1 profanity); within a check the haystack of a view and the prefilter's
/// `Starts` are fixed, so a stored result is exactly what searching again would return.
///
/// On only for long drafts ([`FieldMemo::start`]: skeleton of at least [`FieldMemo::MIN_LEN`]
/// bytes): there a repeated whole-view search costs ~10 instructions a byte (measured with
/// callgrind on the 63,206-character bench check: five fields searched twice over the whole
/// view, ~0.63M instructions each time); on a short draft a search costs less than keeping the
/// table, so the memo stays off and every call searches as before.
#[derive(Default)]
pub(crate) struct FieldMemo {
    on: bool,
    /// (field id, view) -> its matches, `flat[a..b]` (skeleton or profanity-view byte ranges,
    /// as [`Lazy::find_all_into`] returns them)
    found: FastMap<(usize, usize), (u32, u32)>,
    flat: Vec<(usize, usize)>,
    /// field id -> whether it matches the skeleton ([`Lazy::is_match`] on view 0)
    matched: FastMap<usize, bool>,
    /// how many searches the memo answered (tests: the memo is actually used)
    #[cfg(test)]
    pub(crate) reused: usize,
}

impl FieldMemo {
    /// Skeleton length (bytes) from which a check memoises its field searches.
    pub(crate) const MIN_LEN: usize = 2048;

    /// Empties the memo for a new check on a skeleton of `skel_len` bytes and turns it on if
    /// that is at least [`FieldMemo::MIN_LEN`] (keeps the tables' capacity).
    pub(crate) fn start(&mut self, skel_len: usize) {
        self.on = skel_len >= FieldMemo::MIN_LEN;
        self.found.clear();
        self.flat.clear();
        self.matched.clear();
    }

    /// `re.find_all_into(hay, view, starts, out)`, answered from the memo when `re` was
    /// already searched on `view` in this check (then `out` is overwritten with the stored
    /// matches: the same vector contents).
    #[inline]
    fn find_all_into(&mut self, re: &Lazy, hay: &[u8], view: usize, starts: Option<&Starts>, out: &mut Vec<(usize, usize)>) {
        if self.on {
            self.find_all_memo(re, hay, view, starts, out);
        } else {
            re.find_all_into(hay, view, starts, out);
        }
    }

    /// [`FieldMemo::find_all_into`] with the memo on (out of line: a short draft's checks,
    /// memo off, keep the plain call).
    #[inline(never)]
    fn find_all_memo(&mut self, re: &Lazy, hay: &[u8], view: usize, starts: Option<&Starts>, out: &mut Vec<(usize, usize)>) {
        if let Some(&(a, b)) = self.found.get(&(re.id(), view)) {
            #[cfg(test)]
            {
                self.reused += 1;
            }
            out.clear();
            out.extend_from_slice(&self.flat[a as usize..b as usize]);
            return;
        }
        re.find_all_into(hay, view, starts, out);
        let a = self.flat.len() as u32;
        self.flat.extend_from_slice(out);
        self.found.insert((re.id(), view), (a, self.flat.len() as u32));
    }

    /// `re.is_match(skel, 0, starts)`, answered from the memo when `re` was already searched
    /// (by either call) on the skeleton in this check: it matches iff its `find_all` found a
    /// match.
    #[inline]
    fn is_match(&mut self, re: &Lazy, skel: &[u8], starts: Option<&Starts>) -> bool {
        if self.on {
            self.is_match_memo(re, skel, starts)
        } else {
            re.is_match(skel, 0, starts)
        }
    }

    /// [`FieldMemo::is_match`] with the memo on (out of line, as [`FieldMemo::find_all_memo`]).
    #[inline(never)]
    fn is_match_memo(&mut self, re: &Lazy, skel: &[u8], starts: Option<&Starts>) -> bool {
        if let Some(&(a, b)) = self.found.get(&(re.id(), 0)) {
            #[cfg(test)]
            {
                self.reused += 1;
            }
            return b > a;
        }
        #[cfg(test)]
        {
            self.reused += usize::from(self.matched.contains_key(&re.id()));
        }
        *self.matched.entry(re.id()).or_insert_with(|| re.is_match(skel, 0, starts))
    }
}

/// A rule source parsed as the `regex` crate's `bytes::RegexBuilder` with `unicode(false)`
/// parses it (ASCII: `unicode(false)`, `utf8(false)`; regex-syntax's default nesting limit).
/// Sources in the subset [`crate::source::parse_direct`] covers (every built-in one) are built
/// without the regex-syntax parser, to the same HIR; others only in the native build (see
/// [`crate::source::parse`]).
fn parse(src: &str) -> Option<regex_syntax::hir::Hir> {
    crate::source::parse(src)
}

/// [`parse`] through regex-syntax's parser alone: the tests' reference for `parse_direct`.
#[cfg(test)]
fn parse_syntax(src: &str) -> Option<regex_syntax::hir::Hir> {
    regex_automata::util::syntax::parse_with(src, &regex_automata::util::syntax::Config::new().unicode(false).utf8(false)).ok()
}

/// A lazy DFA of a rule source (parsed, see [`parse`]) with the same syntax and match semantics
/// as the `regex` crate's `bytes::Regex` with `unicode(false)` (ASCII, `utf8(false)`, no
/// captures): forward leftmost-first (`reverse` false: anchored and
/// unanchored searches), or reverse match-all with no start-state specialisation (`reverse`
/// true: finds the start of a match whose end the forward DFA found, as the meta engine's
/// reverse lazy DFA, `hybrid::regex::Builder`). The DFA never gives up (no cache-clear minimum;
/// no quit bytes: ASCII word boundaries). `None` if the NFA does not build (over the 8 MiB
/// limit) or has a Unicode word boundary (which the meta engine does not build either).
/// A DFA whose minimum cache exceeds the configured 2 MiB gets that minimum
/// (`skip_cache_capacity_check`) rather than failing, where the meta engine would have used
/// its PikeVM: the same matches. `prefilter` (forward only): unanchored searches skip ahead
/// with the source's prefix-literal prefilter, if it has one (see [`Lazy::with_prefilter`]).
fn build_dfa(hir: &regex_syntax::hir::Hir, reverse: bool, prefilter: bool) -> Option<LazyDfa> {
    use regex_automata::{hybrid::dfa, MatchKind};
    let nfa = match NFA_WRITER.with(|w| w.try_borrow_mut().ok().and_then(|mut w| w.nfa(hir, reverse))) {
        Some(nfa) => nfa,
        None => NFA_COMPILERS.with(|c| c[usize::from(reverse)].build_from_hir(hir).ok())?,
    };
    let kind = if reverse { MatchKind::All } else { MatchKind::LeftmostFirst };
    // a prefilter is consulted at the start states, which must then be tagged (specialised)
    let pre = if prefilter && !reverse { regex_automata::util::prefilter::Prefilter::from_hir_prefix(kind, hir) } else { None };
    let special = pre.is_some();
    let d = dfa::Builder::new()
        .configure(
            dfa::Config::new()
                .match_kind(kind)
                .prefilter(pre)
                .specialize_start_states(special)
                .cache_capacity(2 * (1 << 20))
                .skip_cache_capacity_check(true),
        )
        .build_from_nfa(nfa)
        .ok()?;
    let d = std::sync::Arc::new(d);
    let d2 = d.clone();
    let make: CacheFn = Box::new(move || d2.create_cache());
    Some(LazyDfa { dfa: d, caches: regex_automata::util::pool::Pool::new(make) })
}

thread_local! {
    /// The Thompson NFA compilers of [`build_dfa`], forward (`[0]`) and reverse (`[1]`), kept
    /// per thread: a compiler clears its state builder at the start of every build (the output
    /// depends only on the HIR and the configuration), so reusing one keeps its vectors' capacity
    /// instead of growing fresh ones for each of the ~40 sources a first check compiles.
    static NFA_COMPILERS: [regex_automata::nfa::thompson::Compiler; 2] = [nfa_compiler(false), nfa_compiler(true)];
}

thread_local! {
    /// The [`NfaWriter`] of [`build_dfa`], kept per thread with its vectors' capacity.
    static NFA_WRITER: std::cell::RefCell<NfaWriter> = std::cell::RefCell::new(NfaWriter::new());
}

/// A Thompson NFA state reference: (start, end) state ids, as the compiler's `ThompsonRef`.
type NfaRef = (regex_automata::util::primitives::StateID, regex_automata::util::primitives::StateID);

/// Builds the Thompson NFA of a parsed rule source straight into a `thompson::Builder`, making
/// the same builder calls in the same order as regex-automata 0.4's `thompson::Compiler` does
/// for it (configured as [`nfa_compiler`]: bytes, no captures, unanchored prefix, 8 MiB limit),
/// so the NFA is the same, state for state (`tests::direct_nfa_equals_compiled_nfa_*` compares
/// them on every built-in source and on random patterns, both directions; the one difference
/// in the builder, an empty state for a trie node's union of one alternate, leaves no trace in
/// the NFA). What it saves is
/// the compiler's allocations: the big literal alternations of the concept lexicons go through
/// the compiler's `LiteralTrie`, two growing vectors per trie node plus a frame with two more
/// per node when compiling it (measured: 11M of the 25.6M instructions of compiling the
/// cold-start check's 40 sources were vector growth there); here the trie is two flat arrays
/// kept between builds and each node's transitions a linked list in them. Any HIR outside what
/// the rule syntax produces (a non-ASCII Unicode class) or any build error gives `None`: the
/// caller then runs the compiler, which also reports the error.
struct NfaWriter {
    builder: regex_automata::nfa::thompson::Builder,
    reverse: bool,
    /// trie nodes: (sentinel entry, last entry, last match marker or the sentinel, has transitions)
    trie: Vec<TrieNode>,
    /// trie entries: a transition (`byte` < 256) to `node`, a match marker ([`TRIE_MARK`]) or a
    /// node's sentinel; `link`: the node's next entry ([`TRIE_NONE`] at the end)
    entries: Vec<TrieEntry>,
    /// the sparse transitions of the trie nodes being compiled (a stack, each node above its
    /// parent's part)
    sparse: Vec<regex_automata::nfa::thompson::Transition>,
    /// the union alternates of the trie nodes being compiled (a stack, as `sparse`)
    union: Vec<regex_automata::util::primitives::StateID>,
}

/// A node of [`NfaWriter`]'s literal trie (indices into its entries).
#[derive(Clone, Copy)]
struct TrieNode {
    head: u32,
    tail: u32,
    /// the entry after which the active chunk starts (transitions added since the last match)
    active: u32,
    has_trans: bool,
    has_mark: bool,
}

/// An entry of [`NfaWriter`]'s literal trie.
#[derive(Clone, Copy)]
struct TrieEntry {
    byte: u16,
    node: u32,
    link: u32,
}

/// [`TrieEntry::byte`] of a match marker: the literals ending here come before the transitions
/// after it (leftmost-first priority), as `LiteralTrie`'s chunks.
const TRIE_MARK: u16 = 256;
/// [`TrieEntry::byte`] of a node's first (sentinel) entry.
const TRIE_SENTINEL: u16 = 257;
const TRIE_NONE: u32 = u32::MAX;

impl NfaWriter {
    fn new() -> NfaWriter {
        NfaWriter {
            builder: regex_automata::nfa::thompson::Builder::new(),
            reverse: false,
            trie: Vec::new(),
            entries: Vec::new(),
            sparse: Vec::new(),
            union: Vec::new(),
        }
    }

    /// The NFA of `hir` (forward, or `reverse`), as `thompson::Compiler::build_from_hir` (the
    /// compiler's `compile`: one pattern, an unanchored prefix `(?s-u:.)*?` unless every match
    /// is anchored at the start, the end for a reverse NFA). `None`: see [`NfaWriter`].
    fn nfa(&mut self, hir: &regex_syntax::hir::Hir, reverse: bool) -> Option<regex_automata::nfa::thompson::NFA> {
        use regex_syntax::hir::{Dot, Hir, Look};
        self.reverse = reverse;
        self.sparse.clear();
        self.union.clear();
        let b = &mut self.builder;
        b.clear();
        b.set_utf8(false);
        b.set_reverse(reverse);
        b.set_look_matcher(regex_automata::util::look::LookMatcher::default());
        b.set_size_limit(Some(8 << 20)).ok()?;
        let props = hir.properties();
        let anchored = if reverse { props.look_set_suffix().contains(Look::End) } else { props.look_set_prefix().contains(Look::Start) };
        let prefix = if anchored { self.empty()? } else { self.at_least(&Hir::dot(Dot::AnyByte), false, 0)? };
        self.builder.start_pattern().ok()?;
        let one = self.c(hir)?;
        let m = self.builder.add_match().ok()?;
        self.patch(one.1, m)?;
        self.builder.finish_pattern(one.0).ok()?;
        self.patch(prefix.1, one.0)?;
        self.builder.build(one.0, prefix.0).ok()
    }

    fn patch(&mut self, from: regex_automata::util::primitives::StateID, to: regex_automata::util::primitives::StateID) -> Option<()> {
        self.builder.patch(from, to).ok()
    }

    /// The compiler's `c`: one HIR node.
    fn c(&mut self, h: &regex_syntax::hir::Hir) -> Option<NfaRef> {
        use regex_syntax::hir::{Class, HirKind};
        match h.kind() {
            HirKind::Empty => self.empty(),
            HirKind::Literal(l) => self.literal(&l.0),
            HirKind::Class(Class::Bytes(cls)) => self.class(cls.iter().map(|r| (r.start(), r.end()))),
            // ASCII only (`Hir::alternation` makes one of single-character literals): compiled
            // as its bytes, as the compiler does; any other needs its UTF-8 automata
            HirKind::Class(Class::Unicode(cls)) if cls.is_ascii() => self.class(cls.iter().map(|r| (r.start() as u8, r.end() as u8))),
            HirKind::Class(Class::Unicode(_)) => None,
            HirKind::Look(l) => self.look(*l),
            HirKind::Repetition(r) => match (r.min, r.max) {
                (0, Some(1)) => self.zero_or_one(&r.sub, r.greedy),
                (min, None) => self.at_least(&r.sub, r.greedy, min),
                (min, Some(max)) if min == max => self.exactly(&r.sub, min),
                (min, Some(max)) => self.bounded(&r.sub, r.greedy, min, max),
            },
            // no captures are compiled (`WhichCaptures::None`)
            HirKind::Capture(c) => self.c(&c.sub),
            HirKind::Concat(es) => self.concat(es.len(), |w, k| w.c(&es[k])),
            HirKind::Alternation(es) => self.alternation(es),
        }
    }

    fn empty(&mut self) -> Option<NfaRef> {
        let id = self.builder.add_empty().ok()?;
        Some((id, id))
    }

    fn range(&mut self, b: u8) -> Option<NfaRef> {
        use regex_automata::{nfa::thompson::Transition, util::primitives::StateID};
        let id = self.builder.add_range(Transition { start: b, end: b, next: StateID::ZERO }).ok()?;
        Some((id, id))
    }

    /// The compiler's `c_concat`: `n` items, compiled last to first in a reverse NFA.
    fn concat(&mut self, n: usize, mut item: impl FnMut(&mut NfaWriter, usize) -> Option<NfaRef>) -> Option<NfaRef> {
        if n == 0 {
            return self.empty();
        }
        let rev = self.reverse;
        let at = |k: usize| if rev { n - 1 - k } else { k };
        let (start, mut end) = item(self, at(0))?;
        for k in 1..n {
            let next = item(self, at(k))?;
            self.patch(end, next.0)?;
            end = next.1;
        }
        Some((start, end))
    }

    fn literal(&mut self, bytes: &[u8]) -> Option<NfaRef> {
        self.concat(bytes.len(), |w, k| w.range(bytes[k]))
    }

    /// A class of byte ranges (`c_byte_class`, or `c_unicode_class` of an ASCII class).
    fn class(&mut self, ranges: impl Iterator<Item = (u8, u8)>) -> Option<NfaRef> {
        use regex_automata::nfa::thompson::Transition;
        let end = self.builder.add_empty().ok()?;
        let trans: Vec<Transition> = ranges.map(|(start, e)| Transition { start, end: e, next: end }).collect();
        Some((self.builder.add_sparse(trans).ok()?, end))
    }

    fn look(&mut self, l: regex_syntax::hir::Look) -> Option<NfaRef> {
        use regex_automata::util::{look::Look, primitives::StateID};
        use regex_syntax::hir::Look as H;
        let mut look = match l {
            H::Start => Look::Start,
            H::End => Look::End,
            H::StartLF => Look::StartLF,
            H::EndLF => Look::EndLF,
            H::StartCRLF => Look::StartCRLF,
            H::EndCRLF => Look::EndCRLF,
            H::WordAscii => Look::WordAscii,
            H::WordAsciiNegate => Look::WordAsciiNegate,
            H::WordUnicode => Look::WordUnicode,
            H::WordUnicodeNegate => Look::WordUnicodeNegate,
            H::WordStartAscii => Look::WordStartAscii,
            H::WordEndAscii => Look::WordEndAscii,
            H::WordStartUnicode => Look::WordStartUnicode,
            H::WordEndUnicode => Look::WordEndUnicode,
            H::WordStartHalfAscii => Look::WordStartHalfAscii,
            H::WordEndHalfAscii => Look::WordEndHalfAscii,
            H::WordStartHalfUnicode => Look::WordStartHalfUnicode,
            H::WordEndHalfUnicode => Look::WordEndHalfUnicode,
        };
        if self.reverse {
            look = look.reversed();
        }
        let id = self.builder.add_look(StateID::ZERO, look).ok()?;
        Some((id, id))
    }

    /// An empty union state, preferring its first alternates (`greedy`) or its last.
    fn union(&mut self, greedy: bool, cap: usize) -> Option<regex_automata::util::primitives::StateID> {
        let v = Vec::with_capacity(cap);
        if greedy { self.builder.add_union(v) } else { self.builder.add_union_reverse(v) }.ok()
    }

    fn zero_or_one(&mut self, e: &regex_syntax::hir::Hir, greedy: bool) -> Option<NfaRef> {
        let union = self.union(greedy, 2)?;
        let compiled = self.c(e)?;
        let empty = self.builder.add_empty().ok()?;
        self.patch(union, compiled.0)?;
        self.patch(union, empty)?;
        self.patch(compiled.1, empty)?;
        Some((union, empty))
    }

    fn exactly(&mut self, e: &regex_syntax::hir::Hir, n: u32) -> Option<NfaRef> {
        self.concat(n as usize, |w, _| w.c(e))
    }

    fn at_least(&mut self, e: &regex_syntax::hir::Hir, greedy: bool, n: u32) -> Option<NfaRef> {
        if n == 0 {
            if e.properties().minimum_len().is_some_and(|len| len > 0) {
                let union = self.union(greedy, 2)?;
                let compiled = self.c(e)?;
                self.patch(union, compiled.0)?;
                self.patch(compiled.1, union)?;
                return Some((union, union));
            }
            let compiled = self.c(e)?;
            let plus = self.union(greedy, 2)?;
            self.patch(compiled.1, plus)?;
            self.patch(plus, compiled.0)?;
            let question = self.union(greedy, 2)?;
            let empty = self.builder.add_empty().ok()?;
            self.patch(question, compiled.0)?;
            self.patch(question, empty)?;
            self.patch(plus, empty)?;
            Some((question, empty))
        } else if n == 1 {
            let compiled = self.c(e)?;
            let union = self.union(greedy, 2)?;
            self.patch(compiled.1, union)?;
            self.patch(union, compiled.0)?;
            Some((compiled.0, union))
        } else {
            let prefix = self.exactly(e, n - 1)?;
            let last = self.c(e)?;
            let union = self.union(greedy, 2)?;
            self.patch(prefix.1, last.0)?;
            self.patch(last.1, union)?;
            self.patch(union, last.0)?;
            Some((prefix.0, union))
        }
    }

    fn bounded(&mut self, e: &regex_syntax::hir::Hir, greedy: bool, min: u32, max: u32) -> Option<NfaRef> {
        let prefix = self.exactly(e, min)?;
        if min == max {
            return Some(prefix);
        }
        let empty = self.builder.add_empty().ok()?;
        let mut prev_end = prefix.1;
        for _ in min..max {
            let union = self.union(greedy, 2)?;
            let compiled = self.c(e)?;
            self.patch(prev_end, union)?;
            self.patch(union, compiled.0)?;
            self.patch(union, empty)?;
            prev_end = compiled.1;
        }
        self.patch(prev_end, empty)?;
        Some((prefix.0, empty))
    }

    /// The compiler's `c_alt_slice`: an alternation of two or more literals (and nothing else)
    /// as a trie, else `c_alt_iter`.
    fn alternation(&mut self, es: &[regex_syntax::hir::Hir]) -> Option<NfaRef> {
        use regex_syntax::hir::HirKind;
        let literals = es.iter().filter(|e| matches!(e.kind(), HirKind::Literal(_))).count();
        if literals > 1 && literals == es.len() {
            return self.literal_trie(es);
        }
        let Some(first) = es.first() else {
            let id = self.builder.add_fail().ok()?;
            return Some((id, id));
        };
        let first = self.c(first)?;
        let Some(second) = es.get(1) else { return Some(first) };
        let second = self.c(second)?;
        let union = self.union(true, es.len())?;
        let end = self.builder.add_empty().ok()?;
        self.patch(union, first.0)?;
        self.patch(first.1, end)?;
        self.patch(union, second.0)?;
        self.patch(second.1, end)?;
        for e in &es[2..] {
            let compiled = self.c(e)?;
            self.patch(union, compiled.0)?;
            self.patch(compiled.1, end)?;
        }
        Some((union, end))
    }

    fn trie_node(&mut self) -> u32 {
        let (n, e) = (self.trie.len() as u32, self.entries.len() as u32);
        self.entries.push(TrieEntry { byte: TRIE_SENTINEL, node: 0, link: TRIE_NONE });
        self.trie.push(TrieNode { head: e, tail: e, active: e, has_trans: false, has_mark: false });
        n
    }

    /// `LiteralTrie::get_or_add_state`: the node reached from `from` by `b` within its active
    /// chunk (transitions kept in byte order there), added if new.
    fn trie_step(&mut self, from: u32, b: u8) -> u32 {
        let mut prev = self.trie[from as usize].active;
        let mut cur = self.entries[prev as usize].link;
        while cur != TRIE_NONE && self.entries[cur as usize].byte < u16::from(b) {
            prev = cur;
            cur = self.entries[cur as usize].link;
        }
        if cur != TRIE_NONE && self.entries[cur as usize].byte == u16::from(b) {
            return self.entries[cur as usize].node;
        }
        let node = self.trie_node();
        let e = self.entries.len() as u32;
        self.entries.push(TrieEntry { byte: u16::from(b), node, link: cur });
        self.entries[prev as usize].link = e;
        let f = &mut self.trie[from as usize];
        if cur == TRIE_NONE {
            f.tail = e;
        }
        f.has_trans = true;
        node
    }

    /// `LiteralTrie::State::add_match`: a literal ends at `node` (a match marker closes its
    /// active chunk; none is added to a leaf already marked).
    fn trie_mark(&mut self, node: u32) {
        let n = self.trie[node as usize];
        if !n.has_trans && n.has_mark {
            return;
        }
        let e = self.entries.len() as u32;
        self.entries.push(TrieEntry { byte: TRIE_MARK, node: 0, link: TRIE_NONE });
        self.entries[n.tail as usize].link = e;
        let n = &mut self.trie[node as usize];
        n.tail = e;
        n.active = e;
        n.has_mark = true;
    }

    /// `LiteralTrie` (forward, or reverse: each literal's bytes added last to first) of the
    /// literals `es`, compiled as `LiteralTrie::compile` does.
    fn literal_trie(&mut self, es: &[regex_syntax::hir::Hir]) -> Option<NfaRef> {
        use regex_syntax::hir::HirKind;
        self.trie.clear();
        self.entries.clear();
        self.trie_node();
        for e in es {
            let HirKind::Literal(l) = e.kind() else { return None };
            let mut node = 0;
            if self.reverse {
                for &b in l.0.iter().rev() {
                    node = self.trie_step(node, b);
                }
            } else {
                for &b in l.0.iter() {
                    node = self.trie_step(node, b);
                }
            }
            self.trie_mark(node);
        }
        let end = self.builder.add_empty().ok()?;
        let start = self.trie_compile(0, end)?;
        Some((start, end))
    }

    /// `LiteralTrie::compile` from `node` (depth first): each chunk of its transitions becomes
    /// a range state (one transition) or a sparse state, a match marker an alternate to `end`,
    /// and the node a union of those in order (an empty state to the one alternate if there is
    /// only one: the same NFA); a transition to a leaf goes to `end`.
    fn trie_compile(&mut self, node: u32, end: regex_automata::util::primitives::StateID) -> Option<regex_automata::util::primitives::StateID> {
        use regex_automata::nfa::thompson::Transition;
        let (sb, ub) = (self.sparse.len(), self.union.len());
        let mut e = self.entries[self.trie[node as usize].head as usize].link;
        while e != TRIE_NONE {
            let TrieEntry { byte, node: to, link } = self.entries[e as usize];
            if byte == TRIE_MARK {
                self.trie_chunk(sb)?;
                self.union.push(end);
            } else {
                let next = if self.trie[to as usize].has_trans { self.trie_compile(to, end)? } else { end };
                self.sparse.push(Transition { start: byte as u8, end: byte as u8, next });
            }
            e = link;
        }
        self.trie_chunk(sb)?;
        if self.union.len() == ub + 1 {
            // one alternate (a node on a chain: most of a lexicon's trie): `LiteralTrie` adds a
            // union of one, which `Builder::build` drops as it drops an empty state, pointing
            // its predecessors at the alternate; an empty state ends in the same NFA without the
            // union's vector (nothing patches a trie node after it is added)
            let to = self.union.pop().expect("one alternate");
            let id = self.builder.add_empty().ok()?;
            self.patch(id, to)?;
            return Some(id);
        }
        let alternates: Vec<_> = self.union.drain(ub..).collect();
        self.builder.add_union(alternates).ok()
    }

    /// The pending chunk `self.sparse[sb..]` as a range or sparse state, pushed on `union`.
    fn trie_chunk(&mut self, sb: usize) -> Option<()> {
        let id = match self.sparse.len() - sb {
            0 => return Some(()),
            1 => {
                let t = self.sparse.pop().expect("one transition");
                self.builder.add_range(t).ok()?
            }
            _ => {
                let trans: Vec<_> = self.sparse.drain(sb..).collect();
                self.builder.add_sparse(trans).ok()?
            }
        };
        self.union.push(id);
        Some(())
    }
}

/// A Thompson NFA compiler configured for [`build_dfa`]: bytes (`utf8(false)`), the meta
/// engine's NFA size limit, no captures, no shrinking of reverse NFAs; `reverse` for the
/// reverse NFA.
fn nfa_compiler(reverse: bool) -> regex_automata::nfa::thompson::Compiler {
    use regex_automata::nfa::thompson;
    let mut c = thompson::Compiler::new();
    c.configure(
        thompson::Config::new()
            .utf8(false)
            .nfa_size_limit(Some(8 << 20))
            .shrink(false)
            .reverse(reverse)
            .which_captures(thompson::WhichCaptures::None),
    );
    c
}

/// A set of bytes (256 bits): the bytes a regex source's matches can consume
/// ([`LazyInner::consumed`]).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
pub(crate) struct ByteSet([u64; 4]);

impl ByteSet {
    /// Whether `b` is in the set.
    #[inline]
    pub(crate) fn has(&self, b: u8) -> bool {
        (self.0[usize::from(b >> 6)] >> (b & 63)) & 1 == 1
    }

    fn add_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.0[usize::from(b >> 6)] |= 1 << (b & 63);
        }
    }

    /// Every byte a match of `hir` can consume, and the [`always_consumed`] bytes (a superset
    /// keeps runs exact, and lets them end only at [`separators`]): the bytes of its literals and classes (a
    /// Unicode class: its ASCII members, and every non-ASCII byte if it reaches past ASCII, as
    /// their UTF-8 encodings would). Look-around assertions consume none. A superset is safe
    /// for [`Lazy::find_in_runs`] (longer runs, the same matches).
    pub(crate) fn consumed_by(hir: &regex_syntax::hir::Hir) -> ByteSet {
        use regex_syntax::hir::{Class, HirKind};
        let mut set = ByteSet::default();
        for b in 0..=255u8 {
            if always_consumed(b) {
                set.add_range(b, b);
            }
        }
        let mut stack = vec![hir];
        while let Some(h) = stack.pop() {
            match h.kind() {
                HirKind::Empty | HirKind::Look(_) => {}
                HirKind::Literal(l) => l.0.iter().for_each(|&b| set.add_range(b, b)),
                HirKind::Class(Class::Bytes(c)) => c.iter().for_each(|r| set.add_range(r.start(), r.end())),
                HirKind::Class(Class::Unicode(c)) => {
                    for r in c.iter() {
                        if r.start().is_ascii() {
                            set.add_range(r.start() as u8, (r.end() as u32).min(0x7f) as u8);
                        }
                        if !r.end().is_ascii() {
                            set.add_range(0x80, 0xff);
                        }
                    }
                }
                HirKind::Repetition(r) => stack.push(&r.sub),
                HirKind::Capture(c) => stack.push(&c.sub),
                HirKind::Concat(v) | HirKind::Alternation(v) => stack.extend(v.iter()),
            }
        }
        set
    }
}

/// The bytes [`LazyInner::consumed`] always holds: lower-case ASCII letters, digits and the
/// space, which fill most of a skeleton. Runs ([`Lazy::find_in_runs`]) can then end only at
/// the other bytes (punctuation, other whitespace, the placeholder), whose positions
/// [`separators`] lists once per view.
pub(crate) fn always_consumed(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b' '
}

/// The positions (byte offsets, ascending) of the bytes of `hay` outside [`always_consumed`]:
/// where a run of [`Lazy::find_in_runs`] can end.
pub(crate) fn separators(hay: &[u8]) -> Vec<u32> {
    hay.iter().enumerate().filter(|(_, &b)| !always_consumed(b)).map(|(i, _)| i as u32).collect()
}

/// The lazy-DFA search path ([`Lazy::find_at`], [`Lazy::find_iter`]) could not serve a search:
/// a DFA did not build (the source does not compile) or an anchored search met an empty
/// match. Not a failure of the check: the caller searches the whole view, or (no DFA) the
/// source matches nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoDfa;

/// A `HashMap` with foldhash's fast fixed-seed hasher, for the maps built at start-up from rule
/// data: the regex pool (keys: rule-field sources, up to ~6 KB each) and the prefilter's literal,
/// group and field maps. SipHash (std's default) was a few percent of building the checker. The
/// keys come from the built-in rules or a council's own profile, not from drafts, so hash
/// flooding is no concern. Iteration order differs from std's, so a map using it must not be
/// iterated into an order-dependent result (none is: only lookups, or iteration then a sort).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// Shares [`Lazy`] regexes between rules by source; `eager` checks each source
/// ([`check_source`]) when it is interned (its DFAs are still built on first use).
pub struct RegexPool {
    map: FastMap<String, Lazy>,
    eager: bool,
}

impl RegexPool {
    pub fn new(eager: bool) -> RegexPool {
        RegexPool { map: FastMap::default(), eager }
    }

    /// The pool's (lazily compiled) regex for `src`, for tests: a `Lazy` whose DFAs are not
    /// built yet if `src` is new to the pool.
    #[cfg(test)]
    pub(crate) fn lazy(&mut self, src: &str) -> Lazy {
        let eager = std::mem::replace(&mut self.eager, false);
        let l = self.intern(src.to_string(), &|| "test".to_string()).expect("lazy intern cannot fail");
        self.eager = eager;
        l
    }

    /// The shared regex for `src` (new to the pool: a `Lazy` not compiled yet, unless the pool
    /// is eager). `what` names the field in a compile error; it is called only when the pool
    /// is eager (so a lazy load formats no field names: ~700 rules, several fields each).
    fn intern(&mut self, src: String, what: &dyn Fn() -> String) -> Result<Lazy, RuleError> {
        if let Some(l) = self.map.get(&src) {
            if self.eager {
                l.force(&what())?;
            }
            return Ok(l.clone());
        }
        let l = Lazy::new(src.clone());
        if self.eager {
            l.force(&what())?;
        }
        self.map.insert(src, l.clone());
        Ok(l)
    }
}


/// Expands concept references in every pattern field of a rule spec.
pub fn expand_spec(spec: &mut RuleSpec, concepts: &Concepts) -> Result<(), RuleError> {
    expand_spec_with(spec, &Expander::new(concepts))
}

/// Like [`expand_spec`], sharing `expander`'s remembered concept expansions across rules.
pub fn expand_spec_with(spec: &mut RuleSpec, expander: &Expander) -> Result<(), RuleError> {
    let id = spec.id.clone();
    for_each_pattern_list(spec, |name, v| {
        for (k, p) in v.iter_mut().enumerate() {
            *p = expander.expand(p, &|| format!("rule \"{id}\": {name}[{k}]"))?;
        }
        Ok(())
    })
}

/// Calls `f(name, list)` on every pattern list of a rule spec, in field order, named as errors
/// name them: `patterns`, `except`, `with_any`, `unless_any`, `near.patterns`,
/// `near.unless_followed_by.hits`, …, `also_near[1].patterns`, …, `unless_followed_by.not_after`,
/// `unless_preceded_by.except`. The first error stops the walk and is returned. The one list of
/// pattern fields: concept expansion and a profile's error locations both walk it.
pub fn for_each_pattern_list<E>(spec: &mut RuleSpec, mut f: impl FnMut(&str, &mut Vec<String>) -> Result<(), E>) -> Result<(), E> {
    fn surroundings<E>(
        fb: &mut Option<FollowedBy>,
        pb: &mut Option<PrecededBy>,
        at: &str,
        f: &mut impl FnMut(&str, &mut Vec<String>) -> Result<(), E>,
    ) -> Result<(), E> {
        for (name, v) in fb.iter_mut().flat_map(|x| x.pattern_lists_mut()) {
            f(&format!("{at}unless_followed_by.{name}"), v)?;
        }
        for (name, v) in pb.iter_mut().flat_map(|x| x.pattern_lists_mut()) {
            f(&format!("{at}unless_preceded_by.{name}"), v)?;
        }
        Ok(())
    }
    f("patterns", &mut spec.patterns)?;
    f("except", &mut spec.except)?;
    f("with_any", &mut spec.with_any)?;
    f("unless_any", &mut spec.unless_any)?;
    for (at, n) in [("near.", spec.near.as_mut()), ("unless_near.", spec.unless_near.as_mut())] {
        if let Some(n) = n {
            f(&format!("{at}patterns"), &mut n.patterns)?;
            surroundings(&mut n.unless_followed_by, &mut n.unless_preceded_by, at, &mut f)?;
        }
    }
    for (j, n) in spec.also_near.iter_mut().enumerate() {
        let at = format!("also_near[{j}].");
        f(&format!("{at}patterns"), &mut n.patterns)?;
        surroundings(&mut n.unless_followed_by, &mut n.unless_preceded_by, &at, &mut f)?;
    }
    surroundings(&mut spec.unless_followed_by, &mut spec.unless_preceded_by, "", &mut f)
}


/// Checks that `src` compiles as the `regex` crate's `bytes::RegexBuilder::new(src)
/// .unicode(false).size_limit(size_limit).build()` would, and words an error as it does
/// (`regex::Error`'s `Display`): a syntax error as regex-syntax's message (pattern, caret line,
/// reason); an NFA over `size_limit` bytes (heap, forward NFA with its capture states or the
/// reverse NFA, as the meta engine builds them) as "Compiled regex exceeds size limit of N
/// bytes."; any other NFA error (a Unicode word boundary, which this build cannot match) as the
/// NFA builder words it. `tests::check_source_errors_equal_the_regex_crates` compares the
/// messages with the `regex` crate's. Sources: the rules' (8 MiB, [`RegexPool`] when eager),
/// a profile's own rule patterns (8 MiB) and exceptions (10 MiB, the `regex` crate's default).
///
/// The pattern must be in the syntax [`crate::source::parse_direct`] covers (the subset listed
/// in docs/profile-format.md, "Pattern syntax"; every built-in source is in it): the wasm links
/// no other regex parser. Outside it the error is [`outside_pattern_syntax`]'s; the native build
/// first parses with regex-syntax, so a syntax error there is still worded as the `regex`
/// crate words it (caret line and all), and only a pattern it accepts gets that error. The
/// wasm cannot tell the two apart and gives that error for both.
pub fn check_source(src: &str, size_limit: usize) -> Result<(), String> {
    use regex_automata::nfa::thompson;
    let hir = match crate::source::parse_direct_at(src) {
        Ok(hir) => hir,
        Err(at) => {
            #[cfg(not(target_arch = "wasm32"))]
            regex_automata::util::syntax::parse_with(src, &regex_automata::util::syntax::Config::new().unicode(false).utf8(false))
                .map_err(|e| e.to_string())?;
            return Err(outside_pattern_syntax(src, at));
        }
    };
    let config = thompson::Config::new().utf8(false).nfa_size_limit(Some(size_limit)).shrink(false);
    let nfa_error = |e: thompson::BuildError| match e.size_limit() {
        Some(limit) => format!("Compiled regex exceeds size limit of {limit} bytes."),
        None => "error building NFA".to_string(),
    };
    let fwd = thompson::Compiler::new()
        .configure(config.clone().which_captures(thompson::WhichCaptures::All))
        .build_from_hir(&hir)
        .map_err(nfa_error)?;
    // the meta engine's PikeVM refuses an NFA with a Unicode word boundary when regex-automata
    // is built without Unicode word data, as here ("error building NFA")
    if fwd.look_set_any().available().is_err() {
        return Err("error building NFA".to_string());
    }
    thompson::Compiler::new()
        .configure(config.reverse(true).which_captures(thompson::WhichCaptures::None))
        .build_from_hir(&hir)
        .map_err(nfa_error)?;
    Ok(())
}

/// [`check_source`]'s refusal of `src`, outside the supported syntax (in the wasm, a syntax
/// error as well) from byte offset `at` on ([`crate::source::parse_direct_at`]):
/// [`OUTSIDE_PATTERN_SYNTAX`], where the parser stopped (counted in characters from 1, with
/// the next few characters), then [`PATTERN_SYNTAX_HINT`], e.g. `… at character 4 ("(?i)b")
/// (see …`. Profile loading prefixes it with the rule and field (`rules[0].patterns[1]: bad
/// pattern: …`).
pub fn outside_pattern_syntax(src: &str, at: usize) -> String {
    let column = src.get(..at).map_or(at, |s| s.chars().count()) + 1;
    let next: String = src.get(at..).unwrap_or("").chars().take(12).collect();
    if next.is_empty() {
        format!("{OUTSIDE_PATTERN_SYNTAX} at its end (an unfinished construct) {PATTERN_SYNTAX_HINT}")
    } else {
        format!("{OUTSIDE_PATTERN_SYNTAX} at character {column} ({next:?}) {PATTERN_SYNTAX_HINT}")
    }
}

/// The start of [`outside_pattern_syntax`]'s error.
pub const OUTSIDE_PATTERN_SYNTAX: &str = "not in the pattern syntax postcheck supports";

/// The end of [`outside_pattern_syntax`]'s error: what the syntax leaves out, and where to look.
pub const PATTERN_SYNTAX_HINT: &str = "(see \"Pattern syntax\" in docs/profile-format.md: \
     no inline flags such as (?i), named groups, [[:alpha:]] or nested classes, class operators &&, --, ~~, \
     \\p{..}, \\x{..} above 7f or non-ASCII characters); `postcheck profile validate` shows any syntax error";

fn compile(pool: &mut RegexPool, parts: &[String], word: bool, what: &dyn Fn() -> String) -> Result<Lazy, RuleError> {
    pool.intern(source(parts, word), what)
}

fn compile_opt(pool: &mut RegexPool, parts: &[String], what: &dyn Fn() -> String) -> Result<Option<Lazy>, RuleError> {
    if parts.is_empty() {
        Ok(None)
    } else {
        compile(pool, parts, true, what).map(Some)
    }
}


/// A draft prepared for matching.
#[derive(Default)]
pub struct Prepared<'a> {
    /// The draft as typed (spans are reported in its UTF-16 code units).
    pub text: &'a str,
    /// Its skeleton (`norm.skel`, bytes) with the offset maps back to `text`.
    pub norm: Normalized,
    /// The profanity view of the skeleton (`Normalized::profanity_view`): bytes, the same length
    /// and offsets as `norm.skel`, identifiers masked; what `profanity_view` fields match on.
    pub prof: Vec<u8>,
    /// Identifiers found before the profanity pass (skeleton byte ranges; see [`Ident`]).
    pub idents: Vec<Ident>,
    /// `word_no[i]`: number of word starts in `skel[..=i]`.
    pub word_no: Vec<u32>,
}

impl<'a> Prepared<'a> {
    /// Normalises `text`, runs the detectors, builds the profanity view and word index.
    pub fn new(text: &'a str, det: &crate::detectors::Detectors) -> Prepared<'a> {
        Prepared::new_in(text, det, Prepared::default())
    }

    /// [`Prepared::new`] reusing the vectors of `spare` (a previous draft's, see
    /// [`Prepared::recycle`]; its contents are discarded): the same result without allocating
    /// when their capacity suffices.
    pub fn new_in(text: &'a str, det: &crate::detectors::Detectors, spare: Prepared<'_>) -> Prepared<'a> {
        let norm = Normalized::new_in(text, spare.norm);
        let mut idents = det.find_all_in(&norm.skel, spare.idents);
        crate::detectors::person_names_into(text, &norm, &mut idents);
        crate::detectors::scorn_emoji_into(text, &norm, &mut idents);
        // identifiers are masked in the profanity view (their digits are not leetspeak); a
        // repeated sentence and a given name are words, read there as any other, and an
        // eye-roll or clown is an emoji's placeholder there as in the skeleton
        let masks = idents.iter().filter(|i| !matches!(i.kind, Detector::Repetition | Detector::PersonName | Detector::EyeRoll | Detector::Clown)).map(|i| (i.start, i.end));
        let prof = norm.profanity_view_in(masks, spare.prof);
        let mut word_no = spare.word_no;
        word_no.clear();
        // one `extend` over the skeleton (exact length: no capacity test per byte) with a
        // branch-free count: a push per byte behind a branch was ~20 instructions a byte
        let mut count = 0u32;
        let mut prev_word = false;
        word_no.extend(norm.skel.iter().map(|&b| {
            // `\w`: an ASCII letter, digit or `_`
            let w = crate::normalize::BYTE_CLASS[usize::from(b)] & (crate::normalize::ALNUM | crate::normalize::UNDERSCORE) != 0;
            count += u32::from(w & !prev_word);
            prev_word = w;
            count
        }));
        Prepared { text, norm, prof, idents, word_no }
    }

    /// This draft's vectors, detached from its text, for [`Prepared::new_in`] to reuse.
    pub fn recycle(self) -> Prepared<'static> {
        let Prepared { norm, prof, idents, word_no, .. } = self;
        Prepared { text: "", norm, prof, idents, word_no }
    }

    /// Whether some range of `others` is within `within` words of `h` (`word_gap(h, o) <=
    /// within`, as `others.iter().any(..)` over them all). `others` must be a field's matches as
    /// [`Lazy::find_all_into`] returns them: ascending starts, non-overlapping, so their ends
    /// ascend too. Then only three places can hold the closest range: the last range starting
    /// before `h` (the gap to a range before `h` shrinks as its end grows), the ranges starting
    /// where `h` does, and the first range starting after `h` (the gap to a range after `h` grows
    /// with its start): a binary search instead of a scan of every match per hit (a long draft's
    /// `near` lists hold hundreds of matches, each hit scanned them all).
    fn near_any(&self, h: (usize, usize), others: &[(usize, usize)], within: u32) -> bool {
        let lo = others.partition_point(|o| o.0 < h.0);
        let hi = lo + others[lo..].partition_point(|o| o.0 <= h.0);
        let before = lo.checked_sub(1).map(|i| &others[i..=i]).unwrap_or(&[]);
        let after = others.get(hi..(hi + 1).min(others.len())).unwrap_or(&[]);
        before.iter().chain(&others[lo..hi]).chain(after).any(|o| self.word_gap(h, *o) <= within)
    }

    /// Whether the input word at skeleton byte `at` is written as a name: an ASCII capital
    /// followed by an ASCII small letter ("Gary", "Siân"; not "GARY", "I", "x"). ASCII only, so
    /// the wasm carries no Unicode case tables: "Łukasz" or "Émile" is not recognised.
    fn looks_like_name(&self, at: usize) -> bool {
        let Some(&s8) = self.norm.start8.get(at) else { return false };
        let b = self.text.as_bytes();
        let s8 = s8 as usize;
        b.get(s8).is_some_and(u8::is_ascii_uppercase) && b.get(s8 + 1).is_some_and(u8::is_ascii_lowercase)
    }

    /// Words between two skeleton ranges (0 if they overlap or touch).
    fn word_gap(&self, a: (usize, usize), b: (usize, usize)) -> u32 {
        let (first, second) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        if second.0 < first.1 || self.word_no.is_empty() {
            return 0;
        }
        let last = self.word_no.len() - 1;
        let e = self.word_no[first.1.saturating_sub(1).min(last)];
        let s = self.word_no[second.0.min(last)];
        s.saturating_sub(e).saturating_sub(1)
    }
}

/// Whether the hit `h` overlaps one of `others` (an empty hit counts as one byte), as
/// `others.iter().any(|x| x.0 < h.1.max(h.0 + 1) && h.0 < x.1)`, for `others` as
/// [`Lazy::find_all_into`] returns them (ascending starts, non-overlapping, so ascending ends):
/// of the ranges starting before the hit's end, the last one ends furthest, so it alone decides.
fn overlaps_any(h: (usize, usize), others: &[(usize, usize)]) -> bool {
    let n = others.partition_point(|x| x.0 < h.1.max(h.0 + 1));
    n > 0 && h.0 < others[n - 1].1
}

impl Rule {
    /// Compiles a rule spec. `lexicons` are the file's word lists.
    pub fn compile(spec: RuleSpec, lexicons: &BTreeMap<String, Vec<String>>) -> Result<Rule, RuleError> {
        Rule::compile_in(spec, lexicons, &mut RegexPool::new(true))
    }

    /// Like [`Rule::compile`], with regexes interned in `pool` (compiled there now if the pool
    /// is eager, else on first use).
    pub fn compile_in(spec: RuleSpec, lexicons: &BTreeMap<String, Vec<String>>, pool: &mut RegexPool) -> Result<Rule, RuleError> {
        let id = spec.id.clone();
        let e = |m: String| RuleError(format!("rule \"{id}\": {m}"));
        let n_triggers = usize::from(!spec.patterns.is_empty())
            + usize::from(spec.detector.is_some())
            + usize::from(spec.lexicon.is_some())
            + usize::from(spec.attachments);
        if n_triggers != 1 {
            return Err(e("needs exactly one trigger: patterns, detector, lexicon or attachments".into()));
        }
        for (k, f) in spec.flags.iter().enumerate() {
            if !FLAG_NAMES.contains(&f.replace('-', "_").as_str()) {
                return Err(e(format!("flags[{k}]: unknown flag \"{f}\"")));
            }
        }
        if spec.message.trim().is_empty() {
            return Err(e("message: must not be empty".into()));
        }
        let trigger = if let Some(d) = &spec.detector {
            Trigger::Detector(Detector::from_name(d).ok_or_else(|| e(format!("detector: unknown detector \"{d}\"")))?)
        } else if let Some(l) = &spec.lexicon {
            let words = lexicons.get(l).ok_or_else(|| e(format!("lexicon: unknown lexicon \"{l}\"")))?;
            // an entry with non-ASCII letters is folded as the draft is (the skeleton: accents
            // stripped, look-alikes mapped; `+` and `,` kept), so a council's `crachàch` matches
            // `crachach` and `CRACHÀCH` alike; ASCII entries (every built-in one) as written
            let fold = |w: &str| String::from_utf8_lossy(&crate::normalize::Normalized::new(w).skel).into_owned();
            let pats: Vec<String> = words.iter().map(|w| if w.is_ascii() { disguise_pattern(w) } else { disguise_pattern(&fold(w)) }).collect();
            Trigger::Regex { re: compile(pool, &pats, true, &|| format!("rule \"{id}\": lexicon"))?, profanity_view: true }
        } else if spec.attachments {
            Trigger::Attachments
        } else {
            let profanity_view = match spec.view.as_deref() {
                None | Some("skeleton") => false,
                Some("profanity") => true,
                Some(v) => return Err(e(format!("view: unknown view \"{v}\""))),
            };
            Trigger::Regex {
                re: compile(pool, &spec.patterns, spec.word, &|| format!("rule \"{id}\": patterns"))?,
                profanity_view,
            }
        };
        let near = match &spec.near {
            Some(n) => Some((
                compile(pool, &n.patterns, true, &|| format!("rule \"{id}\": near"))?,
                n.within,
                Surroundings::compile(pool, &n.unless_followed_by, &n.unless_preceded_by, &id, "near.")?,
            )),
            None => None,
        };
        let unless_near = match &spec.unless_near {
            Some(n) => Some((
                compile(pool, &n.patterns, true, &|| format!("rule \"{id}\": unless_near"))?,
                n.within,
                Surroundings::compile(pool, &n.unless_followed_by, &n.unless_preceded_by, &id, "unless_near.")?,
            )),
            None => None,
        };
        let mut also_near = Vec::new();
        for (j, n) in spec.also_near.iter().enumerate() {
            also_near.push((
                compile(pool, &n.patterns, true, &|| format!("rule \"{id}\": also_near[{j}]"))?,
                n.within,
                Surroundings::compile(pool, &n.unless_followed_by, &n.unless_preceded_by, &id, &format!("also_near[{j}]."))?,
            ));
        }
        let surroundings = Surroundings::compile(pool, &spec.unless_followed_by, &spec.unless_preceded_by, &id, "")?;
        Ok(Rule {
            also_near,
            surroundings,
            except: compile_opt(pool, &spec.except, &|| format!("rule \"{id}\": except"))?,
            with_any: compile_opt(pool, &spec.with_any, &|| format!("rule \"{id}\": with_any"))?,
            unless_any: compile_opt(pool, &spec.unless_any, &|| format!("rule \"{id}\": unless_any"))?,
            near,
            unless_near,
            trigger,
            spec,
        })
    }

    /// The regexes of the rule's other *required* conditions (`near`, each `also_near`,
    /// `with_any`), all run on the skeleton: each must match somewhere for the rule to fire.
    pub(crate) fn required_fields(&self) -> Vec<&Lazy> {
        let mut v: Vec<&Lazy> = self.near.iter().map(|l| &l.0).collect();
        v.extend(self.also_near.iter().map(|l| &l.0));
        v.extend(self.with_any.iter());
        v
    }

    /// The trigger's regex and whether it runs on the profanity view, for a regex trigger (the
    /// engine's one-pass trigger prefilter reads its literals).
    pub(crate) fn trigger_field(&self) -> Option<(&Lazy, bool)> {
        match &self.trigger {
            Trigger::Regex { re, profanity_view } => Some((re, *profanity_view)),
            _ => None,
        }
    }

    /// Whether the rule's own conditions (modes, flags, election window) hold in `ctx`.
    pub fn applies(&self, ctx: &Context) -> bool {
        if let Some(m) = &self.spec.modes {
            if !m.contains(&ctx.mode) {
                return false;
            }
        }
        if !self.spec.flags.iter().all(|f| ctx.flags.has(f)) {
            return false;
        }
        !self.spec.election_window || ctx.in_election_window()
    }

    /// Every regex field of the rule with the view it runs on (0 skeleton, 1 profanity): the
    /// trigger, `except`, `near`, each `also_near`, `with_any`, `unless_any`, `unless_near`.
    /// The engine's prefilter records start positions for those with a prefix literal set.
    pub(crate) fn regex_fields(&self) -> Vec<(&Lazy, usize)> {
        let mut v = Vec::new();
        if let Trigger::Regex { re, profanity_view, .. } = &self.trigger {
            v.push((re, usize::from(*profanity_view)));
        }
        v.extend(self.except.iter().map(|l| (l, 0)));
        v.extend(self.near.iter().map(|l| (&l.0, 0)));
        v.extend(self.also_near.iter().map(|l| (&l.0, 0)));
        v.extend(self.with_any.iter().map(|l| (l, 0)));
        v.extend(self.unless_any.iter().map(|l| (l, 0)));
        v.extend(self.unless_near.iter().map(|l| (&l.0, 0)));
        v
    }

    /// Skeleton byte ranges where the rule fires in `p` (conditions in `ctx` included).
    /// Attachments hits are the empty range `(0, 0)`. Every regex field scans the whole view
    /// (lazy DFAs, [`Lazy::find_iter`]); see [`Rule::hits_with`] for the engine's faster path,
    /// same result.
    pub fn hits(&self, p: &Prepared, ctx: &Context) -> Vec<(usize, usize)> {
        self.hits_with(p, None, ctx)
    }

    /// [`Rule::hits`], with `starts` the literal start positions the engine's prefilter
    /// recorded for `p`: a field registered there is searched anchored at those positions only
    /// ([`Lazy::find_at`]); the others scan the whole view. The result is the same either way.
    pub fn hits_with(&self, p: &Prepared, starts: Option<&Starts>, ctx: &Context) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        if self.applies(ctx) {
            self.hits_into(p, starts, ctx, &mut hits, &mut Vec::new(), &mut FieldMemo::default());
        }
        hits
    }

    /// [`Rule::hits_with`] for a caller that has already checked [`Rule::applies`] (the
    /// engine does, before its cheaper per-category tests): the rule's hits (skeleton byte
    /// ranges, ascending; `(0, 0)` for an attachments hit) are written to `hits`, cleared first.
    /// `others` is working space for the other fields' matches (its contents on return are
    /// meaningless). Both keep their capacity, so the engine reuses them across rules and checks
    /// instead of allocating a vector per rule and per field.
    ///
    /// `memo` holds the matches of the fields already searched in this check (see
    /// [`FieldMemo`]): a field shared by several rules is searched once per check.
    pub(crate) fn hits_into(
        &self,
        p: &Prepared,
        starts: Option<&Starts>,
        ctx: &Context,
        hits: &mut Vec<(usize, usize)>,
        others: &mut Vec<(usize, usize)>,
        memo: &mut FieldMemo,
    ) {
        hits.clear();
        let skel = &p.norm.skel[..];
        match &self.trigger {
            Trigger::Attachments => {
                if ctx.attachments {
                    hits.push((0, 0));
                }
            }
            Trigger::Detector(d) => hits.extend(p.idents.iter().filter(|i| i.kind == *d).map(|i| (i.start, i.end))),
            Trigger::Regex { re, profanity_view, .. } => {
                let (hay, view) = if *profanity_view { (&p.prof[..], 1) } else { (skel, 0) };
                memo.find_all_into(re, hay, view, starts, hits);
                hits.retain(|m| m.1 > m.0);
            }
        }
        if hits.is_empty() {
            return;
        }
        if let Some(re) = &self.unless_any {
            if memo.is_match(re, skel, starts) {
                hits.clear();
                return;
            }
        }
        if let Some(re) = &self.with_any {
            if !memo.is_match(re, skel, starts) {
                hits.clear();
                return;
            }
        }
        if let Some(re) = &self.except {
            memo.find_all_into(re, skel, 0, starts, others);
            hits.retain(|h| !overlaps_any(*h, others));
        }
        if let Some((re, within, sur)) = &self.near {
            memo.find_all_into(re, skel, 0, starts, others);
            sur.filter(p, others);
            hits.retain(|h| p.near_any(*h, others, *within));
        }
        for (re, within, sur) in &self.also_near {
            if hits.is_empty() {
                break;
            }
            memo.find_all_into(re, skel, 0, starts, others);
            sur.filter(p, others);
            hits.retain(|h| p.near_any(*h, others, *within));
        }
        if let Some((re, within, sur)) = &self.unless_near {
            memo.find_all_into(re, skel, 0, starts, others);
            sur.filter(p, others);
            hits.retain(|h| !p.near_any(*h, others, *within));
        }
        if !self.surroundings.is_empty() {
            hits.retain(|h| !self.surroundings.drops(p, *h));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Prepared::near_any` and `overlaps_any` answer exactly as the scans they replace (every
    /// range of `others` tried), on random drafts' word indexes and random match lists shaped as
    /// `Lazy::find_all_into` returns them (ascending, non-overlapping, empty ranges included),
    /// with random hits (empty ones included) and distances.
    #[test]
    fn near_any_and_overlaps_any_equal_the_full_scans() {
        let mut next = crate::testing::xorshift_below(0x2545_f491_4f6c_dd1d);
        let det = crate::detectors::Detectors::new();
        let words = ["a", "manager", "the", "  ", ",", "x1", "boss", "!"];
        let (mut near_true, mut overlap_true) = (0, 0);
        for round in 0..3000 {
            let text: String = (0..next(40)).map(|_| words[next(words.len())]).collect::<Vec<_>>().join(if round % 3 == 0 { "" } else { " " });
            let p = Prepared::new(&text, &det);
            let len = p.norm.skel.len();
            let mut others = Vec::new();
            let mut at = 0;
            while at <= len && next(4) != 0 {
                let s = at + next(6);
                if s > len {
                    break;
                }
                let e = (s + next(8)).min(len);
                others.push((s, e));
                at = if e == s { e + 1 } else { e };
            }
            for _ in 0..10 {
                let s = next(len + 1);
                let h = (s, (s + next(6)).min(len));
                let within = next(4) as u32;
                let full = others.iter().any(|o| p.word_gap(h, *o) <= within);
                assert_eq!(p.near_any(h, &others, within), full, "{text:?} h {h:?} within {within} others {others:?}");
                near_true += usize::from(full);
                let full = others.iter().any(|x| x.0 < h.1.max(h.0 + 1) && h.0 < x.1);
                assert_eq!(overlaps_any(h, &others), full, "{text:?} h {h:?} others {others:?}");
                overlap_true += usize::from(full);
            }
        }
        assert!(near_true > 1000 && overlap_true > 1000, "{near_true} {overlap_true}");
    }

    /// `unless_followed_by`: a hit is dropped by the word right after it (spaces or tabs only in
    /// between), unless `except` matches there, a capitalised next word keeps it with
    /// `keep_names`, and `hits` limits the test to the hits it matches in full.
    #[test]
    fn unless_followed_by_looks_at_the_next_word_only() {
        let det = crate::detectors::Detectors::new();
        let rule = |fb: &str| {
            let json = format!(
                r#"{{"id": "t.fb", "category": "bullying", "message": "m", "patterns": ["lazy", "idiot"], "unless_followed_by": {fb}}}"#
            );
            Rule::compile(serde_json::from_str(&json).expect("spec"), &BTreeMap::new()).expect("compiles")
        };
        let fires = |r: &Rule, t: &str| !r.hits(&Prepared::new(t, &det), &Context::new("t")).is_empty();
        let r = rule(r#"{"patterns": ["[a-z]{3,}"], "except": ["manager|git|and"]}"#);
        for t in ["a lazy sunday", "lazy  fog", "lazy\tfog", "an idiot shouting"] {
            assert!(!fires(&r, t), "{t:?}");
        }
        for t in [
            "a lazy manager",        // except
            "lazy and rude",         // except
            "lazy",                  // no next word
            "lazy ",                 // only spaces after it
            "lazy, fog",             // punctuation in between
            "lazy\nfog",             // a newline in between
            "lazy ox",               // under three letters
        ] {
            assert!(fires(&r, t), "{t:?}");
        }
        // `except` is wrapped in word boundaries like every pattern: "git" does not save "gitty"
        assert!(!fires(&r, "lazy gitty"));
        // keep_names: "Sunday" reads as a name, "SUNDAY" does not
        let r = rule(r#"{"patterns": ["[a-z]{3,}"], "keep_names": true}"#);
        assert!(fires(&r, "a lazy Sunday") && fires(&r, "lazy Gary again"));
        assert!(!fires(&r, "a lazy SUNDAY") && !fires(&r, "a lazy sunday"));
        // not_names: "Sunday" is not a name, "Gary" still is
        let r = rule(r#"{"patterns": ["[a-z]{3,}"], "keep_names": true, "not_names": ["sunday"]}"#);
        assert!(!fires(&r, "a lazy Sunday") && fires(&r, "lazy Gary again"));
        // not_after: the whole clause before the hit says the noun phrase is about the subject
        let r = rule(r#"{"patterns": ["[a-z]{3,}"], "not_after": ["(?:[a-z]+ )*is an?"]}"#);
        assert!(fires(&r, "my boss is a lazy slug") && fires(&r, "so, my boss is a lazy slug"));
        assert!(!fires(&r, "my boss loves a lazy lunch") && !fires(&r, "my boss is a, lazy slug") && !fires(&r, "lazy slug"));
        // hits: only "lazy" is tested; "idiot shouting" stays
        let r = rule(r#"{"hits": ["lazy"], "patterns": ["[a-z]{3,}"]}"#);
        assert!(!fires(&r, "lazy fog") && fires(&r, "an idiot shouting"));
        // the hits pattern must match the whole hit, not a prefix of it
        let r = rule(r#"{"hits": ["laz"], "patterns": ["[a-z]{3,}"]}"#);
        assert!(fires(&r, "lazy fog"));
    }

    /// `unless_preceded_by`: a hit is dropped when a pattern matches the WHOLE clause before it
    /// (from the last punctuation or line break, or the draft's start, to the word before the
    /// hit), unless `except` also does; `hits` limits the test as for `unless_followed_by`.
    #[test]
    fn unless_preceded_by_matches_the_whole_clause_before_the_hit() {
        let det = crate::detectors::Detectors::new();
        let json = r#"{"id": "t.pb", "category": "bullying", "message": "m", "patterns": ["lazy", "idiot"],
            "unless_preceded_by": {"hits": ["lazy"], "patterns": ["the [a-z]+ (?:is|was)"], "except": ["the manager is"]}}"#;
        let r = Rule::compile(serde_json::from_str(json).expect("spec"), &BTreeMap::new()).expect("compiles");
        let fires = |t: &str| !r.hits(&Prepared::new(t, &det), &Context::new("t")).is_empty();
        for t in ["the dog is lazy", "Ha. The dog was  lazy", "yes, the dog is lazy", "(the dog is lazy)", "x\nthe dog is lazy"] {
            assert!(!fires(t), "{t:?}");
        }
        for t in [
            "the manager is lazy",        // except
            "so the dog is lazy",         // the clause is "so the dog is": not the whole of it
            "the dog is, lazy",           // nothing before the hit in its clause
            "lazy",                       // the same at the draft's start
            "the dog is idiot",           // `hits` leaves "idiot" alone
            "the dog is (lazy",           // punctuation right before the hit
        ] {
            assert!(fires(t), "{t:?}");
        }
        // a clause longer than the limit keeps the hit
        let long = format!("{} the dog is lazy", "word ".repeat(PrecededBy::MAX_CLAUSE / 5 + 2));
        assert!(fires(&long));
    }

    /// On a `near` field the two filters drop that field's matches: a hit whose only nearby match
    /// is dropped does not fire.
    #[test]
    fn near_fields_filter_their_own_matches() {
        let det = crate::detectors::Detectors::new();
        let json = r#"{"id": "t.nf", "category": "political", "message": "m", "patterns": ["councillor"],
            "near": {"patterns": ["lazy"], "within": 6,
                     "unless_followed_by": {"patterns": ["[a-z]{3,}"], "except": ["git"]},
                     "unless_preceded_by": {"patterns": ["the [a-z]+ was"]}}}"#;
        let r = Rule::compile(serde_json::from_str(json).expect("spec"), &BTreeMap::new()).expect("compiles");
        let fires = |t: &str| !r.hits(&Prepared::new(t, &det), &Context::new("t")).is_empty();
        assert!(fires("the councillor is lazy") && fires("the councillor, a lazy git"));
        assert!(!fires("the councillor loves a lazy lunch") && !fires("the councillor said: the dog was lazy"));
        // one kept match is enough
        assert!(fires("the councillor loves a lazy lunch, lazy git"));
    }

    /// The checker stays shareable across threads with the DFA cache pools in it.
    #[test]
    fn checker_is_send_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Rule>();
        shareable::<Starts>();
        shareable::<crate::Checker>();
    }

    /// Every distinct regex source of the built-in rules (after concept expansion), sorted.
    fn builtin_sources() -> Vec<String> {
        let cats = crate::engine::parse_categories(crate::builtin::CATEGORIES.expect("categories")).expect("categories");
        let mut pool = RegexPool::new(false);
        crate::engine::load_rules_in(crate::builtin::RULE_FILES, crate::builtin::CONCEPTS, &cats, &mut pool).expect("built-in rules");
        let mut srcs: Vec<String> = pool.map.into_keys().collect();
        srcs.sort();
        assert!(srcs.len() > 150, "{}", srcs.len());
        srcs
    }

    /// `source::parse_direct` builds exactly the HIR regex-syntax's parser gives, for every
    /// source of the built-in rules (so `parse` never needs the parser for them).
    #[test]
    fn direct_hir_equals_parsed_hir_for_every_builtin_source() {
        let srcs = builtin_sources();
        for src in &srcs {
            let want = parse_syntax(src).expect("built-in sources parse");
            let got = crate::source::parse_direct(src).unwrap_or_else(|| panic!("outside the direct subset: {src}"));
            assert!(got == want, "direct HIR differs: {src}");
        }
    }

    /// The same on small patterns at the edges of the subset, and `None` (regex-syntax decides)
    /// outside it and on syntax errors.
    #[test]
    fn direct_hir_equals_parsed_hir_at_the_edges() {
        let same = [
            r"abc", r"a|b|c", r"ab|ac", r"(?:ab|ac)d", r"x(?:a|b)y", r"[a-z]+,? \d{1,3},", r"[^a-c\]\-]", r"[]a]", r"[-a]",
            r"[a-]", r"[\w'-]+", r"[\W\d]", r"\S+\s*\D?", r"a{2}b{2,}c{2,5}?d??e*?f+?", r"(a)(?:b(c))", r"(?:)", r"a||b",
            r"\b{start-half}(?:x)\b{end-half}", r"\b\Bx\b{start}y\b{end}", r"^a$|\Ab\z", r"a.b", r"\x41\x{42}\.\*\ \#\&",
            r"\n\t", r"(?:(?:a)|(?:b))", r"(?:foo(?:bar|baz))|(?:foo(?:bar|qux))", r"(?:[a@]+|\*)", r"\b?", r"@\w+",
            // bytes above 0x7f (a lexicon entry's non-ASCII letters, `disguise_pattern`)
            r"\xff", r"caf\xc3+\xa9+", r"[\x80-\xff]", r"[^\xe9a]", r"\xc3?",
        ];
        for p in same {
            let d = crate::source::parse_direct(p).unwrap_or_else(|| panic!("{p}: outside the subset"));
            assert!(Some(&d) == parse_syntax(p).as_ref(), "{p}");
        }
        for p in [r"(?i)a", r"(?P<n>a)", r"[[:alpha:]]", r"[a&&b]", r"a**", r"*a", r"a{2,1}", r"(a", r"a)", r"\e", r"\1", r"\x{ff}", "é", r"\b{x}", r"\pL"] {
            assert!(crate::source::parse_direct(p).is_none(), "{p}");
        }
    }

    const ATOMS: &[&str] = &[
        "a", "b", "ab", "abc", "'", " ", "-", ".", r"\.", r"\-", r"\w", r"\d", r"\s", r"\W", r"\S", r"\b", r"\B",
        r"\b{start-half}", r"\b{end-half}", r"\x41", r"\x{62}", r"\n", "[a-c]", "[^a]", r"[\w'-]", "[]a]", "[a-]",
        r"[\d.]", "^", "$", "#", "&", "~", "%",
    ];
    const JUNK: &[&str] = &[")", "]", "}", "{", "*", "|", r"\", "[", "(", "é", r"\e", "[a&&b]", r"\<", "[c-a]"];
    const QUANTS: &[&str] = &["", "", "", "", "", "", "?", "*", "+", "{2}", "{1,3}", "{0,}", "??", "*?", "{2,1}", "{,2}", "**"];
    /// A random pattern over the direct parser's subset, with some stray metacharacters and
    /// syntax outside it (`next(n)`: a pseudo-random number below `n`).
    fn random_pattern(next: &mut impl FnMut(usize) -> usize, depth: u32) -> String {
        let mut out = String::new();
        for _ in 0..next(5) + 1 {
            match next(10) {
                0 | 1 if depth < 4 => {
                    let open = ["(?:", "(", "(?i:"][next(3).min(next(3)).min(next(3))];
                    out.push_str(open);
                    out.push_str(&random_pattern(next, depth + 1));
                    out.push(')');
                }
                2 => out.push('|'),
                3 if next(4) == 0 => out.push_str(JUNK[next(JUNK.len())]),
                _ => out.push_str(ATOMS[next(ATOMS.len())]),
            }
            out.push_str(QUANTS[next(QUANTS.len())]);
        }
        out
    }

    /// Random patterns over the subset (and some stray metacharacters): whenever
    /// `parse_direct` answers, regex-syntax parses the pattern to the same HIR; where
    /// regex-syntax rejects a pattern, `parse_direct` does too. Profile rules can hold any
    /// pattern the eager load accepts, not only the built-in ones.
    #[test]
    fn direct_hir_agrees_with_the_parser_on_random_patterns() {
        let mut next = crate::testing::xorshift_below(0x2545_f491_4f6c_dd1d);
        let (mut direct, mut rejected) = (0, 0);
        for _ in 0..40000 {
            let p = random_pattern(&mut next, 0);
            let want = parse_syntax(&p);
            match crate::source::parse_direct(&p) {
                Some(h) => {
                    direct += 1;
                    assert!(want.as_ref() == Some(&h), "{p}: direct HIR differs from the parser's ({})", if want.is_some() { "parsed" } else { "rejected" });
                }
                None => rejected += usize::from(want.is_none()),
            }
        }
        assert!(direct > 10000 && rejected > 2000, "{direct} built directly, {rejected} rejected by both");
    }

    /// [`check_source`] accepts what the `regex` crate compiles within the supported syntax and
    /// words each refusal as the `regex` crate does (`bytes::RegexBuilder`, Unicode off, the same
    /// size limit): syntax errors of several kinds, a nesting limit, an NFA over the size limit
    /// (both limits used), and every built-in rule source (accepted). A pattern regex-syntax
    /// parses but `parse_direct` does not (inline flags, POSIX and operator classes, non-ASCII
    /// text; a Unicode word boundary, which the `regex` crate refused only when building the
    /// NFA) gets [`OUTSIDE_PATTERN_SYNTAX`].
    #[test]
    fn check_source_errors_equal_the_regex_crates() {
        let regex_says = |src: &str, limit: usize| {
            regex::bytes::RegexBuilder::new(src).unicode(false).size_limit(limit).build().map(|_| ()).map_err(|e| e.to_string())
        };
        let big = format!("(?:{})", (0..3000).map(|i| format!("w{i}x[a-z]{{3,9}}\\d{{2,4}}")).collect::<Vec<_>>().join("|"));
        let deep = format!("{}a{}", "(".repeat(300), ")".repeat(300));
        let (mut refused, mut outside) = (0, 0);
        for src in [
            "a(", "a)", "[z-a]", "x{3,2}", "*a", r"\p{L}", r"\w", "(?u)\\w", "(?P<n>a)(?P<n>b)", r"\k", "a{99999}", "(?<=a)b",
            "é", "[[:alpha:]]", r"\bthe\b", "(?i)straße", "(?u)\\b", r"(?u:\b)x", deep.as_str(), big.as_str(), "[a&&b]", "",
            "(?i)abc", "(?P<n>a)", r"\x{e9}",
        ] {
            for limit in [8 << 20, 10 << 20, 100_000] {
                let want = if let (Err(at), Some(_)) = (crate::source::parse_direct_at(src), parse_syntax(src)) {
                    outside += 1;
                    Err(outside_pattern_syntax(src, at))
                } else {
                    regex_says(src, limit)
                };
                assert_eq!(check_source(src, limit), want, "{src:.80} (limit {limit})");
                refused += usize::from(want.is_err());
            }
        }
        assert!(refused >= 30 && outside >= 3 * 8, "{refused} refusals, {outside} outside the syntax");
        for src in builtin_sources() {
            assert_eq!(check_source(&src, 8 << 20), Ok(()), "{src:.80}");
        }
    }

    /// The refusal of a pattern outside the syntax points at the construct: the character
    /// (from 1, not the byte: `é` is two bytes) where the parser stopped and what follows it;
    /// an unfinished pattern (what the wasm reports for a syntax error at the end) says so.
    #[test]
    fn outside_pattern_syntax_points_at_the_construct() {
        let says = |src: &str| check_source(src, 8 << 20).expect_err(src);
        assert!(says("night(?i)jar").contains(r#"at character 6 ("(?i)jar")"#), "{}", says("night(?i)jar"));
        assert!(says("x[[:alpha:]]").contains(r#"at character 3 ("[:alpha:]]")"#), "{}", says("x[[:alpha:]]"));
        assert!(says("é+x").contains(r#"at character 1 ("é+x")"#), "{}", says("é+x"));
        assert!(says("aé").contains(r#"at character 2 ("é")"#), "{}", says("aé"));
        assert!(says("night(?P<j>jar)").starts_with(&format!("{OUTSIDE_PATTERN_SYNTAX} at character 6 ")));
        assert!(says("night(?P<j>jar)").ends_with(PATTERN_SYNTAX_HINT));
        // a syntax error, as the wasm words it (the native build gives the regex crate's words)
        assert_eq!(outside_pattern_syntax("ab(", 3), format!("{OUTSIDE_PATTERN_SYNTAX} at its end (an unfinished construct) {PATTERN_SYNTAX_HINT}"));
        assert_eq!(crate::source::parse_direct_at("ab("), Err(3));
        assert_eq!(crate::source::parse_direct_at("a)b"), Err(1));
    }

    #[test]
    fn disguise() {
        let re = regex::bytes::RegexBuilder::new(&format!(r"\b{}\b", disguise_pattern("shit+e,ty,s"))).unicode(false).build().unwrap();
        for t in ["shit", "sh*t", "shiiit", "s h i t", "shite", "s.h.i.t"] {
            assert!(re.is_match(t.as_bytes()), "{t}");
        }
        for t in ["shitterton", "shiitake", "matsushita", "this hit"] {
            assert!(!re.is_match(t.as_bytes()), "{t}");
        }
    }

    /// The NFA of `hir` from [`NfaWriter`] and from the compiler, as their `Debug` text (every
    /// state, start state and pattern), or `None` from the writer.
    fn both_nfas(w: &mut NfaWriter, hir: &regex_syntax::hir::Hir, reverse: bool) -> (Option<String>, String) {
        let want = nfa_compiler(reverse).build_from_hir(hir).expect("the compiler builds it");
        (w.nfa(hir, reverse).map(|n| format!("{n:?}")), format!("{want:?}"))
    }

    /// [`NfaWriter`] builds the compiler's NFA, state for state, for every source of the
    /// built-in rules, forward and reverse (so `build_dfa` never needs the compiler for them).
    #[test]
    fn direct_nfa_equals_compiled_nfa_for_every_builtin_source() {
        let srcs = builtin_sources();
        let mut w = NfaWriter::new();
        let mut tries = 0;
        for src in &srcs {
            let hir = parse(src).expect("built-in sources parse");
            tries += usize::from(format!("{hir:?}").contains("Alternation"));
            for reverse in [false, true] {
                let (got, want) = both_nfas(&mut w, &hir, reverse);
                assert!(got.as_deref() == Some(want.as_str()), "direct NFA differs (reverse {reverse}): {src}");
            }
        }
        assert!(tries > 100, "{tries}");
    }

    /// The same at the edges: literal alternations with shared prefixes, repeats, prefixes of
    /// other literals before and after them (leftmost-first chunks), lazy and counted
    /// repetitions, anchored sources (no unanchored prefix), looks in both directions, ASCII
    /// Unicode classes (`a|b`); and `None` for a non-ASCII Unicode class (the compiler then
    /// builds it).
    #[test]
    fn direct_nfa_equals_compiled_nfa_at_the_edges() {
        let pats = [
            r"ab|abc|ab|a|b", r"abc|ab|abc|abd|a", r"foo|bar|baz|fo|f|foobar", r"(?:ab|cd)x(?:ef|gh)*?", r"a|b", r"ab|cd|e[fg]",
            r"x(?:ab|ac|a)?y", r"\b{start-half}(?:boss|bosses|bossy)\b{end-half}", r"^ab|^ac", r"^(?:ab|cd)$", r"a{3}b{2,}c{2,5}?d??e*?f+?",
            r"(?:)", r"a||b", r"[^a]x|\By", r"(a)(?:b(c))", r"(?:a*)*b", r"(?:a?)+?", r"(?:|a)*", r"zz|z|zzz|zz", r"\Aab\z", r"[a&&b]",
            r"(?i)Ab|aC", r"\d{1,3}(?:,\d{3})*",
        ];
        let mut w = NfaWriter::new();
        for p in pats {
            let hir = parse_syntax(p).unwrap_or_else(|| panic!("{p} parses"));
            for reverse in [false, true] {
                let (got, want) = both_nfas(&mut w, &hir, reverse);
                assert!(got.as_deref() == Some(want.as_str()), "direct NFA differs (reverse {reverse}): {p}\n{}\n{want}", got.unwrap_or_default());
            }
        }
        use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir};
        let uni = Hir::concat(vec![Hir::literal(*b"a"), Hir::class(Class::Unicode(ClassUnicode::new([ClassUnicodeRange::new('a', '\u{e9}')])))]);
        assert!(w.nfa(&uni, false).is_none());
        // and the writer is still right after giving up half way
        let hir = parse_syntax("ab|ac|b").expect("parses");
        let (got, want) = both_nfas(&mut w, &hir, false);
        assert_eq!(got.as_deref(), Some(want.as_str()));
    }

    /// The same on random patterns over the rule syntax, both directions.
    #[test]
    fn direct_nfa_equals_compiled_nfa_on_random_patterns() {
        let mut next = crate::testing::xorshift_below(0x9e37_79b9_7f4a_7c15);
        let mut w = NfaWriter::new();
        let mut built = 0;
        for _ in 0..6000 {
            let p = random_pattern(&mut next, 0);
            let Some(hir) = parse_syntax(&p) else { continue };
            if nfa_compiler(false).build_from_hir(&hir).is_err() {
                continue;
            }
            for reverse in [false, true] {
                let (got, want) = both_nfas(&mut w, &hir, reverse);
                assert!(got.as_deref() == Some(want.as_str()), "direct NFA differs (reverse {reverse}): {p}");
            }
            built += 1;
        }
        assert!(built > 2000, "{built}");
    }
}
