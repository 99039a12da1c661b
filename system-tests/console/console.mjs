// The console in a real browser (Debian's Chromium, headless, driven by playwright-core) against the whole local
// stack, run by AdminApiSystemTest. Each step waits for what the operator would see, within a bound, and fails with
// what it saw otherwise. Environment: CONSOLE_URL, CONSOLE_ADMIN and CONSOLE_READER (user:password), CONSOLE_PAIR,
// CONSOLE_A and CONSOLE_B (the servers), CONSOLE_MAC and CONSOLE_ADDRESS (a lease a real client just got),
// CONSOLE_SHOTS (where screenshots go), CONSOLE_SCRIPT (the local stack's script: partition and heal).
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';

const env = (name) => { const v = process.env[name]; assert.ok(v, `${name} is not set`); return v; };
const url = env('CONSOLE_URL');
const [pair, a, b] = [env('CONSOLE_PAIR'), env('CONSOLE_A'), env('CONSOLE_B')];
const shots = env('CONSOLE_SHOTS');
const credentials = (v) => { const i = v.indexOf(':'); return { username: v.slice(0, i), password: v.slice(i + 1) }; };
const step = (what) => console.log(`[console] ${what}`);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});

async function session(user) {
  const context = await browser.newContext({
    httpCredentials: credentials(user),
    viewport: { width: 1366, height: 900 }, // a laptop screen
  });
  const page = await context.newPage();
  // nothing but the admin API may be asked for anything (no CDN, no font service)
  const foreign = [];
  page.on('request', (r) => { if (!r.url().startsWith(url)) foreign.push(r.url()); });
  page.foreign = foreign;
  return page;
}

const server = (page, name) => page.locator(`section[data-relationship="${pair}"] article[data-server="${name}"]`);
const state = (page, name) => server(page, name).locator('[data-field="state"]');
async function expectState(page, name, expected, seconds) {
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.textContent.trim() === want,
    [`section[data-relationship="${pair}"] article[data-server="${name}"] [data-field="state"]`, expected],
    { timeout: seconds * 1000, polling: 250 });
}

try {
  // --- a reader: both servers NORMAL, no command anywhere --------------------------------------------------------
  const reader = await session(env('CONSOLE_READER'));
  await reader.goto(`${url}/console`);
  await expectState(reader, a, 'NORMAL', 60);
  await expectState(reader, b, 'NORMAL', 60);
  step('a reader sees both servers NORMAL');
  assert.equal(await reader.locator('button').count(), 0, 'a reader sees no command');
  assert.match(await server(reader, a).textContent(), /communicating/);
  await reader.screenshot({ path: `${shots}/console-relationships.png`, fullPage: true });

  // accessible: every input has a label, the first Tab lands on the skip link
  await reader.goto(`${url}/console/leases`);
  const unlabelled = await reader.$$eval('input', (inputs) =>
    inputs.filter((i) => !document.querySelector(`label[for="${i.id}"]`)).map((i) => i.name));
  assert.deepEqual(unlabelled, [], 'every input has a label');
  await reader.keyboard.press('Tab');
  assert.equal(await reader.evaluate(() => document.activeElement.textContent), 'Skip to content');

  // --- the lease a real client just got, and its history ----------------------------------------------------------
  await reader.getByLabel('MAC address').fill(env('CONSOLE_MAC'));
  await reader.getByRole('button', { name: 'Search' }).click();
  const row = reader.locator(`tr[data-address="${env('CONSOLE_ADDRESS')}"]`);
  await row.first().waitFor({ timeout: 30000 });
  assert.ok(await row.count() >= 1, 'the lease is found by its MAC address');
  await reader.screenshot({ path: `${shots}/console-leases.png`, fullPage: true });
  await row.first().getByRole('link').click();
  // its history: the event that bound it here (the granting server's "committed", or the partner's update)
  await reader.getByRole('cell', { name: 'ACTIVE', exact: true }).first().waitFor({ timeout: 10000 });
  assert.match(await reader.locator('table.history').textContent(), /committed|partner-update/);
  step(`the lease of ${env('CONSOLE_ADDRESS')} is found with its history`);

  await reader.goto(`${url}/console/scopes`);
  await reader.locator('table.scopes .bar').first().waitFor({ timeout: 30000 });
  await reader.screenshot({ path: `${shots}/console-scopes.png`, fullPage: true });
  assert.deepEqual(reader.foreign, [], 'the reader\'s pages asked only the admin API');

  // --- an admin: the failover link cut and healed, watched without reloading --------------------------------------
  const admin = await session(env('CONSOLE_ADMIN'));
  await admin.goto(`${url}/console`);
  await expectState(admin, a, 'NORMAL', 60);
  await admin.evaluate(() => { window.notReloaded = true; });
  execFileSync(env('CONSOLE_SCRIPT'), ['partition'], { stdio: 'inherit' });
  try {
    await expectState(admin, a, 'COMMUNICATIONS-INTERRUPTED', 90);
    await expectState(admin, b, 'COMMUNICATIONS-INTERRUPTED', 30);
    step('the cut link shows as COMMUNICATIONS-INTERRUPTED on both servers');
    assert.match(await server(admin, a).textContent(), /not communicating/);
    await admin.screenshot({ path: `${shots}/console-interrupted.png`, fullPage: true });
  } finally {
    execFileSync(env('CONSOLE_SCRIPT'), ['heal'], { stdio: 'inherit' });
  }
  await expectState(admin, a, 'NORMAL', 120);
  await expectState(admin, b, 'NORMAL', 60);
  assert.equal(await admin.evaluate(() => window.notReloaded), true, 'the page updated itself without reloading');
  step('healed: both NORMAL again');
  const history = await server(admin, a).locator('xpath=../..').locator('details.history').textContent();
  assert.match(history, /COMMUNICATIONS-INTERRUPTED/, 'the state history shows the interruption');

  // --- maintenance from the console: the partner takes over, then the server rejoins -------------------------------
  const dialogs = [];
  admin.on('dialog', (d) => { dialogs.push(d.message()); d.accept(); });
  await admin.getByRole('button', { name: `Start maintenance of ${a}` }).click();
  await admin.locator('#flash .ok').waitFor({ timeout: 20000 });
  assert.match(dialogs.at(-1), new RegExp(`hands all its clients and addresses to ${b}`), 'the confirmation says what it does');
  await expectState(admin, b, 'PARTNER-DOWN', 60);
  step(`${a} in maintenance: ${b} took over (PARTNER-DOWN)`);
  await admin.screenshot({ path: `${shots}/console-maintenance.png`, fullPage: true });
  await admin.getByRole('button', { name: `End maintenance of ${a}` }).click();
  assert.match(dialogs.at(-1), /recovers its bindings/);
  await expectState(admin, a, 'NORMAL', 180);
  await expectState(admin, b, 'NORMAL', 60);
  step(`${a} rejoined: both NORMAL`);
  assert.deepEqual(admin.foreign, [], 'the admin\'s pages asked only the admin API');
} finally {
  await browser.close();
}
