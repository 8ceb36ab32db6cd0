//! Learned rule confidence (docs/rule-confidence.md): which rules are trustworthy on wording their
//! authors never saw, measured leave-one-writer-out, and written into the rule files as data.
//!
//! Run from the repository root (the rule files and data paths are relative to it):
//! - `cargo run --release -p postcheck --example rule-confidence -- --protocol` prints, for each
//!   decision variant and threshold, the mean over held-out writers of CW (breaching drafts warned:
//!   an expected category at warn/block, or at info where that is the category's default) and F
//!   (clean drafts with a warn/block finding), rules only and with the stance model, against no
//!   demotion; then the per-writer figures of the shipped setting ([`SHIPPED`]).
//! - `… -- --protocol --brief --setting untuned:gain:0.3:5:plain:1` (pool, decision, value, minimum
//!   support, variant, model_k): that setting only, with its per-writer table.
//! - `… -- --write` computes the statistics on ALL training writers with the shipped setting and
//!   writes each rule's `"confidence"` line into `crate/rules/*.json` (one line after its
//!   `"category"`; rules that never fired get none).
//! - `… -- --check` exits 1 if the committed `confidence` lines differ from what `--write` would
//!   write (the test `crate/tests/rule_confidence_data.rs` does the same through [`committed_mismatches`]).
//!
//! Writers ([`WRITERS`]): each labelled file was written by one person (the four probe files by
//! one); a file that is absent is skipped (own22/own23 join when they land). Never own9 (summary
//! figures only), own56–own59 (written in session 14, session 15's untouched fresh test sets) or
//! own69/own70 (written in session 22), own73/own74 (written in session 23), own79/own80 (written in
//! session 24) or own82/own83 (written in session 26) or own84/own85 (written in session 29, the next pool):
//! [`load`] refuses them.
//!
//! Statistics (per rule, on the training writers' drafts, stance model off, demotions off:
//! `POSTCHECK_RULE_CONFIDENCE=0` is set before the checker is built): the number of drafts on
//! which the rule raised a finding, split into `clean` (labelled with no category), `expected`
//! (labelled with the rule's category) and `other` (labelled with other categories only).
//! Precision is smoothed towards the pooled precision p0 of all rules on the same drafts:
//! `(expected + K·p0) / (n + K)`, n = clean + expected + other. A rule is demoted iff it has no
//! `severity` of its own (block rules are never demoted), n ≥ `min_support` and the smoothed
//! precision < τ.
//!
//! Simulation of a demotion on a held-out writer (the engine's semantics, `Engine::check_with`):
//! a demoted rule's `warn` finding becomes `info`; with the stance model on, if the model fires on
//! a category whose findings are all demoted, they are restored to `warn` (corroboration). Variant
//! `corroborated` also restores a demoted finding when a second, different rule raised a finding in
//! the same category on the draft, and `model_k` < 1 when the model's probability reaches that
//! fraction of its threshold (neither shipped nor in the engine: see docs/rule-confidence.md). Findings are the
//! engine's merged findings (overlapping hits of one category show one rule): a small approximation,
//! the shipped figures are re-measured with `postcheck eval` on the built binary.

use postcheck::model::grounded;
use postcheck::normalize::Normalized;
use postcheck::{Checker, Context, Severity};
use std::collections::{BTreeMap, BTreeSet};

/// One writer per entry: a name, whether the rules were hand-tuned on it (draft by draft: its
/// false alarms fixed, so its statistics are in-sample; own16–own19 landed after the last rule
/// change, own22–own25 later still), and its files (relative to the repository root).
pub const WRITERS: &[(&str, bool, &[&str])] = &[
    ("dev", true, &["../shared/corpus/dev.jsonl"]),
    ("own", true, &["crate/tests/data/own.jsonl"]),
    ("own2", true, &["crate/tests/data/own2.jsonl"]),
    ("own3", true, &["crate/tests/data/own3.jsonl"]),
    ("own4", true, &["crate/tests/data/own4.jsonl"]),
    ("own5", true, &["crate/tests/data/own5.jsonl"]),
    ("own6", true, &["crate/tests/data/own6.jsonl"]),
    ("own7", true, &["crate/tests/data/own7.jsonl"]),
    ("own8", true, &["crate/tests/data/own8.jsonl"]),
    ("own10", true, &["crate/tests/data/own10.jsonl"]),
    ("own11", true, &["crate/tests/data/own11.jsonl"]),
    ("own12", true, &["crate/tests/data/own12.jsonl"]),
    ("own13", true, &["crate/tests/data/own13.jsonl"]),
    ("own14", true, &["crate/tests/data/own14.jsonl"]),
    ("own15", true, &["crate/tests/data/own15.jsonl"]),
    ("own16", false, &["crate/tests/data/own16.jsonl"]),
    ("own17", false, &["crate/tests/data/own17.jsonl"]),
    ("own18", false, &["crate/tests/data/own18.jsonl"]),
    ("own19", false, &["crate/tests/data/own19.jsonl"]),
    ("own22", false, &["crate/tests/data/own22.jsonl"]),
    ("own23", false, &["crate/tests/data/own23.jsonl"]),
    ("own24", false, &["crate/tests/data/own24.jsonl"]),
    ("own25", false, &["crate/tests/data/own25.jsonl"]),
    (
        "probes",
        true,
        &[
            "crate/tests/data/probes/probe1.jsonl",
            "crate/tests/data/probes/probe2.jsonl",
            "crate/tests/data/probes/probe3.jsonl",
            "crate/tests/data/probes/probe4.jsonl",
        ],
    ),
];

/// A predicate choosing writers (a protocol table's row group).
type WriterFilter<'a> = &'a dyn Fn(&Writer) -> bool;

/// Files never read here: the fresh test sets (own56–own59, written in session 14, session
/// 15's pool; own69/own70, written in session 22; own73/own74, written in session 23; own79/own80, written in session 24; own82/own83, written in session 26; own84/own85, written in session 29; own86/own87, written in session 30, the next pool) and own9 (summary figures
/// only). (own20/own21, session 6's fresh sets, were retired in session 7, own26–own29, session
/// 7's, in session 8, own32–own35, session 8's, in session 9, own36–own39, session 9's, in session
/// 10, own40–own43, session 10's, in session 11, own44–own47, session 11's, in session 12,
/// own48–own51, session 12's, in session 13, own52–own55, session 13's, in session 15; the
/// pool in [`WRITERS`] is still session 6's,
/// which the shipped `confidence` lines were computed on.)
const FORBIDDEN: [&str; 17] = ["own9.jsonl", "own56.jsonl", "own57.jsonl", "own58.jsonl", "own59.jsonl", "own69.jsonl", "own70.jsonl", "own73.jsonl", "own74.jsonl", "own79.jsonl", "own80.jsonl", "own82.jsonl", "own83.jsonl", "own84.jsonl", "own85.jsonl", "own86.jsonl", "own87.jsonl"];

/// Smoothing weight K of the prior p0 (in drafts).
pub const K: f64 = 2.0;

/// Which writers' drafts the statistics are computed on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pool {
    /// Every training writer (in a fold: every other writer).
    All,
    /// Only writers the rules were not hand-tuned on ([`WRITERS`]' flag): out-of-sample statistics.
    Untuned,
}

/// How a rule is judged from its statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decide {
    /// Demote iff the smoothed precision is below `tau`.
    Precision { tau: f64 },
    /// Demote iff demoting the rule alone, on the pool's drafts with the stance model on, changes
    /// CW − F (percentage points of the pool's breaching / clean drafts) by more than `margin`.
    Gain { margin: f64 },
}

/// A decision rule: which rules to demote given the pool's drafts, and how demoted findings may
/// be restored on a draft.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub pool: Pool,
    pub decide: Decide,
    /// Fewest pool drafts a rule must have fired on to be judged.
    pub min_support: u32,
    /// Also restore a demoted finding when another rule of its category fired on the draft.
    pub corroborated: bool,
    /// The stance model corroborates a demoted finding when its probability for the category
    /// reaches this fraction of its firing threshold (1: only when it fires).
    pub model_k: f32,
}

/// The shipped setting, chosen on the protocol (docs/rule-confidence.md).
pub const SHIPPED: Setting = Setting { pool: Pool::Untuned, decide: Decide::Gain { margin: 0.3 }, min_support: 5, corroborated: false, model_k: 1.0 };

/// A rule's finding on a draft (demotions off, model off): rule id, category, severity.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule: String,
    pub category: String,
    pub severity: Severity,
}

/// A labelled draft with what the checker said about it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub expect: BTreeSet<String>,
    /// The rules' findings (model off, demotions off).
    pub hits: Vec<Hit>,
    /// Stance-model categories the model fires on and the council grounds for this draft's context.
    pub model: BTreeSet<String>,
    /// Per grounded stance-model category: the model's probability over its firing threshold.
    pub ratio: BTreeMap<String, f32>,
}

/// Per-rule statistics (drafts, not hits).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stat {
    pub clean: u32,
    pub expected: u32,
    pub other: u32,
}

impl Stat {
    pub fn n(&self) -> u32 {
        self.clean + self.expected + self.other
    }
    /// `(expected + K·p0) / (n + K)`.
    pub fn smoothed(&self, p0: f64) -> f64 {
        (self.expected as f64 + K * p0) / (self.n() as f64 + K)
    }
}

/// Reads one labelled JSONL file; panics on a forbidden file or a bad line.
pub fn load(checker: &Checker, path: &str, with_model: bool) -> Vec<Draft> {
    assert!(!FORBIDDEN.iter().any(|f| path.ends_with(f)), "{path}: a fresh test set (or own9), never read here");
    let body = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let model = if with_model { postcheck::model::builtin() } else { None };
    let mut out = Vec::new();
    for line in body.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}: {e}"));
        let ctx: Context = serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("{path}: {e}"));
        let text = v["text"].as_str().unwrap_or("");
        let expect: BTreeSet<String> =
            v["expect"].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default();
        let findings = postcheck::model::check_with_model(checker, text, &ctx, false).unwrap_or_else(|e| panic!("{path}: {e}"));
        let hits = findings
            .into_iter()
            .map(|f| Hit { rule: f.rule, category: f.category, severity: f.severity })
            .collect();
        let (mut fires, mut ratio) = (BTreeSet::new(), BTreeMap::new());
        if let Some(m) = model {
            let verdicts = m.score(&Normalized::new(text).skel, &ctx);
            for (cm, v) in m.categories.iter().zip(verdicts) {
                if grounded(checker, &ctx, &cm.id) {
                    if v.fires {
                        fires.insert(cm.id.clone());
                    }
                    ratio.insert(cm.id.clone(), v.probability / cm.threshold.max(1e-6));
                }
            }
        }
        out.push(Draft { expect, hits, model: fires, ratio });
    }
    out
}

/// Every present writer's drafts, in [`WRITERS`] order.
pub fn load_writers(checker: &Checker, with_model: bool) -> Vec<Writer> {
    load_pool(checker, Pool::All, with_model)
}

/// The present writers of `pool`, in [`WRITERS`] order.
pub fn load_pool(checker: &Checker, pool: Pool, with_model: bool) -> Vec<Writer> {
    let mut out = Vec::new();
    for (name, tuned, files) in WRITERS.iter().filter(|w| pool == Pool::All || !w.1) {
        let present: Vec<&&str> = files.iter().filter(|f| std::path::Path::new(f).exists()).collect();
        if present.is_empty() {
            continue;
        }
        let drafts = present.into_iter().flat_map(|f| load(checker, f, with_model)).collect();
        out.push(Writer { name, tuned: *tuned, drafts });
    }
    out
}

/// A writer's drafts.
pub struct Writer {
    pub name: &'static str,
    /// Whether the rules were hand-tuned on this writer.
    pub tuned: bool,
    pub drafts: Vec<Draft>,
}

/// The drafts of the writers in `pool` except writer `skip`.
pub fn pool_drafts(writers: &[Writer], pool: Pool, skip: Option<usize>) -> Vec<&Draft> {
    writers
        .iter()
        .enumerate()
        .filter(|(i, w)| Some(*i) != skip && (pool == Pool::All || !w.tuned))
        .flat_map(|(_, w)| w.drafts.iter())
        .collect()
}

/// Per-rule statistics over `drafts`, and the pooled precision p0 (expected / n over all rules).
pub fn stats<'a>(drafts: impl Iterator<Item = &'a Draft>) -> (BTreeMap<String, (String, Stat)>, f64) {
    let mut s: BTreeMap<String, (String, Stat)> = BTreeMap::new();
    for d in drafts {
        let mut seen = BTreeSet::new();
        for h in &d.hits {
            if !seen.insert(h.rule.as_str()) {
                continue;
            }
            let e = &mut s.entry(h.rule.clone()).or_insert_with(|| (h.category.clone(), Stat::default())).1;
            if d.expect.is_empty() {
                e.clean += 1;
            } else if d.expect.contains(&h.category) {
                e.expected += 1;
            } else {
                e.other += 1;
            }
        }
    }
    let (exp, n) = s.values().fold((0u64, 0u64), |a, (_, st)| (a.0 + st.expected as u64, a.1 + st.n() as u64));
    let p0 = if n == 0 { 0.5 } else { exp as f64 / n as f64 };
    (s, p0)
}

/// The rules to demote under `set`, judged on `drafts` (rules with their own severity, i.e.
/// block, are in `explicit` and never demoted).
pub fn demoted(drafts: &[&Draft], set: Setting, explicit: &BTreeSet<String>, info_default: &BTreeSet<String>) -> BTreeSet<String> {
    let (st, p0) = stats(drafts.iter().copied());
    let judged = st.iter().filter(|(id, (_, s))| !explicit.contains(*id) && s.n() >= set.min_support);
    match set.decide {
        Decide::Precision { tau } => judged.filter(|(_, (_, s))| s.smoothed(p0) < tau).map(|(id, _)| id.clone()).collect(),
        Decide::Gain { margin } => {
            judged.filter(|(id, _)| gain(drafts, id, set, info_default) > margin).map(|(id, _)| id.clone()).collect()
        }
    }
}

/// The gain of demoting rule `id` alone on `drafts`, stance model on: ΔCW − ΔF in percentage
/// points (of the breaching and of the clean drafts). Positive: demoting it quiets more clean
/// drafts than it unwarns breaching ones (relative to their numbers).
pub fn gain(drafts: &[&Draft], id: &str, set: Setting, info_default: &BTreeSet<String>) -> f64 {
    let breaching = drafts.iter().filter(|d| !d.expect.is_empty()).count().max(1) as f64;
    let clean = drafts.iter().filter(|d| d.expect.is_empty()).count().max(1) as f64;
    let none = BTreeSet::new();
    let one: BTreeSet<String> = [id.to_string()].into();
    let (mut dcw, mut df) = (0.0, 0.0);
    for d in drafts.iter().filter(|d| d.hits.iter().any(|h| h.rule == id)) {
        let (w0, f0) = score(d, &none, set, true, info_default);
        let (w1, f1) = score(d, &one, set, true, info_default);
        dcw += (w1 as i32 - w0 as i32) as f64;
        df += (f1 as i32 - f0 as i32) as f64;
    }
    100.0 * dcw / breaching - 100.0 * df / clean
}

/// (warned, false alarm) for one draft under demotions `dem`: warned = breaching and an expected
/// category at warn/block (or at info where `info_default` says that is its default); false
/// alarm = clean and some finding at warn/block.
pub fn score(d: &Draft, dem: &BTreeSet<String>, set: Setting, with_model: bool, info_default: &BTreeSet<String>) -> (bool, bool) {
    // per category: its findings' effective severities
    let mut cats: BTreeMap<&str, Vec<Severity>> = BTreeMap::new();
    for h in &d.hits {
        let demote = h.severity == Severity::Warn
            && dem.contains(&h.rule)
            && !(set.corroborated && d.hits.iter().any(|o| o.category == h.category && o.rule != h.rule));
        cats.entry(h.category.as_str()).or_default().push(if demote { Severity::Info } else { h.severity });
    }
    if with_model {
        for c in &d.model {
            // no finding: the model adds a warn
            cats.entry(c.as_str()).or_insert_with(|| vec![Severity::Warn]);
        }
        // only demoted findings: the model restores them if it reaches `model_k` × its threshold
        for h in &d.hits {
            let v = cats.get_mut(h.category.as_str()).expect("entered above");
            if v.iter().all(|s| *s == Severity::Info)
                && h.severity == Severity::Warn
                && (d.model.contains(&h.category) || d.ratio.get(&h.category).is_some_and(|r| *r >= set.model_k))
            {
                v.push(Severity::Warn);
            }
        }
    }
    let loud = |c: &str, v: &Vec<Severity>| v.iter().any(|s| *s != Severity::Info) || (info_default.contains(c) && !v.is_empty());
    if d.expect.is_empty() {
        (false, cats.values().any(|v| v.iter().any(|s| *s != Severity::Info)))
    } else {
        (d.expect.iter().any(|c| cats.get(c.as_str()).is_some_and(|v| loud(c, v))), false)
    }
}

/// (breaching, warned, clean, false alarms) of `drafts` under demotions `dem`.
pub fn tally(drafts: &[Draft], dem: &BTreeSet<String>, set: Setting, with_model: bool, info_default: &BTreeSet<String>) -> [u32; 4] {
    let mut t = [0u32; 4];
    for d in drafts {
        let (w, f) = score(d, dem, set, with_model, info_default);
        if d.expect.is_empty() {
            t[2] += 1;
            t[3] += f as u32;
        } else {
            t[0] += 1;
            t[1] += w as u32;
        }
    }
    t
}

fn pct(a: u32, b: u32) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Rules with a `severity` of their own (never demoted), from the rule files.
pub fn explicit_rules() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (_, v) in rule_files() {
        for r in v["rules"].as_array().into_iter().flatten() {
            if r.get("severity").is_some() {
                out.insert(r["id"].as_str().unwrap_or("").to_string());
            }
        }
    }
    out
}

/// The rule files (`crate/rules/*.json` with a `rules` array), path and parsed value.
pub fn rule_files() -> Vec<(String, serde_json::Value)> {
    let mut paths: Vec<_> = std::fs::read_dir("crate/rules").expect("run from the repository root").flatten().map(|e| e.path()).collect();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| {
            let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).ok()?).ok()?;
            v.get("rules")?;
            Some((p.to_string_lossy().into_owned(), v))
        })
        .collect()
}

/// The `"confidence"` object written for a rule (`gain`: see [`gain`], for rules judged by it).
pub fn confidence_json(s: &Stat, p0: f64, gain: Option<f64>, demote: bool) -> String {
    let mut j = format!(
        "{{\"clean\": {}, \"expected\": {}, \"other\": {}, \"precision\": {:.2}",
        s.clean,
        s.expected,
        s.other,
        s.smoothed(p0)
    );
    if let Some(g) = gain {
        // -0.00 written as 0.00
        j.push_str(&format!(", \"gain\": {:.2}", if g.abs() < 0.005 { 0.0 } else { g }));
    }
    if demote {
        j.push_str(", \"demoted\": true");
    }
    j.push('}');
    j
}

/// Each rule file's text with its `"confidence"` objects replaced by `conf` (rule id → object),
/// each written on one line after the rule's `"category"` line. An old object is dropped whole,
/// also when a hand edit or another tool spread it over several lines: the lines are skipped
/// until its braces balance (the object holds numbers and booleans only, no strings).
pub fn rewrite(text: &str, conf: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut id: Option<String> = None;
    // braces of an old confidence object still open (lines being dropped)
    let mut open = 0i32;
    let depth = |l: &str| l.matches('{').count() as i32 - l.matches('}').count() as i32;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if open > 0 {
            open += depth(line);
            continue;
        }
        if t.starts_with("\"confidence\":") {
            open = depth(t).max(0);
            continue;
        }
        if let Some(rest) = t.strip_prefix("\"id\": \"") {
            id = rest.split('"').next().map(str::to_string);
        }
        out.push_str(line);
        if t.starts_with("\"category\":") {
            if let Some(c) = id.take().and_then(|i| conf.get(&i)) {
                let indent = &line[..line.len() - t.len()];
                out.push_str(&format!("{indent}\"confidence\": {c},\n"));
            }
        }
    }
    out
}

/// The confidence objects the shipped setting gives, computed on `writers`.
pub fn computed(writers: &[Writer], info_default: &BTreeSet<String>) -> BTreeMap<String, String> {
    let drafts = pool_drafts(writers, SHIPPED.pool, None);
    let (st, p0) = stats(drafts.iter().copied());
    let explicit = explicit_rules();
    let dem = demoted(&drafts, SHIPPED, &explicit, info_default);
    st.iter()
        .map(|(id, (_, s))| {
            let judged = matches!(SHIPPED.decide, Decide::Gain { .. }) && !explicit.contains(id) && s.n() >= SHIPPED.min_support;
            let g = judged.then(|| gain(&drafts, id, SHIPPED, info_default));
            (id.clone(), confidence_json(s, p0, g, dem.contains(id)))
        })
        .collect()
}

/// Rule files whose committed text differs from what `--write` would write.
pub fn committed_mismatches(writers: &[Writer], info_default: &BTreeSet<String>) -> Vec<String> {
    let conf = computed(writers, info_default);
    let mut bad = Vec::new();
    for (path, _) in rule_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if rewrite(&text, &conf) != text {
            bad.push(path);
        }
    }
    bad
}

/// Mean over `writers` (those `which` selects) of CW and F under the demotions `dems(i)` for
/// writer `i`, and the pooled counts (breaching, warned, clean, false alarms).
fn mean(
    writers: &[Writer],
    which: &dyn Fn(&Writer) -> bool,
    dems: &dyn Fn(usize) -> BTreeSet<String>,
    set: Setting,
    model: bool,
    info_default: &BTreeSet<String>,
) -> (f64, f64, [u32; 4]) {
    let (mut cw, mut ncw, mut f, mut nf, mut pooled) = (0.0, 0, 0.0, 0, [0u32; 4]);
    for (i, w) in writers.iter().enumerate().filter(|(_, w)| which(w)) {
        let t = tally(&w.drafts, &dems(i), set, model, info_default);
        if t[0] > 0 {
            cw += pct(t[1], t[0]);
            ncw += 1;
        }
        if t[2] > 0 {
            f += pct(t[3], t[2]);
            nf += 1;
        }
        for k in 0..4 {
            pooled[k] += t[k];
        }
    }
    (cw / ncw.max(1) as f64, f / nf.max(1) as f64, pooled)
}

fn describe(set: &Setting) -> String {
    format!(
        "{:7} {:18} {:3} {:5} k{:.2}",
        if set.pool == Pool::All { "all" } else { "untuned" },
        match set.decide {
            Decide::Precision { tau } => format!("precision<{tau:.2}"),
            Decide::Gain { margin } => format!("gain>{margin:.1}"),
        },
        set.min_support,
        if set.corroborated { "corr" } else { "plain" },
        set.model_k
    )
}

#[allow(dead_code)]
fn main() {
    // statistics come from undemoted findings: switch the committed demotions off
    std::env::set_var("POSTCHECK_RULE_CONFIDENCE", "0");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let checker = Checker::builtin();
    let info_default: BTreeSet<String> =
        checker.categories().into_iter().filter(|c| c.2 == Severity::Info).map(|c| c.0).collect();
    if args.iter().any(|a| a == "--write" || a == "--check") {
        // the gain decision scores drafts with the stance model
        let writers = load_pool(&checker, SHIPPED.pool, matches!(SHIPPED.decide, Decide::Gain { .. }));
        let conf = computed(&writers, &info_default);
        let check = args.iter().any(|a| a == "--check");
        let mut bad = 0;
        for (path, _) in rule_files() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let new = rewrite(&text, &conf);
            if new != text {
                bad += 1;
                if check {
                    eprintln!("{path}: confidence lines differ from the computed ones");
                } else {
                    std::fs::write(&path, new).unwrap_or_else(|e| panic!("{path}: {e}"));
                    println!("wrote {path}");
                }
            }
        }
        let n: usize = pool_drafts(&writers, SHIPPED.pool, None).len();
        let d = conf.values().filter(|c| c.contains("demoted")).count();
        println!("statistics on {n} drafts ({:?} writers); {} rules with statistics, {d} demoted", SHIPPED.pool, conf.len());
        std::process::exit(if check && bad > 0 { 1 } else { 0 });
    }
    let writers = load_writers(&checker, true);
    let explicit = explicit_rules();
    let none = BTreeSet::new();
    println!(
        "leave-one-writer-out over {} writers ({} drafts; untuned: {}); figures are means over held-out writers of CW (breaching warned %) and F (clean with warn/block %)",
        writers.len(),
        writers.iter().map(|w| w.drafts.len()).sum::<usize>(),
        writers.iter().filter(|w| !w.tuned).map(|w| w.name).collect::<Vec<_>>().join(" ")
    );
    // `--setting POOL:DECISION:VALUE:MIN:VARIANT` (e.g. `untuned:gain:0.3:5:plain`): the setting of
    // the per-writer table and the demoted list (default: the shipped one); `--brief`: no grid
    let chosen = args
        .iter()
        .position(|a| a == "--setting")
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            let p: Vec<&str> = v.split(':').collect();
            let num = |i: usize| p.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or_else(|| panic!("--setting {v}: bad number"));
            Setting {
                pool: if p[0] == "all" { Pool::All } else { Pool::Untuned },
                decide: if p.get(1) == Some(&"gain") { Decide::Gain { margin: num(2) } } else { Decide::Precision { tau: num(2) } },
                min_support: num(3) as u32,
                corroborated: p.get(4) == Some(&"corr"),
                model_k: p.get(5).map_or(1.0, |_| num(5) as f32),
            }
        })
        .unwrap_or(SHIPPED);
    let mut settings = vec![];
    for pool in [Pool::Untuned, Pool::All] {
        for corroborated in [false, true] {
            for min_support in [3u32, 5] {
                for tau in [0.5, 0.6, 0.7, 0.8, 0.9] {
                    settings.push(Setting { pool, decide: Decide::Precision { tau }, min_support, corroborated, model_k: 1.0 });
                }
                for model_k in [1.0, 0.75, 0.5, 0.3] {
                    for margin in [0.0, 0.1, 0.3] {
                        settings.push(Setting { pool, decide: Decide::Gain { margin }, min_support, corroborated, model_k });
                    }
                }
            }
        }
    }
    if !settings.contains(&SHIPPED) {
        settings.push(SHIPPED);
    }
    if args.iter().any(|a| a == "--brief") {
        settings = vec![chosen];
    }
    let untuned = |w: &Writer| !w.tuned;
    let tuned = |w: &Writer| w.tuned;
    let groups: [(&str, WriterFilter); 2] = [("untuned", &untuned), ("tuned", &tuned)];
    for (gname, which) in groups {
        let base: Vec<(f64, f64, [u32; 4])> = [false, true].iter().map(|&m| mean(&writers, which, &|_| none.clone(), SHIPPED, m, &info_default)).collect();
        println!(
            "\nheld-out {gname} writers, no demotion: rules only CW {:.1} F {:.1}; with model CW {:.1} F {:.1}",
            base[0].0, base[0].1, base[1].0, base[1].1
        );
        println!("pool    decision         min var   | rules only: CW    F    dCW   dF  dCW-dF | with model: CW    F    dCW   dF  dCW-dF | demoted");
        for set in &settings {
            let dem_sets: Vec<BTreeSet<String>> = (0..writers.len())
                .map(|i| if which(&writers[i]) { demoted(&pool_drafts(&writers, set.pool, Some(i)), *set, &explicit, &info_default) } else { BTreeSet::new() })
                .collect();
            let n = writers.iter().filter(|w| which(w)).count().max(1);
            let avg_dem = dem_sets.iter().map(|d| d.len()).sum::<usize>() as f64 / n as f64;
            let r: Vec<(f64, f64, [u32; 4])> = [false, true].iter().map(|&m| mean(&writers, which, &|i| dem_sets[i].clone(), *set, m, &info_default)).collect();
            let row = |k: usize| {
                let (dc, df) = (r[k].0 - base[k].0, r[k].1 - base[k].1);
                format!("{:5.1} {:5.1} {:+5.1} {:+5.1} {:+5.1}", r[k].0, r[k].1, dc, df, dc - df)
            };
            println!("{} |             {} |             {} | {:.1}{}", describe(set), row(0), row(1), avg_dem, if *set == SHIPPED { "  <- shipped" } else { "" });
        }
    }
    println!("\nper held-out writer, setting {} (CW / F, none -> demoted):", describe(&chosen));
    println!("writer  tuned drafts | rules only                   | with model                   | demoted");
    for (i, w) in writers.iter().enumerate() {
        let dem = demoted(&pool_drafts(&writers, chosen.pool, Some(i)), chosen, &explicit, &info_default);
        let cell = |m: bool| {
            let a = tally(&w.drafts, &none, chosen, m, &info_default);
            let b = tally(&w.drafts, &dem, chosen, m, &info_default);
            format!("{:5.1} / {:4.1} -> {:5.1} / {:4.1}", pct(a[1], a[0]), pct(a[3], a[2]), pct(b[1], b[0]), pct(b[3], b[2]))
        };
        println!("{:8} {:5} {:5} | {} | {} | {}", w.name, w.tuned, w.drafts.len(), cell(false), cell(true), dem.iter().cloned().collect::<Vec<_>>().join(" "));
    }
    let drafts = pool_drafts(&writers, chosen.pool, None);
    let (st, p0) = stats(drafts.iter().copied());
    let dem = demoted(&drafts, chosen, &explicit, &info_default);
    println!("\nall {:?} writers ({} drafts): p0 {p0:.3}; demoted under the setting ({}):", chosen.pool, drafts.len(), dem.len());
    for id in &dem {
        let s = &st[id].1;
        println!("  {id:40} clean {:3} expected {:3} other {:3} precision {:.2}", s.clean, s.expected, s.other, s.smoothed(p0));
    }
}
