//! The trigger prefilter: one Aho-Corasick scan per view ([`LitAutomaton`], our own; the
//! `aho-corasick` crate is only the tests' reference) decides which rules can fire at all,
//! and records where the literals of each prefix-literal rule field start, so that field's
//! regex runs anchored at those positions only (`rules::Lazy::find_at`) instead of scanning
//! the whole draft.

use crate::rules::{FastMap, Prepared, Rule, Starts};
use std::borrow::Cow;

/// Trigger prefilter. For each regex trigger, the literals any match must start (or end) with are
/// extracted from the pattern; one Aho-Corasick scan per view finds which literals occur, and a
/// rule none of whose literals occur is skipped without running its regex. Triggers without a
/// finite literal set always run.
///
/// Gates: every other regex field whose literal set is a REQUIRED set (every match contains one
/// of them, `source::contained_literals`) gets a gate: open when one of its literals occurs in
/// the view. A closed gate means the field cannot match, so `Rule::hits_with` skips it (and a
/// trigger, `near`, `also_near` or `with_any` field's set is also one of its rule's `groups`).
/// Such a field's meta regex is compiled (on first use) only once its gate has opened. On a view
/// of at least `Starts::RUNS_MIN_LEN` bytes the same scan also records where its literals start
/// (a required-literal slot, numbered after the prefix slots): an open gate's field then
/// searches only the runs of bytes it can consume around them (`rules::Lazy::find_in_runs`).
/// A prefix-literal field (below) whose source also has a rarer required set
/// (`source::prefix_gate_literals`, from the build-time table) is gated on that set as well:
/// common prefixes (`the `, `our `, `not `, `my `) occur in most drafts and are shared by dozens
/// of fields, so without the gate each of those fields ran an anchored search (~180
/// instructions) at every occurrence even when a literal every match needs is absent.
///
/// Position sources: every regex field (trigger on its view; `except`, `near`, `also_near`,
/// `with_any`, `unless_any`, `unless_near` on the skeleton) whose literal set is a PREFIX set
/// (every match starts with one of them) gets a slot; the same scan pushes each occurrence's
/// start into the slots its literal feeds. The fields not required for a rule to fire
/// (`except`, `unless_*`) are in the automaton for their positions only, not in `groups`.
pub(crate) struct Prefilter {
    /// per view (0 skeleton, 1 profanity): the automaton over that view's literals (`None`
    /// when the view has none)
    views: [Option<LitAutomaton>; 2],
    /// per view, its literals (the tests' reference automaton)
    #[cfg(test)]
    lits: [Vec<Vec<u8>>; 2],
    /// literal ids of view 1 start after the `offset` literals of view 0
    offset: usize,
    /// per rule: its conditions (ids into the distinct literal groups); the rule can fire only
    /// if every one holds (one of the group's literals is present)
    groups: Vec<Vec<u32>>,
    /// the conditions literal `k` (global id) satisfies: `lit_conds[lit_cond_at[k]..lit_cond_at[k + 1]]`
    /// (one scan then marks conditions as literals first occur, instead of testing every
    /// literal of every group: some groups hold hundreds)
    lit_cond_at: Vec<u32>,
    lit_conds: Vec<u32>,
    n_conds: usize,
    n_lits: usize,
    /// unique id of this prefilter: the owner recorded in the slots of the fields' `Lazy`s
    id: u64,
    /// the slots literal `k` (global id) feeds: `lit_slots[lit_slot_at[k]..lit_slot_at[k + 1]]`
    lit_slot_at: Vec<u32>,
    lit_slots: Vec<u32>,
    /// per condition: its required-literal slot (`rules::Lazy::find_in_runs`), counted after
    /// the `n_slots` prefix slots, if it is the gate of a field searched by runs (gates with
    /// the same literals share one), else `NONE`. Filled only on a view of at least
    /// `Starts::RUNS_MIN_LEN` bytes: each occurrence of a literal goes to the required-literal
    /// slots of the conditions it satisfies (`lit_conds`: no table of its own to build at start-up)
    cond_run: Vec<u32>,
    n_run_slots: usize,
    /// a bit per literal (global id): whether it is in a condition with a required-literal slot
    /// (the scan of a long view skips the others' condition lists)
    lit_runs: Vec<u64>,
    n_slots: usize,
    /// per gate: its condition; the gate is open if the condition holds
    gates: Vec<u32>,
}

mod table {
    include!(concat!(env!("OUT_DIR"), "/prefilter_literals.rs"));
}

/// The prefilter literals of a regex source and whether they are a prefix set (see
/// `source::required_literals_kind`): from the build-time table (`build.rs`) when the source is
/// a built-in rule field's, else extracted now.
#[cfg(test)] // the tests' reference; `Prefilter::new` reads the table in place
pub(crate) fn required_literals(src: &str) -> Option<(bool, Vec<Vec<u8>>)> {
    match lookup_literals(src) {
        Some(found) => found,
        None => crate::source::required_literals_kind(src),
    }
}

/// `Some(literals)` if `src` is in the build-time table.
#[cfg(test)] // the tests' reference; `Prefilter::new` reads the table in place
pub(crate) fn lookup_literals(src: &str) -> Option<Option<(bool, Vec<Vec<u8>>)>> {
    table_entry(src).map(|(found, _)| found.map(|(prefix, blob)| (prefix, table_literals(blob).map(<[u8]>::to_vec).collect())))
}

/// The rarer required set of a prefix-literal source (`source::prefix_gate_literals`): from the
/// build-time table when `src` is in it, else computed now. The tests' reference.
#[cfg(test)]
pub(crate) fn prefix_gate_literals(src: &str) -> Option<Vec<Vec<u8>>> {
    match table_entry(src) {
        Some((_, gate)) => gate.map(|blob| table_literals(blob).map(<[u8]>::to_vec).collect()),
        None => crate::source::prefix_gate_literals(src),
    }
}

/// The build-time table's entry for `src`, unparsed: `Some((None, _))` if `src` has no finite
/// literal set, `Some((Some((prefix set?, blob)), gate))` with the literals as a blob of
/// length-prefixed byte strings (read it with [`table_literals`]) and, for a prefix set, its
/// rarer required set as another such blob if it has one (`source::prefix_gate_literals`);
/// `None` if `src` is not in the table.
#[allow(clippy::type_complexity)]
fn table_entry(src: &str) -> Option<(Option<(bool, &'static [u8])>, Option<&'static [u8]>)> {
    let key = crate::source::source_key(src);
    let t = table::PREFILTER_LITERALS;
    let i = t.binary_search_by_key(&key, |e| e.0).ok()?;
    let (_, len, prefix, lits, gate) = t[i];
    (len == src.len()).then(|| (lits.map(|blob| (prefix, blob)), gate))
}

/// The literals of a build-time table blob (each a length byte, then that many bytes), in
/// order, borrowed from the table (no copy).
fn table_literals(mut blob: &'static [u8]) -> impl Iterator<Item = &'static [u8]> {
    std::iter::from_fn(move || {
        let (&n, rest) = blob.split_first()?;
        let (l, rest) = rest.split_at(usize::from(n).min(rest.len()));
        blob = rest;
        Some(l)
    })
}

/// The literal sets of a regex source: whether its literals are a prefix set, those literals, and
/// for a prefix set its rarer required set if it has one (`source::prefix_gate_literals`).
type LiteralSets = (bool, Vec<Cow<'static, [u8]>>, Option<Vec<Cow<'static, [u8]>>>);

/// [`required_literals`] and, for a prefix set, its rarer required set (see [`LiteralSets`]),
/// with each literal borrowed from the build-time table when `src` is in it (the built-in rules:
/// no allocation per literal), owned when extracted now.
fn required_literals_cow(src: &str) -> Option<LiteralSets> {
    let borrowed = |blob: &'static [u8]| table_literals(blob).map(Cow::Borrowed).collect::<Vec<_>>();
    let owned = |ls: Vec<Vec<u8>>| ls.into_iter().map(Cow::Owned).collect::<Vec<_>>();
    match table_entry(src) {
        Some((found, gate)) => found.map(|(prefix, blob)| (prefix, borrowed(blob), gate.map(borrowed))),
        None => crate::source::required_literals_kind(src).map(|(prefix, ls)| {
            let gate = if prefix { crate::source::prefix_gate_literals(src).map(owned) } else { None };
            (prefix, owned(ls), gate)
        }),
    }
}

/// No state / no pattern (the automaton's `u32` "none").
const NONE: u32 = u32::MAX;

/// Fewest children for which a depth-2 state of [`LitAutomaton`] gets a dense row: 1, every
/// depth-2 state but the leaves (a leaf's transitions are its failure state's, a dense row one
/// step away). On the built-in literals about 330 rows of 1 KiB (counted from the build-time
/// literal table); a 280-character check's scan no longer walks the child lists of the states
/// it passes most often (callgrind: 246.8 k → 242.6 k instructions per check, cold start +0.3 M).
const DENSE2_MIN_CHILDREN: usize = 1;

/// An Aho-Corasick automaton over a set of non-empty byte strings that reports every occurrence
/// of every literal (overlapping), built with flat arrays and no allocation per literal or state:
/// the skeleton view's ~4,000 literals (~14,000 trie states) build in a fraction of what
/// `aho-corasick`'s noncontiguous NFA and its contiguous conversion took at cold start (~17M
/// instructions), and the scan reports the same occurrences
/// (`equivalence::lit_automaton_equals_aho_corasick_*`). Byte offsets throughout (the views are
/// byte strings; no UTF-16 here).
///
/// States are trie nodes, numbered in creation order (the root is 0). The root and its
/// children (depth < 2, as `aho-corasick`'s `dense_depth(2)`) and the depth-2 states with
/// children ([`DENSE2_MIN_CHILDREN`]) have a dense 256-entry row of their transitions with
/// failures resolved; the other states keep their children sorted by byte in one flat array
/// and fall back along their failure links.
pub(crate) struct LitAutomaton {
    states: Vec<LitState>,
    /// the dense rows (row 0: the root's; then the depth-1 states', then depth 2's)
    dense: Vec<[u32; 256]>,
    /// the children of the deeper states: `(byte, state)`, ascending by byte per state
    trans: Vec<(u8, u32)>,
    /// per pattern: the next pattern with the same bytes (duplicates), or [`NONE`]
    same: Vec<u32>,
    /// per pattern: its length in bytes
    lens: Vec<u32>,
    /// unique per automaton in the process (from 1), for [`NextMemo`]
    id: u64,
}

/// A state of [`LitAutomaton`].
#[derive(Clone, Copy)]
struct LitState {
    /// a state with a dense row (depth < 2, or depth 2 with children): that row, `hi`
    /// [`NONE`]; any other: its children are `trans[lo..hi]`
    lo: u32,
    hi: u32,
    /// the longest proper suffix of its string that is also a trie state
    fail: u32,
    /// the first literal (pattern id) equal to its string, or [`NONE`]
    out: u32,
    /// the nearest state along its failure chain (itself excluded) with an `out`, or [`NONE`]
    link: u32,
    /// itself if it has an `out`, else `link`: the first state whose literals end here
    report: u32,
}

impl LitAutomaton {
    /// The automaton of `lits` (pattern id = index). `None` if a literal is empty or the
    /// literals hold 2^32 - 2 bytes or more (`Prefilter::new` then fails: the literal
    /// extraction never yields an empty literal, `source::required_literals_kind`).
    pub(crate) fn new<L: AsRef<[u8]>>(lits: &[L]) -> Option<LitAutomaton> {
        if lits.iter().any(|l| l.as_ref().is_empty()) {
            return None;
        }
        let total: usize = lits.iter().map(|l| l.as_ref().len()).sum();
        if total >= NONE as usize - 1 {
            return None;
        }
        // literals in byte order: consecutive ones share their longest common prefix, so the
        // trie is built along one path (no child look-ups) and each state's children are
        // created in ascending byte order
        // (sorted by the first 8 bytes as a big-endian number, zero-padded, then each run of
        // equal heads by the whole literal: the same order as comparing the literals alone,
        // with integer comparisons: the slice comparisons were 3.7M of the 4,000-literal build)
        let head = |l: &[u8]| l.iter().take(8).enumerate().fold(0u64, |k, (i, &b)| k | u64::from(b) << (56 - 8 * i));
        // ((head, id) packed as `head << 32 | id` and the runs as ids: the crate's shared sorts,
        // crate::sort)
        let mut packed: Vec<u128> = lits.iter().zip(0u32..).map(|(l, i)| u128::from(head(l.as_ref())) << 32 | u128::from(i)).collect();
        packed.sort_unstable();
        let mut order: Vec<(u64, u32)> = packed.iter().map(|&k| ((k >> 32) as u64, k as u32)).collect();
        drop(packed);
        let mut run: Vec<u32> = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let j = i + order[i..].iter().take_while(|x| x.0 == order[i].0).count();
            if j - i > 1 {
                run.clear();
                run.extend(order[i..j].iter().map(|x| x.1));
                crate::sort::sort_indices_by_bytes(&mut run, &|p| lits[p as usize].as_ref());
                for (x, &p) in order[i..j].iter_mut().zip(&run) {
                    x.1 = p;
                }
            }
            i = j;
        }
        let mut parent: Vec<u32> = Vec::with_capacity(total + 1);
        let mut label: Vec<u8> = Vec::with_capacity(total + 1);
        let mut out: Vec<u32> = Vec::with_capacity(total + 1);
        parent.push(NONE);
        label.push(0);
        out.push(NONE);
        let mut same = vec![NONE; lits.len()];
        let mut last_of: Vec<u32> = vec![NONE; lits.len()]; // last pattern of a duplicate run
        // the states along the previous literal's path (path[d]: its state at depth d)
        let mut path: Vec<u32> = vec![0];
        let mut prev: &[u8] = &[];
        for &(_, p) in &order {
            let l = lits[p as usize].as_ref();
            let common = l.iter().zip(prev).take_while(|(a, b)| a == b).count();
            path.truncate(common + 1);
            for &b in &l[common..] {
                let s = parent.len() as u32;
                parent.push(*path.last().expect("root"));
                label.push(b);
                out.push(NONE);
                path.push(s);
            }
            let s = *path.last().expect("root") as usize;
            if out[s] == NONE {
                out[s] = p;
                last_of[p as usize] = p;
            } else {
                let first = out[s] as usize;
                same[last_of[first] as usize] = p;
                last_of[first] = p;
            }
            prev = l;
        }
        let n = parent.len();
        // children as CSR arrays: created in ascending byte order per parent, so kept sorted
        let mut at = vec![0u32; n + 1];
        for &q in &parent[1..] {
            at[q as usize + 1] += 1;
        }
        for i in 1..=n {
            at[i] += at[i - 1];
        }
        let mut fill: Vec<u32> = at[..n].to_vec();
        let mut trans = vec![(0u8, 0u32); n - 1];
        for s in 1..n {
            let q = parent[s] as usize;
            trans[fill[q] as usize] = (label[s], s as u32);
            fill[q] += 1;
        }
        let states = (0..n).map(|s| LitState { lo: at[s], hi: at[s + 1], fail: 0, out: out[s], link: NONE, report: if out[s] != NONE { s as u32 } else { NONE } }).collect();
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut a = LitAutomaton { states, dense: Vec::new(), trans, same, lens: lits.iter().map(|l| l.as_ref().len() as u32).collect(), id };
        // the root's dense row: its children, else itself
        let mut root = [0u32; 256];
        let (lo, hi) = (at[0] as usize, at[1] as usize);
        for &(b, t) in &a.trans[lo..hi] {
            root[usize::from(b)] = t;
        }
        a.dense.push(root);
        a.states[0].lo = 0;
        a.states[0].hi = NONE;
        // breadth first: a state's failure link from its parent's (shallower, already set);
        // the depth-1 states (failure: the root) get their dense rows once their children's
        // links are set
        let mut queue: Vec<u32> = Vec::with_capacity(n);
        queue.extend(a.trans[lo..hi].iter().map(|t| t.1));
        let mut head = 0;
        while head < queue.len() {
            let u = queue[head] as usize;
            head += 1;
            for i in at[u] as usize..at[u + 1] as usize {
                let (b, c) = a.trans[i];
                let f = a.next(a.states[u].fail, b);
                let fs = a.states[f as usize];
                let link = if fs.out != NONE { f } else { fs.link };
                let cs = &mut a.states[c as usize];
                cs.fail = f;
                cs.link = link;
                if cs.out == NONE {
                    cs.report = link;
                }
                queue.push(c);
            }
        }
        for i in lo..hi {
            let s = a.trans[i].1 as usize;
            let mut row = root;
            for &(b, t) in &a.trans[at[s] as usize..at[s + 1] as usize] {
                row[usize::from(b)] = t;
            }
            a.states[s].lo = a.dense.len() as u32;
            a.states[s].hi = NONE;
            a.dense.push(row);
        }
        // the depth-2 states with at least `DENSE2_MIN_CHILDREN` children get a dense row too:
        // their failure state (depth < 2) has one already, so the row is a copy of it with the
        // state's own children written over (the same transitions the failure walk would find)
        for i in lo..hi {
            let d1 = a.trans[i].1 as usize;
            for j in at[d1] as usize..at[d1 + 1] as usize {
                let s = a.trans[j].1 as usize;
                let (clo, chi) = (at[s] as usize, at[s + 1] as usize);
                if chi - clo < DENSE2_MIN_CHILDREN {
                    continue;
                }
                let f = a.states[s].fail as usize;
                let mut row = a.dense[a.states[f].lo as usize];
                for &(b, t) in &a.trans[clo..chi] {
                    row[usize::from(b)] = t;
                }
                a.states[s].lo = a.dense.len() as u32;
                a.states[s].hi = NONE;
                a.dense.push(row);
            }
        }
        Some(a)
    }

    /// The state after `s` on byte `b` (following failure links).
    #[inline(always)]
    fn next(&self, mut s: u32, b: u8) -> u32 {
        loop {
            let st = &self.states[s as usize];
            if st.hi == NONE {
                return self.dense[st.lo as usize][usize::from(b)];
            }
            if let Some(t) = self.trans[st.lo as usize..st.hi as usize].iter().find(|t| t.0 == b) {
                return t.1;
            }
            s = st.fail;
        }
    }

    /// [`LitAutomaton::next`] through `memo` for a state without a dense row: the failure walk
    /// tests a state's children one by one, and may go down a chain of several states, where a
    /// remembered transition is one hashed load and compare (callgrind, session 21: a 280-character
    /// check 243.0k -> 238.9k instructions, the rest of the scan being its reports). The memo is
    /// direct-mapped (a transition that lands on an occupied slot replaces it), so it stays a fixed
    /// size however long the draft.
    #[inline(always)]
    fn next_memo(&self, s: u32, b: u8, memo: &mut NextMemo) -> u32 {
        let st = &self.states[s as usize];
        if st.hi == NONE {
            return self.dense[st.lo as usize][usize::from(b)];
        }
        // `s` < 2^24 (checked when the memo is sized), so the key is exact and never u32::MAX
        let key = s << 8 | u32::from(b);
        let slot = &mut memo.slots[(key.wrapping_mul(0x9E37_79B1) >> memo.shift) as usize];
        if (*slot >> 32) as u32 == key {
            return *slot as u32;
        }
        let t = self.next(s, b);
        *slot = u64::from(key) << 32 | u64::from(t);
        t
    }

    /// Calls `f(pattern, start)` for every occurrence of every literal in `hay` (overlapping;
    /// `start` a byte offset): by ascending end, in no particular order among those ending at
    /// the same byte (the same set of occurrences as `aho-corasick`'s `find_overlapping_iter`).
    /// Out of line: inlined into `Prefilter::candidates_in`, a 280-character check cost ~1.5k
    /// instructions more (callgrind; the scan loop's registers shared with the bookkeeping).
    /// In the root state the bytes no literal starts with are skipped in one tight loop (they
    /// leave the root where it is, and the root reports nothing: the same occurrences) instead
    /// of a transition and a report check each: the profanity view's scan, with few literals,
    /// is mostly that (callgrind, 280-char check: 237.3k -> 234.9k instructions with both
    /// views on this automaton; aho-corasick's packed prefilter on main: 235.3k).
    /// Transitions out of states without a dense row are remembered in `memo` (kept between
    /// calls: see [`NextMemo`]); one that belongs to another automaton is cleared first.
    #[inline(never)]
    pub(crate) fn for_each_match(&self, hay: &[u8], memo: &mut NextMemo, f: impl FnMut(usize, usize)) {
        if !memo.fits(self) {
            // too many states for the memo's key: the plain failure walk
            return self.for_each_match_with(hay, |a, s, b| a.next(s, b), f);
        }
        self.for_each_match_with(hay, |a, s, b| a.next_memo(s, b, memo), f)
    }

    #[inline(always)]
    fn for_each_match_with(&self, hay: &[u8], mut next: impl FnMut(&Self, u32, u8) -> u32, mut f: impl FnMut(usize, usize)) {
        let mut s = 0u32;
        let mut i = 0;
        let root = &self.dense[0];
        while i < hay.len() {
            if s == 0 {
                match hay[i..].iter().position(|&b| root[usize::from(b)] != 0) {
                    Some(k) => i += k,
                    None => return,
                }
            }
            let b = hay[i];
            s = next(self, s, b);
            let mut m = self.states[s as usize].report;
            while m != NONE {
                let ms = &self.states[m as usize];
                let mut p = ms.out;
                while p != NONE {
                    f(p as usize, i + 1 - self.lens[p as usize] as usize);
                    p = self.same[p as usize];
                }
                m = ms.link;
            }
            i += 1;
        }
    }
}

/// Remembered transitions of a [`LitAutomaton`] (see `LitAutomaton::next_memo`): `slots`
/// (2^[`NextMemo::BITS`] of them, 8 bytes each) hold `key << 32 | next state`, `key` being
/// `state << 8 | byte`, an empty slot `u64::MAX` (no key is `u32::MAX`). `owner` is the id of
/// the automaton it was filled for (unique per process), so a memo handed to another automaton
/// starts empty. Kept in [`Scratch`] between checks: a draft being typed revisits the
/// same transitions keystroke after keystroke.
pub(crate) struct NextMemo {
    slots: Vec<u64>,
    shift: u32,
    owner: u64,
}

impl Default for NextMemo {
    fn default() -> NextMemo {
        NextMemo { slots: Vec::new(), shift: 32 - NextMemo::BITS, owner: 0 }
    }
}

impl NextMemo {
    /// log2 of the slot count: 2^13 slots, 64 KiB. A 280-character draft takes a few hundred
    /// transitions out of sparse states; a 63,206-character one some thousands, most of them
    /// repeated.
    const BITS: u32 = 13;

    /// A memo of 2^`bits` slots (tests: a tiny one makes transitions evict each other).
    #[cfg(test)]
    fn with_bits(bits: u32) -> NextMemo {
        NextMemo { shift: 32 - bits, ..NextMemo::default() }
    }

    /// Whether the memo can serve `a` (fewer than 2^24 states), made empty if it served another
    /// automaton or none yet.
    fn fits(&mut self, a: &LitAutomaton) -> bool {
        if a.states.len() >= 1 << 24 {
            return false;
        }
        if self.owner != a.id {
            self.slots.clear();
            self.slots.resize(1 << (32 - self.shift), u64::MAX);
            self.owner = a.id;
        }
        true
    }
}

/// Working vectors of [`Prefilter::candidates_in`], kept between checks so a check does not
/// allocate them again: the literal bit set, the conditions met, the (literal, start) pairs, the
/// counting sort's cursors, and a finished [`Starts`] given back by [`Prefilter::recycle`].
/// Contents are meaningless between calls.
#[derive(Default)]
pub(crate) struct Scratch {
    present: Vec<u64>,
    sat: Vec<bool>,
    found: Vec<(u32, u32)>,
    fill: Vec<u32>,
    spare: Option<Starts>,
    /// per view, its automaton's remembered transitions
    memo: [NextMemo; 2],
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Prefilter {
    pub(crate) fn new(rules: &[Rule]) -> Result<Prefilter, String> {
        let id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // per view, its distinct literals (built-in ones borrowed from the build-time table)
        let mut lits: [Vec<Cow<'static, [u8]>>; 2] = [Vec::new(), Vec::new()];
        let mut raw_groups: Vec<Vec<(usize, Vec<usize>)>> = Vec::new();
        let mut ids: [FastMap<Cow<'static, [u8]>, usize>; 2] = Default::default();
        let mut intern = |v: usize, l: Cow<'static, [u8]>, lits: &mut [Vec<Cow<'static, [u8]>>; 2]| {
            *ids[v].entry(l).or_insert_with_key(|l| {
                lits[v].push(l.clone());
                lits[v].len() - 1
            })
        };
        // many fields share a regex (concept lexicons): look each one's literals up once, and
        // intern them once per view (keyed by the shared regex, not by its long source)
        // (regex id, view) -> whether its literals are a prefix set, their interned ids, and a
        // prefix set's rarer required set's interned ids
        type LitIds = Option<(bool, std::rc::Rc<Vec<usize>>, Option<std::rc::Rc<Vec<usize>>>)>;
        let mut cache: FastMap<(usize, usize), LitIds> = FastMap::default();
        let mut ids_of = |lazy: &crate::rules::Lazy, v: usize, lits: &mut [Vec<Cow<'static, [u8]>>; 2]| {
            cache
                .entry((lazy.id(), v))
                .or_insert_with(|| {
                    required_literals_cow(lazy.src()).map(|(p, ls, gate)| {
                        let mut ids = |ls: Vec<Cow<'static, [u8]>>| std::rc::Rc::new(ls.into_iter().map(|l| intern(v, l, lits)).collect::<Vec<usize>>());
                        (p, ids(ls), gate.map(&mut ids))
                    })
                })
                .clone()
        };
        // (view, literal id within the view, slot)
        let mut feeds: Vec<(usize, usize, u32)> = Vec::new();
        // the gated fields searched by runs: (field, view, gate), given their required-literal
        // slots once the gates' conditions are known (`Lazy::set_runs`)
        let mut run_gates: Vec<(&crate::rules::Lazy, usize, usize)> = Vec::new();
        let mut n_slots = 0u32;
        // (view, literal ids within the view) of each gate
        let mut raw_gates: Vec<(usize, Vec<usize>)> = Vec::new();
        for r in rules {
            let mut gs = Vec::new();
            let mut conds: Vec<(&crate::rules::Lazy, usize)> = Vec::new();
            if let Some((re, prof)) = r.trigger_field() {
                conds.push((re, usize::from(prof)));
            }
            conds.extend(r.required_fields().into_iter().map(|l| (l, 0)));
            for (lazy, v) in conds {
                if let Some((_, ids, _)) = ids_of(lazy, v, &mut lits) {
                    gs.push((v, ids.to_vec()));
                }
            }
            raw_groups.push(gs);
            for (lazy, v) in r.regex_fields() {
                let ids = match ids_of(lazy, v, &mut lits) {
                    Some((true, ids, gate)) => {
                        // a prefix set with a rarer required set: gated on that as well (closed,
                        // the field is skipped before its anchored searches)
                        if let Some(g) = gate {
                            if lazy.set_gate(v, id, raw_gates.len() as u32) {
                                raw_gates.push((v, g.to_vec()));
                            }
                        }
                        ids
                    }
                    Some((false, ids, _)) => {
                        if lazy.set_gate(v, id, raw_gates.len() as u32) {
                            // and the starts of those literals: once the gate is open, on a long
                            // view, the field searches only the runs of bytes it can consume
                            // around them (`Lazy::find_in_runs`)
                            run_gates.push((lazy, v, raw_gates.len()));
                            raw_gates.push((v, ids.to_vec()));
                        }
                        continue;
                    }
                    None => continue,
                };
                if !lazy.set_slot(v, id, n_slots) {
                    continue; // shared by an earlier field (same source, same view)
                }
                for &k in ids.iter() {
                    feeds.push((v, k, n_slots));
                }
                n_slots += 1;
            }
        }
        let offset = lits[0].len();
        // distinct literal groups (many fields share a concept lexicon's) as conditions
        // (group -> condition id, and the groups in id order, so the per-literal lists below come
        // out in ascending condition order without sorting)
        let mut conds: FastMap<Vec<u32>, u32> = FastMap::default();
        let mut cond_groups: Vec<Vec<u32>> = Vec::new();
        let mut cond = |v: usize, ids: Vec<usize>| -> u32 {
            let mut g: Vec<u32> = ids.into_iter().map(|k| (k + v * offset) as u32).collect();
            g.sort_unstable();
            g.dedup();
            let n = conds.len() as u32;
            *conds.entry(g).or_insert_with_key(|g| {
                cond_groups.push(g.clone());
                n
            })
        };
        let groups: Vec<Vec<u32>> = raw_groups.into_iter().map(|gs| gs.into_iter().map(|(v, ids)| cond(v, ids)).collect()).collect();
        let n_lits = offset + lits[1].len();
        let gates: Vec<u32> = raw_gates.into_iter().map(|(v, ids)| cond(v, ids)).collect();
        let n_conds = conds.len();
        // literal -> conditions and literal -> slots, as CSR arrays built by a counting sort on
        // the literal id (linear; a comparison sort of the pairs cost ~2.8M instructions at cold
        // start). Stable, and the pairs are generated in ascending condition / slot order, so
        // each literal's list is ascending as a sort by (literal, id) would leave it.
        let lit_cond = cond_groups.iter().enumerate().flat_map(|(c, g)| g.iter().map(move |&k| (k as usize, c as u32)));
        let (lit_cond_at, lit_conds) = csr(n_lits, lit_cond);
        let (lit_slot_at, lit_slots) = csr(n_lits, feeds.iter().map(|&(v, k, s)| (k + v * offset, s)));
        let mut cond_run = vec![NONE; n_conds];
        let mut n_run_slots = 0u32;
        for (lazy, v, g) in run_gates {
            let c = gates[g] as usize;
            if cond_run[c] == NONE {
                cond_run[c] = n_run_slots;
                n_run_slots += 1;
            }
            lazy.set_runs(v, id, cond_run[c]);
        }
        let mut lit_runs = vec![0u64; n_lits.div_ceil(64)];
        for (c, g) in cond_groups.iter().enumerate() {
            if cond_run[c] != NONE {
                for &k in g {
                    lit_runs[k as usize / 64] |= 1 << (k % 64);
                }
            }
        }
        // both views on `LitAutomaton` (the profanity view's few literals were on the
        // `aho-corasick` crate, contiguous NFA with its packed prefilter: the crate was 76.9 kB
        // raw / 25.0 KiB gzip of the wasm's code with regex-automata's use of it; the same
        // occurrences, `equivalence::lit_automaton_equals_aho_corasick_on_the_profanity_view`)
        let build = |v: usize, l: &Vec<Cow<'static, [u8]>>| -> Result<Option<LitAutomaton>, String> {
            if l.is_empty() {
                return Ok(None);
            }
            LitAutomaton::new(l).map(Some).ok_or_else(|| format!("rule trigger prefilter: view {v}'s {} literals: an empty literal, or 2^32 - 2 bytes or more", l.len()))
        };
        Ok(Prefilter {
            views: [build(0, &lits[0])?, build(1, &lits[1])?],
            #[cfg(test)]
            lits: lits.map(|v| v.into_iter().map(Cow::into_owned).collect()),
            offset,
            groups,
            lit_cond_at,
            lit_conds,
            n_conds,
            n_lits,
            id,
            lit_slot_at,
            lit_slots,
            cond_run,
            n_run_slots: n_run_slots as usize,
            lit_runs,
            n_slots: n_slots as usize,
            gates,
        })
    }

    /// `out[i]`: false if rule `i` certainly cannot fire on `p` (a required literal is absent).
    /// Returns the start positions of every position source's literals in `p` (byte offsets
    /// into the skeleton or the profanity view, ascending per slot) and which gates are open,
    /// for `Rule::hits_with`.
    #[allow(dead_code)] // tests; the engine uses `candidates_in`
    pub(crate) fn candidates(&self, p: &Prepared, out: &mut Vec<bool>) -> Starts {
        self.candidates_in(p, out, &mut Scratch::default())
    }

    /// [`Prefilter::candidates`] with its working vectors (and, if [`Prefilter::recycle`] gave
    /// one back, the previous result's) taken from `scratch`: the same result without
    /// allocating once the vectors have grown (a checker keeps one scratch between checks).
    #[inline(never)] // its own entry in a profile (inlined, its cost went to `Engine::check_with`)
    pub(crate) fn candidates_in(&self, p: &Prepared, out: &mut Vec<bool>, scratch: &mut Scratch) -> Starts {
        let Scratch { present, sat, found, fill, spare, memo } = scratch;
        let (mut at, mut flat, mut open) = match spare.take() {
            Some(s) => (s.at, s.flat, s.open),
            None => Default::default(),
        };
        // literals seen (a bit per literal: thousands of them, cleared on every check)
        present.clear();
        present.resize(self.n_lits.div_ceil(64), 0);
        sat.clear();
        sat.resize(self.n_conds, false);
        // per slot its occurrence count, counted during the scan (at[s + 1]), then prefix-summed
        // (the required-literal slots, after the prefix slots, only if a view is long enough to
        // fill them, `Starts::runs`)
        let runs = [p.norm.skel.len(), p.prof.len()].map(|n| n >= Starts::RUNS_MIN_LEN);
        let n_live = if runs.contains(&true) { self.n_slots + self.n_run_slots } else { self.n_slots };
        at.clear();
        at.resize(n_live + 1, 0);
        // (literal, start) of every literal occurrence that feeds a slot; then its start is put
        // in each slot the literal feeds, grouped by slot (counting sort) into one flat array,
        // each slot's run sorted by start
        found.clear();
        found.reserve(p.norm.skel.len() / 2);
        for (v, hay) in [(0usize, &p.norm.skel[..]), (1, &p.prof[..])] {
            let Some(ac) = &self.views[v] else { continue };
            self.scan_view(ac, hay, v, runs[v], present, sat, &mut at, found, &mut memo[v]);
        }
        for i in 1..at.len() {
            at[i] += at[i - 1];
        }
        flat.clear();
        flat.resize(at[n_live] as usize, 0);
        fill.clear();
        fill.extend_from_slice(&at);
        for &(k, pos) in found.iter() {
            let k = k as usize;
            let (a, b) = (self.lit_slot_at[k] as usize, self.lit_slot_at[k + 1] as usize);
            // a literal was pushed for its run slots only if its view's are filled
            for &s in &self.lit_slots[a..b] {
                flat[fill[s as usize] as usize] = pos;
                fill[s as usize] += 1;
            }
            // pushed for its required-literal slots only if its view's are filled
            if runs[usize::from(k >= self.offset)] && self.lit_runs[k / 64] & (1 << (k % 64)) != 0 {
                for &c in &self.lit_conds[self.lit_cond_at[k] as usize..self.lit_cond_at[k + 1] as usize] {
                    let r = self.cond_run[c as usize];
                    if r != NONE {
                        let s = self.n_slots + r as usize;
                        flat[fill[s] as usize] = pos;
                        fill[s] += 1;
                    }
                }
            }
        }
        for w in at.windows(2) {
            if w[1] - w[0] > 1 {
                // a slot's starts mostly come in order already (the scan reports occurrences
                // by end): checking is cheaper than sorting them again (measured)
                let run = &mut flat[w[0] as usize..w[1] as usize];
                if !run.is_sorted() {
                    run.sort_unstable();
                }
            }
        }
        out.clear();
        out.extend(self.groups.iter().map(|gs| gs.iter().all(|&c| sat[c as usize])));
        open.clear();
        open.extend(self.gates.iter().map(|&c| sat[c as usize]));
        Starts { owner: self.id, at, flat, open, runs, run_base: self.n_slots as u32, seps: Default::default() }
    }

    /// One view's scan for [`Prefilter::candidates_in`]: marks the literals present and the
    /// conditions they satisfy, counts each occurrence in the slots its literal feeds
    /// (`at[slot + 1]`) and records `(literal, start)` in `found` for those that feed one.
    /// `runs`: the required-literal slots too (a view of at least `Starts::RUNS_MIN_LEN` bytes).
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn scan_view(&self, ac: &LitAutomaton, hay: &[u8], v: usize, runs: bool, present: &mut [u64], sat: &mut [bool], at: &mut [u32], found: &mut Vec<(u32, u32)>, memo: &mut NextMemo) {
        // overlapping: every occurrence of every literal, so every possible match start
        ac.for_each_match(hay, memo, |pattern, start| {
            let k = pattern + v * self.offset;
            if present[k / 64] & (1 << (k % 64)) == 0 {
                present[k / 64] |= 1 << (k % 64);
                for &c in &self.lit_conds[self.lit_cond_at[k] as usize..self.lit_cond_at[k + 1] as usize] {
                    sat[c as usize] = true;
                }
            }
            let (a, b) = (self.lit_slot_at[k] as usize, self.lit_slot_at[k + 1] as usize);
            let mut fed = a < b;
            for &s in &self.lit_slots[a..b] {
                at[s as usize + 1] += 1;
            }
            // a required literal also feeds its conditions' run slots (long views only)
            if runs && self.lit_runs[k / 64] & (1 << (k % 64)) != 0 {
                for &c in &self.lit_conds[self.lit_cond_at[k] as usize..self.lit_cond_at[k + 1] as usize] {
                    let r = self.cond_run[c as usize];
                    if r != NONE {
                        at[self.n_slots + r as usize + 1] += 1;
                        fed = true;
                    }
                }
            }
            if fed {
                found.push((k as u32, start as u32));
            }
        });
    }

    /// Gives `starts` (a result of [`Prefilter::candidates_in`], no longer needed) back to
    /// `scratch`, so the next call reuses its vectors.
    pub(crate) fn recycle(starts: Starts, scratch: &mut Scratch) {
        scratch.spare = Some(starts);
    }
}

/// `(at, items)`: the `(key, item)` pairs grouped by key (`key < n`) in one array,
/// `items[at[k] as usize..at[k + 1] as usize]` being key `k`'s items in the order `pairs` gave
/// them (a stable counting sort: linear in `n` plus the pairs). `pairs` is iterated twice.
fn csr(n: usize, pairs: impl Iterator<Item = (usize, u32)> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut at = vec![0u32; n + 1];
    for (k, _) in pairs.clone() {
        at[k + 1] += 1;
    }
    for i in 1..at.len() {
        at[i] += at[i - 1];
    }
    let mut fill: Vec<u32> = at[..n].to_vec();
    let mut items = vec![0u32; at[n] as usize];
    for (k, x) in pairs {
        items[fill[k] as usize] = x;
        fill[k] += 1;
    }
    (at, items)
}

#[cfg(test)]
mod tests {
    /// `csr` groups pairs by key exactly as sorting them by (key, item) and splitting would when
    /// each key's items come in ascending order (as `Prefilter::new` generates them), keeps the
    /// given order within a key otherwise, and gives empty runs to keys without pairs.
    #[test]
    fn csr_groups_pairs_by_key_in_order() {
        let pairs = [(3usize, 1u32), (0, 2), (3, 5), (1, 7), (3, 9), (0, 4)];
        let (at, items) = super::csr(5, pairs.iter().copied());
        assert_eq!(at, vec![0, 2, 3, 3, 6, 6]);
        assert_eq!(items, vec![2, 4, 7, 1, 5, 9]);
        let mut sorted = pairs.to_vec();
        sorted.sort_unstable();
        assert_eq!(items, sorted.iter().map(|p| p.1).collect::<Vec<_>>());
        let (at, items) = super::csr(2, [(1usize, 8u32), (1, 6)].into_iter());
        assert_eq!((at, items), (vec![0, 0, 2], vec![8, 6]));
    }

    /// The built-in rule fields with neither a prefix literal set (position source) nor a
    /// required-literal gate (`source::contained_literals`: no finite set of literals of at least
    /// 3 bytes that every match contains, e.g. `[a-z]+,? \d{1,3},`) scan the whole draft with the
    /// meta regex on every check and compile a forward and reverse NFA on the first: the most
    /// expensive kind of field (docs/performance.md). A ratchet, so a rule change that adds more
    /// is noticed: lower `MAX` when rules are fixed, raise it only knowingly. The failure lists
    /// them. (Gated fields also scan the whole draft, but only once their gate opens.)
    #[test]
    fn ungated_whole_draft_scans_stay_few() {
        const MAX: usize = 19;
        let e = crate::engine::Engine::builtin().unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut srcs: Vec<String> = Vec::new();
        for r in e.rules() {
            for (l, v) in r.regex_fields() {
                if super::required_literals(l.src()).is_none() && seen.insert((v, l.src().to_string())) {
                    srcs.push(format!("{} (view {v}): {}", r.spec.id, &l.src()[..l.src().len().min(120)]));
                }
            }
        }
        assert!(srcs.len() <= MAX, "{} ungated whole-draft sources (max {MAX}):\n{}", srcs.len(), srcs.join("\n"));
    }
}

#[cfg(test)]
mod equivalence {
    //! The anchored-at-literal-starts path against the whole-haystack meta regex: they must give
    //! the same matches for every built-in prefix-literal source (`rules::Lazy::find_at`) and the
    //! same hits for every built-in rule (`Rule::hits_with` vs `Rule::hits`).
    use super::{prefix_gate_literals, required_literals, Prefilter};
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

    /// The skeleton and profanity view of every test text (`texts`), as `(skel, prof)`.
    fn views(rules: &[Rule]) -> Vec<(Vec<u8>, Vec<u8>)> {
        let det = crate::detectors::Detectors::new();
        texts(rules)
            .iter()
            .map(|t| {
                let p = Prepared::new(t, &det);
                (p.norm.skel.clone(), p.prof.clone())
            })
            .collect()
    }

    /// Every distinct rule-field regex of `rules` (by source, first use kept) with its rule.
    fn distinct_fields(rules: &[Rule]) -> Vec<(&Rule, &Lazy)> {
        let mut seen = std::collections::HashSet::new();
        rules
            .iter()
            .flat_map(|r| r.regex_fields().into_iter().map(move |(l, _)| (r, l)))
            .filter(|(_, l)| seen.insert(l.src().to_string()))
            .collect()
    }

    /// `find_at` at the literal starts == meta `find_iter`, per prefix-literal source, on every
    /// text's skeleton and profanity view and on synthetic haystacks built from the literals
    /// (empty, a literal at 0 and at the end, after a word character, overlapping and run
    /// together, a match starting inside a previous one).
    #[test]
    fn anchored_search_at_literal_starts_equals_find_iter() {
        let rules = fresh_rules();
        let views = views(&rules);
        let (mut sources, mut matches) = (0, 0);
        for (r, l) in distinct_fields(&rules) {
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
        assert!(sources > 50 && matches > 1000, "{sources} sources, {matches} matches");
    }

    /// The whole-view search ([`Lazy::find_iter`]: forward lazy DFA, reverse DFA built on the
    /// first match) == the meta regex's `find_iter`, and the forward-only `is_match` == the meta
    /// `is_match`, for every built-in rule source on every text's skeleton and profanity view and
    /// on the empty haystack; each source is searched with fresh `Lazy`s (so the first search of
    /// a source is also checked, whether or not its first haystack matches).
    #[test]
    fn whole_view_search_equals_meta_find_iter() {
        let rules = fresh_rules();
        let views = views(&rules);
        let (mut sources, mut matches) = (0, 0);
        for (r, l) in distinct_fields(&rules) {
            sources += 1;
            let mut pool = crate::rules::RegexPool::new(false);
            let fresh = pool.lazy(l.src());
            let probe = pool.lazy(l.src()); // shares `fresh`'s compiled DFAs
            assert_eq!(fresh.find_iter(b""), Ok(meta(l, b"")), "{}", r.spec.id);
            for (skel, prof) in &views {
                for hay in [skel, prof] {
                    let want = meta(l, hay);
                    matches += want.len();
                    assert_eq!(fresh.find_iter(hay), Ok(want.clone()), "{} on {:?}", r.spec.id, String::from_utf8_lossy(hay));
                    assert_eq!(probe.is_match_whole(hay), l.get().is_match(hay), "{} on {:?}", r.spec.id, String::from_utf8_lossy(hay));
                }
            }
        }
        assert!(sources > 100 && matches > 5000, "{sources} sources, {matches} matches");
    }

    /// The test above can fail: on real drafts most matches start after the point the
    /// forward search started from (the previous match's end), so a search that skipped the
    /// reverse DFA (reporting the search start as the match start) would differ from meta.
    #[test]
    fn whole_view_starts_come_from_the_reverse_search() {
        let rules = fresh_rules();
        let views = views(&rules);
        let (l, _) = rules.iter().find(|r| r.spec.id.starts_with("confidential.")).expect("a rule").regex_fields()[0];
        let (mut later, mut all) = (0, 0);
        for (skel, _) in &views {
            let got = l.find_iter(skel).expect("builds");
            assert_eq!(got, meta(l, skel));
            let mut prev_end = 0;
            for &(s, e) in &got {
                later += usize::from(s > prev_end);
                prev_end = e;
            }
            all += got.len();
        }
        assert!(all > 10 && later * 2 > all, "{later} of {all} matches start after the search start");
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

    /// Where a gated source's matches in `hay` break its gate: a match containing none of `lits`.
    fn gate_violations(l: &Lazy, lits: &[Vec<u8>], hay: &[u8]) -> Vec<(usize, usize)> {
        let ac = AhoCorasick::new(lits).expect("literals");
        meta(l, hay).into_iter().filter(|&(s, e)| ac.find(&hay[s..e]).is_none()).collect()
    }

    /// `hay` with every occurrence of one of `lits` broken (its first byte replaced by `#`,
    /// repeated until none is left).
    fn without(lits: &[Vec<u8>], hay: &[u8]) -> Vec<u8> {
        let ac = AhoCorasick::new(lits).expect("literals");
        let mut h = hay.to_vec();
        while let Some(m) = ac.find(&h) {
            h[m.start()] = b'#';
        }
        h
    }

    /// The gate literals of a source, if the prefilter gates it: a required set
    /// (`required_literals` gives `(false, set)`), or a prefix set's rarer required set
    /// (`prefix_gate_literals`).
    /// Drafts of at least `Starts::RUNS_MIN_LEN` skeleton bytes (so the engine searches its gated
    /// fields' runs, `Lazy::find_in_runs`): consecutive texts of [`texts`] joined, in turn, by a
    /// space, ". ", a newline and nothing (a literal right after a word character), each draft
    /// starting further into the list.
    fn long_texts(rules: &[Rule]) -> Vec<String> {
        let t = texts(rules);
        let seps = [" ", ". ", "\n", ""];
        (0..6)
            .map(|d| {
                let mut s = String::new();
                let mut i = d * t.len() / 6;
                while s.len() < crate::rules::Starts::RUNS_MIN_LEN + 600 {
                    s.push_str(&t[i % t.len()]);
                    s.push_str(seps[i % seps.len()]);
                    i += 1;
                }
                s
            })
            .collect()
    }

    /// `Lazy::find_in_runs` (and its yes/no form) over the required-literal starts of `lits` in
    /// `hay` (every occurrence, by aho-corasick).
    fn in_runs(l: &Lazy, lits: &[Vec<u8>], hay: &[u8]) -> (Vec<(usize, usize)>, bool) {
        let ac = AhoCorasick::new(lits).expect("literals");
        let starts = starts_of(&ac, hay);
        let seps = crate::rules::separators(hay);
        let mut got = Vec::new();
        l.find_in_runs(hay, &starts, &seps, false, &mut |s, e| {
            got.push((s, e));
            true
        })
        .expect("runs search");
        let mut any = false;
        l.find_in_runs(hay, &starts, &seps, true, &mut |_, _| {
            any = true;
            false
        })
        .expect("runs search");
        (got, any)
    }

    /// Every built-in field with a required (not prefix) literal set, searched over the runs
    /// around its literals (`Lazy::find_in_runs`), finds exactly the `regex` crate's
    /// `find_iter` matches, and its yes/no form answers as `is_match`, on both views of test
    /// texts and of long drafts joined from them.
    #[test]
    fn runs_search_equals_find_iter_for_every_gated_field() {
        let rules = fresh_rules();
        // every tenth test text (each source is compared on each view: the whole list takes
        // minutes in a debug build) and every long draft
        let mut vs: Vec<(Vec<u8>, Vec<u8>)> = views(&rules).into_iter().step_by(10).collect();
        let det = crate::detectors::Detectors::new();
        vs.extend(long_texts(&rules).iter().map(|t| {
            let p = Prepared::new(t, &det);
            (p.norm.skel.clone(), p.prof.clone())
        }));
        let (mut sources, mut matches) = (0, 0);
        for (_, l) in distinct_fields(&rules) {
            let Some((false, lits)) = required_literals(l.src()) else { continue };
            sources += 1;
            for (skel, prof) in &vs {
                for hay in [skel, prof] {
                    let want = meta(l, hay);
                    let (got, any) = in_runs(l, &lits, hay);
                    assert_eq!(got, want, "{} on {:?}", l.src(), String::from_utf8_lossy(hay));
                    assert_eq!(any, l.get().is_match(hay), "{} on {:?}", l.src(), String::from_utf8_lossy(hay));
                    matches += want.len();
                }
            }
        }
        // (47 distinct sources with a required set, 33,187 matches on every text when written)
        assert!(sources > 40 && matches > 2000, "{sources} sources, {matches} matches");
    }

    /// Council-style sources written to stress the runs search: classes and `\w+` around the
    /// required literal, word boundaries and `^`/`$` at a run's edges, punctuation inside a
    /// match, newlines, alternations of a literal branch and a class-led one, leet classes. On
    /// random drafts built from their own pieces, `Lazy::find_in_runs` over the starts of the
    /// source's required literals equals the `regex` crate's `find_iter` and `is_match`.
    #[test]
    fn runs_search_equals_find_iter_on_council_style_sources() {
        let sources = [
            r"\w+ street",
            r"\b[a-z0-9]+,? [a-z]+(?: [a-z]+)? (?:street|road|lane)\b",
            r"\b{start-half}\w+ly council\b{end-half}",
            r"(?:^|[.!?]\s*)\w*official\s*:",
            r"\w*leak(?:ed|s)?$",
            r"\b{start-half}(?:\w*x+(?:o+|[*@])y+ council|\w+ council (?:is|was) [a-z]+)\b{end-half}",
            r"[a-z]+, \d{1,2}, from \w+",
            r"\w+\.? [a-z]+ (?:of|from) \w+",
            r"\w+'s the (?:best|worst)\b",
            r"(?:\w+ ){0,3}hates? (?:us|staff)",
            r"\w*(?:c\.o\.|co)uncil[a-z]*\b",
            r"[^.]{0,3}council",
        ];
        let pieces = [
            "street", "road", "lane", "council", "official", ":", "leak", "leaked", "leaks", "xoy", "x*y", "xxooyy", "is", "was", "mr", "mrs", ".", "of", "from",
            "'s the", "best", "worst", "hates", "hate", "us", "staff", "c.o.uncil", "councillor", "ably", "bly", "12", "7a", "3,", "jo", "kent", "!", "?", "\n",
            ",", " ", " ", " ", "  ", "-", "\u{7f}", "@", "*",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let texts: Vec<Vec<u8>> = (0..400)
            .map(|i| {
                let n = if i % 10 == 0 { 600 } else { 6 + next(40) };
                let mut t = String::new();
                for _ in 0..n {
                    t.push_str(pieces[next(pieces.len())]);
                    if next(3) == 0 {
                        t.push(' ');
                    }
                }
                t.into_bytes()
            })
            .collect();
        let mut matches = 0;
        for src in sources {
            let l = Lazy::new(src.to_string());
            let Some((false, lits)) = crate::source::required_literals_kind(src) else { panic!("{src}: no required literal set") };
            for hay in &texts {
                let want = meta(&l, hay);
                let (got, any) = in_runs(&l, &lits, hay);
                assert_eq!(got, want, "{src} on {:?}", String::from_utf8_lossy(hay));
                assert_eq!(any, l.get().is_match(hay), "{src} on {:?}", String::from_utf8_lossy(hay));
                matches += want.len();
            }
        }
        assert!(matches > 2000, "{matches} matches");
    }

    /// A runs search with a required literal's starts missing misses the matches around it:
    /// the equivalence above depends on every occurrence being recorded, and the test can fail.
    #[test]
    fn runs_search_missing_starts_are_visible() {
        let l = Lazy::new(r"\w+ street".to_string());
        let hay = b"one. high street, and low street. end";
        let seps = crate::rules::separators(hay);
        let mut got = Vec::new();
        l.find_in_runs(hay, &[9], &seps, false, &mut |s, e| {
            got.push((s, e));
            true
        })
        .expect("runs search");
        assert_eq!(got, vec![(5, 16)]);
        assert_eq!(meta(&l, hay), vec![(5, 16), (22, 32)]);
    }

    fn gate_literals(src: &str) -> Option<Vec<Vec<u8>>> {
        match required_literals(src)? {
            (false, lits) => Some(lits),
            (true, _) => prefix_gate_literals(src),
        }
    }

    /// Every built-in rule field with a required-literal gate (a required set, or a prefix set's
    /// rarer required set: [`gate_literals`]): every match of its meta regex, on every text's
    /// skeleton and profanity view, contains one of the set's literals; and on each text with
    /// every occurrence of the literals broken, the field finds no match (what the gate assumes
    /// when it skips it).
    #[test]
    fn gated_fields_match_only_where_a_literal_occurs() {
        let rules = fresh_rules();
        let views = views(&rules);
        let mut seen = std::collections::HashSet::new();
        let (mut sources, mut prefix_gated, mut matches, mut broken) = (0, 0, 0, 0);
        for r in &rules {
            for (l, _) in r.regex_fields() {
                if !seen.insert(l.src().to_string()) {
                    continue;
                }
                let Some(lits) = gate_literals(l.src()) else { continue };
                sources += 1;
                prefix_gated += usize::from(matches!(required_literals(l.src()), Some((true, _))));
                for (skel, prof) in &views {
                    for hay in [skel, prof] {
                        let m = meta(l, hay);
                        matches += m.len();
                        if m.is_empty() {
                            continue;
                        }
                        assert_eq!(gate_violations(l, &lits, hay), vec![], "{} on {:?}", r.spec.id, String::from_utf8_lossy(hay));
                        let w = without(&lits, hay);
                        broken += 1;
                        assert_eq!(meta(l, &w), vec![], "{} matches without its literals: {:?}", r.spec.id, String::from_utf8_lossy(&w));
                    }
                }
            }
        }
        assert!(sources > 30 && matches > 1000 && broken > 500, "{sources} sources, {matches} matches, {broken} texts broken");
        // the prefix-literal fields gated on a rarer set (68 of 204 prefix sources when added)
        assert!(prefix_gated > 50, "{prefix_gated} prefix-literal sources gated");
    }

    /// The test above can fail: with the literals a real match contains taken out of its
    /// field's set, that match is reported as a violation, and the text with the remaining
    /// literals broken still matches.
    #[test]
    fn a_gate_missing_a_literal_is_visible() {
        let rules = fresh_rules();
        let det = crate::detectors::Detectors::new();
        let mut checked = 0;
        for r in &rules {
            let Some(&(l, v)) = r.regex_fields().first() else { continue };
            let Some(lits) = gate_literals(l.src()) else { continue };
            for ex in r.spec.examples.fire.iter().take(2) {
                let p = Prepared::new(ex.parts().0, &det);
                let hay = if v == 1 { &p.prof } else { &p.norm.skel };
                let Some(&(s, e)) = meta(l, hay).first() else { continue };
                let fewer: Vec<Vec<u8>> = lits.iter().filter(|x| !hay[s..e].windows(x.len()).any(|w| w == x.as_slice())).cloned().collect();
                if fewer.is_empty() {
                    continue;
                }
                assert!(gate_violations(l, &fewer, hay).contains(&(s, e)), "{}", r.spec.id);
                // (when breaking the other literals leaves the match and its neighbours intact)
                let w = without(&fewer, hay);
                let around = s.saturating_sub(1)..(e + 1).min(hay.len());
                if w[around.clone()] == hay[around] {
                    assert!(meta(l, &w).contains(&(s, e)), "{}", r.spec.id);
                    checked += 1;
                }
            }
        }
        assert!(checked > 10, "{checked}");
    }

    /// An independent reference for `candidates_in` (occurrences found by `aho-corasick`'s
    /// overlapping search over the view's literals): every occurrence's `(slot, start)` pair
    /// for every slot its literal feeds, grouped with `csr` and sorted per slot; a flag per
    /// literal and condition; every rule's and gate's conditions tested. `(out, at, flat, open)`.
    fn candidates_reference(pf: &Prefilter, p: &Prepared) -> (Vec<bool>, Vec<u32>, Vec<u32>, Vec<bool>) {
        let mut present = vec![false; pf.n_lits];
        let mut sat = vec![false; pf.n_conds];
        let mut found: Vec<(u32, u32)> = Vec::new();
        // the required-literal slots are filled for a view of at least RUNS_MIN_LEN bytes
        let runs = [p.norm.skel.len(), p.prof.len()].map(|n| n >= crate::rules::Starts::RUNS_MIN_LEN);
        let n_live = if runs.contains(&true) { pf.n_slots + pf.n_run_slots } else { pf.n_slots };
        // aho-corasick's automaton of each view's literals (not the prefilter's scanner)
        let acs: Vec<Option<AhoCorasick>> = pf.lits.iter().map(|l| (!l.is_empty()).then(|| AhoCorasick::new(l).expect("literals"))).collect();
        for (v, hay) in [(0usize, &p.norm.skel[..]), (1, &p.prof[..])] {
            let Some(ac) = &acs[v] else { continue };
            for m in ac.find_overlapping_iter(hay) {
                let k = m.pattern().as_usize() + v * pf.offset;
                if !present[k] {
                    present[k] = true;
                    for &c in &pf.lit_conds[pf.lit_cond_at[k] as usize..pf.lit_cond_at[k + 1] as usize] {
                        sat[c as usize] = true;
                    }
                }
                for &s in &pf.lit_slots[pf.lit_slot_at[k] as usize..pf.lit_slot_at[k + 1] as usize] {
                    found.push((s, m.start() as u32));
                }
                if runs[v] {
                    for &c in &pf.lit_conds[pf.lit_cond_at[k] as usize..pf.lit_cond_at[k + 1] as usize] {
                        if pf.cond_run[c as usize] != super::NONE {
                            found.push(((pf.n_slots + pf.cond_run[c as usize] as usize) as u32, m.start() as u32));
                        }
                    }
                }
            }
        }
        let (at, mut flat) = super::csr(n_live, found.iter().map(|&(s, pos)| (s as usize, pos)));
        for w in at.windows(2) {
            flat[w[0] as usize..w[1] as usize].sort_unstable();
        }
        let out = pf.groups.iter().map(|gs| gs.iter().all(|&c| sat[c as usize])).collect();
        let open = pf.gates.iter().map(|&c| sat[c as usize]).collect();
        (out, at, flat, open)
    }

    /// `candidates_in` (literal occurrences recorded once, their starts scattered into every
    /// slot the literal feeds) gives exactly what the reference gives, on every text, with one
    /// scratch and its recycled `Starts` reused across all of them (stale contents from the
    /// previous text), and the same as with a fresh scratch. Not vacuous: texts turn on
    /// conditional rules, open gates and record starts in slots fed by shared literals.
    #[test]
    fn candidates_in_equals_the_reference_with_a_reused_scratch() {
        let rules = fresh_rules();
        let pf = Prefilter::new(&rules).expect("prefilter");
        let det = crate::detectors::Detectors::new();
        let mut scratch = super::Scratch::default();
        let (mut out, mut fresh_out) = (Vec::new(), Vec::new());
        let (mut texts_n, mut rules_on, mut open_n, mut starts_n) = (0, 0, 0, 0);
        let (mut long_n, mut run_starts) = (0, 0);
        for t in texts(&rules).into_iter().chain(long_texts(&rules)) {
            let p = Prepared::new(&t, &det);
            let want = candidates_reference(&pf, &p);
            let got = pf.candidates_in(&p, &mut out, &mut scratch);
            assert_eq!((&out, &got.at, &got.flat, &got.open), (&want.0, &want.1, &want.2, &want.3), "{t:?}");
            let fresh = pf.candidates(&p, &mut fresh_out);
            assert_eq!((&fresh_out, &fresh.at, &fresh.flat, &fresh.open), (&out, &got.at, &got.flat, &got.open));
            texts_n += 1;
            rules_on += out.iter().zip(&pf.groups).filter(|(&b, gs)| b && !gs.is_empty()).count();
            open_n += got.open.iter().filter(|&&b| b).count();
            starts_n += got.flat.len();
            if got.runs[0] {
                long_n += 1;
                run_starts += got.flat.len() - got.at[pf.n_slots] as usize;
            }
            Prefilter::recycle(got, &mut scratch);
        }
        // the long drafts fill the required-literal slots
        assert!(long_n >= 5 && run_starts > 100 * long_n, "{run_starts} required-literal starts over {long_n} long drafts");
        // a literal feeding several slots (what the scatter must repeat per slot)
        assert!((0..pf.n_lits).any(|k| pf.lit_slot_at[k + 1] - pf.lit_slot_at[k] > 1));
        assert!(rules_on > texts_n && open_n > texts_n && starts_n > 5 * texts_n, "{rules_on} {open_n} {starts_n} over {texts_n} texts");
    }

    /// `(pattern, start byte)` pairs.
    type Occurrences = Vec<(usize, usize)>;

    /// Every occurrence `(pattern, start)` of `lits` in `hay`, sorted: by [`super::LitAutomaton`]
    /// and by `aho-corasick`'s overlapping search (standard semantics), for comparison.
    /// The automaton's occurrences are the same through a fresh memo, the same memo again (its
    /// transitions remembered), a 4-slot memo (transitions evicting each other) and a memo last
    /// filled by another automaton.
    fn occurrences(lits: &[Vec<u8>], hay: &[u8]) -> (Occurrences, Occurrences) {
        let a = super::LitAutomaton::new(lits).expect("non-empty literals");
        let scan = |memo: &mut super::NextMemo| {
            let mut got = Vec::new();
            a.for_each_match(hay, memo, |p, s| got.push((p, s)));
            got.sort_unstable();
            got
        };
        let mut memo = super::NextMemo::default();
        let got = scan(&mut memo);
        assert_eq!(scan(&mut memo), got, "warm memo");
        assert_eq!(scan(&mut super::NextMemo::with_bits(2)), got, "4-slot memo");
        let other = super::LitAutomaton::new(&[b"zq".to_vec(), hay.get(..3).unwrap_or(b"ab").to_vec()]).expect("literals");
        other.for_each_match(hay, &mut memo, |_, _| {});
        assert_eq!(scan(&mut memo), got, "memo of another automaton");
        let mut want: Vec<(usize, usize)> = AhoCorasick::new(lits).expect("literals").find_overlapping_iter(hay).map(|m| (m.pattern().as_usize(), m.start())).collect();
        want.sort_unstable();
        (got, want)
    }

    /// The skeleton view's scanner (built at run time by `LitAutomaton`) reports exactly the
    /// occurrences `aho-corasick` reports for the same literals, on every test text's skeleton
    /// and profanity view; and with a council profile's extra literals (ones not among the
    /// built-in rules', some extending or inside built-in ones) added to the set, likewise.
    #[test]
    fn lit_automaton_equals_aho_corasick_on_the_builtin_literals() {
        let rules = fresh_rules();
        let pf = Prefilter::new(&rules).expect("prefilter");
        let lits = pf.lits[0].clone();
        assert!(lits.len() > 2000, "{} literals", lits.len());
        // not vacuous: the depth-2 states have dense rows too (beyond the root's and one per
        // distinct first byte), so both kinds of state are crossed by the scans below
        let firsts = lits.iter().map(|l| l[0]).collect::<std::collections::BTreeSet<u8>>().len();
        let a = super::LitAutomaton::new(&lits).expect("automaton");
        assert!(a.dense.len() > 1 + firsts + 100, "{} dense rows, {firsts} first bytes", a.dense.len());
        assert!(a.states.iter().any(|s| s.hi != super::NONE), "sparse states remain");
        let mut extra = lits.clone();
        for l in lits.iter().step_by(7).take(300) {
            extra.push([l.as_slice(), b" hall"].concat());
            if l.len() > 2 {
                let mid = l[1..l.len() - 1].to_vec();
                if !extra.contains(&mid) {
                    extra.push(mid);
                }
            }
        }
        extra.extend([b"sheffield city council".to_vec(), b"barnsley mbc".to_vec(), b"\xc3\xa9t\xc3\xa9".to_vec()]);
        let views = views(&rules);
        let mut n = 0;
        for set in [&lits, &extra] {
            for (skel, prof) in views.iter().step_by(5) {
                for hay in [skel, prof] {
                    let (got, want) = occurrences(set, hay);
                    n += want.len();
                    assert_eq!(got, want, "on {:?}", String::from_utf8_lossy(hay));
                }
            }
        }
        assert!(n > 100_000, "{n} occurrences");
    }

    /// The profanity view's scanner (a `LitAutomaton` since session 13; before, `aho-corasick`
    /// with its packed prefilter) reports exactly the occurrences `aho-corasick` reports for
    /// that view's literals, on every test text's profanity view and skeleton, on the test
    /// texts run together (one long haystack), and on the literals themselves joined by a
    /// space and run together (every literal occurs; literals inside or overlapping others).
    /// Not vacuous: the view has literals, and they occur in the test texts too.
    #[test]
    fn lit_automaton_equals_aho_corasick_on_the_profanity_view() {
        let rules = fresh_rules();
        let pf = Prefilter::new(&rules).expect("prefilter");
        let lits = pf.lits[1].clone();
        assert!(lits.len() >= 5, "{} literals", lits.len());
        assert!(pf.views[1].is_some(), "the profanity view has a scanner");
        let views = views(&rules);
        let long: Vec<u8> = views.iter().flat_map(|(_, prof)| prof.iter().copied().chain(*b" ")).collect();
        let spaced = lits.join(&b' ');
        let packed = lits.concat();
        let mut in_texts = 0;
        for hay in views.iter().flat_map(|(skel, prof)| [skel, prof]).chain([&long]) {
            let (got, want) = occurrences(&lits, hay);
            in_texts += want.len();
            assert_eq!(got, want, "on {:?}", String::from_utf8_lossy(hay));
        }
        for hay in [&spaced, &packed] {
            let (got, want) = occurrences(&lits, hay);
            assert!(want.len() >= lits.len(), "{} occurrences of {} literals", want.len(), lits.len());
            assert_eq!(got, want, "on {:?}", String::from_utf8_lossy(hay));
        }
        assert!(in_texts > 20, "{in_texts} occurrences in the test texts");
    }

    /// `LitAutomaton` == `aho-corasick` on random literal sets over a small alphabet (literals
    /// that are prefixes, suffixes and infixes of each other, single bytes, duplicates, a byte
    /// above 127) and random haystacks; an empty literal is refused (`Prefilter::new` then
    /// fails; the literal extraction never yields one).
    #[test]
    fn lit_automaton_equals_aho_corasick_on_random_sets() {
        let mut next = crate::testing::xorshift_below(0x9e37_79b9_7f4a_7c15);
        let alphabet = b"abc \xff";
        let mut n = 0;
        for round in 0..300 {
            let k = 1 + next(if round % 10 == 0 { 200 } else { 12 });
            let mut lits: Vec<Vec<u8>> = (0..k).map(|_| (0..1 + next(6)).map(|_| alphabet[next(alphabet.len())]).collect()).collect();
            if round % 4 == 0 {
                lits.push(lits[0].clone()); // a duplicate: both patterns reported
            }
            for _ in 0..5 {
                let hay: Vec<u8> = (0..next(80)).map(|_| alphabet[next(alphabet.len())]).collect();
                let (got, want) = occurrences(&lits, &hay);
                n += want.len();
                assert_eq!(got, want, "{lits:?} on {hay:?}");
            }
        }
        assert!(n > 10_000, "{n} occurrences");
        assert!(super::LitAutomaton::new(&[b"ab".to_vec(), Vec::new()]).is_none());
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
        let (mut fired, mut anchored_fields, mut run_fields) = (0, 0, 0);
        let mut cand = Vec::new();
        for t in texts(&rules).into_iter().chain(long_texts(&rules)) {
            let p = Prepared::new(&t, &det);
            let starts = pf.candidates(&p, &mut cand);
            for (i, r) in rules.iter().enumerate() {
                if !cand[i] {
                    assert!(r.hits(&p, &ctxs[0]).is_empty() && r.hits(&p, &ctxs[1]).is_empty(), "{} fires without its literals", r.spec.id);
                    continue;
                }
                anchored_fields += r.regex_fields().iter().filter(|(l, v)| l.slot(*v, starts.owner).is_some()).count();
                run_fields += r.regex_fields().iter().filter(|(l, v)| starts.runs[*v] && l.runs_slot(*v, starts.owner).is_some()).count();
                for ctx in &ctxs {
                    let want = r.hits(&p, ctx);
                    fired += usize::from(!want.is_empty());
                    assert_eq!(r.hits_with(&p, Some(&starts), ctx), want, "{} on {t:?}", r.spec.id);
                }
            }
        }
        assert!(fired > 1000 && anchored_fields > 1000 && run_fields > 200, "{fired} hits, {anchored_fields} anchored fields, {run_fields} fields searched by runs");
    }

    /// What `Prefilter::new` interns (literals borrowed from the build-time table) is what
    /// `required_literals` and `prefix_gate_literals` give (owned copies), for every built-in
    /// rule field and for a source not in the table (extracted now).
    #[test]
    fn borrowed_table_literals_equal_owned() {
        let rules = fresh_rules();
        let own = |ls: Vec<std::borrow::Cow<'static, [u8]>>| ls.into_iter().map(|l| l.into_owned()).collect::<Vec<_>>();
        let owned = |c: Option<super::LiteralSets>| c.map(|(p, ls, g)| ((p, own(ls)), g.map(own)));
        let mut n = 0;
        for (_, l) in distinct_fields(&rules) {
            let want = required_literals(l.src());
            n += want.as_ref().map_or(0, |w| w.1.len());
            let gate = want.as_ref().and_then(|w| if w.0 { prefix_gate_literals(l.src()) } else { None });
            assert_eq!(owned(super::required_literals_cow(l.src())), want.map(|w| (w, gate)), "{}", l.src());
        }
        assert!(n > 5000, "{n} literals");
        let src = "(?:zqxjkw|vbnmpl)tt";
        assert!(super::table_entry(src).is_none());
        assert_eq!(owned(super::required_literals_cow(src)).map(|o| o.0), crate::source::required_literals_kind(src));
        assert!(crate::source::required_literals_kind(src).is_some());
    }
}
