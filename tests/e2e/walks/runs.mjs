// The runs walk of the web app's end-to-end test, called by webapp.mjs once a tuning study has run
// (so there is a study run with trials and a refit) and the team has users (four-eyes). As an
// analyst, in a browser context of its own (the caller's page and session stay as they were):
// - a study's trials are folded under it, unfolded from the keyboard (aria-expanded follows and
//   the focus stays on the button);
// - a metric column is chosen and is still there after a reload (localStorage);
// - two trials are compared, then only what differs between them is shown;
// - the refit run's page: its evaluation report in a new tab, in the sandboxed frame and as a
//   download; its bundle downloaded (after the sign-in it asks for) as a tar archive;
// - the run is registered as the next version of loan-default and its promotion requested with
//   the Models page's dialog (a request for a validator, four-eyes); the Models page links the
//   new version to its run's report and bundle.
// `document` appears only in page callbacks: they run in Chromium, not in node.
/* global document */
import fs from 'node:fs';
import assert from 'node:assert/strict';

/// Console errors, page errors, failed requests and HTTP errors of the pages of a context.
function watchContext(context, found) {
  context.on('page', page => {
    page.on('console', m => {
      if (m.type() === 'error' && !m.location().url.endsWith('/api/v1/jobs'))
        found.push(`console error: ${m.text()} at ${m.location().url}`);
    });
    page.on('pageerror', e => found.push(`page error: ${e.message}`));
    page.on('requestfailed', r => {
      // A download the page saved from a blob: URL, or a frame torn down by a redraw.
      if (!/^blob:/.test(r.url()))
        found.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', r => {
      // The report's own tab has no icon of its own: its browser may ask for one. Before the
      // sign-in, the Experiments page's jobs are refused (401) and it offers a sign-in instead.
      const expected =
        r.url().endsWith('/favicon.ico') ||
        (r.status() === 401 && r.url().endsWith('/api/v1/jobs'));
      if (r.status() >= 400 && !expected) found.push(`HTTP ${r.status()} for ${r.url()}`);
    });
  });
}

export async function walkRuns({ browser, base, cli, api, shot, store, wait }) {
  const { token } = JSON.parse(
    cli(['users', 'add', 'rita', '--role', 'analyst', '--json', '--store', store]),
  );
  const runs = (await api(base, 'GET', '/api/v1/runs?experiment=e2e-tuning')).body.runs;
  const best = runs.find(r => r.name.endsWith('-best'));
  assert.ok(best, `a refit run among ${runs.map(r => r.name)}`);
  const study = runs.find(r => r.run_id === best.parent_run_id);
  const trials = runs.filter(r => r.parent_run_id === study.run_id && r.tags['loanrisk.trial']);
  assert.ok(trials.length >= 2, 'the study has its trials');

  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  context.setDefaultTimeout(wait);
  const problems = [];
  watchContext(context, problems);
  const page = await context.newPage();
  const row = id => `[data-testid=runs-table] tr[data-run="${id}"]`;

  // Folded by default; unfolded and folded again from the keyboard.
  await page.goto(`${base}/#/experiments`);
  await page.waitForSelector(row(study.run_id));
  const fold = `button[data-expand="${study.run_id}"]`;
  assert.equal(await page.getAttribute(fold, 'aria-expanded'), 'false');
  assert.equal(await page.locator(row(best.run_id)).count(), 0, 'trials are folded at first');
  assert.match(await page.getAttribute(fold, 'aria-label'), /^Show the \d+ child runs of /);
  await page.focus(fold);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`${row(best.run_id)}[data-depth="1"]`);
  assert.equal(await page.getAttribute(fold, 'aria-expanded'), 'true');
  assert.equal(
    await page.evaluate(() => document.activeElement.dataset.expand),
    study.run_id,
    'the focus stays on the fold button',
  );
  assert.equal(
    await page.locator('[data-testid=runs-table] tr[data-depth="1"]').count(),
    runs.filter(r => r.parent_run_id === study.run_id).length,
  );
  await page.keyboard.press('Space');
  await page.waitForSelector(row(best.run_id), { state: 'detached' });
  await page.keyboard.press('Enter');
  await page.waitForSelector(row(best.run_id));

  // A metric column chosen, kept across a reload; metrics rounded to four significant digits.
  await page.click('details.columns summary');
  await page.check('#col-train_seconds');
  await page.waitForSelector('[data-testid=runs-table] th:has-text("train_seconds")');
  await page.reload();
  await page.waitForSelector('[data-testid=runs-table] th:has-text("train_seconds")');
  const aucs = await page.$$eval('[data-testid=runs-table] td.num', tds =>
    tds.map(td => td.textContent),
  );
  for (const text of aucs) assert.match(text, /^(—|-?[\d,]+|-?\d\.\d{3}|-?\d+\.\d+|[\d.]+e-\d+)$/);
  assert.ok(
    aucs.some(t => /^0\.\d{4}$/.test(t)),
    `a metric in four significant digits: ${aucs}`,
  );

  // Two trials side by side, then only what differs.
  await page.click(fold);
  for (const t of trials.slice(0, 2)) await page.check(`${row(t.run_id)} input[type=checkbox]`);
  await page.click('text=Compare selected (2)');
  await page.waitForSelector('[data-testid=compare] table');
  const everything = await page.locator('[data-testid=compare] tbody tr').count();
  const same = await page.locator('[data-testid=compare] tbody tr:not(.differs)').count();
  assert.ok(same > 0, 'two trials of one study share their split params');
  await page.check('#compare-diff-only');
  await page.waitForFunction(
    n => document.querySelectorAll('[data-testid=compare] tbody tr').length === n,
    everything - same,
  );
  const across = await page.$$eval('[data-testid=compare] tbody tr td:nth-child(2)', tds =>
    tds.map(td => td.textContent),
  );
  assert.ok(across.length > 0 && across.every(t => t === 'differs'), `${across}`);

  // The refit run's page: its report three ways.
  await page.click(`[data-testid=runs-table] button[data-open-run="${best.run_id}"]`);
  await page.waitForSelector(`[data-testid=run-detail][data-run="${best.run_id}"]`);
  const [tab] = await Promise.all([
    context.waitForEvent('page'),
    page.click(`a[data-run-report="${best.run_id}"]`),
  ]);
  await tab.waitForLoadState();
  assert.match(await tab.title(), /^Evaluation: /);
  await tab.close();
  await page.click('summary:has-text("Show the report here")');
  await page.frameLocator('iframe.report-frame').locator('h1').waitFor();
  assert.equal(
    await page.frameLocator('iframe.report-frame').locator('h1').textContent(),
    'Model evaluation',
  );
  const [report] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`a[data-run-report-download="${best.run_id}"]`),
  ]);
  assert.match(report.suggestedFilename(), /-report\.html$/);
  assert.match(fs.readFileSync(await report.path(), 'utf8'), /<h1>Model evaluation<\/h1>/);

  // Its bundle: the page asks who is downloading, then saves the archive.
  const bundle = page.waitForEvent('download');
  await page.click('[data-testid=download-bundle]');
  await page.fill('#signin-token', token);
  await page.click('#signin-submit');
  const tar = fs.readFileSync(await (await bundle).path());
  assert.equal(tar.subarray(257, 262).toString(), 'ustar');
  assert.equal(tar.subarray(0, 7).toString(), 'bundle/');
  assert.ok(tar.includes('manifest.json'), 'the archive holds the manifest');
  await page.waitForSelector('[data-testid=signed-in-as]:has-text("rita (analyst)")');

  // Registered, then its promotion requested with the Models page's dialog.
  await page.click('[data-testid=register-run]');
  assert.equal(await page.inputValue('#register-name'), 'loan-default');
  await page.fill('#promote-reason', 'e2e: the tuned model');
  await page.click('dialog button[type=submit]');
  await page.waitForSelector('[data-registered^="loan-default/"]');
  const registered = await page.getAttribute('[data-registered]', 'data-registered');
  const version = Number(registered.split('/')[1]);
  await page.click('[data-testid=request-promotion]');
  await page.waitForSelector('[data-testid=gate-notice]');
  await page.check('#promote-override');
  await page.fill('#promote-reason', 'e2e: tuned, validation to follow');
  await page.click('dialog button[type=submit]');
  await page.waitForSelector('[data-testid=register-result] [data-request]');
  const models = (await api(base, 'GET', '/api/v1/models')).body.models;
  const m = models.find(x => x.name === 'loan-default');
  const v = m.versions.find(x => x.version === version);
  assert.equal(v.run_id, best.run_id);
  assert.equal(v.created_by, 'rita');
  const pending = m.pending_requests.find(r => r.version === version);
  assert.ok(pending, 'a request waits for a validator');
  assert.equal(pending.requested_by, 'rita');
  await shot(page, 'experiments-run');

  // The Models page links the version to its run's report and bundle.
  await page.goto(`${base}/#/models`);
  await page.waitForSelector(`[data-version-bundle="${version}"]`);
  assert.equal(
    await page.getAttribute(`a[data-run-report="${best.run_id}"]`, 'href'),
    `/api/v1/runs/${best.run_id}/report`,
  );
  await context.close();
  assert.deepEqual(problems, [], 'no console error, page error or failed request');
}
