//! WebAssembly bindings (JS name `Checker`), contract §4 in `docs/contract.md`.
//!
//! Thin by design: JS values in, plain JS objects out, no logic of its own. Everything
//! returned is built with [`serde_wasm_bindgen::Serializer::json_compatible`] — or, for
//! `check`'s findings, built the same way by hand with their repeated strings cached
//! ([`findings_to_js`]) — so results are plain objects and arrays (never `Map`s), `None` becomes
//! `null`, and the shapes are exactly the JSON shapes of contract §3 — the same as the CLI's
//! `--format json`.
//!
//! ```js
//! import init, { Checker } from './postcheck_wasm.js';
//! await init({ module_or_path: chrome.runtime.getURL('postcheck_wasm_bg.wasm') });
//! const checker = new Checker();
//! checker.check('between us…', { council: 'barnsley', mode: 'personal' });
//! ```
//!
//! **Units.** Every span (`start`, `end`) is in UTF-16 code units into the JS string passed
//! to [`Checker::check`], end exclusive, so `text.slice(f.start, f.end)` is the trigger.
//! `start == end == 0` marks a finding about the whole post (e.g. `images`).
//!
//! **Errors.** Failures are thrown as JS `Error`s (`JsError`) whose message is the core's
//! error message (`Display`), e.g. naming the unknown council or the broken profile field.

use wasm_bindgen::prelude::*;

use crate::{ClauseRef, Context, Finding};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// Serialise `value` as plain JS data (objects, arrays, strings, numbers, `null`).
fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert result to JS: {e}")))
}

#[wasm_bindgen]
extern "C" {
    /// A plain JS object (`new Object()`, what serde-wasm-bindgen makes for a struct).
    #[wasm_bindgen(js_name = Object)]
    type PlainObject;
    #[wasm_bindgen(constructor, js_class = "Object")]
    fn new() -> PlainObject;
    /// `this[key] = value`.
    #[wasm_bindgen(method, indexing_setter)]
    fn set(this: &PlainObject, key: &JsValue, value: &JsValue);
    /// `this[key] = value` for a number: passed as a wasm `u32` (a JS number, as
    /// `JsValue::from(u32)` makes) without creating and dropping a `JsValue` for it.
    #[wasm_bindgen(method, indexing_setter)]
    fn set_u32(this: &PlainObject, key: &JsValue, value: u32);
    /// `this[key] = value` for a string decoded from wasm memory once (as `JsValue::from_str`
    /// decodes it) without creating and dropping a `JsValue` for it.
    #[wasm_bindgen(method, indexing_setter)]
    fn set_str(this: &PlainObject, key: &JsValue, value: &str);
    /// `Object.assign(target, source)`: copies `source`'s own enumerable properties onto
    /// `target`, in `source`'s order.
    #[wasm_bindgen(js_namespace = Object, js_name = assign)]
    fn assign(target: &PlainObject, source: &PlainObject);
}

#[wasm_bindgen]
extern "C" {
    /// A JS array (`new Array()`, what serde-wasm-bindgen makes for a `Vec`).
    #[wasm_bindgen(js_name = Array)]
    type PlainArray;
    #[wasm_bindgen(constructor, js_class = "Array")]
    fn new() -> PlainArray;
    #[wasm_bindgen(method)]
    fn push(this: &PlainArray, value: &JsValue) -> u32;
}

/// Field names of [`Finding`] then of [`ClauseRef`], in declaration order (the order
/// serde-wasm-bindgen sets them in, and the CLI's JSON shows them in).
const KEYS: [&str; 14] = [
    "rule", "category", "title", "severity", "clauses", "start", "end", "message",
    "council", "document", "clause", "heading", "quote", "reference",
];

/// JS strings a check's result reuses, made once: the field names, rule ids / categories /
/// titles / severities (a finite set), and for each clause a finding has cited a template
/// object holding its six fields (keyed by its shared [`Arc`], which the entry holds, so an
/// address is never reused while cached). Making a JS string from Rust decodes it across the
/// wasm boundary; a clause's quote is long and cited by many findings. A finding's clause
/// object is a fresh copy of the template (`Object.assign(new Object(), template)`: two
/// boundary calls instead of seven; the same own properties in the same order), never the
/// template itself, so a caller that edits a result cannot alter later ones.
///
/// The maps hash with foldhash's fast fixed-seed hasher rather than SipHash: four lookups per
/// finding on every check, keyed by the engine's own strings and addresses (no untrusted keys).
struct JsStrings {
    keys: Vec<JsValue>,
    names: FastMap<String, JsValue>,
    clauses: FastMap<usize, (Arc<ClauseRef>, PlainObject)>,
}

/// A `HashMap` with foldhash's fast fixed-seed hasher (see [`JsStrings`]).
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

impl JsStrings {
    fn new() -> JsStrings {
        JsStrings { keys: KEYS.iter().map(|k| JsValue::from_str(k)).collect(), names: FastMap::default(), clauses: FastMap::default() }
    }
}

/// The JS string `s`, from `names` (made and kept on first use).
fn name<'a>(names: &'a mut FastMap<String, JsValue>, s: &str) -> &'a JsValue {
    if !names.contains_key(s) {
        names.insert(s.to_string(), JsValue::from_str(s));
    }
    &names[s]
}

/// `findings` as plain JS data: the objects and arrays `to_js` builds (contract §3's shapes —
/// keys in declaration order, a new object for every finding and every clause it cites, numbers
/// for `start`/`end`), with the repeated strings taken from `cache` instead of decoded again.
fn findings_to_js(findings: &[Finding], cache: &mut JsStrings) -> JsValue {
    let JsStrings { keys, names, clauses } = cache;
    let out = PlainArray::new();
    for f in findings {
        let o = PlainObject::new();
        o.set(&keys[0], name(names, &f.rule));
        o.set(&keys[1], name(names, &f.category));
        o.set(&keys[2], name(names, &f.title));
        o.set(&keys[3], name(names, f.severity.as_str()));
        let cited = PlainArray::new();
        for c in &f.clauses {
            let (_, template) = clauses.entry(Arc::as_ptr(c) as usize).or_insert_with(|| {
                let t = PlainObject::new();
                for (k, s) in keys[8..].iter().zip([&c.council, &c.document, &c.clause, &c.heading, &c.quote, &c.reference]) {
                    t.set_str(k, s);
                }
                (c.clone(), t)
            });
            let co = PlainObject::new();
            assign(&co, template);
            cited.push(&co);
        }
        o.set(&keys[4], &cited);
        o.set_u32(&keys[5], f.start);
        o.set_u32(&keys[6], f.end);
        o.set_str(&keys[7], &f.message);
        out.push(&o);
    }
    out.into()
}

/// The policy checker: built-in council profiles and rules, compiled once.
///
/// Construct one per page or worker and reuse it; construction compiles every rule.
#[wasm_bindgen(js_name = Checker)]
pub struct Checker {
    inner: crate::Checker,
    /// Made on the first check (see [`JsStrings`]); emptied of clauses when a profile is added.
    strings: RefCell<Option<JsStrings>>,
}

#[wasm_bindgen(js_class = Checker)]
impl Checker {
    /// `new Checker()` — a checker holding the built-in council profiles.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Checker {
        Checker {
            inner: crate::Checker::builtin(),
            strings: RefCell::new(None),
        }
    }

    /// `checker.profiles()` → `Array<{id: string, name: string, document: string,
    /// language: "en" | "cy", note: string | null}>`, one entry per loaded council
    /// (built-in ones first, then any added with `addProfile`).
    pub fn profiles(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.profiles())
    }

    /// `checker.addProfile(json: string)` → `string` (the profile's id).
    ///
    /// `json` is a council profile in the format of contract §1. A profile with an id that is
    /// already loaded replaces it (as the core decides). The profile's own `rules` are compiled
    /// and their examples run now. Throws an `Error` whose message names the offending field
    /// (also for a wrongly typed one, e.g. `clauses: invalid type: …`, or a failing example,
    /// `rules[0].examples.fire[1]: …`) if the JSON is malformed or invalid.
    #[wasm_bindgen(js_name = addProfile)]
    pub fn add_profile(&mut self, json: &str) -> Result<String, JsError> {
        if let Some(s) = self.strings.get_mut() {
            s.clauses.clear(); // a replaced profile's clauses are never cited again
        }
        self.inner
            .add_profile_json(json)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// `checker.check(text: string, context: object)` → `Array<Finding>`.
    ///
    /// `context` is a plain object: `{council: string, mode?: "personal" | "official",
    /// flags?: string[] (e.g. "politically_restricted", "works_with_vulnerable"),
    /// now?: "YYYY-MM-DDTHH:MM" (local clock), elections?: string[] ("YYYY-MM-DD"),
    /// attachments?: boolean, working_hours?: {days: ("mon"…"sun")[], start: "HH:MM", end: "HH:MM"}
    /// (the core then raises the whole-post `working-time` reminder in personal mode),
    /// severity?: {[category]: "block" | "warn" | "info" | "off"} (overrides; "off" drops)}`.
    ///
    /// Each finding: `{rule, category, title, severity: "block" | "warn" | "info",
    /// clauses: [{council, document, clause, heading, quote, reference}], start, end, message}`
    /// where `start`/`end` are **UTF-16 code units** into `text` (end exclusive;
    /// `0, 0` for a whole-post finding). Sorted by `start`, then severity (block first).
    ///
    /// Throws an `Error` if `context` is not of that shape, or names an unknown council.
    pub fn check(&self, text: &str, context: JsValue) -> Result<JsValue, JsError> {
        let ctx = context_from_js(context)?;
        self.check_ctx(text, &ctx)
    }

    /// `checker.checkIn(text: string, context: CheckContext, attachments: boolean,
    /// now?: string)` → `Array<Finding>`: the same findings, in the same order, as
    /// `checker.check(text, {...ctx, attachments, now})` where `ctx` is the object `context`
    /// was made from — without converting that object again (the per-keystroke path: the
    /// settings-derived part is converted once, in `new CheckContext(ctx)`, and only the parts
    /// that change per check cross the boundary).
    ///
    /// `attachments`: whether the composer holds an image or video (a JS boolean; anything else
    /// is coerced by wasm-bindgen's `bool` rule, so pass a real boolean). `now`: the local
    /// wall-clock `"YYYY-MM-DDTHH:MM"` (a trailing `:SS` accepted and ignored), or
    /// `undefined`/`null` for no clock (then the pre-election window and working hours never
    /// apply). Both replace the `attachments` / `now` of the object `context` was made from.
    ///
    /// Throws an `Error` `invalid context: bad date-time "…" (expected YYYY-MM-DDTHH:MM)` for a
    /// malformed `now` (the message `check` gives for the same `now`), or, as `check` does, one
    /// naming an unknown council. Spans are UTF-16 code units into `text`, as for `check`.
    #[wasm_bindgen(js_name = checkIn)]
    pub fn check_in(
        &self,
        text: &str,
        context: &CheckContext,
        attachments: bool,
        now: Option<String>,
    ) -> Result<JsValue, JsError> {
        let now = match now {
            Some(s) => Some(
                s.parse::<crate::LocalDateTime>()
                    .map_err(|e| JsError::new(&format!("invalid context: {e}")))?,
            ),
            None => None,
        };
        let mut ctx = context.ctx.borrow_mut();
        ctx.attachments = attachments;
        ctx.now = now;
        self.check_ctx(text, &ctx)
    }
}

impl Checker {
    /// Runs the core on `ctx` and converts its findings (shared by `check` and `checkIn`).
    fn check_ctx(&self, text: &str, ctx: &Context) -> Result<JsValue, JsError> {
        let findings = self
            .inner
            .check(text, ctx)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let mut strings = self.strings.borrow_mut();
        Ok(findings_to_js(&findings, strings.get_or_insert_with(JsStrings::new)))
    }
}

/// A check context converted from JS once (JS name `CheckContext`), for
/// [`Checker::check_in`]: the settings-derived part of a check's context (council, mode,
/// flags, elections, working hours, severities), which changes only when settings do, while
/// `attachments` and `now` are passed to each `checkIn` call.
///
/// ```js
/// const prepared = new CheckContext({ council: 'barnsley', mode: 'personal', flags: [] });
/// checker.checkIn(text, prepared, false, '2026-05-01T12:00'); // = checker.check(text, {..., attachments: false, now: …})
/// ```
///
/// Holds no reference to a `Checker`: one `CheckContext` may serve any checker. Freed by the
/// wasm-bindgen finaliser when unreachable (or `prepared.free()`).
#[wasm_bindgen(js_name = CheckContext)]
pub struct CheckContext {
    /// The converted context; `checkIn` overwrites its `attachments` and `now` before each check.
    ctx: RefCell<Context>,
}

#[wasm_bindgen(js_class = CheckContext)]
impl CheckContext {
    /// `new CheckContext(context: object)` — `context` has exactly the shape `checker.check`
    /// accepts (see there; its `attachments` and `now`, if any, are kept but every `checkIn`
    /// replaces them). Throws the `Error` `check` would throw for a context not of that shape
    /// (`invalid context: …`); an unknown council is reported by `checkIn`, as by `check`.
    #[wasm_bindgen(constructor)]
    pub fn new(context: JsValue) -> Result<CheckContext, JsError> {
        Ok(CheckContext { ctx: RefCell::new(context_from_js(context)?) })
    }
}

/// `context` (a JS object of contract §2's shape) as a [`Context`]; a shape error becomes the
/// `Error` `invalid context: …` with the core's wording.
fn context_from_js(context: JsValue) -> Result<Context, JsError> {
    serde_wasm_bindgen::from_value(context).map_err(|e| {
        // serde-wasm-bindgen's errors display as "Error: …"; keep the core's wording.
        let msg = e.to_string();
        let msg = msg.strip_prefix("Error: ").unwrap_or(&msg);
        JsError::new(&format!("invalid context: {msg}"))
    })
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}
