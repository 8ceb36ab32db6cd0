//! `cargo +nightly fuzz run check -- -max_total_time=60` (from crate/): arbitrary UTF-8 drafts
//! against every council and mode; spans must stay inside the input on UTF-16 boundaries.
//!
//! Without cargo-fuzz (what it does, by hand; nightly only, never part of the test command):
//!
//! ```text
//! cd crate/fuzz
//! RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
//!   -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
//!   -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
//!   cargo +nightly build --release --target x86_64-unknown-linux-gnu --bin check
//! target/x86_64-unknown-linux-gnu/release/check -max_total_time=300 -max_len=4096 CORPUS_DIR
//! ```
//!
//! (`--target` keeps the coverage flags off build scripts.) Run 2026-11-22 for 300 s, seeded with
//! the 293 drafts of crate/tests/data/own.jsonl: 148,727 inputs (each checked 10 times), no crash,
//! no failed assertion, no overflow.
#![no_main]
use libfuzzer_sys::fuzz_target;
use postcheck::{Checker, Context, Mode};
use std::sync::OnceLock;

static CHECKER: OnceLock<Checker> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let checker = CHECKER.get_or_init(Checker::builtin);
    let units: Vec<u16> = text.encode_utf16().collect();
    for council in ["sheffield", "shaftesbury", "barnsley", "chelmsford", "caerphilly"] {
        for mode in [Mode::Personal, Mode::Official] {
            let mut ctx = Context::new(council);
            ctx.mode = mode;
            ctx.attachments = data.len() % 2 == 0;
            for f in checker.check(text, &ctx).expect("known council") {
                assert!(f.start <= f.end && f.end as usize <= units.len());
                for p in [f.start as usize, f.end as usize] {
                    assert!(p == units.len() || !(0xDC00..0xE000).contains(&units[p]), "span splits a surrogate pair");
                }
            }
        }
    }
});
