// Accessibility checked by a machine: axe-core on the main states (the
// single-file build's script offer too), in light and dark mode. No serious or critical violation may appear.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve, launch, root } from './harness.mjs';

const require = createRequire(import.meta.url);
let server, browser, axeSource;
before(async () => {
  server = await serve();
  browser = await launch();
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
});
after(async () => { await browser?.close(); server?.close(); });

async function audit(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) x${v.nodes.length}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

const STATES = [
  ['the empty page', async () => {}],
  ['a diagnosed case', async (page) => {
    await page.locator('#ssl-mode').selectOption('full');
    await page.locator('#paste').fill(await readFile(join(root, 'static', 'examples', 'firewall-blocks-cloudflare.txt'), 'utf8'));
    await page.locator('.report:not(.stale) [data-verdict]').waitFor();
    // The parts a person opens too: the Markdown preview, the unread lines.
    for (const s of await page.locator('.result details summary').all()) await s.click();
    await page.locator('#make-share-link').click();
    await page.locator('#share-url').waitFor();
  }],
  // Undecided: "Run this on your server" with the host's one-liner.
  ['an undecided case', async (page) => {
    await page.locator('#paste').fill(await readFile(join(root, 'tests', 'fixtures', 'error-page', 'visible-text-521.txt'), 'utf8'));
    await page.locator('.report:not(.stale) [data-collect-offer]').waitFor();
  }],
  ['a collect.sh case', async (page) => {
    await page.locator('#paste').fill(await readFile(join(root, 'tests', 'fixtures', 'collector', 'debian-vm-no-systemd.txt'), 'utf8'));
    await page.locator('.report:not(.stale) .collected').waitFor();
  }],
  ['the causes index', async (page) => {
    await page.evaluate(() => { location.hash = '#/findings'; });
    await page.locator('[data-index-id]').first().waitFor();
  }],
  ['a finding page', async (page) => {
    await page.evaluate(() => { location.hash = '#/finding/firewall-blocks-cloudflare'; });
    await page.locator('[data-page-id]').waitFor();
  }],
];

for (const colorScheme of ['light', 'dark']) {
  test(`axe: no serious or critical violation in ${colorScheme} mode`, async () => {
    const failures = [];
    for (const [name, reach] of STATES) {
      const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(server.url);
      await page.locator('#paste').waitFor();
      await reach(page);
      for (const v of await audit(page)) failures.push(`${name}: ${v}`);
      await context.close();
    }
    assert.deepEqual(failures, []);
  });
}

test('axe: the single-file build from file://, where the script itself is offered', async () => {
  const failures = [];
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(pathToFileURL(join(root, 'dist-single', 'err521.html')).href);
    await page.locator('[data-collect-script]').waitFor();
    for (const v of await audit(page)) failures.push(`${colorScheme}: ${v}`);
    await context.close();
  }
  assert.deepEqual(failures, []);
});
