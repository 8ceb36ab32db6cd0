//! Instruction-count bench: a stable measure of the core's cost on a loaded machine.
//!
//! ```text
//! cargo build --release -p postcheck --example bench-icount
//! valgrind --tool=callgrind --toggle-collect=bench_icount::measured target/release/examples/bench-icount steady 280 20
//! valgrind --tool=callgrind --toggle-collect=bench_icount::measured target/release/examples/bench-icount cold
//! ```
//!
//! `steady LEN N`: builds the checker, warms it on the bench texts, then checks the LEN text N
//! times inside `measured` (instructions / N = one check). `cold`: `Checker::builtin()` plus
//! the first check of the 280 text, all inside `measured`. `scripts/bench.sh` runs both.
//! Without valgrind it just runs (and prints wall-clock, which is noisy on shared machines).

mod common;

use postcheck::Checker;
use std::hint::black_box;

#[inline(never)]
fn measured<T>(f: impl FnOnce() -> T) -> T {
    f()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let drafts = common::drafts();
    let ctx = common::context();
    match args.first().map(String::as_str) {
        Some("cold") => {
            let text = common::text_of_len(&drafts, 280);
            let t0 = std::time::Instant::now();
            let n = measured(|| {
                let c = Checker::builtin();
                c.check(black_box(&text), &ctx).expect("check").len()
            });
            println!("cold: Checker::builtin() + first check of 280: {:?} ({n} findings)", t0.elapsed());
        }
        Some("steady") => {
            let len: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(280);
            let n: u32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
            let c = Checker::builtin();
            for l in common::LENGTHS {
                c.check(&common::text_of_len(&drafts, l), &ctx).expect("check");
            }
            let text = common::text_of_len(&drafts, len);
            let t0 = std::time::Instant::now();
            let f = measured(|| {
                let mut f = 0;
                for _ in 0..n {
                    f += c.check(black_box(&text), &ctx).expect("check").len();
                }
                f
            });
            println!("steady: {n} checks of {len}: {:?} per check ({} findings each)", t0.elapsed() / n, f / n as usize);
        }
        _ => {
            // `cargo bench` runs every bench target with `--bench`: do a quick smoke run.
            let c = Checker::builtin();
            let text = common::text_of_len(&drafts, 280);
            println!("icount: {} findings on the 280 text (run under valgrind: see the file's docs)", c.check(&text, &ctx).expect("check").len());
        }
    }
}
