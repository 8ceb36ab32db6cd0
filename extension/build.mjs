#!/usr/bin/env node
// postcheck — builds the unpacked MV3 extension into dist/chrome/.
//
//   node extension/build.mjs [--wasm-dir DIR] [--out DIR] [--bench] [--no-minify]
//
// --bench: a bench build for tests/bench/browser-bench.mjs, into dist/chrome-bench/ unless --out
// says otherwise. It keeps the statements labelled POSTCHECK_BENCH (the content script then reports
// its keystroke → marks timings with console.debug); the shipped build drops them (esbuild
// dropLabels) and fails if any bench code is left in a shipped bundle.
//
// Inputs (paths relative to the repository root):
//   extension/background/service-worker.js → background.js   (IIFE: a service worker cannot
//                                                             use top-level await)
//   extension/content/main.js              → content.js      (IIFE: content scripts are classic)
//   extension/options/options.js           → options.js      (ES module, with popup.js: the
//   extension/popup/popup.js               → popup.js         code both pages import — settings,
//                                                             i18n and its message catalogues — is
//                                                             one shared chunk, shared-*.js, loaded
//                                                             by both pages' <script type="module">)
//   manifest.json, extension/options/options.html + options.css,
//   extension/styles/content.css → content.css, extension/_locales/,
//   <wasm dir>/postcheck_wasm_bg.wasm (default target/wasm/, from the xtask; env POSTCHECK_WASM_DIR)
//
// A missing input is skipped with a warning (parts are written concurrently), except the
// manifest. The wasm-bindgen glue is imported as 'postcheck-wasm' and patched at bundle time
// so the only URL it can fetch is the extension's own packaged wasm (chrome.runtime.getURL).
// Finally the output is scanned: any network API in the bundles fails the build.
//
// Bundles are minified (esbuild's minify: whitespace, local names, syntax — no obfuscation, no
// renaming of properties or strings, so store reviewers can still read them; --no-minify for a
// readable build). Measured at 20fee03 (with the catalogue trimming below): the four scripts in the
// Chrome zip 75.3 → 45.8 KiB (docs/performance.md, "Size").

import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, rmSync, cpSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : fallback;
}
const BENCH = process.argv.includes('--bench');
const MINIFY = !process.argv.includes('--no-minify');
const finalDir = arg('--out', join(root, 'dist', BENCH ? 'chrome-bench' : 'chrome'));
// Built beside the target and swapped in at the end, so a browser test that is reading
// dist/chrome never sees a half-written extension; a failed build leaves the old one.
const outDir = `${finalDir}.building`;
const wasmDir = arg('--wasm-dir', resolve(root, process.env.POSTCHECK_WASM_DIR || 'target/wasm'));
const WASM_JS = 'postcheck_wasm.js';
const WASM_BIN = 'postcheck_wasm_bg.wasm';

const rel = (p) => relative(root, p) || '.';
const warnings = [];
const errors = [];
const warn = (m) => {
  warnings.push(m);
  console.warn(`build: warning: ${m}`);
};
const fail = (m) => {
  errors.push(m);
  console.error(`build: error: ${m}`);
};

// ---- the wasm-bindgen glue, confined to the extension's own files ----------------------

// Replaces the glue's default `fetch(module_or_path)`: only URLs inside this extension pass.
const OWN_FETCH = `function __postcheckOwnFetch(url) {
  const own = chrome.runtime.getURL('');
  const href = String(url instanceof Request ? url.url : url);
  if (!href.startsWith(own)) throw new Error('postcheck: refusing to load wasm from ' + href);
  return fetch(href);
}
`;

const wasmGluePlugin = {
  name: 'postcheck-wasm',
  setup(build) {
    build.onResolve({ filter: /^postcheck-wasm$/ }, () => {
      const path = join(wasmDir, WASM_JS);
      if (!existsSync(path)) {
        return { errors: [{ text: `${rel(path)} not found — run the xtask first (scripts/build.sh)` }] };
      }
      return { path, namespace: 'file' };
    });
    build.onLoad({ filter: /postcheck_wasm\.js$/ }, (args) => {
      let src = readFileSync(args.path, 'utf8');
      const problems = [];
      // The xtask omits the default module path (init() must be given the URL); if a glue
      // ever has one, point it at the packaged file, never at a URL relative to the bundle.
      src = src.replace(
        /new URL\((['"])postcheck_wasm_bg\.wasm\1,\s*import\.meta\.url\)/g,
        `chrome.runtime.getURL('${WASM_BIN}')`,
      );
      const fetches = src.match(/\bfetch\(/g)?.length ?? 0;
      if (fetches !== 1) problems.push(`expected exactly one fetch( in the glue, found ${fetches}`);
      src = src.replace(/\bfetch\(/, '__postcheckOwnFetch(') + '\n' + OWN_FETCH;
      if (/import\.meta/.test(src)) problems.push('import.meta still used (not available in an IIFE)');
      if (problems.length) {
        return { errors: problems.map((text) => ({ text: `wasm glue patch: ${text}` })) };
      }
      return { contents: src, loader: 'js' };
    });
  },
};

// The scripts bundle both locales' messages.json (shared/i18n.js: the user may choose the
// language), but read only each message's `message` and its placeholders' `content`, as
// chrome.i18n does (its `description` and placeholder `example` fields are notes for translators).
// Those notes, about half of each file, are dropped from the bundled copies and from the packaged
// `_locales/*/messages.json` (written without indentation); extension/_locales keeps them.

/** The text of a messages.json (`path`) with only what is read: `message`, placeholders' `content`. */
function runtimeMessages(path) {
  const all = JSON.parse(readFileSync(path, 'utf8'));
  const kept = {};
  for (const [key, entry] of Object.entries(all)) {
    const e = { message: entry.message };
    if (entry.placeholders) {
      e.placeholders = Object.fromEntries(
        Object.entries(entry.placeholders).map(([name, p]) => [name, { content: p.content }]),
      );
    }
    kept[key] = e;
  }
  return JSON.stringify(kept);
}

const localesPlugin = {
  name: 'postcheck-locales',
  setup(build) {
    build.onLoad({ filter: /[\\/]_locales[\\/][^\\/]+[\\/]messages\.json$/ }, (args) => ({
      contents: runtimeMessages(args.path),
      loader: 'json',
    }));
    // background/managed.js imports crate/rules/categories.json for the category ids; the
    // descriptions (most of the file) are for the rule authors and the docs.
    build.onLoad({ filter: /[\\/]crate[\\/]rules[\\/]categories\.json$/ }, (args) => {
      const all = JSON.parse(readFileSync(args.path, 'utf8'));
      const kept = Array.isArray(all) ? all.map(({ description, ...rest }) => rest) : all;
      return { contents: JSON.stringify(kept), loader: 'json' };
    });
  },
};

// ---- build ------------------------------------------------------------------------------

// One esbuild build per group. A group of several entries is built as ES modules with code
// splitting: what they import in common goes to one shared chunk instead of into each bundle.
const entries = [
  { in: 'extension/background/service-worker.js', out: 'background.js', wasm: true },
  { in: 'extension/content/main.js', out: 'content.js' },
  { in: 'extension/options/options.js', out: 'options.js', group: 'pages' },
  { in: 'extension/popup/popup.js', out: 'popup.js', group: 'pages' },
];
const CHUNK_NAMES = 'shared-[hash]';
/** Files written by the bundler (entries and shared chunks), filled in by the builds. */
const bundles = [];

const copies = [
  { from: 'manifest.json', to: 'manifest.json', required: true },
  { from: 'extension/managed_schema.json', to: 'managed_schema.json', required: true },
  { from: 'extension/options/options.html', to: 'options.html' },
  { from: 'extension/options/options.css', to: 'options.css' },
  { from: 'extension/popup/popup.html', to: 'popup.html' },
  { from: 'extension/popup/popup.css', to: 'popup.css' },
  { from: 'extension/styles/content.css', to: 'content.css' },
  { from: 'extension/content/mastodon-instance.js', to: 'mastodon-instance.js' },
  { from: 'extension/_locales', to: '_locales' },
  { from: join(wasmDir, WASM_BIN), to: WASM_BIN },
];

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const groups = new Map();
for (const e of entries) {
  if (!existsSync(join(root, e.in))) {
    warn(`${e.in} missing — ${e.out} not built`);
    continue;
  }
  const key = e.group ?? e.out;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(e);
}
for (const group of groups.values()) {
  const split = group.length > 1;
  try {
    const result = await esbuild.build({
      ...(split
        ? {
            entryPoints: Object.fromEntries(group.map((e) => [e.out.replace(/\.js$/, ''), join(root, e.in)])),
            outdir: outDir,
            format: 'esm',
            splitting: true,
            chunkNames: CHUNK_NAMES,
          }
        : { entryPoints: [join(root, group[0].in)], outfile: join(outDir, group[0].out), format: 'iife' }),
      bundle: true,
      minify: MINIFY,
      metafile: true,
      platform: 'browser',
      target: ['chrome105'],
      charset: 'utf8',
      legalComments: 'none',
      logLevel: 'warning',
      dropLabels: BENCH ? [] : ['POSTCHECK_BENCH'],
      plugins: group.some((e) => e.wasm) ? [wasmGluePlugin, localesPlugin] : [localesPlugin],
    });
    for (const out of Object.keys(result.metafile.outputs)) {
      bundles.push({ out: relative(outDir, resolve(root, out)), wasm: group.some((e) => e.wasm) });
    }
  } catch (err) {
    fail(`${group.map((e) => e.in).join(', ')}: ${err.message.split('\n')[0]}`);
  }
}

for (const c of copies) {
  const from = c.from.startsWith('/') ? c.from : join(root, c.from);
  if (!existsSync(from)) {
    (c.required ? fail : warn)(`${rel(from)} missing — ${c.to} not copied`);
    continue;
  }
  cpSync(from, join(outDir, c.to), { recursive: true });
}
const localesOut = join(outDir, '_locales');
if (existsSync(localesOut)) {
  for (const locale of readdirSync(localesOut)) {
    const file = join(localesOut, locale, 'messages.json');
    if (existsSync(file)) writeFileSync(file, runtimeMessages(file) + '\n');
  }
}

// ---- checks on the output ---------------------------------------------------------------

const manifestPath = join(outDir, 'manifest.json');
if (existsSync(manifestPath)) {
  const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const referenced = [
    m.background?.service_worker,
    m.options_ui?.page,
    m.action?.default_popup,
    ...(m.content_scripts ?? []).flatMap((cs) => [...(cs.js ?? []), ...(cs.css ?? [])]),
    m.default_locale && `_locales/${m.default_locale}/messages.json`,
    WASM_BIN,
  ].filter(Boolean);
  for (const f of referenced) {
    if (!existsSync(join(outDir, f))) warn(`dist is incomplete: ${f} is missing`);
  }
  if (m.default_locale && existsSync(join(outDir, '_locales', m.default_locale, 'messages.json'))) {
    const messages = JSON.parse(
      readFileSync(join(outDir, '_locales', m.default_locale, 'messages.json'), 'utf8'),
    );
    for (const key of JSON.stringify(m).match(/__MSG_(\w+)__/g) ?? []) {
      const name = key.slice(6, -2);
      if (!messages[name]) fail(`manifest uses ${key} but _locales/${m.default_locale}/messages.json lacks "${name}"`);
    }
  }
}

// Nothing leaves the device: no network API in any bundle, except the guarded wasm fetch.
const NETWORK = /\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|WebTransport|RTCPeerConnection)\s*\(/g;
for (const e of bundles) {
  const file = join(outDir, e.out);
  if (!existsSync(file)) continue;
  let src = readFileSync(file, 'utf8');
  // the guard's own fetch, right after its refusal (in either form: minified or not)
  if (e.wasm) src = src.replace(/(throw new Error\(\s*["']postcheck: refusing to load wasm from ["']\s*\+\s*(\w+)\s*\);?\s*return )fetch\(\s*\2\s*\)/, '$1');
  const hits = [...src.matchAll(NETWORK)].map((x) => x[1]);
  if (hits.length) fail(`${e.out} uses network APIs (${[...new Set(hits)].join(', ')}): nothing may leave the device`);
}

// Bench instrumentation must not ship: the shipped bundles hold none of it.
if (!BENCH) {
  for (const e of bundles) {
    const file = join(outDir, e.out);
    if (existsSync(file) && /postcheck-bench|POSTCHECK_BENCH|benchWork|benchLog/.test(readFileSync(file, 'utf8'))) {
      fail(`${e.out} contains bench-only code (POSTCHECK_BENCH statements were not dropped)`);
    }
  }
}

if (existsSync(join(outDir, WASM_BIN))) {
  const bytes = readFileSync(join(outDir, WASM_BIN));
  console.log(
    `build: ${WASM_BIN}: ${bytes.length} bytes raw, ${gzipSync(bytes, { level: 9 }).length} bytes gzipped`,
  );
}
for (const e of bundles) {
  const file = join(outDir, e.out);
  if (existsSync(file)) console.log(`build: ${e.out}: ${statSync(file).size} bytes`);
}

if (errors.length) {
  rmSync(outDir, { recursive: true, force: true });
} else {
  rmSync(finalDir, { recursive: true, force: true });
  renameSync(outDir, finalDir);
}
console.log(
  `build: ${rel(finalDir)} ${errors.length ? 'FAILED (left unchanged)' : 'ready'}` +
    ` (${warnings.length} warning${warnings.length === 1 ? '' : 's'}, ${errors.length} error${errors.length === 1 ? '' : 's'})`,
);
if (errors.length) process.exit(1);
