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
    let alt = parts.iter().map(|p| format!("(?:{p})")).collect::<Vec<_>>().join("|");
    // Half word boundaries: no word character just before / just after the match. Unlike `\b`,
    // this also works for patterns that start or end with punctuation ("@cllr…", "'…'").
    if word { format!(r"\b{{start-half}}(?:{alt})\b{{end-half}}") } else { alt }
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
        let spaced = base.bytes().map(|c| regex_escape_byte(c)).collect::<Vec<_>>().join(r"[ ._\-]+");
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
/// literals' occurrences only, see `rules::Lazy`), `false` if every match ENDS with one
/// (suffix set: used only as a presence filter). Prefix extraction is tried first.
pub fn required_literals_kind(src: &str) -> Option<(bool, Vec<Vec<u8>>)> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(src).ok()?;
    for (prefix, kind) in [(true, ExtractKind::Prefix), (false, ExtractKind::Suffix)] {
        let mut ex = Extractor::new();
        ex.kind(kind).limit_class(40).limit_repeat(4).limit_literal_len(12).limit_total(100);
        let mut seq = ex.extract(&hir);
        seq.optimize_for_prefix_by_preference();
        if let Some(lits) = seq.literals() {
            // an empty literal matches everywhere: no use as a filter
            if !lits.is_empty() && lits.iter().all(|l| !l.as_bytes().is_empty()) {
                return Some((prefix, lits.iter().map(|l| l.as_bytes().to_vec()).collect()));
            }
        }
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    fn concepts(pairs: &[(&str, &[&str])]) -> Concepts {
        pairs.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect()
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
