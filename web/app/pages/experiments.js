// Experiments: the runs table (sort, filter, select), side-by-side comparison with metric history
// charts, the tuning studies (studies.js), and background jobs (jobs.js).
import { getJson } from '../api.js';
import { chart, el, errorBox, field, fmt, table, when } from '../ui.js';
import { jobsSection } from './jobs.js';
import { studyView } from './studies.js';

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

export async function experimentsPage(root, alive) {
  const [runsData, studies, jobsArea] = await Promise.all([
    getJson('/api/v1/runs'),
    getJson('/api/v1/studies'),
    jobsSection(alive, async () => {
      await reload();
      drawStudies((await getJson('/api/v1/studies')).studies);
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
