//! The stance model's dense weight table, built the same way by `model.rs` (a model file given at
//! run time) and by `build.rs` (the shipped model, as compact tables), which includes this file
//! with `#[path]`. Depends on `std` only.

#![allow(dead_code)] // each includer uses a subset

use std::collections::HashMap;

/// FNV-1a 32-bit offset basis.
pub const FNV_OFFSET: u32 = 0x811c_9dc5;

/// FNV-1a, 32 bit, continued from `h` (start with [`FNV_OFFSET`]): the feature hash.
pub fn fnv1a_from(mut h: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// FNV-1a, 32 bit, of `bytes`.
pub fn fnv1a(bytes: &[u8]) -> u32 {
    fnv1a_from(FNV_OFFSET, bytes)
}

/// Feature rows as a model file lists them: one row per distinct feature hash, in order of first
/// appearance, each a list of (category index, weight) in file order.
#[derive(Default)]
pub struct Rows {
    index: HashMap<u32, usize>,
    rows: Vec<Vec<(usize, f32)>>,
}

impl Rows {
    /// Records weight `w` of category `c` for the feature with hash `h`.
    pub fn add(&mut self, h: u32, c: usize, w: f32) {
        let rows = &mut self.rows;
        let row = *self.index.entry(h).or_insert_with(|| {
            rows.push(Vec::new());
            rows.len() - 1
        });
        rows[row].push((c, w));
    }

    /// The table for `n` categories: (feature hashes ascending, `weights[row * n + c]`), each cell
    /// the sum of its weights in file order (so the f32 result is the same wherever it is built).
    pub fn dense(self, n: usize) -> (Vec<u32>, Vec<f32>) {
        let mut keys: Vec<(u32, usize)> = self.index.into_iter().collect();
        keys.sort_unstable();
        let mut weights = vec![0f32; keys.len() * n];
        for (k, &(_, r)) in keys.iter().enumerate() {
            for &(c, w) in &self.rows[r] {
                weights[k * n + c] += w;
            }
        }
        (keys.into_iter().map(|k| k.0).collect(), weights)
    }
}
