// The single-file build (scripts/build-single.sh) opened from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launch, root, screenshot, fixture } from './harness.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('dist-single/err521.html works from file:// and diagnoses a paste', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  context.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(join(root, 'dist-single', 'err521.html')).href);
  await page.locator('#paste').fill(await fixture('error-page/modern-525-api.html'));
  await page.locator('.report:not(.stale) [data-verdict]').waitFor();
  assert.equal(await page.locator('[data-primary="true"]').getAttribute('data-finding-id'), 'different-error-code');
  // Examples are inside the file too.
  await page.locator('.link', { hasText: 'Clear all' }).click();
  await page.locator('button[data-example="web-server-down"]').click();
  await page.locator('.report:not(.stale) [data-verdict]').waitFor();
  assert.match(await page.locator('#paste').inputValue(), /nginx\.service/);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.doesNotMatch(csp, /unsafe-inline/);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:')), []);
  await screenshot(page, 'single-file');
  assert.deepEqual(errors, []);
  await context.close();
});
