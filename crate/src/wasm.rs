//! WebAssembly bindings (JS name `Checker`), contract §4 in `docs/contract.md`.
//!
//! Thin by design: JS values in, plain JS objects out, no logic of its own. Everything
//! returned is built with [`serde_wasm_bindgen::Serializer::json_compatible`], so results are
//! plain objects and arrays (never `Map`s), `None` becomes `null`, and the shapes are exactly
//! the JSON shapes of contract §3 — the same as the CLI's `--format json`.
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

use crate::Context;

/// Serialise `value` as plain JS data (objects, arrays, strings, numbers, `null`).
fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("cannot convert result to JS: {e}")))
}

/// The policy checker: built-in council profiles and rules, compiled once.
///
/// Construct one per page or worker and reuse it; construction compiles every rule.
#[wasm_bindgen(js_name = Checker)]
pub struct Checker {
    inner: crate::Checker,
}

#[wasm_bindgen(js_class = Checker)]
impl Checker {
    /// `new Checker()` — a checker holding the built-in council profiles.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Checker {
        Checker {
            inner: crate::Checker::builtin(),
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
        let ctx: Context = serde_wasm_bindgen::from_value(context).map_err(|e| {
            // serde-wasm-bindgen's errors display as "Error: …"; keep the core's wording.
            let msg = e.to_string();
            let msg = msg.strip_prefix("Error: ").unwrap_or(&msg);
            JsError::new(&format!("invalid context: {msg}"))
        })?;
        let findings = self
            .inner
            .check(text, &ctx)
            .map_err(|e| JsError::new(&e.to_string()))?;
        to_js(&findings)
    }
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}
