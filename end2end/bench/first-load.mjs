// First load on a cheap phone (issue 8): Debian's Chromium emulating a slow mobile link
// (1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip) and a CPU 4× slower, opens the
// sign-up page and a signed-in candidate's subjects page twice each (a fresh browser
// profile, then again with its cache) and prints the bytes on the wire and the time to
// interactive: from the start of navigation to the page's `ncre-interactive` performance
// mark, set once every form on it is hydrated (public/client.js). Beside them, in the same
// run, the floor: the same page with JavaScript off, to its load event.
//
//   BASE_URL=http://127.0.0.1:3000 FLOW_LOGIN=… FLOW_PASSWORD=… node bench/first-load.mjs
//
// The candidate must exist and be verified (scripts/bench firstload seeds one).
import { chromium } from '@playwright/test';

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
const login = process.env.FLOW_LOGIN;
const password = process.env.FLOW_PASSWORD;
if (!login || !password) {
  console.error('FLOW_LOGIN and FLOW_PASSWORD name a verified candidate');
  process.exit(2);
}

const KBIT = 1000 / 8; // bytes per second in one kbit/s
const NETWORK = { offline: false, latency: 150, downloadThroughput: 1600 * KBIT, uploadThroughput: 750 * KBIT };
const CPU_SLOWDOWN = 4;
const PHONE = { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-CN' };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

/** A throttled page whose CDP session counts the bytes each response took on the wire. */
async function throttledPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', NETWORK);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  const types = new Map();
  const wire = { total: 0, byType: {} };
  cdp.on('Network.responseReceived', (e) => types.set(e.requestId, e.type));
  cdp.on('Network.loadingFinished', (e) => {
    const type = (types.get(e.requestId) ?? 'Other').toLowerCase();
    wire.total += e.encodedDataLength;
    wire.byType[type] = (wire.byType[type] ?? 0) + e.encodedDataLength;
  });
  return { page, wire };
}

/** Opens `path` in `page` and waits until it is interactive; returns the time in ms. */
async function visit(page, path, scripted) {
  await page.goto(base + path, { waitUntil: 'load', timeout: 120_000 });
  // A redirect (to the sign-in page, say) would measure another page.
  if (new URL(page.url()).pathname !== path) throw new Error(`${path} led to ${page.url()}`);
  if (!scripted) {
    return page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd);
  }
  await page.waitForFunction(() => performance.getEntriesByName('ncre-interactive').length > 0, null, { timeout: 120_000 });
  return page.evaluate(() => performance.getEntriesByName('ncre-interactive')[0].startTime);
}

const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
const rows = [];

async function measure(label, path, prepare) {
  // JavaScript on: a fresh profile, then the same profile again.
  const context = await browser.newContext(PHONE);
  if (prepare) await prepare(context);
  const { page, wire } = await throttledPage(context);
  for (const visitName of ['first visit', 'second visit']) {
    const before = wire.total;
    const byTypeBefore = { ...wire.byType };
    const ms = await visit(page, path, true);
    // Late responses (a favicon) still count.
    await page.waitForTimeout(500);
    const parts = Object.entries(wire.byType)
      .map(([t, n]) => [t, n - (byTypeBefore[t] ?? 0)])
      .filter(([, n]) => n > 0)
      .map(([t, n]) => `${t} ${kb(n)}`)
      .join(', ');
    rows.push({ label, visit: visitName, bytes: wire.total - before, ms, parts });
  }
  await context.close();
  // The floor: the same page, JavaScript off, fresh profile, to its load event.
  const plain = await browser.newContext({ ...PHONE, javaScriptEnabled: false });
  if (prepare) await prepare(plain);
  const floor = await throttledPage(plain);
  const ms = await visit(floor.page, path, false);
  await floor.page.waitForTimeout(500);
  rows.push({ label, visit: 'JS off (floor)', bytes: floor.wire.total, ms, parts: '' });
  await plain.close();
}

/** Signs the context in as the candidate and takes it through agreement and information. */
async function atSubjects(context) {
  const post = async (path, form) => {
    const r = await context.request.post(base + path, { form, maxRedirects: 0 });
    if (r.status() !== 303) throw new Error(`${path}: status ${r.status()}: ${(await r.text()).slice(0, 300)}`);
  };
  await post('/pass/sign-in', { login, password });
  await post('/register/agreement', { accept: 'yes' });
  await post('/register/info', {
    gender: 'male', birth_date: '1990-01-01', ethnicity: '01', occupation: '01', education: '21',
    training_type: '3', postcode: '830000', address: '乌鲁木齐市天山区', email: '', department: '', major: '',
    class_name: '', student_no: '',
  });
}

await measure('sign-up page', '/pass/sign-up');
await measure('subjects page', '/register/subjects', atSubjects);
await browser.close();

console.log(`first load: ${NETWORK.downloadThroughput / KBIT} kbit/s down, ${NETWORK.latency} ms round trip, CPU ${CPU_SLOWDOWN}× slower`);
console.log('targets: first visit ≤ 150 KB and interactive ≤ 3 s; second visit interactive ≤ 1.5 s');
for (const r of rows) {
  console.log(`  ${r.label.padEnd(14)} ${r.visit.padEnd(15)} ${kb(r.bytes).padStart(9)} on the wire   ` +
    `${(r.ms / 1000).toFixed(2).padStart(5)} s to ${r.visit.startsWith('JS off') ? 'load' : 'interactive'}` +
    (r.parts ? `   (${r.parts})` : ''));
}
