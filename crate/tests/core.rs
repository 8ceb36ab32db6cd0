//! Core behaviour through the public API (contract §2–§3).

use postcheck::{Checker, Context, Finding, Mode, Severity};

fn checker() -> Checker {
    Checker::builtin()
}

fn ctx(council: &str) -> Context {
    Context::new(council)
}

fn cats(f: &[Finding]) -> Vec<&str> {
    let mut v: Vec<&str> = f.iter().map(|f| f.category.as_str()).collect();
    v.sort();
    v.dedup();
    v
}

fn u16slice(text: &str, s: u32, e: u32) -> String {
    let u: Vec<u16> = text.encode_utf16().collect();
    String::from_utf16(&u[s as usize..e as usize]).expect("span on code-point boundaries")
}

#[test]
fn builtin_loads() {
    let c = Checker::try_builtin().expect("embedded data valid");
    let ids: Vec<String> = c.profiles().into_iter().map(|p| p.id).collect();
    for id in ["barnsley", "caerphilly", "chelmsford", "shaftesbury", "sheffield"] {
        assert!(ids.contains(&id.to_string()), "{id}");
    }
}

#[test]
fn issue_example_barnsley_confidential() {
    let text = "between us the Hoyland depot is closing, don't tell anyone";
    let f = checker().check(text, &ctx("barnsley")).unwrap();
    let conf: Vec<&Finding> = f.iter().filter(|f| f.category == "confidential-info").collect();
    assert!(!conf.is_empty(), "{f:#?}");
    let refs: Vec<&str> = conf[0].clauses.iter().map(|c| c.reference.as_str()).collect();
    assert!(refs.contains(&"Barnsley MBC Social Networking Policy 4.4"), "{refs:?}");
    assert!(refs.contains(&"Barnsley MBC Social Networking Policy 4.12"), "{refs:?}");
    assert_eq!(conf[0].title, "Confidential information");
    assert_eq!(conf[0].severity, Severity::Warn);
    // the quoted words are in the message and the span
    let s = u16slice(text, conf[0].start, conf[0].end);
    assert!(conf[0].message.contains(&s), "{} / {s}", conf[0].message);
}

#[test]
fn unknown_council_is_an_error() {
    assert!(checker().check("hi", &ctx("atlantis")).is_err());
}

#[test]
fn clean_drafts_stay_clean() {
    let c = checker();
    for council in ["barnsley", "caerphilly", "chelmsford", "shaftesbury", "sheffield"] {
        for t in [
            "Lovely walk round the reservoir with the dog this morning",
            "Penistone, Scunthorpe, Sussex, Essex, Middlesex, Cockermouth and Shitterton: a road trip",
            "We assess classic Dickens over a cocktail; my therapist likes shiitake. Matsushita, Cumbria, Clitheroe, Hancock.",
            "Proud to work for the council, the new park looks great",
            "as a gay man I loved Pride; my disability never stopped me",
        ] {
            let f = c.check(t, &ctx(council)).unwrap();
            assert!(f.is_empty(), "{council}: {t}: {f:#?}");
        }
    }
}

#[test]
fn clear_cases_per_category() {
    let c = checker();
    let cases: &[(&str, &str, Mode, bool, bool, &str)] = &[
        // council, category, mode, politically_restricted, works_with_vulnerable, text
        ("sheffield", "profanity", Mode::Personal, false, false, "what a f*cking day"),
        ("caerphilly", "profanity", Mode::Personal, false, false, "sh1t weather again"),
        ("barnsley", "personal-data", Mode::Personal, false, false, "his NI is QQ 12 34 56 C"),
        ("chelmsford", "personal-data", Mode::Official, false, false, "Hi Mr Jones, we've emailed you at jones@example.com"),
        ("shaftesbury", "service-users", Mode::Personal, false, false, "my client Mrs Smith told me about her landlord"),
        ("caerphilly", "discrimination", Mode::Personal, false, false, "send them all back"),
        ("sheffield", "bullying", Mode::Personal, false, false, "keep it up and I know where you live"),
        ("barnsley", "disrepute", Mode::Personal, false, false, "this council is a shambles"),
        ("chelmsford", "grievance", Mode::Personal, false, false, "my formal grievance about the restructure went in today"),
        ("sheffield", "political", Mode::Personal, true, false, "Vote Labour on Thursday!"),
        ("caerphilly", "official-voice", Mode::Personal, false, false, "Official: the council has decided to shut the pool"),
        ("shaftesbury", "official-conduct", Mode::Official, false, false, "Our friends at Bob's Garage are doing 10% off"),
        ("chelmsford", "confidential-info", Mode::Personal, false, false, "confidential report says the museum is closing"),
    ];
    for (council, cat, mode, pr, wv, text) in cases {
        let mut x = ctx(council);
        x.mode = *mode;
        x.flags.politically_restricted = *pr;
        x.flags.works_with_vulnerable = *wv;
        let f = c.check(text, &x).unwrap();
        assert!(cats(&f).contains(cat), "{council} {cat}: {text}: {f:#?}");
        for fi in &f {
            assert!(!fi.clauses.is_empty());
            for cl in &fi.clauses {
                assert_eq!(cl.council, *council);
                assert_eq!(cl.reference, format!("{} {}", cl.document, cl.clause));
            }
        }
    }
}

#[test]
fn severities() {
    let c = checker();
    let f = c.check("NI QQ 12 34 56 C", &ctx("barnsley")).unwrap();
    assert_eq!(f[0].severity, Severity::Block);
    let f = c.check("he's a sp@zz", &ctx("barnsley")).unwrap();
    assert!(f.iter().any(|f| f.category == "discrimination" && f.severity == Severity::Block), "{f:#?}");
    let f = c.check("say that again and I know where you live", &ctx("barnsley")).unwrap();
    assert!(f.iter().any(|f| f.category == "bullying" && f.severity == Severity::Block), "{f:#?}");
}

#[test]
fn sheffield_political_conditions() {
    let c = checker();
    let text = "Vote Green on Thursday, that's the tweet";
    let f = c.check(text, &ctx("sheffield")).unwrap();
    assert!(!cats(&f).contains(&"political"), "private political views are a right");
    let mut x = ctx("sheffield");
    x.flags.politically_restricted = true;
    assert!(cats(&c.check(text, &x).unwrap()).contains(&"political"));
    let mut x = ctx("sheffield");
    x.mode = Mode::Official;
    assert!(cats(&c.check(text, &x).unwrap()).contains(&"political"));
    // attacking/addressing a councillor: any mode (Principle 13), citing Principle 13
    let f = c.check("@CllrSmith you're a disgrace", &ctx("sheffield")).unwrap();
    let pol: Vec<&Finding> = f.iter().filter(|f| f.category == "political").collect();
    assert!(!pol.is_empty(), "{f:#?}");
    assert!(pol[0].clauses.iter().any(|c| c.clause.contains("13")), "{:#?}", pol[0].clauses);
    // Chelmsford has no Elected Member ground for unrestricted staff
    let f = c.check("@CllrSmith you're a disgrace", &ctx("chelmsford")).unwrap();
    assert!(!cats(&f).contains(&"political"));
}

#[test]
fn chelmsford_pre_election_window() {
    let c = checker();
    let text = "Great to see Cllr Patel at the pool opening";
    let mut x = ctx("chelmsford");
    x.mode = Mode::Official;
    x.elections = vec!["2024-07-04".parse().unwrap()];
    x.now = Some("2024-06-10T10:00".parse().unwrap());
    assert!(cats(&c.check(text, &x).unwrap()).contains(&"pre-election"));
    x.now = Some("2024-03-01T10:00".parse().unwrap());
    assert!(!cats(&c.check(text, &x).unwrap()).contains(&"pre-election"), "outside the window");
    x.now = Some("2024-06-10T10:00".parse().unwrap());
    x.mode = Mode::Personal;
    assert!(!cats(&c.check(text, &x).unwrap()).contains(&"pre-election"), "personal, unrestricted");
    x.flags.politically_restricted = true;
    assert!(cats(&c.check(text, &x).unwrap()).contains(&"pre-election"), "personal, restricted");
    // other councils never raise pre-election
    let mut y = x.clone();
    y.council = "sheffield".into();
    assert!(!cats(&c.check(text, &y).unwrap()).contains(&"pre-election"));
}

#[test]
fn official_voice_conditions() {
    let c = checker();
    let text = "Official: the council has decided to close the library";
    assert!(cats(&c.check(text, &ctx("barnsley")).unwrap()).contains(&"official-voice"));
    let mut x = ctx("barnsley");
    x.mode = Mode::Official;
    assert!(!cats(&c.check(text, &x).unwrap()).contains(&"official-voice"), "never in official mode");
    assert!(!cats(&c.check(text, &ctx("shaftesbury")).unwrap()).contains(&"official-voice"), "never for Shaftesbury");
    let d = "Views are my own: as a council planner I think the decision was right";
    assert!(!cats(&c.check(d, &ctx("barnsley")).unwrap()).contains(&"official-voice"), "disclaimed");
}

#[test]
fn images_conditions() {
    let c = checker();
    for council in ["barnsley", "sheffield", "shaftesbury", "chelmsford"] {
        let mut x = ctx(council);
        x.attachments = true;
        let f = c.check("Team day out", &x).unwrap();
        let im: Vec<&Finding> = f.iter().filter(|f| f.category == "images").collect();
        assert_eq!(im.len(), 1, "{council}");
        assert_eq!((im[0].start, im[0].end), (0, 0));
        assert_eq!(im[0].severity, Severity::Info);
    }
    let mut x = ctx("caerphilly");
    x.attachments = true;
    assert!(c.check("Team day out", &x).unwrap().is_empty(), "Caerphilly never raises images");
}

#[test]
fn service_users_vulnerable_flag() {
    let c = checker();
    let text = "the kids at the unit were wild tonight";
    assert!(!cats(&c.check(text, &ctx("sheffield")).unwrap()).contains(&"service-users"));
    let mut x = ctx("sheffield");
    x.flags.works_with_vulnerable = true;
    assert!(cats(&c.check(text, &x).unwrap()).contains(&"service-users"));
}

#[test]
fn council_silent_never_raises() {
    let c = checker();
    // Barnsley has no official-conduct; Shaftesbury/Barnsley/Caerphilly no political.
    let mut x = ctx("barnsley");
    x.mode = Mode::Official;
    assert!(!cats(&c.check("Our friends at Tyres4U are doing 10% off", &x).unwrap()).contains(&"official-conduct"));
    for council in ["barnsley", "shaftesbury", "caerphilly"] {
        let mut x = ctx(council);
        x.flags.politically_restricted = true;
        assert!(!cats(&c.check("Vote Labour on Thursday", &x).unwrap()).contains(&"political"), "{council}");
    }
}

#[test]
fn utf16_spans_emoji_combining_crlf() {
    let c = checker();
    let text = "😀😀 line one\r\nCafe\u{301} talk 🤫\r\nwhat a f*cking day 👍";
    let f = c.check(text, &ctx("sheffield")).unwrap();
    let p = f.iter().find(|f| f.category == "profanity").expect("profanity");
    assert_eq!(u16slice(text, p.start, p.end), "f*cking");
    // combining mark inside the word stays with it; homoglyph + zero-width swear
    let text = "e\u{301}\u{301}h sh\u{200B}it 👩‍👩‍👧 ѕhit";
    let f = c.check(text, &ctx("sheffield")).unwrap();
    let spans: Vec<String> = f.iter().filter(|f| f.category == "profanity").map(|f| u16slice(text, f.start, f.end)).collect();
    assert_eq!(spans, vec!["sh\u{200B}it".to_string(), "ѕhit".to_string()]);
}

#[test]
fn findings_sorted_and_merged() {
    let c = checker();
    let text = "shit shit. f*ck! Call me on 07700 900123, NI QQ 12 34 56 C";
    let f = c.check(text, &ctx("barnsley")).unwrap();
    // not vacuous: several findings of several categories to order (swears, phone, NI number)
    assert!(f.len() >= 3 && cats(&f).len() >= 2, "{f:#?}");
    for w in f.windows(2) {
        assert!((w[0].start, w[0].severity) <= (w[1].start, w[1].severity), "{f:#?}");
    }
    // no two findings of one category overlap
    for a in &f {
        for b in &f {
            if !std::ptr::eq(a, b) && a.category == b.category {
                assert!(a.end <= b.start || b.end <= a.start, "{a:#?} {b:#?}");
            }
        }
    }
}

#[test]
fn never_panics_on_odd_input() {
    let c = checker();
    let mut x = ctx("chelmsford");
    x.attachments = true;
    x.flags.politically_restricted = true;
    x.flags.works_with_vulnerable = true;
    x.elections = vec!["2024-07-04".parse().unwrap()];
    x.now = Some("2024-07-01T10:00".parse().unwrap());
    let long = "word ".repeat(5000);
    let mut seen = 0;
    let weird = "\u{0}\u{FEFF}\u{200D}\u{301}\u{10FFFF}🏴󠁧󠁢󠁷󠁬󠁳󠁿\r\r\n\t@@@***$$$111 000 ___ ---";
    for t in ["", " ", "\u{301}", "😀", weird, long.as_str(), "f", "f*", "*", "q q 1 2 3 4 5 6 c", "0770090012"] {
        for mode in [Mode::Personal, Mode::Official] {
            x.mode = mode;
            let f = c.check(t, &x).unwrap();
            let n = t.encode_utf16().count() as u32;
            seen += f.len();
            for fi in f {
                assert!(fi.start <= fi.end && fi.end <= n);
            }
        }
    }
    // the span checks above ran on some findings (images with an attachment, the NI number)
    assert!(seen > 0, "no findings at all: the span checks are vacuous");
}

#[test]
fn add_profile_errors_name_profile_field_reason() {
    let mut c = checker();
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/profiles/barnsley.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&base).unwrap();
    v["id"] = "foo".into();
    v["categories"]["political"] = serde_json::json!({"grounds": [{"clauses": ["4.2"]}, {"clauses": ["4.99"]}]});
    let e = c.add_profile_json(&v.to_string()).unwrap_err().to_string();
    assert_eq!(e, "profile \"foo\": categories.political.grounds[1].clauses[0]: unknown clause id \"4.99\"");
    v["categories"]["political"] = serde_json::json!({"grounds": [{"clauses": ["4.2"], "flags": ["nope"]}]});
    let e = c.add_profile_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("grounds[0].flags[0]") && e.contains("nope"), "{e}");
    v["categories"]["nonsense"] = serde_json::json!({"grounds": [{"clauses": ["4.2"]}]});
    let e = c.add_profile_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("unknown category"), "{e}");
    assert!(c.add_profile_json("{not json").unwrap_err().to_string().starts_with("profile \"?\""));
    // a valid custom profile can be added and used
    v["categories"].as_object_mut().unwrap().remove("nonsense");
    v["categories"]["political"] = serde_json::json!({"grounds": [{"clauses": ["4.2"]}]});
    assert_eq!(c.add_profile_json(&v.to_string()).unwrap(), "foo");
    let f = c.check("Vote Labour!", &ctx("foo")).unwrap();
    assert!(cats(&f).contains(&"political"));
}

#[test]
fn context_json_from_contract() {
    let x: Context = serde_json::from_str(
        r#"{"council": "barnsley", "mode": "personal", "flags": ["politically_restricted"], "now": "2026-05-01T12:00", "elections": ["2026-05-07"], "attachments": false}"#,
    )
    .unwrap();
    assert!(x.flags.politically_restricted && x.in_election_window());
    let f = checker().check("shit", &x).unwrap();
    let j = serde_json::to_value(&f[0]).unwrap();
    for k in ["rule", "category", "title", "severity", "clauses", "start", "end", "message"] {
        assert!(j.get(k).is_some(), "{k}");
    }
    assert_eq!(j["severity"], "warn");
}
