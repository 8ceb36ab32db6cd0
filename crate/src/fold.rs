//! Character foldings of the skeleton that do not come from Unicode's tables: shared by
//! `normalize.rs` (at run time) and `build.rs` (which includes this file with `#[path]` to
//! precompute the decomposition table, see `normalize::decompose`). Depends on `core` only;
//! `is_combining_mark` is passed in (the table at run time, unicode-normalization at build time).

#![allow(dead_code)]

/// Characters dropped from the skeleton besides combining marks: zero-width characters, joiners,
/// soft hyphen, bidi controls, variation selectors, tags.
pub fn is_dropped_special(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{E0100}'..='\u{E01EF}' | '\u{E0000}'..='\u{E007F}')
}

/// `a`..=`z`, for the enclosed-letter ranges of [`fold_special`].
const LETTERS: [&str; 26] = [
    "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v",
    "w", "x", "y", "z",
];

/// Direct foldings applied before NFKD: look-alikes, punctuation, letters NFKD leaves alone.
pub fn fold_special(c: char) -> Option<&'static str> {
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
        // Latin small capitals, which "fancy text" generators use to disguise words (ꜰᴜᴄᴋ)
        'ᴀ' => "a", 'ʙ' => "b", 'ᴄ' => "c", 'ᴅ' => "d", 'ᴇ' => "e", 'ꜰ' => "f", 'ɢ' => "g",
        'ʜ' => "h", 'ɪ' => "i", 'ᴊ' => "j", 'ᴋ' => "k", 'ʟ' => "l", 'ᴍ' => "m", 'ɴ' => "n",
        'ᴏ' => "o", 'ᴘ' => "p", 'ʀ' => "r", 'ꜱ' => "s", 'ᴛ' => "t", 'ᴜ' => "u", 'ᴠ' => "v",
        'ᴡ' => "w", 'ʏ' => "y", 'ᴢ' => "z",
        // hooked and script look-alikes NFKD leaves alone
        'ƒ' => "f", 'ɑ' => "a", 'ɩ' => "i",
        // negative circled, squared and negative squared capitals (🅐, 🄰 decomposes, 🅰): the
        // same fancy-text disguise; regional indicators (flags) are left alone
        '\u{1F150}'..='\u{1F169}' => LETTERS[(c as u32 - 0x1F150) as usize],
        '\u{1F170}'..='\u{1F189}' => LETTERS[(c as u32 - 0x1F170) as usize],
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
