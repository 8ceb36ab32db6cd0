// Throughput, same texts, one process: postcheck's wasm (every category, Barnsley personal,
// politically restricted, election ahead) against the npm profanity filters obscenity,
// bad-words and leo-profanity (profanity only), at 280 / 2,000 / 10,000 / 63,206 chars.
// usage: node tests/bench/peers-bench.mjs [--json]
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { Filter } from 'bad-words';
import leo from 'leo-profanity';
import { CONTEXT, LENGTHS, drafts, loadWasm, textOfLen, timeIt } from './texts.mjs';

const { glue, bytes } = await loadWasm();
glue.initSync({ module: bytes });
const checker = new glue.Checker();
const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const badWords = new Filter();

// each peer's own "check a draft" call (all find the matches, as postcheck does)
const subjects = {
  postcheck: (t) => checker.check(t, CONTEXT),
  obscenity: (t) => obscenity.getAllMatches(t),
  'bad-words': (t) => badWords.isProfane(t),
  'leo-profanity': (t) => leo.badWordsUsed(t),
};

const ds = drafts();
// warm every subject on every text first (untimed), as wasm-bench.mjs does for postcheck: its
// first checks compile the regexes the texts need, and V8 runs a wasm function in its baseline
// tier until it has been hot for a while (a long draft's check tiers up the hot loops);
// without this the 280 row timed postcheck half-warm (439 µs against 58 µs in wasm-bench.mjs)
for (const f of Object.values(subjects)) for (const len of LENGTHS) for (let i = 0; i < 3; i++) f(textOfLen(ds, len));
const rows = [];
for (const len of LENGTHS) {
  const text = textOfLen(ds, len);
  const row = { len };
  for (const [name, f] of Object.entries(subjects)) {
    const t = timeIt(() => f(text), { rounds: 9, minMs: 30 });
    row[name] = t.median; // µs per draft
  }
  const fastestPeer = Math.min(row.obscenity, row['bad-words'], row['leo-profanity']);
  row.ratio = fastestPeer / row.postcheck; // >1: postcheck faster than the fastest peer
  rows.push(row);
}

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows));
} else {
  const names = Object.keys(subjects);
  console.log(['chars', ...names.map((n) => `${n} µs`), 'fastest peer / postcheck'].join('\t'));
  for (const r of rows) console.log([r.len, ...names.map((n) => r[n].toFixed(1)), `${r.ratio.toFixed(2)}×`].join('\t'));
}
