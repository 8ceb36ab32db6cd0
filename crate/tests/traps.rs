//! Trap list (no false alarms on rude-looking UK place names, surnames and ordinary words) and
//! disguised-swearing list (≥ 95% caught). The lists live in `tests/data/*.txt` so the peers
//! comparison (`scripts/peers.sh`) reads the same drafts.

use postcheck::{Checker, Context, Mode, Severity};

fn lines(s: &str) -> Vec<&str> {
    s.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
}

const COUNCILS: [&str; 5] = ["sheffield", "shaftesbury", "barnsley", "chelmsford", "caerphilly"];

#[test]
fn traps_raise_nothing() {
    let c = Checker::builtin();
    let mut bad = Vec::new();
    let traps = lines(include_str!("data/traps.txt"));
    assert!(traps.len() >= 100, "the trap list is {} lines: lost?", traps.len());
    for t in traps {
        for council in COUNCILS {
            for mode in [Mode::Personal, Mode::Official] {
                let mut ctx = Context::new(council);
                ctx.mode = mode;
                let f = c.check(t, &ctx).unwrap();
                let alarms: Vec<_> = f.iter().filter(|f| f.severity != Severity::Info).map(|f| f.rule.clone()).collect();
                if !alarms.is_empty() {
                    bad.push(format!("{council}/{mode:?}: {t:?} → {alarms:?}"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "false alarms on the trap list:\n{}", bad.join("\n"));
}

#[test]
fn disguised_swearing_caught() {
    let c = Checker::builtin();
    let list = lines(include_str!("data/disguised.txt"));
    assert!(list.len() >= 30, "the disguised-swearing list is {} lines: lost?", list.len());
    let mut missed = Vec::new();
    for t in &list {
        let ctx = Context::new("caerphilly");
        let f = c.check(t, &ctx).unwrap();
        if !f.iter().any(|f| f.category == "profanity") {
            missed.push(*t);
        }
    }
    let rate = 1.0 - missed.len() as f64 / list.len() as f64;
    assert!(rate >= 0.95, "disguised swearing caught {:.1}%; missed: {missed:?}", rate * 100.0);
}
