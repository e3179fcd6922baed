// The background-jobs walk of the web app's end-to-end test, called by webapp.mjs on the
// Experiments page with the admin signed in. A tuning job of many (quick) trials is started from
// the page; the walk leaves for another page and comes back, and the page follows the job again
// (the server's list, not the page's memory): its progress still grows, its log opens and new lines
// appear. The job is stopped from its study's view with a reason, shows "stopped" (not failed), the
// trials table shows the trials done, and the server's /api/v1/studies/{name} agrees.
// `document` appears only in page callbacks: they run in Chromium, not in node.
/* global document */
import assert from 'node:assert/strict';

export async function walkJobs({ page, base, api, shot, token }) {
  const wait = { timeout: 300_000 }; // the server is the AddressSanitizer build
  await page.goto(`${base}/#/experiments`);
  await page.waitForSelector('form[aria-label="Start a run"]');
  // Boosted trees: a trial takes from half a second to a few (the sanitizer build, a busy
  // machine), so several finish while the walk looks and 500 take far longer than it waits; and
  // a trial in flight reports every 10 rounds, where a stop ends it.
  await page.selectOption('#job-family', 'xgboost');
  await page.check('#job-tune');
  await page.fill('#job-trials', '500');
  await page.fill('#job-experiment', 'e2e-stop');
  await page.click('form[aria-label="Start a run"] button[type=submit]');
  await page.waitForSelector('[data-testid=job-status] [data-state=running]', wait);
  const id = await page.getAttribute('[data-testid=job-status] [data-job]', 'data-job');
  const job = `[data-testid=jobs] .job[data-job="${id}"]`;
  const progress = `${job} progress`;
  const done = () => page.$eval(progress, n => Number(n.value));
  await page.waitForFunction(
    sel => Number(document.querySelector(sel)?.value) >= 1,
    progress,
    wait,
  );

  // Away and back: the page asks the server again and follows the job it finds running.
  await page.goto(`${base}/#/card`);
  await page.waitForSelector('[data-testid=model-card] h2');
  await page.goto(`${base}/#/experiments`);
  await page.waitForSelector(`${job}[data-state=running]`);
  const back = await done();
  await page.waitForFunction(
    ([sel, n]) => Number(document.querySelector(sel)?.value) > n,
    [progress, back],
    wait,
  );
  assert.match(await page.textContent(job), /\d+ of 500 trials done/);

  // The log opens on its tail and grows while the job runs.
  await page.click(`${job} details[data-testid=job-log] summary`);
  const logText = `${job} [data-testid=job-log-text]`;
  await page.waitForFunction(
    sel => (document.querySelector(sel)?.textContent || '').includes('trial #'),
    logText,
    wait,
  );
  assert.match(await page.textContent(logText), /\[xgboost\] study started: 500 trials\n/);
  const lines = (await page.textContent(logText)).split('\n').length;
  await page.waitForFunction(
    ([sel, n]) => document.querySelector(sel).textContent.split('\n').length > n,
    [logText, lines],
    wait,
  );
  await shot(page, 'jobs-running');

  // The study's view follows the job and stops it, with a reason, after a confirmation.
  const study = (await api(base, 'GET', `/api/v1/jobs/${id}`, undefined, token)).body.study;
  await page.click(`button[data-study="${study}"]`);
  await page.waitForSelector('[data-testid=study-job-state][data-state=running]');
  assert.match(
    await page.textContent('[data-testid=study-job-state]'),
    /^Running: \d+ of 500 trials\.$/,
  );
  await page.click('#stop-study');
  await page.waitForSelector('dialog[open] #stop-reason');
  await page.fill('#stop-reason', 'e2e: enough trials');
  await page.click('#stop-submit');
  await page.waitForSelector('[data-testid=study-job-state][data-state=stopped]', wait);
  assert.match(
    await page.textContent('[data-testid=study-job-state]'),
    new RegExp(`^${id} stopped after \\d+ of 500 trials\\.$`),
  );
  await page.waitForSelector(`${job}[data-state=stopped]`, wait);
  assert.match(await page.textContent(job), /stopped by admin-token: e2e: enough trials/);

  // The trials table is the server's study: every trial, none left running.
  const a = (await api(base, 'GET', `/api/v1/studies/${encodeURIComponent(study)}`)).body;
  assert.equal(a.states.RUNNING, 0, JSON.stringify(a.states));
  assert.ok(a.states.COMPLETE >= 2, JSON.stringify(a.states));
  assert.ok(a.states.FAIL <= 1, JSON.stringify(a.states));
  const rows = '[data-testid=study] [data-testid=trials-table] tbody tr';
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(sel).length === n,
    [rows, a.n_trials],
  );
  const shown = await page.$$eval(rows, trs => trs.map(tr => tr.children[1].textContent));
  assert.equal(shown.filter(s => s === 'complete').length, a.states.COMPLETE);
  assert.equal(
    await page.textContent('[data-testid=study-states]'),
    `${a.states.COMPLETE} complete, ${a.states.PRUNED} pruned, ${a.states.FAIL} failed, 0 running.`,
  );
  const after = (await api(base, 'GET', `/api/v1/jobs/${id}`, undefined, token)).body;
  assert.equal(after.state, 'stopped');
  assert.equal(after.trials_done, a.n_trials);
  await shot(page, 'jobs-stopped');
}
