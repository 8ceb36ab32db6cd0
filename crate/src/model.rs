//! The stance model: one small logistic regression per *stance* category over the words of the
//! draft's skeleton, run after the rules to add recall on wording the rule lexicons miss.
//!
//! Source: issue 3 (rules caught 55–80 % of fresh breaching drafts; the stance categories had the
//! poorest recall). The weights are learned by `cargo run -p postcheck --release --example
//! train-model` (`crate/examples/train-model.rs`) from the labelled drafts in
//! `../shared/corpus/dev.jsonl`, `crate/tests/data/own.jsonl`, `own2.jsonl` … `own5.jsonl` and
//! `crate/tests/data/probes/*.jsonl`, and stored in `crate/model/stance.json` (its `about`
//! header documents format, features, data, date and cross-validation figures).
//!
//! Features ([`features`]): on the ASCII skeleton ([`Normalized::skel`]), a *word* is a maximal run
//! of ASCII letters/digits (an apostrophe between two such bytes is skipped, so `don't` → `dont`);
//! a word with a digit reads as `0`. Features are the words that are not stop-words
//! ([`STOP_WORDS`]), every pair of adjacent words (`"w1 w2"`, stop-words included), and the
//! context features `mode:official`, `flag:politically_restricted`, `flag:works_with_vulnerable`.
//! Each feature counts once per draft (binary). Features are looked up by their FNV-1a 32-bit
//! hash ([`fnv1a`]) in a table built once from the model file (a collision between a draft's
//! n-gram and a model n-gram is possible but has odds of about 1 in 400,000 per draft).
//!
//! Score of category `c`: `bias_c + Σ w_c[f]` over the draft's features (a logit); the model
//! *fires* when `sigmoid(score) ≥ threshold_c`. The engine (`engine.rs`) only asks about grounded
//! categories the rules did not raise, and never raises a `block` from the model.

use crate::normalize::Normalized;
use crate::{Context, Mode};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The model file, embedded at compile time (`crate/model/stance.json`).
pub const MODEL_JSON: &str = include_str!("../model/stance.json");

/// Whether the engine consults the model when the environment says nothing. The switch: native
/// builds read `POSTCHECK_STANCE_MODEL` (`1` on, `0` off) once per process; wasm uses this value.
/// On since the cross experiment of `docs/stance-model.md` (train on the base + own4, test on own5
/// and the reverse; precision bar 0.95): breaching drafts caught +3.3 points, clean drafts warned
/// +0.9 points on average, within the rule fixed beforehand (≥ +2 / ≤ +1, trap list quiet).
pub const ENABLED_BY_DEFAULT: bool = true;

/// Words that are not unigram features (they still take part in bigrams). English function words.
pub const STOP_WORDS: [&str; 64] = [
    "a", "about", "all", "am", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "do", "for",
    "from", "had", "has", "have", "he", "her", "him", "his", "i", "if", "in", "is", "it", "its", "just", "me",
    "my", "no", "not", "of", "on", "or", "our", "out", "she", "so", "that", "the", "their", "them", "then",
    "there", "they", "this", "to", "up", "us", "was", "we", "were", "what", "when", "who", "will", "with",
    "you", "your", "im",
];

/// FNV-1a, 32 bit, continued from `h` (start with [`FNV_OFFSET`]).
pub fn fnv1a_from(mut h: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// FNV-1a 32-bit offset basis.
pub const FNV_OFFSET: u32 = 0x811c_9dc5;

/// FNV-1a, 32 bit, of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    fnv1a_from(FNV_OFFSET, bytes)
}

/// One feature occurrence in a draft: its text (as stored in the model file), its hash, and the
/// skeleton byte range `start..end` it covers (for spans; map with `Normalized::span16`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub text: String,
    pub hash: u32,
    /// Skeleton byte offsets, end exclusive; `0..0` for context features.
    pub start: usize,
    pub end: usize,
}

/// The words of a skeleton: (normalised word bytes, start, end) in skeleton bytes.
fn words(skel: &[u8]) -> Vec<(Vec<u8>, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = skel.len();
    while i < n {
        if !skel[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        let mut w = Vec::new();
        let mut digit = false;
        while i < n {
            let b = skel[i];
            if b.is_ascii_alphanumeric() {
                digit |= b.is_ascii_digit();
                w.push(b);
                i += 1;
            } else if b == b'\'' && i + 1 < n && skel[i + 1].is_ascii_alphanumeric() && i > s {
                i += 1;
            } else {
                break;
            }
        }
        if digit {
            w = b"0".to_vec();
        }
        out.push((w, s, i));
    }
    out
}

fn is_stop(w: &[u8]) -> bool {
    STOP_WORDS.iter().any(|s| s.as_bytes() == w)
}

/// The draft's features, each once (first occurrence), in order of appearance; context features
/// last. `skel` is the skeleton of the draft; mode/flags come from `ctx`.
pub fn features(skel: &[u8], ctx: &Context) -> Vec<Feature> {
    let ws = words(skel);
    let mut out: Vec<Feature> = Vec::with_capacity(ws.len() * 2 + 3);
    let mut seen: std::collections::HashSet<u32> = std::collections::HashSet::with_capacity(ws.len() * 2 + 3);
    let mut push = |text: String, start: usize, end: usize, out: &mut Vec<Feature>| {
        let hash = fnv1a(text.as_bytes());
        if seen.insert(hash) {
            out.push(Feature { text, hash, start, end });
        }
    };
    for (k, (w, s, e)) in ws.iter().enumerate() {
        if !is_stop(w) {
            push(String::from_utf8_lossy(w).into_owned(), *s, *e, &mut out);
        }
        if let Some((w2, _, e2)) = ws.get(k + 1) {
            let mut b = w.clone();
            b.push(b' ');
            b.extend_from_slice(w2);
            push(String::from_utf8_lossy(&b).into_owned(), *s, *e2, &mut out);
        }
    }
    if ctx.mode == Mode::Official {
        push("mode:official".into(), 0, 0, &mut out);
    }
    for f in ["politically_restricted", "works_with_vulnerable"] {
        if ctx.flags.has(f) {
            push(format!("flag:{f}"), 0, 0, &mut out);
        }
    }
    out
}

/// The features of [`features`] as (hash, skeleton start, end), without building their text:
/// what [`Model::score`] uses (no allocation per word). Each hash once (first occurrence), in no
/// particular order; context features have the span `0..0`. `out` is cleared first.
pub fn feature_hashes(skel: &[u8], ctx: &Context, out: &mut Vec<(u32, usize, usize)>) {
    static STOP: OnceLock<Vec<u32>> = OnceLock::new();
    let stop = STOP.get_or_init(|| {
        let mut v: Vec<u32> = STOP_WORDS.iter().map(|w| fnv1a(w.as_bytes())).collect();
        v.sort_unstable();
        v
    });
    out.clear();
    // the normalised bytes of the word at s..e (as `words` builds them), hashed on from `h`
    let fold = |h: u32, s: usize, e: usize, digit: bool| -> u32 {
        if digit {
            return fnv1a_from(h, b"0");
        }
        let mut h = h;
        for &b in &skel[s..e] {
            if b != b'\'' {
                h = fnv1a_from(h, &[b]);
            }
        }
        h
    };
    let n = skel.len();
    let mut prev: Option<(u32, usize)> = None; // (hash of "w1 ", start of w1)
    let mut i = 0;
    while i < n {
        if !skel[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        let mut digit = false;
        while i < n {
            let b = skel[i];
            if b.is_ascii_alphanumeric() {
                digit |= b.is_ascii_digit();
                i += 1;
            } else if b == b'\'' && i + 1 < n && skel[i + 1].is_ascii_alphanumeric() && i > s {
                i += 1;
            } else {
                break;
            }
        }
        let h = fold(FNV_OFFSET, s, i, digit);
        if stop.binary_search(&h).is_err() {
            out.push((h, s, i));
        }
        if let Some((hp, ps)) = prev {
            out.push((fold(hp, s, i, digit), ps, i));
        }
        prev = Some((fnv1a_from(h, b" "), s));
    }
    if ctx.mode == Mode::Official {
        out.push((fnv1a(b"mode:official"), 0, 0));
    }
    for (f, t) in [("politically_restricted", "flag:politically_restricted"), ("works_with_vulnerable", "flag:works_with_vulnerable")] {
        if ctx.flags.has(f) {
            out.push((fnv1a(t.as_bytes()), 0, 0));
        }
    }
    // each hash once, at its first occurrence (context features have no occurrence to compare)
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    out.dedup_by_key(|f| f.0);
}

/// Hasher for keys that are already FNV-1a hashes: passes the `u32` through (no SipHash).
#[derive(Default, Clone, Copy)]
struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type Index = HashMap<u32, usize, std::hash::BuildHasherDefault<PassThrough>>;

/// One category of the model.
#[derive(Debug, Clone)]
pub struct CategoryModel {
    /// Category id, e.g. `"disrepute"`.
    pub id: String,
    /// Opening of the finding message, e.g. `"Reads as criticism of the council"`.
    pub reads_as: String,
    /// Logit bias.
    pub bias: f32,
    /// Probability threshold (0–1) at which the model fires; above 1 = never.
    pub threshold: f32,
}

/// A fire/quiet example stored in the model file (run as a test).
#[derive(Debug, Clone)]
pub struct Example {
    pub category: String,
    pub fire: bool,
    pub text: String,
    pub context: Context,
}

/// The loaded model: categories, and per feature hash a row of weights (one per category).
#[derive(Debug, Clone)]
pub struct Model {
    pub categories: Vec<CategoryModel>,
    index: Index,
    /// `weights[row * categories.len() + c]`.
    weights: Vec<f32>,
    pub examples: Vec<Example>,
}

/// Why the model fired: the probability, and the features that weigh most (largest positive
/// weight first, at most 3, context features excluded).
#[derive(Debug, Clone)]
pub struct Verdict {
    /// sigmoid(score), 0–1.
    pub probability: f32,
    pub fires: bool,
    /// (skeleton start, end, weight), heaviest first, none overlapping another; empty unless `fires`.
    pub top: Vec<(usize, usize, f32)>,
}

impl Model {
    /// Parses a model file (format in `crate/model/stance.json`'s `about.format`). Errors name the field.
    pub fn parse(json: &str) -> Result<Model, String> {
        let v: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("stance.json: {e}"))?;
        let cats = v.get("categories").and_then(|c| c.as_array()).ok_or("stance.json: categories: expected an array")?;
        let mut categories = Vec::new();
        let mut index: Index = Index::default();
        let mut rows: Vec<Vec<(usize, f32)>> = Vec::new();
        for (ci, c) in cats.iter().enumerate() {
            let f = |k: &str| c.get(k).ok_or(format!("stance.json: categories[{ci}].{k}: missing"));
            let id = f("id")?.as_str().ok_or(format!("categories[{ci}].id: expected a string"))?.to_string();
            let reads_as = f("reads_as")?.as_str().ok_or(format!("categories[{ci}].reads_as: expected a string"))?.to_string();
            let bias = f("bias")?.as_f64().ok_or(format!("categories[{ci}].bias: expected a number"))? as f32;
            let threshold = f("threshold")?.as_f64().ok_or(format!("categories[{ci}].threshold: expected a number"))? as f32;
            let ws = f("weights")?.as_array().ok_or(format!("categories[{ci}].weights: expected an array"))?;
            for (k, p) in ws.iter().enumerate() {
                let bad = || format!("stance.json: categories[{ci}].weights[{k}]: expected [\"feature\", weight]");
                let a = p.as_array().ok_or_else(bad)?;
                let (Some(t), Some(w)) = (a.first().and_then(|x| x.as_str()), a.get(1).and_then(|x| x.as_f64())) else {
                    return Err(bad());
                };
                let h = fnv1a(t.as_bytes());
                let row = *index.entry(h).or_insert_with(|| {
                    rows.push(Vec::new());
                    rows.len() - 1
                });
                rows[row].push((ci, w as f32));
            }
            categories.push(CategoryModel { id, reads_as, bias, threshold });
        }
        let n = categories.len();
        let mut weights = vec![0f32; rows.len() * n];
        for (r, ws) in rows.iter().enumerate() {
            for (c, w) in ws {
                weights[r * n + c] += w;
            }
        }
        let mut examples = Vec::new();
        if let Some(ex) = v.get("examples").and_then(|e| e.as_array()) {
            for (k, e) in ex.iter().enumerate() {
                let bad = |f: &str| format!("stance.json: examples[{k}].{f}: missing or wrong type");
                examples.push(Example {
                    category: e.get("category").and_then(|x| x.as_str()).ok_or_else(|| bad("category"))?.to_string(),
                    fire: e.get("fire").and_then(|x| x.as_bool()).ok_or_else(|| bad("fire"))?,
                    text: e.get("text").and_then(|x| x.as_str()).ok_or_else(|| bad("text"))?.to_string(),
                    context: serde_json::from_value(e.get("context").cloned().ok_or_else(|| bad("context"))?)
                        .map_err(|err| format!("stance.json: examples[{k}].context: {err}"))?,
                });
            }
        }
        Ok(Model { categories, index, weights, examples })
    }

    /// Index of category `id`, if the model covers it.
    pub fn category(&self, id: &str) -> Option<usize> {
        self.categories.iter().position(|c| c.id == id)
    }

    /// Scores every category for the draft whose skeleton is `skel`: one pass over its features.
    pub fn score(&self, skel: &[u8], ctx: &Context) -> Vec<Verdict> {
        let n = self.categories.len();
        let mut feats = Vec::with_capacity(skel.len() / 2);
        feature_hashes(skel, ctx, &mut feats);
        let mut sums: Vec<f32> = self.categories.iter().map(|c| c.bias).collect();
        // rows of the draft's features that carry weights, with their spans
        let rows: Vec<(usize, usize, usize)> =
            feats.iter().filter_map(|&(h, start, end)| self.index.get(&h).map(|&r| (r, start, end))).collect();
        for &(r, _, _) in &rows {
            for (c, sum) in sums.iter_mut().enumerate() {
                *sum += self.weights[r * n + c];
            }
        }
        sums.iter()
            .zip(&self.categories)
            .enumerate()
            .map(|(c, (s, cm))| {
                let probability = 1.0 / (1.0 + (-s).exp());
                let fires = probability >= cm.threshold;
                let mut kept: Vec<(usize, usize, f32)> = Vec::new();
                if fires {
                    // the words that weigh most: heaviest first, skipping any that overlaps a
                    // heavier one already taken (context features have no words)
                    let mut top: Vec<(usize, usize, f32)> = rows
                        .iter()
                        .map(|&(r, start, end)| (start, end, self.weights[r * n + c]))
                        .filter(|t| t.2 > 0.0 && t.1 > t.0)
                        .collect();
                    top.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
                    for t in top {
                        if kept.len() < 3 && !kept.iter().any(|k| t.0 < k.1 && k.0 < t.1) {
                            kept.push(t);
                        }
                    }
                }
                Verdict { probability, fires, top: kept }
            })
            .collect()
    }

    /// Scores `text` (normalised here) for category `id`; `None` if the model lacks it.
    pub fn verdict(&self, text: &str, ctx: &Context, id: &str) -> Option<Verdict> {
        let c = self.category(id)?;
        let norm = Normalized::new(text);
        self.score(&norm.skel, ctx).into_iter().nth(c)
    }

    /// Number of distinct features (hash rows) with a weight.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether the model has no weights.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// Environment variable (native builds only, read once per process) naming a model file to use
/// instead of the embedded one: how `crate/examples/train-model.rs --out FILE` experiments are
/// evaluated (`POSTCHECK_STANCE_MODEL_FILE=FILE postcheck eval SET`) without touching the shipped
/// file. Ignored in wasm.
pub const MODEL_FILE_ENV: &str = "POSTCHECK_STANCE_MODEL_FILE";

/// The model, parsed once on first use: the file named by [`MODEL_FILE_ENV`] when that is set
/// (native builds), otherwise the embedded [`MODEL_JSON`]. `None` if the file is broken or
/// unreadable (for the embedded file the test `model_file_parses_and_documents_itself` guards
/// against that; for an env-var file the error is printed to stderr once, so an experiment
/// cannot silently run without its model).
pub fn builtin() -> Option<&'static Model> {
    static M: OnceLock<Option<Model>> = OnceLock::new();
    M.get_or_init(|| {
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(path) = std::env::var_os(MODEL_FILE_ENV).filter(|p| !p.is_empty()) {
            let parsed = std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|s| Model::parse(&s));
            return match parsed {
                Ok(m) => Some(m),
                Err(e) => {
                    eprintln!("{MODEL_FILE_ENV}={}: {e}; no stance model", path.to_string_lossy());
                    None
                }
            };
        }
        Model::parse(MODEL_JSON).ok()
    })
    .as_ref()
}

/// Whether the engine consults the model: `POSTCHECK_STANCE_MODEL` (`1`/`0`, native builds,
/// read once) or else [`ENABLED_BY_DEFAULT`].
pub fn enabled() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    {
        static E: OnceLock<bool> = OnceLock::new();
        *E.get_or_init(|| match std::env::var("POSTCHECK_STANCE_MODEL") {
            Ok(v) => v.trim() == "1",
            Err(_) => ENABLED_BY_DEFAULT,
        })
    }
    // a constant in wasm, so a disabled model and its embedded file can be left out of the build
    #[cfg(target_arch = "wasm32")]
    {
        ENABLED_BY_DEFAULT
    }
}

/// [`crate::Checker::check`] with the stance model on (`true`) or off, whatever the switch says
/// (for tests, the trainer and evaluation). Same output contract as `Checker::check`.
pub fn check_with_model(checker: &crate::Checker, text: &str, ctx: &Context, on: bool) -> Result<Vec<crate::Finding>, crate::CheckError> {
    checker.engine.check_with(text, ctx, on)
}

/// Whether `checker`'s profile for `ctx.council` grounds category `cat` for the context's mode and
/// flags (a ground with no tag condition matches): the label convention of the training data
/// (a draft is a negative for `cat` only where `cat` is grounded). False for an unknown council.
pub fn grounded(checker: &crate::Checker, ctx: &Context, cat: &str) -> bool {
    checker.engine.grounding_clauses(ctx, cat).is_some_and(|c| !c.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_features() {
        let n = Normalized::new("I don't think Dave’s 3rd plan is OK");
        let f = features(&n.skel, &Context::new("x"));
        let t: Vec<&str> = f.iter().map(|f| f.text.as_str()).collect();
        assert!(t.contains(&"dont") && t.contains(&"i dont") && t.contains(&"daves") && t.contains(&"0 plan"), "{t:?}");
        assert!(!t.contains(&"i") && !t.contains(&"is"), "stop-words are not unigrams: {t:?}");
        let d = f.iter().find(|f| f.text == "daves").unwrap();
        assert_eq!(&n.skel[d.start..d.end], b"dave's");
    }

    /// The allocation-free hashes are exactly the hashed features, at the same spans.
    #[test]
    fn feature_hashes_match_features() {
        let mut ctx = Context::new("x");
        ctx.mode = Mode::Official;
        ctx.flags.set("works_with_vulnerable").unwrap();
        for t in ["I don't think Dave’s 3rd plan is OK, it's a 2nd-rate plan... I'm sure I'm right", "", "'' a'b 'c' d'", "the the the 12 12 x"] {
            let n = Normalized::new(t);
            let mut want: Vec<(u32, usize, usize)> = features(&n.skel, &ctx).iter().map(|f| (f.hash, f.start, f.end)).collect();
            want.sort_unstable();
            let mut got = Vec::new();
            feature_hashes(&n.skel, &ctx, &mut got);
            got.sort_unstable();
            assert_eq!(got, want, "{t:?}");
        }
    }

    #[test]
    fn fnv_known_values() {
        assert_eq!(fnv1a(b""), 0x811c9dc5);
        assert_eq!(fnv1a(b"a"), 0xe40c292c);
        assert_eq!(fnv1a(b"foobar"), 0xbf9cf968);
    }
}
