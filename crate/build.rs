//! Precomputes the trigger prefilter's literals for the built-in rules (`rules/*.json`), and
//! writes the embedded data files (`rules/*.json`, `profiles/*.json`) to `$OUT_DIR/data/`.
//!
//! Embedded data: for the native build, each file verbatim. For wasm32 (the extension), without
//! insignificant whitespace and without the fields the checker never reads at run time: rule
//! files' `examples` (run by the native tests) and `source` (a note for maintainers), a rule's
//! `confidence` counts (kept: `{"demoted": true}` on a demoted rule), lexicons.json's `_doc`, the profiles' `examples` (run by `postcheck profile validate`) and
//! `source` (the seed's file name), categories.json's `description`s. A file that is not plain
//! JSON is copied verbatim, so the run-time loader reports the error as before.
//!
//! Extracting literals from every rule field's regex with `regex_syntax` was most of the
//! checker's start-up (hundreds of millions of instructions). The regex sources of every rule
//! field are computed here exactly as at run time (`src/source.rs`, included below) and their
//! literals, with their kind (prefix set: every match starts with one; else a required set,
//! every match contains one: regex-syntax's suffix set or `source::contained_literals`), written
//! to `$OUT_DIR/prefilter_literals.rs`, keyed by a hash of the source; for a prefix set also the
//! source's rarer required set when it has one (`source::prefix_gate_literals`: the field's gate). The engine looks each
//! source up there and extracts at run time only on a miss (rules not built in). The test
//! `engine::tests::prefilter_table_matches_runtime_extraction` checks the table against the
//! run-time extractor for every built-in source.

#[path = "src/source.rs"]
mod source;
#[path = "src/sort.rs"]
mod sort;
#[path = "src/fold.rs"]
mod fold;
#[path = "src/model_table.rs"]
mod model_table;

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// `json` with insignificant whitespace removed (outside strings; order and text kept).
fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_str, mut esc) = (false, false);
    for c in json.chars() {
        if in_str {
            out.push(c);
            if esc {
                esc = false;
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
            out.push(c);
        } else if !c.is_ascii_whitespace() {
            out.push(c);
        }
    }
    out
}

/// The embedded form of a data file (see the module docs); `None`: copy verbatim.
fn embedded(name: &str, text: &str, strip: bool) -> Option<String> {
    if !strip {
        return None;
    }
    let original: Value = serde_json::from_str(text).ok()?;
    let is_rule_file = name.starts_with("rules/") && original.get("rules").is_some();
    // the objects whose fields the wasm never reads, and those fields
    let mut v = original.clone();
    let (objects, drop): (Vec<&mut Value>, &[&str]) = if name.starts_with("profiles/") && original.is_object() {
        // a built-in profile's `examples` (run by `postcheck profile validate` and a native test)
        // and `source` (the seed file's name)
        (vec![&mut v], &["examples", "source"])
    } else if name == "rules/categories.json" && original.is_array() {
        // the checker reads a category's id, title and severity, not its `description`
        (v.as_array_mut().into_iter().flatten().collect(), &["description"])
    } else if is_rule_file || name == "rules/lexicons.json" {
        if let Some(o) = v.as_object_mut() {
            o.remove("_doc");
        }
        (v.get_mut("rules").and_then(Value::as_array_mut).into_iter().flatten().collect(), &["examples", "source"])
    } else {
        (Vec::new(), &[])
    };
    let stripped = !drop.is_empty(); // else: whitespace only
    for o in objects.into_iter().filter_map(Value::as_object_mut) {
        for f in drop {
            o.remove(*f);
        }
        // a rule's learned `confidence`: the engine reads only `demoted` (the counts are for readers)
        if is_rule_file {
            let demoted = o.get("confidence").and_then(|c| c.get("demoted")).and_then(Value::as_bool).unwrap_or(false);
            o.remove("confidence");
            if demoted {
                o.insert("confidence".into(), serde_json::json!({"demoted": true}));
            }
        }
    }
    let small = if stripped {
        serde_json::to_string(&v).ok()?
    } else {
        let m = minify(text);
        // whitespace only: the same document
        (serde_json::from_str::<Value>(&m).ok()? == original).then_some(m)?
    };
    Some(small)
}

/// Writes `$OUT_DIR/data/<dir>/<name>` for every JSON file of `dir` (see the module docs).
fn write_data(dir: &str, strip: bool) {
    let out = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("data").join(dir);
    std::fs::create_dir_all(&out).expect("create OUT_DIR/data");
    for e in std::fs::read_dir(dir).expect("data dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else { continue };
        let data = embedded(&format!("{dir}/{name}"), &text, strip).unwrap_or(text);
        std::fs::write(out.join(&name), data).expect("write embedded data");
    }
}

/// Writes `$OUT_DIR/normalize_tables.rs`: the combining-mark ranges and, for every character
/// the skeleton reads through its compatibility decomposition, the bytes it reads as (see
/// `normalize::decompose`; the same computation `normalize.rs` did at run time before, with
/// unicode-normalization's tables, and which a test there repeats for every character).
fn write_normalize_tables() {
    use unicode_normalization::char::{decompose_compatible, is_combining_mark};
    let chars = || (0x80u32..=0x10FFFF).filter_map(char::from_u32);
    let mut marks: Vec<(u32, u32)> = Vec::new();
    for c in chars().filter(|&c| is_combining_mark(c)) {
        match marks.last_mut() {
            Some(r) if r.1 + 1 == c as u32 => r.1 = c as u32,
            _ => marks.push((c as u32, c as u32)),
        }
    }
    let (mut keys, mut ends, mut bytes) = (Vec::new(), Vec::new(), Vec::<u8>::new());
    for c in chars() {
        if fold::is_dropped_special(c) || is_combining_mark(c) || fold::fold_special(c).is_some() {
            continue;
        }
        let mut buf: Vec<u8> = Vec::new();
        decompose_compatible(c, |d| {
            if d.is_ascii() {
                buf.push((d as u8).to_ascii_lowercase());
            } else if !is_combining_mark(d) {
                if let Some(s) = fold::fold_special(d) {
                    buf.extend(s.bytes());
                }
            }
        });
        buf.truncate(8);
        if !buf.is_empty() {
            keys.push(c as u32);
            bytes.extend_from_slice(&buf);
            ends.push(u16::try_from(bytes.len()).expect("decomposition table under 64 KiB"));
        }
    }
    let mut out = String::from("// Generated by build.rs (write_normalize_tables).\n");
    writeln!(out, "pub static COMBINING_MARKS: &[(u32, u32)] = &{marks:?};").unwrap();
    writeln!(out, "pub static DECOMPOSED_KEYS: &[u32] = &{keys:?};").unwrap();
    writeln!(out, "pub static DECOMPOSED_ENDS: &[u16] = &{ends:?};").unwrap();
    writeln!(out, "pub static DECOMPOSED_BYTES: &[u8] = b\"{}\";", bytes.iter().map(|b| format!("\\x{b:02x}")).collect::<String>()).unwrap();
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("normalize_tables.rs");
    std::fs::write(path, out).expect("write normalize_tables.rs");
}

/// Writes `$OUT_DIR/given_names.rs`: `GIVEN_NAMES`, the names of `rules/given-names.txt` (one a
/// line, `#` comments, a trailing ` *` for a name that is also an ordinary word) sorted, one
/// string with a name a line, for the `person-name` detector (`detectors::given_names`). Panics
/// (the build fails) on a name that is not lower-case ASCII letters or that is listed twice.
fn write_given_names() {
    println!("cargo:rerun-if-changed=rules/given-names.txt");
    let text = std::fs::read_to_string("rules/given-names.txt").expect("rules/given-names.txt");
    let mut names: Vec<(String, bool)> = Vec::new();
    for (no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, word) = match line.strip_suffix('*') {
            Some(n) => (n.trim_end(), true),
            None => (line, false),
        };
        assert!(!name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()), "rules/given-names.txt line {}: \"{line}\" is not lower-case ASCII letters", no + 1);
        names.push((name.to_string(), word));
    }
    names.sort();
    for w in names.windows(2) {
        assert!(w[0].0 != w[1].0, "rules/given-names.txt: \"{}\" is listed twice", w[0].0);
    }
    // one string, a name a line (` *` kept), sorted: ~5 KB that gzip packs well, where a table
    // of `(&str, bool)` and keys cost ~11 KB of wasm gzipped (measured); the detector splits it
    // once, at first use
    let mut blob = String::new();
    for (n, w) in &names {
        blob.push_str(n);
        blob.push_str(if *w { " *\n" } else { "\n" });
    }
    let out = format!("/// `rules/given-names.txt` without comments, sorted, a name a line (` *`: also an ordinary word).\npub static GIVEN_NAMES: &str = {blob:?};\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("given_names.rs");
    std::fs::write(path, out).expect("write given_names.rs");
}

fn main() {
    write_given_names();
    write_stance_model();
    println!("cargo:rerun-if-changed=src/fold.rs");
    write_normalize_tables();
    println!("cargo:rerun-if-changed=rules");
    println!("cargo:rerun-if-changed=profiles");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").map(|a| a == "wasm32").unwrap_or(false);
    write_data("rules", wasm);
    write_data("profiles", wasm);
    println!("cargo:rerun-if-changed=src/source.rs");
    let dir = std::path::Path::new("rules");
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("crate/rules")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    for n in &names {
        println!("cargo:rerun-if-changed=rules/{n}");
    }
    for e in std::fs::read_dir("profiles").expect("crate/profiles").flatten() {
        println!("cargo:rerun-if-changed=profiles/{}", e.file_name().to_string_lossy());
    }
    let concepts: source::Concepts = std::fs::read_to_string(dir.join("lexicons.json"))
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    // every regex source the prefilter may ask about (errors are left to the run-time loader)
    let mut sources: Vec<String> = Vec::new();
    for n in names.iter().filter(|n| *n != "lexicons.json" && *n != "categories.json") {
        let Ok(text) = std::fs::read_to_string(dir.join(n)) else { continue };
        let Ok(file) = serde_json::from_str::<Value>(&text) else { continue };
        let lexicons = file.get("lexicons");
        for rule in file.get("rules").and_then(Value::as_array).into_iter().flatten() {
            let expand = |v: Vec<String>| -> Option<Vec<String>> {
                v.iter().map(|p| source::expand_concepts(p, &concepts, "").ok()).collect()
            };
            let word = rule.get("word").and_then(Value::as_bool).unwrap_or(true);
            let pats = strings(rule.get("patterns"));
            if !pats.is_empty() {
                if let Some(p) = expand(pats) {
                    sources.push(source::source(&p, word));
                }
            }
            if let Some(l) = rule.get("lexicon").and_then(Value::as_str) {
                let words = strings(lexicons.and_then(|x| x.get(l)));
                let p: Vec<String> = words.iter().map(|w| source::disguise_pattern(w)).collect();
                sources.push(source::source(&p, true));
            }
            // the other fields (required ones and, for their start positions, the rest)
            let mut required: Vec<Vec<String>> = Vec::new();
            for f in ["near", "unless_near"] {
                if let Some(n) = rule.get(f) {
                    required.push(strings(n.get("patterns")));
                }
            }
            for n in rule.get("also_near").and_then(Value::as_array).into_iter().flatten() {
                required.push(strings(n.get("patterns")));
            }
            for f in ["with_any", "unless_any", "except"] {
                let w = strings(rule.get(f));
                if !w.is_empty() {
                    required.push(w);
                }
            }
            for r in required {
                if let Some(p) = expand(r) {
                    sources.push(source::source(&p, true));
                }
            }
        }
    }
    // key -> (source length, literals: (is a prefix set, the literals) or none, a prefix set's
    // rarer required set or none); a key shared by two different sources is dropped (None)
    type Entry = (usize, Option<(bool, Vec<Vec<u8>>)>, Option<Vec<Vec<u8>>>);
    let mut table: BTreeMap<u64, Option<Entry>> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    for s in sources {
        if !seen.insert(s.clone()) {
            continue;
        }
        let key = source::source_key(&s);
        match table.get(&key) {
            None => {
                table.insert(key, Some((s.len(), source::required_literals_kind(&s), source::prefix_gate_literals(&s))));
            }
            Some(_) => {
                table.insert(key, None);
            }
        }
    }
    let mut out = String::from(
        "/// Generated by build.rs: (source key, source length, whether the literals are a prefix\n\
         /// set, required literals as length-prefixed bytes, for a prefix set its rarer required\n\
         /// set (`source::prefix_gate_literals`) as length-prefixed bytes), sorted by key.\n\
         #[allow(clippy::type_complexity)]\n\
         pub static PREFILTER_LITERALS: &[(u64, usize, bool, Option<&[u8]>, Option<&[u8]>)] = &[\n",
    );
    // one blob per literal set: each literal as its length byte, then its bytes
    let blob = |ls: &[Vec<u8>]| -> String {
        let mut b = String::from("Some(b\"");
        for l in ls {
            let n = u8::try_from(l.len()).expect("literals are at most 16 bytes");
            for x in std::iter::once(n).chain(l.iter().copied()) {
                write!(b, "\\x{x:02x}").unwrap();
            }
        }
        b.push_str("\")");
        b
    };
    for (key, v) in &table {
        let Some((len, lits, gate)) = v else { continue };
        let gate = gate.as_deref().map_or_else(|| "None".to_string(), blob);
        match lits {
            None => writeln!(out, "({key}, {len}, false, None, None),").unwrap(),
            Some((prefix, ls)) => writeln!(out, "({key}, {len}, {prefix}, {}, {gate}),", blob(ls)).unwrap(),
        }
    }
    out.push_str("];\n");
    let path = std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("prefilter_literals.rs");
    std::fs::write(path, out).expect("write prefilter_literals.rs");
}

/// FNV-1a, 32 bit (the stance model's feature hash; `src/model.rs` `fnv1a`).
/// The stance model's compact tables from `model/stance.json` (see [`write_stance_model`]):
/// (categories as (id, reads_as, bias bits, threshold bits), sorted feature hashes, one f32 per
/// hash and category, `weights[row * categories + c]`); `None` if the file does not have the
/// shape `Model::parse` requires of its categories.
#[allow(clippy::type_complexity)]
fn stance_tables(v: &Value) -> Option<(Vec<(String, String, u32, u32)>, Vec<u32>, Vec<f32>)> {
    let cats = v.get("categories")?.as_array()?;
    let mut categories = Vec::new();
    // exactly as Model::parse: rows in order of first appearance, each cell summed in file order
    let mut rows = model_table::Rows::default();
    for (ci, c) in cats.iter().enumerate() {
        let id = c.get("id")?.as_str()?.to_string();
        let reads_as = c.get("reads_as")?.as_str()?.to_string();
        let bias = c.get("bias")?.as_f64()? as f32;
        let threshold = c.get("threshold")?.as_f64()? as f32;
        for p in c.get("weights")?.as_array()? {
            let a = p.as_array()?;
            let (t, w) = (a.first()?.as_str()?, a.get(1)?.as_f64()?);
            rows.add(model_table::fnv1a(t.as_bytes()), ci, w as f32);
        }
        categories.push((id, reads_as, bias.to_bits(), threshold.to_bits()));
    }
    let n = categories.len();
    let (keys, weights) = rows.dense(n);
    Some((categories, keys, weights))
}

/// Writes `$OUT_DIR/stance_model.rs`, the stance model in the compact form `src/model.rs` reads
/// in place (no JSON parse at run time), from `model/stance.json` (the trainer's output and the
/// reviewable source): the categories; the feature hashes sorted (row `r` is the `r`th hash),
/// Rice-coded (`KEY_BITS`, `KEY_COUNT` hashes with parameter `KEY_RICE`: `model_table::encode_keys`);
/// the distinct weight values as f32 bits (`VALUES`, the same f32s `Model::parse` makes, so scores
/// are bit-identical; a native test compares the two); and per hash and category the index of its
/// weight in `VALUES` (`Cell`, one byte while there are at most 256 distinct values, else two),
/// stored sparse: per row a mask of its non-zero cells (`CELL_MASKS`) and those cells, row by row
/// (`CELL_VALUES`; `model_table::encode_cells`). Both are checked here to decode to the
/// table they encode; `src/model.rs` decodes them once, at load. Also `$OUT_DIR/stance_examples.json`, the file's
/// `examples` array (native builds parse it for the tests). If the file is not a model,
/// `VALID` is false and the tables are empty (the run-time model is then absent, as it was when
/// parsing failed; the test `model_file_parses_and_documents_itself` reports the error).
fn write_stance_model() {
    println!("cargo:rerun-if-changed=model/stance.json");
    let out_dir = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let v: Option<Value> = std::fs::read_to_string("model/stance.json").ok().and_then(|s| serde_json::from_str(&s).ok());
    let examples = v.as_ref().and_then(|v| v.get("examples")).cloned().unwrap_or(Value::Array(Vec::new()));
    std::fs::write(out_dir.join("stance_examples.json"), serde_json::to_string(&examples).expect("examples"))
        .expect("write stance_examples.json");
    let tables = v.as_ref().and_then(stance_tables);
    if tables.is_none() {
        println!("cargo:warning=model/stance.json is not a stance model: the build has no stance model");
    }
    let valid = tables.is_some();
    let (categories, keys, weights) = tables.unwrap_or_default();
    let mut values: Vec<u32> = weights.iter().map(|w| w.to_bits()).collect();
    values.sort_unstable();
    values.dedup();
    let cell = |w: &f32| values.binary_search(&w.to_bits()).expect("value in table");
    let mut out = String::from("// Generated by build.rs (write_stance_model) from model/stance.json.\n");
    writeln!(out, "pub const VALID: bool = {valid};").unwrap();
    out.push_str("pub static CATEGORIES: &[(&str, &str, u32, u32)] = &[\n");
    for (id, reads_as, b, t) in &categories {
        writeln!(out, "({id:?}, {reads_as:?}, {b:#010x}, {t:#010x}),").unwrap();
    }
    out.push_str("];\n");
    // the hashes Rice-coded (about 20 bits each instead of 32), the cells as per-row masks of
    // the non-zero ones plus those cells' indices (src/model_table.rs); decoded at load
    let rice = model_table::rice_parameter(&keys);
    let key_bits = model_table::encode_keys(&keys, rice);
    assert_eq!(model_table::decode_keys(&key_bits, rice, keys.len()).as_deref(), Some(&keys[..]), "key stream round trip");
    let escaped = |bytes: &[u8]| bytes.iter().map(|b| format!("\\x{b:02x}")).collect::<String>();
    writeln!(out, "pub const KEY_COUNT: usize = {};", keys.len()).unwrap();
    writeln!(out, "pub const KEY_RICE: u32 = {rice};").unwrap();
    writeln!(out, "pub static KEY_BITS: &[u8] = b\"{}\";", escaped(&key_bits)).unwrap();
    writeln!(out, "pub static VALUES: &[u32] = &{values:?};").unwrap();
    let n = categories.len();
    let cells: Vec<u16> = weights.iter().map(|w| cell(w) as u16).collect();
    let (masks, nonzero) = model_table::encode_cells(&cells, n);
    assert_eq!(model_table::decode_cells(&masks, &nonzero, n, keys.len()), Some(cells), "cell round trip");
    writeln!(out, "pub static CELL_MASKS: &[u8] = b\"{}\";", escaped(&masks)).unwrap();
    // one byte a cell while the indices fit (at most 256 distinct values), else two
    if values.len() <= 256 {
        let bytes: Vec<u8> = nonzero.iter().map(|&c| c as u8).collect();
        writeln!(out, "pub type Cell = u8;\npub static CELL_VALUES: &[Cell] = b\"{}\";", escaped(&bytes)).unwrap();
    } else {
        writeln!(out, "pub type Cell = u16;\npub static CELL_VALUES: &[Cell] = &{nonzero:?};").unwrap();
    }
    std::fs::write(out_dir.join("stance_model.rs"), out).expect("write stance_model.rs");
}
