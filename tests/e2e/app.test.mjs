// The built site end to end, served under /help/521/: examples, copying,
// share links, offline use, hostile input, the CSP, and what it requests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serve, launch, root, screenshot } from './harness.mjs';

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const origin = () => new URL(server.url).origin;

/** A page that records errors, dialogs, CSP violations and every request. */
async function open(options = {}, path = '') {
  const context = await browser.newContext(options);
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const page = await context.newPage();
  const log = { errors: [], dialogs: [], requests: [] };
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') log.errors.push(m.text()); });
  page.on('dialog', (d) => { log.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  context.on('request', (r) => log.requests.push(r.url()));
  await page.goto(server.url + path);
  await page.locator('#paste').or(page.locator('#page-title')).first().waitFor();
  return { page, context, log };
}

async function settled(page) {
  await page.locator('.report:not(.stale) [data-verdict]').waitFor();
}

// Cause id -> (SSL mode the person would pick, block kinds its example
// must be recognised as containing).
const EXAMPLES = {
  'firewall-blocks-cloudflare': ['full', ['error-page', 'ufw']],
  'ban-blocks-cloudflare': ['full', ['bans', 'iptables']],
  'web-server-down': ['full', ['service-status', 'listeners']],
  'port-conflict': ['full', ['logs', 'listeners']],
  'config-error': ['strict', ['config-test', 'service-status']],
  'not-listening': ['full', ['listeners']],
  'loopback-only': ['flexible', ['listeners']],
  'origin-overloaded': ['full', ['resources']],
  'dns-wrong-origin': ['full', ['dns', 'addresses']],
  'tls-port-mismatch': ['strict', ['listeners', 'probe']],
  'ipv6-origin-broken': ['full', ['dns', 'iptables']],
  'different-error-code': ['unknown', ['error-page']],
};

test('every example, pasted, shows its blocks as chips and its cause as the verdict', async () => {
  const { page, context, log } = await open();
  for (const [id, [mode, kinds]] of Object.entries(EXAMPLES)) {
    const text = await readFile(join(root, 'static', 'examples', `${id}.txt`), 'utf8');
    await page.locator('#ssl-mode').selectOption(mode);
    await page.locator('#paste').fill(text);
    await settled(page);
    const chips = await page.locator('#paste ~ .chips-wrap .chip[data-kind]').evaluateAll(
      (els) => els.map((e) => ({ kind: e.dataset.kind, first: +e.dataset.firstLine, last: +e.dataset.lastLine })));
    for (const kind of kinds) assert.ok(chips.some((c) => c.kind === kind), `${id}: no ${kind} chip in ${JSON.stringify(chips)}`);
    for (const c of chips) assert.ok(c.first >= 1 && c.last >= c.first, `${id}: line range ${JSON.stringify(c)}`);
    assert.equal(await page.locator('[data-verdict]').getAttribute('data-verdict'), id);
    const primary = page.locator('[data-primary="true"]');
    assert.equal(await primary.getAttribute('data-finding-id'), id);
    assert.match(await primary.getAttribute('data-status'), /^(confirmed|likely)$/);
    assert.ok(await primary.locator('.ev-line').count() > 0, `${id}: evidence lines`);
  }
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('one click loads an example, and each cause has its page by URL', async () => {
  const { page, context, log } = await open();
  await page.locator('button[data-example="different-error-code"]').click();
  await settled(page);
  assert.equal(await page.locator('[data-primary="true"]').getAttribute('data-finding-id'), 'different-error-code');
  assert.match(await page.locator('#paste').inputValue(), /Error code 522/);
  // The finding links to its page; the page is reachable by URL too.
  await page.locator('[data-primary="true"] .more-link a').click();
  await page.locator('[data-page-id="different-error-code"]').waitFor();
  await page.goto(`${server.url}#/finding/firewall-blocks-cloudflare`);
  await page.locator('[data-page-id="firewall-blocks-cloudflare"] h1').waitFor();
  assert.match(await page.locator('main').innerText(), /What it looks like[\s\S]*ufw status/);
  await page.goto(`${server.url}#/findings`);
  assert.ok(await page.locator('[data-index-id]').count() >= 12);
  await page.goto(`${server.url}#/finding/no-such-id`);
  assert.match(await page.locator('h1').innerText(), /not found/i);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('copy buttons put the command on the clipboard; Markdown downloads', async () => {
  const { page, context } = await open({ permissions: ['clipboard-read', 'clipboard-write'] });
  await page.locator('#paste').fill(await readFile(join(root, 'static', 'examples', 'web-server-down.txt'), 'utf8'));
  await settled(page);
  const item = page.locator('.command').first();
  const command = await item.locator('code').innerText();
  await item.locator('button.copy').click();
  await item.locator('button.copy.ok').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
  await page.locator('.copy-md button').click();
  const md = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(md, /^## Cloudflare error diagnosis/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .md' }).click()]);
  assert.equal(download.suggestedFilename(), 'err521-report.md');
  const saved = await readFile(await download.path(), 'utf8');
  assert.equal(saved, md);
  await context.close();
});

test('a share link restores the same case, redacted when asked, and a broken one says so', async () => {
  const { page, context, log } = await open();
  await page.locator('#paste').fill(await readFile(join(root, 'static', 'examples', 'different-error-code.txt'), 'utf8'));
  await page.locator('#ssl-mode').selectOption('strict');
  await page.locator('#ports').fill('8443');
  await settled(page);
  const verdict = await page.locator('.verdict').innerText();
  await page.locator('#make-share-link').click();
  const url = await page.locator('#share-url').inputValue();
  assert.ok(url.startsWith(server.url) && url.includes('#/share/v1.'), url);
  const other = await context.newPage();
  await other.goto(url);
  await settled(other);
  assert.equal(await other.locator('#paste').inputValue(), await page.locator('#paste').inputValue());
  assert.equal(await other.locator('#ssl-mode').inputValue(), 'strict');
  assert.equal(await other.locator('#ports').inputValue(), '8443');
  assert.equal(await other.locator('.verdict').innerText(), verdict);
  assert.equal(new URL(other.url()).hash, '#/', 'the fragment is consumed');
  // Redacted: the host and Ray ID never enter the link.
  await page.locator('#redact').check();
  await settled(page);
  assert.doesNotMatch(await page.locator('.error-summary').innerText(), /example-hosting/);
  await page.locator('#make-share-link').click();
  const redacted = await page.locator('#share-url').inputValue();
  await other.goto('about:blank');
  await other.goto(redacted);
  await settled(other);
  const shared = await other.locator('#paste').inputValue();
  assert.doesNotMatch(shared, /example-hosting|8e4c9d0e1f2a3b4c/);
  assert.match(shared, /host-1\.example/);
  assert.ok(await other.locator('#redact').isChecked());
  // Truncated and tampered links: a clear message, no crash.
  for (const bad of [url.slice(0, url.length - 7), url.replace('#/share/v1.', '#/share/v1.*'), `${server.url}#/share/v9.AAAA`]) {
    await other.goto('about:blank');
    await other.goto(bad);
    const message = await other.locator('[data-share-error]').innerText();
    assert.match(message, /share link/i);
  }
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('a corrected block kind travels in a share link, and what was detected stays known', async () => {
  const { page, context, log } = await open();
  // A bare deny list: nothing names it, so the person says it is CSF's.
  await page.locator('#paste').fill('162.158.88.14 # lfd: (nginx) blocked - Tue Nov 24 10:11:12 2026\n172.70.135.9 # manual\n');
  await settled(page);
  const chip = () => page.locator('.chip').first();
  const detected = await chip().getAttribute('data-kind');
  assert.notEqual(detected, 'csf');
  await chip().locator('select.chip-kind').selectOption('csf');
  await page.waitForFunction(() => document.querySelector('.chip')?.getAttribute('data-kind') === 'csf');
  await settled(page);
  assert.equal(await chip().getAttribute('data-detected-kind'), detected);
  await page.locator('#make-share-link').click();
  const url = await page.locator('#share-url').inputValue();
  const other = await context.newPage();
  await other.goto(url);
  await settled(other);
  const shared = other.locator('.chip').first();
  await other.waitForFunction(() => document.querySelector('.chip')?.getAttribute('data-kind') === 'csf');
  // The engine reports the detected kind, so a fresh page knows it too.
  assert.equal(await shared.getAttribute('data-detected-kind'), detected);
  assert.match(await shared.getAttribute('class'), /corrected/);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('works offline after the first visit (service worker)', async () => {
  const { page, context } = await open();
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, null, { timeout: 20000 });
  await context.setOffline(true);
  await page.reload();
  await page.locator('#paste').waitFor();
  await page.locator('button[data-example="different-error-code"]').click();
  await settled(page);
  assert.equal(await page.locator('[data-primary="true"]').getAttribute('data-finding-id'), 'different-error-code');
  await page.goto(`${server.url}#/help`);
  await page.locator('[data-ranges-source]').waitFor();
  await context.setOffline(false);
  await context.close();
});

/** A share fragment built outside the page: literal-only LZ77 stream. */
function shareFragment(payload) {
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  const varint = (n) => { const out = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n); return out; };
  const bytes = Buffer.concat([Buffer.from('L1'), Buffer.from(varint(json.length)), Buffer.from(varint(json.length)), json]);
  return 'v1.' + bytes.toString('base64url');
}

test('hostile input stays inert text everywhere, under the CSP, with no foreign request', async () => {
  const { page, context, log } = await open();
  const xss = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><svg onload="window.__xss=3"></svg>' +
    '"><iframe src="javascript:window.__xss=4"></iframe>[x](javascript:window.__xss=5) {{7*7}} ${7*7}\n' +
    '<title>x | 521: Web server is down</title><span>Ray ID: <strong>0123456789abcdef</strong></span>';
  await page.evaluate(() => { window.__xss = 0; });
  await page.locator('#paste').fill(xss);
  await page.locator('details.extras summary').click();
  for (const id of ['#input-error-page', '#input-firewall', '#input-dns', '#input-services', '#input-other']) await page.locator(id).fill(xss);
  await page.locator('#ports').fill(xss);
  await settled(page);
  const shown = await page.locator('.result').innerText();
  assert.match(shown, /0123456789abcdef/);
  await page.locator('.md-preview summary').click();
  assert.match(await page.locator('.md-preview').innerText(), /Cloudflare error diagnosis/);
  // A share link carrying the payload in names and texts.
  const frag = shareFragment({ inputs: [{ name: xss, text: xss }, { name: 'paste', text: xss }], ssl_mode: 'full', extra_ports: [], overrides: [], redacted: false });
  await page.goto(`${server.url}#/share/${frag}`);
  await settled(page);
  await page.goto(`${server.url}#/help`);
  await page.locator('#ranges-paste').fill(xss);
  await page.getByRole('button', { name: 'Use these ranges' }).click();
  await page.locator('#ranges-message').waitFor();
  await page.goto(`${server.url}#/`);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__xss || 0), 0);
  assert.equal(await page.locator('.result img, .result iframe, .result script, .result svg, .inputs img').count(), 0);
  assert.deepEqual(log.dialogs, []);
  // The CSP: present, strict, and nothing the page does violates it.
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
  assert.doesNotMatch(scriptSrc, /'unsafe-inline'|'unsafe-eval'/);
  assert.match(csp, /worker-src 'self'/);
  assert.match(csp, /connect-src 'self' https:\/\/api\.cloudflare\.com/);
  assert.equal(await page.locator('script:not([src])').count(), 0, 'no inline script');
  assert.deepEqual(await page.evaluate(() => window.__csp), []);
  const foreign = log.requests.filter((u) => !u.startsWith(origin() + '/help/521/'));
  assert.deepEqual(foreign, []);
  assert.deepEqual(log.errors, []);
  await context.close();
});

test('ranges: bundled date shown, a newer served ranges.json is used, refresh fails gracefully', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const ranges = JSON.parse(await readFile(join(root, 'static', 'ranges.json'), 'utf8'));
  ranges.last_changed_upstream = '2099-01-01';
  await page.route('**/ranges.json', (r) => r.fulfill({ contentType: 'application/json', body: JSON.stringify(ranges) }));
  // Cloudflare's API refuses pages on other origins (no CORS): simulate it.
  await page.route('https://api.cloudflare.com/**', (r) => r.abort('failed'));
  await page.goto(`${server.url}#/help`);
  const source = page.locator('[data-ranges-source]');
  await source.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-ranges-source]').innerText.includes('2099-01-01'));
  assert.match(await source.innerText(), /15 IPv4 and 7 IPv6 ranges: ranges\.json served with this page/);
  await page.getByRole('button', { name: 'Use the bundled list' }).click();
  assert.match(await source.innerText(), /bundled with this page, last changed by Cloudflare on 2021-04-08/);
  await page.locator('#refresh-ranges').click();
  await page.waitForFunction(() => /Could not fetch/.test(document.querySelector('#ranges-message')?.innerText || ''));
  await page.locator('#ranges-paste').fill('173.245.48.0/20\n103.21.244.0/22\n2400:cb00::/32');
  await page.getByRole('button', { name: 'Use these ranges' }).click();
  assert.match(await source.innerText(), /2 IPv4 and 1 IPv6 ranges: the list you pasted/);
  await context.close();
});

test('keyboard only: skip link, focus order, an example by Enter; embed mode is compact', async () => {
  const { page, context } = await open();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'paste');
  await page.locator('button[data-example="different-error-code"]').focus();
  await page.keyboard.press('Enter');
  await settled(page);
  // Evidence is reachable by keyboard and selects its line.
  await page.locator('.ev-line').first().focus();
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'paste');
  const selected = await page.evaluate(() => { const a = document.querySelector('#paste'); return a.value.slice(a.selectionStart, a.selectionEnd); });
  assert.ok(selected.length > 0);
  // Every form control has a label.
  const unlabeled = await page.evaluate(() => [...document.querySelectorAll('textarea, select, input')].filter((e) =>
    !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.id || e.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabeled, []);
  await page.goto(`${server.url}?embed=1`);
  await page.locator('#paste').waitFor();
  assert.equal(await page.locator('header.top').count(), 0);
  assert.equal(await page.locator('.app.embed').count(), 1);
  await context.close();
});

test('screenshots of the main states (desktop and phone, light and dark)', async () => {
  const shots = [
    ['desktop-light', { viewport: { width: 1366, height: 900 }, colorScheme: 'light' }],
    ['desktop-dark', { viewport: { width: 1366, height: 900 }, colorScheme: 'dark' }],
    ['phone-light', { viewport: { width: 390, height: 844 }, colorScheme: 'light', isMobile: true, hasTouch: true }],
    ['phone-dark', { viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true }],
  ];
  for (const [name, options] of shots) {
    const { page, context, log } = await open(options);
    await screenshot(page, `home-${name}`);
    await page.locator('button[data-example="firewall-blocks-cloudflare"]').click();
    await settled(page);
    await screenshot(page, `result-${name}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= options.viewport.width, `${name}: page ${width}px wide, no sideways scrolling`);
    await page.goto(`${server.url}#/finding/firewall-blocks-cloudflare`);
    await page.locator('[data-page-id]').waitFor();
    await screenshot(page, `finding-page-${name}`);
    await page.goto(`${server.url}#/help`);
    await page.locator('[data-ranges-source]').waitFor();
    await screenshot(page, `help-${name}`);
    assert.deepEqual(log.errors, []);
    await context.close();
  }
});

/** Rewrites the worker's answers into a report with everything the engine
 * is being extended to send (a confirmed cause with fix steps, firewall
 * coverage, a field this page does not know), to see it rendered. */
function enrichAnswers() {
  const v4 = ['173.245.48.0/20', '103.21.244.0/22', '103.22.200.0/22', '103.31.4.0/22', '141.101.64.0/18', '108.162.192.0/18',
    '190.93.240.0/20', '188.114.96.0/20', '197.234.240.0/22', '198.41.128.0/17', '162.158.0.0/15', '104.16.0.0/13',
    '104.24.0.0/14', '172.64.0.0/13', '131.0.72.0/22'];
  const allowed = v4.slice(0, 11);
  const coverage = [];
  v4.forEach((range, i) => {
    for (const port of [80, 443]) {
      const base = { layer: 'ufw', cloudflare_range: range, range, port, reject_with: null, rule: null, policy: 'reject', reason: null };
      if (port === 443 && range === '162.158.0.0/15') {
        coverage.push({ ...base, range: '162.158.0.0/16', outcome: 'accept', rule: { input: 'paste', line: 31 + i, text: `443/tcp ALLOW IN ${range}` } });
        coverage.push({ ...base, range: '162.159.0.0/16', outcome: 'drop', reason: 'a later DROP rule in ufw-before-input' });
      } else if (port === 443 && allowed.includes(range)) {
        coverage.push({ ...base, outcome: 'accept', rule: { input: 'paste', line: 28 + i, text: `443/tcp                    ALLOW IN    ${range}` } });
      } else {
        coverage.push({ ...base, outcome: 'reject', reject_with: 'icmp-port-unreachable', reason: 'no rule allows it; the default policy rejects' });
      }
    }
  });
  const Original = Object.getOwnPropertyDescriptor(Worker.prototype, 'onmessage');
  Object.defineProperty(Worker.prototype, 'onmessage', {
    configurable: true,
    get() { return Original.get.call(this); },
    set(fn) {
      Original.set.call(this, (e) => {
        // An answer is "<request id>\n<report JSON>".
        const cut = typeof e.data === 'string' ? e.data.indexOf('\n') : -1;
        if (cut < 0 || e.data[cut + 1] !== '{') return fn(e);
        const r = JSON.parse(e.data.slice(cut + 1));
        r.primary = 'firewall-blocks-cloudflare';
        r.firewall = { families: ['ipv4'], coverage };
        r.findings = r.findings.filter((f) => f.id !== 'firewall-blocks-cloudflare');
        r.findings.unshift({
          id: 'firewall-blocks-cloudflare', status: 'confirmed',
          title: 'ufw lets only 11 of Cloudflare\'s 22 ranges reach port 443',
          explanation: 'The default incoming policy rejects, and the allow list stops at 162.158.0.0/15: 104.16.0.0/13, 104.24.0.0/14, 172.64.0.0/13, 131.0.72.0/22 and every IPv6 range are refused, so visitors served from those get 521.',
          evidence: [{ input: 'paste', line: 22, text: 'Default: reject (incoming), allow (outgoing), disabled (routed)' },
            { input: 'paste', line: 39, text: '443/tcp                    ALLOW IN    162.158.0.0/15' }],
          checks: ['IPv4 and IPv6 ranges against port 443 (SSL mode Full)'],
          fix: [{ title: 'Allow the missing Cloudflare ranges on port 443', commands: ['for ip in 104.16.0.0/13 104.24.0.0/14 172.64.0.0/13 131.0.72.0/22; do sudo ufw allow proto tcp from "$ip" to any port 443; done', 'for ip in 2400:cb00::/32 2606:4700::/32 2803:f800::/32 2405:b500::/32 2405:8100::/32 2a06:98c0::/29 2c0f:f248::/32; do sudo ufw allow proto tcp from "$ip" to any port 443; done'], undo: 'sudo ufw status numbered, then sudo ufw delete N' }],
          verify: ['sudo ufw status verbose | grep -c "443/tcp.*ALLOW IN"'],
        });
        fn(new MessageEvent('message', { data: e.data.slice(0, cut + 1) + JSON.stringify(r) }));
      });
    },
  });
}

test('a report with a cause, fix steps and firewall coverage renders fully', async () => {
  for (const [name, options] of [['desktop-light', { viewport: { width: 1366, height: 900 }, colorScheme: 'light' }],
    ['phone-dark', { viewport: { width: 390, height: 844 }, colorScheme: 'dark', isMobile: true, hasTouch: true }]]) {
    const context = await browser.newContext(options);
    await context.addInitScript(enrichAnswers);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('button[data-example="firewall-blocks-cloudflare"]').click();
    await settled(page);
    const primary = page.locator('[data-primary="true"]');
    assert.equal(await primary.getAttribute('data-finding-id'), 'firewall-blocks-cloudflare');
    assert.equal(await primary.getAttribute('data-status'), 'confirmed');
    assert.match(await page.locator('.verdict').innerText(), /Confirmed cause\s+ufw lets only 11/i);
    assert.equal(await primary.locator('.fix-step .command').count(), 2);
    assert.match(await primary.innerText(), /undo:\s+sudo ufw status numbered/, 'unknown fields are shown');
    assert.equal(await page.locator('.cov-seg').count(), 31);
    const split = page.locator('td.split .cov-seg');
    assert.equal(await split.count(), 2);
    await split.nth(1).focus();
    assert.match(await split.nth(1).getAttribute('aria-label'), /162\.159\.0\.0\/16 to port 443: drop/);
    await screenshot(page, `coverage-${name}`);
    // A rule's cell shows that rule in the paste.
    await page.locator('.cov-seg.out-accept').first().click();
    const selected = await page.evaluate(() => { const a = document.querySelector('#paste'); return a.value.slice(a.selectionStart, a.selectionEnd); });
    assert.match(selected, /ALLOW IN/);
    await context.close();
  }
});

test('text contrast meets WCAG AA in light and dark; print shows the answer only', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const context = await browser.newContext({ colorScheme, viewport: { width: 1280, height: 900 } });
    await context.addInitScript(enrichAnswers);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('button[data-example="firewall-blocks-cloudflare"]').click();
    await settled(page);
    const failures = await page.evaluate(() => {
      const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const c = rgb(getComputedStyle(e).backgroundColor);
          if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c;
        }
        return rgb(getComputedStyle(document.body).backgroundColor);
      };
      const out = [];
      const selectors = ['body', '.help', '.section-title', '.verdict-status', '.verdict-title', '.badge', '.chip-main', '.chip-count',
        '.ev-no', '.ev-text', '.explanation', '.cov-seg', '.cov-key', '.legend', 'button.copy', 'button.example', 'a', '.foot', 'label', 'code'];
      for (const sel of selectors) {
        for (const el of [...document.querySelectorAll(sel)].slice(0, 40)) {
          if (!el.offsetParent && sel !== 'body') continue;
          const fg = rgb(getComputedStyle(el).color);
          const l1 = lum(fg); const l2 = lum(background(el));
          const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
          if (ratio < 4.5) out.push(`${sel} ${ratio.toFixed(2)} "${(el.innerText || '').slice(0, 30)}"`);
        }
      }
      return [...new Set(out)];
    });
    assert.deepEqual(failures, [], `${colorScheme}: low contrast`);
    if (colorScheme === 'light') {
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.locator('.inputs').isVisible(), false);
      assert.equal(await page.locator('.verdict').isVisible(), true);
      await screenshot(page, 'print');
    }
    await context.close();
  }
});
