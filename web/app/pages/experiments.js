// Experiments: the runs as MLflow's UI shows them (runs_table.js: trials folded under their study,
// chosen metric columns, sorting, filters), runs compared side by side with "differences only" and
// a plot of the listed runs (runs_compare.js), one run's page with its artifacts, report, bundle,
// registration and promotion (run_detail.js), the tuning studies (studies.js) and background jobs
// (jobs.js). #/experiments?run=ID opens that run.
import { getJson } from '../api.js';
import { el, errorBox, table, when } from '../ui.js';
import { chosenMetricColumns, metricKeys, runMatches } from '../runs.js';
import { columnChooser, runsFilters, runsTable, savedColumns } from './runs_table.js';
import { comparison, runsPlot } from './runs_compare.js';
import { runDetail } from './run_detail.js';
import { jobsSection } from './jobs.js';
import { studyView } from './studies.js';

// A card that shows a loading line, then what load() gives or its error.
async function fill(box, load) {
  box.replaceChildren(el('p', { class: 'muted', text: 'Loading…' }));
  try {
    box.replaceChildren(await load());
  } catch (e) {
    box.replaceChildren(errorBox(e));
  }
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
    expanded: new Set(), // parents whose child runs are shown; folded by default
    columns: savedColumns(),
    chooserOpen: false,
  };
  const chooserBox = el('div');
  const tableBox = el('div');
  const compareBox = el('div');
  const detailBox = el('div', { tabindex: '-1', 'data-testid': 'run-detail-box' });
  const studyBox = el('div');
  const compareBtn = el('button', { type: 'button', text: 'Compare selected' });
  const { search, experiment, fields } = runsFilters(runsData.experiments);
  const openRun = id => {
    fill(detailBox, () => runDetail(id, openRun)).then(() => {
      detailBox.scrollIntoView({ block: 'start' });
      detailBox.focus({ preventScroll: true });
    });
  };
  const plot = runsPlot(
    () => state.runs.filter(r => runMatches(r, state.filter)),
    () => chosenMetricColumns(state.columns, metricKeys(state.runs)),
  );
  const actions = {
    // The table is drawn anew; the focus stays on the same control (a fold button, a box).
    redraw: () => {
      const focus = document.activeElement && document.activeElement.dataset.focus;
      chooserBox.replaceChildren(columnChooser(state, actions.redraw));
      tableBox.replaceChildren(runsTable(state, actions));
      compareBtn.disabled = state.selected.size < 2;
      compareBtn.textContent = `Compare selected (${state.selected.size})`;
      plot.refresh();
      if (focus) {
        const again = root.querySelector(`[data-focus="${CSS.escape(focus)}"]`);
        if (again) again.focus();
      }
    },
    toggle: id => {
      if (state.expanded.has(id)) state.expanded.delete(id);
      else state.expanded.add(id);
      actions.redraw();
    },
    open: openRun,
  };
  async function reload() {
    const d = await getJson(
      `/api/v1/runs${experiment.value ? `?experiment=${encodeURIComponent(experiment.value)}` : ''}`,
    );
    if (!alive()) return;
    Object.assign(state, { runs: d.runs, total: d.total, truncated: d.truncated });
    actions.redraw();
  }
  search.addEventListener('input', () => {
    state.filter = search.value;
    actions.redraw();
  });
  experiment.addEventListener('change', () =>
    reload().catch(e => tableBox.replaceChildren(errorBox(e))),
  );
  compareBtn.addEventListener('click', () =>
    fill(compareBox, () => comparison([...state.selected])),
  );
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
                    onclick: () => fill(studyBox, () => studyView(s.name, alive)),
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
      el('div', { class: 'row' }, ...fields, compareBtn),
      chooserBox,
      tableBox,
    ),
    compareBox,
    detailBox,
    plot.node,
    el('div', { class: 'card' }, el('h2', { text: 'Tuning studies' }), studiesList),
    studyBox,
    jobsArea,
  );
  actions.redraw();
  const wanted = new URLSearchParams(location.hash.split('?')[1] || '').get('run');
  if (wanted) openRun(wanted);
}
