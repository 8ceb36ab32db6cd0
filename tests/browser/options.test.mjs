// The options page (chrome-extension://<id>/options.html): labelled controls, and choices that persist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, waitFor } from './harness.mjs';

let h;
before(async () => {
  h = await launch();
});
after(async () => {
  if (h) await h.close();
});

const COUNCILS = ['Barnsley MBC', 'Sheffield City Council', 'Chelmsford City Council', 'Shaftesbury Town Council', 'Caerphilly County Borough Council'];

test('every control has a label: Council, the account type, the roles', { timeout: 90_000 }, async () => {
  const page = await h.openOptions();
  try {
    const council = page.getByLabel('Council', { exact: true });
    assert.equal(await council.evaluate((el) => el.tagName), 'SELECT');
    // The council list comes from the checker's built-in profiles.
    await waitFor(async () => (await council.locator('option').count()) > COUNCILS.length - 1, { message: 'council options' });
    const labels = (await council.locator('option').allTextContents()).map((s) => s.trim());
    for (const name of COUNCILS) assert.ok(labels.includes(name), `no "${name}" in the Council list: ${labels.join(', ')}`);

    const personal = page.getByRole('radio', { name: 'Personal account', exact: true });
    const official = page.getByRole('radio', { name: 'Official council account', exact: true });
    assert.equal(await personal.count(), 1);
    assert.equal(await official.count(), 1);

    const boxes = await page.getByRole('checkbox').all();
    assert.ok(boxes.length >= 1, 'no role checkboxes');
    for (const b of boxes) {
      const name = await b.evaluate((el) => (el.labels && el.labels[0] ? el.labels[0].textContent : el.getAttribute('aria-label') || '').trim());
      assert.ok(name.length > 0, 'a role checkbox without a label');
    }
    assert.equal(await page.getByRole('checkbox', { name: /politically restricted/i }).count(), 1, 'no "politically restricted" role');
  } finally {
    await page.close();
  }
});

test('choices persist across a reload of the options page', { timeout: 90_000 }, async () => {
  const page = await h.openOptions();
  try {
    await page.getByLabel('Council', { exact: true }).selectOption({ label: 'Sheffield City Council' });
    await page.getByRole('radio', { name: 'Official council account', exact: true }).check();
    await page.getByRole('checkbox', { name: /politically restricted/i }).check();
    const stored = await waitFor(async () => {
      const s = await h.storedSettings(page);
      return s && s.council === 'sheffield' && s.mode === 'official' && s.roles?.includes('politically_restricted') && s;
    }, { message: 'the choices to be stored' });
    assert.deepEqual(stored.roles, ['politically_restricted']);

    await page.reload();
    const council = page.getByLabel('Council', { exact: true });
    await waitFor(async () => (await council.evaluate((el) => el.selectedOptions[0]?.textContent.trim())) === 'Sheffield City Council',
      { message: 'Sheffield selected after reload' });
    assert.equal(await page.getByRole('radio', { name: 'Official council account', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('radio', { name: 'Personal account', exact: true }).isChecked(), false);
    assert.equal(await page.getByRole('checkbox', { name: /politically restricted/i }).isChecked(), true);

    // And back: a change after the reload is stored and survives another reload.
    await page.getByLabel('Council', { exact: true }).selectOption({ label: 'Barnsley MBC' });
    await page.getByRole('radio', { name: 'Personal account', exact: true }).check();
    await page.getByRole('checkbox', { name: /politically restricted/i }).uncheck();
    await waitFor(async () => {
      const s = await h.storedSettings(page);
      return s && s.council === 'barnsley' && s.mode === 'personal' && !s.roles?.includes('politically_restricted');
    }, { message: 'the new choices to be stored' });
    await page.reload();
    await waitFor(async () => (await page.getByLabel('Council', { exact: true }).evaluate((el) => el.selectedOptions[0]?.textContent.trim())) === 'Barnsley MBC',
      { message: 'Barnsley selected after the second reload' });
    assert.equal(await page.getByRole('radio', { name: 'Personal account', exact: true }).isChecked(), true);
    assert.equal(await page.getByRole('checkbox', { name: /politically restricted/i }).isChecked(), false);
  } finally {
    await page.close();
  }
});
