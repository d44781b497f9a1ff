// Seeded random actions on the built page, the way people use it: pastes of
// the shipped examples and of random mixes of fixture blocks, typing and
// deleting, clearing, examples, chips and their kind menu, SSL mode, other
// ports, redaction, copy, download, share links, back and forward, and the
// other pages. It fails on any page error, console error or dead page, and
// has an oracle: whenever the page settles, its primary finding and every
// rendered data-status equal what the native CLI (`err521 diagnose --format
// json`) says for the same inputs and options. A failing seed is shrunk to
// the shortest action list that still fails, which is printed.
//
// MONKEY_SEEDS=1,2,3 (or a count: MONKEY_SEEDS=20 for seeds 1..20),
// MONKEY_ACTIONS=700, E521_CLI=path to a built err521 (else built here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, readdir, writeFile, mkdtemp, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve, launch, root, fixtures } from './harness.mjs';

const ACTIONS = Number(process.env.MONKEY_ACTIONS || 700);
const SEEDS = (() => {
  const s = process.env.MONKEY_SEEDS || '1,2,3';
  if (/^\d+$/.test(s)) return Array.from({ length: Number(s) }, (_, i) => i + 1);
  return s.split(',').map(Number);
})();
// How often (in actions) the page is waited for and checked against the CLI.
const ORACLE_EVERY = Number(process.env.MONKEY_ORACLE_EVERY || 7);
const SLOTS = ['error-page', 'firewall', 'dns', 'services', 'other'];

let server, browser, cli, examples, blocks, findingIds;

/** mulberry32: small, fast, and the same everywhere. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function buildCli() {
  if (process.env.E521_CLI) return process.env.E521_CLI;
  const built = spawnSync('cargo', ['build', '--release', '--bin', 'err521'], { cwd: root, stdio: 'inherit' });
  assert.equal(built.status, 0, 'cargo build of the CLI');
  return join(root, 'target', 'release', 'err521');
}

/** Small realistic fixtures, to paste alone or mixed. */
async function fixtureBlocks() {
  const out = [];
  for (const dir of ['iptables', 'ufw', 'nftables', 'services', 'listeners', 'error-page', 'dns', 'bans', 'resources', 'probes', 'addrs', 'webconfig', 'scenarios', 'tickets']) {
    const path = join(fixtures, dir);
    if (!existsSync(path)) continue;
    for (const f of (await readdir(path)).sort()) {
      const p = join(path, f);
      if ((await stat(p)).size > 6000) continue;
      out.push(await readFile(p, 'utf8'));
    }
  }
  return out;
}

before(async () => {
  cli = await buildCli();
  server = await serve();
  browser = await launch();
  const dir = join(root, 'static', 'examples');
  examples = [];
  for (const f of (await readdir(dir)).sort()) examples.push(await readFile(join(dir, f), 'utf8'));
  blocks = await fixtureBlocks();
  findingIds = (await readdir(dir)).sort().map((f) => f.replace(/\.txt$/, ''));
});
after(async () => { await browser?.close(); server?.close(); });

/** A random action list: plain data, so it can be replayed and shrunk. */
function plan(seed, n) {
  const r = rng(seed);
  const pick = (k) => Math.floor(r() * k);
  const kinds = [
    ['pasteExample', 8], ['pasteMix', 8], ['type', 10], ['delete', 6], ['clear', 2], ['clickExample', 3],
    ['chipKind', 2], ['chipClick', 2], ['ssl', 4], ['ports', 3], ['redact', 1], ['copy', 2], ['download', 1],
    ['share', 2], ['openShare', 2], ['back', 2], ['forward', 1], ['visit', 4], ['evidence', 2], ['extra', 3],
    ['showMore', 1],
  ];
  const total = kinds.reduce((a, [, w]) => a + w, 0);
  const out = [];
  for (let i = 0; i < n; i++) {
    let x = r() * total;
    const [kind] = kinds.find(([, w]) => (x -= w) < 0) || kinds[0];
    const a = { kind, n: pick(1000), m: pick(1000), k: pick(1000) };
    if (kind === 'type') a.text = ['a', ' ', '\n', '1', '#', 'é', '443', ':80', '\t', 'DROP'][pick(10)];
    out.push(a);
  }
  return out;
}

const present = async (loc) => (await loc.count()) > 0 && loc.first().isVisible().catch(() => false);

/** Perform one action; an action that does not apply to the page as it is
 * does nothing (its numbers pick among what is there). */
async function act(page, a) {
  const home = await present(page.locator('#paste'));
  switch (a.kind) {
    case 'pasteExample':
    case 'pasteMix': {
      if (!home) return;
      let text;
      if (a.kind === 'pasteExample') text = examples[a.n % examples.length];
      else {
        const parts = [];
        for (let i = 0; i <= a.m % 3; i++) parts.push(blocks[(a.n * 7 + i * 13 + a.k) % blocks.length]);
        text = parts.join(a.k % 2 ? '\n' : '\n\n$ sudo iptables-save\n');
      }
      // Through the clipboard, as a person pastes: analysed at once.
      await page.locator('#paste').evaluate((el, t) => {
        el.focus();
        el.select();
        const data = new DataTransfer();
        data.setData('text/plain', t);
        const ev = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
        if (el.dispatchEvent(ev)) {
          el.setRangeText(t, el.selectionStart, el.selectionEnd, 'end');
          el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data: t }));
        }
      }, text);
      return;
    }
    case 'type':
    case 'delete': {
      if (!home || await page.locator('#paste').evaluate((e) => e.readOnly)) return;
      await page.locator('#paste').focus();
      await page.locator('#paste').evaluate((el, at) => { const p = Math.min(at, el.value.length); el.setSelectionRange(p, p); }, a.n * 37);
      if (a.kind === 'type') await page.keyboard.type(a.text);
      else for (let i = 0; i <= a.m % 4; i++) await page.keyboard.press('Backspace');
      return;
    }
    case 'clear': {
      const b = page.getByRole('button', { name: 'Clear all' });
      if (await present(b)) await b.click();
      return;
    }
    case 'clickExample': {
      const b = page.locator('button[data-example]');
      const c = await b.count();
      if (c) await b.nth(a.n % c).click();
      return;
    }
    case 'chipKind': {
      const s = page.locator('select.chip-kind');
      const c = await s.count();
      if (!c) return;
      const sel = s.nth(a.n % c);
      if (!(await sel.isVisible())) return;
      const values = await sel.locator('option').evaluateAll((os) => os.map((o) => o.value));
      await sel.selectOption(values[a.m % values.length]);
      return;
    }
    case 'chipClick': {
      const s = page.locator('.chip-main');
      const c = await s.count();
      if (c && await s.nth(a.n % c).isVisible()) await s.nth(a.n % c).click();
      return;
    }
    case 'ssl':
      if (home) await page.locator('#ssl-mode').selectOption(['unknown', 'off', 'flexible', 'full', 'strict'][a.n % 5]);
      return;
    case 'ports':
      if (home) await page.locator('#ports').fill(['', '8443', '2053, 8443', '8080 x', '0', '70000'][a.n % 6]);
      return;
    case 'redact':
      if (await present(page.locator('#redact'))) await page.locator('#redact').click();
      return;
    case 'copy': {
      const b = page.locator('button.copy');
      const c = await b.count();
      if (c && await b.nth(a.n % c).isVisible()) await b.nth(a.n % c).click();
      return;
    }
    case 'download': {
      const b = page.getByRole('button', { name: 'Download .md' });
      if (await present(b) && await b.isEnabled()) {
        await Promise.all([page.waitForEvent('download'), b.click()]);
      }
      return;
    }
    case 'share': {
      const b = page.locator('#make-share-link');
      if (await present(b) && await b.isEnabled()) {
        await b.click();
        await page.locator('#share-url').waitFor({ timeout: 5000 }).catch(() => {});
      }
      return;
    }
    case 'openShare': {
      if (!(await present(page.locator('#share-url')))) return;
      const url = await page.locator('#share-url').inputValue();
      await page.goto(url);
      return;
    }
    case 'back':
      await page.goBack({ waitUntil: 'commit', timeout: 3000 }).catch(() => {});
      // Not back past the page itself (to the blank tab it opened in).
      if (!page.url().startsWith(server.url)) await page.goForward({ waitUntil: 'load', timeout: 5000 }).catch(() => {});
      return;
    case 'forward':
      await page.goForward({ waitUntil: 'commit', timeout: 3000 }).catch(() => {});
      return;
    case 'visit': {
      // Home most often: the diagnosis is where people work.
      const routes = ['#/', '#/', '#/', '#/findings', '#/help', `#/finding/${findingIds[a.m % findingIds.length]}`, '#/finding/no-such-id'];
      await page.evaluate((h) => { location.hash = h; }, routes[a.n % routes.length]);
      return;
    }
    case 'evidence': {
      const b = page.locator('.ev-line, .cov-seg');
      const c = await b.count();
      if (c && await b.nth(a.n % c).isVisible()) await b.nth(a.n % c).click();
      return;
    }
    case 'extra': {
      if (!home) return;
      const details = page.locator('details.extras');
      if (!(await details.evaluate((d) => d.open))) await details.locator('summary').click();
      const slot = SLOTS[a.n % SLOTS.length];
      const text = a.m % 3 === 0 ? '' : blocks[a.k % blocks.length];
      await page.locator(`#input-${slot}`).fill(text);
      return;
    }
    case 'showMore': {
      const b = page.locator('.more-evidence button, .md-preview summary, details.unread summary');
      const c = await b.count();
      if (c && await b.nth(a.n % c).isVisible()) await b.nth(a.n % c).click();
      return;
    }
    default:
      throw new Error(`unknown action ${a.kind}`);
  }
}

/** Wait until the page shows an answer for the inputs it holds (or the
 * empty state). A page that never does is dead. */
async function settle(page) {
  await page.waitForFunction(() => document.querySelector('.result .empty') ||
    document.querySelector('.report:not(.stale) [data-verdict]') || document.querySelector('[data-engine-error]'), null, { timeout: 15000 });
}

const cliCache = new Map();

/** What the CLI says for the inputs and options the page holds. */
async function expected(state) {
  const key = JSON.stringify(state);
  if (cliCache.has(key)) return cliCache.get(key);
  const dir = await mkdtemp(join(tmpdir(), 'e521-monkey-'));
  try {
    const names = [];
    for (const [name, text] of state.inputs) {
      await writeFile(join(dir, name), text);
      names.push(name);
    }
    const args = ['diagnose', ...names, '--format', 'json', '--ssl-mode', state.ssl];
    for (const p of state.ports) args.push('--port', String(p));
    const run = spawnSync(cli, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`err521 ${args.join(' ')}: ${run.stderr}`);
    const report = JSON.parse(run.stdout);
    // The page shows the primary finding (the first with its id), and the
    // others that are confirmed, likely or ruled out.
    const primaryAt = report.findings.findIndex((f) => f.id === report.primary);
    const shown = report.findings
      .filter((f, i) => i === primaryAt || ['confirmed', 'likely', 'ruled-out'].includes(f.status))
      .map((f) => `${f.id}:${f.status}`).sort();
    const out = { primary: report.primary || null, shown };
    cliCache.set(key, out);
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Compare the settled page with the CLI. Returns an error text or null;
 * states the CLI cannot reproduce (redaction, hand corrections) are
 * skipped. */
async function oracle(page, counts) {
  if (!(await present(page.locator('#paste')))) return null;
  await settle(page);
  const state = await page.evaluate((slots) => {
    const inputs = [];
    const paste = document.querySelector('#paste').value;
    if (paste.trim()) inputs.push(['paste', paste]);
    for (const s of slots) {
      const v = document.querySelector(`#input-${s}`)?.value || '';
      if (v.trim()) inputs.push([s, v]);
    }
    const ports = [...new Set((document.querySelector('#ports').value.match(/\d+/g) || []).map(Number)
      .filter((p) => p > 0 && p < 65536))].sort((a, b) => a - b);
    return {
      inputs, ports, ssl: document.querySelector('#ssl-mode').value,
      redacted: !!document.querySelector('#redact')?.checked,
      corrected: !!document.querySelector('.chip.corrected'),
      previewing: !!document.querySelector('#large-note'),
      page: {
        primary: document.querySelector('[data-primary="true"]')?.dataset.findingId || null,
        shown: [...document.querySelectorAll('.report [data-finding-id][data-status]')].map((e) => `${e.dataset.findingId}:${e.dataset.status}`).sort(),
        empty: !!document.querySelector('.result .empty'),
      },
    };
  }, SLOTS);
  if (state.redacted || state.corrected || state.previewing) return null;
  if (!state.inputs.length) return state.page.empty ? null : 'no inputs, but the page shows a report';
  counts.compared++;
  const want = await expected({ inputs: state.inputs, ports: state.ports, ssl: state.ssl });
  const got = { primary: state.page.primary, shown: state.page.shown };
  try {
    assert.deepEqual(got, want);
    return null;
  } catch {
    return `page ${JSON.stringify(got)} but the CLI says ${JSON.stringify(want)}`;
  }
}

/** Run `actions` on a fresh page; the first failure, or null. */
async function run(actions, { oracleEvery = ORACLE_EVERY, counts = { compared: 0 } } = {}) {
  const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => d.dismiss().catch(() => {}));
  try {
    await page.goto(server.url);
    await page.locator('#paste').waitFor();
    for (let i = 0; i < actions.length; i++) {
      try {
        await act(page, actions[i]);
      } catch (e) {
        // A click on something that just went away is not a page failure;
        // a page that stopped answering is.
        if (!(await page.evaluate(() => true).catch(() => false))) return { at: i, why: `dead page: ${e.message}` };
      }
      if (errors.length) return { at: i, why: errors.join('\n') };
      if (await page.locator('#crash').count()) return { at: i, why: `crash shown: ${await page.locator('#crash').innerText()}` };
      if ((i + 1) % oracleEvery === 0 || i === actions.length - 1) {
        let why;
        try {
          why = await oracle(page, counts);
        } catch (e) {
          why = `did not settle: ${e.message.split('\n')[0]}`;
        }
        if (errors.length) return { at: i, why: errors.join('\n') };
        if (why) return { at: i, why };
      }
    }
    return null;
  } finally {
    await context.close();
  }
}

/** Shrink a failing list (delta debugging over chunks, then single
 * actions), checking after every action so a shorter list still fails. */
async function shrink(actions, budget = 40) {
  let best = actions;
  let tries = 0;
  for (let chunk = Math.ceil(best.length / 2); chunk >= 1 && tries < budget; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < best.length && tries < budget;) {
      const candidate = [...best.slice(0, start), ...best.slice(start + chunk)];
      tries++;
      const failure = candidate.length ? await run(candidate, { oracleEvery: 1 }) : null;
      if (failure) best = candidate.slice(0, failure.at + 1);
      else start += chunk;
    }
  }
  return best;
}

for (const seed of SEEDS) {
  test(`monkey seed ${seed}: ${ACTIONS} random actions, no error, the page agrees with the CLI`, { timeout: 30 * 60_000 }, async (t) => {
    const actions = plan(seed, ACTIONS);
    const counts = { compared: 0 };
    const failure = await run(actions, { counts });
    if (failure) {
      const shortest = await shrink(actions.slice(0, failure.at + 1));
      const again = await run(shortest, { oracleEvery: 1 });
      assert.fail(`seed ${seed} failed at action ${failure.at + 1}: ${failure.why}\n` +
        `shortest failing action list (${shortest.length}): ${JSON.stringify(shortest)}\n` +
        `which fails with: ${again ? again.why : '(did not fail again: flaky)'}`);
    }
    t.diagnostic(`${counts.compared} settled states compared with the CLI`);
    // The oracle must have had its say, not skipped every state.
    assert.ok(counts.compared >= ACTIONS / ORACLE_EVERY / 4, `only ${counts.compared} states compared`);
  });
}
