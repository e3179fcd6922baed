// The web app's accessibility walk, called once by webapp.mjs when the pages have data (models
// registered, a study run) and the given page is signed in as the admin:
// - axe-core on every route of web/app/main.js (the audit trail as that admin), the experiments
//   page with a study open, and the sign-in and promote dialogs open, at 1400x1000 and 390x844:
//   no violation of impact 'serious' or 'critical';
// - the dialogs: Escape, Cancel and a submit each leave no <dialog> in the page and put the focus
//   back on the button that opened it;
// - keyboard only (page.keyboard: Tab, Shift+Tab, Enter, Space, arrows, typing): Predict filled,
//   a slider moved, scored and the answer reached; Models: a version's Promote, a reason, Escape;
//   every stop on both pages shows a focus outline and is on screen.
// It works in a context of its own (a second person in the same browser), so the caller's page and
// session are left as they were. docs/webapp.md, "Accessibility", says how to run it.
// `document`, `window`, `axe` and `getComputedStyle` appear only in page callbacks: they run in
// Chromium, not in node.
/* global document, window, axe, getComputedStyle */
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web');
const AXE_FILE = path.join(webDir, 'node_modules/axe-core/axe.min.js');
const WIDTHS = [
  ['desktop', { width: 1400, height: 1000 }],
  ['phone', { width: 390, height: 844 }],
];
const BAD = ['serious', 'critical'];

/// The routes of the app as main.js lists them (`const pages = { predict: {...}, ... }`), so a new
/// page is walked without touching this file.
function routes() {
  const main = fs.readFileSync(path.join(webDir, 'app/main.js'), 'utf8');
  const block = /const pages = \{([\s\S]*?)\n\};/.exec(main);
  assert.ok(block, 'web/app/main.js has its `const pages = {...}` table');
  const names = [...block[1].matchAll(/^\s+(\w+): \{/gm)].map(m => m[1]);
  assert.ok(names.includes('predict') && names.includes('card'), `routes ${names}`);
  return names;
}

/// Opens a route and waits until its page has drawn (and Predict has its first answer).
async function open(page, base, name) {
  await page.goto(`${base}/#/${name}`);
  await page.waitForSelector(`section[data-page="${name}"][aria-busy="false"]`);
  if (name === 'predict') await page.waitForSelector('[data-testid=pd-value][data-pd]');
  await page.waitForTimeout(400); // charts are drawn on the next frame
}

/// axe-core on the page as it is: the serious and critical violations, one line per element.
async function axeFindings(page) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined')))
    // CDP's evaluate is not subject to the page's CSP (which refuses inline scripts).
    await page.evaluate(fs.readFileSync(AXE_FILE, 'utf8'));
  const violations = await page.evaluate(async bad => {
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter(v => bad.includes(v.impact))
      .map(v => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map(n => n.target.join(' ')),
      }));
  }, BAD);
  return violations.flatMap(v => v.targets.map(t => `${v.impact} ${v.id} (${v.help}) at ${t}`));
}

/// The focused element as the walk sees it: what it is, whether it shows an outline, whether it
/// is on screen.
function focused(page) {
  return page.evaluate(() => {
    const n = document.activeElement;
    if (!n || n === document.body) return { what: 'body', body: true };
    const r = n.getBoundingClientRect();
    const s = getComputedStyle(n);
    const label =
      n.id ||
      n.getAttribute('data-testid') ||
      n.getAttribute('aria-label') ||
      (n.textContent || '').trim().slice(0, 40);
    return {
      what: `${n.tagName.toLowerCase()}${label ? ` "${label}"` : ''}`,
      outline:
        n.matches(':focus-visible') && s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
      onScreen:
        r.width > 0 &&
        r.height > 0 &&
        r.right > 0 &&
        r.bottom > 0 &&
        r.left < window.innerWidth &&
        r.top < window.innerHeight &&
        s.visibility !== 'hidden',
    };
  });
}

/// Presses Tab (or Shift+Tab) until the focused element matches selector, checking each stop.
async function tabTo(page, selector, { back = false, max = 200, stops } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    if (stops) stops.push(f);
    if (await page.evaluate(sel => document.activeElement?.matches(sel), selector)) return;
  }
  assert.fail(`${selector} not reached in ${max} ${back ? 'Shift+Tab' : 'Tab'} presses`);
}

/// Every stop of one full Tab cycle through the page (until the focus comes back to where it was).
async function tabCycle(page, max = 400) {
  const stops = [];
  await page.evaluate(() => document.activeElement?.blur());
  let first = null;
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.body) continue;
    const key = await page.evaluate(() => {
      const n = document.activeElement;
      n.dataset.a11yStop = n.dataset.a11yStop || String(Math.random());
      return n.dataset.a11yStop;
    });
    if (key === first) return stops;
    first = first || key;
    stops.push(f);
  }
  assert.fail(`the Tab cycle did not come back to its first stop in ${max} presses`);
  return stops;
}

function badStops(where, stops) {
  const out = [];
  for (const s of stops) {
    if (s.body) continue;
    if (!s.outline) out.push(`${where}: ${s.what} has no visible focus outline`);
    if (!s.onScreen) out.push(`${where}: ${s.what} is focusable but off screen or hidden`);
  }
  return out;
}

async function noDialogAndFocusOn(page, selector, how) {
  // 'close' is fired after the browser closed the dialog: give the page that moment.
  await page
    .waitForFunction(
      sel => !document.querySelector('dialog') && document.activeElement?.matches(sel),
      selector,
      { timeout: 2000 },
    )
    .catch(() => {});
  const state = await page.evaluate(
    sel => ({
      dialogs: document.querySelectorAll('dialog').length,
      onOpener: Boolean(document.activeElement?.matches(sel)),
      focus: document.activeElement?.outerHTML.slice(0, 80),
    }),
    selector,
  );
  assert.equal(state.dialogs, 0, `${how}: no <dialog> is left in the page`);
  assert.ok(state.onOpener, `${how}: the focus is back on ${selector}, not on ${state.focus}`);
}

/// The walk. page: signed in as an admin; base: the server's URL; token: a token that signs in.
export async function walkAccessibility({ page, base, token }) {
  const context = await page.context().browser().newContext({ viewport: WIDTHS[0][1] });
  context.setDefaultTimeout(60_000);
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', e => errors.push(`page error: ${e.message}`));
  p.on('console', m => {
    if (m.type() === 'error' && !/monitoring/.test(m.location().url))
      errors.push(`console error: ${m.text()}`);
  });
  const findings = [];
  const stopProblems = [];
  try {
    // Signed out: the sign-in dialog, from the header and from a Promote that needs a person.
    await open(p, base, 'models');
    await p.click('#signin');
    await p.waitForSelector('dialog[open] #signin-token');
    for (const f of await axeFindings(p)) findings.push(`desktop sign-in dialog: ${f}`);
    await p.keyboard.press('Escape');
    await noDialogAndFocusOn(p, '#signin', 'sign-in dialog, Escape');
    await p.click('[data-promote]');
    await p.waitForSelector('dialog[open] #signin-token');
    await p.keyboard.press('Escape');
    await noDialogAndFocusOn(p, '[data-promote]', 'sign-in dialog from Promote, Escape');
    // Promote again, signed out: the sign-in dialog, then (signed in) the promote dialog, opened
    // with no click of its own; Escape there has to leave no dialog behind either.
    await p.keyboard.press('Enter');
    await p.waitForSelector('dialog[open] #signin-token');
    await p.keyboard.type(token);
    await p.keyboard.press('Enter');
    await p.waitForSelector('dialog[open] #promote-reason');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'promote-reason');
    assert.equal(await p.evaluate(() => document.querySelectorAll('dialog').length), 1);
    await p.keyboard.press('Escape');
    await noDialogAndFocusOn(p, '[data-promote]', 'promote dialog after signing in, Escape');

    // Signing in from the header with the keyboard: its button, the token, Enter. The dialog goes
    // and the focus lands on the header's account button (Sign in became Sign out).
    await p.click('#signout');
    await p.waitForSelector('#signin');
    await p.focus('#signin');
    await p.keyboard.press('Enter');
    await p.waitForSelector('dialog[open] #signin-token');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'signin-token');
    await p.keyboard.type(token);
    await p.keyboard.press('Enter');
    await p.waitForSelector('[data-testid=signed-in-as]');
    await noDialogAndFocusOn(p, '#signout', 'sign-in dialog, submit');

    // Keyboard only on Predict: from the top of the page, type every field, move a slider with
    // the arrow keys, score with Space and Tab on to the answer.
    await open(p, base, 'predict');
    const applicant = {
      credit_lines_outstanding: 2,
      loan_amt_outstanding: 4800,
      total_debt_outstanding: 15000,
      income: 52000,
      years_employed: 4,
      fico_score: 640,
    };
    const stops = [];
    await p.evaluate(() => document.activeElement?.blur());
    for (const [k, v] of Object.entries(applicant)) {
      await tabTo(p, `#f-${k}`, { stops });
      await p.keyboard.press('Control+A');
      await p.keyboard.type(String(v));
    }
    await tabTo(p, '#f-fico_score-slider', { stops });
    await p.keyboard.press('ArrowRight');
    await p.waitForFunction(() => document.querySelector('#f-fico_score').value !== '640');
    // The what-if answer for the moved slider (the typed fields had marked the last one stale).
    await p.waitForFunction(
      () =>
        !document.querySelector('#result.stale') &&
        document.querySelector('section[data-page=predict]').getAttribute('aria-busy') === 'false',
    );
    await tabTo(p, '#f-fico_score', { back: true, stops });
    await p.keyboard.press('Control+A');
    await p.keyboard.type(String(applicant.fico_score));
    await tabTo(p, 'form[aria-label=Applicant] button[type=submit]', { stops });
    await p.keyboard.press('Space');
    await p.waitForFunction(
      () =>
        /^Decision for/.test(document.querySelector('[data-testid=decision-record]').textContent) &&
        !document.querySelector('#result.stale'),
    );
    const expected = await (
      await fetch(`${base}/api/v1/predict?probe=true`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(applicant),
      })
    ).json();
    assert.equal(
      Number(await p.$eval('[data-testid=pd-value]', n => n.dataset.pd)),
      expected.predictions[0].pd,
      'the keyboard-typed applicant gets the API’s PD',
    );
    await tabTo(p, '#result [data-testid=print-decision]', { stops });
    stopProblems.push(...badStops('predict (keyboard walk)', stops));
    stopProblems.push(...badStops('predict (Tab cycle)', await tabCycle(p)));

    // Keyboard only on Models: the nav link, a version's Promote, a reason, then Escape; then
    // again and the Cancel button.
    const modelStops = [];
    await tabTo(p, '#nav a[href="#/models"]', { stops: modelStops });
    await p.keyboard.press('Enter');
    await p.waitForSelector('section[data-page=models][aria-busy=false] [data-promote]');
    await tabTo(p, '[data-promote]', { stops: modelStops });
    const opener = `[data-promote="${await p.evaluate(() => document.activeElement.dataset.promote)}"]`;
    await p.keyboard.press('Enter');
    await p.waitForSelector('dialog[open] #promote-reason');
    assert.equal(await p.evaluate(() => document.activeElement.id), 'promote-reason');
    await p.keyboard.type('a reason typed from the keyboard');
    for (const f of await axeFindings(p)) findings.push(`desktop promote dialog: ${f}`);
    await p.keyboard.press('Escape');
    await noDialogAndFocusOn(p, opener, 'promote dialog, Escape');
    await p.keyboard.press('Space');
    await p.waitForSelector('dialog[open] #promote-reason');
    await tabTo(p, 'dialog button.secondary', { stops: modelStops, max: 10 });
    await p.keyboard.press('Enter');
    await noDialogAndFocusOn(p, opener, 'promote dialog, Cancel');
    stopProblems.push(...badStops('models (keyboard walk)', modelStops));
    stopProblems.push(...badStops('models (Tab cycle)', await tabCycle(p)));

    // axe on every page at both widths, as the admin (the audit trail too), and on the
    // experiments page with a study open.
    const counts = [];
    for (const [width, size] of WIDTHS) {
      await p.setViewportSize(size);
      for (const name of routes()) {
        await open(p, base, name);
        const found = await axeFindings(p);
        counts.push(`${name} ${found.length}`);
        for (const f of found) findings.push(`${width} ${name}: ${f}`);
      }
      await open(p, base, 'experiments');
      if (await p.$('button[data-study]')) {
        await p.click('button[data-study]');
        await p.waitForSelector('[data-testid=study] canvas');
        await p.waitForTimeout(400);
        const found = await axeFindings(p);
        counts.push(`study ${found.length}`);
        for (const f of found) findings.push(`${width} experiments, study open: ${f}`);
      }
      console.log(`e2e a11y: ${width}: serious or critical axe findings per page: ${counts}`);
      counts.length = 0;
    }
  } finally {
    await context.close();
  }
  assert.deepEqual(findings, [], 'no serious or critical axe-core violation');
  assert.deepEqual(stopProblems, [], 'every Tab stop is on screen with a visible focus outline');
  assert.deepEqual(errors, [], 'no console or page error in the accessibility walk');
  console.log('e2e a11y: axe clean at both widths; dialogs close cleanly; keyboard walks pass');
}
