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
        // sorted by hash (each once: the index's keys) through one `[u128]` sort, (hash, row)
        // packed, so the crate's sorts share one copy of the sort code (crate::sort)
        let mut packed: Vec<u128> = self.index.into_iter().map(|(h, r)| u128::from(h) << 64 | r as u128).collect();
        packed.sort_unstable();
        let keys: Vec<(u32, usize)> = packed.iter().map(|&k| ((k >> 64) as u32, k as u64 as usize)).collect();
        let mut weights = vec![0f32; keys.len() * n];
        for (k, &(_, r)) in keys.iter().enumerate() {
            for &(c, w) in &self.rows[r] {
                weights[k * n + c] += w;
            }
        }
        (keys.into_iter().map(|k| k.0).collect(), weights)
    }
}

// ---------------------------------------------------------------------------------------------
// The shipped model's tables as `build.rs` writes them into the binary, and their decoding when
// the model loads. The feature hashes are random 32-bit values, so stored plainly they are
// 4 bytes each that gzip cannot shrink; most cells are zero. Both are stored smaller here and
// decoded once, at load, into the same sorted hashes and dense cells as before: lookups per
// check are unchanged, and every weight is the same f32.

/// Rice parameter `k` that stores `keys` (ascending, distinct) in the fewest bits with
/// [`encode_keys`] (the gaps between hashes are near-geometric; `k` is about log2 of the mean gap).
pub fn rice_parameter(keys: &[u32]) -> u32 {
    let gaps: Vec<u64> = key_gaps(keys).collect();
    (0..32u32).min_by_key(|&k| gaps.iter().map(|&g| (g >> k) + 1 + u64::from(k)).sum::<u64>()).unwrap_or(0)
}

/// The differences the key stream stores: the first key itself, then each key minus the one
/// before it.
fn key_gaps(keys: &[u32]) -> impl Iterator<Item = u64> + '_ {
    keys.iter().scan(0u32, |prev, &k| {
        let gap = k.wrapping_sub(*prev);
        *prev = k;
        Some(u64::from(gap))
    })
}

/// `keys` (ascending, distinct) as a Rice-coded bit stream with parameter `k` (below 32): per
/// key, its gap from the previous key (the first: from 0), `q = gap >> k` as `q` zero bits then a
/// one bit, then the low `k` bits of the gap. Bits are packed least significant first; the last
/// byte is padded with zeros. Exact: [`decode_keys`] returns `keys` and nothing else.
pub fn encode_keys(keys: &[u32], k: u32) -> Vec<u8> {
    assert!(k < 32, "Rice parameter {k} out of range");
    let mut out = Vec::new();
    let mut bit = 0usize; // bits written
    let mut push = |value: u64, width: u32| {
        for i in 0..width {
            if bit % 8 == 0 {
                out.push(0u8);
            }
            if (value >> i) & 1 == 1 {
                *out.last_mut().expect("pushed") |= 1 << (bit % 8);
            }
            bit += 1;
        }
    };
    for gap in key_gaps(keys) {
        for _ in 0..gap >> k {
            push(0, 1);
        }
        push(1, 1);
        push(gap & ((1u64 << k) - 1), k);
    }
    out
}

/// The `count` keys of a stream from [`encode_keys`] with parameter `k` (below 32), ascending;
/// `None` if the stream is shorter than `count` keys, a key passes `u32::MAX`, or more than 7
/// bits (the last byte's padding) are left over. Runs once per model load (about 20
/// instructions a key).
pub fn decode_keys(bits: &[u8], k: u32, count: usize) -> Option<Vec<u32>> {
    if k >= 32 {
        return None;
    }
    let mut keys = Vec::with_capacity(count);
    // the next `avail` bits of the stream, least significant first (the bits above are zero),
    // taken from `bits[..pos]`
    let (mut buf, mut avail, mut pos) = (0u64, 0u32, 0usize);
    // tops up to more than 32 bits while the stream lasts: 4 bytes at a time, then the tail
    let refill = |buf: &mut u64, avail: &mut u32, pos: &mut usize| {
        if *avail > 32 {
            return;
        }
        if let Some(&[a, b, c, d]) = bits.get(*pos..*pos + 4) {
            *buf |= u64::from(u32::from_le_bytes([a, b, c, d])) << *avail;
            *avail += 32;
            *pos += 4;
            return;
        }
        while *avail <= 56 && *pos < bits.len() {
            *buf |= u64::from(bits[*pos]) << *avail;
            *avail += 8;
            *pos += 1;
        }
    };
    let mut prev = 0u64;
    for _ in 0..count {
        // q: the zero bits before the next one bit
        let mut q = 0u64;
        loop {
            refill(&mut buf, &mut avail, &mut pos);
            if buf != 0 {
                let z = buf.trailing_zeros();
                q += u64::from(z);
                buf = (buf >> z) >> 1;
                avail -= z + 1;
                break;
            }
            if avail == 0 {
                return None; // the stream ended inside a key
            }
            q += u64::from(avail);
            avail = 0;
        }
        refill(&mut buf, &mut avail, &mut pos);
        if avail < k {
            return None;
        }
        let low = buf & ((1u64 << k) - 1);
        buf >>= k;
        avail -= k;
        let key = q.checked_shl(k).filter(|&g| g >> k == q)?.checked_add(low)?.checked_add(prev)?;
        if key > u64::from(u32::MAX) {
            return None;
        }
        keys.push(key as u32);
        prev = key;
    }
    (pos == bits.len() && avail < 8).then_some(keys)
}

/// Bytes per row of a cell mask for `n` categories (bit `c % 8` of byte `c / 8` is category `c`).
pub fn mask_bytes(n: usize) -> usize {
    n.div_ceil(8)
}

/// A dense cell table (`cells[row * n + c]`, `n` categories; a cell is the index of its weight
/// in the value table) as (masks, values): per row, [`mask_bytes`]`(n)` bytes with bit `c` set
/// where the cell is not `C::default()` (index 0); then the cells so marked, row by row.
/// Exact: [`decode_cells`] returns `cells`.
pub fn encode_cells<C: Copy + Default + PartialEq>(cells: &[C], n: usize) -> (Vec<u8>, Vec<C>) {
    let rows = cells.len().checked_div(n).unwrap_or(0);
    let mb = mask_bytes(n);
    let mut masks = vec![0u8; rows * mb];
    let mut values = Vec::new();
    for r in 0..rows {
        for c in 0..n {
            let cell = cells[r * n + c];
            if cell != C::default() {
                masks[r * mb + c / 8] |= 1 << (c % 8);
                values.push(cell);
            }
        }
    }
    (masks, values)
}

/// The dense cell table (`rows * n` cells, row `r` category `c` at `r * n + c`) of masks and
/// values from [`encode_cells`]; `None` unless `masks` has exactly `rows` rows, no bit above
/// category `n - 1`, and `values` exactly one cell per set bit.
pub fn decode_cells<C: Copy + Default>(masks: &[u8], values: &[C], n: usize, rows: usize) -> Option<Vec<C>> {
    if n == 0 {
        return (masks.is_empty() && values.is_empty()).then(Vec::new);
    }
    let mb = mask_bytes(n);
    if masks.len() != rows * mb {
        return None;
    }
    let mut cells = vec![C::default(); rows * n];
    let mut next = values.iter();
    for (row, mask) in cells.chunks_exact_mut(n).zip(masks.chunks_exact(mb)) {
        for (i, &byte) in mask.iter().enumerate() {
            let mut bits = byte;
            while bits != 0 {
                // a bit above category n - 1 is refused
                *row.get_mut(i * 8 + bits.trailing_zeros() as usize)? = *next.next()?;
                bits &= bits - 1;
            }
        }
    }
    next.next().is_none().then_some(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `count` pseudo-random 32-bit values (the high halves of [`crate::testing::xorshift`]'s
    /// states from `seed`), like the model's feature hashes.
    fn random_u32s(seed: u64, count: usize) -> Vec<u32> {
        let mut next = crate::testing::xorshift(seed);
        (0..count).map(|_| (next() >> 32) as u32).collect()
    }

    /// Key sets with the shapes that stress the coding: empty, one key, the extremes, dense
    /// runs (gap 1), gaps of exactly 2^k and 2^k - 1, gaps far above the mean (long unary runs,
    /// more than 56 zero bits), and random hashes like the model's.
    fn key_sets() -> Vec<Vec<u32>> {
        let mut sets = vec![
            vec![],
            vec![0],
            vec![u32::MAX],
            vec![0, u32::MAX],
            vec![0, 1, 2, 3, u32::MAX - 1, u32::MAX],
            (0..300u32).collect(),
            (0..300u32).map(|i| i << 18).collect(),
            (0..300u32).map(|i| (i << 18) + i).collect(),
            vec![5, 6, 7, 0x4000_0000, 0x4000_0001, 0xffff_fff0],
        ];
        let mut random = random_u32s(0x1234_5678, 12_000);
        random.sort_unstable();
        random.dedup();
        sets.push(random);
        for set in &mut sets {
            set.sort_unstable();
            set.dedup();
        }
        sets
    }

    /// Every key set decodes to itself with its chosen parameter and with the neighbouring
    /// ones (so long unary runs and wide remainders are exercised); nothing more, nothing less.
    #[test]
    fn keys_round_trip() {
        for keys in key_sets() {
            let best = rice_parameter(&keys);
            for k in [0, best.saturating_sub(3), best, (best + 2).min(31), 31] {
                if k < 8 && keys.last().is_some_and(|&m| m > 1 << 20) {
                    continue; // unary runs of millions of bits: valid, but slow to build here
                }
                let bits = encode_keys(&keys, k);
                assert_eq!(decode_keys(&bits, k, keys.len()), Some(keys.clone()), "k {k}, {} keys", keys.len());
            }
        }
    }

    /// The chosen parameter stores random hashes near their entropy: about 20 bits each for
    /// 12,000 random 32-bit hashes (log2 of the mean gap is 18.4), far below the 32 of a plain
    /// table.
    #[test]
    fn rice_parameter_fits_random_hashes() {
        let keys = key_sets().pop().expect("random set");
        let k = rice_parameter(&keys);
        assert!((17..=19).contains(&k), "k {k}");
        let bits = encode_keys(&keys, k).len() * 8;
        assert!(bits < keys.len() * 21, "{bits} bits for {} keys", keys.len());
        for other in [k - 1, k + 1] {
            assert!(encode_keys(&keys, other).len() >= encode_keys(&keys, k).len(), "k {other} beats {k}");
        }
    }

    /// A stream that is cut short, has trailing bytes, or decodes past `u32::MAX` is refused,
    /// never read as some other key set.
    #[test]
    fn keys_refuse_broken_streams() {
        let keys: Vec<u32> = (1..200u32).map(|i| i.wrapping_mul(0x0123_4567) % 0x7fff_ffff).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let k = rice_parameter(&keys);
        let bits = encode_keys(&keys, k);
        assert_eq!(decode_keys(&bits, k, keys.len()).as_ref(), Some(&keys));
        assert_eq!(decode_keys(&bits[..bits.len() - 1], k, keys.len()), None, "truncated");
        assert_eq!(decode_keys(&[bits.clone(), vec![0]].concat(), k, keys.len()), None, "a byte too many");
        assert_eq!(decode_keys(&bits, k, keys.len() + 1), None, "asks for more keys than stored");
        assert_eq!(decode_keys(&bits, k, keys.len() - 1), None, "leaves a key unread");
        assert_eq!(decode_keys(&bits, 32, keys.len()), None, "parameter out of range");
        // u32::MAX then one more gap of 1 would be 2^32
        let over = encode_keys(&[u32::MAX], 31);
        let mut two = over.clone();
        two.extend(encode_keys(&[1], 31));
        assert_eq!(decode_keys(&over, 31, 1), Some(vec![u32::MAX]));
        assert!(decode_keys(&two, 31, 2).is_none());
        assert_eq!(decode_keys(&[], 18, 0), Some(vec![]));
        assert_eq!(decode_keys(&[], 18, 1), None);
    }

    /// Cells of every shape decode to themselves: zero rows, all-zero and all-set rows, more than
    /// 8 categories (two mask bytes), u8 and u16 cells.
    #[test]
    fn cells_round_trip() {
        let mut rng = random_u32s(99, 20_000).into_iter(); // 13,464 cells below
        for n in [1usize, 3, 7, 8, 9, 16] {
            for rows in [0usize, 1, 5, 300] {
                let cells: Vec<u8> = (0..rows * n).map(|_| {
                    let x = rng.next().expect("enough values");
                    if x % 4 == 0 { (x >> 8) as u8 } else { 0 }
                }).collect();
                let (masks, values) = encode_cells(&cells, n);
                assert_eq!(masks.len(), rows * mask_bytes(n));
                assert_eq!(values.len(), cells.iter().filter(|&&c| c != 0).count());
                assert_eq!(decode_cells(&masks, &values, n, rows), Some(cells.clone()), "n {n} rows {rows}");
                let wide: Vec<u16> = cells.iter().map(|&c| u16::from(c) * 257).collect();
                let (masks, values) = encode_cells(&wide, n);
                assert_eq!(decode_cells(&masks, &values, n, rows), Some(wide), "u16, n {n} rows {rows}");
            }
        }
        assert_eq!(decode_cells::<u8>(&[], &[], 0, 0), Some(vec![]));
    }

    /// Masks and values that do not match (a value short or left over, a bit above the last
    /// category, the wrong number of rows) are refused.
    #[test]
    fn cells_refuse_mismatches() {
        let cells: Vec<u8> = vec![0, 3, 0, 7, 0, 0, 1, 1, 2];
        let (masks, values) = encode_cells(&cells, 3);
        assert_eq!(masks, vec![0b010, 0b001, 0b111]);
        assert_eq!(values, vec![3, 7, 1, 1, 2]); // row by row
        assert_eq!(decode_cells(&masks, &values, 3, 3), Some(cells));
        assert_eq!(decode_cells(&masks, &values[..4], 3, 3), None, "a value short");
        assert_eq!(decode_cells(&masks, &[values.clone(), vec![9]].concat(), 3, 3), None, "a value left over");
        assert_eq!(decode_cells(&[0b1010, 0b001, 0b111], &[3, 7, 1, 1, 2], 3, 3), None, "bit of a fourth category");
        assert_eq!(decode_cells(&[0b1010, 0b001, 0b111], &[3, 9, 7, 1, 1, 2], 3, 3), None, "bit of a fourth category, with its value");
        assert_eq!(decode_cells(&masks, &values, 3, 2), None, "rows");
    }
}
