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
//!   "message": "“{match}” suggests …",    // {match} = the input's words under the span
//!   "examples": {"fire": ["…", {"text": "…", "context": {"mode": "official"}}], "quiet": ["…"]},
//!   "confidence": {"clean": 9, "expected": 2, "other": 1, "precision": 0.21, "gain": 0.9, "demoted": true}
//!                                          // optional; learned, see `Confidence`, docs/rule-confidence.md
//! }
//! ```
//!
//! Patterns are compiled with `regex::bytes` and `unicode(false)`: ASCII only.
//!
//! Matching (same matches either way, see [`Rule::hits_with`]): the engine's prefilter
//! (`prefilter.rs`) scans the draft once with Aho-Corasick for the literals of every rule
//! field. A field whose literal set is a PREFIX set (every match starts with one of them) is
//! searched with a forward-only lazy DFA anchored at those literals' start positions
//! ([`Lazy::find_at`]): leftmost-first, skipping positions inside the previous match, which is
//! `find_iter`'s semantics. Other fields scan the whole view with the meta regex, but a field
//! with a REQUIRED literal set (every match contains one, `source::contained_literals`) is gated:
//! when none of its literals occurs in the view (the same scan), it has no match and is skipped
//! (its regex not even compiled). Ungated fields (no such set: `[a-z]+,? \d{1,3},`, a branch
//! `hr`), a profile's own rules, and [`Rule::hits`] always scan the whole view.

use crate::context::{Context, Mode, FLAG_NAMES};
use crate::detectors::{Detector, Ident};
use crate::normalize::Normalized;
use crate::Severity;
use regex::bytes::RegexBuilder;
use regex_automata::meta::Regex;
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
    near: Option<(Lazy, u32)>,
    with_any: Option<Lazy>,
    unless_any: Option<Lazy>,
    unless_near: Option<(Lazy, u32)>,
    also_near: Vec<(Lazy, u32)>,
}

/// A rule regex compiled on first use and shared by every rule field with the same source
/// (concept lexicons make many fields identical). Compiling hundreds of large alternations
/// eagerly was most of the checker's start-up cost; most of them are never needed for a
/// given draft (the engine's literal prefilter skips their rules).
///
/// Two compiled forms, each built only if used:
/// - the meta regex ([`Lazy::get`]): `find_iter` over the whole haystack (lazy DFA forward and
///   reverse). Used for sources without a prefix literal set, for rules the engine's
///   prefilter does not cover (a profile's own rules), and as the fallback.
/// - a forward-only lazy DFA ([`Lazy::find_at`]): for a source with a PREFIX literal set
///   (every match starts with one of its literals, `source::required_literals_kind`), the
///   engine's one Aho-Corasick scan records where those literals occur ([`Starts`]) and the
///   DFA runs anchored at those positions only. Cost ≈ candidates × match length instead of
///   haystack length, and no reverse NFA or meta strategy to compile.
#[derive(Clone)]
pub struct Lazy(std::sync::Arc<LazyInner>);

pub struct LazyInner {
    src: String,
    re: std::sync::OnceLock<Regex>,
    /// per view (0 skeleton, 1 profanity): `(prefilter id, slot)` when an engine prefilter
    /// records this source's literal start positions on that view in [`Starts::slots`]`[slot]`
    slot: [std::sync::OnceLock<(u64, u32)>; 2],
    /// per view: `(prefilter id, gate)` when an engine prefilter gates this source on that view
    /// ([`Starts::open`]`[gate]`: false if none of its required literals occurs there)
    gate: [std::sync::OnceLock<(u64, u32)>; 2],
    /// the forward lazy DFA, searched anchored (at prefilter starts) or unanchored (whole view);
    /// None if it does not build: the meta regex is used instead
    fwd: std::sync::OnceLock<Option<LazyDfa>>,
    /// the reverse lazy DFA that finds where a whole-view match found by `fwd` starts; built
    /// on the first such match only (most fields never match a given draft, and `is_match`
    /// fields never need it). None if it does not build: the meta regex is used instead
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
}

impl Starts {
    /// The positions recorded in slot `k` (ascending, possibly with repeats).
    pub(crate) fn slot(&self, k: u32) -> &[u32] {
        let k = k as usize;
        &self.flat[self.at[k] as usize..self.at[k + 1] as usize]
    }
}

impl Lazy {
    /// The compiled regex (compiled now if this is its first use). Sources are checked when
    /// the rule is loaded eagerly (`load_rules`; the built-in set by a test), so a compile
    /// error here cannot happen for the built-in data; if it did, the field never matches.
    pub fn get(&self) -> &Regex {
        self.0.re.get_or_init(|| {
            build_regex(&self.0.src).unwrap_or_else(|_| build_regex("[a&&b]").expect("empty class compiles"))
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
                let f = build_dfa(&hir, false);
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
    /// prefix-literal source): the caller then uses the meta regex. With no `starts` there is
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
        if self.find_iter_into(hay, out).is_err() {
            out.clear();
            out.extend(self.get().find_iter(hay).map(|m| (m.start(), m.end())));
        }
    }

    /// Every leftmost-first non-overlapping match in the whole of `hay`, exactly as the meta
    /// regex's `find_iter` (same iteration, `util::iter::Searcher`, so empty matches are handled
    /// alike), with the engine `meta` builds for these regexes (lazy DFA forward to find a
    /// match's end, then reverse anchored at that end to find its start, as
    /// `hybrid::regex::Regex::try_search`) but compiled lazily: the forward NFA on the first
    /// search, the reverse NFA only once a match is found. `Err` if either DFA does not build or
    /// gives up (cannot happen for the ASCII rule sources: no quit bytes, no cache-clear
    /// minimum): the caller then uses the meta regex.
    pub fn find_iter(&self, hay: &[u8]) -> Result<Vec<(usize, usize)>, NoDfa> {
        let mut v = Vec::new();
        self.find_iter_into(hay, &mut v).map(|()| v)
    }

    /// [`Lazy::find_iter`], appending the matches (byte ranges of `hay`) to `v` instead of
    /// returning a new vector. On `Err`, `v` may hold some of the matches already: the caller
    /// discards them.
    fn find_iter_into(&self, hay: &[u8], v: &mut Vec<(usize, usize)>) -> Result<(), NoDfa> {
        use regex_automata::{util::iter::Searcher, Anchored, Input, Match};
        let fwd = self.fwd_keep(true).ok_or(NoDfa)?;
        let mut fc = fwd.caches.get();
        let mut rc = None;
        let anchored = fwd.dfa.get_nfa().is_always_start_anchored();
        let mut it = Searcher::new(Input::new(hay));
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
                Ok(Some(m)) => v.push((m.start(), m.end())),
                Ok(None) => return Ok(()),
                Err(_) => return Err(NoDfa),
            }
        }
    }

    fn rev(&self) -> Option<&LazyDfa> {
        self.0
            .rev
            .get_or_init(|| {
                let kept = self.0.hir.lock().unwrap_or_else(|e| e.into_inner()).take();
                build_dfa(&kept.or_else(|| parse(&self.0.src))?, true)
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
        // forward only: whether a match ends anywhere (the meta regex's `is_match` answer)
        if let Some(fwd) = self.fwd() {
            let input = regex_automata::Input::new(hay).earliest(true);
            if let Ok(m) = fwd.dfa.try_search_fwd(&mut fwd.caches.get(), &input) {
                return m.is_some();
            }
        }
        self.get().is_match(hay)
    }

    /// Whether the source matches anywhere in `hay`, through the forward DFA alone (no
    /// prefilter gate or starts): the whole-view branch of `is_match`, for tests.
    #[cfg(test)]
    pub(crate) fn is_match_whole(&self, hay: &[u8]) -> bool {
        self.is_match(hay, 0, None)
    }

    /// Compiles now; the error names `what`.
    fn force(&self, what: &str) -> Result<(), RuleError> {
        if self.0.re.get().is_some() {
            return Ok(());
        }
        let re = build_regex(&self.0.src).map_err(|e| RuleError(format!("{what}: {e}")))?;
        let _ = self.0.re.set(re);
        Ok(())
    }
}

/// A rule source parsed as [`build_regex`] parses it (ASCII: `unicode(false)`, `utf8(false)`).
/// Sources in the subset [`crate::source::parse_direct`] covers (every built-in one) are built
/// without the regex-syntax parser, to the same HIR.
fn parse(src: &str) -> Option<regex_syntax::hir::Hir> {
    crate::source::parse_direct(src).or_else(|| parse_syntax(src))
}

/// [`parse`] through regex-syntax's parser.
fn parse_syntax(src: &str) -> Option<regex_syntax::hir::Hir> {
    regex_automata::util::syntax::parse_with(src, &regex_automata::util::syntax::Config::new().unicode(false).utf8(false)).ok()
}

/// A lazy DFA of a rule source (parsed, see [`parse`]) with the same syntax and match semantics as [`build_regex`]
/// (ASCII, `utf8(false)`, no captures): forward leftmost-first (`reverse` false: anchored and
/// unanchored searches), or reverse match-all with no start-state specialisation (`reverse`
/// true: finds the start of a match whose end the forward DFA found, as the meta engine's
/// reverse lazy DFA, `hybrid::regex::Builder`). The DFA never gives up (no cache-clear minimum;
/// no quit bytes: ASCII word boundaries).
fn build_dfa(hir: &regex_syntax::hir::Hir, reverse: bool) -> Option<LazyDfa> {
    use regex_automata::{hybrid::dfa, nfa::thompson, MatchKind};
    let nfa = thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(false)
                .nfa_size_limit(Some(8 << 20))
                .shrink(false)
                .reverse(reverse)
                .which_captures(thompson::WhichCaptures::None),
        )
        .build_from_hir(hir)
        .ok()?;
    let kind = if reverse { MatchKind::All } else { MatchKind::LeftmostFirst };
    let d = dfa::Builder::new()
        .configure(dfa::Config::new().match_kind(kind).specialize_start_states(false).cache_capacity(2 * (1 << 20)))
        .build_from_nfa(nfa)
        .ok()?;
    let d = std::sync::Arc::new(d);
    let d2 = d.clone();
    let make: CacheFn = Box::new(move || d2.create_cache());
    Some(LazyDfa { dfa: d, caches: regex_automata::util::pool::Pool::new(make) })
}

/// The lazy-DFA search path ([`Lazy::find_at`], [`Lazy::find_iter`]) could not serve a search:
/// a DFA did not build or gave up. Not a failure of the check: the caller runs the meta regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoDfa;

/// A `HashMap` with foldhash's fast fixed-seed hasher, for the maps built at start-up from rule
/// data: the regex pool (keys: rule-field sources, up to ~6 KB each) and the prefilter's literal,
/// group and field maps. SipHash (std's default) was a few percent of building the checker. The
/// keys come from the built-in rules or a council's own profile, not from drafts, so hash
/// flooding is no concern. Iteration order differs from std's, so a map using it must not be
/// iterated into an order-dependent result (none is: only lookups, or iteration then a sort).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// Shares [`Lazy`] regexes between rules by source; `eager` compiles (and checks) each source
/// when it is first interned.
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
        let l = Lazy(std::sync::Arc::new(LazyInner {
            src: src.clone(),
            re: std::sync::OnceLock::new(),
            slot: Default::default(),
            gate: Default::default(),
            fwd: std::sync::OnceLock::new(),
            rev: std::sync::OnceLock::new(),
            hir: std::sync::Mutex::new(None),
        }));
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
    let ex = |v: &mut Vec<String>, f: &str| -> Result<(), RuleError> {
        for (k, p) in v.iter_mut().enumerate() {
            *p = expander.expand(p, &|| format!("rule \"{id}\": {f}[{k}]"))?;
        }
        Ok(())
    };
    ex(&mut spec.patterns, "patterns")?;
    ex(&mut spec.except, "except")?;
    ex(&mut spec.with_any, "with_any")?;
    ex(&mut spec.unless_any, "unless_any")?;
    if let Some(n) = spec.near.as_mut() {
        ex(&mut n.patterns, "near.patterns")?;
    }
    if let Some(n) = spec.unless_near.as_mut() {
        ex(&mut n.patterns, "unless_near.patterns")?;
    }
    for (j, n) in spec.also_near.iter_mut().enumerate() {
        ex(&mut n.patterns, &format!("also_near[{j}].patterns"))?;
    }
    Ok(())
}


/// Compiles a rule regex: what `regex::bytes::RegexBuilder::new(src).unicode(false)
/// .size_limit(8 << 20)` builds, with the meta engine used directly so its configuration is ours
/// (see `META_PREFILTER`). A compile error is reported as the `regex` crate words it.
fn build_regex(src: &str) -> Result<Regex, regex::Error> {
    let syntax = regex_automata::util::syntax::Config::new().unicode(false).utf8(false);
    let meta = regex_automata::meta::Config::new()
        .nfa_size_limit(Some(8 << 20))
        .hybrid_cache_capacity(2 * (1 << 20))
        .utf8_empty(false)
        .auto_prefilter(META_PREFILTER)
        // only the lazy DFA (and the PikeVM it falls back on) searches: a rule regex is only ever
        // asked for match spans, never captures; measured neutral in instructions, and with the
        // regex crate's perf-onepass/perf-backtrack features off (crate/Cargo.toml) their code
        // leaves the wasm
        .onepass(false)
        .backtrack(false);
    match regex_automata::meta::Builder::new().syntax(syntax).configure(meta).build(src) {
        Ok(re) => Ok(re),
        Err(_) => RegexBuilder::new(src).unicode(false).size_limit(8 << 20).build().map(|_| unreachable_regex()),
    }
}

/// Whether the meta engine extracts its own literal prefilter from each rule regex. Off: the
/// engine's trigger prefilter has already found a required literal before a rule regex runs, and
/// extracting (Extractor, reverse-inner) and building the regex's own prefilter was a third of
/// its compile cost. Matches are the same either way (a prefilter only skips ahead); measured with
/// callgrind: first-use compiles 253M -> 188M instructions on the cold-start bench, and checks got
/// cheaper too (280 chars 397k -> 336k, 63,206 chars 84.9M -> 76.9M).
const META_PREFILTER: bool = false;

fn unreachable_regex() -> Regex {
    Regex::new("[a&&b]").expect("empty class compiles")
}

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
        let idents = det.find_all_in(&norm.skel, spare.idents);
        let masks = idents.iter().filter(|i| i.kind != Detector::Repetition).map(|i| (i.start, i.end));
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
            let pats: Vec<String> = words.iter().map(|w| disguise_pattern(w)).collect();
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
            Some(n) => Some((compile(pool, &n.patterns, true, &|| format!("rule \"{id}\": near"))?, n.within)),
            None => None,
        };
        let unless_near = match &spec.unless_near {
            Some(n) => Some((compile(pool, &n.patterns, true, &|| format!("rule \"{id}\": unless_near"))?, n.within)),
            None => None,
        };
        let mut also_near = Vec::new();
        for (j, n) in spec.also_near.iter().enumerate() {
            also_near.push((compile(pool, &n.patterns, true, &|| format!("rule \"{id}\": also_near[{j}]"))?, n.within));
        }
        Ok(Rule {
            also_near,
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
    /// (meta regex); see [`Rule::hits_with`] for the engine's faster path, same result.
    pub fn hits(&self, p: &Prepared, ctx: &Context) -> Vec<(usize, usize)> {
        self.hits_with(p, None, ctx)
    }

    /// [`Rule::hits`], with `starts` the literal start positions the engine's prefilter
    /// recorded for `p`: a field registered there is searched anchored at those positions only
    /// ([`Lazy::find_at`]); the others scan the whole view. The result is the same either way.
    pub fn hits_with(&self, p: &Prepared, starts: Option<&Starts>, ctx: &Context) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        if self.applies(ctx) {
            self.hits_into(p, starts, ctx, &mut hits, &mut Vec::new());
        }
        hits
    }

    /// [`Rule::hits_with`] for a caller that has already checked [`Rule::applies`] (the
    /// engine does, before its cheaper per-category tests): the rule's hits (skeleton byte
    /// ranges, ascending; `(0, 0)` for an attachments hit) are written to `hits`, cleared first.
    /// `others` is working space for the other fields' matches (its contents on return are
    /// meaningless). Both keep their capacity, so the engine reuses them across rules and checks
    /// instead of allocating a vector per rule and per field.
    pub(crate) fn hits_into(&self, p: &Prepared, starts: Option<&Starts>, ctx: &Context, hits: &mut Vec<(usize, usize)>, others: &mut Vec<(usize, usize)>) {
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
                re.find_all_into(hay, view, starts, hits);
                hits.retain(|m| m.1 > m.0);
            }
        }
        if hits.is_empty() {
            return;
        }
        if let Some(re) = &self.unless_any {
            if re.is_match(skel, 0, starts) {
                hits.clear();
                return;
            }
        }
        if let Some(re) = &self.with_any {
            if !re.is_match(skel, 0, starts) {
                hits.clear();
                return;
            }
        }
        if let Some(re) = &self.except {
            re.find_all_into(skel, 0, starts, others);
            hits.retain(|h| !others.iter().any(|x| x.0 < h.1.max(h.0 + 1) && h.0 < x.1));
        }
        if let Some((re, within)) = &self.near {
            re.find_all_into(skel, 0, starts, others);
            hits.retain(|h| others.iter().any(|o| p.word_gap(*h, *o) <= *within));
        }
        for (re, within) in &self.also_near {
            if hits.is_empty() {
                break;
            }
            re.find_all_into(skel, 0, starts, others);
            hits.retain(|h| others.iter().any(|o| p.word_gap(*h, *o) <= *within));
        }
        if let Some((re, within)) = &self.unless_near {
            re.find_all_into(skel, 0, starts, others);
            hits.retain(|h| !others.iter().any(|o| p.word_gap(*h, *o) <= *within));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checker stays shareable across threads with the DFA cache pools in it.
    #[test]
    fn checker_is_send_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Rule>();
        shareable::<Starts>();
        shareable::<crate::Checker>();
    }

    /// `source::parse_direct` builds exactly the HIR regex-syntax's parser gives, for every
    /// source of the built-in rules (so `parse` never needs the parser for them).
    #[test]
    fn direct_hir_equals_parsed_hir_for_every_builtin_source() {
        let cats = crate::engine::parse_categories(crate::builtin::CATEGORIES.expect("categories")).expect("categories");
        let mut pool = RegexPool::new(false);
        crate::engine::load_rules_in(crate::builtin::RULE_FILES, crate::builtin::CONCEPTS, &cats, &mut pool).expect("built-in rules");
        let mut srcs: Vec<&String> = pool.map.keys().collect();
        srcs.sort();
        assert!(srcs.len() > 150, "{}", srcs.len());
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
        ];
        for p in same {
            let d = crate::source::parse_direct(p).unwrap_or_else(|| panic!("{p}: outside the subset"));
            assert!(Some(&d) == parse_syntax(p).as_ref(), "{p}");
        }
        for p in [r"(?i)a", r"(?P<n>a)", r"[[:alpha:]]", r"[a&&b]", r"a**", r"*a", r"a{2,1}", r"(a", r"a)", r"\e", r"\1", r"\xff", "é", r"\b{x}", r"\pL"] {
            assert!(crate::source::parse_direct(p).is_none(), "{p}");
        }
    }

    /// Random patterns over the subset (and some stray metacharacters): whenever
    /// `parse_direct` answers, regex-syntax parses the pattern to the same HIR; where
    /// regex-syntax rejects a pattern, `parse_direct` does too. Profile rules can hold any
    /// pattern the eager load accepts, not only the built-in ones.
    #[test]
    fn direct_hir_agrees_with_the_parser_on_random_patterns() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const ATOMS: &[&str] = &[
            "a", "b", "ab", "abc", "'", " ", "-", ".", r"\.", r"\-", r"\w", r"\d", r"\s", r"\W", r"\S", r"\b", r"\B",
            r"\b{start-half}", r"\b{end-half}", r"\x41", r"\x{62}", r"\n", "[a-c]", "[^a]", r"[\w'-]", "[]a]", "[a-]",
            r"[\d.]", "^", "$", "#", "&", "~", "%",
        ];
        const JUNK: &[&str] = &[")", "]", "}", "{", "*", "|", r"\", "[", "(", "é", r"\e", "[a&&b]", r"\<", "[c-a]"];
        const QUANTS: &[&str] = &["", "", "", "", "", "", "?", "*", "+", "{2}", "{1,3}", "{0,}", "??", "*?", "{2,1}", "{,2}", "**"];
        fn gen(next: &mut impl FnMut(usize) -> usize, depth: u32) -> String {
            let mut out = String::new();
            for _ in 0..next(5) + 1 {
                match next(10) {
                    0 | 1 if depth < 4 => {
                        let open = ["(?:", "(", "(?i:"][next(3).min(next(3)).min(next(3))];
                        out.push_str(open);
                        out.push_str(&gen(next, depth + 1));
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
        let (mut direct, mut rejected) = (0, 0);
        for _ in 0..40000 {
            let p = gen(&mut next, 0);
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

    #[test]
    fn disguise() {
        let re = RegexBuilder::new(&format!(r"\b{}\b", disguise_pattern("shit+e,ty,s"))).unicode(false).build().unwrap();
        for t in ["shit", "sh*t", "shiiit", "s h i t", "shite", "s.h.i.t"] {
            assert!(re.is_match(t.as_bytes()), "{t}");
        }
        for t in ["shitterton", "shiitake", "matsushita", "this hit"] {
            assert!(!re.is_match(t.as_bytes()), "{t}");
        }
    }
}
