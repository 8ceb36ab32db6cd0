// scripts/package.sh's outputs (docs/admin-guide.md "Packages"), built from the existing dist/chrome
// into a temp dir with a throw-away signing key (made now, never in the repository):
// - the store zip: manifest without `key`, with the wasm, the manifest and every locale;
// - the XPI: web-ext lint (Mozilla's addons-linter) reports 0 errors on its contents;
// - the CRX: `Cr24`, format 3, signed with the throw-away key (its public key and id in the
//   header), the payload's manifest `key` = that key;
// - updates.xml: the key's id, the version, the CRX at POSTCHECK_CRX_URL.
// (The CRX actually installing by policy: force-install.test.mjs.)
//
//   node --test tests/browser/package.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm, readdir, mkdir } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, EXTENSION_DIR, extensionBuilt, extensionIdOf } from './harness.mjs';

const WEB_EXT = path.join(ROOT, 'node_modules/web-ext/bin/web-ext.js');
const URL_BASE = 'https://intranet.example.gov.uk/test-postcheck/';

function run(cmd, args, env = {}) {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: ROOT, maxBuffer: 64 << 20, env: { ...process.env, WEB_EXT_TELEMETRY: 'false', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, stdout, stderr }));
  });
}

/** The entries of a zip archive (stored or deflated): Map name → Buffer. */
export function unzip(buf) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  assert.ok(eocd >= 0, 'a zip end-of-central-directory record');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory header');
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    assert.ok(method === 0 || method === 8, `${name}: zip method ${method}`);
    out.set(name.replace(/^\.\//, ''), method === 0 ? Buffer.from(data) : inflateRawSync(data));
  }
  return out;
}

let work, out, id, spki, version, files, why = null;

before(async () => {
  if (!(await extensionBuilt())) { why = 'no built extension — run: bash scripts/build.sh'; return; }
  work = await mkdtemp(path.join(tmpdir(), 'postcheck-package-'));
  out = path.join(work, 'packages');
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = path.join(work, 'throwaway.pem');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  spki = publicKey.export({ type: 'spki', format: 'der' });
  id = extensionIdOf(spki);
  version = JSON.parse(await readFile(path.join(EXTENSION_DIR, 'manifest.json'), 'utf8')).version;
  const r = await run('bash', ['scripts/package.sh'], {
    POSTCHECK_SKIP_BUILD: '1', POSTCHECK_OUT: out, POSTCHECK_CRX_KEY: keyFile, POSTCHECK_CRX_URL: URL_BASE,
  });
  assert.equal(r.code, 0, `package.sh failed: ${r.stderr}`);
  assert.match(r.stderr, new RegExp(`extension id ${id}`), 'package.sh prints the id');
  files = (await readdir(out)).sort();
});

after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

test('package.sh writes the four packages and the id, and nothing else', async (t) => {
  if (why) return t.skip(why);
  assert.deepEqual(files, [
    'extension-id.txt', `postcheck-${version}-chrome-edge.zip`, `postcheck-${version}-firefox.xpi`, `postcheck-${version}.crx`, 'updates.xml',
  ].sort());
  assert.equal((await readFile(path.join(out, 'extension-id.txt'), 'utf8')).trim(), id);
  assert.ok(!files.some((f) => f.endsWith('.pem')), 'no key among the packages');
});

test('store zip: the built extension without the manifest `key` (wasm, manifest, locales)', async (t) => {
  if (why) return t.skip(why);
  const zip = unzip(await readFile(path.join(out, `postcheck-${version}-chrome-edge.zip`)));
  const manifest = JSON.parse(zip.get('manifest.json').toString('utf8'));
  assert.equal('key' in manifest, false, 'the stores reject a manifest `key`');
  assert.equal(manifest.version, version);
  assert.ok(zip.get('postcheck_wasm_bg.wasm')?.subarray(0, 4).equals(Buffer.from('\0asm')), 'the wasm core');
  for (const locale of ['en_GB', 'cy']) assert.ok(zip.has(`_locales/${locale}/messages.json`), `${locale} messages`);
  // Everything in dist/chrome is there, byte for byte, except the rewritten manifest.
  const built = await filesOf(EXTENSION_DIR);
  assert.deepEqual([...zip.keys()].sort(), [...built.keys()].sort());
  for (const [name, data] of built) if (name !== 'manifest.json') assert.ok(zip.get(name).equals(data), `${name} differs`);
});

test('XPI: web-ext lint reports 0 errors on its contents; no `key`', { timeout: 120_000 }, async (t) => {
  if (why) return t.skip(why);
  const xpi = unzip(await readFile(path.join(out, `postcheck-${version}-firefox.xpi`)));
  const m = JSON.parse(xpi.get('manifest.json').toString('utf8'));
  assert.equal('key' in m, false);
  assert.equal(m.browser_specific_settings.gecko.id, 'postcheck@postcheck.org.uk');
  const dir = path.join(work, 'xpi');
  for (const [name, data] of xpi) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), data);
  }
  const { stdout, stderr } = await run(process.execPath, [WEB_EXT, 'lint', '--source-dir', dir, '--output', 'json', '--no-config-discovery']);
  let report;
  try { report = JSON.parse(stdout); } catch { assert.fail(`web-ext lint gave no JSON report: ${stdout.slice(0, 500)} ${stderr.slice(0, 500)}`); }
  assert.deepEqual(report.errors.map((e) => `${e.code} ${e.file || ''}: ${e.message}`), [], 'web-ext lint errors');
});

test('CRX: Cr24, format 3, signed with the throw-away key; payload manifest carries that key', async (t) => {
  if (why) return t.skip(why);
  const crx = await readFile(path.join(out, `postcheck-${version}.crx`));
  assert.equal(crx.toString('latin1', 0, 4), 'Cr24', 'magic');
  assert.equal(crx.readUInt32LE(4), 3, 'CRX format version');
  const headerSize = crx.readUInt32LE(8);
  const header = crx.subarray(12, 12 + headerSize);
  // CrxFileHeader (protobuf): the RSA proof carries the public key; signed_header_data the crx id
  // (first 16 bytes of sha256(public key)).
  assert.ok(header.includes(spki), 'the throw-away public key in the CRX header');
  assert.ok(header.includes(createHash('sha256').update(spki).digest().subarray(0, 16)), 'the crx id in the signed header data');
  const payload = unzip(crx.subarray(12 + headerSize));
  const m = JSON.parse(payload.get('manifest.json').toString('utf8'));
  assert.equal(m.key, spki.toString('base64'), 'manifest `key` = the signing key (same id unpacked and packed)');
  assert.equal(m.version, version);
  assert.ok(payload.has('postcheck_wasm_bg.wasm'));
});

test('updates.xml: the key\'s id, the version, the CRX at POSTCHECK_CRX_URL', async (t) => {
  if (why) return t.skip(why);
  const xml = await readFile(path.join(out, 'updates.xml'), 'utf8');
  assert.match(xml, /<gupdate xmlns='http:\/\/www\.google\.com\/update2\/response' protocol='2\.0'>/);
  const apps = [...xml.matchAll(/<app appid='([a-p]{32})'>/g)].map((m) => m[1]);
  assert.deepEqual(apps, [id]);
  const uc = xml.match(/<updatecheck codebase='([^']+)' version='([^']+)' \/>/);
  assert.ok(uc, `an updatecheck: ${xml}`);
  assert.equal(uc[1], `${URL_BASE}postcheck-${version}.crx`);
  assert.equal(uc[2], version);
});

/** Every file under `dir`: Map relative path → Buffer. */
async function filesOf(dir) {
  const out = new Map();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath ?? e.path, e.name);
    out.set(path.relative(dir, full).split(path.sep).join('/'), await readFile(full));
  }
  return out;
}
