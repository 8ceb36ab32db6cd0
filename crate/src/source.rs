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
    expand_depth(pat, concepts, field, 0)
}

fn expand_depth(pat: &str, concepts: &Concepts, field: &str, depth: u32) -> Result<String, RuleError> {
    if depth > 4 {
        return Err(RuleError(format!("{field}: concept lexicons nested too deeply (a cycle?)")));
    }
    let mut out = String::with_capacity(pat.len());
    let b = pat.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' && i + 1 < b.len() && b[i + 1].is_ascii_lowercase() && (i == 0 || b[i - 1] != b'\\') {
            if let Some(len) = pat[i + 1..].find('}') {
                let name = &pat[i + 1..i + 1 + len];
                if name.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_') {
                    let words = concepts
                        .get(name)
                        .ok_or_else(|| RuleError(format!("{field}: unknown concept lexicon \"{{{name}}}\"")))?;
                    out.push_str("(?:");
                    let mut alts = Vec::with_capacity(words.len());
                    for w in words {
                        alts.push(format!("(?:{})", expand_depth(w, concepts, field, depth + 1)?));
                    }
                    out.push_str(&alts.join("|"));
                    out.push(')');
                    i += len + 2;
                    continue;
                }
            }
        }
        let ch = pat[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8().max(1);
    }
    Ok(out)
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
