// A tuning study on the Experiments page, as optuna-dashboard shows one: trial states, the
// optimisation history (pruned trials marked at their last reported value, never as 0), the
// intermediate values of each trial, parameter importances, a slice plot per parameter, parallel
// coordinates and the trials table.
import { getJson } from '../api.js';
import { chart, el, fmt, table } from '../ui.js';

/// The last intermediate value of each trial, by number.
function lastReported(a) {
  const out = new Map();
  for (const t of a.intermediate || [])
    if (t.steps.length) out.set(t.number, t.steps[t.steps.length - 1]);
  return out;
}

/// One small scatter of the objective against a parameter (log axis for log-scaled ones).
function slicePlot(name, spec, points) {
  const log = spec && spec.log && points.every(p => p.value > 0);
  return chart(
    {
      animation: false,
      title: { text: name, textStyle: { fontSize: 12 }, left: 'center' },
      grid: { left: 8, right: 16, top: 30, bottom: 8, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: p =>
          `trial ${points[p.dataIndex].number}: ${name} ${fmt(p.value[0])}, objective ${fmt(p.value[1])}`,
      },
      xAxis: { type: log ? 'log' : 'value', scale: true, axisLabel: { formatter: v => fmt(v, 3) } },
      yAxis: { type: 'value', scale: true, axisLabel: { formatter: v => fmt(v, 3) } },
      series: [
        {
          type: 'scatter',
          symbolSize: 7,
          data: points.map(p => [p.value, p.objective]),
          itemStyle: { color: '#0b5cad' },
        },
      ],
    },
    'chart slice',
    `objective against ${name}`,
  );
}

export async function studyView(name) {
  const a = await getJson(`/api/v1/studies/${encodeURIComponent(name)}`);
  const params = Object.keys(a.importances || {});
  const complete = (a.history || []).filter(h => h.value !== null && h.value !== undefined);
  const reported = lastReported(a);
  const pruned = (a.history || []).filter(h => h.state === 'PRUNED');
  const states = a.states || {};
  const specs = new Map(((a.search_space || {}).params || []).map(p => [p.name, p]));
  const out = el(
    'div',
    { class: 'card', 'data-testid': 'study' },
    el('h2', { text: `Study ${a.study} (${a.family}): ${a.n_trials} trials` }),
    el(
      'p',
      {},
      a.best
        ? `Best: trial ${a.best.number}, objective ${fmt(a.best.value)}`
        : 'No complete trial yet.',
    ),
    el('p', {
      'data-testid': 'study-states',
      text: `${states.COMPLETE || 0} complete, ${states.PRUNED || 0} pruned, ${states.FAIL || 0} failed, ${states.RUNNING || 0} running.`,
    }),
    el('h2', { text: 'Optimisation history' }),
    chart(
      {
        animation: false,
        tooltip: { trigger: 'item' },
        legend: {},
        grid: { left: 8, right: 16, top: 40, bottom: 30, containLabel: true },
        xAxis: {
          type: 'value',
          name: 'trial',
          nameLocation: 'middle',
          nameGap: 24,
          minInterval: 1,
        },
        yAxis: {
          type: 'value',
          scale: true,
          name: a.objective || 'objective',
          axisLabel: { formatter: v => fmt(v, 3) },
        },
        series: [
          { type: 'scatter', name: 'complete', data: complete.map(h => [h.number, h.value]) },
          {
            // Pruned trials have no objective: they are shown where they stopped, as crosses.
            type: 'scatter',
            name: 'pruned (last reported value)',
            symbol: 'path://M0,0L10,10M10,0L0,10',
            symbolSize: 9,
            itemStyle: { color: '#8a5a00', borderColor: '#8a5a00', borderWidth: 2 },
            data: pruned
              .filter(h => reported.has(h.number))
              .map(h => [h.number, reported.get(h.number)[1]]),
          },
          {
            type: 'line',
            name: 'best so far',
            step: 'end',
            showSymbol: false,
            data: (a.history || [])
              .filter(h => h.best_so_far !== null && h.best_so_far !== undefined)
              .map(h => [h.number, h.best_so_far]),
          },
        ],
      },
      'chart small',
      'optimisation history',
    ),
    el('h2', { text: 'Parameter importances' }),
    chart(
      {
        animation: false,
        grid: { left: 150 },
        xAxis: { type: 'value', max: 1 },
        yAxis: { type: 'category', data: params, inverse: true },
        series: [
          { type: 'bar', data: params.map(p => a.importances[p]), itemStyle: { color: '#0b5cad' } },
        ],
      },
      'chart small',
      'parameter importances',
    ),
  );
  if ((a.intermediate || []).length) {
    const prunedSet = new Set(pruned.map(h => h.number));
    out.append(
      el('h2', { text: 'Intermediate values' }),
      chart(
        {
          animation: false,
          tooltip: { trigger: 'item' },
          grid: { left: 8, right: 16, top: 10, bottom: 30, containLabel: true },
          xAxis: { type: 'value', name: 'step', nameLocation: 'middle', nameGap: 24 },
          yAxis: { type: 'value', scale: true, axisLabel: { formatter: v => fmt(v, 3) } },
          series: a.intermediate.slice(-50).map(t => ({
            type: 'line',
            name: `trial ${t.number}${prunedSet.has(t.number) ? ' (pruned)' : ''}`,
            showSymbol: false,
            lineStyle: prunedSet.has(t.number)
              ? { type: 'dashed', color: '#8a5a00', width: 1 }
              : { width: 1.5 },
            data: t.steps,
          })),
        },
        'chart small',
        'intermediate values of each trial',
      ),
    );
  }
  const sliceNames = Object.keys(a.slice || {}).filter(n => a.slice[n].length);
  if (sliceNames.length)
    out.append(
      el('h2', { text: 'Slice plots: the objective against each parameter' }),
      el(
        'div',
        { class: 'slices' },
        sliceNames.map(n => slicePlot(n, specs.get(n), a.slice[n])),
      ),
    );
  const pc = a.parallel_coordinates || [];
  if (pc.length && params.length) {
    const dims = [...params, 'objective'];
    out.append(
      el('h2', { text: 'Parallel coordinates' }),
      chart(
        {
          animation: false,
          parallelAxis: dims.map((d, i) => ({
            dim: i,
            name: d,
            scale: true,
            type: specs.get(d)?.log ? 'log' : 'value',
            nameLocation: 'start',
            nameGap: 12,
            nameRotate: dims.length > 5 ? 20 : 0,
            nameTextStyle: { fontSize: 11 },
            axisLabel: { formatter: v => fmt(v, 3), fontSize: 10 },
          })),
          parallel: { left: 40, right: 80, top: 20, bottom: 50 },
          visualMap: {
            min: Math.min(...pc.map(p => p.objective)),
            max: Math.max(...pc.map(p => p.objective)),
            dimension: dims.length - 1,
            right: 0,
            calculable: true,
            inRange: { color: ['#c6dbef', '#08306b'] },
          },
          series: [
            {
              type: 'parallel',
              lineStyle: { width: 2, opacity: 0.7 },
              data: pc.map(p => [...params.map(k => p.params[k]), p.objective]),
            },
          ],
        },
        'chart',
        'parallel coordinates of the trials',
      ),
    );
  }
  // Every trial: its state, objective (none for pruned and failed ones), and parameters.
  const trialRows = a.history || [];
  const trialsTable = table(
    [
      { label: 'trial', num: true, value: h => h.number },
      { label: 'state', value: h => h.state.toLowerCase() },
      {
        label: 'objective',
        num: true,
        value: h =>
          h.value !== null && h.value !== undefined
            ? fmt(h.value)
            : h.state === 'PRUNED' && reported.has(h.number)
              ? `— (stopped at step ${reported.get(h.number)[0]})`
              : '—',
      },
      ...params.map(p => ({
        label: p,
        num: true,
        value: h => (h.params || {})[p],
      })),
    ],
    trialRows,
  );
  trialsTable.dataset.testid = 'trials-table';
  out.append(el('h2', { text: `Trials (${trialRows.length})` }), trialsTable);
  return out;
}
