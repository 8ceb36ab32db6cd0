//! Property tests with a seeded generator (no external crates): random drafts over tricky code
//! points (emoji and ZWJ sequences, right-to-left text, combining marks, zero-width characters,
//! look-alikes, CRLF, astral characters, digits and symbols). Checks: no panic, every span lies
//! inside the input on UTF-16 boundaries (never splitting a surrogate pair), and linear growth
//! (work counted as output size, not timed).

use postcheck::{Checker, Context, Mode};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "a", "e", "s", "h", "i", "t", "f", "u", "c", "k", " ", "  ", "\r\n", "\n", ".", "*", "@", "$", "1", "0", "5", "!",
    "😀", "👩‍👩‍👧", "🏳️‍🌈", "\u{200B}", "\u{200D}", "\u{FEFF}", "\u{00AD}", "\u{0301}", "\u{0308}", "\u{20DD}",
    "ש", "ל", "ו", "ם", "ع", "ر", "ب", "\u{202E}", "\u{2067}", "а", "о", "ѕ", "і", "ο", "ß", "ﬁ", "ｆ", "𝐬",
    "𝕏", "€", "£", "…", "’", "“", "—", "\u{10FFFF}", "\u{E0001}", "07700 900123", "QQ 12 34 56 C", "943 476 5919",
    "between us", "confidential", "Cllr ", "manager", "idiot", "S7 2QX", "x@example.com", "DOB 01/02/1990 ",
    "Penistone", "sh1t", "f*ck", "cyfrinachol", "rhwng ni", "the council", "tenant", "Labour", "vote",
];

fn random_text(rng: &mut Rng, max_pieces: usize) -> String {
    let n = rng.below(max_pieces + 1);
    let mut s = String::new();
    for _ in 0..n {
        if rng.below(10) == 0 {
            // any scalar value
            let mut cp = (rng.next() % 0x11_0000) as u32;
            if (0xD800..0xE000).contains(&cp) {
                cp = 0xFFFD;
            }
            s.push(char::from_u32(cp).unwrap_or('?'));
        } else {
            s.push_str(PIECES[rng.below(PIECES.len())]);
        }
    }
    s
}

fn boundaries(text: &str) -> Vec<bool> {
    // ok[i]: UTF-16 offset i is a character boundary
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut ok = vec![true; units.len() + 1];
    for i in 0..units.len() {
        if (0xDC00..0xE000).contains(&units[i]) {
            ok[i] = false; // inside a surrogate pair
        }
    }
    ok
}

fn ctx(council: &str, i: u64) -> Context {
    let mut c = Context::new(council);
    c.mode = if i % 2 == 0 { Mode::Personal } else { Mode::Official };
    c.flags.politically_restricted = i % 3 == 0;
    c.flags.works_with_vulnerable = i % 5 == 0;
    c.attachments = i % 7 == 0;
    c
}

#[test]
fn random_drafts_spans_on_utf16_boundaries() {
    let checker = Checker::builtin();
    let councils = ["sheffield", "shaftesbury", "barnsley", "chelmsford", "caerphilly"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut findings, mut after_astral) = (0usize, 0usize);
    for i in 0..1500u64 {
        let text = random_text(&mut rng, 60);
        let ok = boundaries(&text);
        let len16 = ok.len() as u32 - 1;
        let f = checker.check(&text, &ctx(councils[(i % 5) as usize], i)).expect("known council");
        for x in &f {
            assert!(x.start <= x.end && x.end <= len16, "span {}..{} outside {len16} in {text:?}", x.start, x.end);
            assert!(ok[x.start as usize] && ok[x.end as usize], "span {}..{} splits a surrogate pair in {text:?}", x.start, x.end);
            assert!(!x.clauses.is_empty(), "finding without a clause");
            findings += 1;
            // a span after an astral character: UTF-16 and code-point offsets differ there
            if text.chars().count() != len16 as usize && x.start > 0 {
                after_astral += 1;
            }
        }
    }
    // the span checks ran on many findings, many of them where UTF-16 counting matters
    assert!(findings >= 1000 && after_astral >= 100, "{findings} findings, {after_astral} in drafts with astral characters");
}

#[test]
fn long_and_degenerate_inputs() {
    let checker = Checker::builtin();
    let c = Context::new("barnsley");
    let cases = [
        "😀".repeat(20_000),
        "\u{0301}".repeat(20_000),
        "a\u{0301}\u{0308}".repeat(10_000),
        "ש".repeat(20_000),
        "\u{200B}".repeat(20_000),
        "s h i t ".repeat(5_000),
        "1".repeat(50_000),
        "\r\n".repeat(20_000),
        "aaaaaaaaaa".repeat(10_000),
        "*".repeat(50_000),
        "between us ".repeat(5_000),
        String::new(),
    ];
    for t in &cases {
        let f = checker.check(t, &c).unwrap();
        let len16 = t.encode_utf16().count() as u32;
        assert!(f.iter().all(|x| x.end <= len16));
    }
}

/// Linear growth, by counting: repeating a draft k times yields at most k times the findings
/// (plus merging), and the normalised skeleton grows exactly linearly.
#[test]
fn linear_in_length() {
    let checker = Checker::builtin();
    let c = Context::new("sheffield");
    let unit = "Between us the depot is closing, sh1t manager, ring 07700 900123. 😀\u{200B} ";
    let base = checker.check(unit, &c).unwrap().len();
    for k in [1usize, 10, 100, 1000] {
        let t = unit.repeat(k);
        let n = postcheck::normalize::Normalized::new(&t);
        assert_eq!(n.skel.len(), k * postcheck::normalize::Normalized::new(unit).skel.len());
        let f = checker.check(&t, &c).unwrap().len();
        assert!(f <= k * (base + 2), "k={k}: {f} findings vs base {base}");
    }
}
