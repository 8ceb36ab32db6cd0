// Peers side by side: postcheck vs obscenity, bad-words, leo-profanity and alex on the
// `profanity` and `discrimination` labels of the same drafts.
// usage: node tests/peers/peers.mjs POSTCHECK_BIN CORPUS.jsonl… [--traps FILE] [--disguised FILE]
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { Filter } from 'bad-words';
import leo from 'leo-profanity';
import { text as alexText } from 'alex';

const args = process.argv.slice(2);
const bin = args.shift();
const sets = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const lines = (f) => readFileSync(f, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (a === '--traps' || a === '--disguised') {
    const f = args[++i];
    const prof = a === '--disguised';
    sets.push({ name: a.slice(2), drafts: lines(f).map((t, k) => ({ id: `${a.slice(2)}-${k + 1}`, council: 'barnsley', mode: 'personal', flags: [], attachments: false, elections: [], text: t, expect: prof ? ['profanity'] : [] })) });
  } else {
    sets.push({ name: a.split('/').pop(), drafts: lines(a).map((l) => JSON.parse(l)) });
  }
}

const obscenity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
const badWords = new Filter();
const peers = {
  postcheck: null, // filled from `postcheck batch`
  obscenity: (t) => { const p = obscenity.hasMatch(t); return { profanity: p, discrimination: p }; },
  'bad-words': (t) => { let p = false; try { p = badWords.isProfane(t); } catch { p = false; } return { profanity: p, discrimination: p }; },
  'leo-profanity': (t) => { const p = leo.check(t); return { profanity: p, discrimination: p }; },
  alex: (t) => {
    const msgs = alexText(t).messages;
    return { profanity: msgs.some((m) => m.source === 'retext-profanities'), discrimination: msgs.some((m) => m.source === 'retext-equality') };
  },
};

function postcheckRun(drafts) {
  const dir = mkdtempSync(join(tmpdir(), 'peers-'));
  const f = join(dir, 'in.jsonl');
  writeFileSync(f, drafts.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const out = execFileSync(bin, ['batch', f], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const byId = new Map(out.trim().split('\n').map((l) => JSON.parse(l)).map((r) => [r.id, r.findings]));
  return (d) => {
    const cats = new Set((byId.get(d.id) || []).map((x) => x.category));
    return { profanity: cats.has('profanity'), discrimination: cats.has('discrimination') };
  };
}

const CATS = ['profanity', 'discrimination'];
const fmt = (x) => (x === null ? '  —  ' : x.toFixed(2).padStart(5));
const rows = [];
for (const set of sets) {
  const pc = postcheckRun(set.drafts);
  const stats = {};
  for (const name of Object.keys(peers)) {
    const f = name === 'postcheck' ? pc : (d) => peers[name](d.text);
    stats[name] = Object.fromEntries(CATS.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
    for (const d of set.drafts) {
      const got = f(d);
      for (const c of CATS) {
        const e = d.expect.includes(c);
        const s = stats[name][c];
        if (e && got[c]) s.tp++; else if (!e && got[c]) s.fp++; else if (e && !got[c]) s.fn++;
      }
    }
  }
  rows.push({ set: set.name, stats });
}
const pr = (s) => ({ p: s.tp + s.fp ? s.tp / (s.tp + s.fp) : null, r: s.tp + s.fn ? s.tp / (s.tp + s.fn) : null });
let md = '| set | tool | profanity P | profanity R | discrimination P | discrimination R |\n|---|---|---:|---:|---:|---:|\n';
const total = {};
for (const { set, stats } of rows) {
  for (const [name, st] of Object.entries(stats)) {
    total[name] ??= Object.fromEntries(CATS.map((c) => [c, { tp: 0, fp: 0, fn: 0 }]));
    for (const c of CATS) for (const k of ['tp', 'fp', 'fn']) total[name][c][k] += st[c][k];
    const a = pr(st.profanity), b = pr(st.discrimination);
    md += `| ${set} | ${name} | ${fmt(a.p)} | ${fmt(a.r)} | ${fmt(b.p)} | ${fmt(b.r)} |\n`;
  }
}
for (const [name, st] of Object.entries(total)) {
  const a = pr(st.profanity), b = pr(st.discrimination);
  md += `| **all** | ${name} | ${fmt(a.p)} | ${fmt(a.r)} | ${fmt(b.p)} | ${fmt(b.r)} |\n`;
}
md += '\n(— = no positive prediction or no positive label in that set; traps hold no positives, so only false alarms count there: see P.)\n';
process.stdout.write(md);
