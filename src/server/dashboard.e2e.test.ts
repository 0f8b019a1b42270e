/**
 * The dashboard end to end in a real browser (Debian's chromium driven by playwright-core): a small simulated
 * world goes through `vigil detect` (campaigns and attribution included) and `vigil notify`, `vigil serve`'s
 * server is started, and the operator and an organisation sign in and use it. No console errors are allowed;
 * screenshots go to test-results/. Then the server is restarted and everything is still there.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, test } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { detect } from '../cli/commands/detect.js';
import { notify } from '../cli/commands/notify.js';
import { simulate } from '../cli/commands/simulate.js';
import { loadOrganisations } from '../orgs/organisations.js';
import { openStore } from '../store/db.js';
import { campaignsInStore, type SeededCampaign } from './fixtures/seed.js';
import { startServer, type RunningServer } from './start.js';
import { createToken } from './tokens.js';

const CHROMIUM = '/usr/bin/chromium';
/** Campaigns the operator's overview lists (the rest are a click away). */
const OVERVIEW_CAMPAIGNS = 8;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'test-results');
/** A browser step that takes longer than this has hung: fail (or relaunch) in a minute, not at the suite's timeout. */
const STEP_MS = 60_000;

let dir: string;
let dbPath: string;
let orgsFile: string;
let dashboardDir: string;
let server: RunningServer;
let browser: Browser;
/** Every context a test opened, closed after it so that no test's pages weigh on the next one. */
const contexts: BrowserContext[] = [];
let campaigns: SeededCampaign[];
let orgToken: string;
let orgTenant: string;
let orgLanguage: string;
let operatorToken: string;
const names = new Map<string, string>();

async function startVigil(): Promise<RunningServer> {
  return startServer({ dbPath, port: 0, orgsFile, dashboardDir, geo: false, log: () => {} });
}

/**
 * Debian's Chromium as root needs --no-sandbox; the rest keep it off the closed network and off a small /dev/shm
 * (a container's 64 MiB), whose exhaustion makes Chromium hang rather than fail.
 */
async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${STEP_MS / 1000} s`)), STEP_MS); });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A page that records console errors and uncaught exceptions. A browser that died or hung (seen once in CI, where
 * `newContext` never answered) is replaced once, with a line in the test output; the dashboard's checks stay as strict.
 */
async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const open = () => within(browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-GB' }), 'browser.newContext');
  let context: BrowserContext;
  try {
    if (!browser.isConnected()) throw new Error('the browser is gone');
    context = await open();
  } catch (err) {
    console.error(`dashboard e2e: relaunching the browser: ${(err as Error).message}`);
    await within(browser.close(), 'browser.close').catch(() => {});
    browser = await launchBrowser();
    context = await open();
  }
  context.setDefaultTimeout(STEP_MS);
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return { page, errors };
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(server.url);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('kpis').waitFor();
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300); // charts draw on the next animation frame
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
const rows = (page: Page, testid: string) => page.locator(`[data-testid=${testid}] tbody tr`).count();

describe('dashboard in a real browser', { timeout: 600_000 }, () => {
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install it with apt-get install -y chromium`);
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'vigil-e2e-'));
    dbPath = join(dir, 'vigil.db');
    dashboardDir = join(dir, 'dashboard');
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs'), dashboardDir], { encoding: 'utf8' });
    assert.equal(built.status, 0, built.stderr);

    const world = join(dir, 'world');
    assert.equal(await simulate.run(['--out', world, '--days', '2', '--orgs', '4', '--scale', '0.25', '--seed', '1']), 0);
    orgsFile = join(world, 'orgs.yaml');
    const intel = [`--intel=tor:${join(world, 'intel', 'tor-exits.txt')}`, `--intel=${join(world, 'intel', 'attackers.stix.json')}`, `--orgs=${orgsFile}`];
    const detected = await detect.run(['--db', dbPath, '--out', join(dir, 'findings.jsonl'), '--quarantine', join(dir, 'quarantine.jsonl'), ...intel, join(world, 'logs')]);
    assert.equal(detected, 0);
    assert.equal(await notify.run(['--db', dbPath, '--orgs', orgsFile, '--outbox', join(dir, 'outbox'), '--min-severity', 'high']), 0);

    const orgs = loadOrganisations(orgsFile).organisations;
    for (const o of orgs) names.set(o.id, o.name);
    const db = openStore(dbPath);
    try {
      campaigns = campaignsInStore(db);
      assert.ok(campaigns.some((c) => c.actor && c.tenants.length >= 2), 'the world has an attributed campaign across organisations');
      // The organisation to sign in as: in a campaign, and not English, to see its language chosen for it.
      const inCampaign = orgs.filter((o) => campaigns.some((c) => c.tenants.includes(o.id)));
      const org = inCampaign.find((o) => o.language !== 'en') ?? inCampaign[0];
      orgTenant = org.id;
      orgLanguage = org.language;
      operatorToken = createToken(db, { role: 'operator', name: 'e2e' }).token;
      orgToken = createToken(db, { role: 'org', tenant: org.id, name: 'e2e' }).token;
    } finally {
      db.close();
    }
    server = await startVigil();
    browser = await launchBrowser();
  });

  afterEach(async () => {
    for (const context of contexts.splice(0)) await within(context.close(), 'context.close').catch(() => {});
  });

  after(async () => {
    await (browser ? within(browser.close(), 'browser.close').catch(() => {}) : undefined);
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the operator sees campaigns, timeline, map, organisations, and drills into a campaign and a finding', async () => {
    const { page, errors } = await newPage();
    await page.goto(server.url);
    await page.getByTestId('token-input').waitFor();
    await shot(page, 'login');
    await signIn(page, operatorToken);
    await settle(page);
    assert.equal((await page.getByTestId('who').textContent())?.trim(), 'Operator');

    const api = await (await fetch(new URL('/api/v1/summary', server.url), { headers: { authorization: `Bearer ${operatorToken}` } })).json();
    assert.equal((await page.getByTestId('kpi-findings').locator('.kpi-value').textContent())?.replace(/\D/g, ''), String(api.findings));
    assert.equal(await page.locator('[data-testid=timeline] canvas').count(), 1, 'the timeline is drawn');
    assert.equal(await page.locator('[data-testid=map] canvas').count(), 1, 'the map is drawn');
    assert.ok((await rows(page, 'countries-table')) >= 3, 'top source countries are listed');
    assert.equal(await rows(page, 'campaigns-table'), Math.min(OVERVIEW_CAMPAIGNS, campaigns.length));
    const orgNames = await page.getByTestId('organisations-table').textContent();
    for (const c of campaigns) for (const t of c.tenants) assert.ok(orgNames?.includes(names.get(t)!), `${names.get(t)} is listed`);
    await shot(page, 'operator-overview');

    // The campaign attributed to an actor comes first: its reasons, findings, accounts, infrastructure, evidence.
    const attributed = campaigns.filter((c) => c.actor).sort((a, b) => b.tenants.length - a.tenants.length)[0];
    const first = page.locator('[data-testid=campaigns-table] tbody tr').first();
    assert.match((await first.textContent()) ?? '', new RegExp(attributed.actor!));
    await first.click();
    await page.getByTestId('campaign-head').waitFor();
    await settle(page);
    assert.match((await page.getByTestId('campaign-head').textContent()) ?? '', /Why this attribution/);
    assert.equal(await rows(page, 'findings-table'), attributed.findings.length);
    assert.ok((await page.locator('[data-testid=campaign-accounts] tbody tr').count()) >= 8);
    assert.match((await page.getByTestId('campaign-infrastructure').textContent()) ?? '', /Source addresses/);
    assert.ok((await rows(page, 'evidence-table')) >= 1);
    await shot(page, 'operator-campaign');

    await page.locator('[data-testid=findings-table] tbody tr').first().click();
    await page.getByTestId('finding-desc').waitFor();
    await shot(page, 'operator-finding');

    // Findings filtered by type.
    await page.getByTestId('nav-findings').click();
    await page.getByTestId('filter-type').waitFor();
    await page.getByTestId('filter-type').selectOption('password_spray');
    await page.waitForURL(/type=password_spray/);
    await settle(page);
    const types = await page.locator('[data-testid=findings-table] tbody tr td:nth-child(2)').allTextContents();
    assert.ok(types.length >= 1 && types.every((t) => t.includes('Password spray')), types.join('|'));
    await shot(page, 'operator-findings');

    // Urdu: right to left, translated.
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('kpis').waitFor();
    await page.getByTestId('language').selectOption('ur');
    await page.locator('html[dir=rtl]').waitFor();
    await page.getByTestId('kpis').waitFor();
    await settle(page);
    assert.equal(await page.getByTestId('nav-overview').textContent(), 'جائزہ');
    await shot(page, 'operator-overview-ur');
    await page.getByTestId('language').selectOption('en');
    await page.locator('html[dir=ltr]').waitFor();
    assert.deepEqual(errors, []);
  });

  test("an organisation sees its own campaigns, accounts and notifications, in its language, and nobody else's", async () => {
    const { page, errors } = await newPage();
    await signIn(page, orgToken);
    await settle(page);
    assert.equal((await page.getByTestId('who').textContent())?.trim(), names.get(orgTenant));
    assert.equal(await page.getAttribute('html', 'lang'), orgLanguage);
    const mine = campaigns.filter((c) => c.tenants.includes(orgTenant));
    assert.equal(await rows(page, 'campaigns-table'), Math.min(OVERVIEW_CAMPAIGNS, mine.length));
    assert.ok((await rows(page, 'accounts-table')) >= 1);
    assert.ok((await rows(page, 'notifications-table')) >= 1);
    await shot(page, 'organisation-overview');

    const visited: string[] = [(await page.textContent('body')) ?? ''];
    await page.locator('[data-testid=campaigns-table] tbody tr').first().click();
    await page.getByTestId('campaign-head').waitFor();
    await settle(page);
    visited.push((await page.textContent('body')) ?? '');
    await shot(page, 'organisation-campaign');
    for (const route of ['#/notifications', '#/accounts', '#/findings']) {
      await page.evaluate((h) => (location.hash = h), route);
      await page.locator('[data-testid=view] .page').waitFor();
      await settle(page);
      visited.push((await page.textContent('body')) ?? '');
    }
    await shot(page, 'organisation-findings');
    // A notification: the message as it was prepared, in the organisation's language.
    await page.getByTestId('nav-notifications').click();
    await page.locator('[data-testid=notifications-table] tbody tr').first().click();
    await page.getByTestId('notification-text').waitFor();
    assert.match((await page.getByTestId('notification-text').textContent()) ?? '', new RegExp(names.get(orgTenant)!));
    visited.push((await page.textContent('body')) ?? '');
    await shot(page, 'organisation-notification');
    assert.equal(await page.getByTestId('nav-organisations').count(), 0, 'no organisations page for an organisation');
    for (const [id, name] of names) {
      if (id === orgTenant) continue;
      for (const text of visited) {
        assert.ok(!text.includes(name), `${name} is invisible to ${names.get(orgTenant)}`);
        assert.ok(!text.includes(id), `${id} is invisible`);
      }
    }
    assert.deepEqual(errors, []);
  });

  test('a wrong token is refused with a message', async () => {
    const { page, errors } = await newPage();
    await page.goto(server.url);
    await page.getByTestId('token-input').fill('vgl_' + 'x'.repeat(43));
    await page.getByTestId('login-submit').click();
    await page.getByText('This token is not valid').waitFor();
    // The browser reports the refused request itself; nothing else may go wrong.
    assert.ok(errors.every((e) => /401/.test(e)), errors.join('\n'));
  });

  test('after a restart everything is still there', async () => {
    const before = await (await fetch(new URL('/api/v1/summary', server.url), { headers: { authorization: `Bearer ${operatorToken}` } })).json();
    await server.close();
    server = await startVigil();
    const { page, errors } = await newPage();
    await signIn(page, operatorToken);
    await settle(page);
    assert.equal((await page.getByTestId('kpi-findings').locator('.kpi-value').textContent())?.replace(/\D/g, ''), String(before.findings));
    assert.equal((await page.getByTestId('kpi-campaigns').locator('.kpi-value').textContent())?.replace(/\D/g, ''), String(campaigns.length));
    assert.equal(await rows(page, 'campaigns-table'), Math.min(OVERVIEW_CAMPAIGNS, campaigns.length));
    const after = await (await fetch(new URL('/api/v1/summary', server.url), { headers: { authorization: `Bearer ${orgToken}` } })).json();
    assert.equal(after.tenant, orgTenant);
    await shot(page, 'operator-after-restart');
    assert.deepEqual(errors, []);
  });
});
