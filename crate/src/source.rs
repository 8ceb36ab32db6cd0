//! Rule-field regex sources and their prefilter literals: pure functions shared by the crate
//! and `build.rs` (which includes this file with `#[path]` to precompute the prefilter literals
//! of the built-in rules, see `engine::Prefilter`). Depends on `std` and `regex_syntax` only.

#![allow(dead_code)] // build.rs uses a subset

use std::collections::BTreeMap;

/// A rule-file error: file, rule id (or index) and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError(pub String);

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Concept lexicons (`crate/rules/lexicons.json`): named lists of regex fragments that rule
/// patterns reference as `{name}` (e.g. `"{insult}"`, `"(?:my|our) {manager}"`).
pub type Concepts = BTreeMap<String, Vec<String>>;

/// Replaces every `{name}` (a lower-case name, not a `{2,}` quantifier) in `pat` by the concept's
/// alternation. Unknown names are an error naming the field.
pub fn expand_concepts(pat: &str, concepts: &Concepts, field: &str) -> Result<String, RuleError> {
    Expander::new(concepts).expand(pat, &|| field.to_string())
}

/// Expands `{name}` concept references like [`expand_concepts`], remembering each concept's
/// expansion, so a rule set that mentions `{criticism}` in forty fields expands it once (at load:
/// this was ~30% of building the built-in checker). Same results and errors as
/// [`expand_concepts`]: a remembered expansion is reused only where its own nesting still fits the
/// depth limit, and errors are never remembered.
pub struct Expander<'c> {
    concepts: &'c Concepts,
    /// concept name -> (expansion, nesting height: 1 + deepest concept reference inside it)
    memo: std::cell::RefCell<std::collections::HashMap<String, (String, u32)>>,
}

/// Deepest nesting of concept references allowed (a deeper one is reported as a likely cycle).
const MAX_DEPTH: u32 = 4;

impl<'c> Expander<'c> {
    pub fn new(concepts: &'c Concepts) -> Expander<'c> {
        Expander { concepts, memo: Default::default() }
    }

    /// `pat` with every concept reference expanded; `field` names the field in an error (called
    /// only on error).
    pub fn expand(&self, pat: &str, field: &dyn Fn() -> String) -> Result<String, RuleError> {
        self.expand_depth(pat, field, 0).map(|(s, _)| s)
    }

    /// The expansion of `pat` at nesting `depth`, and its height (0: no concept reference).
    fn expand_depth(&self, pat: &str, field: &dyn Fn() -> String, depth: u32) -> Result<(String, u32), RuleError> {
        if depth > MAX_DEPTH {
            return Err(RuleError(format!("{}: concept lexicons nested too deeply (a cycle?)", field())));
        }
        let mut out = String::with_capacity(pat.len());
        let mut height = 0;
        let b = pat.as_bytes();
        let mut i = 0;
        let mut lit = 0; // start of the literal run not yet copied
        while i < b.len() {
            if b[i] == b'{' && i + 1 < b.len() && b[i + 1].is_ascii_lowercase() && (i == 0 || b[i - 1] != b'\\') {
                if let Some(len) = pat[i + 1..].find('}') {
                    let name = &pat[i + 1..i + 1 + len];
                    if name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_') {
                        out.push_str(&pat[lit..i]);
                        height = height.max(self.concept(name, field, depth, &mut out)?);
                        i += len + 2;
                        lit = i;
                        continue;
                    }
                }
            }
            i += 1;
        }
        out.push_str(&pat[lit..]);
        Ok((out, height))
    }

    /// Appends the expansion of concept `name` referenced at nesting `depth` to `out`; returns its
    /// height. Remembered expansions are reused when `depth + height` is within the limit, i.e.
    /// exactly when expanding afresh would also succeed.
    fn concept(&self, name: &str, field: &dyn Fn() -> String, depth: u32, out: &mut String) -> Result<u32, RuleError> {
        if let Some((text, h)) = self.memo.borrow().get(name) {
            if depth + h <= MAX_DEPTH {
                out.push_str(text);
                return Ok(*h);
            }
        }
        let words = self
            .concepts
            .get(name)
            .ok_or_else(|| RuleError(format!("{}: unknown concept lexicon \"{{{name}}}\"", field())))?;
        let mut text = String::from("(?:");
        let mut h = 0;
        for (k, w) in words.iter().enumerate() {
            if k > 0 {
                text.push('|');
            }
            let (e, eh) = self.expand_depth(w, field, depth + 1)?;
            text.push_str("(?:");
            text.push_str(&e);
            text.push(')');
            h = h.max(eh);
        }
        text.push(')');
        out.push_str(&text);
        self.memo.borrow_mut().insert(name.to_string(), (text, h + 1));
        Ok(h + 1)
    }
}

/// The regex source a rule field compiles to (alternation, optionally with half word boundaries).
pub fn source(parts: &[String], word: bool) -> String {
    // Half word boundaries: no word character just before / just after the match. Unlike `\b`,
    // this also works for patterns that start or end with punctuation ("@cllr…", "'…'").
    // Written into one string (was a `format!` per part, a join, then a copy: start-up cost).
    let (open, close) = if word { (r"\b{start-half}(?:", r")\b{end-half}") } else { ("", "") };
    let len = open.len() + close.len() + parts.iter().map(|p| p.len() + 5).sum::<usize>();
    let mut s = String::with_capacity(len);
    s.push_str(open);
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            s.push('|');
        }
        s.push_str("(?:");
        s.push_str(p);
        s.push(')');
    }
    s.push_str(close);
    s
}

/// Regex source matching `word` in the profanity view, tolerating repeated letters (`fuuuck`),
/// `*` for inner letters (`f*ck`, `f**k`) and letters spaced by ` `, `.`, `-` or `_` (`s h i t`).
/// Spaces inside the entry are any whitespace. `base+s1,s2` adds optional suffixes.
pub fn disguise_pattern(entry: &str) -> String {
    let (base, suffixes) = match entry.split_once('+') {
        Some((b, s)) => (b, s.split(',').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>()),
        None => (entry, vec![]),
    };
    let base = base.trim().to_ascii_lowercase();
    let words: Vec<&str> = base.split_whitespace().collect();
    let mut joined = Vec::new();
    for w in &words {
        let mut p = String::new();
        for (i, c) in w.bytes().enumerate() {
            let lit = regex_escape_byte(c);
            if c == b'a' {
                p.push_str(if i == 0 { "[a@]+" } else { "(?:[a@]+|\\*)" });
            } else if i == 0 || !c.is_ascii_alphabetic() {
                p.push_str(&format!("{lit}+"));
            } else {
                p.push_str(&format!("(?:{lit}+|[*@])"));
            }
        }
        joined.push(p);
    }
    let joined = joined.join(r"\s+");
    let mut alts = vec![joined];
    if words.len() == 1 && base.len() >= 3 && base.bytes().all(|b| b.is_ascii_alphabetic()) {
        let spaced = base.bytes().map(regex_escape_byte).collect::<Vec<_>>().join(r"[ ._\-]+");
        alts.push(spaced);
    }
    let mut out = format!("(?:{})", alts.join("|"));
    if !suffixes.is_empty() {
        let s = suffixes.iter().map(|s| s.bytes().map(regex_escape_byte).collect::<String>()).collect::<Vec<_>>().join("|");
        out.push_str(&format!("(?:{s})?"));
    }
    out
}

fn regex_escape_byte(c: u8) -> String {
    if c.is_ascii_alphanumeric() {
        (c as char).to_string()
    } else {
        format!("\\x{c:02x}")
    }
}

/// Literals every match of `src` starts with (or, failing that, ends with); None if unbounded.
/// The engine's trigger prefilter: a rule none of whose literals occur cannot fire.
pub fn required_literals(src: &str) -> Option<Vec<Vec<u8>>> {
    required_literals_kind(src).map(|(_, l)| l)
}

/// Like [`required_literals`], with the kind of the set: `true` if every match of `src`
/// STARTS with one of the literals (prefix set: the engine then runs the regex anchored at the
/// literals' occurrences only, see `rules::Lazy`), `false` if every match CONTAINS one (a
/// required set, the better-scored (see [`gate_score`]) of regex-syntax's suffix set and
/// [`contained_literals`]: used as a presence gate, the field cannot match a view in which none
/// occurs). Prefix extraction is tried first.
pub fn required_literals_kind(src: &str) -> Option<(bool, Vec<Vec<u8>>)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = parse(src)?;
    let mut suffix = None;
    for (prefix, kind) in [(true, ExtractKind::Prefix), (false, ExtractKind::Suffix)] {
        let mut ex = Extractor::new();
        ex.kind(kind).limit_class(40).limit_repeat(4).limit_literal_len(12).limit_total(100);
        let mut seq = ex.extract(&hir);
        seq.optimize_for_prefix_by_preference();
        if let Some(lits) = seq.literals() {
            // an empty literal matches everywhere: no use as a filter
            if !lits.is_empty() && lits.iter().all(|l| !l.as_bytes().is_empty()) {
                let lits: Vec<Vec<u8>> = lits.iter().map(|l| l.as_bytes().to_vec()).collect();
                if prefix {
                    return Some((true, lits));
                }
                suffix = Some(lits);
            }
        }
    }
    let contained = contained_literals(&hir);
    match (suffix, contained) {
        (Some(s), Some(c)) => Some((false, if gate_score(&c) > gate_score(&s) { c } else { s })),
        (s, c) => s.or(c).map(|l| (false, l)),
    }
}

/// For a source whose literals are a PREFIX set (see [`required_literals_kind`]): a required
/// set as well (every match contains one of its literals, [`contained_literals`]) when it is
/// rarer than the prefix set, else `None`. Rarer: its shortest literal is longer than the
/// prefix set's shortest (common prefixes are short words such as `the `, `our `, `not `, which
/// occur in most drafts), and none of its literals is one of the prefix literals. The engine
/// gates the field on it as it gates a required-set field: a draft with none of these literals
/// skips the field's anchored searches at its prefix starts (`prefilter::Prefilter`). Literal
/// lengths in bytes.
pub fn prefix_gate_literals(src: &str) -> Option<Vec<Vec<u8>>> {
    let (true, prefix) = required_literals_kind(src)? else { return None };
    let hir = parse(src)?;
    let gate = contained_literals(&hir)?;
    let shortest = |ls: &[Vec<u8>]| ls.iter().map(Vec::len).min().unwrap_or(0);
    (shortest(&gate) > shortest(&prefix) && gate.len() <= PREFIX_GATE_MAX_SET && !gate.iter().any(|g| prefix.contains(g))).then_some(gate)
}

/// Largest required set [`prefix_gate_literals`] adds to a prefix-literal field: every literal
/// is one more pattern in the skeleton view's automaton, built at start-up, and bytes in the
/// build-time table the wasm embeds (measured, callgrind 280-character check and xtask wasm
/// gzip -9, vs main at 241.4 k and 505,936 bytes: at 64, 88 sources gated, 20.4 KB of gate
/// literals, 235.2 k, +9.9 KB (+2.0 %); at 32, 68 sources, 235.2 k, +5.8 KB (+1.15 %); at 16,
/// 44 sources, 240.2 k).
const PREFIX_GATE_MAX_SET: usize = 32;

/// Longest literal kept in a contained-literal set (bytes): a longer one is cut (a substring of
/// a required literal is required too; prefixes keep their start, suffixes their end).
const GATE_MAX_LEN: usize = 16;
/// Shortest literal length from which a set is taken to be selective enough: between two
/// sets whose shortest literals both reach it, the smaller set is preferred (the automaton
/// holding every gate's literals is built at start-up; its cost is about their total length).
const GATE_ENOUGH_LEN: usize = 6;
/// Largest literal set kept (an alternation of concept entries: their union).
const GATE_MAX_SET: usize = 4000;
/// Largest cross product formed when concatenating literal sets.
const GATE_MAX_CROSS: usize = 64;
/// Largest byte class expanded into one-byte literals (`\d` is 10).
const GATE_MAX_CLASS: usize = 10;
/// Shortest literal a presence gate may hold: shorter ones occur in nearly every draft, so the
/// gate would stay open and only add Aho-Corasick matches.
const GATE_MIN_LEN: usize = 3;

/// A set of literals (sorted, deduplicated).
type Lits = Vec<Vec<u8>>;

/// What the literal analysis knows about the strings a regex node matches: `exact`, every
/// string it can match is one of these (a finite language); `pre`/`suf`, every match starts /
/// ends with one of these; `req`, every match contains one of these. `None`: nothing known.
/// (A set holding the empty literal is true but useless as a filter.)
#[derive(Clone, Default)]
struct Facts {
    exact: Option<Lits>,
    pre: Option<Lits>,
    suf: Option<Lits>,
    req: Option<Lits>,
}

impl Facts {
    fn exact(l: Lits) -> Facts {
        Facts { exact: Some(l), ..Facts::default() }
    }
    /// A prefix set: `pre`, or the exact set.
    fn pre_set(&self) -> Option<&Lits> {
        self.exact.as_ref().or(self.pre.as_ref())
    }
    /// A suffix set: `suf`, or the exact set.
    fn suf_set(&self) -> Option<&Lits> {
        self.exact.as_ref().or(self.suf.as_ref())
    }
    /// The best-scored set every match contains a member of (any of the four).
    fn best(&self) -> Option<&Lits> {
        [&self.exact, &self.pre, &self.suf, &self.req]
            .into_iter()
            .flatten()
            .filter(|l| gate_score(l).is_some())
            .max_by_key(|l| gate_score(l))
    }
    /// Applies the size limits: an exact set with a literal over [`GATE_MAX_LEN`] becomes prefix
    /// and suffix sets; literals are cut; a set over [`GATE_MAX_SET`] is dropped.
    fn capped(mut self) -> Facts {
        if let Some(e) = &self.exact {
            if e.len() > GATE_MAX_SET || e.iter().any(|l| l.len() > GATE_MAX_LEN) {
                let e = self.exact.take().expect("checked");
                self.pre = self.pre.or_else(|| Some(e.clone()));
                self.suf = self.suf.or(Some(e));
            }
        }
        let cut = |s: Option<Lits>, keep_end: bool| {
            s.map(|s| {
                norm(s.into_iter().map(|l| if l.len() <= GATE_MAX_LEN { l } else if keep_end { l[l.len() - GATE_MAX_LEN..].to_vec() } else { l[..GATE_MAX_LEN].to_vec() }).collect())
            })
            .filter(|s: &Lits| s.len() <= GATE_MAX_SET)
        };
        self.pre = cut(self.pre, false);
        self.suf = cut(self.suf, true);
        self.req = cut(self.req, false);
        self
    }
}

/// Sorted and deduplicated.
fn norm(s: Lits) -> Lits {
    // through the crate's shared index sort (crate::sort): equal literals are equal bytes, so
    // which copy the dedup keeps does not show
    let mut idx: Vec<u32> = (0..u32::try_from(s.len()).expect("fewer than 2^32 literals")).collect();
    crate::sort::sort_indices_by_bytes(&mut idx, &|i| &s[i as usize]);
    let mut slots: Vec<Option<Vec<u8>>> = s.into_iter().map(Some).collect();
    let mut out: Lits = idx.iter().map(|&i| slots[i as usize].take().expect("each index once")).collect();
    out.dedup();
    out
}

/// Every `x ++ y` for `x` in `a`, `y` in `b`; `None` over [`GATE_MAX_CROSS`] results.
fn cross(a: &Lits, b: &Lits) -> Option<Lits> {
    if a.len().saturating_mul(b.len()) > GATE_MAX_CROSS {
        return None;
    }
    Some(norm(a.iter().flat_map(|x| b.iter().map(move |y| [x.as_slice(), y].concat())).collect()))
}

/// Union of every set; `None` if any is `None`.
fn union<'a>(sets: impl Iterator<Item = Option<&'a Lits>>) -> Option<Lits> {
    let mut out = Vec::new();
    for s in sets {
        out.extend(s?.iter().cloned());
    }
    Some(norm(out))
}

/// How selective a presence gate over `lits` is expected to be: (shortest literal's length, up
/// to [`GATE_ENOUGH_LEN`]; fewer literals; total length the smaller); `None` for an empty set or
/// one holding the empty literal.
pub fn gate_score(lits: &[Vec<u8>]) -> Option<(usize, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>)> {
    let min = lits.iter().map(Vec::len).min()?;
    let total = lits.iter().map(Vec::len).sum();
    (min > 0).then_some((min.min(GATE_ENOUGH_LEN), std::cmp::Reverse(lits.len()), std::cmp::Reverse(total)))
}

/// The literal facts of a regex node (see [`Facts`]), bottom-up.
fn facts(h: &regex_syntax::hir::Hir) -> Facts {
    use regex_syntax::hir::{Class, HirKind};
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Facts::exact(vec![Vec::new()]),
        HirKind::Literal(l) => Facts::exact(vec![l.0.to_vec()]),
        HirKind::Class(c) => {
            let bytes: Option<Vec<u8>> = match c {
                Class::Bytes(b) => {
                    let n: usize = b.ranges().iter().map(|r| usize::from(r.end() - r.start()) + 1).sum();
                    (n <= GATE_MAX_CLASS).then(|| b.iter().flat_map(|r| r.start()..=r.end()).collect())
                }
                Class::Unicode(u) => {
                    let n: usize = u.ranges().iter().map(|r| r.end() as usize - r.start() as usize + 1).sum();
                    (n <= GATE_MAX_CLASS && u.ranges().iter().all(|r| r.end().is_ascii()))
                        .then(|| u.iter().flat_map(|r| r.start() as u8..=r.end() as u8).collect())
                }
            };
            match bytes {
                Some(b) if !b.is_empty() => Facts::exact(b.into_iter().map(|c| vec![c]).collect()),
                _ => Facts::default(),
            }
        }
        HirKind::Capture(c) => facts(&c.sub),
        HirKind::Repetition(r) => {
            let s = facts(&r.sub);
            // a small bounded repetition of a finite language stays finite: union of its powers
            let exact = match (&s.exact, r.max) {
                (Some(e), Some(max)) if max <= 3 => {
                    let mut out: Lits = Vec::new();
                    let mut power: Option<Lits> = Some(vec![Vec::new()]);
                    for k in 0..=max {
                        let Some(p) = &power else { break };
                        if k >= r.min {
                            out.extend(p.iter().cloned());
                        }
                        if k < max {
                            power = cross(p, e);
                        }
                    }
                    power.map(|_| norm(out))
                }
                _ => None,
            };
            if r.min == 0 {
                Facts { exact, ..Facts::default() }.capped()
            } else {
                Facts { exact, pre: s.pre_set().cloned(), suf: s.suf_set().cloned(), req: s.best().cloned() }.capped()
            }
        }
        HirKind::Concat(items) => {
            let mut acc = Facts::exact(vec![Vec::new()]);
            for b in items.iter().map(facts) {
                let a = acc;
                let exact = match (&a.exact, &b.exact) {
                    (Some(x), Some(y)) => cross(x, y),
                    _ => None,
                };
                let pre = match (&a.exact, b.pre_set()) {
                    (Some(x), Some(y)) => cross(x, y).or_else(|| Some(x.clone())),
                    (Some(x), None) => Some(x.clone()),
                    (None, _) => a.pre.clone(),
                };
                let suf = match (a.suf_set(), &b.exact) {
                    (Some(x), Some(y)) => cross(x, y).or_else(|| Some(y.clone())),
                    (None, Some(y)) => Some(y.clone()),
                    (_, None) => b.suf.clone(),
                };
                // required: either side's, or the junction (a's suffix then b's prefix)
                let junction = match (a.suf_set(), b.pre_set()) {
                    (Some(x), Some(y)) => cross(x, y),
                    _ => None,
                };
                let req = [a.best().cloned(), b.best().cloned(), junction]
                    .into_iter()
                    .flatten()
                    .filter(|l| gate_score(l).is_some())
                    .max_by_key(|l| gate_score(l));
                acc = Facts { exact, pre, suf, req }.capped();
            }
            acc
        }
        HirKind::Alternation(items) => {
            let fs: Vec<Facts> = items.iter().map(facts).collect();
            Facts {
                exact: union(fs.iter().map(|f| f.exact.as_ref())),
                pre: union(fs.iter().map(Facts::pre_set)),
                suf: union(fs.iter().map(Facts::suf_set)),
                req: union(fs.iter().map(Facts::best)),
            }
            .capped()
        }
    }
}

/// A finite set of literals such that every match of `hir` contains at least one of them as a
/// substring (a required set), chosen for selectivity ([`gate_score`]); `None` if the analysis
/// finds none whose literals are all at least [`GATE_MIN_LEN`] bytes. A concatenation uses one
/// element's set or the cross product at a junction of a suffix and a prefix set, an
/// alternation the union of its branches' sets, a repetition with `min ≥ 1` its sub's; literals
/// and small classes expand (case-insensitive letters are two-byte classes, as in the prefix
/// extraction). The engine gates a whole-draft field on it (`prefilter::Prefilter`).
pub fn contained_literals(hir: &regex_syntax::hir::Hir) -> Option<Lits> {
    let f = facts(hir);
    let lits = f.best().filter(|l| l.iter().all(|x| x.len() >= GATE_MIN_LEN))?;
    let lits = lits.clone();
    // a literal containing another is redundant (where it occurs, so does the other): dropping
    // it leaves the gate's answer the same on every text
    let mut by_len = lits;
    crate::sort::sort_by_packed_key(&mut by_len, &mut Vec::new(), |l| l.len() as u128);
    let mut kept: Lits = Vec::new();
    for l in by_len {
        if !kept.iter().any(|k| l.windows(k.len()).any(|w| w == k.as_slice())) {
            kept.push(l);
        }
    }
    Some(norm(kept))
}

/// Key of a regex source in the build-time literal table: 64-bit FNV-1a of its bytes.
pub fn source_key(src: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in src.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A rule source parsed with the rule syntax (`unicode(false)`, `utf8(false)`): by
/// [`parse_direct`], which builds the parser's HIR for every source in its subset (every
/// built-in one; a profile's patterns must be in it, `rules::check_source`); `None` outside it.
/// The native build (the CLI, the tests, build.rs) falls back to regex-syntax's parser there; the
/// wasm links no regex parser (regex-syntax's AST parser and translator were ~22 KiB of its
/// gzip).
pub fn parse(src: &str) -> Option<regex_syntax::hir::Hir> {
    let direct = parse_direct(src);
    #[cfg(not(target_arch = "wasm32"))]
    let direct = direct.or_else(|| regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(src).ok());
    direct
}

/// Parses a rule source straight to the HIR that regex-syntax's parser gives for it with the
/// rule syntax (`unicode(false)`, `utf8(false)`, other flags default; `rules::parse`), without
/// building and then translating and dropping an AST: that was ~40% of a cold start's
/// instructions (the first check compiles ~50 KB of sources). Covers the subset the rule
/// files use: ASCII literals and escapes, bracketed classes (ranges, negation, `\d \w \s`
/// and their negations), `.`, `^ $ \A \z`, `\b \B \b{start} \b{end} \b{start-half}
/// \b{end-half}`, groups (non-capturing, and capturing numbered from 1 in order), alternation,
/// and greedy or lazy `? * + {m} {m,} {m,n}`. Each node is built with the constructor the
/// parser's translator calls for it (`Hir::concat`, `Hir::alternation`, `Hir::repetition`,
/// `Hir::class`, …), so the simplifications they make are the same and the result is equal
/// to the parsed HIR (`rules::tests::direct_hir_equals_parsed_hir_for_every_builtin_source`
/// checks every built-in source). `None` for anything outside the subset, including every
/// syntax error, inline flags and non-ASCII text: only the native build then parses with
/// regex-syntax ([`parse`]); a profile pattern outside it is refused (`rules::check_source`).
pub fn parse_direct(src: &str) -> Option<regex_syntax::hir::Hir> {
    parse_direct_at(src).ok()
}

/// [`parse_direct`], saying where it stopped: `Err(offset)` is the byte offset into `src` of
/// the first construct it could not read (outside the subset, or a syntax error there; on a
/// character boundary, at or just before where the parser gave up), for an error message that
/// points at it ([`crate::rules::check_source`]).
pub fn parse_direct_at(src: &str) -> Result<regex_syntax::hir::Hir, usize> {
    let mut p = DirectParser { b: src.as_bytes(), i: 0, caps: 0, depth: 0, lit: Vec::new(), items: Vec::new(), branches: Vec::new() };
    match p.alternation() {
        Some(h) if p.i == p.b.len() => Ok(h),
        _ => Err((0..=p.i.min(src.len())).rev().find(|&i| src.is_char_boundary(i)).unwrap_or(0)),
    }
}

/// State of [`parse_direct`]: the source's bytes, the position, capture groups opened so far,
/// group nesting, and three stacks shared by the nested levels of the parse (a level uses the
/// part above the length it found on entry and truncates back to it before it returns), so a
/// level allocates no growing vector of its own: only the exact-size boxes and vectors of the
/// nodes it builds (at cold start, growing these per level was ~15% of the parse).
struct DirectParser<'a> {
    b: &'a [u8],
    i: usize,
    caps: u32,
    depth: u32,
    /// literal bytes of the concatenations being parsed, not yet made a node
    lit: Vec<u8>,
    /// items of the concatenations being parsed
    items: Vec<regex_syntax::hir::Hir>,
    /// branches of the alternations being parsed
    branches: Vec<regex_syntax::hir::Hir>,
}

/// Deepest group nesting [`parse_direct`] follows (regex-syntax's own limit is 250).
const DIRECT_MAX_DEPTH: u32 = 64;

/// Byte ranges of the ASCII Perl classes `\d`, `\s`, `\w` (as regex-syntax's
/// `hir_ascii_class_bytes`), negated for `\D \S \W`.
fn perl_class(c: u8) -> Option<regex_syntax::hir::ClassBytes> {
    use regex_syntax::hir::{ClassBytes, ClassBytesRange as R};
    let ranges: &[(u8, u8)] = match c.to_ascii_lowercase() {
        b'd' => &[(b'0', b'9')],
        b's' => &[(b'\t', b'\r'), (b' ', b' ')],
        b'w' => &[(b'0', b'9'), (b'A', b'Z'), (b'_', b'_'), (b'a', b'z')],
        _ => return None,
    };
    let mut cls = ClassBytes::new(ranges.iter().map(|&(a, z)| R::new(a, z)));
    if c.is_ascii_uppercase() {
        cls.negate();
    }
    Some(cls)
}

/// An atom of [`DirectParser::atom`]: a literal byte (gathered with its neighbours), or any
/// other node.
enum Atom {
    Byte(u8),
    Hir(regex_syntax::hir::Hir),
}

/// What one escape stands for: a byte, or a Perl class.
enum Escaped {
    Byte(u8),
    Class(regex_syntax::hir::ClassBytes),
}

impl DirectParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Branches separated by `|`, up to the end or a `)`.
    fn alternation(&mut self) -> Option<regex_syntax::hir::Hir> {
        let first = self.concat()?;
        if self.peek() != Some(b'|') {
            return Some(first);
        }
        let base = self.branches.len();
        self.branches.push(first);
        while self.peek() == Some(b'|') {
            self.i += 1;
            match self.concat() {
                Some(h) => self.branches.push(h),
                None => {
                    self.branches.truncate(base);
                    return None;
                }
            }
        }
        let branches: Vec<_> = self.branches.drain(base..).collect();
        Some(regex_syntax::hir::Hir::alternation(branches))
    }

    /// Items (atoms, each with its quantifier) up to `|`, `)` or the end. Consecutive literal
    /// bytes are gathered into one literal as they come (as the translator's literal frames do;
    /// `Hir::concat` would merge them anyway), instead of one allocation per byte. The pending
    /// bytes are `self.lit[lit..]`, the items so far `self.items[base..]`.
    fn concat(&mut self) -> Option<regex_syntax::hir::Hir> {
        let (lit, base) = (self.lit.len(), self.items.len());
        let h = self.concat_at(lit, base);
        self.lit.truncate(lit);
        self.items.truncate(base);
        h
    }

    /// The pending literal `self.lit[lit..]` as an item, if not empty.
    fn flush_lit(&mut self, lit: usize) {
        if self.lit.len() > lit {
            self.items.push(regex_syntax::hir::Hir::literal(&self.lit[lit..]));
            self.lit.truncate(lit);
        }
    }

    /// [`DirectParser::concat`] on the stacks above `lit` and `base` (the caller truncates them
    /// back, also after a `None`).
    fn concat_at(&mut self, lit: usize, base: usize) -> Option<regex_syntax::hir::Hir> {
        use regex_syntax::hir::{Hir, Repetition};
        let mut last_quantified = true; // nothing to quantify yet
        loop {
            match self.peek() {
                None | Some(b'|') | Some(b')') => break,
                Some(q @ (b'?' | b'*' | b'+' | b'{')) => {
                    if last_quantified {
                        return None;
                    }
                    self.i += 1;
                    let (min, max) = match q {
                        b'?' => (0, Some(1)),
                        b'*' => (0, None),
                        b'+' => (1, None),
                        _ => self.counted()?,
                    };
                    let greedy = if self.peek() == Some(b'?') {
                        self.i += 1;
                        false
                    } else {
                        true
                    };
                    // the quantifier takes the last atom: the last literal byte if one is pending
                    let sub = if self.lit.len() > lit {
                        let b = self.lit.pop().expect("pending byte");
                        self.flush_lit(lit);
                        Hir::literal([b])
                    } else if self.items.len() > base {
                        self.items.pop().expect("an item")
                    } else {
                        return None;
                    };
                    self.items.push(Hir::repetition(Repetition { min, max, greedy, sub: Box::new(sub) }));
                    last_quantified = true;
                }
                Some(_) => {
                    match self.atom()? {
                        Atom::Byte(b) => self.lit.push(b),
                        Atom::Hir(h) => {
                            self.flush_lit(lit);
                            self.items.push(h);
                        }
                    }
                    last_quantified = false;
                }
            }
        }
        self.flush_lit(lit);
        // one item: `Hir::concat` would rebuild it unchanged (it is already simplified: no
        // nested concatenation, adjacent literals or empty items), at several allocations
        if self.items.len() == base + 1 {
            return self.items.pop();
        }
        let items: Vec<Hir> = self.items.drain(base..).collect();
        Some(Hir::concat(items))
    }

    /// The bounds of `{m}`, `{m,}`, `{m,n}` (the `{` consumed).
    fn counted(&mut self) -> Option<(u32, Option<u32>)> {
        let min = self.number()?;
        let max = match self.peek()? {
            b'}' => Some(min),
            b',' => {
                self.i += 1;
                if self.peek()? == b'}' {
                    None
                } else {
                    Some(self.number()?)
                }
            }
            _ => return None,
        };
        if self.peek()? != b'}' || max.is_some_and(|m| m < min) {
            return None;
        }
        self.i += 1;
        Some((min, max))
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == start || self.i - start > 4 {
            return None;
        }
        std::str::from_utf8(&self.b[start..self.i]).ok()?.parse().ok()
    }

    /// One atom: a group, a class, `.`, an anchor, an escape or a literal byte.
    fn atom(&mut self) -> Option<Atom> {
        use regex_syntax::hir::{Capture, Class, Dot, Hir, Look};
        let c = self.peek()?;
        self.i += 1;
        Some(Atom::Hir(match c {
            b'(' => {
                let index = if self.b[self.i..].starts_with(b"?:") {
                    self.i += 2;
                    None
                } else if self.peek()? == b'?' {
                    self.i -= 1; // flags, named groups: the error points at the group's `(`
                    return None;
                } else {
                    self.caps += 1;
                    Some(self.caps)
                };
                self.depth += 1;
                if self.depth > DIRECT_MAX_DEPTH {
                    return None;
                }
                let sub = self.alternation()?;
                if self.peek()? != b')' {
                    return None;
                }
                self.i += 1;
                self.depth -= 1;
                match index {
                    None => sub,
                    Some(index) => Hir::capture(Capture { index, name: None, sub: Box::new(sub) }),
                }
            }
            b'[' => self.class()?,
            b'.' => Hir::dot(Dot::AnyByteExceptLF),
            b'^' => Hir::look(Look::Start),
            b'$' => Hir::look(Look::End),
            b'\\' => {
                let e = *self.b.get(self.i)?;
                let look = match e {
                    b'b' => {
                        let rest = &self.b[self.i + 1..];
                        let named = [(&b"{start}"[..], Look::WordStartAscii), (b"{end}", Look::WordEndAscii), (b"{start-half}", Look::WordStartHalfAscii), (b"{end-half}", Look::WordEndHalfAscii)]
                            .into_iter()
                            .find(|(n, _)| rest.starts_with(n));
                        match named {
                            Some((n, l)) => {
                                self.i += n.len();
                                Some(l)
                            }
                            None if rest.first() == Some(&b'{') => return None,
                            None => Some(Look::WordAscii),
                        }
                    }
                    b'B' => Some(Look::WordAsciiNegate),
                    b'A' => Some(Look::Start),
                    b'z' => Some(Look::End),
                    _ => None,
                };
                match look {
                    Some(l) => {
                        self.i += 1;
                        Hir::look(l)
                    }
                    None => match self.escape()? {
                        Escaped::Byte(b) => return Some(Atom::Byte(b)),
                        Escaped::Class(cls) => Hir::class(Class::Bytes(cls)),
                    },
                }
            }
            c if c.is_ascii() && !matches!(c, b')' | b']' | b'}' | b'|' | b'?' | b'*' | b'+' | b'{') => return Some(Atom::Byte(c)),
            _ => {
                self.i -= 1; // the error points at it
                return None;
            }
        }))
    }

    /// An escape after its `\` (outside or inside a class, other than the assertions): a
    /// control letter, `\xHH` / `\x{H…}` up to 0x7F, a Perl class, an escapable punctuation
    /// character (regex-syntax's `is_escapeable_character`, ASCII only).
    fn escape(&mut self) -> Option<Escaped> {
        let e = self.peek()?;
        self.i += 1;
        Some(match e {
            b'n' => Escaped::Byte(b'\n'),
            b't' => Escaped::Byte(b'\t'),
            b'r' => Escaped::Byte(b'\r'),
            b'f' => Escaped::Byte(0x0c),
            b'v' => Escaped::Byte(0x0b),
            b'a' => Escaped::Byte(0x07),
            b'x' => {
                let braced = self.peek()? == b'{';
                let digits = if braced {
                    let end = self.b[self.i..].iter().position(|&c| c == b'}')?;
                    let d = &self.b[self.i + 1..self.i + end];
                    self.i += end + 1;
                    d
                } else {
                    let d = self.b.get(self.i..self.i + 2)?;
                    self.i += 2;
                    d
                };
                if digits.is_empty() || digits.len() > 2 || !digits.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let v = u8::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
                // `\xHH` above 0x7F is that byte (Unicode and UTF-8 off): `disguise_pattern`
                // writes one per non-ASCII byte of a lexicon entry. `\x{HH}` above 0x7F is the
                // character U+00HH to regex-syntax, left to it.
                if v > 0x7f && braced {
                    return None;
                }
                Escaped::Byte(v)
            }
            b'd' | b'D' | b's' | b'S' | b'w' | b'W' => Escaped::Class(perl_class(e)?),
            c if (c.is_ascii_punctuation() || c == b' ') && c != b'<' && c != b'>' => Escaped::Byte(c),
            _ => return None,
        })
    }

    /// A bracketed class after its `[`: literals, ranges, escapes and Perl classes, negated by a
    /// leading `^`. Nested classes, `[:name:]` and the set operators `&& -- ~~` are left to
    /// regex-syntax (`None`).
    fn class(&mut self) -> Option<regex_syntax::hir::Hir> {
        use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir};
        let negated = self.peek()? == b'^';
        if negated {
            self.i += 1;
        }
        let mut cls = ClassBytes::empty();
        let mut first = true;
        loop {
            let c = self.peek()?;
            if c == b']' && !first {
                self.i += 1;
                break;
            }
            if c == b'[' || self.b[self.i..].starts_with(b"&&") || self.b[self.i..].starts_with(b"--") || self.b[self.i..].starts_with(b"~~") {
                return None;
            }
            if c == b'-' && !first && self.b.get(self.i + 1) != Some(&b']') {
                return None;
            }
            let start = match self.class_item()? {
                Escaped::Class(p) => {
                    cls.union(&p);
                    first = false;
                    continue;
                }
                Escaped::Byte(b) => b,
            };
            let mut end = start;
            if self.peek()? == b'-' && self.b.get(self.i + 1).is_some_and(|&n| n != b']') {
                self.i += 1;
                match self.class_item()? {
                    Escaped::Byte(b) if b >= start => end = b,
                    _ => return None,
                }
            }
            cls.push(ClassBytesRange::new(start, end));
            first = false;
        }
        if negated {
            cls.negate();
        }
        Some(Hir::class(Class::Bytes(cls)))
    }

    /// One literal byte or escape inside a class.
    fn class_item(&mut self) -> Option<Escaped> {
        let c = self.peek()?;
        self.i += 1;
        match c {
            b'\\' => self.escape(),
            c if c.is_ascii() => Some(Escaped::Byte(c)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `source` writes exactly what it wrote as `format!`s (the build-time literal table is
    /// keyed by these strings): parts wrapped in `(?:…)`, joined by `|`, with half word
    /// boundaries around the whole when `word`.
    #[test]
    fn source_text_is_unchanged() {
        let old = |parts: &[String], word: bool| {
            let alt = parts.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
            if word { format!(r"\b{{start-half}}(?:{alt})\b{{end-half}}") } else { alt }
        };
        for parts in [vec![], vec!["a".to_string()], vec!["x+".into(), "(?:y|z)\\b".into(), String::new()]] {
            for word in [false, true] {
                assert_eq!(source(&parts, word), old(&parts, word));
            }
        }
        assert_eq!(source(&["ab".into(), "c?".into()], true), r"\b{start-half}(?:(?:ab)|(?:c?))\b{end-half}");
    }

    fn concepts(pairs: &[(&str, &[&str])]) -> Concepts {
        pairs.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect()
    }

    fn contained(src: &str) -> Option<Vec<String>> {
        let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(src).unwrap();
        contained_literals(&hir).map(|v| v.into_iter().map(|l| String::from_utf8(l).unwrap()).collect())
    }

    /// A prefix-literal source gets a rarer required set only where every match needs one and it
    /// is rarer than the prefix set: longer shortest literal, none of the prefix literals.
    #[test]
    fn prefix_gate_literals_only_when_rarer() {
        let src = |p: &str| source(&[p.to_string()], true);
        // common short prefixes, a long word every match contains
        let s = src(r"(?:the|our) \w+ councillors?");
        assert!(matches!(required_literals_kind(&s), Some((true, _))), "{s}");
        let gate = prefix_gate_literals(&s).expect("a rarer required set");
        assert!(gate.iter().all(|g| g.windows(10).any(|w| w == b"councillor")), "{gate:?}");
        // the prefix literals are the whole match: nothing rarer to require
        assert_eq!(prefix_gate_literals(&src("councillors?|officers?")), None);
        // the only required literal is no longer than the prefixes
        assert_eq!(prefix_gate_literals(&src(r"(?:the|our) \w+ is")), None);
        // not a prefix set at all: the field is gated by its required set already
        assert_eq!(prefix_gate_literals(&src(r"\w+ councillors?")), None);
    }

    #[test]
    fn contained_literals_of_small_patterns() {
        // a concatenation: the best element, or a cross product of finite neighbours
        assert_eq!(contained(r"\w+ing manager").unwrap(), ["ing manager"]);
        assert_eq!(contained(r"\b(?:mr|mrs)\.? [a-z]+").unwrap(), ["mr ", "mr. ", "mrs ", "mrs. "]);
        // a junction: what ends the left part then what starts the right part
        assert_eq!(contained(r"[a-z]+(?:ly|ing) (?:bad|sad)\w*").unwrap(), ["ing bad", "ing sad", "ly bad", "ly sad"]);
        // an alternation: every branch needs a set; a literal containing another is dropped
        assert_eq!(contained(r"\b(?:idiots?|\w+ (?:clown|clowns))\b").unwrap(), [" clown", "idiot"]);
        // a repetition with min >= 1 keeps its sub's sets (here its suffix joins "ful"); min 0 gives none
        assert_eq!(contained(r"(?:shame)+ful").unwrap(), ["shameful"]);
        assert_eq!(contained(r"(?:abc)*\w"), None);
        // only short literals (or none) in some branch: no gate
        assert_eq!(contained(r"[a-z]+,? \d{1,3},"), None);
        assert_eq!(contained(r"idiot|\w+"), None);
        assert_eq!(contained(r"idiot|hr"), None);
    }

    /// The defining property, on random haystacks: every match of each pattern contains one
    /// of its contained literals.
    #[test]
    fn contained_literals_are_in_every_match() {
        let pats = [
            r"\b(?:mr|mrs|ms)\.? [a-z]+\b",
            r"[a-z]+(?:ly|ing) (?:bad|sad)\w*",
            r"(?:ab|ba)+c?(?:abc|cab)",
            r"\w*(?:aab|bba)[a-c]{0,2}(?:cc|c )",
            r"(?:a|b)(?:a|b)(?:c|a)(?:b|c)\w*",
            r"(?:ab+a|ba+b) c",
            r"(?:abc|\w+ (?:bca|cab))",
        ];
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let alphabet = b"abc .mrs";
        let mut matches = 0;
        for p in pats {
            let lits = contained(p).unwrap_or_else(|| panic!("{p}: no set"));
            let re = regex::bytes::RegexBuilder::new(p).unicode(false).build().unwrap();
            for _ in 0..20000 {
                let n = (next() % 40) as usize;
                let hay: Vec<u8> = (0..n).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
                for m in re.find_iter(&hay) {
                    matches += 1;
                    let s = &hay[m.start()..m.end()];
                    assert!(lits.iter().any(|l| s.windows(l.len()).any(|w| w == l.as_bytes())), "{p}: {:?} in none of {lits:?}", String::from_utf8_lossy(s));
                }
            }
        }
        assert!(matches > 1000, "{matches}");
    }

    #[test]
    fn expander_remembers_without_changing_results() {
        let c = concepts(&[("a", &["x{b}", "y"]), ("b", &["z", "w"])]);
        let e = Expander::new(&c);
        let first = e.expand("p {a} q {b}", &|| "f".into()).unwrap();
        let again = e.expand("p {a} q {b}", &|| "f".into()).unwrap();
        assert_eq!(first, "p (?:(?:x(?:(?:z)|(?:w)))|(?:y)) q (?:(?:z)|(?:w))");
        assert_eq!(first, again);
        assert_eq!(first, expand_concepts("p {a} q {b}", &c, "f").unwrap());
    }

    #[test]
    fn remembered_expansion_respects_the_depth_limit() {
        // c1 -> c2 -> c3 -> c4 -> c5 (height 5): too deep at top level; c2 (height 4) fits at depth 0
        // but not when reached from c1; remembering c2 first must not let {c1} through
        let c = concepts(&[("c1", &["{c2}"]), ("c2", &["{c3}"]), ("c3", &["{c4}"]), ("c4", &["{c5}"]), ("c5", &["v"])]);
        let e = Expander::new(&c);
        assert!(e.expand("{c2}", &|| "f".into()).is_ok());
        let err = e.expand("{c1}", &|| "rule \"r\": patterns[0]".into()).unwrap_err();
        assert!(err.0.contains("nested too deeply") && err.0.starts_with("rule \"r\": patterns[0]"), "{err}");
        assert!(expand_concepts("{c1}", &c, "f").is_err());
        let unknown = e.expand("{nope}", &|| "g".into()).unwrap_err();
        assert_eq!(unknown.0, "g: unknown concept lexicon \"{nope}\"");
    }
}
