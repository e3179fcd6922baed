// Monitoring: drift of the live predictions against the training reference (PSI per feature and of
// the score), from GET /api/v1/monitoring when the server keeps a prediction log.
import { getOptional } from '../api.js';
import { el, table, chart, fmt } from '../ui.js';
import { grouped } from '../numbers.js';
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
      el('p', {}, 'Score PSI: ', fmt(m.score.psi), ' — ', status(m.score.status)),
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
  );
}
