// Monitoring: drift of the live predictions against the training reference (PSI per feature and of
// the score), from GET /api/v1/monitoring when the server keeps a prediction log, and one input in
// detail (reference vs live bins, PSI, KS, Wasserstein) from GET /api/v1/monitoring/{column}.
import { getJson, getOptional } from '../api.js';
import { el, errorBox, field, table, chart, fmt } from '../ui.js';
import { grouped, pdText } from '../numbers.js';
import { windowStart } from '../overview.js';

function status(s) {
  return el('span', { class: `status-${s}`, text: s });
}

function binsChart(bins, title) {
  return chart(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: {},
      xAxis: {
        type: 'category',
        data: bins.map(b => `${fmt(b.lo, 3)}–${fmt(b.hi, 3)}`),
        axisLabel: { rotate: 30 },
      },
      yAxis: { type: 'value', name: 'share of rows' },
      series: [
        {
          type: 'bar',
          name: 'reference (training)',
          data: bins.map(b => b.reference),
          itemStyle: { color: '#8aa9c9' },
        },
        { type: 'bar', name: 'live', data: bins.map(b => b.live), itemStyle: { color: '#0b5cad' } },
      ],
    },
    'chart',
    title,
  );
}

// One column of the window against its reference, as `loanrisk monitor` reports a file.
// The column by UTC day from the prediction log: PSI per day against the same reference.
async function byDay(name, alive) {
  const t = await getJson(`/api/v1/monitoring/${encodeURIComponent(name)}/days`);
  if (!alive()) return null;
  if (!t.days.length)
    return el('p', {
      class: 'muted',
      text: `The prediction log has no row since ${t.since.slice(0, 10)}.`,
    });
  return el(
    'div',
    { 'data-testid': 'drift-days' },
    el('h3', { text: `${name} by day (prediction log, UTC)` }),
    chart(
      {
        animation: false,
        tooltip: { trigger: 'axis' },
        xAxis: { type: 'category', data: t.days.map(d => d.day) },
        yAxis: { type: 'value', name: 'PSI' },
        series: [
          {
            type: 'line',
            name: 'PSI',
            data: t.days.map(d => d.psi),
            markLine: {
              silent: true,
              symbol: 'none',
              data: [{ yAxis: 0.1 }, { yAxis: 0.25 }],
            },
          },
        ],
      },
      'chart',
      `PSI of ${name} by day`,
    ),
    table(
      [
        { label: 'day', value: d => d.day },
        { label: 'rows', num: true, value: d => d.rows },
        { label: 'PSI', num: true, value: d => d.psi },
        { label: 'status', value: d => status(d.status) },
        { label: 'mean', num: true, value: d => d.mean },
      ],
      t.days,
    ),
  );
}

async function drillDown(box, name, alive, withLog) {
  box.replaceChildren(el('p', { class: 'muted', text: `Comparing ${name}…` }));
  let d;
  try {
    d = await getJson(`/api/v1/monitoring/${encodeURIComponent(name)}`);
  } catch (e) {
    if (alive()) box.replaceChildren(errorBox(e));
    return;
  }
  if (!alive()) return;
  const share = v => (v === null || v === undefined ? '—' : pdText(v));
  box.replaceChildren(
    table(
      [
        { label: 'measure', value: r => r[0] },
        { label: 'live', num: true, value: r => r[1] },
        { label: 'training', num: true, value: r => r[2] },
      ],
      [
        ['rows with a value', grouped(d.count), '—'],
        ['missing', share(d.missing_share), share(d.reference_missing_share)],
        ['mean', fmt(d.mean), fmt(d.reference_mean)],
        ['PSI', fmt(d.psi), '—'],
        ['KS statistic', fmt(d.ks), '—'],
        ['Wasserstein ÷ training std', fmt(d.wasserstein), '—'],
      ],
      `${name}: ${d.status === 'insufficient' ? 'too few rows to judge' : d.status}, over the window since ${windowStart(d)}`,
    ),
    d.bins && d.bins.length ? binsChart(d.bins, `${name} live versus reference`) : null,
  );
  if (!withLog) {
    box.append(
      el('p', {
        class: 'muted',
        text: 'No trend by day: this server keeps no prediction log ([serve.prediction_log] dir).',
      }),
    );
    return;
  }
  try {
    const days = await byDay(name, alive);
    if (days && alive()) box.append(days);
  } catch (e) {
    if (alive()) box.append(errorBox(e));
  }
}

export async function monitoringPage(root, alive) {
  const m = await getOptional('/api/v1/monitoring');
  if (!alive()) return;
  root.append(el('h1', { text: 'Monitoring' }));
  if (m === null) {
    root.append(
      el(
        'div',
        { class: 'card', 'data-testid': 'monitoring-off' },
        el('p', { text: 'Monitoring is not enabled on this server.' }),
        el('p', {
          class: 'muted',
          text: 'This server keeps no prediction log, so there is no live distribution to compare with the training data.',
        }),
      ),
    );
    return;
  }
  root.append(
    el(
      'div',
      { class: 'card' },
      el(
        'p',
        {},
        `Window: the last ${grouped(m.count)} of up to ${grouped(m.window_size)} predictions since ${windowStart(m)}; it starts again when the server restarts or loads another model. PSI thresholds: amber ≥ ${m.thresholds.amber}, red ≥ ${m.thresholds.red}.`,
      ),
      el('h2', { text: 'Score distribution, live vs reference' }),
      el('p', {}, 'Score PSI: ', fmt(m.score.psi), ', ', status(m.score.status)),
      m.score.bins && m.score.bins.length
        ? binsChart(m.score.bins, 'score distribution live versus reference')
        : null,
      el('h2', { text: 'Features' }),
      table(
        [
          { label: 'feature', value: f => f.name },
          { label: 'PSI', num: true, value: f => f.psi },
          { label: 'status', value: f => status(f.status) },
        ],
        m.features,
      ),
    ),
    detailCard(m, alive),
  );
}

function detailCard(m, alive) {
  const rank = { red: 3, amber: 2, green: 1, insufficient: 0 };
  const worst = [...m.features].sort(
    (a, b) => rank[b.status] - rank[a.status] || (b.psi ?? 0) - (a.psi ?? 0),
  )[0];
  const names = [...m.features.map(f => f.name), 'score'];
  const pick = el(
    'select',
    { id: 'drift-column' },
    names.map(n => el('option', { value: n, text: n, selected: worst && n === worst.name })),
  );
  const box = el('div', { 'data-testid': 'drift-detail' });
  pick.addEventListener('change', () => drillDown(box, pick.value, alive, m.prediction_log));
  drillDown(box, pick.value, alive, m.prediction_log);
  return el(
    'div',
    { class: 'card' },
    el('h2', { text: 'One input in detail' }),
    field('Input', pick),
    box,
  );
}
