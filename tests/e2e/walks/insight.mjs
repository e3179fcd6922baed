// The analyst's pages of the web app's end-to-end test, called by webapp.mjs after the Batch
// walk (whose 10,500-row semicolon book, big-semicolon.csv in tmp, it reuses):
// - Data: the training data's profile, then an uploaded file's (converted as Batch converts it),
//   and a file without outcomes told why and where it belongs;
// - Monitoring: one input in detail and its PSI by day from the prediction log, as the API says;
// - Overview: the serving model, its validation, today's counts and drift, each in its tile.
// Expected refusals are taken out of `problems` (the caller's list of browser problems).
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

export async function walkInsight({ page, base, api, shot, tmp, rowsWanted, bigLines, problems }) {
  await page.goto(`${base}/#/data`);
  await page.waitForSelector('text=Pearson correlations');
  await shot(page, 'data');
  // Any file of the schema gets the same profile: the semicolon book from Batch, converted as
  // Batch converts it; a file without outcomes is told why and where it belongs.
  await page.setInputFiles('#profile-file', path.join(tmp, 'big-semicolon.csv'));
  await page.click('form[aria-label="Profile another file"] button[type=submit]');
  await page.waitForSelector('[data-testid=data-source]:has-text("Uploaded file")');
  assert.match(
    await page.textContent('[data-testid=profile-stage]'),
    /^Profiled big-semicolon\.csv\. Read as semicolon-separated, [\d,]+ decimal commas read as points\.$/,
  );
  assert.match(
    await page.textContent('section[data-page=data] table'),
    new RegExp(`valid rows${rowsWanted.toLocaleString('en-US')}`),
  );
  await page.waitForSelector('text=Pearson correlations');
  await shot(page, 'data-upload');
  const noOutcomes = bigLines.slice(0, 20).map(l => l.slice(0, l.lastIndexOf(',')));
  fs.writeFileSync(path.join(tmp, 'no-outcomes.csv'), noOutcomes.join('\n') + '\n');
  const beforeRefusal = problems.length;
  await page.setInputFiles('#profile-file', path.join(tmp, 'no-outcomes.csv'));
  await page.click('form[aria-label="Profile another file"] button[type=submit]');
  await page.waitForSelector('[data-testid=profile-stage] [role=alert]');
  assert.match(
    await page.textContent('[data-testid=profile-stage]'),
    /needs the 'default' column \(0 or 1\).*Batch page/,
  );
  // The refusal is this check's own: exactly the 422 and its console line, nothing else.
  assert.ok(
    problems.slice(beforeRefusal).every(p => p.includes('422')),
    problems.slice(beforeRefusal).join('\n'),
  );
  problems.splice(beforeRefusal);
  const monitoring = await api(base, 'GET', '/api/v1/monitoring');
  await page.goto(`${base}/#/monitoring`);
  if (monitoring.status === 404)
    await page.waitForSelector('text=Monitoring is not enabled on this server');
  else {
    await page.waitForSelector('text=Score distribution, live vs reference');
    // One input in detail: the page's figures are the server's comparison of the window.
    await page.waitForSelector('[data-testid=drift-detail] table');
    await page.selectOption('#drift-column', 'fico_score');
    await page.waitForSelector('[data-testid=drift-detail] caption:has-text("fico_score")');
    const detail = (await api(base, 'GET', '/api/v1/monitoring/fico_score')).body;
    assert.match(
      await page.textContent('[data-testid=drift-detail] table'),
      new RegExp(`rows with a value${detail.count.toLocaleString('en-US')}`),
    );
    // By day from the prediction log: today's rows of the log, PSI against the same reference.
    await page.waitForSelector('[data-testid=drift-days] table');
    const days = (await api(base, 'GET', '/api/v1/monitoring/fico_score/days')).body;
    assert.equal(days.days.at(-1).day, new Date().toISOString().slice(0, 10));
    assert.ok(days.days.at(-1).rows > 0, 'the scorings above are in the log');
    assert.match(
      await page.textContent('[data-testid=drift-days] table'),
      // (the log is written asynchronously: the count may have grown since the page read it)
      new RegExp(`${days.days.at(-1).day}[\\d,]+`),
    );
    assert.equal((await api(base, 'GET', '/api/v1/monitoring/fico_score/days?days=0')).status, 400);
    assert.equal(
      (await api(base, 'GET', '/api/v1/monitoring/no_such')).status,
      404,
      'an unknown column is a 404 naming the columns',
    );
  }
  await shot(page, 'monitoring');
  // Overview: the serving model, its validation, today's counts (as the server tallies them: the
  // Predict and Batch scorings above, not the what-if probes) and drift, each in its own tile.
  const activity = (await api(base, 'GET', '/api/v1/activity')).body;
  assert.ok(activity.decided > rowsWanted, `the batch's ${rowsWanted} rows were decided`);
  const serving = (await api(base, 'GET', '/api/v1/model')).body;
  await page.goto(`${base}/#/overview`);
  await page.waitForSelector('[data-testid=overview-drift]');
  assert.match(
    await page.textContent('[data-testid=overview-model]'),
    new RegExp(`${serving.name} v${serving.version}`),
  );
  assert.match(await page.textContent('[data-testid=overview-validation]'), /Green|Red|No report/);
  const volume = Number(
    (await page.textContent('[data-testid=overview-volume] .tile-value')).replaceAll(',', ''),
  );
  assert.ok(volume >= activity.scored, `volume ${volume} vs ${activity.scored} before`);
  assert.match(await page.textContent('[data-testid=overview-approval] .tile-value'), /%$/);
  assert.match(
    await page.textContent('[data-testid=overview-drift]'),
    monitoring.status === 404 ? /Not monitored/ : /Score PSI|Too few predictions/,
  );
  await shot(page, 'overview');
}
