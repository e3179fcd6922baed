// The runs table of the Experiments page as MLflow's shows it: child runs (a study's trials, a
// pipeline's steps) folded under their parent behind a button, metric columns the person chose
// (kept in localStorage), numbers rounded one way (metricText), click a header to sort, tick runs
// to compare, click a name for the run's page. The logic is web/app/runs.js's.
import { el, field, when } from '../ui.js';
import { metricText } from '../numbers.js';
import {
  chosenMetricColumns,
  defaultMetricColumns,
  familyOf,
  metricKeys,
  parseSavedColumns,
  runRows,
} from '../runs.js';

const COLUMNS_KEY = 'loanrisk.runs.metric-columns';

/// The metric columns saved in this browser (null when none were chosen).
export function savedColumns() {
  try {
    return parseSavedColumns(localStorage.getItem(COLUMNS_KEY));
  } catch {
    return null; // storage switched off: the choice lasts as long as the page
  }
}

function saveColumns(columns) {
  try {
    if (columns === null) localStorage.removeItem(COLUMNS_KEY);
    else localStorage.setItem(COLUMNS_KEY, JSON.stringify(columns));
  } catch {
    // storage switched off: the choice lasts as long as the page
  }
}

/// The table's columns: the run's attributes, then the chosen metrics.
export function runColumns(state) {
  const metrics = chosenMetricColumns(state.columns, metricKeys(state.runs));
  return [
    { key: 'name', label: 'run', get: r => r.name },
    { key: 'experiment', label: 'experiment', get: r => r.experiment },
    { key: 'status', label: 'status', get: r => r.status },
    { key: 'family', label: 'family', get: familyOf },
    { key: 'start', label: 'started', get: r => r.start_ms, show: r => when(r.start_ms) },
    ...metrics.map(k => ({
      key: `m:${k}`,
      label: k,
      num: true,
      get: r => r.metrics[k] ?? null,
      show: r => metricText(r.metrics[k] ?? null),
    })),
  ];
}

/// A fold for the metric columns: a box per metric logged, in a <details> (keyboard operable).
export function columnChooser(state, onChange) {
  const keys = metricKeys(state.runs);
  const chosen = chosenMetricColumns(state.columns, keys);
  const set = columns => {
    state.columns = columns;
    saveColumns(columns);
    onChange();
  };
  return el(
    'details',
    {
      class: 'columns',
      open: state.chooserOpen,
      ontoggle: e => (state.chooserOpen = e.target.open),
    },
    el('summary', { 'data-focus': 'columns', text: `Metric columns (${chosen.length} shown)` }),
    el(
      'div',
      { class: 'checks', role: 'group', 'aria-label': 'metric columns' },
      keys.map(k =>
        el(
          'label',
          {},
          el('input', {
            type: 'checkbox',
            id: `col-${k}`,
            'data-focus': `col-${k}`,
            'data-column': k,
            checked: chosen.includes(k),
            onchange: e => set(e.target.checked ? [...chosen, k] : chosen.filter(c => c !== k)),
          }),
          k,
        ),
      ),
    ),
    el(
      'div',
      { class: 'row' },
      el('button', {
        type: 'button',
        class: 'secondary',
        'data-focus': 'columns-default',
        text: `Default columns (${defaultMetricColumns(keys).join(', ') || 'none'})`,
        onclick: () => set(null),
      }),
    ),
  );
}

// The name cell: indented by depth, a fold button for a parent, the name opening the run's page.
function nameCell(row, actions) {
  const r = row.run;
  const label = r.name || r.run_id.slice(0, 8);
  return el(
    'td',
    { style: row.depth ? `padding-left: ${0.5 + row.depth * 1.6}em` : null },
    el(
      'span',
      { class: 'run-name' },
      row.children
        ? el('button', {
            type: 'button',
            class: 'expand secondary',
            'aria-expanded': String(row.open),
            'aria-label': `${row.open ? 'Hide' : 'Show'} the ${row.children} child runs of ${label}`,
            'data-expand': r.run_id,
            'data-focus': `expand-${r.run_id}`,
            text: `${row.open ? '▾' : '▸'} ${row.children}`,
            onclick: () => actions.toggle(r.run_id),
          })
        : null,
      el('button', {
        type: 'button',
        class: 'link',
        'data-open-run': r.run_id,
        'data-focus': `open-${r.run_id}`,
        text: label,
        onclick: () => actions.open(r.run_id),
      }),
    ),
  );
}

/**
 * The table: state {runs, total, truncated, filter, sort, selected, expanded, columns}; actions
 * {redraw, toggle(id), open(id)}.
 */
export function runsTable(state, actions) {
  const cols = runColumns(state);
  const col = cols.find(c => c.key === state.sort.key) || cols[4];
  const rows = runRows(state.runs, {
    filter: state.filter,
    get: col.get,
    asc: state.sort.asc,
    expanded: state.expanded,
  });
  const folded = rows.reduce((n, r) => n + (r.open ? 0 : r.children), 0);
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
          'data-focus': `sort-${c.key}`,
          text: `${c.label}${sorted ? (state.sort.asc ? ' ▲' : ' ▼') : ''}`,
          onclick: () => {
            state.sort = { key: c.key, asc: sorted ? !state.sort.asc : !c.num };
            actions.redraw();
          },
        }),
      );
    }),
  );
  const body = rows.map(row =>
    el(
      'tr',
      { 'data-run': row.run.run_id, 'data-depth': String(row.depth) },
      el(
        'td',
        {},
        el('input', {
          type: 'checkbox',
          'aria-label': `compare ${row.run.name}`,
          'data-focus': `select-${row.run.run_id}`,
          checked: state.selected.has(row.run.run_id),
          onchange: ev => {
            if (ev.target.checked) state.selected.add(row.run.run_id);
            else state.selected.delete(row.run.run_id);
            actions.redraw();
          },
        }),
      ),
      cols.map((c, i) =>
        i === 0
          ? nameCell(row, actions)
          : el('td', {
              class: c.num ? 'num' : null,
              text: c.show ? c.show(row.run) : c.get(row.run) || '—',
            }),
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
        text:
          `${rows.length} of ${state.total} runs listed` +
          `${folded ? `, ${folded} more folded under their parent` : ''}` +
          `${state.truncated ? ' (newest 300 loaded)' : ''}`,
      }),
      el('thead', {}, head),
      el('tbody', {}, body),
    ),
  );
}

/// A search box and an experiment menu for the table.
export function runsFilters(experiments) {
  const search = el('input', {
    type: 'search',
    id: 'runs-filter',
    placeholder: 'name, experiment, status, family, study',
  });
  const experiment = el(
    'select',
    { id: 'runs-experiment' },
    el('option', { value: '', text: 'all experiments' }),
    experiments.map(e => el('option', { value: e.name, text: e.name })),
  );
  return { search, experiment, fields: [field('Filter', search), field('Experiment', experiment)] };
}
