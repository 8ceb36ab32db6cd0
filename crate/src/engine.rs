//! The engine behind [`crate::Checker`]: categories, profiles, compiled rules, finding assembly.

use crate::builtin;
use crate::detectors::Detectors;
use crate::profile::{load_profile, CategoryConfig, LoadEnv, LoadError, LoadedProfile};
use crate::rules::{Prepared, Rule, RuleFile};
use crate::{CheckError, ClauseRef, Context, Finding, ProfileSummary, Severity};
use crate::prefilter::Prefilter;
use crate::sort::sort_by_packed_key;
use std::collections::HashSet;
use std::sync::Arc;

/// The 14 categories of `policy-map.md`: id, title, default severity. Titles/severities are
/// overridden by `crate/rules/categories.json` when present.
pub const DEFAULT_CATEGORIES: [(&str, &str, Severity); 14] = [
    ("confidential-info", "Confidential information", Severity::Warn),
    ("personal-data", "Personal data", Severity::Warn),
    ("service-users", "Service users", Severity::Warn),
    ("discrimination", "Discrimination", Severity::Warn),
    ("bullying", "Bullying or harassment", Severity::Warn),
    ("disrepute", "Bringing the council into disrepute", Severity::Warn),
    ("grievance", "Work grievance in public", Severity::Warn),
    ("profanity", "Swearing", Severity::Warn),
    ("political", "Political activity", Severity::Warn),
    ("pre-election", "Pre-election period", Severity::Warn),
    ("official-voice", "Speaking for the council", Severity::Warn),
    ("images", "Images and video", Severity::Info),
    ("official-conduct", "Official account conduct", Severity::Warn),
    ("working-time", "Working time", Severity::Info),
];

/// A category: id, display title, default severity.
#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub title: String,
    pub severity: Severity,
}

/// Parses categories.json: an array of objects (or an object keyed by id) with `id`, `title`,
/// and `severity` (or `default_severity`).
pub fn parse_categories(json: &str) -> Result<Vec<Category>, String> {
    let v: serde_json::Value = crate::json::parse(json).map_err(|e| format!("categories.json: {e}"))?;
    let items: Vec<(Option<String>, serde_json::Value)> = match v {
        serde_json::Value::Array(a) => a.into_iter().map(|x| (None, x)).collect(),
        serde_json::Value::Object(o) => match o.get("categories") {
            Some(serde_json::Value::Array(a)) => a.iter().cloned().map(|x| (None, x)).collect(),
            Some(serde_json::Value::Object(m)) => m.iter().map(|(k, x)| (Some(k.clone()), x.clone())).collect(),
            _ => o.into_iter().map(|(k, x)| (Some(k), x)).collect(),
        },
        _ => return Err("categories.json: expected an array or object".into()),
    };
    let mut out = Vec::new();
    for (i, (key, item)) in items.into_iter().enumerate() {
        let id = item.get("id").and_then(|x| x.as_str()).map(str::to_string).or(key)
            .ok_or_else(|| format!("categories.json: [{i}]: missing id"))?;
        let title = item.get("title").and_then(|x| x.as_str()).unwrap_or(&id).to_string();
        let sev = item.get("severity").or_else(|| item.get("default_severity")).or_else(|| item.get("defaultSeverity"))
            .and_then(|x| x.as_str()).unwrap_or("warn");
        let severity: Severity = serde_json::from_value(serde_json::Value::String(sev.into()))
            .map_err(|_| format!("categories.json: {id}: bad severity \"{sev}\""))?;
        out.push(Category { id, title, severity });
    }
    Ok(out)
}

/// A loaded profile plus what finding assembly needs from it, built once at
/// [`Engine::add_profile_json`] so a check clones instead of formatting and searching.
struct Prof {
    loaded: LoadedProfile,
    /// The [`ClauseRef`] of each of `loaded.profile.clauses`, by clause index, shared by every
    /// finding that cites it (a check clones the `Arc`).
    refs: Vec<Arc<ClauseRef>>,
    /// By engine category index: the profile's config of that category (a copy of
    /// `loaded.profile.categories[id]`), so a check looks it up by number, not by string.
    cats: Vec<Option<CategoryConfig>>,
    /// By engine category index: for each ground of the profile's config of that category (in
    /// order), its clause ids as indices into `refs` (ids the profile lacks left out, as
    /// `Profile::clause` would); empty for a category the profile lacks.
    grounds: Vec<Vec<Vec<u32>>>,
    /// Index into the engine's categories of each of `loaded.rules`' category.
    own_cat: Vec<Option<usize>>,
}

impl Prof {
    fn new(loaded: LoadedProfile, categories: &[Category]) -> Prof {
        let profile = &loaded.profile;
        let refs = profile.clauses.iter().map(|c| Arc::new(clause_ref(profile, c))).collect();
        let index = |id: &String| profile.clauses.iter().position(|c| &c.id == id).map(|i| i as u32);
        let grounds = categories
            .iter()
            .map(|c| match profile.categories.get(&c.id) {
                Some(cfg) => cfg.grounds.iter().map(|g| g.clauses.iter().filter_map(index).collect()).collect(),
                None => Vec::new(),
            })
            .collect();
        let own_cat = loaded.rules.iter().map(|r| category_index(categories, &r.spec.category)).collect();
        let cats = categories.iter().map(|c| profile.categories.get(&c.id).cloned()).collect();
        Prof { loaded, refs, cats, grounds, own_cat }
    }

    /// The [`ClauseRef`] of clause `id` (first clause with that id), if the profile has it.
    fn clause_ref(&self, id: &str) -> Option<Arc<ClauseRef>> {
        self.loaded.profile.clauses.iter().position(|c| c.id == id).map(|i| self.refs[i].clone())
    }

    /// The profile's config of category `cat`, whose engine category index is `ci` if known
    /// (looked up by index then, by id otherwise).
    fn category(&self, cat: &str, ci: Option<usize>) -> Option<&CategoryConfig> {
        match ci {
            Some(i) => self.cats.get(i).and_then(Option::as_ref),
            None => self.loaded.profile.categories.get(cat),
        }
    }
}

/// Index of category `id` in `categories` (the first with that id).
fn category_index(categories: &[Category], id: &str) -> Option<usize> {
    categories.iter().position(|c| c.id == id)
}

/// The rule engine: categories, the shared rule set compiled once (with its prefilter), the
/// council profiles and the stance model; checks drafts against one profile in a [`Context`].
/// Wrapped by `Checker` (lib.rs) for the CLI and the wasm bindings.
pub struct Engine {
    categories: Vec<Category>,
    rules: Vec<Rule>,
    prefilter: Prefilter,
    /// by id, each once (ordered by id as a BTreeMap would be; a sorted Vec with [`slot`]:
    /// less wasm code)
    profiles: Vec<(String, Prof)>,
    /// Index into `categories` of each of `rules`' category (finding assembly looks it up by number).
    rule_cat: Vec<Option<usize>>,
    detectors: Detectors,
    known_tags: HashSet<String>,
    rule_ids: HashSet<String>,
    concepts: crate::rules::Concepts,
    /// Vectors a check works in, kept for the next check (see [`CheckScratch`]). A check takes
    /// the lock with `try_lock` and, if another thread holds it (the engine is `Sync`), works in
    /// fresh vectors instead: never waits, same result.
    scratch: std::sync::Mutex<CheckScratch>,
}

/// The per-check working vectors [`Engine::check_with`] reuses between checks instead of
/// allocating them again (their contents are meaningless between checks; only the capacity is
/// kept): the prepared draft's (skeleton, offset maps, profanity view, identifiers, word
/// index), the prefilter's (see `prefilter::Scratch`), the candidate-rule flags and the stance
/// model's (see `model::ScoreScratch`).
/// Measured natively with callgrind on the 280-character bench text: these allocations were
/// about a tenth of a check's instructions (mostly glibc's allocator consolidating freed chunks).
#[derive(Default)]
struct CheckScratch {
    prepared: Prepared<'static>,
    prefilter: crate::prefilter::Scratch,
    candidate: Vec<bool>,
    /// a rule's hits and its other fields' matches (`Rule::hits_into`), reused across the
    /// rules of a check and across checks
    hits: Vec<(usize, usize)>,
    others: Vec<(usize, usize)>,
    /// the check's field-search memo (`rules::FieldMemo`), reused across checks
    memo: crate::rules::FieldMemo,
    model: crate::model::ScoreScratch,
    /// the sort keys of [`sort_by_packed_key`], reused across its calls and across checks
    sort_keys: Vec<u128>,
    /// the clause lists of a check's hits, reused across checks
    lists: ClauseLists,
}

/// The clause lists of a check's hits in one flat array, kept across checks (no vector per
/// list): list `i` is `clauses[at[i].0..at[i].1]`, each entry an index into the profile's
/// clause references (`Prof::refs`), each at most once per list.
#[derive(Default)]
struct ClauseLists {
    at: Vec<(u32, u32)>,
    clauses: Vec<u32>,
}

impl ClauseLists {
    /// Empties it (the capacity stays).
    fn clear(&mut self) {
        self.at.clear();
        self.clauses.clear();
    }

    /// List `i`'s clauses, in the order they were added.
    fn get(&self, i: usize) -> &[u32] {
        let (a, b) = self.at[i];
        &self.clauses[a as usize..b as usize]
    }

    /// A new list of `items`, each kept once (its first occurrence, in order); returns its index.
    fn push(&mut self, items: impl IntoIterator<Item = u32>) -> usize {
        let start = self.clauses.len();
        for c in items {
            if !self.clauses[start..].contains(&c) {
                self.clauses.push(c);
            }
        }
        self.at.push((start as u32, self.clauses.len() as u32));
        self.at.len() - 1
    }

    /// A new list: list `a`'s clauses, then those of list `b` that `a` lacks (in `b`'s order);
    /// returns its index.
    fn union(&mut self, a: usize, b: usize) -> usize {
        let start = self.clauses.len();
        let (a0, a1) = self.at[a];
        self.clauses.extend_from_within(a0 as usize..a1 as usize);
        let (b0, b1) = self.at[b];
        for k in b0 as usize..b1 as usize {
            let c = self.clauses[k];
            if !self.clauses[start..].contains(&c) {
                self.clauses.push(c);
            }
        }
        self.at.push((start as u32, self.clauses.len() as u32));
        self.at.len() - 1
    }
}

/// Where `cat` is, or would be inserted, in `by_cat` (ordered by name — a category's or a
/// profile's id —, each once):
/// `Ok(index)` if present, else `Err(insertion index)` ([`slice::binary_search_by`]).
fn slot<K: AsRef<str>, T>(by_cat: &[(K, T)], cat: &str) -> Result<usize, usize> {
    by_cat.binary_search_by(|(k, _)| k.as_ref().cmp(cat))
}

/// Message of the core's working-time reminder; `{start}`/`{end}` are the working hours.
pub const WORKING_TIME_MESSAGE: &str =
    "It is {start}–{end} working time, as set by your council; its policy limits personal use of social media at work.";

/// Rule id of the working-time reminder (no rule file: the engine raises it from `Context::working_hours`).
pub const WORKING_TIME_RULE: &str = "core.working-hours";

/// Loads rule files into compiled rules. Errors name the file and rule.
#[allow(dead_code)] // tests; the checker uses `load_rules_in`
pub fn load_rules(files: &[(&str, &str)], categories: &[Category]) -> Result<Vec<Rule>, String> {
    load_rules_in(files, builtin::CONCEPTS, categories, &mut crate::rules::RegexPool::new(true))
}

/// Like [`load_rules`] with an explicit concept-lexicon file (`{"name": ["regex", …]}`).
#[allow(dead_code)]
pub fn load_rules_with(files: &[(&str, &str)], concepts: &str, categories: &[Category]) -> Result<Vec<Rule>, String> {
    load_rules_in(files, concepts, categories, &mut crate::rules::RegexPool::new(true))
}

/// Like [`load_rules_with`], with regexes interned in `pool` (lazy for the built-in set, whose
/// regexes a test compiles eagerly: `builtin_rules_compile`).
pub fn load_rules_in(
    files: &[(&str, &str)],
    concepts: &str,
    categories: &[Category],
    pool: &mut crate::rules::RegexPool,
) -> Result<Vec<Rule>, String> {
    let concepts: crate::rules::Concepts =
        crate::json::from_str(concepts).map_err(|e| format!("rules/lexicons.json: {e}"))?;
    load_rules_parsed(files, &concepts, categories, pool)
}

/// [`load_rules_in`] with the concept lexicons already parsed (so [`Engine::builtin`], which
/// keeps them, parses `lexicons.json` once).
fn load_rules_parsed(
    files: &[(&str, &str)],
    concepts: &crate::rules::Concepts,
    categories: &[Category],
    pool: &mut crate::rules::RegexPool,
) -> Result<Vec<Rule>, String> {
    let cats: HashSet<&str> = categories.iter().map(|c| c.id.as_str()).collect();
    let mut ids = HashSet::new();
    let mut rules = Vec::new();
    // each concept lexicon is expanded once for the whole rule set
    let expander = crate::rules::Expander::new(concepts);
    for (name, json) in files {
        let f: RuleFile = crate::json::from_str(json).map_err(|e| format!("rules/{name}: {e}"))?;
        for spec in f.rules {
            if !cats.contains(spec.category.as_str()) {
                return Err(format!("rules/{name}: rule \"{}\": unknown category \"{}\"", spec.id, spec.category));
            }
            if !ids.insert(spec.id.clone()) {
                return Err(format!("rules/{name}: duplicate rule id \"{}\"", spec.id));
            }
            let mut spec = spec;
            crate::rules::expand_spec_with(&mut spec, &expander).map_err(|e| format!("rules/{name}: {e}"))?;
            rules.push(Rule::compile_in(spec, &f.lexicons, pool).map_err(|e| format!("rules/{name}: {e}"))?);
        }
    }
    Ok(rules)
}

impl Engine {
    /// The engine with the built-in data: `crate/rules/*.json` (categories, lexicons, rules) and
    /// the five council profiles of `crate/profiles/`. Errors: a [`LoadError`] naming the file
    /// or profile and field that failed (only if the embedded data is broken; tests load it).
    pub fn builtin() -> Result<Engine, LoadError> {
        let data_err = |reason: String| LoadError { profile: "?".into(), path: String::new(), reason };
        let categories = match builtin::CATEGORIES {
            Some(j) => parse_categories(j).map_err(data_err)?,
            None => DEFAULT_CATEGORIES
                .iter()
                .map(|(id, t, s)| Category { id: id.to_string(), title: t.to_string(), severity: *s })
                .collect(),
        };
        // regexes compile on first use (see `rules::Lazy`); the test `builtin_rules_compile`
        // compiles them all eagerly, which is where a broken pattern is caught
        let concepts: crate::rules::Concepts =
            crate::json::from_str(builtin::CONCEPTS).map_err(|e| data_err(format!("rules/lexicons.json: {e}")))?;
        let rules = load_rules_parsed(builtin::RULE_FILES, &concepts, &categories, &mut crate::rules::RegexPool::new(false))
            .map_err(data_err)?;
        let known_tags = rules.iter().flat_map(|r| r.spec.tags.iter().cloned()).collect();
        let rule_ids = rules.iter().map(|r| r.spec.id.clone()).collect();
        let prefilter = Prefilter::new(&rules).map_err(data_err)?;
        let rule_cat = rules.iter().map(|r| category_index(&categories, &r.spec.category)).collect();
        let mut e = Engine {
            rule_cat,
            categories,
            rules,
            prefilter,
            profiles: Vec::new(),
            detectors: Detectors::new(),
            known_tags,
            rule_ids,
            concepts,
            scratch: Default::default(),
        };
        for (_, json) in builtin::PROFILES {
            e.add_profile_json(json)?;
        }
        Ok(e)
    }

    /// Adds (or replaces, by id) a council profile from its JSON text (docs/profile-format.md)
    /// and returns its id. Errors: a [`LoadError`] naming the profile, the field's path and the
    /// reason (the first problem found); the engine is unchanged then.
    pub fn add_profile_json(&mut self, json: &str) -> Result<String, LoadError> {
        let cats: HashSet<String> = self.categories.iter().map(|c| c.id.clone()).collect();
        let env = LoadEnv {
            categories: &cats,
            tags: &self.known_tags,
            rule_ids: &self.rule_ids,
            concepts: &self.concepts,
            detectors: &self.detectors,
        };
        let p = load_profile(json, &env)?;
        let id = p.profile.id.clone();
        let prof = Prof::new(p, &self.categories);
        match slot(&self.profiles, &id) {
            Ok(i) => self.profiles[i].1 = prof,
            Err(i) => self.profiles.insert(i, (id.clone(), prof)),
        }
        Ok(id)
    }

    /// The loaded profiles' summaries (id, name, source document, language, note), by id.
    pub fn profiles(&self) -> Vec<ProfileSummary> {
        self.profiles
            .iter()
            .map(|(_, l)| &l.loaded.profile)
            .map(|p| ProfileSummary {
                id: p.id.clone(),
                name: p.name.clone(),
                document: p.document.clone(),
                language: p.language.clone(),
                note: p.note.clone(),
            })
            .collect()
    }

    /// Every category as (id, title, default severity), in `categories.json`'s order.
    pub fn categories(&self) -> Vec<(String, String, Severity)> {
        self.categories.iter().map(|c| (c.id.clone(), c.title.clone(), c.severity)).collect()
    }

    #[allow(dead_code)] // used by the rule-example tests
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    #[allow(dead_code)]
    pub fn detectors(&self) -> &Detectors {
        &self.detectors
    }

    /// [`Engine::check_with`] with the stance model on or off as [`crate::model::enabled`] says.
    pub fn check(&self, text: &str, ctx: &Context) -> Result<Vec<Finding>, CheckError> {
        self.check_with(text, ctx, crate::model::enabled())
    }

    /// Checks `text`; `use_model`: whether the stance model (`crate/src/model.rs`) may add
    /// findings for grounded stance categories the rules did not raise.
    pub fn check_with(&self, text: &str, ctx: &Context, use_model: bool) -> Result<Vec<Finding>, CheckError> {
        let prof = self.prof(&ctx.council).ok_or_else(|| CheckError::UnknownCouncil(ctx.council.clone()))?;
        let loaded = &prof.loaded;
        let profile = &loaded.profile;
        let mut guard = self.scratch.try_lock().ok();
        let mut own = None;
        let scratch: &mut CheckScratch = match guard.as_deref_mut() {
            Some(s) => s,
            None => own.get_or_insert_with(CheckScratch::default),
        };
        let prepared = Prepared::new_in(text, &self.detectors, std::mem::take(&mut scratch.prepared));
        // per category: (start, end, rule, severity, clauses); `list` indexes `lists`, the clause
        // lists, one per rule that hit (shared by its hits) plus one per merge that adds clauses
        #[derive(Clone, Copy)]
        struct Hit<'r> {
            s: usize,
            e: usize,
            rule: &'r Rule,
            sev: Severity,
            /// The severity before a low-confidence demotion (`confidence.demoted`), if demoted.
            undemoted: Option<Severity>,
            list: usize,
        }
        let lists = &mut scratch.lists;
        lists.clear();
        // each exception's occurrences (skeleton byte ranges), searched for at most once per
        // check and only when a finding of a category it covers asks: a profile's exceptions
        // (the built-in ones list the council's published phone lines) then cost a check
        // nothing unless it has such a finding (searched eagerly, two Barnsley phone lines were
        // +5 k instructions a 280-character check and +1 M at 63,206, callgrind)
        let occurrences: Vec<std::cell::OnceCell<Vec<(usize, usize)>>> =
            loaded.exceptions.iter().map(|_| std::cell::OnceCell::new()).collect();
        let excepted = |cat: &str, s: usize, e: usize| {
            s < e
                && loaded.exceptions.iter().zip(&occurrences).any(|(x, occ)| {
                    x.covers(cat) && occ.get_or_init(|| x.re.matches(&prepared.norm.skel)).iter().any(|o| o.0 <= s && e <= o.1)
                })
        };
        // `ci`: the category's index in `self.categories` (its default severity), if known.
        // Precedence: the user's override, the rule's own severity, the profile's category
        // severity, the category default
        let severity_of = |cat: &str, ci: Option<usize>, rule_sev: Option<Severity>| -> Option<Severity> {
            if let Some(o) = ctx.severity.get(cat) {
                return o.severity();
            }
            let default = ci.map(|i| self.categories[i].severity).unwrap_or(Severity::Warn);
            Some(rule_sev.or(prof.category(cat, ci).and_then(|c| c.severity)).unwrap_or(default))
        };
        // a low-confidence rule (`confidence.demoted`, docs/rule-confidence.md): its findings at
        // `info` where its severity would come from the category default alone; an explicit
        // choice (the user's, the profile's, the rule's own: block rules) is kept.
        // Returns (severity, the undemoted severity if demoted)
        let demote = |cat: &str, ci: Option<usize>, rule: &Rule, sev: Severity| -> (Severity, Option<Severity>) {
            let explicit = ctx.severity.contains_key(cat) || prof.category(cat, ci).and_then(|c| c.severity).is_some();
            if sev == Severity::Info || explicit || !rule.spec.demoted() {
                (sev, None)
            } else {
                (Severity::Info, Some(sev))
            }
        };
        // per category, ordered by name (as a BTreeMap would be; a sorted Vec: less wasm code)
        let mut by_cat: Vec<(&str, Vec<Hit>)> = Vec::new();
        let mut candidate = std::mem::take(&mut scratch.candidate);
        let (mut hits, mut others) = (std::mem::take(&mut scratch.hits), std::mem::take(&mut scratch.others));
        // which shared rules can fire, and where their fields' literals start
        let starts = self.prefilter.candidates_in(&prepared, &mut candidate, &mut scratch.prefilter);
        scratch.memo.start(prepared.norm.skel.len());
        // the shared rules (prefiltered), then the council's own (few: run on every check)
        let shared = self.rules.iter().zip(&self.rule_cat).enumerate().filter(|(ri, _)| candidate[*ri]).map(|(_, r)| r);
        for (rule, &ci) in shared.chain(loaded.rules.iter().zip(&prof.own_cat)) {
            if !rule.applies(ctx) {
                continue;
            }
            let cat = rule.spec.category.as_str();
            if cat == "working-time" {
                continue; // raised from ctx.working_hours below, not by rules
            }
            let Some(cfg) = prof.category(cat, ci) else { continue };
            let Some(sev) = severity_of(cat, ci, rule.spec.severity) else { continue };
            let (sev, undemoted) = demote(cat, ci, rule, sev);
            let no_grounds = Vec::new();
            let idx = ci.map(|i| &prof.grounds[i]).unwrap_or(&no_grounds);
            // `cited`: some matching ground names a clause (even one the profile lacks)
            let grounded = |g: &crate::profile::Ground| g.matches(ctx.mode, &ctx.flags, &rule.spec.tags);
            let cited = cfg.grounds.iter().any(|g| !g.clauses.is_empty() && grounded(g));
            if !cited {
                continue;
            }
            // `applies` was checked above
            rule.hits_into(&prepared, Some(&starts), ctx, &mut hits, &mut others, &mut scratch.memo);
            let mut list = None;
            for &(s, e) in &hits {
                if excepted(cat, s, e) {
                    continue;
                }
                let list = *list.get_or_insert_with(|| {
                    // the clauses of the matching grounds, in order, each once: built only for a
                    // rule that hits (most rules that run find nothing)
                    let grounds = cfg.grounds.iter().enumerate().filter(|(_, g)| grounded(g));
                    lists.push(grounds.flat_map(|(gi, _)| idx.get(gi).map(Vec::as_slice).unwrap_or(&[]).iter().copied()))
                });
                let i = match slot(&by_cat, cat) {
                    Ok(i) => i,
                    Err(i) => {
                        // room for a short draft's hits in one allocation (callgrind, 280-character
                        // check: ~400 instructions fewer than growing from empty)
                        by_cat.insert(i, (cat, Vec::with_capacity(8)));
                        i
                    }
                };
                by_cat[i].1.push(Hit { s, e, rule, sev, undemoted, list });
            }
        }
        let mut out = Vec::new();
        // working time: personal mode, `now` within the council's working hours, a non-blank draft,
        // and the profile grounds the category (its clauses are cited)
        if ctx.mode == crate::Mode::Personal && ctx.in_working_hours() && !text.trim().is_empty() {
            let wt = category_index(&self.categories, "working-time");
            if let (Some(cfg), Some(sev)) = (profile.categories.get("working-time"), severity_of("working-time", wt, None)) {
                let mut ids: Vec<&String> = Vec::new();
                for g in cfg.grounds.iter().filter(|g| g.matches(ctx.mode, &ctx.flags, &[])) {
                    for c in &g.clauses {
                        if !ids.contains(&c) {
                            ids.push(c);
                        }
                    }
                }
                let clauses: Vec<Arc<ClauseRef>> = ids.into_iter().filter_map(|id| prof.clause_ref(id)).collect();
                if let (false, Some(w)) = (clauses.is_empty(), &ctx.working_hours) {
                    out.push(Finding {
                        rule: WORKING_TIME_RULE.into(),
                        category: "working-time".into(),
                        title: self.title("working-time"),
                        severity: sev,
                        clauses,
                        start: 0,
                        end: 0,
                        message: WORKING_TIME_MESSAGE.replace("{start}", &w.start.to_string()).replace("{end}", &w.end.to_string()),
                    });
                }
            }
        }
        // the stance model (crate/src/model.rs): grounded stance categories the rules did not
        // raise; at most `warn`; cites the grounds that match mode/flags (no rule tags), like a rule
        // (in wasm the switch is the constant: a disabled model's code and file stay out of the build).
        // A category the rules raised only through demoted (low-confidence) hits is scored too:
        // if the model fires there, it corroborates them and they get their undemoted severity
        // back instead of the model adding a finding of its own
        if use_model && (cfg!(not(target_arch = "wasm32")) || crate::model::ENABLED_BY_DEFAULT) {
            if let Some(m) = crate::model::builtin() {
                let mut verdicts = None;
                for (ci, cm) in m.categories.iter().enumerate() {
                    let cat = cm.id.as_str();
                    let demoted_only = match slot(&by_cat, cat).ok().map(|i| &by_cat[i].1) {
                        None => false,
                        Some(hits) if hits.iter().all(|h| h.undemoted.is_some()) => true,
                        Some(_) => continue,
                    };
                    // grounded: a ground without a tag condition matches and names a clause (the
                    // clause ids themselves are only gathered if the model fires)
                    let eci = category_index(&self.categories, cat);
                    let Some(cfg) = prof.category(cat, eci) else { continue };
                    if !cfg.grounds.iter().any(|g| !g.clauses.is_empty() && g.matches(ctx.mode, &ctx.flags, &[])) {
                        continue;
                    }
                    let Some(sev) = severity_of(cat, eci, None) else { continue };
                    let sev = sev.max(Severity::Warn); // Block < Warn < Info: never block
                    let v = &verdicts.get_or_insert_with(|| m.score_in(&prepared.norm.skel, ctx, &mut scratch.model))[ci];
                    if !v.fires {
                        continue;
                    }
                    if demoted_only {
                        for h in slot(&by_cat, cat).ok().map(|i| &mut by_cat[i].1).into_iter().flatten() {
                            h.sev = h.undemoted.take().unwrap_or(h.sev);
                        }
                        continue;
                    }
                    // the heaviest words, minus any inside a council exception
                    let top: Vec<&(usize, usize, f32)> = v.top.iter().filter(|t| !excepted(cat, t.0, t.1)).collect();
                    let Some(first) = top.first() else { continue };
                    let quote = |t: &(usize, usize, f32)| {
                        let (b0, b1) = prepared.norm.span8(t.0, t.1);
                        format!("“{}”", text.get(b0..b1).unwrap_or("").trim())
                    };
                    let words: Vec<String> = top.iter().take(2).map(|t| quote(t)).collect();
                    let (start, end) = prepared.norm.span16(first.0, first.1);
                    let verb = if words.len() > 1 { "weigh" } else { "weighs" };
                    let ids = self.grounding_clauses(ctx, cat).unwrap_or_default();
                    out.push(Finding {
                        rule: format!("model.{cat}"),
                        category: cat.to_string(),
                        title: self.title(cat),
                        severity: sev,
                        clauses: ids.iter().filter_map(|id| prof.clause_ref(id)).collect(),
                        start,
                        end,
                        message: format!("{}: {} {verb} most.", cm.reads_as, words.join(", ")),
                    });
                }
            }
        }
        // per category: its hits sorted and merged in place (no second vector per category);
        // then the findings they become, `out` reserved for them at once
        for (_, hits) in by_cat.iter_mut() {
            // a stable sort by (start, severity, longer first): ties keep push order (skeleton
            // byte offsets fit in 32 bits: a draft is far below 4 GiB)
            sort_by_packed_key(hits, &mut scratch.sort_keys, |h| {
                u128::from(h.s as u32) << 34 | (h.sev as u128) << 32 | u128::from(!(h.e as u32))
            });
            // `hits[..kept]`: the merged hits so far; each next hit extends the last kept one
            // when they overlap, else is kept after it
            let mut kept = 0usize;
            for j in 0..hits.len() {
                let h = hits[j];
                if let Some(last) = kept.checked_sub(1).map(|k| &mut hits[k]) {
                    let overlap = h.s < last.e || (h.s == last.s && h.e == last.e);
                    if overlap {
                        last.e = last.e.max(h.e);
                        if h.sev < last.sev {
                            last.sev = h.sev;
                            last.rule = h.rule;
                        }
                        // clause indices are one-to-one with clause ids: dedup by index = by id
                        if h.list != last.list && lists.get(h.list).iter().any(|c| !lists.get(last.list).contains(c)) {
                            last.list = lists.union(last.list, h.list);
                        }
                        continue;
                    }
                }
                hits[kept] = h;
                kept += 1;
            }
            hits.truncate(kept);
        }
        out.reserve_exact(by_cat.iter().map(|(_, hits)| hits.len()).sum());
        for (cat, merged) in by_cat {
            let title = self.title(cat);
            for h in merged {
                let rule = h.rule;
                let (start, end) = if h.s == h.e { (0, 0) } else { prepared.norm.span16(h.s, h.e) };
                let (b0, b1) = if h.s == h.e { (0, 0) } else { prepared.norm.span8(h.s, h.e) };
                let quoted = text.get(b0..b1).unwrap_or("");
                let message = fill_match(&rule.spec.message, quoted.trim());
                let clauses = lists.get(h.list).iter().map(|&i| prof.refs[i as usize].clone()).collect();
                out.push(Finding {
                    rule: rule.spec.id.clone(),
                    category: cat.to_string(),
                    title: title.clone(),
                    severity: h.sev,
                    clauses,
                    start,
                    end,
                    message,
                });
            }
        }
        // stable, by (start, severity, end)
        sort_by_packed_key(&mut out, &mut scratch.sort_keys, |f| {
            u128::from(f.start) << 34 | (f.severity as u128) << 32 | u128::from(f.end)
        });
        // the working vectors, for the next check
        scratch.prepared = prepared.recycle();
        scratch.candidate = candidate;
        (scratch.hits, scratch.others) = (hits, others);
        Prefilter::recycle(starts, &mut scratch.prefilter);
        Ok(out)
    }
}

impl Engine {
    /// Clause ids the profile of `ctx.council` cites for category `cat` in the context's mode and
    /// flags, from grounds without a tag condition (what a rule without tags would cite); `None`
    /// for an unknown council or a category the profile lacks.
    pub fn grounding_clauses(&self, ctx: &Context, cat: &str) -> Option<Vec<String>> {
        let cfg = self.prof(&ctx.council)?.loaded.profile.categories.get(cat)?;
        let mut ids: Vec<String> = Vec::new();
        for g in cfg.grounds.iter().filter(|g| g.matches(ctx.mode, &ctx.flags, &[])) {
            for c in &g.clauses {
                if !ids.contains(c) {
                    ids.push(c.clone());
                }
            }
        }
        Some(ids)
    }

    /// The display title of category `cat` (its id if unknown).
    fn title(&self, cat: &str) -> String {
        self.categories.iter().find(|c| c.id == cat).map(|c| c.title.clone()).unwrap_or_else(|| cat.to_string())
    }

    /// The loaded profile `id` (its own rules compiled), if any.
    #[allow(dead_code)]
    pub fn profile(&self, id: &str) -> Option<&LoadedProfile> {
        self.prof(id).map(|p| &p.loaded)
    }

    /// The profile `id`, if loaded.
    fn prof(&self, id: &str) -> Option<&Prof> {
        slot(&self.profiles, id).ok().map(|i| &self.profiles[i].1)
    }
}

/// `message` with every `{match}` replaced by `quoted`: what `message.replace("{match}", quoted)`
/// gives (non-overlapping occurrences, left to right), built in one allocation without a
/// substring searcher (rule messages are short and hold `{match}` once, if at all).
fn fill_match(message: &str, quoted: &str) -> String {
    const KEY: &[u8] = b"{match}";
    let b = message.as_bytes();
    let mut out = String::with_capacity(message.len() + quoted.len());
    let (mut done, mut i) = (0, 0);
    // `str::find` of an ASCII char is a word-at-a-time memchr (a byte-by-byte `position` was
    // ~4k instructions of a 280-character check's 8 findings); `i` is always a char boundary
    // (0, just past the ASCII `{`, or just past `{match}`)
    while let Some(k) = message[i..].find('{') {
        let at = i + k;
        if b[at..].starts_with(KEY) {
            out.push_str(&message[done..at]);
            out.push_str(quoted);
            done = at + KEY.len();
            i = done;
        } else {
            i = at + 1;
        }
    }
    out.push_str(&message[done..]);
    out
}

/// A clause of `profile` as a finding cites it.
fn clause_ref(profile: &crate::Profile, c: &crate::profile::Clause) -> ClauseRef {
    ClauseRef {
        council: profile.id.clone(),
        document: profile.document.clone(),
        clause: c.label.clone(),
        heading: c.heading.clone(),
        quote: c.quote.clone(),
        reference: format!("{} {}", profile.document, c.label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clause list keeps each clause once, in first-seen order; a union is the first list then
    /// what the second adds, and leaves both lists as they were.
    #[test]
    fn clause_lists_dedup_and_union() {
        let mut l = ClauseLists::default();
        let a = l.push([3, 1, 3, 2, 1]);
        let b = l.push([2, 5, 4, 5]);
        assert_eq!(l.get(a), [3, 1, 2]);
        assert_eq!(l.get(b), [2, 5, 4]);
        let u = l.union(a, b);
        assert_eq!(l.get(u), [3, 1, 2, 5, 4]);
        assert_eq!((l.get(a), l.get(b)), (&[3, 1, 2][..], &[2, 5, 4][..]));
        l.clear();
        let c = l.push([]);
        assert_eq!((c, l.get(c)), (0, &[][..]));
    }

    /// Every rule carries examples, and each fires / stays quiet as stated (rule run in isolation,
    /// no profile involved).
    #[test]
    fn rule_examples() {
        let e = Engine::builtin().expect("builtin data loads");
        let mut failures = Vec::new();
        for r in e.rules() {
            if r.spec.examples.fire.is_empty() || r.spec.examples.quiet.is_empty() {
                failures.push(format!("{}: needs at least one fire and one quiet example", r.spec.id));
            }
            for ex in &r.spec.examples.fire {
                let (t, ctx) = ex.parts();
                let p = Prepared::new(t, e.detectors());
                if r.hits(&p, &ctx).is_empty() {
                    failures.push(format!("{}: should fire on {t:?}", r.spec.id));
                }
            }
            for ex in &r.spec.examples.quiet {
                let (t, ctx) = ex.parts();
                let p = Prepared::new(t, e.detectors());
                if !r.hits(&p, &ctx).is_empty() {
                    failures.push(format!("{}: should stay quiet on {t:?}", r.spec.id));
                }
            }
        }
        assert!(failures.is_empty(), "rule example failures:\n{}", failures.join("\n"));
    }

    /// The build-time prefilter literals (build.rs) cover every built-in rule field the prefilter
    /// reads, and equal what the run-time extractor computes for it.
    #[test]
    fn prefilter_table_matches_runtime_extraction() {
        let e = Engine::builtin().expect("builtin");
        let mut n = 0;
        for r in e.rules() {
            let mut srcs: Vec<String> = r.trigger_field().map(|(l, _)| l.src().to_string()).into_iter().collect();
            srcs.extend(r.required_fields().into_iter().map(|l| l.src().to_string()));
            srcs.extend(r.regex_fields().into_iter().map(|(l, _)| l.src().to_string()));
            for s in srcs {
                let table = crate::prefilter::lookup_literals(&s).unwrap_or_else(|| panic!("{}: source not in the build-time table", r.spec.id));
                assert_eq!(table, crate::source::required_literals_kind(&s), "{}: literals differ", r.spec.id);
                // a prefix set's rarer required set (the field's gate), from the table as extracted now
                assert_eq!(crate::prefilter::prefix_gate_literals(&s), crate::source::prefix_gate_literals(&s), "{}: gate literals differ", r.spec.id);
                n += 1;
            }
        }
        assert!(n > 50, "{n} sources");
    }

    /// The built-in rules compile eagerly too (the checker compiles them lazily).
    #[test]
    fn builtin_rules_compile() {
        let cats = parse_categories(builtin::CATEGORIES.expect("categories")).expect("categories");
        let rules = load_rules(builtin::RULE_FILES, &cats).expect("every built-in rule regex compiles");
        assert_eq!(rules.len(), Engine::builtin().expect("builtin").rules().len());
    }

    /// A broken rule file is an error naming the file, the rule and the field — never a panic.
    #[test]
    fn broken_rule_file_errors_name_rule_and_field() {
        let cats: Vec<Category> = DEFAULT_CATEGORIES
            .iter()
            .map(|(id, t, s)| Category { id: id.to_string(), title: t.to_string(), severity: *s })
            .collect();
        let rule = |extra: &str| {
            format!(r#"{{"rules": [{{"id": "x.broken", "category": "bullying", "message": "m", {extra}}}]}}"#)
        };
        let cases = [
            (rule(r#""patterns": ["(unclosed"]"#), "patterns"),
            (rule(r#""patterns": ["{no_such_concept}"]"#), "patterns[0]"),
            (rule(r#""patterns": ["ok"], "near": {"patterns": ["[z-a]"], "within": 3}"#), "near"),
            (rule(r#""patterns": ["ok"], "also_near": [{"patterns": ["{nope}"], "within": 3}]"#), "also_near[0]"),
            (rule(r#""patterns": ["ok"], "unless_followed_by": {"patterns": ["(x"]}"#), "unless_followed_by.patterns"),
            (rule(r#""patterns": ["ok"], "unless_followed_by": {"patterns": ["x"], "except": ["{nope}"]}"#), "unless_followed_by.except[0]"),
            (rule(r#""patterns": ["ok"], "unless_followed_by": {"hits": ["[b-a]"], "patterns": ["x"]}"#), "unless_followed_by.hits"),
            (rule(r#""patterns": ["ok"], "unless_preceded_by": {"patterns": ["{nope}"]}"#), "unless_preceded_by.patterns[0]"),
            (rule(r#""patterns": ["ok"], "near": {"patterns": ["x"], "within": 2, "unless_followed_by": {"patterns": ["{nope}"]}}"#), "near.unless_followed_by.patterns[0]"),
            (rule(r#""patterns": ["ok"], "unless_preceded_by": {"patterns": ["x"], "except": ["(x"]}"#), "unless_preceded_by.except"),
            (rule(r#""patterns": ["ok"], "detector": "ni-number""#), "trigger"),
            (rule(r#""detector": "passport""#), "detector"),
            (rule(r#""patterns": ["ok"], "flags": ["is_boss"]"#), "flags[0]"),
            (rule(r#""patterns": ["ok"], "view": "sideways""#), "view"),
        ];
        for (json, field) in cases {
            let r = std::panic::catch_unwind(|| load_rules(&[("broken.json", &json)], &cats));
            let err = match r {
                Ok(Err(e)) => e,
                Ok(Ok(_)) => panic!("{json}: loaded"),
                Err(_) => panic!("{json}: panicked"),
            };
            assert!(err.contains("broken.json") && err.contains("x.broken") && err.contains(field), "{field}: {err}");
        }
        // unknown field, wrong type: serde names the field and the file
        let e = load_rules(&[("broken.json", &rule(r#""patterns": ["ok"], "withn": 3"#))], &cats).err().expect("error");
        assert!(e.contains("broken.json") && e.contains("withn"), "{e}");
        let e = load_rules(&[("broken.json", &rule(r#""patterns": "ok""#))], &cats).err().expect("error");
        assert!(e.contains("broken.json"), "{e}");
    }

    /// A check working in the vectors a previous check left (`CheckScratch`: a longer draft's,
    /// a non-ASCII one's, one with identifiers and repeated sentences) finds exactly what a check
    /// in fresh vectors finds (the path taken while another thread holds the scratch).
    #[test]
    fn reused_scratch_changes_nothing() {
        let e = Engine::builtin().expect("builtin");
        let mut ctx = Context::new("barnsley");
        ctx.flags.politically_restricted = true;
        let long = "Between us, the draft budget cuts are a shambles. My manager is a useless idiot, call 07700 900123 or email a.b@example.com. ".repeat(12);
        let texts = [
            long.as_str(),
            "ok",
            "Café ÉCOLE — ｆｕｌｌ of sһit… NI AB123456C. Vote Labour on Thursday! Vote Labour on Thursday!",
            "",
            "The council meeting is at 6pm. The council meeting is at 6pm. The council meeting is at 6pm.",
            long.as_str(),
            "f*ck the c0unc1l",
        ];
        let reused: Vec<Vec<Finding>> = texts.iter().map(|t| e.check_with(t, &ctx, true).expect("check")).collect();
        let fresh: Vec<Vec<Finding>> = {
            let _held = e.scratch.lock().expect("scratch");
            texts.iter().map(|t| e.check_with(t, &ctx, true).expect("check")).collect()
        };
        assert_eq!(reused, fresh);
        assert!(reused[0].len() > 3 && !reused[2].is_empty(), "the texts must find something: {:?}", reused.iter().map(Vec::len).collect::<Vec<_>>());
    }

    /// The per-check field memo (`rules::FieldMemo`, on for long drafts) changes no rule's hits:
    /// every built-in rule run in order with one memo (forced on, whatever the length, so shared
    /// fields are answered from it) finds exactly what it finds searching every field itself,
    /// on labelled drafts and on long runs of them (the bench's 63,206-character case is such a
    /// run), with the prefilter's starts as the engine passes them.
    #[test]
    fn field_memo_changes_no_rule_hits() {
        let e = Engine::builtin().expect("builtin");
        let mut drafts: Vec<String> = Vec::new();
        for f in ["tests/data/own.jsonl", "tests/data/own4.jsonl", "tests/data/own5.jsonl"] {
            let s = std::fs::read_to_string(f).unwrap_or_else(|err| panic!("{f}: {err}"));
            drafts.extend(s.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["text"].as_str().map(str::to_string)));
        }
        assert!(drafts.len() > 300, "{} drafts", drafts.len());
        let mut texts: Vec<String> = drafts.iter().step_by(3).cloned().collect();
        // long drafts: runs of 60 consecutive drafts, joined by a space or by nothing
        for (k, run) in drafts.chunks(60).enumerate().take(8) {
            texts.push(run.join(if k % 2 == 0 { " " } else { "" }));
        }
        let mut ctx = Context::new("barnsley");
        ctx.attachments = true;
        let (mut with, mut without, mut others) = (Vec::new(), Vec::new(), Vec::new());
        let (mut reused, mut hit_rules) = (0, 0);
        for t in &texts {
            let p = Prepared::new(t, &e.detectors);
            let mut cand = Vec::new();
            let starts = e.prefilter.candidates(&p, &mut cand);
            let mut memo = crate::rules::FieldMemo::default();
            memo.start(usize::MAX);
            for r in &e.rules {
                r.hits_into(&p, Some(&starts), &ctx, &mut with, &mut others, &mut memo);
                let mut off = crate::rules::FieldMemo::default();
                off.start(0);
                r.hits_into(&p, Some(&starts), &ctx, &mut without, &mut others, &mut off);
                assert_eq!(with, without, "rule {} on {t:?}", r.spec.id);
                assert_eq!(off.reused, 0);
                hit_rules += usize::from(!with.is_empty());
            }
            reused += memo.reused;
        }
        assert!(reused > 100 && hit_rules > 100, "memo answered {reused} searches; {hit_rules} rule hits");
    }

    /// `fill_match` is `str::replace("{match}", …)`: none, one, several, adjacent, a stray `{`,
    /// multi-byte text around and in the quote.
    #[test]
    fn fill_match_is_replace() {
        for m in ["no placeholder", "“{match}” suggests x", "{match}", "{match}{match} and {match}", "{ {matc {match} {", "é{match}€", "{{match}}", ""] {
            for q in ["", "between us", "café “x”", "{match}"] {
                assert_eq!(fill_match(m, q), m.replace("{match}", q), "{m:?} {q:?}");
            }
        }
    }

    #[test]
    fn categories_cover_policy_map() {
        let e = Engine::builtin().unwrap();
        let ids: Vec<String> = e.categories().into_iter().map(|c| c.0).collect();
        for (id, _, _) in DEFAULT_CATEGORIES {
            assert!(ids.iter().any(|i| i == id), "{id} missing from categories.json");
        }
        for (id, _, _) in DEFAULT_CATEGORIES {
            if id == "working-time" {
                continue;
            }
            assert!(e.rules().iter().any(|r| r.spec.category == id), "no rule for {id}");
        }
    }
}
