//! The trigger prefilter: one Aho-Corasick scan per view decides which rules can fire at all.

use crate::rules::{Prepared, Rule};
use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// Trigger prefilter. For each regex trigger, the literals any match must start (or end) with are
/// extracted from the pattern; one Aho-Corasick scan per view finds which literals occur, and a
/// rule none of whose literals occur is skipped without running its regex. Triggers without a
/// finite literal set always run.
pub(crate) struct Prefilter {
    /// per view (0 skeleton, 1 profanity): the automaton over that view's literals
    views: [Option<AhoCorasick>; 2],
    /// literal ids of view 1 start after the `offset` literals of view 0
    offset: usize,
    /// per rule: groups of literal ids; the rule can fire only if every group has one present
    groups: Vec<Vec<Vec<u32>>>,
    n_lits: usize,
}

mod table {
    include!(concat!(env!("OUT_DIR"), "/prefilter_literals.rs"));
}

/// The prefilter literals of a regex source: from the build-time table (`build.rs`) when the
/// source is a built-in rule field's, else extracted now (`source::required_literals`).
pub(crate) fn required_literals(src: &str) -> Option<Vec<Vec<u8>>> {
    match lookup_literals(src) {
        Some(found) => found,
        None => crate::source::required_literals(src),
    }
}

/// `Some(literals)` if `src` is in the build-time table.
pub(crate) fn lookup_literals(src: &str) -> Option<Option<Vec<Vec<u8>>>> {
    let key = crate::source::source_key(src);
    let t = table::PREFILTER_LITERALS;
    let i = t.binary_search_by_key(&key, |e| e.0).ok()?;
    let (_, len, lits) = t[i];
    (len == src.len()).then(|| {
        lits.map(|mut blob| {
            let mut v = Vec::new();
            while let Some((&n, rest)) = blob.split_first() {
                let (l, rest) = rest.split_at(usize::from(n).min(rest.len()));
                v.push(l.to_vec());
                blob = rest;
            }
            v
        })
    })
}

impl Prefilter {
    pub(crate) fn new(rules: &[Rule]) -> Result<Prefilter, String> {
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
        let mut cache: std::collections::HashMap<String, Option<Vec<Vec<u8>>>> = std::collections::HashMap::new();
        for r in rules {
            let mut gs = Vec::new();
            let mut conds: Vec<(String, bool)> = Vec::new();
            if let Some((src, prof)) = r.trigger_source() {
                conds.push((src.to_string(), prof));
            }
            conds.extend(r.required_sources().into_iter().map(|s| (s, false)));
            for (src, prof) in conds {
                let ls = cache.entry(src).or_insert_with_key(|k| required_literals(k)).clone();
                if let Some(ls) = ls {
                    let v = usize::from(prof);
                    gs.push((v, ls.into_iter().map(|l| intern(v, l, &mut lits)).collect()));
                }
            }
            raw_groups.push(gs);
        }
        let offset = lits[0].len();
        let groups = raw_groups
            .into_iter()
            .map(|gs| gs.into_iter().map(|(v, ids)| ids.into_iter().map(|k| (k + v * offset) as u32).collect()).collect())
            .collect();
        let build = |l: &Vec<Vec<u8>>| -> Result<Option<AhoCorasick>, String> {
            if l.is_empty() {
                return Ok(None);
            }
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .build(l)
                .map(Some)
                .map_err(|e| format!("rule trigger prefilter: {e}"))
        };
        let n_lits = offset + lits[1].len();
        Ok(Prefilter { views: [build(&lits[0])?, build(&lits[1])?], offset, groups, n_lits })
    }

    /// `out[i]`: false if rule `i` certainly cannot fire on `p` (a required literal is absent).
    pub(crate) fn candidates(&self, p: &Prepared, out: &mut Vec<bool>) {
        let mut present = vec![false; self.n_lits];
        for (v, hay) in [(0usize, &p.norm.skel[..]), (1, &p.prof[..])] {
            let Some(ac) = &self.views[v] else { continue };
            for m in ac.find_overlapping_iter(hay) {
                present[m.pattern().as_usize() + v * self.offset] = true;
            }
        }
        out.clear();
        out.extend(self.groups.iter().map(|gs| gs.iter().all(|g| g.iter().any(|&k| present[k as usize]))));
    }
}
