//! The trigger prefilter: one Aho-Corasick scan per view decides which rules can fire at all,
//! and records where the literals of each prefix-literal rule field start, so that field's
//! regex runs anchored at those positions only (`rules::Lazy::find_at`) instead of scanning
//! the whole draft.

use crate::rules::{Prepared, Rule, Starts};
use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// Trigger prefilter. For each regex trigger, the literals any match must start (or end) with are
/// extracted from the pattern; one Aho-Corasick scan per view finds which literals occur, and a
/// rule none of whose literals occur is skipped without running its regex. Triggers without a
/// finite literal set always run.
///
/// Position sources: every regex field (trigger on its view; `except`, `near`, `also_near`,
/// `with_any`, `unless_any`, `unless_near` on the skeleton) whose literal set is a PREFIX set
/// (every match starts with one of them) gets a slot; the same scan pushes each occurrence's
/// start into the slots its literal feeds. The fields not required for a rule to fire
/// (`except`, `unless_*`) are in the automaton for their positions only, not in `groups`.
pub(crate) struct Prefilter {
    /// per view (0 skeleton, 1 profanity): the automaton over that view's literals
    views: [Option<AhoCorasick>; 2],
    /// literal ids of view 1 start after the `offset` literals of view 0
    offset: usize,
    /// per rule: groups of literal ids; the rule can fire only if every group has one present
    groups: Vec<Vec<Vec<u32>>>,
    n_lits: usize,
    /// unique id of this prefilter: the owner recorded in the slots of the fields' `Lazy`s
    id: u64,
    /// the slots literal `k` (global id) feeds: `lit_slots[lit_slot_at[k]..lit_slot_at[k + 1]]`
    lit_slot_at: Vec<u32>,
    lit_slots: Vec<u32>,
    n_slots: usize,
}

mod table {
    include!(concat!(env!("OUT_DIR"), "/prefilter_literals.rs"));
}

/// The prefilter literals of a regex source and whether they are a prefix set (see
/// `source::required_literals_kind`): from the build-time table (`build.rs`) when the source is
/// a built-in rule field's, else extracted now.
pub(crate) fn required_literals(src: &str) -> Option<(bool, Vec<Vec<u8>>)> {
    match lookup_literals(src) {
        Some(found) => found,
        None => crate::source::required_literals_kind(src),
    }
}

/// `Some(literals)` if `src` is in the build-time table.
pub(crate) fn lookup_literals(src: &str) -> Option<Option<(bool, Vec<Vec<u8>>)>> {
    let key = crate::source::source_key(src);
    let t = table::PREFILTER_LITERALS;
    let i = t.binary_search_by_key(&key, |e| e.0).ok()?;
    let (_, len, prefix, lits) = t[i];
    (len == src.len()).then(|| {
        lits.map(|mut blob| {
            let mut v = Vec::new();
            while let Some((&n, rest)) = blob.split_first() {
                let (l, rest) = rest.split_at(usize::from(n).min(rest.len()));
                v.push(l.to_vec());
                blob = rest;
            }
            (prefix, v)
        })
    })
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Prefilter {
    pub(crate) fn new(rules: &[Rule]) -> Result<Prefilter, String> {
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut lits: [Vec<Vec<u8>>; 2] = [Vec::new(), Vec::new()];
        let mut raw_groups: Vec<Vec<(usize, Vec<usize>)>> = Vec::new();
        let mut ids: [std::collections::HashMap<Vec<u8>, usize>; 2] = Default::default();
        let mut intern = |v: usize, l: Vec<u8>, lits: &mut [Vec<Vec<u8>>; 2]| {
            *ids[v].entry(l).or_insert_with_key(|l| {
                lits[v].push(l.clone());
                lits[v].len() - 1
            })
        };
        // many fields share a source (concept lexicons): extract each source's literals once
        let mut cache: std::collections::HashMap<String, Option<(bool, Vec<Vec<u8>>)>> = std::collections::HashMap::new();
        // (view, literal id within the view, slot)
        let mut feeds: Vec<(usize, usize, u32)> = Vec::new();
        let mut n_slots = 0u32;
        for r in rules {
            let mut gs = Vec::new();
            let mut conds: Vec<(String, bool)> = Vec::new();
            if let Some((src, prof)) = r.trigger_source() {
                conds.push((src.to_string(), prof));
            }
            conds.extend(r.required_sources().into_iter().map(|s| (s, false)));
            for (src, prof) in conds {
                let ls = cache.entry(src).or_insert_with_key(|k| required_literals(k)).clone();
                if let Some((_, ls)) = ls {
                    let v = usize::from(prof);
                    gs.push((v, ls.into_iter().map(|l| intern(v, l, &mut lits)).collect()));
                }
            }
            raw_groups.push(gs);
            for (lazy, v) in r.regex_fields() {
                let ls = cache.entry(lazy.src().to_string()).or_insert_with_key(|k| required_literals(k));
                let Some((true, ls)) = ls else { continue };
                if !lazy.set_slot(v, id, n_slots) {
                    continue; // shared by an earlier field (same source, same view)
                }
                for l in ls.iter() {
                    feeds.push((v, intern(v, l.clone(), &mut lits), n_slots));
                }
                n_slots += 1;
            }
        }
        let offset = lits[0].len();
        let groups = raw_groups
            .into_iter()
            .map(|gs| gs.into_iter().map(|(v, ids)| ids.into_iter().map(|k| (k + v * offset) as u32).collect()).collect())
            .collect();
        let n_lits = offset + lits[1].len();
        feeds.sort_unstable_by_key(|&(v, k, s)| (k + v * offset, s));
        let mut lit_slot_at = Vec::with_capacity(n_lits + 1);
        let mut lit_slots = Vec::with_capacity(feeds.len());
        let mut fi = 0;
        for k in 0..n_lits {
            lit_slot_at.push(lit_slots.len() as u32);
            while fi < feeds.len() && feeds[fi].1 + feeds[fi].0 * offset == k {
                lit_slots.push(feeds[fi].2);
                fi += 1;
            }
        }
        lit_slot_at.push(lit_slots.len() as u32);
        let build = |l: &Vec<Vec<u8>>| -> Result<Option<AhoCorasick>, String> {
            if l.is_empty() {
                return Ok(None);
            }
            // contiguous NFA, not DFA: builds 16.5M instructions cheaper (cold start 248.2M ->
            // 231.7M) for ~5.6% more per check (280 chars 284k -> 301k; 63,206: 53.3M -> 56.3M)
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::ContiguousNFA))
                .build(l)
                .map(Some)
                .map_err(|e| format!("rule trigger prefilter: {e}"))
        };
        Ok(Prefilter {
            views: [build(&lits[0])?, build(&lits[1])?],
            offset,
            groups,
            n_lits,
            id,
            lit_slot_at,
            lit_slots,
            n_slots: n_slots as usize,
        })
    }

    /// `out[i]`: false if rule `i` certainly cannot fire on `p` (a required literal is absent).
    /// Returns the start positions of every position source's literals in `p` (byte offsets
    /// into the skeleton or the profanity view, ascending per slot), for `Rule::hits_with`.
    pub(crate) fn candidates(&self, p: &Prepared, out: &mut Vec<bool>) -> Starts {
        let mut present = vec![false; self.n_lits];
        // (slot, start) of every literal occurrence that feeds a slot; then grouped by slot
        // (counting sort) into one flat array, each slot's run sorted by start
        let mut found: Vec<(u32, u32)> = Vec::new();
        for (v, hay) in [(0usize, &p.norm.skel[..]), (1, &p.prof[..])] {
            let Some(ac) = &self.views[v] else { continue };
            // overlapping: every occurrence of every literal, so every possible match start
            for m in ac.find_overlapping_iter(hay) {
                let k = m.pattern().as_usize() + v * self.offset;
                present[k] = true;
                let (a, b) = (self.lit_slot_at[k] as usize, self.lit_slot_at[k + 1] as usize);
                found.extend(self.lit_slots[a..b].iter().map(|&s| (s, m.start() as u32)));
            }
        }
        let mut at = vec![0u32; self.n_slots + 1];
        for &(s, _) in &found {
            at[s as usize + 1] += 1;
        }
        for i in 1..at.len() {
            at[i] += at[i - 1];
        }
        let mut flat = vec![0u32; found.len()];
        let mut fill = at.clone();
        for &(s, pos) in &found {
            flat[fill[s as usize] as usize] = pos;
            fill[s as usize] += 1;
        }
        for w in at.windows(2) {
            if w[1] - w[0] > 1 {
                flat[w[0] as usize..w[1] as usize].sort_unstable();
            }
        }
        out.clear();
        out.extend(self.groups.iter().map(|gs| gs.iter().all(|g| g.iter().any(|&k| present[k as usize]))));
        Starts { owner: self.id, at, flat }
    }
}

#[cfg(test)]
mod tests {
    /// The built-in rule fields that are not position sources (no prefix literal set: a leading
    /// `\w+`, a wildcard concept entry, a huge alternation) scan the whole draft with the meta
    /// regex and compile a reverse NFA too: they are most of the remaining search and start-up
    /// cost (docs/performance.md). A ratchet, so a rule change that adds more is noticed: lower
    /// `MAX` when rules are fixed, raise it only knowingly. The failure lists them.
    #[test]
    fn whole_draft_scans_stay_few() {
        const MAX: usize = 62;
        let e = crate::engine::Engine::builtin().unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut srcs: Vec<String> = Vec::new();
        for r in e.rules() {
            for (l, v) in r.regex_fields() {
                if !matches!(super::required_literals(l.src()), Some((true, _))) && seen.insert((v, l.src().to_string())) {
                    srcs.push(format!("{} (view {v}): {}", r.spec.id, &l.src()[..l.src().len().min(120)]));
                }
            }
        }
        assert!(srcs.len() <= MAX, "{} whole-draft sources (max {MAX}):\n{}", srcs.len(), srcs.join("\n"));
    }
}

#[cfg(test)]
mod equivalence {
    //! The anchored-at-literal-starts path against the whole-haystack meta regex: they must give
    //! the same matches for every built-in prefix-literal source (`rules::Lazy::find_at`) and the
    //! same hits for every built-in rule (`Rule::hits_with` vs `Rule::hits`).
    use super::{required_literals, Prefilter};
    use crate::rules::{Lazy, Prepared, Rule};
    use aho_corasick::AhoCorasick;

    /// The built-in rules, compiled with a fresh pool (so a new prefilter owns their slots).
    fn fresh_rules() -> Vec<Rule> {
        let cats = crate::engine::parse_categories(crate::builtin::CATEGORIES.expect("categories")).expect("categories");
        crate::engine::load_rules_in(crate::builtin::RULE_FILES, crate::builtin::CONCEPTS, &cats, &mut crate::rules::RegexPool::new(false))
            .expect("built-in rules")
    }

    /// Draft texts: the labelled corpora in the repo, every rule's examples, and pairs of fire
    /// examples run together (no space: a literal right after a word character) and repeated.
    fn texts(rules: &[Rule]) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for f in ["tests/data/own.jsonl", "tests/data/own4.jsonl", "tests/data/own5.jsonl"] {
            let s = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{f}: {e}"));
            v.extend(s.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["text"].as_str().map(str::to_string)));
        }
        let fire: Vec<String> = rules.iter().flat_map(|r| r.spec.examples.fire.iter().map(|e| e.parts().0.to_string())).collect();
        let quiet: Vec<String> = rules.iter().flat_map(|r| r.spec.examples.quiet.iter().map(|e| e.parts().0.to_string())).collect();
        for (i, f) in fire.iter().enumerate() {
            let g = &fire[(i * 7 + 3) % fire.len()];
            v.push(format!("{f}{g}"));
            v.push(format!("{f} {f}{f}"));
        }
        v.extend(fire);
        v.extend(quiet);
        assert!(v.len() > 1000, "{} texts", v.len());
        v
    }

    /// Every start of an occurrence of one of `lits` in `hay`, ascending, deduplicated.
    fn starts_of(ac: &AhoCorasick, hay: &[u8]) -> Vec<u32> {
        let mut s: Vec<u32> = ac.find_overlapping_iter(hay).map(|m| m.start() as u32).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    fn meta(l: &Lazy, hay: &[u8]) -> Vec<(usize, usize)> {
        l.get().find_iter(hay).map(|m| (m.start(), m.end())).collect()
    }

    fn anchored(l: &Lazy, hay: &[u8], starts: &[u32]) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        l.find_at(hay, starts, false, |s, e| {
            v.push((s, e));
            true
        })
        .expect("the forward DFA builds and never gives up on a built-in source");
        v
    }

    /// `find_at` at the literal starts == meta `find_iter`, per prefix-literal source, on every
    /// text's skeleton and profanity view and on synthetic haystacks built from the literals
    /// (empty, a literal at 0 and at the end, after a word character, overlapping and run
    /// together, a match starting inside a previous one).
    #[test]
    fn anchored_search_at_literal_starts_equals_find_iter() {
        let rules = fresh_rules();
        let det = crate::detectors::Detectors::new();
        let views: Vec<(Vec<u8>, Vec<u8>)> = texts(&rules)
            .iter()
            .map(|t| {
                let p = Prepared::new(t, &det);
                (p.norm.skel.clone(), p.prof.clone())
            })
            .collect();
        let mut seen = std::collections::HashSet::new();
        let (mut sources, mut matches) = (0, 0);
        for r in &rules {
            for (l, _) in r.regex_fields() {
                if !seen.insert(l.src().to_string()) {
                    continue;
                }
                let Some((true, lits)) = required_literals(l.src()) else { continue };
                sources += 1;
                let ac = AhoCorasick::new(&lits).expect("literals");
                let mut hays: Vec<Vec<u8>> = vec![Vec::new()];
                for lit in lits.iter().take(12) {
                    let n = &lits[(lit.len() * 5) % lits.len()];
                    for h in [
                        lit.clone(),
                        [b"x".as_slice(), lit].concat(),
                        [lit.as_slice(), lit].concat(),
                        [lit.as_slice(), b" ", lit, b" ", n].concat(),
                        [b"my ".as_slice(), lit, n, b" the ", lit].concat(),
                        [lit.as_slice(), b"s ", lit, b"'s"].concat(),
                    ] {
                        hays.push(h);
                    }
                }
                for (skel, prof) in &views {
                    for hay in [skel, prof] {
                        let want = meta(l, hay);
                        matches += want.len();
                        assert_eq!(anchored(l, hay, &starts_of(&ac, hay)), want, "{} on {:?}", r.spec.id, String::from_utf8_lossy(hay));
                    }
                }
                for hay in &hays {
                    assert_eq!(anchored(l, hay, &starts_of(&ac, hay)), meta(l, hay), "{} on {:?}", r.spec.id, String::from_utf8_lossy(hay));
                }
            }
        }
        assert!(sources > 50 && matches > 1000, "{sources} sources, {matches} matches");
    }

    /// The test above must be able to fail: anchored at all literal starts but one (the start
    /// of a real match), the search misses that match.
    #[test]
    fn missing_starts_are_visible() {
        let rules = fresh_rules();
        let det = crate::detectors::Detectors::new();
        let mut checked = 0;
        for r in rules.iter().filter(|r| r.spec.id.starts_with("confidential.") || r.spec.id.starts_with("political.")) {
            let (l, v) = r.regex_fields()[0];
            let Some((true, lits)) = required_literals(l.src()) else { continue };
            let ac = AhoCorasick::new(&lits).expect("literals");
            for ex in &r.spec.examples.fire {
                let p = Prepared::new(ex.parts().0, &det);
                let hay = if v == 1 { &p.prof } else { &p.norm.skel };
                let want = meta(l, hay);
                let Some(first) = want.first() else { continue };
                let all = starts_of(&ac, hay);
                assert_eq!(anchored(l, hay, &all), want);
                let fewer: Vec<u32> = all.iter().copied().filter(|&s| s as usize != first.0).collect();
                assert!(!anchored(l, hay, &fewer).contains(first), "{}", r.spec.id);
                checked += 1;
            }
        }
        assert!(checked > 10, "{checked}");
    }

    /// Through the engine's prefilter: `hits_with` (anchored at the recorded starts) == `hits`
    /// (meta regexes over the whole view) for every rule the prefilter lets through, on every
    /// text, in both modes with every flag and inside an election window.
    #[test]
    fn hits_with_prefilter_starts_equal_hits() {
        let rules = fresh_rules();
        let pf = Prefilter::new(&rules).expect("prefilter");
        let det = crate::detectors::Detectors::new();
        let ctxs: Vec<crate::Context> = ["personal", "official"]
            .iter()
            .map(|m| {
                serde_json::from_value(serde_json::json!({"council": "x", "mode": m, "attachments": true,
                    "flags": ["politically_restricted", "works_with_vulnerable"], "now": "2024-04-20T10:00", "elections": ["2024-05-02"]}))
                .expect("context")
            })
            .collect();
        let (mut fired, mut anchored_fields) = (0, 0);
        let mut cand = Vec::new();
        for t in texts(&rules) {
            let p = Prepared::new(&t, &det);
            let starts = pf.candidates(&p, &mut cand);
            for (i, r) in rules.iter().enumerate() {
                if !cand[i] {
                    assert!(r.hits(&p, &ctxs[0]).is_empty() && r.hits(&p, &ctxs[1]).is_empty(), "{} fires without its literals", r.spec.id);
                    continue;
                }
                anchored_fields += r.regex_fields().iter().filter(|(l, v)| l.slot(*v, starts.owner).is_some()).count();
                for ctx in &ctxs {
                    let want = r.hits(&p, ctx);
                    fired += usize::from(!want.is_empty());
                    assert_eq!(r.hits_with(&p, Some(&starts), ctx), want, "{} on {t:?}", r.spec.id);
                }
            }
        }
        assert!(fired > 1000 && anchored_fields > 1000, "{fired} hits, {anchored_fields} anchored fields");
    }
}
