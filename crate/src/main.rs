//! `postcheck` — the command-line front end of the core.
//!
//! ```text
//! postcheck check --council ID [--mode personal|official] [--role politically-restricted]
//!                 [--role works-with-vulnerable] [--now YYYY-MM-DDTHH:MM] [--election YYYY-MM-DD]...
//!                 [--attachments] [--format text|json]      < draft
//! postcheck batch FILE|-        JSON Lines in the corpus format → {"id", "findings"} per line
//! postcheck eval FILE|-         precision/recall against the `expect` labels of a corpus file
//! postcheck profiles            list the built-in councils
//! postcheck profile validate FILE [--json] | profile new NAME [--out FILE]   (profile_cli.rs)
//! ```
//!
//! Exit codes: `check`: 0 clean, 1 findings, 2 bad usage or input. `batch`: 0 when every line
//! ran, 2 when any line was malformed (reported on stderr as `line N: reason`; the others still
//! run). `eval`: 0, or 2 on bad input.

use postcheck::{Checker, Context, Finding, Mode};
use std::collections::BTreeMap;
use std::io::{BufRead, Read, Write};
use std::process::ExitCode;

mod profile_cli;

const USAGE: &str = "usage:
  postcheck check --council ID [--mode personal|official] [--role politically-restricted]
                  [--role works-with-vulnerable] [--now YYYY-MM-DDTHH:MM] [--election YYYY-MM-DD]...
                  [--attachments] [--working-hours JSON] [--severity CATEGORY=block|warn|info|off]...
                  [--profile FILE] [--format text|json]   (draft on stdin)
      --working-hours '{\"days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"],\"start\":\"09:00\",\"end\":\"17:00\"}'
                  (with --now in them, personal mode: the working-time reminder)
      --profile FILE  a council's own profile (comments allowed) to check against: --council its id
  postcheck batch FILE|-
  postcheck eval FILE|-
  postcheck profiles
  postcheck profile validate FILE [--json]
  postcheck profile new NAME [--out FILE]";

fn usage_err(msg: &str) -> ExitCode {
    eprintln!("postcheck: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(cmd) = args.next() else { return usage_err("missing command") };
    let rest: Vec<std::ffi::OsString> = args.collect();
    match cmd.to_str() {
        Some("check") => cmd_check(rest),
        Some("batch") => cmd_batch(rest),
        Some("eval") => cmd_eval(rest),
        Some("profile") => profile_cli::run(rest),
        Some("profiles") => {
            let c = Checker::builtin();
            for p in c.profiles() {
                println!("{}\t{}\t{}", p.id, p.name, p.document);
            }
            ExitCode::SUCCESS
        }
        Some("-h") | Some("--help") | Some("help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_err(&format!("unknown command {:?}", cmd)),
    }
}

fn cmd_check(argv: Vec<std::ffi::OsString>) -> ExitCode {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(argv);
    let mut ctx = Context::default();
    let mut council = None;
    let mut json = false;
    let mut profile_file: Option<String> = None;
    let mut severities: Vec<(String, String)> = Vec::new();
    loop {
        let arg: String = match p.next() {
            Ok(Some(Long(l))) => l.to_string(),
            Ok(Some(Short(c))) => format!("-{c}"),
            Ok(Some(Value(v))) => return usage_err(&format!("unexpected argument {:?}", v)),
            Ok(None) => break,
            Err(e) => return usage_err(&e.to_string()),
        };
        let val = |p: &mut lexopt::Parser| -> Result<String, String> {
            p.value().map_err(|e| e.to_string())?.into_string().map_err(|_| "argument is not UTF-8".to_string())
        };
        let r: Result<(), String> = (|| {
            match arg.as_str() {
                "council" => council = Some(val(&mut p)?),
                "mode" => ctx.mode = val(&mut p)?.parse::<Mode>()?,
                "role" | "flag" => ctx.flags.set(&val(&mut p)?)?,
                "now" => ctx.now = Some(val(&mut p)?.parse()?),
                "election" => ctx.elections.push(val(&mut p)?.parse()?),
                "attachments" => ctx.attachments = true,
                "working-hours" => {
                    let v = val(&mut p)?;
                    ctx.working_hours =
                        Some(serde_json::from_str(&v).map_err(|e| format!("--working-hours: {e} (expected {{\"days\": [\"mon\", …], \"start\": \"HH:MM\", \"end\": \"HH:MM\"}})"))?);
                }
                "severity" => {
                    let v = val(&mut p)?;
                    let (cat, level) = v.split_once('=').ok_or_else(|| format!("--severity {v}: expected CATEGORY=block|warn|info|off"))?;
                    severities.push((cat.to_string(), level.to_string()));
                }
                "profile" => profile_file = Some(val(&mut p)?),
                "format" => match val(&mut p)?.as_str() {
                    "json" => json = true,
                    "text" => json = false,
                    f => return Err(format!("unknown format \"{f}\" (expected text or json)")),
                },
                "help" | "-h" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown option --{other}")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            return usage_err(&e);
        }
    }
    let Some(council) = council else { return usage_err("check needs --council") };
    ctx.council = council;
    let mut checker = Checker::builtin();
    if let Some(file) = &profile_file {
        let src = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("postcheck: cannot read {file}: {e}");
                return ExitCode::from(2);
            }
        };
        if let Err(e) = checker.add_profile_json(&profile_cli::strip_comments(&src)) {
            eprintln!("postcheck: {file}: {e} (postcheck profile validate {file} lists every error)");
            return ExitCode::from(2);
        }
    }
    let cat_ids: Vec<String> = checker.categories().into_iter().map(|c| c.0).collect();
    for (cat, level) in severities {
        if !cat_ids.contains(&cat) {
            return usage_err(&format!("--severity: unknown category \"{cat}\" (known: {})", cat_ids.join(", ")));
        }
        match serde_json::from_value(serde_json::Value::String(level.clone())) {
            Ok(o) => {
                ctx.severity.insert(cat, o);
            }
            Err(_) => return usage_err(&format!("--severity {cat}={level}: expected block, warn, info or off")),
        }
    }
    if !checker.profiles().iter().any(|p| p.id == ctx.council) {
        let ids: Vec<String> = checker.profiles().into_iter().map(|p| p.id).collect();
        eprintln!("postcheck: unknown council \"{}\" (known: {})", ctx.council, ids.join(", "));
        return ExitCode::from(2);
    }
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut raw) {
        eprintln!("postcheck: cannot read stdin: {e}");
        return ExitCode::from(2);
    }
    let text = match String::from_utf8(raw) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("postcheck: stdin is not valid UTF-8 (byte {})", e.utf8_error().valid_up_to());
            return ExitCode::from(2);
        }
    };
    // A trailing newline from `echo` is not part of the draft.
    let text = text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text);
    let findings = match checker.check(text, &ctx) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("postcheck: {e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&findings).unwrap_or_else(|_| "[]".into()));
    } else {
        let _ = write!(out, "{}", render_text(text, &findings));
    }
    if findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The UTF-16 slice `start..end` of `text` (lossy for broken ranges).
fn slice16(text: &str, start: u32, end: u32) -> String {
    let u: Vec<u16> = text.encode_utf16().collect();
    let s = (start as usize).min(u.len());
    let e = (end as usize).min(u.len()).max(s);
    String::from_utf16_lossy(&u[s..e])
}

fn render_text(text: &str, findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "No problems found.\n".into();
    }
    let mut s = String::new();
    for f in findings {
        s.push_str(&format!("{} [{}]", f.title, f.severity.as_str()));
        if f.end > f.start {
            s.push_str(&format!(" — \"{}\" (at {}–{})", slice16(text, f.start, f.end), f.start, f.end));
        } else {
            s.push_str(" — whole post");
        }
        s.push('\n');
        s.push_str(&format!("  {}\n", f.message));
        for c in &f.clauses {
            s.push_str(&format!("  {} — {}: \"{}\"\n", c.reference, c.heading, c.quote));
        }
        s.push_str(&format!("  (rule {})\n", f.rule));
    }
    s
}

#[derive(serde::Deserialize)]
struct Line {
    id: serde_json::Value,
    #[serde(flatten)]
    ctx: Context,
    text: String,
    #[serde(default)]
    expect: Option<Vec<String>>,
}

fn open_input(argv: &[std::ffi::OsString]) -> Result<Box<dyn BufRead>, ExitCode> {
    if argv.len() != 1 {
        return Err(usage_err("expected exactly one FILE argument (- for stdin)"));
    }
    let a = &argv[0];
    if a == "-" {
        Ok(Box::new(std::io::BufReader::new(std::io::stdin())))
    } else {
        match std::fs::File::open(a) {
            Ok(f) => Ok(Box::new(std::io::BufReader::new(f))),
            Err(e) => {
                eprintln!("postcheck: cannot open {}: {e}", a.to_string_lossy());
                Err(ExitCode::from(2))
            }
        }
    }
}

/// Reads every non-empty line; yields (line number, parsed line or error).
fn read_lines(input: Box<dyn BufRead>, checker: &Checker) -> Vec<(usize, Result<Line, String>)> {
    let known: Vec<String> = checker.profiles().into_iter().map(|p| p.id).collect();
    let mut out = Vec::new();
    for (i, raw) in input.split(b'\n').enumerate() {
        let n = i + 1;
        let raw = match raw {
            Ok(r) => r,
            Err(e) => {
                out.push((n, Err(format!("read error: {e}"))));
                break;
            }
        };
        let Ok(s) = std::str::from_utf8(&raw) else {
            out.push((n, Err("not valid UTF-8".into())));
            continue;
        };
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<Line>(s).map_err(|e| e.to_string()).and_then(|l| {
            if known.contains(&l.ctx.council) {
                Ok(l)
            } else {
                Err(format!("unknown council \"{}\"", l.ctx.council))
            }
        });
        out.push((n, parsed));
    }
    out
}

fn cmd_batch(argv: Vec<std::ffi::OsString>) -> ExitCode {
    let input = match open_input(&argv) {
        Ok(i) => i,
        Err(c) => return c,
    };
    let checker = Checker::builtin();
    let mut bad = false;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for (n, line) in read_lines(input, &checker) {
        match line.and_then(|l| checker.check(&l.text, &l.ctx).map(|f| (l.id, f)).map_err(|e| e.to_string())) {
            Ok((id, findings)) => {
                let v = serde_json::json!({"id": id, "findings": findings});
                let _ = writeln!(out, "{v}");
            }
            Err(e) => {
                bad = true;
                let _ = out.flush();
                eprintln!("line {n}: {e}");
            }
        }
    }
    let _ = out.flush();
    if bad {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn excerpt(t: &str, n: usize) -> String {
    let s: String = t.chars().take(n).collect();
    if t.chars().count() > n {
        format!("{s}…")
    } else {
        s
    }
}

/// Extra checks of every draft when timing `eval` (the µs/draft line in its summary).
const TIMING_REPEAT: u32 = 9;

fn cmd_eval(argv: Vec<std::ffi::OsString>) -> ExitCode {
    let input = match open_input(&argv) {
        Ok(i) => i,
        Err(c) => return c,
    };
    let checker = Checker::builtin();
    let cats: Vec<String> = checker.categories().into_iter().map(|c| c.0).collect();
    // per category: tp, fp, fn
    let mut stats: BTreeMap<String, (u32, u32, u32)> = cats.iter().map(|c| (c.clone(), (0, 0, 0))).collect();
    let (mut breaching, mut caught, mut clean, mut false_alarm) = (0u32, 0u32, 0u32, 0u32);
    // breaching drafts warned: an expected category found at warning level, i.e. at warn or block, or
    // at info for a category whose default is info (images): a finding demoted to info still counts
    // as caught, but the user is not warned, so precision steps that demote are judged by this figure
    let info_by_default: Vec<String> =
        checker.categories().into_iter().filter(|c| c.2 == postcheck::Severity::Info).map(|c| c.0).collect();
    let mut warned = 0u32;
    let mut report = Vec::new();
    let mut bad = false;
    let (mut check_time, mut checks, mut check_bytes) = (std::time::Duration::ZERO, 0u32, 0u64);
    for (n, line) in read_lines(input, &checker) {
        let l = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("line {n}: {e}");
                bad = true;
                continue;
            }
        };
        let Some(expect) = l.expect.clone() else {
            eprintln!("line {n}: no \"expect\" labels");
            bad = true;
            continue;
        };
        let t0 = std::time::Instant::now();
        let findings = match checker.check(&l.text, &l.ctx) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("line {n}: {e}");
                bad = true;
                continue;
            }
        };
        // timing: the first check plus TIMING_REPEAT more of the same draft
        for _ in 0..TIMING_REPEAT {
            let _ = std::hint::black_box(checker.check(std::hint::black_box(&l.text), &l.ctx));
        }
        check_time += t0.elapsed();
        checks += 1 + TIMING_REPEAT;
        check_bytes += l.text.len() as u64 * (1 + TIMING_REPEAT) as u64;
        let mut got: Vec<String> = findings.iter().map(|f| f.category.clone()).collect();
        got.sort();
        got.dedup();
        let alarming = findings.iter().any(|f| f.severity != postcheck::Severity::Info);
        if expect.is_empty() {
            clean += 1;
            if alarming {
                false_alarm += 1;
            }
        } else {
            breaching += 1;
            if expect.iter().any(|e| got.contains(e)) {
                caught += 1;
            }
            if findings.iter().any(|f| {
                expect.contains(&f.category) && (f.severity != postcheck::Severity::Info || info_by_default.contains(&f.category))
            }) {
                warned += 1;
            }
        }
        let mut misses = Vec::new();
        let mut extras = Vec::new();
        for c in &cats {
            let e = expect.contains(c);
            let g = got.contains(c);
            let st = stats.entry(c.clone()).or_default();
            match (e, g) {
                (true, true) => st.0 += 1,
                (false, true) => {
                    st.1 += 1;
                    extras.push(c.clone())
                }
                (true, false) => {
                    st.2 += 1;
                    misses.push(c.clone())
                }
                _ => {}
            }
        }
        if !misses.is_empty() || !extras.is_empty() {
            let id = l.id.as_str().map(str::to_string).unwrap_or_else(|| l.id.to_string());
            let mut s = format!(
                "{id} [{} {}{}] missed={:?} extra={:?}\n  {}\n",
                l.ctx.council,
                l.ctx.mode.as_str(),
                if l.ctx.flags.politically_restricted || l.ctx.flags.works_with_vulnerable {
                    format!(" {}", serde_json::to_string(&l.ctx.flags).unwrap_or_default())
                } else {
                    String::new()
                },
                misses,
                extras,
                excerpt(&l.text, 220)
            );
            for f in &findings {
                s.push_str(&format!("    - {} {} \"{}\" ({})\n", f.category, f.severity.as_str(), slice16(&l.text, f.start, f.end), f.rule));
            }
            report.push(s);
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{:<18} {:>5} {:>5} {:>5} {:>7}", "category", "P", "R", "F1", "support");
    let (mut min_p, mut min_r) = (1.0f64, 1.0f64);
    for (c, (tp, fp, fnn)) in &stats {
        let support = tp + fnn;
        if support == 0 && *fp == 0 {
            continue;
        }
        let p = if tp + fp == 0 { 1.0 } else { f64::from(*tp) / f64::from(tp + fp) };
        let r = if support == 0 { 1.0 } else { f64::from(*tp) / f64::from(support) };
        let f1 = if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) };
        min_p = min_p.min(p);
        min_r = min_r.min(r);
        let _ = writeln!(out, "{c:<18} {p:>5.2} {r:>5.2} {f1:>5.2} {support:>7}  (tp {tp}, fp {fp}, fn {fnn})");
    }
    let (tp, fp, fnn) = stats.values().fold((0u32, 0u32, 0u32), |a, s| (a.0 + s.0, a.1 + s.1, a.2 + s.2));
    let (mp, mr) = (f64::from(tp) / f64::from((tp + fp).max(1)), f64::from(tp) / f64::from((tp + fnn).max(1)));
    let micro = if mp + mr == 0.0 { 0.0 } else { 2.0 * mp * mr / (mp + mr) };
    let _ = writeln!(out, "{:<18} {mp:>5.2} {mr:>5.2} {micro:>5.2} {:>7}", "micro (all)", tp + fnn);
    let rate = |a: u32, b: u32| if b == 0 { 0.0 } else { 100.0 * f64::from(a) / f64::from(b) };
    let _ = writeln!(out, "breaching drafts caught (an expected category found): {caught}/{breaching} ({:.1}%)", rate(caught, breaching));
    let _ = writeln!(
        out,
        "breaching drafts warned (an expected category at warn/block, or at info if that is its default): {warned}/{breaching} ({:.1}%)",
        rate(warned, breaching)
    );
    let _ = writeln!(out, "clean drafts with warn/block: {false_alarm}/{clean} ({:.1}%)", rate(false_alarm, clean));
    let _ = writeln!(out, "lowest precision {min_p:.2}, lowest recall {min_r:.2}");
    if checks > 0 {
        let us = check_time.as_secs_f64() * 1e6 / f64::from(checks);
        let us280 = check_time.as_secs_f64() * 1e6 / (check_bytes as f64 / 280.0);
        let _ = writeln!(out, "timing: {us:.1} µs/draft mean ({us280:.1} µs per 280 bytes) over {checks} checks");
    }
    let _ = writeln!(out, "\n{} drafts with a miss or false alarm:", report.len());
    for r in report {
        let _ = write!(out, "{r}");
    }
    if bad {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
