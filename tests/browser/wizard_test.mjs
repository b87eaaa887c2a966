// End-to-end tests of the wizard page (issue 16) in a real browser: playwright-core driving
// Debian's chromium, headless, against a real `onboardd serve` on the test database
// (DATABASE_URL, DATABASE_SUPERUSER_URL from scripts/test). Each test signs in a user of its
// own; what the page recorded is checked in PostgreSQL too. A screenshot of each step goes to
// the folder given as the first argument.
//   node wizard_test.mjs <screenshot-dir>     (ctest runs it as browser_wizard; tests/browser/install
//   installs playwright-core, which scripts/test does)
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';

const binary = process.env.ONBOARDD_BIN;
const databaseUrl = process.env.DATABASE_URL;
const superUrl = process.env.DATABASE_SUPERUSER_URL;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = path.resolve(process.argv[2] || 'screenshots');
for (const [name, value] of Object.entries({ ONBOARDD_BIN: binary, DATABASE_URL: databaseUrl, DATABASE_SUPERUSER_URL: superUrl })) {
  if (!value) { console.error(`wizard_test: ${name} is not set (run through scripts/test)`); process.exit(2); }
}
if (!existsSync(chromiumPath)) {
  console.error(`wizard_test: no browser at ${chromiumPath} (scripts/deps installs Debian's chromium)`);
  process.exit(2);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.error('wizard_test: playwright-core is not installed (run tests/browser/install)');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const run = randomBytes(4).toString('hex');
const secret = randomBytes(32).toString('hex');

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
    server.on('error', reject);
  });
}

function token(sub) {
  return execFileSync(binary, ['token', '--sub', sub, '--email', `${sub}@example.com`, '--name', 'Browser Test'],
    { env: { ...process.env, AUTH_DEV_SECRET: secret }, encoding: 'utf8' }).trim();
}

function sql(query, ...params) {
  // psql -v vars are quoted by psql itself (:'name'), so no value is pasted into SQL text.
  const args = [superUrl, '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1'];
  params.forEach((p, i) => args.push('-v', `p${i + 1}=${p}`));
  return execFileSync('psql', args, { input: query, encoding: 'utf8' }).trim();
}

async function startServer() {
  const port = await freePort();
  const child = spawn(binary, ['serve'], {
    env: { ...process.env, AUTH_DEV_SECRET: secret, PORT: String(port), HOST: '127.0.0.1', THREADS: '1',
      REDIS_URL: '', AI_PROVIDER: 'rules', LOG_LEVEL: 'warn', CACHE_STATUS_LOCAL_TTL_MS: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(`${base}/readyz`)).ok) return { child, base }; } catch { /* not yet */ }
    if (child.exitCode !== null) throw new Error(`onboardd serve exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGTERM');
  throw new Error('onboardd serve did not become ready');
}

// A 64×64 PNG logo, inline so the test needs no fixture file.
function logoPng() {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAEAAAABACAIAAAAlC+aJAAAA6UlEQVR4nO3auxUCMQxE0c2pgZYokbpohHhJOcBi/ezRSqOj3O/G8raffDZ0gHcIQA8Bb3O9PeQb9WgAQNUdLnEBnOkhDCMgMN3JsAAm1dsMOsDUdBtDAVhWrzJIAYvr5QYRAFIvNIwBwHqJYQCA1w8NpQHwbonhEAAvFhqKAuCtckNFALxSZSAgGwDepzW0BzzvF/8SQAABBBBAAAFdAZAtDchv+KglICEgs+E7tSggp+FnZ11ANsNRZOn7QAVABsP/vAZXSqBBEtbmUr/YIE9q9ltltsFQ0vXHViDD+Tp/LaKHAPScHvAC1kqnZ00lCNYAAAAASUVORK5CYII=', 'base64');
}

const results = [];
async function test(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}\n${error.stack}`);
  }
}

const startedAt = Date.now();
const { child, base } = await startServer();
console.log(`onboardd serve ready in ${Date.now() - startedAt} ms`);
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });

console.log(`chromium up in ${Date.now() - startedAt} ms`);

// A browser context of its own (a separate "browser": no shared storage), failing on any
// Content-Security-Policy violation or script error the page reports.
async function newPage(options = {}) {
  const context = await browser.newContext({ locale: 'es-ES', ...options });
  context.setDefaultTimeout(15000);  // generous: CI machines are shared and slow
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' && !/401|Failed to load resource/.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => { window.__csp = (window.__csp || []).concat(e.violatedDirective); });
  });
  page.assertClean = async () => {
    const csp = await page.evaluate(() => window.__csp || []);
    assert.deepEqual(csp, [], 'no CSP violation');
    assert.deepEqual(page.problems, [], 'no script error');
  };
  return { context, page };
}

// The Location of the server's redirect that led to `response` (GET / → 302), or null.
async function redirectOf(response) {
  const from = response.request().redirectedFrom();
  if (!from) return null;
  const redirect = await from.response();
  assert.equal(redirect.status(), 302);
  return redirect.headers().location;
}

const shot = (page, name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
const heading = (page) => page.locator('#view-title');

async function expectHeading(page, text) {
  await page.waitForFunction((t) => document.querySelector('#view-title')?.textContent === t, text, { timeout: 15000 });
}

// The tests sign in users of their own, so they run side by side (the wall-clock time is
// mostly waiting for the browser and the server).
try {
  await Promise.all([test('full walk: welcome, a validation error corrected, AI accepted, logo, organization, completion', async () => {
    const user = `browser-${run}-walk`;
    const { context, page } = await newPage();
    const response = await page.goto(`${base}/onboarding/#token=${token(user)}`);
    const headers = response.headers();
    assert.match(headers['content-security-policy'], /script-src 'self'/);
    assert.equal(headers['x-frame-options'], 'DENY');
    await expectHeading(page, 'Bienvenida');
    assert.equal(new URL(page.url()).pathname, '/onboarding/welcome');
    assert.equal(new URL(page.url()).hash, '', 'the token leaves the address bar');
    // Every control has a label (its accessible name); the title has the focus.
    const unlabeled = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
      .filter((c) => c.type !== 'checkbox' && c.labels.length === 0).map((c) => c.id));
    assert.deepEqual(unlabeled, []);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'view-title');
    await shot(page, '1-welcome');
    await page.selectOption('#f-role', 'ceo');
    await page.selectOption('#f-experienceLevel', 'advanced');
    await page.click('button[type=submit]');

    await expectHeading(page, 'Empresa');
    await page.fill('#f-name', 'A');
    await page.click('button[type=submit]');
    await page.locator('#e-name').waitFor({ state: 'visible' });
    assert.match(await page.textContent('#e-name'), /entre 2 y 100/);
    assert.equal(await page.getAttribute('#f-name', 'aria-invalid'), 'true');
    assert.match(await page.textContent('#e-industry'), /obligatorio|permitido/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-name', 'the first wrong field has the focus');
    await shot(page, '2-company-validation-error');

    await page.fill('#f-name', 'Acme Software Uno');
    await page.fill('#f-description', 'Plataforma SaaS de software para equipos');
    await page.click('#ai-suggest');
    await page.locator('#ai-accept').waitFor();
    const suggested = await page.textContent('#ai-industry');
    assert.equal(suggested, 'Tecnología');
    const [decision] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/decision')),
      page.click('#ai-accept'),
    ]);
    assert.equal(decision.status(), 200);
    assert.equal(await page.inputValue('#f-industry'), 'technology');
    const suggestionId = decision.url().split('/').at(-2);
    assert.equal(sql(`select decision || '|' || coalesce(final_value::text, '') from ai_suggestions where id = :'p1'`, suggestionId), 'accepted|"technology"');

    await page.selectOption('#f-size', 'small');
    await page.setInputFiles('#f-logo', { name: 'logo.png', mimeType: 'image/png', buffer: logoPng() });
    await page.waitForFunction(() => document.querySelector('#logo-preview')?.src.startsWith('data:image/png'));
    await shot(page, '3-company');
    await page.click('button[type=submit]');

    await expectHeading(page, 'Organización');
    assert.equal(new URL(page.url()).pathname, '/onboarding/organization');
    // A reload resumes here; back on the company step its saved values and logo come back
    // (the logo from the draft, GET /api/onboarding/draft/image/...), and saving it again
    // keeps the logo.
    await page.reload();
    await expectHeading(page, 'Organización');
    await page.click('button:has-text("Atrás")');
    await expectHeading(page, 'Empresa');
    assert.equal(await page.inputValue('#f-name'), 'Acme Software Uno');
    assert.equal(await page.inputValue('#f-industry'), 'technology');
    await page.waitForFunction(() => document.querySelector('#logo-preview')?.src.startsWith('blob:'));
    await page.click('button[type=submit]');
    await expectHeading(page, 'Organización');
    await page.fill('#f-teamSize', '12');
    await page.selectOption('#f-structure', 'flat');
    await page.check('input[name=integrations][value=slack]');
    await page.fill('#f-departments', 'Ventas\nProducto');
    await shot(page, '4-organization');
    await page.click('button[type=submit]');

    await expectHeading(page, 'Revisa y termina');
    assert.match(await page.textContent('#view'), /Acme Software Uno/);
    assert.match(await page.textContent('#view'), /Ventas, Producto/);
    await shot(page, '5-review');
    await page.click('#finish');
    await expectHeading(page, '¡Tu organización está lista!');
    assert.equal(new URL(page.url()).pathname, '/onboarding/complete');
    assert.match(await page.textContent('#organization'), /acme-software-uno/);
    assert.match(await page.textContent('#organization'), /Slack/);
    await shot(page, '6-complete');
    await page.assertClean();
    // What the database holds: the organization with its logo and departments, owned by the user.
    assert.equal(sql(`select o.industry || '|' || o.team_size || '|' || array_to_string(o.integrations, ',')
      || '|' || (select count(*) from organization_logos l where l.organization_id = o.id)
      || '|' || (select string_agg(name, ',' order by name) from departments d where d.organization_id = o.id)
      from organizations o where o.created_by = :'p1'`, user), 'technology|12|slack|1|Producto,Ventas');
    await context.close();
  }),

  test('resume after a reload and in another browser; an AI suggestion modified; English', async () => {
    const user = `browser-${run}-resume`;
    const bearer = token(user);
    const first = await newPage({ locale: 'en-US' });
    await first.page.goto(`${base}/onboarding/#token=${bearer}`);
    await expectHeading(first.page, 'Welcome');
    await first.page.selectOption('#f-role', 'manager');
    await first.page.click('button[type=submit]');
    await expectHeading(first.page, 'Company');
    await first.page.fill('#f-name', 'Beta Consulting Partners');
    await first.page.selectOption('#f-size', 'medium');
    await first.page.fill('#f-description', 'Software for clinics');
    // A step not saved yet: a reload goes back to the step the server knows comes next.
    await first.page.reload();
    await expectHeading(first.page, 'Company');
    assert.equal(await first.page.inputValue('#f-name'), '', 'nothing of an unsaved step is kept');
    await first.page.goto(`${base}/onboarding/`);
    await expectHeading(first.page, 'Company');
    assert.match(await first.page.textContent('#notice'), /Pick up where you left off/);
    await first.page.click('button:has-text("Back")');
    await expectHeading(first.page, 'Welcome');
    assert.equal(await first.page.inputValue('#f-role'), 'manager', 'the saved step comes back');
    await first.page.assertClean();
    await first.context.close();

    // Another browser (no storage shared), the same user: the wizard resumes at step 2.
    const second = await newPage({ locale: 'en-US', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await second.page.goto(`${base}/onboarding/#token=${bearer}`);
    await expectHeading(second.page, 'Company');
    assert.equal(new URL(second.page.url()).pathname, '/onboarding/company');
    const overflow = await second.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling on a phone (${overflow} px too wide)`);
    await second.page.fill('#f-name', 'Beta Consulting Partners');
    await second.page.fill('#f-description', 'Software for clinics');
    await second.page.click('#ai-suggest');
    await second.page.locator('#ai-modify').waitFor();
    await second.page.click('#ai-modify');
    await second.page.selectOption('#ai-modify-select', 'consulting');
    await shot(second.page, '7-phone-ai-modify');
    const [decision] = await Promise.all([
      second.page.waitForResponse((r) => r.url().includes('/decision')),
      second.page.click('#ai-apply'),
    ]);
    assert.equal(decision.status(), 200);
    assert.equal(await second.page.inputValue('#f-industry'), 'consulting');
    assert.equal(sql(`select decision || '|' || final_value::text from ai_suggestions where id = :'p1'`, decision.url().split('/').at(-2)),
      'modified|"consulting"');
    await second.page.selectOption('#f-size', 'medium');
    await second.page.click('button[type=submit]');
    await expectHeading(second.page, 'Organization');
    await second.page.assertClean();
    await second.context.close();
  }),

  test('GET / redirects by status: signed out, by the Stack cookie to the next step, completed', async () => {
    const signedOut = await newPage();
    const first = await signedOut.page.goto(`${base}/`);
    assert.equal(await redirectOf(first), '/onboarding/');
    assert.equal(new URL(signedOut.page.url()).pathname, '/onboarding/');
    await expectHeading(signedOut.page, 'Inicia sesión para continuar');
    await shot(signedOut.page, '0-signed-out');
    await signedOut.context.close();

    // Stack's cookie (a URL-encoded JSON array, access token last), no Bearer anywhere.
    const user = `browser-${run}-cookie`;
    const { context, page } = await newPage();
    await context.addCookies([{ name: 'stack-access', value: encodeURIComponent(JSON.stringify(['refresh', token(user)])),
      url: base, httpOnly: true, sameSite: 'Lax' }]);
    assert.equal(await redirectOf(await page.goto(`${base}/`)), '/onboarding/welcome');
    assert.equal(new URL(page.url()).pathname, '/onboarding/welcome');
    await expectHeading(page, 'Bienvenida');
    // This step by keyboard only: the title has the focus, Tab walks the form in order, the
    // custom role's field stays out of the way, Enter saves.
    const focused = () => page.evaluate(() => document.activeElement.id || document.activeElement.type);
    assert.equal(await focused(), 'view-title');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'f-role');
    await page.keyboard.type('Colab');  // "Colaborador/a individual"
    assert.equal(await page.inputValue('#f-role'), 'individual');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'f-experienceLevel');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'submit');
    await page.keyboard.press('Enter');
    await expectHeading(page, 'Empresa');
    assert.equal(await redirectOf(await page.goto(`${base}/`)), '/onboarding/company');
    await expectHeading(page, 'Empresa');
    await page.fill('#f-name', 'Gamma Retail');
    await page.selectOption('#f-industry', 'retail');
    await page.selectOption('#f-size', 'startup');
    await page.click('button[type=submit]');
    await expectHeading(page, 'Organización');
    await page.click('button:has-text("Omitir este paso")');
    await expectHeading(page, 'Revisa y termina');
    await page.click('#finish');
    await expectHeading(page, '¡Tu organización está lista!');
    assert.equal(await redirectOf(await page.goto(`${base}/`)), '/onboarding/complete');
    await expectHeading(page, '¡Tu organización está lista!');
    assert.match(await page.textContent('#organization'), /Gamma Retail/);
    await page.assertClean();
    await context.close();
  })]);
} finally {
  await browser.close();
  child.kill('SIGTERM');
}

const failed = results.filter((r) => !r.ok);
console.log(`${results.length - failed.length} passed, ${failed.length} failed; screenshots in ${shots}`);
process.exit(failed.length ? 1 : 0);
