// End-to-end test of the web app: trains two bundles with the real binary on a synthetic book,
// registers them, starts `loanrisk serve` on 127.0.0.1 and drives Debian's Chromium through every
// page with playwright-core. Fails on any console error, page error or failed request.
// Usage: node webapp.mjs LOANRISK_BINARY SCREENSHOT_DIR
// `document` and `window` appear only in page.evaluate / waitForFunction callbacks: they run in
// Chromium, not in node.
/* global document, window, NodeFilter */
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { walkGovernance } from './governance.mjs';
import { walkJobs } from './walks/jobs.mjs';
import { walkAccessibility } from './walks/a11y.mjs';
import { walkRuns } from './walks/runs.mjs';
import { walkInsight } from './walks/insight.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '../../web');
const [binaryArg, shots] = process.argv.slice(2);
const binary = binaryArg && path.resolve(binaryArg);
const CHROMIUM = process.env.LOANRISK_CHROMIUM || '/usr/bin/chromium';
const TOKEN = 'e2e-admin-token';
const WAIT = 60_000; // generous: the server may be the AddressSanitizer build

function fail(msg) {
  console.error(`e2e: ${msg}`);
  process.exit(1);
}
if (!binary || !shots) fail('usage: node webapp.mjs LOANRISK_BINARY SCREENSHOT_DIR');
if (!fs.existsSync(CHROMIUM))
  fail(`${CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)`);
let chromium;
try {
  ({ chromium } = createRequire(path.join(webDir, 'package.json'))('playwright-core'));
} catch {
  fail(
    'playwright-core is missing in web/node_modules: run scripts/setup.sh (it runs npm ci in web/)',
  );
}
fs.mkdirSync(shots, { recursive: true });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'loanrisk-e2e-'));
const store = `sqlite:///${path.join(tmp, 'store', 'loanrisk.db')}`;
let server = null,
  browser = null;

function cli(args) {
  const r = spawnSync(binary, args, { cwd: tmp, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0)
    throw new Error(`loanrisk ${args.join(' ')} exited ${r.status}: ${r.error || r.stderr}`);
  return r.stdout;
}

async function startServer() {
  server = spawn(
    binary,
    [
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--store',
      store,
      '--log-level',
      'warn',
      '--prediction-log',
      path.join(tmp, 'predictions'),
    ],
    {
      cwd: tmp,
      env: { ...process.env, LOANRISK_ADMIN_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  server.stderr.on('data', d => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s: ${err}`)), WAIT);
    server.stdout.on('data', d => {
      out += d;
      const m = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on('exit', code => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

async function api(base, method, p, body, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(base + p, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return {
    status: r.status,
    headers: r.headers,
    body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text,
  };
}

const problems = [];
function watch(page, base) {
  // The monitoring route is optional (404 when the server keeps no prediction log).
  const optional = u => u === `${base}/api/v1/monitoring`;
  page.on('console', m => {
    if (m.type() === 'error' && !(m.text().includes('404') && optional(m.location().url)))
      problems.push(`console error: ${m.text()} at ${m.location().url}`);
  });
  page.on('pageerror', e => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', r =>
    problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`),
  );
  page.on('response', r => {
    if (r.status() >= 400 && !optional(r.url())) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
}

async function shot(page, name) {
  await page.waitForTimeout(300); // let charts finish drawing
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/// At phone width every page fits without sideways scrolling, and no word in a table or heading is
/// broken across lines (hashes and ids in code may break). Screenshot NAME-phone.
async function phoneCheck(page, base, name, ready) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/#/${name}`);
  await page.waitForSelector(ready);
  await page.waitForTimeout(500); // charts are drawn on the next frame
  const found = await page.evaluate(() => {
    const out = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1)
      out.push(`page is ${document.documentElement.scrollWidth} px wide`);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const word = n.textContent.trim();
      const host = n.parentElement;
      // A hyphen or slash is a break point typography allows ("attach-report").
      if (!word || /[\s/-]/.test(word) || word.length > 24) continue;
      if (!host.closest('th, td, h1, h2, h3, label, button, .kpi') || host.closest('code, .hash'))
        continue;
      if (!host.getClientRects().length) continue; // not displayed
      const range = document.createRange();
      range.selectNodeContents(n);
      if (range.getClientRects().length > 1) out.push(`"${word}" is broken across lines`);
    }
    return out;
  });
  assert.deepEqual(found, [], `${name} at 390 px`);
  await shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function pdShown(page, previous) {
  await page.waitForFunction(
    prev => {
      const n = document.querySelector('[data-testid=pd-value]');
      return (
        n &&
        n.dataset.pd &&
        n.dataset.pd !== prev &&
        document.querySelector('section[data-page=predict]').getAttribute('aria-busy') === 'false'
      );
    },
    previous ?? '',
    { timeout: WAIT },
  );
  return page.$eval('[data-testid=pd-value]', n => n.dataset.pd);
}

const applicant = {
  credit_lines_outstanding: 3,
  loan_amt_outstanding: 5200,
  total_debt_outstanding: 21000,
  income: 40000,
  years_employed: 2,
  fico_score: 590,
};

async function main() {
  cli(['synth', '--rows', '2000', '--seed', '7', '--out', 'book.csv']);
  cli([
    'train',
    '--data',
    'book.csv',
    '--seed',
    '1',
    '--out',
    'b1',
    '--store',
    store,
    '--experiment',
    'e2e',
    '--register',
    'loan-default',
    '--reason',
    'first model',
  ]);
  cli([
    'train',
    '--data',
    'book.csv',
    '--seed',
    '2',
    '--out',
    'b2',
    '--store',
    store,
    '--experiment',
    'e2e',
    '--register',
    'loan-default',
    '--alias',
    'challenger',
    '--reason',
    'second model',
  ]);
  // @champion moves on validation evidence: each version is validated on a second book (gates
  // loose enough for the synthetic book; the gates' own tests are in C++) and the report attached.
  cli(['synth', '--rows', '2000', '--seed', '8', '--out', 'holdout.csv']);
  fs.writeFileSync(
    path.join(tmp, 'loose.toml'),
    '[validation]\njeffreys_amber = 1e-9\njeffreys_red = 1e-10\nhosmer_lemeshow_amber = 1e-9\n' +
      'hosmer_lemeshow_red = 1e-10\nece_amber = 0.4\nece_red = 0.5\nherfindahl_amber = 0.9\n' +
      'herfindahl_red = 0.95\nauc_decline_amber = 1e-9\nauc_decline_red = 1e-10\n',
  );
  for (const v of ['1', '2']) {
    cli([
      'validate',
      '--model',
      `models:/loan-default/${v}`,
      '--data',
      'holdout.csv',
      '--config',
      'loose.toml',
      '--out',
      `validation-${v}`,
      '--store',
      store,
    ]);
    cli(['models', 'attach-report', 'loan-default', v, `validation-${v}`, '--store', store]);
  }
  cli([
    'models',
    'alias',
    'loan-default',
    'champion',
    '1',
    '--reason',
    'first model',
    '--store',
    store,
  ]);
  const base = await startServer();

  // The app shell: served from the binary with a CSP and an ETag that revalidates.
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(index.headers.get('content-security-policy'), /script-src 'self'/);
  const etag = index.headers.get('etag');
  assert.equal((await fetch(`${base}/`, { headers: { 'If-None-Match': etag } })).status, 304);
  assert.match(
    (await fetch(`${base}/app/vendor/echarts.min.js`)).headers.get('content-type'),
    /javascript/,
  );

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  // Cold load (empty cache) of the Predict page to its first PD, with gzip (what a browser asks
  // for) and without: bytes on the wire and time, for the closing notes; only bytes are asserted.
  const cold = {};
  for (const encoding of ['gzip', 'identity']) {
    const ctx = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      extraHTTPHeaders: encoding === 'identity' ? { 'Accept-Encoding': 'identity' } : {},
    });
    const p = await ctx.newPage();
    const responses = [];
    p.on('response', r => responses.push(r));
    const started = Date.now();
    await p.goto(`${base}/#/predict`);
    await pdShown(p);
    const ms = Date.now() - started;
    let bytes = 0;
    for (const r of responses) bytes += (await r.request().sizes()).responseBodySize;
    cold[encoding] = { bytes, ms };
    await ctx.close();
  }
  console.log(
    `e2e: cold load to the first PD: ${(cold.gzip.bytes / 1024).toFixed(0)} KiB in ${cold.gzip.ms} ms ` +
      `with gzip, ${(cold.identity.bytes / 1024).toFixed(0)} KiB in ${cold.identity.ms} ms without`,
  );
  assert.ok(cold.gzip.bytes * 2 < cold.identity.bytes, 'gzip at least halves the cold load');

  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  lastPage = page;
  watch(page, base);

  // Predict: the form's PD equals the API's PD for the same input.
  await page.goto(`${base}/#/predict`);
  let pd = await pdShown(page);
  for (const [k, v] of Object.entries(applicant)) await page.fill(`#f-${k}`, String(v));
  await page.click('button[type=submit]');
  pd = await pdShown(page, pd);
  const fromApi = await api(base, 'POST', '/api/v1/predict', applicant);
  assert.equal(Number(pd), fromApi.body.predictions[0].pd, "the form shows the API's PD");
  assert.equal(await page.textContent('[data-testid=grade]'), fromApi.body.predictions[0].grade);
  assert.equal(
    await page.locator('[data-testid=reasons] li').count(),
    fromApi.body.predictions[0].reasons.length,
  );
  await shot(page, 'predict');

  // "What if": moving a slider re-scores without pressing the button. The FICO slider is linear
  // over 300..850 in 1000 steps: position 909 is 800.
  const slid = Date.now();
  await page.fill('#f-fico_score-slider', '909');
  const moved = await pdShown(page, pd);
  console.log(`e2e: slider to PD shown in ${Date.now() - slid} ms (120 ms of it is the debounce)`);
  assert.equal(await page.inputValue('#f-fico_score'), '800');
  const at800 = await api(base, 'POST', '/api/v1/predict', { ...applicant, fico_score: 800 });
  assert.equal(Number(moved), at800.body.predictions[0].pd);
  // A slider look-up is not a decision: nothing to print.
  assert.match(await page.textContent('[data-testid=decision-record]'), /not a decision/);
  assert.ok(await page.isDisabled('[data-testid=print-decision]'));
  // Money sliders run on a log scale over the whole valid range (0 to 100,000,000 USD).
  await page.fill('#f-income-slider', '1000');
  assert.equal(await page.inputValue('#f-income'), '100000000');
  const atTop = await pdShown(page, moved);
  await page.fill('#f-income', String(applicant.income));
  await page.fill('#f-fico_score', String(applicant.fico_score));

  // An answer is shown only for its inputs: typing marks it out of date until Score is pressed.
  await page.click('button[type=submit]');
  pd = await pdShown(page, atTop);
  await page.fill('#f-loan_amt_outstanding', '5300');
  await page.waitForSelector('#result.stale [data-testid=stale-note]');
  assert.match(await page.textContent('[data-testid=stale-note]'), /Out of date/);
  await page.fill('#f-loan_amt_outstanding', String(applicant.loan_amt_outstanding));
  await page.waitForFunction(() => !document.querySelector('#result.stale'));

  // A decision to keep: the customer id, the time and the model on the record, the tab's list.
  await page.fill('#f-customer_id', 'C-1001');
  await page.click('button[type=submit]');
  await page.waitForFunction(() =>
    /customer C-1001/.test(document.querySelector('[data-testid=decision-record]').textContent),
  );
  assert.match(
    await page.textContent('[data-testid=decision-record]'),
    /Decision for customer C-1001, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, by loan-default version \d+\./,
  );
  assert.ok(!(await page.isDisabled('[data-testid=print-decision]')));
  assert.match(await page.textContent('[data-testid=recent-scorings] tbody tr'), /C-1001/);
  // Printed, the decision stands alone: the answer with its record, not the form or the list.
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.isVisible('[data-testid=decision-record]'));
  assert.ok(await page.isVisible('[data-testid=pd-value]'));
  assert.ok(!(await page.isVisible('#f-income')));
  assert.ok(!(await page.isVisible('[data-testid=recent-scorings]')));
  await page.emulateMedia({ media: 'screen' });

  // Contributions in PD points by default; log-odds for analysts on demand.
  assert.equal(await page.inputValue('#waterfall-space'), 'pd');
  assert.match(await page.textContent('[data-testid=waterfall-note]'), /percentage points/);
  await page.selectOption('#waterfall-space', 'log-odds');
  assert.match(await page.textContent('[data-testid=waterfall-note]'), /log-odds/);
  await page.selectOption('#waterfall-space', 'pd');

  // A very safe applicant's PD keeps its digits (never "0.00%").
  const safe = {
    credit_lines_outstanding: 0,
    loan_amt_outstanding: 1000,
    total_debt_outstanding: 1000,
    income: 200000,
    years_employed: 30,
    fico_score: 850,
  };
  for (const [k, v] of Object.entries(safe)) await page.fill(`#f-${k}`, String(v));
  await page.click('button[type=submit]');
  await page.waitForFunction(() => !document.querySelector('#result.stale'));
  const safePd = (await api(base, 'POST', '/api/v1/predict', safe)).body.predictions[0].pd;
  const safeText = await page.textContent('[data-testid=pd-value]');
  console.log(`e2e: the safest applicant's PD ${safePd} is shown as ${safeText}`);
  assert.notEqual(safeText, '0.00%');
  if (safePd > 0 && safePd < 0.01) assert.match(safeText, /^0\.0*[1-9]\d{2}%$/);
  for (const [k, v] of Object.entries(applicant)) await page.fill(`#f-${k}`, String(v));

  // Inline validation mirrors the API's rules and sends nothing; an invalid Score clears the
  // answer instead of leaving the last one on screen.
  const requestsBefore = problems.length;
  await page.fill('#f-fico_score', '900');
  await page.waitForSelector('#f-fico_score[aria-invalid=true]');
  assert.match(await page.textContent('#f-fico_score-error'), /must be between 300 and 850/);
  const apiRule = await api(base, 'POST', '/api/v1/predict', { ...applicant, fico_score: 900 });
  assert.equal(apiRule.status, 422);
  assert.match(
    await page.textContent('#f-fico_score-error'),
    new RegExp(apiRule.body.problems[0].rule),
  );
  await page.fill('#f-years_employed', '2.5');
  assert.match(await page.textContent('#f-years_employed-error'), /must be a whole number/);
  await page.fill('#f-income', '');
  assert.match(await page.textContent('#f-income-error'), /is required/);
  // Letters are "must be a number" (a number field read them as empty), and "7x0" is not 70.
  await page.fill('#f-income', '7x0');
  assert.match(await page.textContent('#f-income-error'), /Annual income must be a number\./);
  await page.fill('#f-loan_amt_outstanding', '5,200');
  assert.equal(await page.textContent('#f-loan_amt_outstanding-error'), '');
  await page.click('button[type=submit]');
  assert.equal(await page.textContent('[data-testid=pd-value]'), '—');
  assert.equal(await page.textContent('[data-testid=decision]'), '—');
  assert.match(await page.textContent('[data-testid=predict-status]'), /Fix the highlighted/);
  await shot(page, 'predict-invalid');
  assert.equal(problems.length, requestsBefore);

  // The server out of reach: the answer is cleared and the words say what to do (not "Failed to
  // fetch"). The aborted requests are this check's own, not problems.
  for (const [k, v] of Object.entries(applicant)) await page.fill(`#f-${k}`, String(v));
  await page.click('button[type=submit]');
  pd = await pdShown(page);
  await page.route('**/api/v1/predict*', route => route.abort('connectionrefused'));
  await page.click('button[type=submit]');
  await page.waitForFunction(() =>
    /could not be reached/.test(document.querySelector('[data-testid=predict-status]').textContent),
  );
  assert.equal(await page.textContent('[data-testid=pd-value]'), '—');
  await page.unroute('**/api/v1/predict*');
  problems.splice(requestsBefore);

  // Phone width: the page fits without sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await pdShown(page);
  await page.waitForTimeout(500); // charts are drawn on the next frame
  assert.ok(
    await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1),
    'no horizontal overflow at 390 px',
  );
  await shot(page, 'predict-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  // Batch: upload a CSV with a bad row, download the scored file.
  const csv =
    [
      'customer_id,credit_lines_outstanding,loan_amt_outstanding,total_debt_outstanding,income,years_employed,fico_score',
      'c1,1,4000,8000,70000,5,650',
      'c2,4,9000,30000,35000,1,520',
      'c3,2,3000,6000,60000,4,999',
      'c4,0,1000,2000,90000,10,780',
    ].join('\n') + '\n';
  fs.writeFileSync(path.join(tmp, 'upload.csv'), csv);
  await page.goto(`${base}/#/batch`);
  await page.setInputFiles('#batch-file', path.join(tmp, 'upload.csv'));
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=download]');
  assert.match(await page.textContent('[data-testid=batch-stage]'), /Scored 3 rows, rejected 1/);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=download]'),
  ]);
  const scored = fs
    .readFileSync(await download.path(), 'utf8')
    .trim()
    .split('\n');
  assert.equal(scored[0], 'line,customer_id,pd,grade,decision,expected_loss,error');
  assert.equal(scored.length, 5);
  assert.match(scored[3], /^4,,,,,,.*fico_score/);
  const direct = await fetch(`${base}/api/v1/score-csv`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv' },
    body: csv,
  });
  assert.equal(
    await direct.text(),
    scored.join('\n') + '\n',
    "the download is the server's scored CSV",
  );
  await shot(page, 'batch');

  // A file larger than one request may carry, semicolon-separated with decimal commas and a
  // default column: scored in parts, its line numbers kept, and its AUC, KS and confusion matrix
  // shown. The AUC is recomputed here from the download and the file's outcomes.
  const limits = (await api(base, 'GET', '/api/v1/model')).body.limits;
  assert.equal(limits.max_batch, 10000);
  const rowsWanted = limits.max_batch + 500;
  cli(['synth', '--rows', String(rowsWanted), '--seed', '11', '--out', 'big.csv']);
  const bigLines = fs.readFileSync(path.join(tmp, 'big.csv'), 'utf8').trim().split('\n');
  const semicolons = bigLines.map(l => l.replaceAll(',', ';').replace(/(\d)\.(\d)/g, '$1,$2'));
  fs.writeFileSync(path.join(tmp, 'big-semicolon.csv'), semicolons.join('\r\n') + '\r\n');
  await page.setInputFiles('#batch-file', path.join(tmp, 'big-semicolon.csv'));
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=batch-metrics]', { timeout: 300_000 });
  assert.match(
    await page.textContent('[data-testid=batch-stage]'),
    new RegExp(
      `^Scored ${rowsWanted} rows, rejected 0, in [\\d.]+ s \\(2 requests\\)\\. Read as ` +
        'semicolon-separated, [\\d,]+ decimal commas read as points\\.$',
    ),
  );
  const [bigDownload] = await Promise.all([
    page.waitForEvent('download'),
    page.click('[data-testid=download]'),
  ]);
  const bigScored = fs
    .readFileSync(await bigDownload.path(), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  assert.equal(bigScored.length, rowsWanted);
  const head = bigLines[0].split(',');
  const defaults = new Map(
    bigLines.slice(1).map((l, i) => [String(i + 2), Number(l.split(',')[head.indexOf('default')])]),
  );
  const pds = [],
    labels = [];
  for (const l of bigScored) {
    const f = l.split(',');
    pds.push(Number(f[2]));
    labels.push(defaults.get(f[0]));
  }
  const { rankMetrics } = await import('../../web/app/csv.js');
  const expected = rankMetrics(pds, labels);
  const shown = /AUC ([\d.]*\d), KS ([\d.]*\d)/.exec(
    await page.textContent('[data-testid=batch-metrics]'),
  );
  assert.ok(Math.abs(Number(shown[1]) - expected.auc) < 1e-4, `AUC ${shown[1]} vs ${expected.auc}`);
  assert.ok(Math.abs(Number(shown[2]) - expected.ks) < 1e-4, `KS ${shown[2]} vs ${expected.ks}`);
  assert.equal(
    await page.locator('[data-testid=batch-performance] tbody tr').count(),
    2,
    'the confusion matrix has its two rows',
  );
  await shot(page, 'batch-labelled');

  // Models: promote version 2 to champion, then the predictions come from it. Nobody is signed
  // in yet: the page asks for a token first (single-user mode: the admin token).
  await page.goto(`${base}/#/models`);
  // Each version shows its validation report; champion and challenger side by side.
  await page.waitForSelector('[data-report="2-green"]');
  const v2 = (await api(base, 'GET', '/api/v1/models')).body.models[0].versions[1];
  assert.equal(
    await page.getAttribute('[data-report="2-green"]', 'href'),
    `/api/v1/reports/${v2.reports[0].sha256}`,
  );
  await page.waitForSelector('h2:has-text("Champion and challenger")');
  await page.click('[data-promote="2"]');
  await page.fill('#signin-token', TOKEN);
  await page.click('#signin-submit');
  await page.waitForSelector('[data-testid=signed-in-as]');
  assert.equal(
    await page.textContent('[data-testid=signed-in-as]'),
    'Signed in as admin-token (admin)',
  );
  // The session cookie: Secure, HttpOnly, SameSite=Strict; the page's scripts cannot read it.
  const cookies = await page.context().cookies();
  const session = cookies.find(c => c.name === 'loanrisk_session');
  assert.ok(session, `a session cookie: ${JSON.stringify(cookies.map(c => c.name))}`);
  assert.deepEqual([session.httpOnly, session.secure, session.sameSite], [true, true, 'Strict']);
  assert.equal(await page.evaluate(() => document.cookie.includes('loanrisk_session')), false);
  // The cookie alone does not change state: without the page's CSRF token the server refuses.
  const withCookie = extra =>
    fetch(`${base}/api/v1/admin/reload`, {
      method: 'POST',
      headers: { Cookie: `loanrisk_session=${session.value}`, ...extra },
    });
  const forged = await withCookie({});
  assert.equal(forged.status, 403);
  assert.match((await forged.json()).error, /CSRF token/);
  const csrf = (
    await (
      await fetch(`${base}/api/v1/session`, {
        headers: { Cookie: `loanrisk_session=${session.value}` },
      })
    ).json()
  ).csrf_token;
  assert.equal((await withCookie({ 'X-CSRF-Token': csrf })).status, 200);
  await page.fill('#promote-reason', 'e2e: challenger wins');
  await page.click('dialog button[type=submit]');
  await page.waitForSelector('[data-testid=promote-result] .ok-box[data-version="2"]');
  const after = await api(base, 'POST', '/api/v1/predict', applicant);
  assert.equal(after.body.model.version, '2');
  const history = (await api(base, 'GET', '/api/v1/models')).body.models[0].history;
  assert.equal(history.at(-1).reason, 'e2e: challenger wins');
  await shot(page, 'models');
  await page.goto(`${base}/#/predict`);
  await pdShown(page);
  assert.equal(await page.$eval('[data-testid=answered-by]', n => n.dataset.version), '2');

  // Experiments: compare two runs, start a 3-trial tuning run and see it finish in the table.
  await page.goto(`${base}/#/experiments`);
  await page.waitForSelector('[data-testid=runs-table] tbody tr');
  const boxes = page.locator('[data-testid=runs-table] tbody input[type=checkbox]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.click('text=Compare selected');
  await page.waitForSelector('[data-testid=compare] table');
  await page.selectOption('#job-family', 'xgboost');
  await page.check('#job-tune');
  await page.fill('#job-trials', '3');
  await page.fill('#job-experiment', 'e2e-tuning');
  await page.click('form[aria-label="Start a run"] button[type=submit]');
  await page.waitForSelector(
    '[data-testid=job-status] [data-state=succeeded], [data-testid=job-status] [data-state=failed]',
    { timeout: 600_000 },
  );
  assert.match(
    await page.textContent('[data-testid=job-status]'),
    /started by admin-token/,
    'the job names who started it',
  );
  assert.equal(
    await page.$eval('[data-testid=job-status] [data-state]', n => n.dataset.state),
    'succeeded',
    await page.textContent('[data-testid=job-status]'),
  );
  await page.selectOption('#runs-experiment', 'e2e-tuning').catch(() => {});
  await page.fill('#runs-filter', 'e2e-tuning');
  // The study's run, its trials and refit folded under it (tests/e2e/walks/runs.mjs unfolds them).
  await page.waitForSelector(
    '[data-testid=runs-table] tbody tr[data-depth="0"] button[data-expand]',
  );
  await page.click('button[data-study^="web-xgboost-"]');
  await page.waitForSelector('[data-testid=study] canvas');
  // Every trial in the table with its state; the states counted; pruned trials never show 0.
  const studyName = await page.getAttribute('button[data-study^="web-xgboost-"]', 'data-study');
  const studyApi = (await api(base, 'GET', `/api/v1/studies/${encodeURIComponent(studyName)}`))
    .body;
  assert.equal(
    await page.locator('[data-testid=trials-table] tbody tr').count(),
    studyApi.history.length,
  );
  assert.match(
    await page.textContent('[data-testid=study-states]'),
    new RegExp(`^${studyApi.states.COMPLETE} complete, ${studyApi.states.PRUNED} pruned, `),
  );
  for (const h of studyApi.history.filter(t => t.state === 'PRUNED'))
    assert.ok(h.value === null, `pruned trial ${h.number} has no objective`);
  await shot(page, 'experiments');
  // Jobs followed across pages, their log, and a study stopped from its view (walks/jobs.mjs).
  await walkJobs({ page, base, api, shot, token: TOKEN });

  // Data, Monitoring, Overview and Model card.
  await walkInsight({ page, base, api, shot, tmp, rowsWanted, bigLines, problems });
  await page.goto(`${base}/#/card`);
  await page.waitForSelector('[data-testid=model-card] h2');
  // Underscores inside names stay literal (no stray emphasis).
  assert.match(await page.textContent('[data-testid=model-card]'), /max_depth=4/);
  // On paper: the model's name and version, not the Print button.
  await page.emulateMedia({ media: 'print' });
  assert.match(
    await page.textContent('section[data-page=card] h1'),
    /^Model card: loan-default v\d+$/,
  );
  assert.ok(await page.isVisible('section[data-page=card] h1'));
  assert.ok(!(await page.isVisible('section[data-page=card] button')));
  await page.emulateMedia({ media: 'screen' });
  await shot(page, 'card');

  // Every page at phone width (the Predict page, with its answer, was checked above).
  for (const [name, ready] of [
    ['overview', '[data-testid=overview-drift]'],
    ['predict', '[data-testid=pd-value][data-pd]'],
    ['batch', '#batch-file'],
    ['models', '[data-report="2-green"]'],
    ['experiments', '[data-testid=runs-table] tbody tr'],
    ['data', 'text=Pearson correlations'],
    ['monitoring', 'h1'],
    ['card', '[data-testid=model-card] h2'],
  ])
    await phoneCheck(page, base, name, ready);
  // The correlation heatmap on a phone: numbered axes and a key naming every column.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}/#/data`);
  await page.waitForSelector('[data-testid=correlation-key] li');
  assert.ok((await page.locator('[data-testid=correlation-key] li').count()) >= 7);
  await page.setViewportSize({ width: 1280, height: 900 });

  await walkAccessibility({ page, base, token: TOKEN });
  await walkGovernance({ page, base, cli, api, shot, store, applicant, session, token: TOKEN });
  await walkRuns({ browser, base, cli, api, shot, store, wait: WAIT });

  assert.deepEqual(problems, [], 'no console error, page error or failed request');
  console.log(`e2e: every page passed; screenshots in ${shots}`);
}

let code = 0;
let lastPage = null;
try {
  await main();
} catch (e) {
  console.error(e.stack || e.message);
  if (lastPage)
    await lastPage
      .screenshot({ path: path.join(shots, 'failure.png'), fullPage: true })
      .catch(() => {});
  if (problems.length) console.error(`browser problems:\n${problems.join('\n')}`);
  code = 1;
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise(r => {
      server.once('exit', r);
      setTimeout(r, 10_000);
    });
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(code);
