// "Run this on your server": the page offers collect.sh from its own folder
// (served under a sub-path), with the site's name when the paste gives one;
// the single-file build, opened from disk, shows the script itself; a
// pasted collector output says which collector gathered it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serve, launch, root, fixture, paste, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const script = () => readFile(join(root, 'static', 'collect.sh'), 'utf8');

async function open(url, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  await page.locator('#paste').waitFor();
  return { page, context, errors };
}

async function settled(page) {
  await page.locator('.report:not(.stale) [data-verdict]').waitFor();
}

test('before a paste, the copied one-liner fetches collect.sh from the page\'s own folder', async () => {
  for (const path of ['', 'index.html', 'index.html?embed=1#/']) {
    const { page, context, errors } = await open(server.url + path, { permissions: ['clipboard-read', 'clipboard-write'] });
    const offer = page.locator('[data-collect-offer]');
    await offer.waitFor();
    const folder = server.url; // http://127.0.0.1:PORT/help/521/
    const box = offer.locator('.command');
    const shown = await box.locator('[data-collect-command="one-liner"]').innerText();
    assert.equal(shown, `curl -fsS ${folder}collect.sh | sudo sh`, path);
    await box.locator('button.copy').click();
    await box.locator('button.copy.ok').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, shown);
    // The address is real: the script the one-liner fetches is the shipped one.
    const url = copied.split(' ')[2];
    assert.equal(await page.evaluate(async (u) => (await fetch(u)).text(), url), await script());
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('an undecided case offers it with the error page\'s host; a decided one does not', async () => {
  const { page, context, errors } = await open(server.url);
  await paste(page, await fixture('error-page/visible-text-521.txt'));
  await settled(page);
  assert.equal(await page.locator('[data-verdict]').getAttribute('data-verdict'), 'open');
  const command = await page.locator('[data-collect-offer] [data-collect-command]').innerText();
  assert.equal(command, `curl -fsS ${server.url}collect.sh | sudo sh -s -- --host www.example-store.com`);
  // Offered before the list of single commands it replaces.
  const order = await page.evaluate(() => {
    const offer = document.querySelector('[data-collect-offer]');
    const asks = document.querySelector('.ask-for');
    return asks ? Boolean(offer.compareDocumentPosition(asks) & Node.DOCUMENT_POSITION_FOLLOWING) : null;
  });
  assert.notEqual(order, false);
  await page.setViewportSize({ width: 360, height: 740 });
  // On a phone the whole command stays visible: it wraps, nothing scrolls sideways.
  const fits = await page.locator('[data-collect-command]').evaluate((el) => el.scrollWidth <= el.clientWidth);
  assert.ok(fits);
  await screenshot(page, 'collect-offer-phone');
  await page.locator('.link', { hasText: 'Clear all' }).click();
  await page.locator('button[data-example="web-server-down"]').click();
  await settled(page);
  assert.notEqual(await page.locator('[data-verdict]').getAttribute('data-verdict'), 'open');
  assert.equal(await page.locator('[data-collect-offer]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('pasted collect.sh output says which collector gathered it and what the host lacks', async () => {
  const { page, context, errors } = await open(server.url);
  const text = await fixture('collector/debian-vm-no-systemd.txt');
  await paste(page, text);
  await settled(page);
  const by = page.locator('.collected');
  assert.equal(await by.getAttribute('data-collector-version'), '1');
  assert.equal(await by.locator('.collected-by').innerText(), 'Collected by collect.sh v1, 2026-12-08 00:01:38 UTC, on host vm');
  assert.match(await by.locator('[data-collector-absent]').innerText(), /^firewalld, csf, imunify360, bitninja, caddy, litespeed, dig$/);
  // Not offered again, and not repeated under "More details".
  assert.equal(await page.locator('[data-collect-offer]').count(), 0);
  assert.equal(await page.locator('.more-item h3', { hasText: 'collector' }).count(), 0);
  // Every line of it was read.
  assert.equal(await page.locator('.unread').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the single-file build from file:// shows the script itself to copy', async () => {
  const { page, context, errors } = await open(pathToFileURL(join(root, 'dist-single', 'err521.html')).href,
    { permissions: ['clipboard-read', 'clipboard-write'] });
  const offer = page.locator('[data-collect-offer]');
  await offer.waitFor();
  assert.equal(await offer.locator('[data-collect-command="one-liner"]').count(), 0);
  assert.equal(await offer.locator('[data-collect-command="saved"]').innerText(), 'sudo sh collect.sh');
  assert.equal(await offer.locator('[data-collect-script]').textContent(), await script());
  await offer.getByRole('button', { name: 'Copy the script collect.sh' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await script());
  const [download] = await Promise.all([page.waitForEvent('download'), offer.getByRole('button', { name: 'Download collect.sh' }).click()]);
  assert.equal(download.suggestedFilename(), 'collect.sh');
  assert.equal(await readFile(await download.path(), 'utf8'), await script());
  // With a pasted error page, the saved script's command names its host.
  await paste(page, await fixture('error-page/visible-text-521.txt'));
  await settled(page);
  assert.equal(await page.locator('[data-collect-command="saved"]').innerText(), 'sudo sh collect.sh --host www.example-store.com');
  assert.deepEqual(errors, []);
  await context.close();
});
