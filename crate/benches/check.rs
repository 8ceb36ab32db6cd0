//! Criterion benches of the core, native: one check at 280 / 2,000 / 10,000 / 63,206 UTF-16
//! code units of corpus-like text (see `common`), and the cold start (`Checker::builtin()` plus
//! the first check). `scripts/bench.sh` runs this and writes `docs/performance.md`.

mod common;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use postcheck::Checker;
use std::hint::black_box;
use std::time::Duration;

fn checks(c: &mut Criterion) {
    let drafts = common::drafts();
    let ctx = common::context();
    let checker = Checker::builtin();
    let mut g = c.benchmark_group("check");
    g.warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    for len in common::LENGTHS {
        let text = common::text_of_len(&drafts, len);
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::from_parameter(len), &text, |b, t| {
            b.iter(|| checker.check(black_box(t), &ctx).expect("check"))
        });
    }
    g.finish();
}

fn cold(c: &mut Criterion) {
    let drafts = common::drafts();
    let ctx = common::context();
    let text = common::text_of_len(&drafts, 280);
    let mut g = c.benchmark_group("cold");
    g.sample_size(10).warm_up_time(Duration::from_millis(200)).measurement_time(Duration::from_secs(3));
    g.bench_function("builtin+first-check", |b| {
        b.iter(|| {
            let ch = Checker::builtin();
            ch.check(black_box(&text), &ctx).expect("check")
        })
    });
    g.finish();
}

criterion_group!(benches, checks, cold);
criterion_main!(benches);
