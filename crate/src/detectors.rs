//! Built-in identifier detectors, run over the normalised skeleton (ASCII, lower-case).
//!
//! Each returns skeleton byte ranges. They are found before the profanity view is built and
//! masked in it, so digits in an identifier are never read as letters.
//!
//! - `ni-number`: HMRC National Insurance number format (NIM39110): two prefix letters, six
//!   digits, suffix A–D; first letter not D F I Q U V, second not D F I O Q U V, prefixes BG GB
//!   KN NK NT TN ZZ never allocated. HMRC's documented example prefix `QQ` is also accepted
//!   (it is what examples and test data use).
//! - `nhs-number`: ten digits (3-3-4 grouping optional) passing the NHS modulus-11 check
//!   (weights 10…2 over the first nine digits; check = 11 − (sum mod 11), 11→0, 10 invalid) with a
//!   health or identity cue nearby (NHS, patient, hospital, GP, surgery, clinic, health/medical/care
//!   record…, within 60 characters before or 30 after), or any ten digits right after "NHS number/no".
//!   A bare ten-digit number (an order or tracking number) is not an NHS number.
//! - `uk-phone`: UK numbers (Ofcom numbering): mobiles 07xxx xxxxxx, geographic/non-geographic
//!   01/02/03/08 numbers of 10–11 digits, with optional +44 / (0) and spaces or hyphens.
//! - `email`: `local@domain.tld`.
//! - `uk-postcode`: outward + inward code (e.g. `S70 2TA`, `CF83 1NE`).
//! - `date-of-birth`: "DOB"/"date of birth"/"born (on)" (Welsh "dyddiad geni", "ganwyd")
//!   followed by a date, or a date followed by "(DOB)"; after "DOB", "date of birth" or "dyddiad
//!   geni" a few words may come between ("DOB on his form says 02/09/1962": at most 30
//!   characters, no digit or sentence end).
//! - `case-reference`: "ref"/"reference"/"case"/"account"/"claim"/"tenancy"/"referral" (+
//!   no/number) followed by a code containing a digit, or slash-separated codes like
//!   `CCBC/FT/20991`.
//! - `repetition`: a sentence of three or more words that occurs again in the same draft (the
//!   later copies are reported) — "posting the same message again" (spam).
//! - `person-name`: a capitalised given name from `crate/rules/given-names.txt` ("Rhian"), or a
//!   title and a capitalised surname ("Mrs Bevan") — the "names" of the policy map's "names
//!   tied to case details". Unlike the others it reads the draft's capitals, which the skeleton
//!   has folded (see [`person_names_into`]), and it is not masked in the profanity view.
//! - `eye-roll`: the emoji 🙄 and 😒, which the skeleton folds into its one emoji placeholder,
//!   read from the draft's own bytes (see [`scorn_emoji_into`]); not masked in the profanity view.
//! - `clown`: the emoji 🤡, found the same way and in the same pass as `eye-roll`.

use crate::rules::Lazy;

/// Which detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detector {
    NiNumber,
    NhsNumber,
    UkPhone,
    Email,
    UkPostcode,
    DateOfBirth,
    CaseReference,
    /// The same sentence (≥ 3 words) posted twice or more in one draft (spam).
    Repetition,
    /// A capitalised given name, or a title and a capitalised surname ([`person_names_into`]).
    PersonName,
    /// An eye-roll emoji, 🙄 or 😒 ([`scorn_emoji_into`]).
    EyeRoll,
    /// The clown face, 🤡 ([`scorn_emoji_into`]).
    Clown,
}

impl Detector {
    /// All detectors.
    pub const ALL: [Detector; 11] = [
        Detector::NiNumber,
        Detector::NhsNumber,
        Detector::UkPhone,
        Detector::Email,
        Detector::UkPostcode,
        Detector::DateOfBirth,
        Detector::CaseReference,
        Detector::Repetition,
        Detector::PersonName,
        Detector::EyeRoll,
        Detector::Clown,
    ];
    /// Name used in rule files (`"detector": "ni-number"`).
    pub fn name(self) -> &'static str {
        match self {
            Detector::NiNumber => "ni-number",
            Detector::NhsNumber => "nhs-number",
            Detector::UkPhone => "uk-phone",
            Detector::Email => "email",
            Detector::UkPostcode => "uk-postcode",
            Detector::DateOfBirth => "date-of-birth",
            Detector::CaseReference => "case-reference",
            Detector::Repetition => "repetition",
            Detector::PersonName => "person-name",
            Detector::EyeRoll => "eye-roll",
            Detector::Clown => "clown",
        }
    }
    /// Parses a rule-file name.
    pub fn from_name(s: &str) -> Option<Detector> {
        Detector::ALL.into_iter().find(|d| d.name() == s)
    }
}

/// One identifier found: detector and skeleton byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ident {
    /// Which detector found it.
    pub kind: Detector,
    /// Start, in bytes of the skeleton (`Normalized::skel`), inclusive; map to UTF-16 code units
    /// of the draft with `Normalized::span16`.
    pub start: usize,
    /// End, in bytes of the skeleton, exclusive.
    pub end: usize,
}

/// A detector regex compiled on first use: most drafts have no digit and no `@`, and then no
/// detector but `repetition` runs at all (see [`Detectors::find_all`]), so compiling all eleven
/// regexes up front was start-up work (~17 M instructions natively) most checks never needed.
/// Each is a [`Lazy`] (`regex::bytes` syntax, Unicode off, searched by the rules' lazy DFAs:
/// leftmost-first non-overlapping matches, as the `regex` crate's `find_iter`), its
/// whole-draft scans skipping ahead with a prefix-literal prefilter where regex-automata builds
/// one ([`Lazy::with_prefilter`], as the `regex` crate's meta engine did; without any the
/// detectors cost 7.11M → 8.79M instructions on the 63,206-character bench check). Since
/// session 13 only the memchr/memmem kinds are built (`nhs_cue`: memmem on `nhs`): the Teddy
/// and Aho-Corasick prefilters of the larger prefix sets (`ten_digits`, `health_cue`, `phone`,
/// `case_ref`, `dob`, `dob_after`) need the aho-corasick crate, out of the wasm for its size;
/// their scans step the lazy DFA through every byte instead (the same matches; natively
/// +0.75M instructions in the DFA searches on that check, callgrind).
fn lazy(src: impl Into<String>) -> Lazy {
    Lazy::with_prefilter(src.into())
}

/// Compiled detectors. Their regexes compile on first use (a test compiles them all:
/// `tests::all_detector_regexes_compile`).
pub struct Detectors {
    ni: Lazy,
    ten_digits: Lazy,
    nhs_cue: Lazy,
    health_cue: Lazy,
    phone: Lazy,
    email: Lazy,
    postcode: Lazy,
    dob: Lazy,
    dob_after: Lazy,
    case_ref: Lazy,
    slash_ref: Lazy,
}

impl Default for Detectors {
    fn default() -> Self {
        Self::new()
    }
}

const DATE: &str = r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{4}-\d{2}-\d{2})";

impl Detectors {
    /// The detectors, not yet compiled (each regex compiles on first use; done once per
    /// [`crate::Checker`]).
    pub fn new() -> Detectors {
        Detectors {
            // the prefix letters are a match's first two bytes (no capture groups needed)
            ni: lazy(r"\b[a-z][a-z][ -]?(?:\d[ -]?){5}\d[ -]?[a-d]\b"),
            ten_digits: lazy(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b"),
            nhs_cue: lazy(r"\bnhs\s*(?:no\.?|number|num|#)?\s*[:.]?\s*$"),
            health_cue: lazy(r"\b(?:nhs|patients?|hospitals?|gp|gps|doctors?|surgery|clinic|a&e|nurse|ward|health|medical|medication|prescriptions?|care (?:record|plan|notes)|discharge|referral|appointment card|rhif gig|claf|ysbyty)\b"),
            phone: lazy(r"(?:\+44\s?\(?0?\)?\s?|\b0)(?:7\d{3}[ -]?\d{3}[ -]?\d{3}|[1-3589]\d{1,3}[ -]?\d{3,4}[ -]?\d{3,4})\b"),
            email: lazy(r"\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"),
            // outward code starts with one of the 121 UK postcode areas (so "pi55ed" is not a postcode)
            postcode: lazy(r"\b(?:ab|al|ba|bb|bd|bh|bl|bn|br|bs|bt|ca|cb|cf|ch|cm|co|cr|ct|cv|cw|da|dd|de|dg|dh|dl|dn|dt|dy|ec|eh|en|ex|fk|fy|gl|gu|gy|ha|hd|hg|hp|hr|hs|hu|hx|ig|im|ip|iv|je|ka|kt|kw|ky|la|ld|le|ll|ln|ls|lu|me|mk|ml|ne|ng|nn|np|nr|nw|ol|ox|pa|pe|ph|pl|po|pr|rg|rh|rm|sa|se|sg|sk|sl|sm|sn|so|sp|sr|ss|st|sw|sy|ta|td|tf|tn|tq|tr|ts|tw|ub|wa|wc|wd|wf|wn|wr|ws|wv|yo|ze|b|e|g|l|m|n|s|w)\d[a-z\d]?\s?\d[abd-hjlnp-uw-z]{2}\b"),
            // the record's own words ("DOB", "date of birth") allow a few words before the date
            // ("DOB on his form says …"); "birthday" and "born" do not ("birthday party on …")
            dob: lazy(format!(r"\b(?:(?:d\.?o\.?b\.?|date\s+of\s+birth|dyddiad\s+geni)(?:\s*[:\-]?\s*(?:is\s+)?|\b[^.!?\n0-9]{{1,30}}?)|(?:birth\s?day|born(?:\s+on)?|ganwyd)\s*[:\-]?\s*(?:is\s+)?){DATE}")),
            dob_after: lazy(format!(r"{DATE}\s*\(?\s*(?:d\.?o\.?b|date of birth)\b")),
            case_ref: lazy(r"\b(?:ref(?:erence)?|case|account|acct|claim|tenancy|referral|file|complaint|crime|rhif achos|cyfeirnod)\s*(?:no\.?|number|num|ref|id|#)?\s*(?:is\s+)?[:.#]?\s*[a-z]{0,5}[/-]?\d[a-z0-9/-]{2,}"),
            slash_ref: lazy(r"\b[a-z0-9]{2,6}(?:/[a-z0-9]{1,8}){1,4}/?\d{3,}[a-z0-9]*\b"),
        }
    }

    /// Runs every detector over the skeleton. Overlaps are allowed (e.g. a case reference that
    /// contains a phone-shaped number); callers decide. Linear-time regex scans.
    ///
    /// Cheap cues first: every detector but `email` and `repetition` needs an ASCII digit in
    /// each match (all their patterns contain `\d`), and `email` needs an `@`; without the cue a
    /// detector is not run (nor compiled). Same results, less work for most drafts.
    pub fn find_all(&self, s: &[u8]) -> Vec<Ident> {
        self.find_all_in(s, Vec::new())
    }

    /// [`Detectors::find_all`] into `spare` (its contents discarded, its allocation reused).
    pub fn find_all_in(&self, s: &[u8], spare: Vec<Ident>) -> Vec<Ident> {
        let mut out = spare;
        out.clear();
        // a branch-free OR over 32-byte chunks (vectorised natively) instead of a test and
        // branch per byte: most drafts have no digit, so `any` ran over the whole skeleton
        let has_digit = s.chunks(32).any(|c| c.iter().fold(false, |a, b| a | b.is_ascii_digit()));
        if has_digit {
            self.find_numeric_before_email(s, &mut out);
        }
        if s.contains(&b'@') {
            for (start, end) in self.email.matches(s) {
                out.push(Ident { kind: Detector::Email, start, end });
            }
        }
        if has_digit {
            self.find_numeric_after_email(s, &mut out);
        }
        repeated_sentences(s, &mut out);
        out
    }

    /// NI, NHS and phone numbers (in that order): the digit detectors reported before emails.
    fn find_numeric_before_email(&self, s: &[u8], out: &mut Vec<Ident>) {
        for (start, end) in self.ni.matches(s) {
            // the prefix: the match's first two bytes (it starts with `[a-z][a-z]`)
            let a = s[start];
            let b = s[start + 1];
            let qq = a == b'q' && b == b'q';
            let bad_first = b"dfiquv".contains(&a);
            let bad_second = b"dfioquv".contains(&b);
            let pre = [a, b];
            let unallocated = [b"bg", b"gb", b"kn", b"nk", b"nt", b"tn", b"zz"].iter().any(|p| **p == pre);
            if qq || !(bad_first || bad_second || unallocated) {
                out.push(Ident { kind: Detector::NiNumber, start, end });
            }
        }
        for (start, end) in self.ten_digits.matches(s) {
            let digits: Vec<u8> = s[start..end].iter().filter(|b| b.is_ascii_digit()).map(|b| b - b'0').collect();
            let before = &s[start.saturating_sub(24)..start];
            let cued = self.nhs_cue.is_match_in(before);
            let window = &s[start.saturating_sub(60)..(end + 30).min(s.len())];
            let health = self.health_cue.is_match_in(window);
            // a leading 0 is a phone number, not an NHS number, unless cued; a valid number needs a
            // health or identity cue nearby (else it is an order, tracking or account number)
            if digits.len() == 10 && ((digits[0] != 0 && nhs_mod11_ok(&digits) && health) || cued) {
                out.push(Ident { kind: Detector::NhsNumber, start, end });
            }
        }
        for (start, end) in self.phone.matches(s) {
            let n = s[start..end].iter().filter(|b| b.is_ascii_digit()).count();
            if (10..=13).contains(&n) {
                out.push(Ident { kind: Detector::UkPhone, start, end });
            }
        }
    }

    /// Postcodes, dates of birth and case references (in that order), after emails.
    fn find_numeric_after_email(&self, s: &[u8], out: &mut Vec<Ident>) {
        for (start, end) in self.postcode.matches(s) {
            out.push(Ident { kind: Detector::UkPostcode, start, end });
        }
        for (start, end) in self.dob.matches(s).into_iter().chain(self.dob_after.matches(s)) {
            out.push(Ident { kind: Detector::DateOfBirth, start, end });
        }
        for (start, end) in self.case_ref.matches(s).into_iter().chain(self.slash_ref.matches(s)) {
            // a slash "reference" that is just a date (12/03/2024) is not a case reference
            let t = &s[start..end];
            let is_date = t.iter().all(|b| b.is_ascii_digit() || *b == b'/') && t.iter().filter(|b| **b == b'/').count() == 2 && t.len() <= 10;
            if !is_date {
                out.push(Ident { kind: Detector::CaseReference, start, end });
            }
        }
    }
}

mod names {
    include!(concat!(env!("OUT_DIR"), "/given_names.rs"));
}

/// The `person-name` detector: appends to `out` an [`Ident`] (skeleton byte range) for every
/// capitalised given name in `text`, and every title with a capitalised surname, in ascending
/// order. `norm` must be `text`'s normalisation
/// ([`Normalized::new`](crate::normalize::Normalized::new)).
///
/// A word here is a maximal run of ASCII letters in the skeleton with no digit or `_` on either
/// side (so `@mark_cudworth`, `Tina_S6` and `#JusticeForJade` hold no name); it is capitalised
/// when its first letter is an ASCII capital in `text` and its second (if any) is not ("AGAIN"
/// and "DBS" are not; the skeleton has lost the case, the draft has not: `Normalized::start8`
/// maps each skeleton byte to its character in `text`). Found:
/// - a title (Mr, Mrs, Ms, Miss, Mx), capitalised, with the capitalised word after it: the two
///   are one name, "Mrs Bevan", "Mr. Dacombe" (`titled_surname`);
/// - a capitalised word listed in `crate/rules/given-names.txt` (`names::GIVEN_NAMES`, sorted at
///   build time) — but a name marked as an ordinary word or a place too (` *`: Mark, Dawn,
///   Grace, Jordan) only where its capital is not just a sentence's first letter (the word
///   follows a letter, digit, `,`, `;`, `&` or `-`, after spaces) or a capitalised surname
///   follows ("Dawn Hirst"). Other names count at a sentence's start too ("Gwyn from our team").
///
/// Not found: names written in lower case ("just seen dylan"), which cannot be told from words
/// by spelling alone; the rules that use the detector pair it with details about the person.
pub fn person_names_into(text: &str, norm: &crate::normalize::Normalized, out: &mut Vec<Ident>) {
    let s = &norm.skel[..];
    let src = text.as_bytes();
    // whether skeleton byte `i` comes from an ASCII capital in `text`
    let upper = |i: usize| src.get(norm.start8[i] as usize).is_some_and(|b| b.is_ascii_uppercase());
    let is_letter = |b: u8| b.is_ascii_lowercase();
    let joins = |b: u8| b.is_ascii_digit() || b == b'_';
    let mut i = 0;
    while i < s.len() {
        if !is_letter(s[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < s.len() && is_letter(s[i]) {
            i += 1;
        }
        let end = i;
        if !upper(start) || (end - start > 1 && upper(start + 1)) {
            continue;
        }
        if (start > 0 && joins(s[start - 1])) || (end < s.len() && joins(s[end])) {
            continue;
        }
        if let Some(after) = titled_surname(s, start, end, &upper) {
            // "Mrs Bevan", "Mr. Dacombe", "Mrs B": the title and the surname, one name
            out.push(Ident { kind: Detector::PersonName, start, end: after });
            i = after;
            continue;
        }
        let Some(also_word) = given_name(&s[start..end]) else { continue };
        if also_word && !mid_sentence(s, start) && !capitalised_next(s, end, &upper) {
            continue;
        }
        out.push(Ident { kind: Detector::PersonName, start, end });
    }
}

/// The `eye-roll` and `clown` detectors, in one pass: appends to `out` an [`Ident`] (the one
/// skeleton byte of the emoji, a [`PLACEHOLDER`](crate::normalize::PLACEHOLDER)) for every 🙄
/// (U+1F644 FACE WITH ROLLING EYES) and 😒 (U+1F612 UNAMUSED FACE) in `text`, as
/// [`Detector::EyeRoll`], and for every 🤡 (U+1F921 CLOWN FACE), as [`Detector::Clown`], in
/// ascending order. `norm` must be `text`'s normalisation. The faces read as scorn: beside a
/// remark about a person or a group they say what the words may leave unsaid ("heard the new
/// depot manager's gay. that'll be the end of the banter then 🙄"; "Chief exec on £180k telling
/// us there's no money for a pay award 🤡"). On its own an eye-roll is everyday exasperation (a
/// late bus, roadworks) and a clown may be a circus or a football score, so rules pair them with
/// `near` words for what they are aimed at, as `discrimination.eye-roll-at-group` does with
/// people named by a protected characteristic and `disrepute.clown-at-work` with the council and
/// the people who work for it.
pub fn scorn_emoji_into(text: &str, norm: &crate::normalize::Normalized, out: &mut Vec<Ident>) {
    let src = text.as_bytes();
    // memchr: a byte-at-a-time filter cost ~2 k instructions a 280-character check (callgrind)
    for i in memchr::memchr_iter(crate::normalize::PLACEHOLDER, &norm.skel) {
        // all three are 4-byte UTF-8 sequences: F0 9F 98 92 (😒), F0 9F 99 84 (🙄), F0 9F A4 A1 (🤡)
        let at = norm.start8[i] as usize;
        let kind = match src.get(at..at + 4) {
            Some([0xF0, 0x9F, 0x98, 0x92] | [0xF0, 0x9F, 0x99, 0x84]) => Detector::EyeRoll,
            Some([0xF0, 0x9F, 0xA4, 0xA1]) => Detector::Clown,
            _ => continue,
        };
        out.push(Ident { kind, start: i, end: i + 1 });
    }
}

/// If `s[start..end]` is a title (Mr, Mrs, Ms, Miss, Mx; capitalised, as the caller checked)
/// followed by an optional `.`, one space and a capitalised word (its first letter a capital in
/// the draft: "Mrs Bevan", "Mrs B", "Mrs Olwen Beynon"), the end of that word. Dr is left out
/// (Dr Martens, Dr Pepper).
fn titled_surname(s: &[u8], start: usize, end: usize, upper: &impl Fn(usize) -> bool) -> Option<usize> {
    if !matches!(&s[start..end], b"mr" | b"mrs" | b"ms" | b"miss" | b"mx") {
        return None;
    }
    let mut j = end;
    if s.get(j) == Some(&b'.') {
        j += 1;
    }
    if s.get(j) != Some(&b' ') || !s.get(j + 1).is_some_and(|b| b.is_ascii_lowercase()) || !upper(j + 1) {
        return None;
    }
    let word_end = j + 1 + s[j + 1..].iter().take_while(|b| b.is_ascii_lowercase()).count();
    (!s.get(word_end).is_some_and(|&b| b.is_ascii_digit() || b == b'_')).then_some(word_end)
}

/// `word`'s first 8 bytes as a big-endian number, zero-padded: the order of the numbers is the
/// order of the words' first 8 bytes.
fn name_key(word: &[u8]) -> u64 {
    word.iter().take(8).enumerate().fold(0u64, |k, (i, &b)| k | u64::from(b) << (56 - 8 * i))
}

/// The given names, split once from `names::GIVEN_NAMES`: `keys[i]` is `name_key(names[i])`
/// (ascending, as the names are sorted), `also_word[i]` the name's ` *` mark.
struct GivenNames {
    keys: Vec<u64>,
    names: Vec<&'static str>,
    also_word: Vec<bool>,
}

fn given_names() -> &'static GivenNames {
    static NAMES: std::sync::OnceLock<GivenNames> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut g = GivenNames { keys: Vec::new(), names: Vec::new(), also_word: Vec::new() };
        for line in names::GIVEN_NAMES.lines() {
            let (name, word) = line.strip_suffix(" *").map_or((line, false), |n| (n, true));
            g.keys.push(name_key(name.as_bytes()));
            g.names.push(name);
            g.also_word.push(word);
        }
        g
    })
}

/// `Some(also an ordinary word)` if `word` (lower-case skeleton letters) is a listed given name,
/// else `None`: an integer binary search on the keys, then the few names sharing the key
/// (longer than 8 letters) compared in full.
fn given_name(word: &[u8]) -> Option<bool> {
    let g = given_names();
    let key = name_key(word);
    let first = g.keys.partition_point(|&k| k < key);
    (first..g.keys.len()).take_while(|&i| g.keys[i] == key).find(|&i| g.names[i].as_bytes() == word).map(|i| g.also_word[i])
}

/// Whether the skeleton byte before `start` (spaces skipped) continues a sentence: a letter,
/// digit, `,`, `;`, `&` or `-`. A sentence end, a line break, a colon, a quote, a bracket, an
/// emoji ([`crate::normalize::PLACEHOLDER`]) or the draft's start does not.
fn mid_sentence(s: &[u8], start: usize) -> bool {
    s[..start].iter().rev().find(|&&b| b != b' ' && b != b'\t').is_some_and(|&b| b.is_ascii_alphanumeric() || b",;&-".contains(&b))
}

/// Whether one space and then a capitalised word (a capital followed by a letter that is not
/// one) follow `end`: a surname after a given name.
fn capitalised_next(s: &[u8], end: usize, upper: &impl Fn(usize) -> bool) -> bool {
    end + 2 < s.len() && s[end] == b' ' && s[end + 1].is_ascii_lowercase() && s[end + 2].is_ascii_lowercase() && upper(end + 1) && !upper(end + 2)
}

/// The `repetition` detector: a sentence (text between `.`, `!`, `?`, newline) of three or
/// more words (maximal runs of ASCII letters, digits and `'`) whose words, single-spaced, equal
/// those of an earlier sentence (one of the first 64 kept); reported as skeleton byte range from
/// its first to its last letter or digit.
fn repeated_sentences(s: &[u8], out: &mut Vec<Ident>) {
    // keys of the sentences seen so far (at most 64), one after another in `keys`: each is its
    // sentence's words (alphanumerics and `'`), single-spaced, so no key is longer than its
    // sentence and `keys` never outgrows the draft (one allocation); `seen` holds their ranges
    // (`keys[..kept]` holds the kept keys; the buffer is the draft's length: the kept keys come
    // from disjoint earlier sentences, so the current one's key always fits after them)
    let mut keys: Vec<u8> = vec![0; s.len()];
    let mut kept = 0usize;
    let mut seen: Vec<(usize, usize)> = Vec::new();
    let mut start = 0usize;
    loop {
        // the sentence ends at the next `.`, `!`, `?`, newline, or the end of the draft
        let i = s[start..].iter().position(|b| matches!(b, b'.' | b'!' | b'?' | b'\n')).map_or(s.len(), |k| start + k);
        let seg = &s[start..i];
        // the current sentence's key, built after the kept keys (dropped again unless kept)
        let k0 = kept;
        let (words, len) = scan_sentence(seg, &mut keys[k0..]);
        let keys = &keys[..k0 + len];
        if words >= 3 {
            // trim the segment to its first/last word character for the span
            let a = seg.iter().position(|b| b.is_ascii_alphanumeric()).map(|p| start + p);
            let z = seg.iter().rposition(|b| b.is_ascii_alphanumeric()).map(|p| start + p + 1);
            if let (Some(a), Some(z)) = (a, z) {
                let key = &keys[k0..];
                if seen.iter().any(|&(x, y)| keys[x..y] == *key) {
                    out.push(Ident { kind: Detector::Repetition, start: a, end: z });
                } else if seen.len() < 64 {
                    seen.push((k0, keys.len()));
                }
            }
        }
        // keep only the kept keys (a key just kept ends them)
        kept = seen.last().map_or(0, |&(_, y)| y);
        if i >= s.len() {
            break;
        }
        start = i + 1;
    }
}

/// Writes the key of sentence `seg` at the start of `buf` — its words (maximal runs of ASCII
/// letters, digits and `'`) joined by single spaces — and returns (how many words it has, the
/// key's length in bytes). The key is never longer than `seg` (each space stands for at least
/// one separator byte), so a `buf` of `seg.len()` bytes suffices (shorter panics). One pass, no
/// iterator per word, a store per byte instead of a `Vec::push` (~14 → ~6 instructions a byte).
#[inline(always)]
fn scan_sentence(seg: &[u8], buf: &mut [u8]) -> (usize, usize) {
    let buf = &mut buf[..seg.len()];
    let mut words = 0usize;
    let mut n = 0usize;
    let mut in_word = false;
    for &b in seg {
        // an ASCII letter, digit or `'`
        if crate::normalize::BYTE_CLASS[usize::from(b)] & (crate::normalize::ALNUM | crate::normalize::APOSTROPHE) != 0 {
            if !in_word {
                if words > 0 {
                    buf[n] = b' ';
                    n += 1;
                }
                words += 1;
                in_word = true;
            }
            buf[n] = b;
            n += 1;
        } else {
            in_word = false;
        }
    }
    (words, n)
}

/// NHS number modulus-11 check over ten digits (values 0–9). Returns false for other lengths.
/// Source: NHS Data Dictionary, "NHS Number" (check digit algorithm).
pub fn nhs_mod11_ok(d: &[u8]) -> bool {
    if d.len() != 10 || d.iter().any(|x| *x > 9) {
        return false;
    }
    let sum: u32 = d[..9].iter().enumerate().map(|(i, &x)| u32::from(x) * (10 - i as u32)).sum();
    let check = 11 - (sum % 11);
    let check = if check == 11 { 0 } else { check };
    check != 10 && check == u32::from(d[9])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Detector> {
        Detectors::new().find_all(s.as_bytes()).into_iter().map(|i| i.kind).collect()
    }

    fn all(d: &Detectors) -> [&Lazy; 11] {
        [&d.ni, &d.ten_digits, &d.nhs_cue, &d.health_cue, &d.phone, &d.email, &d.postcode, &d.dob, &d.dob_after, &d.case_ref, &d.slash_ref]
    }

    /// Every detector regex compiles (they compile lazily, on first use, in the checker): it
    /// passes the load check and its lazy DFAs build (a search that found nothing because its
    /// DFA did not build would be `Err`).
    #[test]
    fn all_detector_regexes_compile() {
        let d = Detectors::new();
        for r in all(&d) {
            crate::rules::check_source(r.src(), 10 << 20).unwrap_or_else(|e| panic!("{}: {e}", r.src()));
            assert!(r.find_iter(b"").is_ok(), "{}", r.src());
        }
    }

    /// Each detector regex finds exactly the `regex` crate's `find_iter` matches (and its
    /// `is_match` answers) on every labelled draft's skeleton (own*, dev; not the fresh pool
    /// or own9), each with an identifier of every kind spliced into it; and the NI number
    /// detector's prefix (a match's first two bytes) is the original pattern's capture groups
    /// 1 and 2.
    #[test]
    fn detector_matches_equal_the_regex_crates() {
        let d = Detectors::new();
        let texts = crate::testing::labelled_texts();
        let extra = " ab 12 34 56 c, qq123456c, NHS no 943 476 5919, 07700 900123, +44 (0)114 273 4567, x.y@ex-ample.co.uk, S70 2TA, CF83 1NE, DOB 01/02/1990, born on 3rd of March 1985, 1990-02-01 (dob), ref AB/12345, case no: ab-1234, CCBC/FT/20991, patient ";
        let ni_caps = regex::bytes::RegexBuilder::new(r"\b([a-z])([a-z])[ -]?(?:\d[ -]?){5}\d[ -]?([a-d])\b").unicode(false).build().unwrap();
        let (mut found, mut hays) = (0usize, 0usize);
        for t in texts.iter().map(String::as_str).chain([extra]) {
            let skel = crate::normalize::Normalized::new(&format!("{t}{extra}{t}")).skel;
            hays += 1;
            for r in all(&d) {
                let want: Vec<(usize, usize)> = r.get().find_iter(&skel).map(|m| (m.start(), m.end())).collect();
                assert_eq!(r.matches(&skel), want, "{} on {:?}", r.src(), String::from_utf8_lossy(&skel));
                assert_eq!(r.is_match_in(&skel), r.get().is_match(&skel), "{}", r.src());
                found += want.len();
            }
            let caps: Vec<(usize, u8, u8)> = ni_caps.captures_iter(&skel).map(|c| (c.get(0).unwrap().start(), c[1][0], c[2][0])).collect();
            let ours: Vec<(usize, u8, u8)> = d.ni.matches(&skel).into_iter().map(|(a, _)| (a, skel[a], skel[a + 1])).collect();
            assert_eq!(ours, caps);
        }
        assert!(hays > 600 && found > 10 * hays, "{hays} texts, {found} matches");
    }

    /// The cues `find_all` relies on: with `\d` made unmatchable, no numeric detector can match
    /// anything (every match needs a digit), and the email pattern needs an `@`.
    #[test]
    fn cues_are_necessary() {
        let d = Detectors::new();
        let never = |src: &str| {
            let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(src).expect("parses");
            hir.properties().minimum_len().is_none()
        };
        assert!(!never(d.ni.src()), "the check itself must be able to fail");
        for r in [&d.ni, &d.ten_digits, &d.phone, &d.postcode, &d.dob, &d.dob_after, &d.case_ref, &d.slash_ref] {
            assert!(never(&r.src().replace(r"\d", "[a&&b]")), "{} matches without a digit", r.src());
        }
        assert!(never(&d.email.src().replace('@', "[a&&b]")));
        // and the gate changes nothing on a draft with both cues
        let k = kinds("ring 07700 900123 or x@example.com, ref ccbc/ft/20991. call me now. call me now.");
        assert_eq!(k, vec![Detector::UkPhone, Detector::Email, Detector::CaseReference, Detector::Repetition]);
    }

    /// `repeated_sentences` gives what [`original`] gives on 400 random texts: many sentences
    /// (past the 64 kept keys), apostrophes, runs of separators, sentences of fewer than three
    /// words, and long last sentences (the edge of the draft-length key buffer).
    #[test]
    fn repetition_equals_the_original_recipe_on_random_texts() {
        let words = ["vote", "for", "us", "don't", "a1", "'"];
        let seps = [" ", "  ", ", ", " - ", ". ", "! ", "?", "\n", "...", " '"];
        let mut state = 12345u64;
        let mut next = |n: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % n
        };
        let (mut texts, mut found) = (0, 0);
        for _ in 0..400 {
            let mut t = String::new();
            for _ in 0..next(600) {
                t.push_str(words[next(words.len())]);
                t.push_str(seps[next(seps.len())]);
            }
            let mut want = Vec::new();
            original(t.as_bytes(), &mut want);
            let mut got = Vec::new();
            repeated_sentences(t.as_bytes(), &mut got);
            assert_eq!(got, want, "{t:?}");
            texts += 1;
            found += want.len();
        }
        assert!(found > texts / 4, "{found} repetitions over {texts} texts");
    }

    #[test]
    fn repetition() {
        let id = Detectors::new().find_all(b"vote for us today. hello. vote  for us, today!");
        assert_eq!(id, vec![Ident { kind: Detector::Repetition, start: 26, end: 45 }]);
        assert!(kinds("vote for us. vote for them.").is_empty());
    }

    #[test]
    fn nhs() {
        assert!(nhs_mod11_ok(&[9, 4, 3, 4, 7, 6, 5, 9, 1, 9]));
        assert!(!nhs_mod11_ok(&[9, 4, 3, 4, 7, 6, 5, 9, 1, 8]));
        assert!(kinds("nhs 943 476 5919").contains(&Detector::NhsNumber));
        assert!(!kinds("943 476 5918").contains(&Detector::NhsNumber));
        // a valid number needs a health or identity cue nearby
        assert!(kinds("patient number 943 476 5919").contains(&Detector::NhsNumber));
        assert!(kinds("her gp letter had 943 476 5919 on it").contains(&Detector::NhsNumber));
        assert!(kinds("hospital discharge note: 9434765919").contains(&Detector::NhsNumber));
        assert!(!kinds("order number 9434765919 arrived").contains(&Detector::NhsNumber));
        assert!(!kinds("tracking 943 476 5919 out for delivery").contains(&Detector::NhsNumber));
    }

    #[test]
    fn ni() {
        assert!(kinds("ni qq 12 34 56 c").contains(&Detector::NiNumber));
        assert!(kinds("ab123456c").contains(&Detector::NiNumber));
        assert!(!kinds("df123456c").contains(&Detector::NiNumber));
        assert!(!kinds("gb123456a").contains(&Detector::NiNumber));
    }

    #[test]
    fn others() {
        assert!(kinds("ring 07700 900123").contains(&Detector::UkPhone));
        assert!(kinds("call 0114 273 4567").contains(&Detector::UkPhone));
        assert!(kinds("x@example.com").contains(&Detector::Email));
        assert!(kinds("6 heol fawr, cf83 1ne").contains(&Detector::UkPostcode));
        assert!(kinds("dob 12/03/1987").contains(&Detector::DateOfBirth));
        assert!(kinds("born on 3rd march 1950").contains(&Detector::DateOfBirth));
        assert!(kinds("dob on his form says 02/09/1962").contains(&Detector::DateOfBirth));
        assert!(kinds("ganwyd 14/03/1935 yn ystrad mynach").contains(&Detector::DateOfBirth));
        assert!(kinds("dyddiad geni: 09/09/1990").contains(&Detector::DateOfBirth));
        assert!(!kinds("date of birth. the party is on 12/03/2025").contains(&Detector::DateOfBirth));
        assert!(!kinds("birthday party on 12/03/2025").contains(&Detector::DateOfBirth));
        assert!(!kinds("bring your date of birth, proof of address and 2 bills").contains(&Detector::DateOfBirth));
        assert!(kinds("safeguarding referral saf-23-00412").contains(&Detector::CaseReference));
        assert!(!kinds("referral letter and photo id").contains(&Detector::CaseReference));
        assert!(kinds("ref ccbc/ft/20991").contains(&Detector::CaseReference));
        assert!(!kinds("on 12/03/2024").contains(&Detector::CaseReference));
    }

    /// The original recipe of [`repeated_sentences`], copied verbatim as the reference of the
    /// tests below: a loop over every byte, each sentence's words by `split` on bytes that are
    /// neither alphanumeric nor `'`, empty pieces dropped, joined by spaces.
    fn original(s: &[u8], out: &mut Vec<Ident>) {
        let mut keys: Vec<u8> = Vec::with_capacity(s.len());
        let mut seen: Vec<(usize, usize)> = Vec::new();
        let mut start = 0usize;
        for i in 0..=s.len() {
            let end_here = i == s.len() || matches!(s[i], b'.' | b'!' | b'?' | b'\n');
            if !end_here {
                continue;
            }
            let seg = &s[start..i];
            let k0 = keys.len();
            let mut words = 0usize;
            for w in seg.split(|b| !b.is_ascii_alphanumeric() && *b != b'\'').filter(|w| !w.is_empty()) {
                if words > 0 {
                    keys.push(b' ');
                }
                keys.extend_from_slice(w);
                words += 1;
            }
            if words >= 3 {
                let a = seg.iter().position(|b| b.is_ascii_alphanumeric()).map(|p| start + p);
                let z = seg.iter().rposition(|b| b.is_ascii_alphanumeric()).map(|p| start + p + 1);
                if let (Some(a), Some(z)) = (a, z) {
                    let key = &keys[k0..];
                    if seen.iter().any(|&(x, y)| keys[x..y] == *key) {
                        out.push(Ident { kind: Detector::Repetition, start: a, end: z });
                    } else if seen.len() < 64 {
                        seen.push((k0, keys.len()));
                    }
                }
            }
            keys.truncate(seen.last().map_or(0, |&(_, y)| y));
            start = i + 1;
        }
    }

    /// [`repeated_sentences`] (one delimiter search and one fused scan per sentence, keys written
    /// into one draft-length buffer) finds exactly what [`original`] finds, on every prefix of
    /// hand-picked texts.
    #[test]
    fn repeated_sentences_is_the_split_recipe() {
        let texts: [&[u8]; 10] = [
            b"", b"a b c", b"  don't  stop me now ", b"'' ' x'y -- z. '' ' x'y -- z", b"a,b;c d\te. a b c d e!", b"one two three. one two three! one  two three?",
            b"x.y.z", b"it is what it is\nit is what it is\n\nit, is what it is.", b"\x7f ab \x7f cd \x7f ef. ab cd ef.", b"...!!\n\n?",
        ];
        let mut spam = String::new();
        for k in 0..90 {
            spam.push_str(&format!("word{} is here now. ", k % 70));
        }
        let mut found_any = false;
        for t in texts.iter().copied().chain([spam.as_bytes()]) {
            // every prefix (sentence ends at the end of the draft too)
            for cut in 0..=t.len() {
                let (mut got, mut want) = (Vec::new(), Vec::new());
                repeated_sentences(&t[..cut], &mut got);
                original(&t[..cut], &mut want);
                assert_eq!(got, want, "{:?}", String::from_utf8_lossy(&t[..cut]));
                found_any |= !got.is_empty();
            }
        }
        assert!(found_any, "some text must repeat a sentence");
    }

    /// The given names `person_names_into` finds in `text`, as the draft's own characters.
    fn names(text: &str) -> Vec<String> {
        let norm = crate::normalize::Normalized::new(text);
        let mut out = Vec::new();
        person_names_into(text, &norm, &mut out);
        let units: Vec<u16> = text.encode_utf16().collect();
        out.iter()
            .inspect(|i| assert_eq!(i.kind, Detector::PersonName))
            .map(|i| String::from_utf16(&units[norm.start16[i.start] as usize..norm.end16[i.end - 1] as usize]).unwrap())
            .collect()
    }

    /// A capitalised listed name is found (at a sentence's start too, unless it is also an
    /// ordinary word), and a title with a capitalised surname; spans map back to the draft's
    /// characters; lower-case, all-capitals, handle and hashtag spellings are not names.
    #[test]
    fn person_names() {
        assert_eq!(names("Get well soon Rhian, she's in the Heath"), ["Rhian"]);
        assert_eq!(names("Gwyn from our team had his DBS back"), ["Gwyn"]);
        assert_eq!(names("Cwtch for Siân and Ffion today"), ["Siân", "Ffion"]);
        assert_eq!(names("Jayden's mum rang"), ["Jayden"]);
        // not names: lower case, all capitals, inside a handle, a hashtag or a longer word
        assert!(names("just seen rhian and dylan").is_empty());
        assert!(names("RHIAN IS BACK").is_empty());
        assert!(names("@mark_cudworth and Tina_S6 and #JusticeForJade").is_empty());
        assert!(names("Kyleigh and Markham").is_empty());
        // an ordinary word too: not at a sentence's start, unless a surname follows
        assert!(names("Mark my words. Grace under pressure! Will you come?").is_empty());
        assert_eq!(names("Thanks Mark, and well done Grace"), ["Mark", "Grace"]);
        assert_eq!(names("Dawn Hirst was fined"), ["Dawn"]);
        assert!(names("Dawn raid on the depot").is_empty());
        assert_eq!(names("🎉 Kyle passed"), ["Kyle"]);
        // a title and a capitalised surname: one name
        assert_eq!(names("Mrs Bevan rang again, and Mr. Dacombe, and Mrs Olwen Beynon"), ["Mrs Bevan", "Mr. Dacombe", "Mrs Olwen"]);
        assert!(names("Miss you all, mrs bevan").is_empty());
        assert!(names("🎉 Jack is back").is_empty());
    }

    /// 🙄 and 😒 (eye-roll) and 🤡 (clown) are found wherever they stand (with a variation
    /// selector, in a run of emoji, inside a word), as the emoji's own UTF-16 span and kind;
    /// other emoji, CJK and the look-alike faces (🙃, 😓, 🃏, 🥸) are not.
    #[test]
    fn scorn_emoji() {
        let found = |text: &str| {
            let norm = crate::normalize::Normalized::new(text);
            let mut out = Vec::new();
            scorn_emoji_into(text, &norm, &mut out);
            let units: Vec<u16> = text.encode_utf16().collect();
            out.iter()
                .inspect(|i| assert_eq!(i.end - i.start, 1))
                .map(|i| {
                    let s = String::from_utf16(&units[norm.start16[i.start] as usize..norm.end16[i.start] as usize]).unwrap();
                    (i.kind.name(), s)
                })
                .collect::<Vec<_>>()
        };
        let eye = |s: &str| ("eye-roll", s.to_string());
        let clown = |s: &str| ("clown", s.to_string());
        assert_eq!(found("that'll be the end of the banter then 🙄"), [eye("🙄")]);
        assert_eq!(found("😒 again🙄\u{fe0f}, 🍷🙄🙄 ok"), [eye("😒"), eye("🙄\u{fe0f}"), eye("🙄"), eye("🙄")]);
        assert_eq!(found("ffs🙄x"), [eye("🙄")]);
        assert_eq!(found("Absolute clown 🤡🤡 and 🙄, @SheffCouncil🤡"), [clown("🤡"), clown("🤡"), eye("🙄"), clown("🤡")]);
        assert!(found("Bus late 🙃😓❤️🃏🥸 中文 ... plain text").is_empty());
        assert!(found("").is_empty());
    }

    /// `given-names.txt` as embedded: sorted, no duplicates, lower-case ASCII letters (build.rs
    /// checks the file; this checks what it wrote), and the look-up finds every listed name (long
    /// ones sharing a key too) with its mark, and nothing else.
    #[test]
    fn given_names_table_and_lookup() {
        let g = given_names();
        assert!(g.names.len() > 500);
        assert!(g.names.windows(2).all(|w| w[0] < w[1]));
        assert!(g.keys.windows(2).all(|w| w[0] <= w[1]));
        assert!(g.names.iter().all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_lowercase())));
        assert!(g.also_word.iter().any(|&w| w) && g.also_word.iter().any(|&w| !w));
        let listed = |n: &str| g.names.iter().position(|&x| x == n).map(|i| g.also_word[i]);
        for (&n, &w) in g.names.iter().zip(&g.also_word) {
            assert_eq!(given_name(n.as_bytes()), Some(w), "{n}");
            assert_eq!(given_name(format!("{n}x").as_bytes()), listed(&format!("{n}x")));
            assert_eq!(given_name(&n.as_bytes()[..n.len() - 1]), listed(&n[..n.len() - 1]));
        }
        assert_eq!(given_name(b"mark"), Some(true));
        assert_eq!(given_name(b"rhian"), Some(false));
        assert_eq!(given_name(b"christophe"), None);
        assert_eq!(given_name(b"the"), None);
    }
}
