// Page speed figures (issue "Trust and speed"): the median of several runs,
// in headless Chromium on the built dist/, of
//   1. navigation to an interactive page (the paste area is usable),
//   2. pasting a realistic 20 KB ticket to the rendered verdict.
// Run: `trunk build --release --offline && node tests/e2e/perf.mjs [RUNS]`.
// Prints figures; asserts nothing about time (timings are reported, not tested).
import { serve, launch, fixture, paste } from './harness.mjs';

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

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const server = await serve();
const browser = await launch();
const text = await ticket20k();
const interactive = [];
const toResult = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.locator('#paste').waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('#paste')?.disabled);
    interactive.push(await page.evaluate(() => performance.now()));
    const t0 = Date.now();
    await paste(page, text);
    await page.locator('[data-primary="true"], .verdict').first().waitFor();
    toResult.push(Date.now() - t0);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
const fmt = (xs) => `median ${Math.round(median(xs))} ms (min ${Math.round(Math.min(...xs))}, max ${Math.round(Math.max(...xs))}, ${xs.length} runs)`;
console.log(`navigation to interactive: ${fmt(interactive)}`);
console.log(`20 KB ticket paste to rendered verdict: ${fmt(toResult)}`);
