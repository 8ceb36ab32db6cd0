//! postcheck core — see docs/contract.md. (Skeleton; the core helper replaces this file.)

#[cfg(target_arch = "wasm32")]
mod wasm;
