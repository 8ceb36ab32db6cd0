//! Normalisation: an ASCII *skeleton* of the draft plus an offset map back to the input.
//!
//! The skeleton is what every pattern runs on (`regex::bytes`, Unicode off):
//! - ASCII letters lower-cased; other ASCII kept as is (CR and LF included);
//! - accents stripped (NFKD, combining marks dropped; compatibility forms such as fullwidth or
//!   mathematical letters folded: `ｆ`→`f`, `𝐟`→`f`, `ﬁ`→`fi`);
//! - Cyrillic and Greek look-alikes mapped to Latin (`а`→`a`, `ο`→`o`, …);
//! - zero-width characters, joiners, soft hyphens, variation selectors and stray combining marks
//!   dropped (their code units are attached to the previous skeleton byte, so spans never split a
//!   character and a dropped character inside a word does not split the word);
//! - curly quotes/apostrophes → `'`/`"`, dashes → `-`, exotic spaces → space, `…` → `...`;
//! - anything else (emoji, CJK, …) → one [`PLACEHOLDER`] byte.
//!
//! Every skeleton byte `i` records the UTF-16 span (`start16[i]..end16[i]`) and the UTF-8 byte
//! span of the input character it came from, so a skeleton match `s..e` maps back exactly to
//! code-unit boundaries: `start16[s]..end16[e-1]`.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

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

fn is_dropped(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{E0100}'..='\u{E01EF}' | '\u{E0000}'..='\u{E007F}')
        || is_combining_mark(c)
}

/// Direct foldings applied before NFKD: look-alikes, punctuation, letters NFKD leaves alone.
fn fold_special(c: char) -> Option<&'static str> {
    Some(match c {
        // Cyrillic look-alikes
        'а' | 'А' => "a", 'в' | 'В' => "b", 'е' | 'Е' | 'ё' | 'Ё' => "e", 'к' | 'К' => "k",
        'м' | 'М' => "m", 'н' | 'Н' => "h", 'о' | 'О' => "o", 'р' | 'Р' => "p", 'с' | 'С' => "c",
        'т' | 'Т' => "t", 'у' | 'У' => "y", 'х' | 'Х' => "x", 'і' | 'І' | 'ї' | 'Ї' => "i",
        'ј' | 'Ј' => "j", 'ѕ' | 'Ѕ' => "s", 'ԁ' | 'Ԁ' => "d", 'ӏ' | 'Ӏ' => "l", 'ԛ' | 'Ԛ' => "q",
        'ԝ' | 'Ԝ' => "w", 'һ' | 'Һ' => "h", 'ɡ' => "g", 'г' => "r", 'п' => "n", 'ь' => "b", 'Ь' => "b",
        // Greek look-alikes
        'α' | 'Α' | 'ά' => "a", 'β' | 'Β' => "b", 'ε' | 'Ε' | 'έ' => "e", 'ζ' | 'Ζ' => "z",
        'η' | 'Η' => "n", 'ι' | 'Ι' | 'ί' => "i", 'κ' | 'Κ' => "k", 'μ' | 'Μ' => "m", 'ν' | 'Ν' => "v",
        'ο' | 'Ο' | 'ό' => "o", 'ρ' | 'Ρ' => "p", 'τ' | 'Τ' => "t", 'υ' | 'Υ' | 'ύ' => "u",
        'χ' | 'Χ' => "x", 'ω' => "w", 'Ϲ' | 'ϲ' => "c",
        // Latin letters without a decomposition
        'ß' => "ss", 'æ' | 'Æ' => "ae", 'œ' | 'Œ' => "oe", 'ø' | 'Ø' => "o", 'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'ł' | 'Ł' => "l", 'ı' => "i", 'þ' | 'Þ' => "th", 'ŧ' => "t", 'ħ' => "h",
        // punctuation
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '\u{00B4}' | '`' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => "\"",
        '\u{2010}'..='\u{2015}' | '\u{2212}' => "-",
        '\u{2026}' => "...",
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => " ",
        '\u{2028}' | '\u{2029}' | '\u{0085}' => "\n",
        '\u{00A3}' => "\u{7f}", // £: keep as placeholder (not a letter)
        _ => return None,
    })
}

impl Normalized {
    /// Builds the skeleton of `text`. Linear in the input length; never panics.
    pub fn new(text: &str) -> Normalized {
        let mut n = Normalized {
            skel: Vec::with_capacity(text.len()),
            start16: Vec::with_capacity(text.len()),
            end16: Vec::with_capacity(text.len()),
            start8: Vec::with_capacity(text.len()),
            end8: Vec::with_capacity(text.len()),
            len16: 0,
        };
        let mut pos16: u32 = 0;
        let mut buf = [0u8; 8];
        for (pos8, c) in text.char_indices() {
            let l16 = c.len_utf16() as u32;
            let s8 = pos8 as u32;
            let e8 = s8 + c.len_utf8() as u32;
            let s16 = pos16;
            let e16 = pos16 + l16;
            pos16 = e16;
            let push = |n: &mut Normalized, b: u8| {
                n.skel.push(b);
                n.start16.push(s16);
                n.end16.push(e16);
                n.start8.push(s8);
                n.end8.push(e8);
            };
            if c.is_ascii() {
                push(&mut n, (c as u8).to_ascii_lowercase());
                continue;
            }
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
            let mut out = 0usize;
            let mut any_non_ascii = false;
            decompose_compatible(c, |d| {
                if d.is_ascii() {
                    if out < buf.len() {
                        buf[out] = (d as u8).to_ascii_lowercase();
                        out += 1;
                    }
                } else if !is_combining_mark(d) {
                    if let Some(s) = fold_special(d) {
                        for b in s.bytes() {
                            if out < buf.len() {
                                buf[out] = b;
                                out += 1;
                            }
                        }
                    } else {
                        any_non_ascii = true;
                    }
                }
            });
            if out == 0 || (any_non_ascii && out == 0) {
                push(&mut n, PLACEHOLDER);
            } else {
                for &b in &buf[..out] {
                    push(&mut n, b);
                }
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
        let mut v = self.skel.clone();
        for &(s, e) in masked {
            let e = e.min(v.len());
            if s < e {
                v[s..e].fill(PLACEHOLDER);
            }
        }
        let n = v.len();
        let is_letterish = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'*' | b'@' | b'$' | b'!' | b'#' | b'%' | b'|');
        for i in 0..n {
            let b = v[i];
            let prev = if i > 0 { v[i - 1] } else { b' ' };
            let next = if i + 1 < n { v[i + 1] } else { b' ' };
            // only fold digits/symbols that sit inside or at the edge of a letter run
            let in_word = prev.is_ascii_alphabetic() || next.is_ascii_alphabetic() || is_letterish(prev) && is_letterish(next);
            if !in_word {
                continue;
            }
            v[i] = match b {
                b'1' | b'!' | b'|' => b'i',
                b'$' | b'5' => b's',
                b'4' => b'a',
                b'0' => b'o',
                b'3' => b'e',
                b'7' => b't',
                b'#' | b'%' => b'*',
                _ => b,
            };
        }
        v
    }
}

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
