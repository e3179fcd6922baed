// The governance part of the web app's end-to-end walk: four-eyes promotion by two people who
// sign in and out with their own tokens, then the audit trail as a validator (locked) and as an
// admin (filters, export). webapp.mjs calls it once the pages are walked, with its server, page
// and helpers.
// `document` appears only in waitForFunction callbacks: they run in Chromium, not in node.
/* global document */
import assert from 'node:assert/strict';

export async function walkGovernance({
  page,
  base,
  cli,
  api,
  shot,
  store,
  applicant,
  session,
  token,
}) {
  // Four-eyes: once the team has users, @champion moves only on a validator's approval of an
  // analyst's request, and the analyst cannot approve their own request.
  const user = (name, role) =>
    JSON.parse(cli(['users', 'add', name, '--role', role, '--json', '--store', store])).token;
  const ana = user('ana', 'analyst');
  const val = user('val', 'validator');
  await page.goto(`${base}/#/models`);
  await page.waitForSelector('[data-testid=governance]');
  assert.match(await page.textContent('[data-testid=governance]'), /^Four-eyes/);
  // Each person signs in with their own token; signing out ends the server's session too.
  const signAs = async (token, who) => {
    await page.click('#signout');
    await page.waitForSelector('#signin');
    await page.click('#signin');
    await page.fill('#signin-token', token);
    await page.click('#signin-submit');
    await page.waitForSelector(`[data-testid=signed-in-as]:has-text("${who}")`);
    await page.waitForSelector('[data-testid=governance]');
  };
  await signAs(ana, 'Signed in as ana (analyst)');
  const ended = await fetch(`${base}/api/v1/session`, {
    headers: { Cookie: `loanrisk_session=${session.value}` },
  });
  assert.equal((await ended.json()).signed_in, false, 'the admin session ended at sign-out');
  await page.click('[data-promote="1"]');
  await page.fill('#promote-reason', 'e2e: back to v1');
  await page.click('dialog button[type=submit]');
  await page.waitForSelector('[data-testid=promote-result] [data-request]');
  const requestId = await page.$eval(
    '[data-testid=promote-result] [data-request]',
    n => n.dataset.request,
  );
  const alone = await api(
    base,
    'POST',
    `/api/v1/admin/promotions/${requestId}/approve`,
    { reason: 'mine' },
    ana,
  );
  assert.equal(alone.status, 403, 'an analyst cannot approve a promotion');
  assert.equal((await api(base, 'POST', '/api/v1/predict', applicant)).body.model.version, '2');
  await signAs(val, 'Signed in as val (validator)');
  await page.click(`[data-decide="approve-${requestId}"]`);
  await page.fill('#promote-reason', 'e2e: validated');
  await page.click('dialog button[type=submit]');
  await page.waitForSelector('[data-testid=promote-result] .ok-box[data-version="1"]');
  const tail = (await api(base, 'GET', '/api/v1/models')).body.models[0].history
    .slice(-3)
    .map(e => `${e.event} ${e.user}`);
  assert.deepEqual(tail, ['request ana', 'approve val', 'alias val']);
  await shot(page, 'models-four-eyes');

  // The audit trail is for admins: a validator is told so (and sees no Audit link); the admin
  // sees the request and the approval with who made them, and can narrow to refusals.
  assert.equal(await page.isVisible('#nav-audit'), false, 'no Audit link for a validator');
  await page.goto(`${base}/#/audit`);
  await page.waitForSelector('[data-testid=audit-locked]');
  assert.match(
    await page.textContent('[data-testid=audit-locked]'),
    /val \(validator\): the audit trail needs an admin/,
  );
  await page.click('#signout');
  await page.click('#signin');
  await page.fill('#signin-token', token);
  await page.click('#signin-submit');
  await page.waitForSelector('[data-testid=signed-in-as]:has-text("admin-token (admin)")');
  assert.equal(await page.isVisible('#nav-audit'), true, 'an Audit link for an admin');
  await page.goto(`${base}/#/audit`);
  await page.waitForSelector('[data-testid=audit-table] tbody tr');
  const rows = await page.$$eval('[data-testid=audit-table] tbody tr', trs =>
    trs.map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent)),
  );
  const seen = action => rows.find(r => r[2] === action && r[4].startsWith('ok'));
  assert.match(seen('POST /api/v1/admin/promotions/{id}/approve')[1], /^val \(validator\)/);
  assert.match(seen('POST /api/v1/admin/promote')[1], /^ana \(analyst\)/);
  assert.ok(seen('job end'), "the job's end is in the trail");
  await page.selectOption('#audit-outcome', 'refused');
  await page.click('form[aria-label="Filter the audit trail"] button[type=submit]');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-testid=audit-table] tbody tr td:nth-child(5)')].every(td =>
      td.textContent.startsWith('refused'),
    ),
  );
  assert.match(
    await page.textContent('[data-testid=audit-table]'),
    /ana \(analyst\)/,
    "ana's refused approval is in the trail",
  );
  const exported = await fetch(
    `${base}${await page.getAttribute('[data-testid=audit-export]', 'href')}`,
    { headers: { Authorization: `Bearer ${token}` } },
  );
  assert.equal(exported.status, 200);
  const lines = (await exported.text())
    .trim()
    .split('\n')
    .map(l => JSON.parse(l));
  assert.ok(lines.length >= 1 && lines.every(e => e.outcome === 'refused'));
  await shot(page, 'audit');
}
