//! The `postcheck` binary: exit codes, text/JSON output, `batch` and the dev corpus.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_postcheck"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn postcheck");
    // the binary may exit before reading stdin (bad usage): ignore a broken pipe
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn check_clean_exits_0() {
    let o = run(&["check", "--council", "barnsley"], b"Lovely day at Penistone Show\n");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

#[test]
fn check_findings_exit_1_text_and_json() {
    let text = b"between us the Hoyland depot is closing, don't tell anyone";
    let o = run(&["check", "--council", "barnsley", "--mode", "personal"], text);
    assert_eq!(o.status.code(), Some(1));
    let s = out(&o);
    assert!(s.contains("Confidential information"), "{s}");
    assert!(s.contains("Barnsley MBC Social Networking Policy 4.4"), "{s}");
    let o = run(&["check", "--council", "barnsley", "--format", "json"], text);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert!(arr.iter().any(|f| f["category"] == "confidential-info"
        && f["clauses"].as_array().unwrap().iter().any(|c| c["clause"] == "4.4")));
}

#[test]
fn check_roles_and_dates() {
    let args = [
        "check", "--council", "chelmsford", "--mode", "personal", "--role", "politically_restricted",
        "--now", "2024-06-10T10:00", "--election", "2024-07-04", "--format", "json",
    ];
    let o = run(&args, b"Vote Lib Dem on the 4th");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cats: Vec<&str> = v.as_array().unwrap().iter().map(|f| f["category"].as_str().unwrap()).collect();
    assert!(cats.contains(&"political") && cats.contains(&"pre-election"), "{cats:?}");
    let o = run(&["check", "--council", "sheffield", "--role", "works-with-vulnerable", "--attachments"], b"day out");
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("whole post"));
}

#[test]
fn check_bad_usage_exits_2() {
    for (args, input, needle) in [
        (vec!["check", "--council", "atlantis"], &b"hi"[..], "unknown council"),
        (vec!["check"], &b"hi"[..], "--council"),
        (vec!["check", "--council", "barnsley", "--now", "2024-13-01T10:00"], &b"hi"[..], "bad date"),
        (vec!["check", "--council", "barnsley", "--election", "tomorrow"], &b"hi"[..], "bad date"),
        (vec!["check", "--council", "barnsley", "--mode", "secret"], &b"hi"[..], "unknown mode"),
        (vec!["check", "--council", "barnsley", "--role", "boss"], &b"hi"[..], "unknown flag"),
        (vec!["check", "--council", "barnsley"], &b"caf\xe9 \xff"[..], "UTF-8"),
        (vec!["frobnicate"], &b""[..], "unknown command"),
    ] {
        let o = run(&args, input);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(err(&o).contains(needle), "{args:?}: {}", err(&o));
    }
}

#[test]
fn batch_reports_bad_lines_and_runs_the_rest() {
    let input = concat!(
        r#"{"id": "a", "council": "barnsley", "mode": "personal", "flags": [], "site": "x", "attachments": false, "now": "2024-01-01T10:00", "elections": [], "text": "shit day", "expect": ["profanity"], "why": "x"}"#, "\n",
        "{not json\n",
        r#"{"id": "c", "council": "atlantis", "text": "hi"}"#, "\n",
        r#"{"id": "d", "council": "sheffield"}"#, "\n",
        "\n",
        r#"{"id": "e", "council": "caerphilly", "mode": "official", "flags": ["works_with_vulnerable"], "attachments": true, "text": "Castle at dawn"}"#, "\n",
    );
    let o = run(&["batch", "-"], input.as_bytes());
    assert_eq!(o.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = out(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["findings"][0]["category"], "profanity");
    assert_eq!(lines[1]["id"], "e");
    assert_eq!(lines[1]["findings"].as_array().unwrap().len(), 0);
    let e = err(&o);
    assert!(e.contains("line 2: "), "{e}");
    assert!(e.contains("line 3: unknown council \"atlantis\""), "{e}");
    assert!(e.contains("line 4: ") && e.contains("text"), "{e}");
    // all good → exit 0
    let o = run(&["batch", "-"], input.lines().next().unwrap().as_bytes());
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn batch_answers_every_dev_corpus_line() {
    let path = std::env::var("POSTCHECK_CORPUS")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus/dev.jsonl").to_string());
    // a missing corpus is a failure, not a silent pass: set POSTCHECK_CORPUS=skip to run without it
    if path == "skip" {
        return;
    }
    let corpus = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("dev corpus {path}: {e} (set POSTCHECK_CORPUS to its path, or to `skip`)"));
    let n = corpus.lines().filter(|l| !l.trim().is_empty()).count();
    let o = run(&["batch", &path], b"");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let ids: Vec<String> = out(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), n);
    // the ids come back in input order (`batch` answers line by line); the dev set is dev-0001 …
    // dev-0360 (../shared/corpus/README.md), other corpora keep their own ids
    let want: Vec<String> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, want);
    if path.ends_with("corpus/dev.jsonl") {
        assert_eq!(n, 360, "../shared/corpus/README.md: dev-0001 … dev-0360");
    }
}

#[test]
fn check_working_hours_severity_and_own_profile() {
    let hours = r#"{"days":["fri"],"start":"09:00","end":"17:00"}"#;
    // 2026-05-01 is a Friday: the reminder, whole post, citing Barnsley 5.1
    let o = run(&["check", "--council", "barnsley", "--now", "2026-05-01T10:00", "--working-hours", hours, "--format", "json"], b"hello all");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let f: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    assert_eq!(f[0]["category"], "working-time");
    assert_eq!((f[0]["start"].as_u64(), f[0]["end"].as_u64()), (Some(0), Some(0)));
    assert_eq!(f[0]["clauses"][0]["reference"], "Barnsley MBC Social Networking Policy 5.1");
    // outside the hours: clean
    let o = run(&["check", "--council", "barnsley", "--now", "2026-05-01T18:00", "--working-hours", hours], b"hello all");
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    // severity: off drops, block re-grades; bad values are usage errors
    let swear = b"What a fucking shambles of a day";
    assert_eq!(run(&["check", "--council", "barnsley", "--severity", "profanity=off"], swear).status.code(), Some(0));
    assert!(out(&run(&["check", "--council", "barnsley", "--severity", "profanity=block"], swear)).contains("[block]"));
    for bad in ["profanity=loud", "nope=off", "profanity"] {
        let o = run(&["check", "--council", "barnsley", "--severity", bad], swear);
        assert_eq!(o.status.code(), Some(2), "{bad}");
    }
    assert_eq!(run(&["check", "--council", "barnsley", "--working-hours", r#"{"days":["funday"],"start":"09:00","end":"17:00"}"#], b"x").status.code(), Some(2));
    // a council's own profile, as `profile new` writes it (comments and all)
    let dir = std::env::temp_dir().join(format!("postcheck-cli-own-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("newtown.json");
    let o = run(&["profile", "new", "Newtown", "--out", file.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    let o = run(&["check", "--profile", file.to_str().unwrap(), "--council", "newtown", "--format", "json"], b"Project Nightjar slipped; see you on Nightjar Lane");
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let f: serde_json::Value = serde_json::from_str(&out(&o)).unwrap();
    let rules: Vec<&str> = f.as_array().unwrap().iter().map(|x| x["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["newtown.project-codename"], "the exception keeps Nightjar Lane clean");
    assert_eq!((f[0]["start"].as_u64(), f[0]["end"].as_u64()), (Some(8), Some(16)));
    let _ = std::fs::remove_dir_all(&dir);
}
