//! The crate's sorts, through as few instantiations of the standard library's sort as possible.
//!
//! Every `sort_unstable`/`sort_by` on a distinct element type or with a distinct comparator is a
//! separate copy of the standard library's sort in the wasm (about 4 KB raw each, up to ~10 KB
//! for small `Copy` elements, which get the sorting networks; docs/performance.md, "Where the
//! bytes are"). So the crate's sorts go through one, `[u128]::sort_unstable`, on keys packed
//! into a `u128` and unique, so that an unstable sort gives the one order: [`sort_by_packed_key`]
//! (a stable sort by a key), [`sort_indices_by_bytes`] (indices by byte strings, 8 bytes a pass)
//! and the callers that pack their own tuples. The `u32` sort (a slot's starts in `prefilter`,
//! per check, and a condition's literal ids at build) keeps a copy of its own: widened through
//! the `u128` sort it cost +0.8 % cold-start instructions for ~1 KB gzip.
//!
//! Also compiled into the build script (`build.rs` includes it with `source.rs`).

/// Sorts `v` ascending by `key(x)` (which must fit in 96 bits), ties in their current order:
/// the order a stable sort by `key` gives. Sorts `u128`s (`key << 32 | index`, unique) with the
/// one `[u128]::sort_unstable` and then moves the elements into place along the permutation's
/// cycles (`keys` is scratch, left empty), so every caller shares one copy of the sort code
/// instead of a copy per element type and comparator.
///
/// Panics if `v` has more than `u32::MAX` elements.
pub(crate) fn sort_by_packed_key<T>(v: &mut [T], keys: &mut Vec<u128>, key: impl Fn(&T) -> u128) {
    if v.len() < 2 {
        return;
    }
    let n = u32::try_from(v.len()).expect("fewer than 2^32 elements");
    keys.clear();
    keys.extend(v.iter().zip(0..n).map(|(x, i)| {
        let k = key(x);
        debug_assert!(k >> 96 == 0, "sort key wider than 96 bits");
        k << 32 | u128::from(i)
    }));
    keys.sort_unstable();
    // keys[j]'s low 32 bits: the index the element that belongs at j is at now. Follow each
    // cycle once, marking a visited slot with u128::MAX (no real key is: its top 32 bits are 0).
    for i in 0..keys.len() {
        let mut j = i;
        while keys[j] != u128::MAX {
            let from = keys[j] as u32 as usize;
            keys[j] = u128::MAX;
            if from == i {
                break;
            }
            v.swap(j, from);
            j = from;
        }
    }
    keys.clear();
}

/// Sorts the indices `idx` by the byte strings `bytes(i)` (lexicographic, as `[u8]`'s `Ord`),
/// equal strings by index: a total order on distinct indices, so the result is the one sorted
/// order. Through the one `[u128]` sort, most significant bytes first: the indices sorted by
/// (the string's next 8 bytes as a big-endian number, zero-padded; how many of them there are,
/// up to 8; the index), then each run that agrees on 8 full bytes again on the next 8 (a
/// shorter string sorts before a longer one that agrees on all its bytes, as in `[u8]`'s
/// order, by the count). So no sort instantiation of its own.
pub(crate) fn sort_indices_by_bytes<'a>(idx: &mut [u32], bytes: &dyn Fn(u32) -> &'a [u8]) {
    sort_indices_by_bytes_from(idx, bytes, 0);
}

/// [`sort_indices_by_bytes`] for indices whose strings agree on their first `depth` bytes.
fn sort_indices_by_bytes_from<'a>(idx: &mut [u32], bytes: &dyn Fn(u32) -> &'a [u8], depth: usize) {
    if idx.len() < 2 {
        return;
    }
    let mut keys: Vec<u128> = idx
        .iter()
        .map(|&i| {
            let rest = bytes(i).get(depth..).unwrap_or_default();
            let head = rest.iter().take(8).enumerate().fold(0u64, |k, (n, &b)| k | u64::from(b) << (56 - 8 * n));
            u128::from(head) << 64 | (rest.len().min(8) as u128) << 32 | u128::from(i)
        })
        .collect();
    keys.sort_unstable();
    for (x, &k) in idx.iter_mut().zip(&keys) {
        *x = k as u32;
    }
    let mut i = 0;
    while i < keys.len() {
        let j = i + keys[i..].iter().take_while(|&&k| k >> 32 == keys[i] >> 32).count();
        // a run agreeing on 8 full bytes continues at the next 8; a shorter run ends its strings
        if j - i > 1 && (keys[i] >> 32) as u32 == 8 {
            sort_indices_by_bytes_from(&mut idx[i..j], bytes, depth + 8);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sort_by_packed_key` orders as the standard library's stable sort by the same key, ties
    /// in input order, on many small random slices with many ties (and leaves `keys` empty).
    #[test]
    fn packed_key_sort_is_a_stable_sort() {
        let mut next = crate::testing::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut keys = Vec::new();
        for round in 0..2000 {
            let len = (next() % 40) as usize;
            let spread = 1 + round % 7;
            // (key, payload): payload is the input position, so a tie out of order shows
            let mut v: Vec<(u128, usize)> = (0..len)
                .map(|i| (u128::from(next() % spread) << 64 | u128::from(next() % 3) << 90, i))
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|x| x.0);
            sort_by_packed_key(&mut v, &mut keys, |x| x.0);
            assert_eq!(v, want, "round {round}");
            assert!(keys.is_empty());
        }
    }

    /// `sort_indices_by_bytes` gives the order of a stable sort of the byte strings (equal
    /// strings in index order), on random strings of up to 25 bytes over the alphabet
    /// {0, 'a', 0xff} (many duplicates and shared prefixes across the 8-byte passes, one string a
    /// prefix of another, trailing zero bytes that the zero padding must not confuse with the
    /// end) in shuffled index order.
    #[test]
    fn indices_by_bytes_is_the_byte_order_then_the_index() {
        let mut below = crate::testing::xorshift_below(0x2545_f491_4f6c_dd1d);
        for round in 0..2000 {
            let n = below(30);
            let long = if round % 2 == 0 { 5 } else { 26 };
            let strs: Vec<Vec<u8>> = (0..n).map(|_| (0..below(long)).map(|_| [0, b'a', 0xff][below(3)]).collect()).collect();
            let mut idx: Vec<u32> = (0..n as u32).collect();
            for i in (1..idx.len()).rev() {
                idx.swap(i, below(i + 1));
            }
            sort_indices_by_bytes(&mut idx, &|i| &strs[i as usize]);
            let mut want: Vec<u32> = (0..n as u32).collect();
            want.sort_by(|&a, &b| strs[a as usize].cmp(&strs[b as usize]));
            assert_eq!(idx, want, "round {round}");
        }
    }
}
