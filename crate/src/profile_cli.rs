//! `postcheck profile validate FILE [--json]` and `postcheck profile new NAME [--out FILE]`:
//! tools for a council writing its own profile (docs/profile-format.md).
//!
//! `validate` reports every error it can find, each as `FILE:LINE: FIELD: reason`, then runs the
//! core's own validation (`Checker::add_profile_json`, the same the extension runs on a managed
//! `customProfile`) and finally the profile's `examples` through the checker. Profiles may carry
//! `//` and `/* */` comments (as `profile new` writes them); `--json` prints the profile as plain
//! JSON without them, ready for the `customProfile` policy.
//! Exit codes: 0 valid, 1 invalid, 2 bad usage or unreadable file.

use postcheck::{Checker, Context, Mode};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ffi::OsString;
use std::process::ExitCode;

pub const USAGE: &str = "  postcheck profile validate FILE [--json]   check a council profile (every error, with line and field)
  postcheck profile new NAME [--out FILE]     write a commented starting profile (NAME.json)";

fn usage(msg: &str) -> ExitCode {
    eprintln!("postcheck: {msg}\nusage:\n{USAGE}");
    ExitCode::from(2)
}

/// Runs `postcheck profile …` with `argv` (the words after `profile`). Prints to stdout/stderr;
/// exit codes: 0 valid (or the command succeeded), 1 the profile is invalid, 2 bad usage or a
/// file that cannot be read or written.
pub fn run(argv: Vec<OsString>) -> ExitCode {
    let args: Vec<String> = match argv.into_iter().map(|a| a.into_string()).collect() {
        Ok(a) => a,
        Err(_) => return usage("arguments must be UTF-8"),
    };
    match args.first().map(String::as_str) {
        Some("validate") => {
            let mut file = None;
            let mut json = false;
            for a in &args[1..] {
                match a.as_str() {
                    "--json" => json = true,
                    s if s.starts_with("--") => return usage(&format!("unknown option {s}")),
                    s if file.is_none() => file = Some(s.to_string()),
                    s => return usage(&format!("unexpected argument {s:?}")),
                }
            }
            let Some(file) = file else { return usage("profile validate needs FILE") };
            validate_file(&file, json)
        }
        Some("new") => {
            let mut name = None;
            let mut out = None;
            let mut it = args[1..].iter();
            while let Some(a) = it.next() {
                match a.as_str() {
                    "--out" => match it.next() {
                        Some(o) => out = Some(o.clone()),
                        None => return usage("--out needs a FILE"),
                    },
                    s if s.starts_with("--") => return usage(&format!("unknown option {s}")),
                    s if name.is_none() => name = Some(s.to_string()),
                    s => return usage(&format!("unexpected argument {s:?}")),
                }
            }
            let Some(name) = name else { return usage("profile new needs NAME") };
            new_profile(&name, out)
        }
        Some(other) => usage(&format!("unknown profile command {other:?}")),
        None => usage("missing profile command"),
    }
}

/// One problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// 1-based line in the profile file (comments are blanked, not removed, by
    /// [`strip_comments`], so lines are the file's own).
    pub line: usize,
    /// Path of the offending field, e.g. `clauses[1]` or `categories.bullying.grounds[0].modes[0]`; empty
    /// for a whole-file error (invalid JSON).
    pub field: String,
    /// What is wrong, in plain English (printed after `FILE:LINE: FIELD: `).
    pub reason: String,
}

/// Replaces `//…` and `/*…*/` comments outside strings with spaces (newlines kept), so line and
/// column numbers stay those of the file.
pub fn strip_comments(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let (mut i, mut in_str) = (0, false);
    while i < b.len() {
        let c = b[i];
        if in_str {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 2;
                continue;
            }
            if c == b'"' {
                in_str = false;
            }
            i += 1;
        } else if c == b'"' {
            in_str = true;
            out.push(c);
            i += 1;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            out.extend_from_slice(b"  ");
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                out.push(if b[i] == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            if i < b.len() {
                out.extend_from_slice(b"  ");
                i += 2;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    // Only ASCII bytes were replaced, and never inside a multi-byte sequence (those are in strings
    // or comments, where every byte of a comment became a space).
    String::from_utf8(out).unwrap_or_default()
}

/// The line (1-based) where each field path starts (`categories.political.grounds[1].clauses[0]`,
/// the core's spelling). Assumes syntactically valid JSON (run after serde has parsed it).
pub fn field_lines(json: &str) -> BTreeMap<String, usize> {
    struct P<'a> {
        b: &'a [u8],
        i: usize,
        line: usize,
        out: BTreeMap<String, usize>,
    }
    impl P<'_> {
        fn ws(&mut self) {
            while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
                if self.b[self.i] == b'\n' {
                    self.line += 1;
                }
                self.i += 1;
            }
        }
        fn string(&mut self) -> String {
            let start = self.i;
            self.i += 1;
            while self.i < self.b.len() && self.b[self.i] != b'"' {
                if self.b[self.i] == b'\\' {
                    self.i += 1;
                }
                self.i += 1;
            }
            self.i += 1;
            let raw = std::str::from_utf8(&self.b[start..self.i.min(self.b.len())]).unwrap_or("\"\"");
            serde_json::from_str(raw).unwrap_or_default()
        }
        fn value(&mut self, path: &str) {
            self.ws();
            match self.b.get(self.i) {
                Some(b'{') => {
                    self.i += 1;
                    loop {
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b'}') | None => {
                                self.i += 1;
                                return;
                            }
                            Some(b',') => {
                                self.i += 1;
                                continue;
                            }
                            Some(b'"') => {
                                let line = self.line;
                                let key = self.string();
                                let p = if path.is_empty() { key } else { format!("{path}.{key}") };
                                self.out.entry(p.clone()).or_insert(line);
                                self.ws();
                                self.i += 1; // ':'
                                self.value(&p);
                            }
                            Some(_) => {
                                self.i += 1;
                            }
                        }
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut k = 0;
                    loop {
                        self.ws();
                        match self.b.get(self.i) {
                            Some(b']') | None => {
                                self.i += 1;
                                return;
                            }
                            Some(b',') => {
                                self.i += 1;
                            }
                            Some(_) => {
                                let p = format!("{path}[{k}]");
                                self.out.entry(p.clone()).or_insert(self.line);
                                self.value(&p);
                                k += 1;
                            }
                        }
                    }
                }
                Some(b'"') => {
                    self.string();
                }
                Some(_) => {
                    while self.i < self.b.len() && !matches!(self.b[self.i], b',' | b'}' | b']') && !self.b[self.i].is_ascii_whitespace() {
                        self.i += 1;
                    }
                }
                None => {}
            }
        }
    }
    let mut p = P { b: json.as_bytes(), i: 0, line: 1, out: BTreeMap::new() };
    p.value("");
    p.out
}

/// The line of `field`, or of its nearest enclosing field that is in the file.
fn line_of(lines: &BTreeMap<String, usize>, field: &str) -> usize {
    let mut f = field.to_string();
    loop {
        if let Some(l) = lines.get(&f) {
            return *l;
        }
        match f.rfind(['.', '[']) {
            Some(i) => f.truncate(i),
            None => return 1,
        }
    }
}

const TOP_FIELDS: [&str; 12] =
    ["id", "name", "document", "source", "language", "note", "clauses", "categories", "lexicons", "rules", "exceptions", "examples"];

/// Every error in a profile that parses as JSON (the checks of `profile::validate`, all of them,
/// plus unknown fields, unused clauses and the examples). `text` is the comment-free source.
pub fn check_profile(text: &str) -> Vec<Issue> {
    let lines = field_lines(text);
    let issues: std::cell::RefCell<Vec<Issue>> = std::cell::RefCell::new(Vec::new());
    let v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![Issue { line: e.line(), field: String::new(), reason: format!("invalid JSON: {e}") }],
    };
    let mut add = |field: String, reason: String| {
        let line = line_of(&lines, &field);
        issues.borrow_mut().push(Issue { line, field, reason });
    };
    let Some(top) = v.as_object() else {
        add(String::new(), "a profile must be a JSON object".into());
        return issues.into_inner();
    };
    let checker = Checker::builtin();
    let categories: Vec<String> = checker.categories().into_iter().map(|c| c.0).collect();
    let builtin_ids: Vec<String> = checker.profiles().into_iter().map(|p| p.id).collect();

    for k in top.keys() {
        if !TOP_FIELDS.contains(&k.as_str()) {
            add(k.clone(), format!("unknown field \"{k}\" (expected one of: {})", TOP_FIELDS.join(", ")));
        }
    }
    let id = top.get("id").and_then(Value::as_str).unwrap_or("");
    match top.get("id") {
        None => add("id".into(), "missing (a short id such as \"newtown\")".into()),
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') => {
            if builtin_ids.contains(s) {
                add("id".into(), format!("\"{s}\" is a built-in council: this profile would replace it (choose another id unless that is intended)"));
            }
        }
        Some(other) => add("id".into(), format!("{other} must be a string matching [a-z0-9-]+")),
    }
    for f in ["name", "document"] {
        match top.get(f) {
            None => add(f.into(), "missing".into()),
            Some(Value::String(s)) if !s.trim().is_empty() => {}
            Some(_) => add(f.into(), "must be a non-empty string".into()),
        }
    }
    for f in ["source", "note"] {
        if let Some(x) = top.get(f) {
            if !(x.is_string() || x.is_null()) {
                add(f.into(), "must be a string or null".into());
            }
        }
    }
    if let Some(l) = top.get("language") {
        if l != "en" && l != "cy" {
            add("language".into(), format!("{l} must be \"en\" or \"cy\""));
        }
    }

    // clauses
    let mut clause_ids: Vec<String> = Vec::new();
    match top.get("clauses") {
        None => add("clauses".into(), "missing (the policy's clauses, each quoted verbatim)".into()),
        Some(Value::Array(cs)) => {
            if cs.is_empty() {
                add("clauses".into(), "at least one clause is required".into());
            }
            for (i, c) in cs.iter().enumerate() {
                let base = format!("clauses[{i}]");
                let Some(o) = c.as_object() else {
                    add(base, "each clause must be an object {id, label, heading, quote}".into());
                    continue;
                };
                for k in o.keys() {
                    if !["id", "label", "heading", "quote"].contains(&k.as_str()) {
                        add(format!("{base}.{k}"), format!("unknown field \"{k}\" (expected id, label, heading, quote)"));
                    }
                }
                for f in ["id", "label", "heading", "quote"] {
                    match o.get(f) {
                        None if f == "quote" => add(format!("{base}.quote"), "missing: every clause needs the policy's words, quoted verbatim".into()),
                        None => add(format!("{base}.{f}"), "missing".into()),
                        Some(Value::String(s)) if !s.trim().is_empty() => {}
                        Some(_) => add(format!("{base}.{f}"), "must be a non-empty string".into()),
                    }
                }
                if let Some(cid) = o.get("id").and_then(Value::as_str) {
                    if clause_ids.iter().any(|x| x == cid) {
                        add(format!("{base}.id"), format!("duplicate clause id \"{cid}\""));
                    }
                    clause_ids.push(cid.to_string());
                }
            }
        }
        Some(_) => add("clauses".into(), "must be an array of clauses".into()),
    }

    // categories
    let mut cited: HashSet<String> = HashSet::new();
    match top.get("categories") {
        None => add("categories".into(), "missing (which categories this policy covers, and on what grounds)".into()),
        Some(Value::Object(cats)) => {
            for (cat, cfg) in cats {
                let base = format!("categories.{cat}");
                if !categories.contains(cat) {
                    add(base.clone(), format!("unknown category \"{cat}\" (known: {})", categories.join(", ")));
                }
                let Some(o) = cfg.as_object() else {
                    add(base, "must be an object {grounds, severity?}".into());
                    continue;
                };
                for k in o.keys() {
                    if k != "grounds" && k != "severity" {
                        add(format!("{base}.{k}"), format!("unknown field \"{k}\" (expected grounds, severity)"));
                    }
                }
                if let Some(s) = o.get("severity") {
                    if !["block", "warn", "info"].iter().any(|x| s == x) {
                        add(format!("{base}.severity"), format!("{s} must be \"block\", \"warn\" or \"info\""));
                    }
                }
                let grounds = match o.get("grounds") {
                    Some(Value::Array(g)) if !g.is_empty() => g,
                    Some(Value::Array(_)) | None => {
                        add(format!("{base}.grounds"), "at least one ground is required".into());
                        continue;
                    }
                    Some(_) => {
                        add(format!("{base}.grounds"), "must be an array of grounds".into());
                        continue;
                    }
                };
                for (g, ground) in grounds.iter().enumerate() {
                    let gp = format!("{base}.grounds[{g}]");
                    let Some(go) = ground.as_object() else {
                        add(gp, "must be an object {clauses, modes?, flags?, tags?}".into());
                        continue;
                    };
                    for k in go.keys() {
                        if !["clauses", "modes", "flags", "tags"].contains(&k.as_str()) {
                            add(format!("{gp}.{k}"), format!("unknown field \"{k}\" (expected clauses, modes, flags, tags)"));
                        }
                    }
                    match go.get("clauses") {
                        Some(Value::Array(cl)) if !cl.is_empty() => {
                            for (k, c) in cl.iter().enumerate() {
                                match c.as_str() {
                                    Some(s) if clause_ids.iter().any(|x| x == s) => {
                                        cited.insert(s.to_string());
                                    }
                                    Some(s) => add(format!("{gp}.clauses[{k}]"), format!("unknown clause id \"{s}\"")),
                                    None => add(format!("{gp}.clauses[{k}]"), "must be a clause id string".into()),
                                }
                            }
                        }
                        _ => add(format!("{gp}.clauses"), "at least one clause id is required".into()),
                    }
                    if let Some(m) = go.get("modes") {
                        match m.as_array() {
                            Some(a) if !a.is_empty() => {
                                for (k, x) in a.iter().enumerate() {
                                    if x != "personal" && x != "official" {
                                        add(format!("{gp}.modes[{k}]"), format!("{x} must be \"personal\" or \"official\""));
                                    }
                                }
                            }
                            _ => add(format!("{gp}.modes"), "must be a non-empty array (omit it for both modes)".into()),
                        }
                    }
                    if let Some(f) = go.get("flags") {
                        match f.as_array() {
                            Some(a) => {
                                for (k, x) in a.iter().enumerate() {
                                    let ok = x.as_str().map(|s| postcheck::context::FLAG_NAMES.contains(&s.replace('-', "_").as_str())).unwrap_or(false);
                                    if !ok {
                                        add(format!("{gp}.flags[{k}]"), format!("unknown flag {x} (expected politically_restricted or works_with_vulnerable)"));
                                    }
                                }
                            }
                            None => add(format!("{gp}.flags"), "must be an array".into()),
                        }
                    }
                    if let Some(t) = go.get("tags") {
                        if !t.as_array().map(|a| !a.is_empty() && a.iter().all(Value::is_string)).unwrap_or(false) {
                            add(format!("{gp}.tags"), "must be a non-empty array of rule tags (omit it to match every rule)".into());
                        }
                    }
                }
            }
        }
        Some(_) => add("categories".into(), "must be an object: category id → {grounds}".into()),
    }
    for (i, c) in clause_ids.iter().enumerate() {
        if !cited.contains(c) {
            add(format!("clauses[{i}].id"), format!("clause \"{c}\" is cited by no category (cite it in a ground or remove it)"));
        }
    }

    if !issues.borrow().is_empty() {
        return issues.into_inner();
    }
    // The core's own validation (tags, and anything the above missed): the extension runs the same.
    let mut checker = checker;
    if let Err(e) = checker.add_profile_json(text) {
        add(e.path.clone(), e.reason.clone());
        return issues.into_inner();
    }
    check_examples(&checker, id, top.get("examples"), &categories, &mut add);
    issues.into_inner()
}

/// Each example: `{text, mode?, flags?, attachments?, expect: [category…]}`; passes when the
/// categories found for this council are exactly `expect` (`[]`: the draft must be clean).
fn check_examples(checker: &Checker, id: &str, examples: Option<&Value>, categories: &[String], add: &mut impl FnMut(String, String)) {
    let Some(examples) = examples else {
        add("examples".into(), "missing: give at least one example draft per category, with the categories it must raise".into());
        return;
    };
    let Some(list) = examples.as_array() else {
        add("examples".into(), "must be an array of {text, mode?, flags?, expect}".into());
        return;
    };
    for (i, ex) in list.iter().enumerate() {
        let base = format!("examples[{i}]");
        let Some(text) = ex.get("text").and_then(Value::as_str) else {
            add(format!("{base}.text"), "missing: the example draft".into());
            continue;
        };
        let Some(expect) = ex.get("expect").and_then(Value::as_array) else {
            add(format!("{base}.expect"), "missing: the categories the draft must raise ([] for a clean draft)".into());
            continue;
        };
        let expect: BTreeSet<String> = expect.iter().filter_map(|x| x.as_str().map(str::to_string)).collect();
        if let Some(bad) = expect.iter().find(|c| !categories.contains(c)) {
            add(format!("{base}.expect"), format!("unknown category \"{bad}\""));
            continue;
        }
        let mut ctx = Context::new(id);
        if let Some(m) = ex.get("mode") {
            match m.as_str().map(str::parse::<Mode>) {
                Some(Ok(m)) => ctx.mode = m,
                _ => {
                    add(format!("{base}.mode"), format!("{m} must be \"personal\" or \"official\""));
                    continue;
                }
            }
        }
        if let Some(a) = ex.get("attachments") {
            match a.as_bool() {
                Some(b) => ctx.attachments = b,
                None => {
                    add(format!("{base}.attachments"), format!("{a} must be true or false"));
                    continue;
                }
            }
        }
        if let Some(fs) = ex.get("flags").and_then(Value::as_array) {
            let mut ok = true;
            for f in fs {
                if let Err(e) = ctx.flags.set(f.as_str().unwrap_or("")) {
                    add(format!("{base}.flags"), e);
                    ok = false;
                }
            }
            if !ok {
                continue;
            }
        }
        let findings = match checker.check(text, &ctx) {
            Ok(f) => f,
            Err(e) => {
                add(base, e.to_string());
                continue;
            }
        };
        let got: BTreeSet<String> = findings.iter().map(|f| f.category.clone()).collect();
        if got != expect {
            let missing: Vec<&String> = expect.difference(&got).collect();
            let extra: Vec<&String> = got.difference(&expect).collect();
            let mut why = Vec::new();
            if !missing.is_empty() {
                why.push(format!("expected {missing:?} not raised"));
            }
            if !extra.is_empty() {
                why.push(format!("raised {extra:?} not expected"));
            }
            add(base, format!("example fails: {}", why.join("; ")));
        }
    }
}

fn validate_file(file: &str, json: bool) -> ExitCode {
    let src = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("postcheck: cannot read {file}: {e}");
            return ExitCode::from(2);
        }
    };
    let text = strip_comments(&src);
    let issues = check_profile(&text);
    if issues.is_empty() {
        if json {
            // Comment-free, compact: what the `customProfile` policy value should be.
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            println!("{v}");
        } else {
            println!("{file}: valid");
        }
        return ExitCode::SUCCESS;
    }
    for i in &issues {
        if i.field.is_empty() {
            eprintln!("{file}:{}: {}", i.line, i.reason);
        } else {
            eprintln!("{file}:{}: {}: {}", i.line, i.field, i.reason);
        }
    }
    eprintln!("{file}: {} error{}", issues.len(), if issues.len() == 1 { "" } else { "s" });
    ExitCode::from(1)
}

/// `NAME` as a profile id: lower case, runs of other characters → `-`.
pub fn slug(name: &str) -> String {
    let mut s = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

/// The commented starting profile `profile new` writes.
pub fn template(name: &str) -> String {
    let id = slug(name);
    let display = name.trim();
    TEMPLATE.replace("@ID@", &id).replace("@NAME@", &display.replace('"', "'"))
}

const TEMPLATE: &str = r#"// postcheck council profile — see docs/profile-format.md.
// Comments like this one are allowed here; `postcheck profile validate FILE --json` prints the
// profile without them, which is the value for the `customProfile` policy.
{
  // Short id, [a-z0-9-]+. The managed `council` policy names it.
  "id": "@ID@",
  // Shown to staff in the options page.
  "name": "@NAME@",
  // The policy's title: every warning cites "<document> <clause label>".
  "document": "@NAME@ Social Media Policy",
  // The file or URL the quotes come from (for your records).
  "source": null,
  // Language of the quotes: "en" or "cy".
  "language": "en",
  // A caveat shown under the council in the options page, or null.
  "note": null,

  // The clauses postcheck may quote. Copy each one word for word from your policy.
  "clauses": [
    {
      "id": "confidential",
      "label": "4.1",
      "heading": "Confidential information",
      "quote": "Do not disclose confidential information about the council, its staff or the people it serves."
    },
    {
      "id": "respect",
      "label": "4.2",
      "heading": "Treating people with respect",
      "quote": "Do not post anything that could be seen as bullying, harassment, intimidation or discrimination."
    },
    {
      "id": "personal-data",
      "label": "4.3",
      "heading": "Personal data",
      "quote": "Never post personal information about service users, residents or colleagues."
    }
  ],

  // Which categories your policy covers. A category left out never fires for your staff.
  // Each ground cites clauses; optional "modes" (["personal"] / ["official"]), "flags" (roles
  // that must be set) and "tags" (only rules carrying one of these tags) narrow when it applies.
  "categories": {
    "confidential-info": { "grounds": [ { "clauses": ["confidential"] } ] },
    "personal-data":     { "grounds": [ { "clauses": ["personal-data", "confidential"] } ] },
    "bullying":          { "grounds": [ { "clauses": ["respect"] } ] },
    "discrimination":    { "grounds": [ { "clauses": ["respect"] } ] }
  },

  // Your own word lists (optional), for your own rules' "lexicon" trigger. Each entry is a word,
  // or "base+suffix,suffix" for its endings; spellings with look-alike letters, repeated letters
  // or spaces inside are caught too.
  "lexicons": {
    "project_codenames": ["nightjar", "bluebell+s"]
  },

  // Your own rules (optional), in the same format as postcheck's shared rules
  // (docs/profile-format.md lists every field). They run only for this council, and only in a
  // category listed above. Patterns may use the shared word lists, e.g. "{secrecy}" or
  // "{colleague}". Every rule needs examples it must fire on ("fire") and may list ones it must
  // not ("quiet"); they are run each time the profile is loaded.
  "rules": [
    {
      "id": "@ID@.project-codename",
      "category": "confidential-info",
      "lexicon": "project_codenames",
      "unless_near": { "patterns": ["birds?", "flowers?", "woods?"], "within": 3 },
      "message": "“{match}” is the name of an internal project that has not been announced.",
      "examples": {
        "fire": ["Project Nightjar has slipped again", "bluebells go live in May"],
        "quiet": ["Heard a nightjar in the woods last night"]
      }
    }
  ],

  // Words and phrases never to flag for your staff (optional): local place names, surnames.
  // A plain string applies to every category; {"text", "categories"} to those categories only.
  "exceptions": [
    "Bluebell Wood",
    { "text": "Nightjar Lane", "categories": ["confidential-info"] }
  ],

  // Example drafts and the categories each must raise ([] = must stay clean). `profile validate`
  // runs every one; add your own, especially for the clauses that matter most to you.
  "examples": [
    { "text": "between us the depot is closing next month, don't tell anyone", "expect": ["confidential-info"] },
    { "text": "Nightjar go-live moved to June", "expect": ["confidential-info"] },
    { "text": "Bin collections on Nightjar Lane are back to normal", "expect": [] },
    { "text": "Lovely sunny morning for the 10k, well done everyone who ran!", "expect": [] }
  ]
}
"#;

fn new_profile(name: &str, out: Option<String>) -> ExitCode {
    let id = slug(name);
    if id.is_empty() {
        return usage("NAME must contain letters or digits");
    }
    let path = out.unwrap_or_else(|| format!("{id}.json"));
    let text = template(name);
    let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    match file.and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes())) {
        Ok(()) => {
            println!("wrote {path} (profile id \"{id}\"); edit it, then: postcheck profile validate {path}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("postcheck: cannot write {path}: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_validates() {
        let t = strip_comments(&template("Newtown Borough Council"));
        let issues = check_profile(&t);
        assert!(issues.is_empty(), "{issues:?}");
        assert!(t.contains("\"newtown-borough-council\""));
    }

    #[test]
    fn every_error_with_line_and_field() {
        let src = "{\n  \"id\": \"x\",\n  \"name\": \"X\",\n  \"document\": \"X policy\",\n  \"clauses\": [\n    {\"id\": \"a\", \"label\": \"1\", \"heading\": \"H\"}\n  ],\n  \"categories\": {\n    \"bullying\": {\"grounds\": [{\"clauses\": [\"zz\"]}]},\n    \"nonsense\": {\"grounds\": [{\"clauses\": [\"a\"]}]}\n  }\n}\n";
        let issues = check_profile(src);
        let got: Vec<(usize, &str)> = issues.iter().map(|i| (i.line, i.field.as_str())).collect();
        assert!(got.contains(&(6, "clauses[0].quote")), "{issues:?}");
        assert!(got.contains(&(9, "categories.bullying.grounds[0].clauses[0]")), "{issues:?}");
        assert!(got.contains(&(10, "categories.nonsense")), "{issues:?}");
    }

    #[test]
    fn failing_example_and_json_error() {
        let t = strip_comments(&template("Newtown"))
            .replace("who ran!\", \"expect\": []", "who ran!\", \"expect\": [\"bullying\"]");
        let issues = check_profile(&t);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].field, "examples[3]");
        assert!(issues[0].reason.contains("not raised"));
        let bad = check_profile("{\n \"id\": \"x\",\n}");
        assert_eq!(bad[0].line, 3);
    }

    #[test]
    fn own_rule_errors_have_line_and_field() {
        let t = strip_comments(&template("Newtown")).replace("\"Project Nightjar has slipped again\"", "\"nothing to see\"");
        let issues = check_profile(&t);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].field, "rules[0].examples.fire[0]");
        let line = t.lines().position(|l| l.contains("\"nothing to see\"")).unwrap() + 1;
        assert_eq!(issues[0].line, line, "{issues:?}");
        // an exception for a category that does not exist
        let t = strip_comments(&template("Newtown")).replace("\"categories\": [\"confidential-info\"] }", "\"categories\": [\"gossip\"] }");
        let issues = check_profile(&t);
        assert_eq!(issues.iter().map(|i| i.field.as_str()).collect::<Vec<_>>(), ["exceptions[1].categories[0]"], "{issues:?}");
        // without the exception, the place name trips the codename rule: the example catches it
        let t = strip_comments(&template("Newtown")).replace("{ \"text\": \"Nightjar Lane\", \"categories\": [\"confidential-info\"] }", "\"Elm Lane\"");
        let issues = check_profile(&t);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert!(issues[0].field.starts_with("examples[") && issues[0].reason.contains("confidential-info"), "{issues:?}");
    }

    #[test]
    fn comments_keep_lines() {
        let s = strip_comments("{ // a \"quote\"\n \"a\": \"//not a comment\" /* x\n y */ }");
        assert_eq!(s.lines().count(), 3);
        assert!(s.contains("\"//not a comment\""));
        assert!(serde_json::from_str::<Value>(&s).is_ok());
    }
}
