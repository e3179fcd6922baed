// Runs side by side and runs on a plot, as MLflow's compare view has them: every metric, param
// and tag of the selected runs with "differences only", the metric histories; and a scatter of
// two chosen metrics or numeric params, or parallel coordinates, of the runs the filter lists.
import { getJson } from '../api.js';
import { chart, el, field, table, updateChart } from '../ui.js';
import { metricText } from '../numbers.js';
import { axisValue, compareRows, plotAxes, scatterPoints } from '../runs.js';
import { historyCharts } from './run_detail.js';

const shown = (kind, v) =>
  v === undefined ? '—' : kind === 'metric' ? metricText(v) : String(v).replace(/,(?=\S)/g, ', ');

/// The comparison card of the runs with these ids (fetched with their metric histories).
export async function comparison(ids) {
  const runs = await Promise.all(ids.map(id => getJson(`/api/v1/runs/${id}`)));
  const only = el('input', { type: 'checkbox', id: 'compare-diff-only' });
  const box = el('div');
  const draw = () => {
    const rows = compareRows(runs, only.checked);
    const t = table(
      [
        { label: '', value: r => `${r.kind} ${r.key}` },
        { label: 'across runs', value: r => (r.differs ? 'differs' : 'same') },
        ...runs.map((run, i) => ({
          label: run.name || run.run_id.slice(0, 8),
          value: r => shown(r.kind, r.values[i]),
        })),
      ],
      rows,
      only.checked
        ? `${rows.length} metrics, params and tags differ between the ${runs.length} runs`
        : `Every metric, param and tag of the ${runs.length} runs`,
    );
    t.querySelectorAll('tbody tr').forEach((tr, i) => {
      tr.dataset.key = `${rows[i].kind}:${rows[i].key}`;
      if (rows[i].differs) tr.classList.add('differs');
    });
    box.replaceChildren(t);
  };
  only.addEventListener('change', draw);
  draw();
  return el(
    'div',
    { class: 'card', 'data-testid': 'compare' },
    el('h2', { text: `Comparing ${runs.length} runs` }),
    el('label', { class: 'row' }, only, 'Differences only (hide what is the same in every run)'),
    box,
    ...historyCharts(runs),
  );
}

function option(kind, runs, xKey, yKey, dims, labels) {
  if (kind === 'parallel') {
    return {
      animation: false,
      tooltip: { trigger: 'item' },
      parallelAxis: dims.map((d, i) => ({
        dim: i,
        name: labels.get(d),
        scale: true,
        nameLocation: 'start',
        nameGap: 12,
        nameRotate: dims.length > 5 ? 20 : 0,
        nameTextStyle: { fontSize: 11 },
        axisLabel: { formatter: v => metricText(v), fontSize: 10 },
      })),
      parallel: { left: 40, right: 60, top: 20, bottom: 50 },
      series: [
        {
          type: 'parallel',
          lineStyle: { width: 2, opacity: 0.6, color: '#0b5cad' },
          data: runs.map(r => ({ name: r.name, value: dims.map(d => axisValue(r, d)) })),
        },
      ],
    };
  }
  const points = scatterPoints(runs, xKey, yKey);
  return {
    animation: false,
    grid: { left: 8, right: 24, top: 16, bottom: 36, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: p =>
        `${points[p.dataIndex].run.name}: ${labels.get(xKey)} ${metricText(p.value[0])}, ${labels.get(yKey)} ${metricText(p.value[1])}`,
    },
    xAxis: {
      type: 'value',
      scale: true,
      name: labels.get(xKey),
      nameLocation: 'middle',
      nameGap: 26,
      axisLabel: { formatter: v => metricText(v) },
    },
    yAxis: {
      type: 'value',
      scale: true,
      name: labels.get(yKey),
      axisLabel: { formatter: v => metricText(v) },
    },
    series: [
      {
        type: 'scatter',
        symbolSize: 8,
        itemStyle: { color: '#0b5cad' },
        data: points.map(p => [p.x, p.y]),
      },
    ],
  };
}

/**
 * The runs plot: listed() gives the runs to draw (the filter's, folded ones too), columns() the
 * chosen metric columns (the parallel plot's axes with the numeric params). Returns {node,
 * refresh} (refresh redraws after the list or the columns changed).
 */
export function runsPlot(listed, columns) {
  const kind = el(
    'select',
    { id: 'plot-kind' },
    el('option', { value: 'scatter', text: 'scatter of two values' }),
    el('option', { value: 'parallel', text: 'parallel coordinates' }),
  );
  const x = el('select', { id: 'plot-x' });
  const y = el('select', { id: 'plot-y' });
  const note = el('p', { class: 'muted', 'data-testid': 'plot-note' });
  const node = chart({}, 'chart', 'plot of the listed runs');
  const refresh = () => {
    const runs = listed();
    const axes = plotAxes(runs);
    const labels = new Map(axes.map(a => [a.key, a.label]));
    for (const [select, fallback] of [
      [x, axes.find(a => a.key.startsWith('param:')) || axes[0]],
      [y, axes.find(a => a.key === `metric:${columns()[0]}`) || axes[1] || axes[0]],
    ]) {
      const keep = select.value;
      select.replaceChildren(...axes.map(a => el('option', { value: a.key, text: a.label })));
      select.value = labels.has(keep) ? keep : fallback ? fallback.key : '';
    }
    const parallel = kind.value === 'parallel';
    x.disabled = y.disabled = parallel;
    const params = axes.filter(a => a.key.startsWith('param:')).map(a => a.key);
    const dims = [
      ...columns()
        .map(k => `metric:${k}`)
        .filter(k => labels.has(k)),
      ...params,
    ].slice(0, 10);
    const drawn = parallel ? runs.length : scatterPoints(runs, x.value, y.value).length;
    note.textContent = axes.length
      ? `${drawn} of the ${runs.length} listed runs drawn (folded trials included)` +
        (parallel ? `; axes: the metric columns, then the numeric params.` : '.')
      : 'No listed run has a metric or numeric param to draw.';
    updateChart(node, axes.length ? option(kind.value, runs, x.value, y.value, dims, labels) : {});
  };
  for (const s of [kind, x, y]) s.addEventListener('change', refresh);
  refresh();
  return {
    node: el(
      'div',
      { class: 'card', 'data-testid': 'runs-plot' },
      el('h2', { text: 'Plot of the listed runs' }),
      el('div', { class: 'row' }, field('Plot', kind), field('x', x), field('y', y)),
      note,
      node,
    ),
    refresh,
  };
}
