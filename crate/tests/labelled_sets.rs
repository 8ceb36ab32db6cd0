//! The labelled sets obey the labelling conventions (`../shared/corpus/README.md`) and the
//! policy map (`../shared/policy-map.md`) as the built-in profiles (`crate/profiles/*.json`)
//! encode them: a draft may only expect a category one of its council's grounds admits for its
//! mode and flags (for some rule tags: a ground limited to tagged rules, such as Sheffield's
//! Principle 13 for findings about councillors, still admits the category), `images` only with an
//! attachment, `pre-election` only inside the election window (the 42 days before a date in
//! `elections`), and never `working-time` (the corpus leaves it unlabelled). A mislabelled draft
//! would train the stance model on a wrong answer and score the checker against one, so every set
//! the trainer or `scripts/eval.sh` reads is checked here (the dev set too, when `../shared` is
//! beside the repository).

use postcheck::{Context, Profile};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The built-in profiles by id.
fn profiles() -> HashMap<String, Profile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("profiles");
    let mut out = HashMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let json = std::fs::read_to_string(&p).unwrap();
        let profile: Profile = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        out.insert(profile.id.clone(), profile);
    }
    out
}

/// Whether some ground of `cat` in the draft's council admits the draft's mode and flags.
fn admitted(profiles: &HashMap<String, Profile>, ctx: &Context, cat: &str) -> bool {
    let Some(cfg) = profiles.get(&ctx.council).and_then(|p| p.categories.get(cat)) else { return false };
    cfg.grounds.iter().any(|g| g.matches(ctx.mode, &ctx.flags, g.tags.as_deref().unwrap_or(&[])))
}

#[derive(serde::Deserialize)]
struct Line {
    id: String,
    #[serde(flatten)]
    ctx: Context,
    #[allow(dead_code)]
    text: String,
    expect: Vec<String>,
}

fn sets() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [root.join("tests/data"), root.join("tests/data/probes")] {
        for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "jsonl") {
                out.push(p);
            }
        }
    }
    let dev = root.join("../../shared/corpus/dev.jsonl");
    if dev.exists() {
        out.push(dev);
    }
    out.sort();
    out
}

/// Every problem of one set's labels, as `"<id>: <problem>"`.
fn problems(profiles: &HashMap<String, Profile>, path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut ids = std::collections::HashSet::new();
    for (n, raw) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line: Line = match serde_json::from_str(raw) {
            Ok(l) => l,
            Err(e) => {
                out.push(format!("line {}: {e}", n + 1));
                continue;
            }
        };
        if !ids.insert(line.id.clone()) {
            out.push(format!("{}: duplicate id", line.id));
        }
        for cat in &line.expect {
            let why = if cat == "working-time" {
                Some("working-time is never labelled")
            } else if !admitted(profiles, &line.ctx, cat) {
                Some("not grounded for this council, mode and flags")
            } else if cat == "images" && !line.ctx.attachments {
                Some("images without an attachment")
            } else if cat == "pre-election" && !line.ctx.in_election_window() {
                Some("pre-election outside the election window")
            } else {
                None
            };
            if let Some(why) = why {
                out.push(format!("{}: expects {cat}: {why}", line.id));
            }
        }
    }
    out
}

#[test]
fn every_expected_category_is_grounded() {
    let profiles = profiles();
    let mut all = Vec::new();
    let sets = sets();
    assert!(sets.len() >= 10, "labelled sets not found: {sets:?}");
    for p in &sets {
        all.extend(problems(&profiles, p).into_iter().map(|e| format!("{}: {e}", p.file_name().unwrap().to_string_lossy())));
    }
    assert!(all.is_empty(), "{} mislabelled drafts:\n{}", all.len(), all.join("\n"));
}

/// The check can fail: a draft expecting what its council does not ground is reported.
#[test]
fn a_mislabelled_draft_is_reported() {
    let profiles = profiles();
    let dir = std::env::temp_dir().join(format!("postcheck-labelled-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("bad.jsonl");
    let ok = r#"{"id":"a","council":"sheffield","mode":"personal","flags":[],"site":"x","attachments":false,"now":"2024-04-20T10:00","elections":[],"text":"t","expect":["profanity"]}"#;
    let bad = [
        // Barnsley grounds no official-conduct category
        r#"{"id":"b","council":"barnsley","mode":"official","flags":[],"site":"x","attachments":false,"now":"2024-04-20T10:00","elections":[],"text":"t","expect":["official-conduct"]}"#,
        r#"{"id":"c","council":"sheffield","mode":"personal","flags":[],"site":"x","attachments":false,"now":"2024-04-20T10:00","elections":[],"text":"t","expect":["images"]}"#,
        r#"{"id":"d","council":"chelmsford","mode":"official","flags":[],"site":"x","attachments":false,"now":"2024-01-20T10:00","elections":["2024-05-02"],"text":"t","expect":["pre-election"]}"#,
        r#"{"id":"d","council":"sheffield","mode":"personal","flags":[],"site":"x","attachments":false,"now":"2024-04-20T10:00","elections":[],"text":"t","expect":["working-time"]}"#,
    ];
    std::fs::write(&p, format!("{ok}\n{}\n", bad.join("\n"))).unwrap();
    let got = problems(&profiles, &p);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(got.len(), 5, "{got:?}");
    for (want, g) in ["b: expects official-conduct", "c: expects images", "d: expects pre-election", "d: duplicate id", "d: expects working-time"].iter().zip(&got) {
        assert!(g.starts_with(want), "{want} / {g}");
    }
}
