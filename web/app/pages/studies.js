// A tuning study on the Experiments page, as optuna-dashboard shows one: trial states, the
// optimisation history (pruned trials marked at their last reported value, never as 0), the
// intermediate values of each trial, parameter importances, a slice plot per parameter, parallel
// coordinates and the trials table. While a background job runs the study, the view follows it
// (trials done of the job's total, the charts redrawn as trials finish) and offers to stop it.
import { ApiError, currentSession, getJson } from '../api.js';
import { chart, disposeChartsIn, el, errorBox, fmt, table } from '../ui.js';
import { active, jobLine, stopDialog } from './jobs.js';

const POLL_MS = 1500;
const sleep = ms => new Promise(r => setTimeout(r, ms));

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

/// The charts and tables of a study's analysis (GET /api/v1/studies/{name}).
function studyContent(a) {
  const params = Object.keys(a.importances || {});
  const complete = (a.history || []).filter(h => h.value !== null && h.value !== undefined);
  const reported = lastReported(a);
  const pruned = (a.history || []).filter(h => h.state === 'PRUNED');
  const states = a.states || {};
  const specs = new Map(((a.search_space || {}).params || []).map(p => [p.name, p]));
  const out = el(
    'div',
    {},
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

/// The newest background job of the study, when the signed-in person may see jobs (else null).
async function jobOf(name) {
  const s = currentSession();
  const roles = (s.signed_in && s.user && s.user.roles) || [];
  if (!roles.includes('analyst') && !roles.includes('admin')) return null;
  try {
    return (await getJson('/api/v1/jobs')).jobs.find(j => j.study === name) || null;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}

/// What the study's job is doing: "Running: N of M trials" with Stop study, or how it ended.
function jobBanner(job, onStop) {
  if (!job) return [];
  const done = job.trials_done ?? 0;
  const text = !active(job.state)
    ? `${job.id} ${job.state} after ${done} of ${job.trials_total} trials.`
    : job.state === 'queued'
      ? `Waiting for a free slot on the server (${job.id}).`
      : `${job.stop ? 'Stopping' : 'Running'}: ${done} of ${job.trials_total} trials.`;
  const nodes = [
    el(
      'p',
      { 'data-testid': 'study-job-state', 'data-state': job.state, tabindex: '-1' },
      el('strong', { text }),
    ),
    jobLine(job),
  ];
  if (active(job.state) && !job.stop)
    nodes.push(
      el(
        'div',
        { class: 'row' },
        el('button', {
          type: 'button',
          class: 'secondary',
          id: 'stop-study',
          text: 'Stop study',
          onclick: () =>
            stopDialog(job, onStop, () => document.querySelector('[data-testid=study-job-state]')),
        }),
      ),
    );
  return nodes;
}

/**
 * The study's view. When a background job runs it, the view asks the server for the job every
 * 1.5 s while alive() and the view is in the page, and redraws the analysis whenever a trial has
 * finished; the job's end (succeeded, failed or stopped) is shown with the trials it left.
 */
export async function studyView(name, alive = () => true) {
  const path = `/api/v1/studies/${encodeURIComponent(name)}`;
  let [a, job] = await Promise.all([getJson(path), jobOf(name)]);
  const banner = el('div', { 'data-testid': 'study-job' });
  const body = el('div');
  const out = el('div', { class: 'card', 'data-testid': 'study' }, banner, body);
  const live = () => alive() && out.isConnected;
  const drawBanner = () => banner.replaceChildren(...jobBanner(job, stopped));
  const drawBody = () => {
    disposeChartsIn(body);
    body.replaceChildren(studyContent(a));
  };
  let following = false;
  async function follow() {
    if (following) return;
    following = true;
    let seen = `${job.state}/${job.trials_done}`;
    try {
      while (job && active(job.state)) {
        await sleep(POLL_MS);
        if (!live()) return;
        job = await getJson(`/api/v1/jobs/${encodeURIComponent(job.id)}`);
        const now = `${job.state}/${job.trials_done}`;
        if (now !== seen) a = await getJson(path);
        if (!live()) return;
        drawBanner();
        if (now !== seen) drawBody();
        seen = now;
      }
    } catch (e) {
      if (live()) banner.append(errorBox(e));
    } finally {
      following = false;
    }
  }
  function stopped(answer) {
    job = answer;
    drawBanner();
    follow();
  }
  drawBanner();
  drawBody();
  if (job && active(job.state)) follow();
  return out;
}
