// Experiments: the runs table (sort, filter, select), side-by-side comparison with metric history
// charts, tuning studies (optimisation history, importances, parallel coordinates), and starting a
// training or tuning run in the background with live progress.
import { ApiError, currentSession, getJson, postJson } from '../api.js';
import { signInAndRedraw } from '../account.js';
import { chart, el, errorBox, field, fmt, table, when } from '../ui.js';

const PREFERRED = [
  'auc_roc',
  'pr_auc',
  'ks',
  'brier',
  'val_auc_roc',
  'validation_composite',
  'validation_auc_roc',
];

function familyOf(r) {
  return r.tags['loanrisk.family'] || r.params.family || r.params.model || '';
}

function runsTable(state, onSelect) {
  const runs = state.runs;
  const keys = new Set();
  for (const r of runs) for (const k of Object.keys(r.metrics)) keys.add(k);
  const metricCols = PREFERRED.filter(k => keys.has(k)).slice(0, 5);
  const cols = [
    { key: 'name', label: 'run', get: r => r.name },
    { key: 'experiment', label: 'experiment', get: r => r.experiment },
    { key: 'status', label: 'status', get: r => r.status },
    { key: 'family', label: 'family', get: familyOf },
    { key: 'start', label: 'started', get: r => r.start_ms, show: r => when(r.start_ms) },
    ...metricCols.map(k => ({
      key: `m:${k}`,
      label: k,
      num: true,
      get: r => r.metrics[k] ?? null,
    })),
  ];
  const filter = state.filter.toLowerCase();
  let rows = runs.filter(
    r =>
      !filter ||
      [r.name, r.experiment, r.status, familyOf(r), r.tags['loanrisk.study'] || '']
        .join(' ')
        .toLowerCase()
        .includes(filter),
  );
  const col = cols.find(c => c.key === state.sort.key) || cols[4];
  rows = [...rows].sort((a, b) => {
    const x = col.get(a),
      y = col.get(b);
    if (x === y) return 0;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * (state.sort.asc ? 1 : -1);
  });
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', text: 'compare' }),
    cols.map(c => {
      const sorted = c.key === col.key;
      return el(
        'th',
        {
          scope: 'col',
          class: c.num ? 'num' : null,
          'aria-sort': sorted ? (state.sort.asc ? 'ascending' : 'descending') : null,
        },
        el('button', {
          type: 'button',
          text: `${c.label}${sorted ? (state.sort.asc ? ' ▲' : ' ▼') : ''}`,
          onclick: () => {
            state.sort = { key: c.key, asc: sorted ? !state.sort.asc : c.num ? false : true };
            onSelect();
          },
        }),
      );
    }),
  );
  const body = rows.map(r =>
    el(
      'tr',
      { 'data-run': r.run_id },
      el(
        'td',
        {},
        el('input', {
          type: 'checkbox',
          'aria-label': `compare ${r.name}`,
          checked: state.selected.has(r.run_id),
          onchange: ev => {
            if (ev.target.checked) state.selected.add(r.run_id);
            else state.selected.delete(r.run_id);
            onSelect();
          },
        }),
      ),
      cols.map(c =>
        el('td', { class: c.num ? 'num' : null, text: c.show ? c.show(r) : fmt(c.get(r)) }),
      ),
    ),
  );
  return el(
    'div',
    { class: 'table-wrap' },
    el(
      'table',
      { 'data-testid': 'runs-table' },
      el('caption', {
        class: 'muted',
        text: `${rows.length} of ${state.total} runs${state.truncated ? ' (newest 300 loaded)' : ''}`,
      }),
      el('thead', {}, head),
      el('tbody', {}, body),
    ),
  );
}

async function comparison(ids) {
  const runs = await Promise.all(ids.map(id => getJson(`/api/v1/runs/${id}`)));
  const params = [...new Set(runs.flatMap(r => Object.keys(r.params)))].sort();
  const metrics = [...new Set(runs.flatMap(r => Object.keys(r.metrics)))].sort();
  // Long values (feature lists) get break points so that every run's column stays in view.
  const cell = v => (typeof v === 'string' && v.length > 30 ? v.replace(/,/g, ', ') : v);
  const cols = [
    { label: '', value: row => row.label },
    ...runs.map(r => ({ label: r.name || r.run_id.slice(0, 8), value: row => cell(row.get(r)) })),
  ];
  const rows = [
    ...metrics.map(k => ({ label: `metric ${k}`, get: r => r.metrics[k] ?? null })),
    ...params.map(k => ({ label: `param ${k}`, get: r => r.params[k] ?? null })),
  ];
  const out = el(
    'div',
    { class: 'card', 'data-testid': 'compare' },
    el('h2', { text: `Comparing ${runs.length} runs` }),
    table(cols, rows),
  );
  for (const key of metrics) {
    const series = runs
      .filter(r => (r.history[key] || []).length > 1)
      .map(r => ({
        type: 'line',
        name: r.name,
        showSymbol: false,
        data: r.history[key].map(p => [p.step, p.value]),
      }));
    if (!series.length) continue;
    out.append(
      el('h2', { text: `History of ${key}` }),
      chart(
        {
          animation: false,
          tooltip: { trigger: 'axis' },
          legend: {},
          xAxis: { type: 'value', name: 'step' },
          yAxis: { type: 'value', scale: true },
          series,
        },
        'chart small',
        `history of ${key}`,
      ),
    );
  }
  return out;
}

async function studyView(name) {
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

function startForm(meta, onStarted) {
  const family = el(
    'select',
    { id: 'job-family' },
    meta.families.map(f => el('option', { value: f, text: f, selected: f === 'xgboost' })),
  );
  const feats = meta.features.map(f =>
    el(
      'label',
      {},
      el('input', { type: 'checkbox', value: f, checked: meta.default_features.includes(f) }),
      f,
    ),
  );
  const tune = el('input', { type: 'checkbox', id: 'job-tune', checked: true });
  const trials = el('input', {
    type: 'number',
    id: 'job-trials',
    min: '1',
    max: '500',
    value: '10',
  });
  const experiment = el('input', { type: 'text', id: 'job-experiment', value: 'web' });
  const msg = el('div', { 'aria-live': 'polite', 'data-testid': 'job-status' });
  const go = el('button', { type: 'submit', text: 'Start run' });
  const form = el(
    'form',
    { class: 'card', 'aria-label': 'Start a run' },
    el('h2', { text: 'Start a run' }),
    field('Model family', family),
    el(
      'fieldset',
      { class: 'field' },
      el('legend', { text: 'Features to use' }),
      el('div', { class: 'checks' }, feats),
    ),
    el(
      'div',
      { class: 'field' },
      el('label', {}, tune, ' Tune hyperparameters (a study of several trials)'),
    ),
    field('Number of trials', trials),
    field('Experiment name', experiment),
    el('p', {
      class: 'muted',
      text: `Trains on ${meta.default_data || '(no data file known: the served model names none)'}.`,
    }),
    el('div', { class: 'row' }, go),
    msg,
  );
  tune.addEventListener('change', () => {
    trials.disabled = !tune.checked;
  });
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    msg.replaceChildren();
    const body = {
      family: family.value,
      features: feats
        .map(l => l.firstChild)
        .filter(c => c.checked)
        .map(c => c.value),
      tune: tune.checked,
      trials: Number(trials.value),
      experiment: experiment.value,
    };
    go.disabled = true;
    try {
      const job = await postJson('/api/v1/admin/jobs', body);
      onStarted(job, msg);
    } catch (e) {
      msg.append(errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
  return form;
}

// Background jobs need an analyst (or an admin): who is not signed in, or lacks the role, is told
// so here and may sign in.
function jobsLocked(error) {
  const s = currentSession();
  return el(
    'div',
    { class: 'card', 'aria-label': 'Background jobs', 'data-testid': 'jobs-locked' },
    el('h2', { text: 'Background jobs' }),
    el('p', {
      class: 'muted',
      text:
        error.status === 403
          ? error.message
          : 'Starting and watching training or tuning jobs needs an analyst or an admin: sign in.',
    }),
    s.signed_in && error.status !== 401
      ? null
      : el(
          'div',
          { class: 'row' },
          el('button', {
            type: 'button',
            id: 'jobs-signin',
            text: 'Sign in',
            onclick: () => signInAndRedraw('Background jobs need an analyst or an admin.'),
          }),
        ),
  );
}

function jobView(job) {
  const done = job.trials_done ?? 0;
  const total = job.trials_total ?? 1;
  const finished = job.state !== 'running';
  return el(
    'div',
    { 'data-job': job.id, 'data-state': job.state },
    el(
      'p',
      {},
      `${job.id}: ${job.kind} ${job.family} in experiment "${job.experiment}": `,
      el('strong', { text: job.state }),
      job.kind === 'tune' ? ` — ${done} of ${total} trials done` : '',
      finished && job.exit_code !== null ? ` (exit code ${job.exit_code})` : '',
    ),
    el('progress', {
      max: String(total),
      value: String(finished && job.state === 'succeeded' ? total : job.kind === 'tune' ? done : 0),
      'aria-label': `progress of ${job.id}`,
    }),
    job.state === 'failed' ? el('pre', { text: job.stderr_tail }) : null,
  );
}

export async function experimentsPage(root, alive) {
  // Jobs need an analyst: signed out (or short of the role), the page says so.
  const [runsData, studies, jobs] = await Promise.all([
    getJson('/api/v1/runs'),
    getJson('/api/v1/studies'),
    getJson('/api/v1/jobs').catch(e => {
      if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return e;
      throw e;
    }),
  ]);
  if (!alive()) return;
  const state = {
    runs: runsData.runs,
    total: runsData.total,
    truncated: runsData.truncated,
    filter: '',
    sort: { key: 'start', asc: false },
    selected: new Set(),
  };
  const tableBox = el('div');
  const compareBox = el('div');
  const studyBox = el('div');
  const compareBtn = el('button', { type: 'button', text: 'Compare selected' });
  const search = el('input', {
    type: 'search',
    id: 'runs-filter',
    placeholder: 'name, experiment, status, family, study',
  });
  const expSelect = el(
    'select',
    { id: 'runs-experiment' },
    el('option', { value: '', text: 'all experiments' }),
    runsData.experiments.map(e => el('option', { value: e.name, text: e.name })),
  );
  const redraw = () => {
    tableBox.replaceChildren(runsTable(state, redraw));
    compareBtn.disabled = state.selected.size < 2;
    compareBtn.textContent = `Compare selected (${state.selected.size})`;
  };
  async function reload() {
    const d = await getJson(
      `/api/v1/runs${expSelect.value ? `?experiment=${encodeURIComponent(expSelect.value)}` : ''}`,
    );
    if (!alive()) return;
    Object.assign(state, { runs: d.runs, total: d.total, truncated: d.truncated });
    redraw();
  }
  search.addEventListener('input', () => {
    state.filter = search.value;
    redraw();
  });
  expSelect.addEventListener('change', () =>
    reload().catch(e => tableBox.replaceChildren(errorBox(e))),
  );
  compareBtn.addEventListener('click', async () => {
    compareBox.replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
    try {
      compareBox.replaceChildren(await comparison([...state.selected]));
    } catch (e) {
      compareBox.replaceChildren(errorBox(e));
    }
  });
  const studiesList = el('div');
  const drawStudies = list =>
    studiesList.replaceChildren(
      list.length
        ? table(
            [
              {
                label: 'study',
                value: s =>
                  el('button', {
                    type: 'button',
                    class: 'secondary',
                    'data-study': s.name,
                    text: s.name,
                    onclick: async () => {
                      studyBox.replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
                      try {
                        studyBox.replaceChildren(await studyView(s.name));
                      } catch (e) {
                        studyBox.replaceChildren(errorBox(e));
                      }
                    },
                  }),
              },
              { label: 'family', value: s => s.family },
              { label: 'trials', num: true, value: s => s.n_trials },
              { label: 'complete', num: true, value: s => s.complete },
              { label: 'best objective', num: true, value: s => s.best_value },
              { label: 'created', value: s => when(s.created_ms) },
            ],
            list,
          )
        : el('p', {
            class: 'muted',
            text: 'No tuning study yet: start one below or run `loanrisk tune`.',
          }),
    );
  drawStudies(studies.studies);

  const jobsBox = el('div', { 'data-testid': 'jobs' });
  const drawJobs = list => jobsBox.replaceChildren(...list.map(jobView));
  const poll = async (job, msg) => {
    msg.replaceChildren(jobView(job));
    while (alive()) {
      await new Promise(r => setTimeout(r, 1000));
      if (!alive()) return;
      const j = await getJson(`/api/v1/jobs/${job.id}`);
      msg.replaceChildren(jobView(j));
      if (j.state !== 'running') {
        drawJobs((await getJson('/api/v1/jobs')).jobs);
        await reload();
        drawStudies((await getJson('/api/v1/studies')).studies);
        return;
      }
    }
  };

  const jobsArea = el('div');
  const showJobs = meta => {
    jobsArea.replaceChildren(
      startForm(meta, (job, msg) => poll(job, msg).catch(e => msg.append(errorBox(e)))),
      el('div', { class: 'card' }, el('h2', { text: 'Background jobs on this server' }), jobsBox),
    );
    drawJobs(meta.jobs);
  };
  if (jobs instanceof ApiError) jobsArea.replaceChildren(jobsLocked(jobs));
  else showJobs(jobs);

  root.append(
    el('h1', { text: 'Experiments' }),
    el(
      'div',
      { class: 'card' },
      el('h2', { text: 'Runs' }),
      el(
        'div',
        { class: 'row' },
        field('Filter', search),
        field('Experiment', expSelect),
        compareBtn,
      ),
      tableBox,
    ),
    compareBox,
    el('div', { class: 'card' }, el('h2', { text: 'Tuning studies' }), studiesList),
    studyBox,
    jobsArea,
  );
  redraw();
}
