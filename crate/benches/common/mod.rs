//! Bench texts shared by the criterion bench (`check.rs`) and the instruction-count bench
//! (`icount.rs`); `tests/bench/texts.mjs` builds the same texts for the wasm and peers benches.
//!
//! Corpus-like, not random: the drafts of `crate/tests/data/own.jsonl` in file order, joined
//! with "\n" (cycling if needed) and cut to exactly `len` UTF-16 code units (JavaScript's
//! `String.length`, which is what the sites' character limits count; a character that would
//! straddle the limit is replaced by spaces).

#![allow(dead_code)]

use postcheck::{Context, Mode};

/// Lengths in UTF-16 code units: a tweet, a long post, a very long one, Facebook's limit.
pub const LENGTHS: [usize; 4] = [280, 2_000, 10_000, 63_206];

/// The drafts of `crate/tests/data/own.jsonl`, in file order.
pub fn drafts() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/own.jsonl");
    let data = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    data.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("own.jsonl line");
            v["text"].as_str().expect("text").to_string()
        })
        .collect()
}

/// A draft of exactly `len` UTF-16 code units (see module docs).
pub fn text_of_len(drafts: &[String], len: usize) -> String {
    let mut out = String::with_capacity(len * 2);
    let mut n = 0usize;
    'outer: loop {
        for (i, d) in drafts.iter().enumerate() {
            let sep = if n == 0 && i == 0 { "" } else { "\n" };
            for c in sep.chars().chain(d.chars()) {
                let w = c.len_utf16();
                if n + w > len {
                    break 'outer;
                }
                out.push(c);
                n += w;
            }
        }
    }
    while n < len {
        out.push(' ');
        n += 1;
    }
    out
}

/// The context every bench uses: Barnsley, personal account, politically restricted (so the
/// political rules run too), an election ahead (so the pre-election rules run too).
pub fn context() -> Context {
    let mut ctx = Context::new("barnsley");
    ctx.mode = Mode::Personal;
    ctx.flags.politically_restricted = true;
    ctx.now = Some("2026-05-01T12:00".parse().expect("now"));
    ctx.elections = vec!["2026-05-07".parse().expect("election")];
    ctx
}
