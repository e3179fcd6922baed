// A tuning study on the Experiments page: optimisation history, parameter importances, slices
// and parallel coordinates of its trials, as optuna-dashboard shows them.
import { getJson } from '../api.js';
import { chart, el, fmt } from '../ui.js';

export async function studyView(name) {
  const a = await getJson(`/api/v1/studies/${encodeURIComponent(name)}`);
  const params = Object.keys(a.importances || {});
  const complete = (a.history || []).filter(h => h.value !== null && h.value !== undefined);
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
    el('h2', { text: 'Optimisation history' }),
    chart(
      {
        animation: false,
        tooltip: { trigger: 'item' },
        legend: {},
        xAxis: { type: 'value', name: 'trial' },
        yAxis: { type: 'value', scale: true, name: 'objective' },
        series: [
          { type: 'scatter', name: 'trial', data: complete.map(h => [h.number, h.value]) },
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
  const pc = a.parallel_coordinates || [];
  if (pc.length && params.length) {
    const dims = [...params, 'objective'];
    out.append(
      el('h2', { text: 'Parallel coordinates' }),
      chart(
        {
          animation: false,
          parallelAxis: dims.map((d, i) => ({ dim: i, name: d, scale: true })),
          parallel: { left: 40, right: 80 },
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
  return out;
}
