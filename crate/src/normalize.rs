//! Normalisation: an ASCII *skeleton* of the draft plus an offset map back to the input.
//!
//! The skeleton is what every pattern runs on (`regex::bytes`, Unicode off):
//! - ASCII letters lower-cased; other ASCII kept as is (CR and LF included);
//! - accents stripped (NFKD, combining marks dropped; compatibility forms such as fullwidth or
//!   mathematical letters folded: `ｆ`→`f`, `𝐟`→`f`, `ﬁ`→`fi`);
//! - Cyrillic and Greek look-alikes mapped to Latin (`а`→`a`, `ο`→`o`, …), and the fancy-text
//!   letters NFKD leaves alone: small capitals, `ƒ`, negative circled and squared capitals
//!   (`ᴜ`→`u`, `🅵`→`f`; flags' regional indicators are not letters here);
//! - zero-width characters, joiners, soft hyphens, variation selectors and stray combining marks
//!   dropped (their code units are attached to the previous skeleton byte, so spans never split a
//!   character and a dropped character inside a word does not split the word);
//! - curly quotes/apostrophes → `'`/`"`, dashes → `-`, exotic spaces → space, `…` → `...`;
//! - anything else (emoji, CJK, …) → one [`PLACEHOLDER`] byte.
//!
//! Every skeleton byte `i` records the UTF-16 span (`start16[i]..end16[i]`) and the UTF-8 byte
//! span of the input character it came from, so a skeleton match `s..e` maps back exactly to
//! code-unit boundaries: `start16[s]..end16[e-1]`.


/// Stand-in byte for a character with no ASCII reading (emoji, CJK…). Not a word character and not
/// whitespace, so it separates words without joining them.
pub const PLACEHOLDER: u8 = 0x7f;

/// A draft's skeleton and its offset maps. All vectors have the same length as `skel`.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// ASCII skeleton (see module docs).
    pub skel: Vec<u8>,
    /// UTF-16 code-unit offset (in the input) where the source character of each byte starts.
    pub start16: Vec<u32>,
    /// UTF-16 code-unit offset (exclusive) where the source character of each byte ends,
    /// including any dropped characters that followed it.
    pub end16: Vec<u32>,
    /// UTF-8 byte offset of the source character's start.
    pub start8: Vec<u32>,
    /// UTF-8 byte offset (exclusive) of the source character's end (dropped followers included).
    pub end8: Vec<u32>,
    /// Length of the input in UTF-16 code units.
    pub len16: u32,
}

#[path = "fold.rs"]
mod fold;
use fold::{fold_special, is_dropped_special};

fn is_dropped(c: char) -> bool {
    is_dropped_special(c) || is_combining_mark(c)
}

/// Whether `c` is a combining mark (Unicode general category M): ranges precomputed by
/// `build.rs` from `unicode_normalization::char::is_combining_mark`.
fn is_combining_mark(c: char) -> bool {
    let c = c as u32;
    match tables::COMBINING_MARKS.binary_search_by_key(&c, |r| r.0) {
        Ok(_) => true,
        Err(0) => false,
        Err(i) => c <= tables::COMBINING_MARKS[i - 1].1,
    }
}

mod tables {
    include!(concat!(env!("OUT_DIR"), "/normalize_tables.rs"));
}

/// The skeleton bytes of a character that is not ASCII, not dropped and not in
/// [`fold_special`]: its compatibility decomposition (NFKD) with combining marks dropped, ASCII
/// letters lower-cased and non-ASCII parts folded by [`fold_special`], at most 8 bytes; `None`
/// if nothing ASCII is left (the caller writes [`PLACEHOLDER`]). Precomputed for every such
/// character by `build.rs` from unicode-normalization (`tables::DECOMPOSED`), so the wasm
/// carries one small table instead of the crate's decomposition and composition tables.
fn decompose(c: char) -> Option<&'static [u8]> {
    let i = tables::DECOMPOSED_KEYS.binary_search(&(c as u32)).ok()?;
    let start = usize::from(tables::DECOMPOSED_ENDS.get(i.wrapping_sub(1)).copied().unwrap_or(0));
    let end = usize::from(tables::DECOMPOSED_ENDS[i]);
    tables::DECOMPOSED_BYTES.get(start..end)
}

impl Normalized {
    /// Builds the skeleton of `text`. Linear in the input length; never panics.
    pub fn new(text: &str) -> Normalized {
        Normalized::new_in(text, Normalized::default())
    }

    /// [`Normalized::new`] reusing the vectors of `spare` (a previous draft's, whose contents
    /// are discarded): the same result, without allocating when their capacity suffices (a
    /// checker keeps one between checks: five allocations of the draft's length were a sixth
    /// of a 280-character check's instructions natively, most of it in the allocator).
    pub fn new_in(text: &str, spare: Normalized) -> Normalized {
        let mut n = spare;
        for v in [&mut n.start16, &mut n.end16, &mut n.start8, &mut n.end8] {
            v.clear();
            v.reserve(text.len());
        }
        n.skel.clear();
        n.skel.reserve(text.len());
        n.len16 = 0;
        let mut pos16: u32 = 0;
        let bytes = text.as_bytes();
        let mut pos8 = 0usize;
        while pos8 < bytes.len() {
            // a run of ASCII (most of a draft): one byte, one code unit each, mapped in bulk
            let run = bytes[pos8..].iter().position(|b| !b.is_ascii()).unwrap_or(bytes.len() - pos8);
            if run > 0 {
                let (s8, s16) = (pos8 as u32, pos16);
                let n8 = run as u32;
                n.skel.extend(bytes[pos8..pos8 + run].iter().map(u8::to_ascii_lowercase));
                n.start16.extend(s16..s16 + n8);
                n.end16.extend(s16 + 1..s16 + n8 + 1);
                n.start8.extend(s8..s8 + n8);
                n.end8.extend(s8 + 1..s8 + n8 + 1);
                pos8 += run;
                pos16 += n8;
                continue;
            }
            let Some(c) = text[pos8..].chars().next() else { break };
            let l16 = c.len_utf16() as u32;
            let s8 = pos8 as u32;
            let e8 = s8 + c.len_utf8() as u32;
            let s16 = pos16;
            let e16 = pos16 + l16;
            pos16 = e16;
            pos8 += c.len_utf8();
            let push = |n: &mut Normalized, b: u8| {
                n.skel.push(b);
                n.start16.push(s16);
                n.end16.push(e16);
                n.start8.push(s8);
                n.end8.push(e8);
            };
            if is_dropped(c) {
                // attach to the previous byte(s) of the same source character
                if let Some(last) = n.end16.last().copied() {
                    let k = n.skel.len();
                    let mut j = k;
                    while j > 0 && n.end16[j - 1] == last {
                        n.end16[j - 1] = e16;
                        n.end8[j - 1] = e8;
                        j -= 1;
                    }
                }
                continue;
            }
            if let Some(s) = fold_special(c) {
                for b in s.bytes() {
                    push(&mut n, b);
                }
                continue;
            }
            match decompose(c) {
                Some(bytes) => {
                    for &b in bytes {
                        push(&mut n, b);
                    }
                }
                None => push(&mut n, PLACEHOLDER),
            }
        }
        n.len16 = pos16;
        n
    }

    /// Maps a skeleton byte range `s..e` to a UTF-16 code-unit range of the input (end exclusive).
    /// An empty range maps to the empty range at the start of byte `s` (or the end of the input).
    pub fn span16(&self, s: usize, e: usize) -> (u32, u32) {
        if s >= self.skel.len() {
            return (self.len16, self.len16);
        }
        if e <= s {
            return (self.start16[s], self.start16[s]);
        }
        let e = e.min(self.skel.len());
        (self.start16[s], self.end16[e - 1])
    }

    /// Maps a skeleton byte range to a UTF-8 byte range of the input (end exclusive).
    pub fn span8(&self, s: usize, e: usize) -> (usize, usize) {
        if s >= self.skel.len() || e <= s {
            let p = self.start8.get(s).copied().unwrap_or(self.end8.last().copied().unwrap_or(0));
            return (p as usize, p as usize);
        }
        let e = e.min(self.skel.len());
        (self.start8[s] as usize, self.end8[e - 1] as usize)
    }

    /// The profanity view: same length and offsets as `skel`, with `masked` ranges (identifiers)
    /// blanked to [`PLACEHOLDER`] and leetspeak folded: `1`/`!`/`|`→`i`, `$`/`5`→`s`, `4`→`a`,
    /// `0`→`o`, `3`→`e`, `7`→`t`; `*`, `#`, `%` and `.` between letters become `*`; `@` stays `@` (a wildcard
    /// the profanity patterns accept for any inner letter, and for `a`).
    pub fn profanity_view(&self, masked: &[(usize, usize)]) -> Vec<u8> {
        self.profanity_view_in(masked.iter().copied(), Vec::new())
    }

    /// [`Normalized::profanity_view`] written into `spare` (its contents discarded, its
    /// allocation reused), with the masked ranges given as an iterator (no list to collect).
    pub fn profanity_view_in(&self, masked: impl IntoIterator<Item = (usize, usize)>, spare: Vec<u8>) -> Vec<u8> {
        let mut v = spare;
        v.clear();
        v.extend_from_slice(&self.skel);
        for (s, e) in masked {
            let e = e.min(v.len());
            if s < e {
                v[s..e].fill(PLACEHOLDER);
            }
        }
        let n = v.len();
        let is_letterish = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'@' | b'$' | b'!' | b'#' | b'%' | b'|');
        for i in 0..n {
            // only the bytes with a fold (one table load: most bytes have none) are looked at
            let f = LEET_FOLD[usize::from(v[i])];
            if f == 0 {
                continue;
            }
            let prev = if i > 0 { v[i - 1] } else { b' ' };
            let next = if i + 1 < n { v[i + 1] } else { b' ' };
            // only fold digits/symbols that sit inside or at the edge of a letter run
            let in_word = prev.is_ascii_alphabetic() || next.is_ascii_alphabetic() || is_letterish(prev) && is_letterish(next);
            if !in_word {
                continue;
            }
            v[i] = f;
        }
        v
    }
}

/// The profanity view's leetspeak folds ([`Normalized::profanity_view`]), indexed by byte: `1`/`!`/`|`→`i`,
/// `$`/`5`→`s`, `4`→`a`, `0`→`o`, `3`→`e`, `7`→`t`, `#`/`%`→`*`; 0 for a byte that does not fold.
static LEET_FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let pairs: [(u8, u8); 11] =
        [(b'1', b'i'), (b'!', b'i'), (b'|', b'i'), (b'$', b's'), (b'5', b's'), (b'4', b'a'), (b'0', b'o'), (b'3', b'e'), (b'7', b't'), (b'#', b'*'), (b'%', b'*')];
    let mut k = 0;
    while k < pairs.len() {
        t[pairs[k].0 as usize] = pairs[k].1;
        k += 1;
    }
    t
};

/// [`BYTE_CLASS`] bit: an ASCII letter or digit.
pub(crate) const ALNUM: u8 = 1;
/// [`BYTE_CLASS`] bit: `_` (with [`ALNUM`], a regex `\w` byte: what the word index counts).
pub(crate) const UNDERSCORE: u8 = 2;
/// [`BYTE_CLASS`] bit: `'` (with [`ALNUM`], a word byte of the repetition detector's sentence keys).
pub(crate) const APOSTROPHE: u8 = 4;

/// Per byte, its class bits ([`ALNUM`], [`UNDERSCORE`], [`APOSTROPHE`]; 0 for every other byte):
/// one table load instead of several range tests in the per-byte loops over the skeleton.
pub(crate) static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = ALNUM;
        }
        b += 1;
    }
    t[b'_' as usize] = UNDERSCORE;
    t[b'\'' as usize] = APOSTROPHE;
    t
};

/// Number of UTF-16 code units in `s`.
pub fn utf16_len(s: &str) -> u32 {
    s.chars().map(|c| c.len_utf16() as u32).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skel(s: &str) -> String {
        String::from_utf8(Normalized::new(s).skel).unwrap()
    }

    /// The byte tables the per-byte loops read agree with the definitions they replace, for
    /// every byte value: `BYTE_CLASS` with the ASCII predicates, `LEET_FOLD` with the documented
    /// leetspeak folds (and nothing else folds).
    #[test]
    fn byte_tables_match_their_definitions() {
        for b in 0..=255u8 {
            let c = BYTE_CLASS[usize::from(b)];
            assert_eq!(c & ALNUM != 0, b.is_ascii_alphanumeric(), "{b}");
            assert_eq!(c & UNDERSCORE != 0, b == b'_', "{b}");
            assert_eq!(c & APOSTROPHE != 0, b == b'\'', "{b}");
            assert_eq!(c & !(ALNUM | UNDERSCORE | APOSTROPHE), 0, "{b}");
            let want = match b {
                b'1' | b'!' | b'|' => b'i',
                b'$' | b'5' => b's',
                b'4' => b'a',
                b'0' => b'o',
                b'3' => b'e',
                b'7' => b't',
                b'#' | b'%' => b'*',
                _ => 0,
            };
            assert_eq!(LEET_FOLD[usize::from(b)], want, "{b}");
        }
        let n = Normalized::new("sh1t 4ss h0me 3ver 7ime a$$ c#nt 50 100 !");
        assert_eq!(String::from_utf8(n.profanity_view(&[])).unwrap(), "shit ass home ever time ass c*nt 50 1oo !");
    }

    #[test]
    fn folds() {
        assert_eq!(skel("Café ÉCOLE"), "cafe ecole");
        assert_eq!(skel("f\u{200B}uck"), "fuck");
        assert_eq!(skel("sһit"), "shit");
        assert_eq!(skel("ѕhіt"), "shit");
        assert_eq!(skel("don’t “x”"), "don't \"x\"");
        assert_eq!(skel("ｆｕｌｌ"), "full");
        assert_eq!(skel("a🤫b"), "a\u{7f}b");
        assert_eq!(skel("e\u{0301}x"), "ex");
        // fancy-text disguises: small capitals, hooked f, negative circled and squared capitals
        // (squared ones decompose); a flag's regional indicators stay placeholders
        assert_eq!(skel("ꜰᴜᴄᴋ ʙᴏʟʟᴏᴄᴋꜱ"), "fuck bollocks");
        assert_eq!(skel("ƒuck"), "fuck");
        assert_eq!(skel("🅵🆄🅲🅺 🅢🅗🅘🅣 🄵🅄🄲🄺"), "fuck shit fuck");
        assert_eq!(skel("🇬🇧"), "\u{7f}\u{7f}");
    }

    /// The build-time tables give, for every character on its own, the skeleton the run-time
    /// computation with unicode-normalization gave (NFKD, marks dropped, foldings).
    #[test]
    fn tables_match_unicode_normalization() {
        use unicode_normalization::char::{decompose_compatible, is_combining_mark as mark};
        let mut checked = 0;
        for c in (0x80u32..=0x10FFFF).filter_map(char::from_u32) {
            let expected: Vec<u8> = if is_dropped_special(c) || mark(c) {
                vec![]
            } else if let Some(s) = fold_special(c) {
                s.as_bytes().to_vec()
            } else {
                let mut buf = Vec::new();
                decompose_compatible(c, |d| {
                    if d.is_ascii() {
                        buf.push((d as u8).to_ascii_lowercase());
                    } else if !mark(d) {
                        if let Some(s) = fold_special(d) {
                            buf.extend(s.bytes());
                        }
                    }
                });
                buf.truncate(8);
                if buf.is_empty() { vec![PLACEHOLDER] } else { buf }
            };
            assert_eq!(is_combining_mark(c), mark(c), "{c:?}");
            assert_eq!(Normalized::new(&c.to_string()).skel, expected, "{c:?} U+{:04X}", c as u32);
            checked += 1;
        }
        assert!(checked > 1_000_000);
        assert_eq!(skel("\u{1D41F}\u{FB01}\u{2460}"), "ffi1");
    }

    /// A whole text maps as its characters one by one (the ASCII runs are mapped in bulk): the
    /// same bytes and offsets, dropped characters attached to the byte(s) before them.
    #[test]
    fn text_is_its_characters() {
        let t = "Ab\u{200B}c CAFÉ😀x\u{301}Y\r\n\u{FEFF}ok \u{1D41F}\u{FB01}— fin…";
        let mut want = Normalized::default();
        let mut p16 = 0u32;
        for (p8, c) in t.char_indices() {
            let one = Normalized::new(&c.to_string());
            let (e8, e16) = (p8 as u32 + c.len_utf8() as u32, p16 + c.len_utf16() as u32);
            if one.skel.is_empty() {
                let last = *want.end16.last().unwrap();
                let mut j = want.skel.len();
                while j > 0 && want.end16[j - 1] == last {
                    want.end16[j - 1] = e16;
                    want.end8[j - 1] = e8;
                    j -= 1;
                }
            }
            for &b in &one.skel {
                want.skel.push(b);
                want.start16.push(p16);
                want.end16.push(e16);
                want.start8.push(p8 as u32);
                want.end8.push(e8);
            }
            p16 = e16;
        }
        let got = Normalized::new(t);
        assert_eq!(String::from_utf8_lossy(&got.skel), "abc cafe\u{7f}xy\r\nok ffi- fin...");
        assert_eq!((got.skel, got.start16, got.end16, got.start8, got.end8, got.len16), (want.skel, want.start16, want.end16, want.start8, want.end8, p16));
    }

    #[test]
    fn maps_utf16() {
        let t = "😀 Café\r\ne\u{301}nd";
        let n = Normalized::new(t);
        let s = String::from_utf8(n.skel.clone()).unwrap();
        let i = s.find("cafe").unwrap();
        let (a, b) = n.span16(i, i + 4);
        let u: Vec<u16> = t.encode_utf16().collect();
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "Café");
        let j = s.find("end").unwrap();
        let (a, b) = n.span16(j, j + 3);
        assert_eq!(String::from_utf16(&u[a as usize..b as usize]).unwrap(), "e\u{301}nd");
        let (x, y) = n.span8(j, j + 3);
        assert_eq!(&t[x..y], "e\u{301}nd");
    }
}
