// Page speed figures (issue "Trust and speed"): the median of several runs,
// in headless Chromium on the built dist/, of
//   1. navigation to an interactive page (the paste area is usable),
//   2. pasting a realistic 20 KB ticket to the rendered verdict, cold (the
//      analysis worker starts with the paste) and warm (it is running),
//   3. pasting a 5 MB ticket (the shape of worker.test.mjs: prompts, curl,
//      ufw, two nft rulesets, an error page, repeated) to the rendered
//      verdict, the worker running.
// Run: `trunk build --release --offline && node tests/e2e/perf.mjs [RUNS]`.
// Prints figures; asserts nothing about time (timings are reported, not tested).
import { serve, launch, fixture } from './harness.mjs';

const runs = Number(process.argv[2] || 7);

async function ticket20k() {
  const parts = [
    'tickets/ufw-partial-allowlist.txt',
    'scenarios/loud-bind-error-but-iptables-drops.txt',
    'scenarios/port-conflict-apache-holds-80.txt',
    'scenarios/oom-killed-nginx.txt',
    'tickets/mixed-fences-failed-nginx.md',
    'scenarios/aaaa-without-ipv6-listener.txt',
  ];
  let text = '';
  while (text.length < 20 * 1024) {
    for (const p of parts) text += (await fixture(p)) + '\n';
  }
  return text.slice(0, 20 * 1024);
}

/** A realistic 5 MB ticket: real-format outputs repeated, with prompts. */
async function ticket5m() {
  const parts = [
    ['$ curl -sv https://shop.example.net/', await fixture('error-page/curl-v-521-headers.txt')],
    ['root@web1:~# sudo ufw status verbose', await fixture('ufw/verbose-apps-reject.txt')],
    ['root@web1:~# sudo nft list ruleset', await fixture('nftables/inet-filter-cloudflare-set-no-icmpv6.nft')],
    ['root@web1:~# sudo nft list ruleset', await fixture('nftables/firewalld-nft-backend.nft')],
    ['', await fixture('error-page/visible-text-521.txt')],
  ];
  let out = '';
  let i = 0;
  while (out.length < 5 * 1024 * 1024) {
    const [cmd, body] = parts[i++ % parts.length];
    out += (cmd ? cmd + '\n' : '') + body.replace(/^(\$ |root@\S+# )/, '') + '\n\n';
  }
  return out;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Paste `text` the way a browser does (a paste event, then the text and an
 * input event of type insertFromPaste) and time, in the page, until the
 * verdict for it is rendered. */
async function pasteToVerdict(page, text) {
  return page.locator('#paste').evaluate((el, t) => new Promise((done) => {
    el.focus();
    el.select();
    // The report first turns stale (the inputs changed), then fresh again
    // with the new answer; a report still showing the old answer never counts.
    let stale = !document.querySelector('.report');
    const watch = new MutationObserver(() => {
      if (document.querySelector('.report.stale, .verdict-wait')) stale = true;
      else if (stale && document.querySelector('.report:not(.stale) [data-verdict]')) {
        watch.disconnect();
        done(performance.now() - t0);
      }
    });
    watch.observe(document.querySelector('.result'), { subtree: true, childList: true, attributes: true });
    const data = new DataTransfer();
    data.setData('text/plain', t);
    const t0 = performance.now();
    if (el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))) {
      el.setRangeText(t, el.selectionStart, el.selectionEnd, 'end');
      el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste', data: t }));
    }
  }), text);
}

const server = await serve();
const browser = await launch();
const text = await ticket20k();
// A second ticket, so a warm paste changes the verdict's inputs.
const other = text.slice(0, text.length - 2048);
const big = await ticket5m();
const interactive = [];
const cold = [];
const warm = [];
const large = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('#paste').waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('#paste')?.disabled);
    interactive.push(await page.evaluate(() => performance.now()));
    // Cold: the engine's worker starts with this paste.
    cold.push(await pasteToVerdict(page, text));
    // Warm: the worker is running.
    warm.push(await pasteToVerdict(page, other));
    warm.push(await pasteToVerdict(page, text));
    // 5 MB, the worker running (it was warmed by the pastes above).
    large.push(await pasteToVerdict(page, big));
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const fmt = (xs) => `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))}, ${xs.length} runs)`;
console.log(`navigation to interactive: ${fmt(interactive)}`);
console.log(`20 KB ticket paste to rendered verdict, cold (worker starting): ${fmt(cold)}`);
console.log(`20 KB ticket paste to rendered verdict, warm (worker running): ${fmt(warm)}`);
console.log(`5 MB ticket paste to rendered verdict, worker running: ${fmt(large)}`);
