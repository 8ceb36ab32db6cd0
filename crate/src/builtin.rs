//! Embedded data: rule files, category table and council profiles (`include_str!`).

/// `crate/rules/<category>.json` rule files (not categories.json), as `(file name, JSON)`.
pub const RULE_FILES: &[(&str, &str)] = &[
];

/// `crate/rules/categories.json` once present; until then `None` and the table in
/// `engine::DEFAULT_CATEGORIES` is used.
pub const CATEGORIES: Option<&str> = None;

/// `crate/profiles/<id>.json`, as `(file name, JSON)`.
pub const PROFILES: &[(&str, &str)] = &[
];
