//! JSON text → data for the loaders (rule files, lexicons, categories, profiles).
//!
//! Natively this is `serde_json::from_str`. In the wasm build every document is first parsed
//! into a [`serde_json::Value`] and then read with `serde_json::from_value`, so the derived
//! `Deserialize` impls are instantiated once (for the `Value` deserializer, which the profile
//! loader needs anyway) instead of a second time for serde_json's text reader.
//! Errors are `serde_json::Error`s; for a well-formed document of the wrong shape the wasm
//! error has no "at line L column C" suffix (only the embedded rule files are read this way in
//! the wasm, and the tests load those natively; profiles already went through `Value`).

use serde::de::DeserializeOwned;

/// `json` as a `T`. Errors: serde_json's (syntax, with line and column; shape).
pub(crate) fn from_str<T: DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(json)
    }
    #[cfg(target_arch = "wasm32")]
    {
        serde_json::from_value(parse(json)?)
    }
}

/// `json` as a [`serde_json::Value`]. Errors: serde_json's syntax errors (line and column).
pub(crate) fn parse(json: &str) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_str(json)
}
