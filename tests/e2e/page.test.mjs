// The built page, end to end: paste an error page, read what it shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, fixture, paste, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

async function open(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(server.url);
  await page.locator('#paste').waitFor();
  return { page, errors, context };
}

test('a pasted 521 page shows its code, Ray ID, host and what to paste next', async () => {
  const { page, errors, context } = await open();
  await paste(page, await fixture('error-page/modern-521-shop.html'));
  const code = page.locator('[data-error-code]');
  await code.waitFor();
  assert.equal(await code.getAttribute('data-error-code'), '521');
  const summary = await page.locator('.error-summary').innerText();
  assert.match(summary, /8e2f4a91c03b7d15/);
  assert.match(summary, /shop\.example\.net/);
  assert.match(summary, /Frankfurt/);
  assert.match(summary, /Host \(your origin\)/);
  // A 521 page alone proves no cause: the page asks for evidence instead.
  assert.equal(await page.locator('[data-primary="true"]').count(), 0);
  assert.match(await page.locator('.ask-for').innerText(), /systemctl status/);
  await screenshot(page, 'error-page-521-desktop');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a 522 page is recognised as a different error code, primary', async () => {
  const { page, context } = await open({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await paste(page, await fixture('error-page/modern-522-blog.html'));
  const primary = page.locator('[data-primary="true"]');
  await primary.waitFor();
  assert.equal(await primary.getAttribute('data-finding-id'), 'different-error-code');
  assert.equal(await primary.getAttribute('data-status'), 'confirmed');
  assert.match(await primary.innerText(), /522/);
  await screenshot(page, 'error-page-522-phone-dark');
  await context.close();
});

test('pasted HTML stays inert text and only same-origin files are requested', async () => {
  const { page, errors, context } = await open();
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(server.url)) external.push(r.url()); });
  await page.evaluate(() => { window.__xss = 0; });
  await paste(page, '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>\n' +
    '<title>x | 521: Web server is down</title><span>Ray ID: <strong>0123456789abcdef</strong></span>');
  await page.locator('[data-error-code]').waitFor();
  assert.equal(await page.evaluate(() => window.__xss), 0);
  assert.equal(await page.locator('.result img').count(), 0);
  assert.deepEqual(external, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a firewall dump\'s caveats are listed under the coverage grid', async () => {
  const { page, errors, context } = await open();
  // Plain `ufw status` hides the default policy: the page must say what to paste.
  await paste(page, await fixture('ufw/plain-status.txt'));
  const notes = page.locator('.coverage .cov-notes li');
  await notes.first().waitFor();
  assert.match(await notes.allInnerTexts().then((t) => t.join('\n')), /default incoming policy: read as ufw's default `deny` \(paste `sudo ufw status verbose` to confirm\)/);
  assert.deepEqual(errors, []);
  await context.close();
});
