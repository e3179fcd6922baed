// Unit tests of the Overview page's sentences (node --test): drift and today's activity must be
// true at the edges (no predictions, no decisions, a restart in the day, every status).
import test from 'node:test';
import assert from 'node:assert/strict';
import { activitySummary, driftSummary } from '../../web/app/overview.js';

const window = (score, features, count = 800) => ({
  count,
  window_size: 1000,
  model: { name: 'loan-default', version: '3' },
  since: '2026-12-07T09:41:12Z',
  score: { psi: score[0], status: score[1] },
  features: features.map(([name, psi, status]) => ({ name, psi, status })),
});

test('drift: the worst status, drifting inputs worst first, and no verdict on too few rows', () => {
  assert.deepEqual(driftSummary(null), {
    status: 'off',
    text: 'Not monitored: this server keeps no prediction log.',
  });
  const calm = driftSummary(window([0.01, 'green'], [['income', 0.02, 'green']]));
  assert.equal(calm.status, 'green');
  assert.equal(
    calm.text,
    'Score PSI 0.01 over the last 800 predictions since loan-default v3 was loaded at 2026-12-07T09:41:12Z. No input drifts.',
  );
  const mixed = driftSummary(
    window(
      [0.05, 'green'],
      [
        ['income', 0.15, 'amber'],
        ['fico_score', 0.4, 'red'],
        ['years_employed', 0.12, 'amber'],
      ],
      12500,
    ),
  );
  assert.equal(
    mixed.status,
    'red',
    'an input at red makes the tile red even when the score is calm',
  );
  assert.equal(
    mixed.text,
    'Score PSI 0.05 over the last 12,500 predictions since loan-default v3 was loaded at 2026-12-07T09:41:12Z. Drifting: fico_score (PSI 0.4, red), income (PSI 0.15, amber), years_employed (PSI 0.12, amber).',
  );
  const early = driftSummary(
    window([null, 'insufficient'], [['income', null, 'insufficient']], 37),
  );
  assert.equal(early.status, 'insufficient');
  assert.equal(
    early.text,
    'Too few predictions to judge: 37 since loan-default v3 was loaded at 2026-12-07T09:41:12Z.',
  );
});

test('activity: counts since midnight or the start, a rate only over decisions', () => {
  const base = { day: '2026-12-07', threshold: 0.2 };
  const none = activitySummary({
    ...base,
    since: '2026-12-07T00:00:00.000Z',
    scored: 0,
    decided: 0,
    approved: 0,
    declined: 0,
    approval_rate: null,
  });
  assert.equal(none.volume, '0');
  assert.equal(none.rate, '—');
  assert.equal(none.rateText, 'No decision made since 00:00 UTC.');
  const restarted = activitySummary({
    ...base,
    since: '2026-12-07T09:41:12.000Z',
    scored: 12034,
    decided: 12000,
    approved: 11999,
    declined: 1,
    approval_rate: 11999 / 12000,
  });
  assert.equal(restarted.volume, '12,034');
  assert.equal(restarted.rate, '99.99%');
  assert.equal(
    restarted.volumeText,
    'Applicants scored since the server started at 09:41 UTC, 34 of them through /invocations (no decision).',
  );
  assert.equal(
    restarted.rateText,
    '11,999 approved and 1 declined (PD at or above 20.00%) since the server started at 09:41 UTC.',
  );
  const allDeclined = activitySummary({
    ...base,
    since: '2026-12-07T00:00:00.000Z',
    scored: 3,
    decided: 3,
    approved: 0,
    declined: 3,
    approval_rate: 0,
  });
  assert.equal(allDeclined.rate, '0%');
});
