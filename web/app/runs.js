// The runs table's logic as MLflow's UI has it, without the DOM: child runs (tuning trials, a
// pipeline's steps) nested under their parent run, the metric columns a person chose, the
// comparison of selected runs with "differences only", and the numeric axes of a runs plot.
// Pure functions: tests/web/runs.test.mjs.

/// The metrics shown first when nobody chose columns (as many as are logged, up to five).
export const PREFERRED_METRICS = [
  'auc_roc',
  'pr_auc',
  'ks',
  'brier',
  'val_auc_roc',
  'validation_composite',
  'validation_auc_roc',
];

/// The model family a run trained: its tag, else its params.
export function familyOf(r) {
  return (r.tags || {})['loanrisk.family'] || r.params.family || r.params.model || '';
}

/// True when the filter text (any case) is in the run's name, experiment, status, family or study.
export function runMatches(r, filter) {
  const f = (filter || '').trim().toLowerCase();
  if (!f) return true;
  return [r.name, r.experiment, r.status, familyOf(r), (r.tags || {})['loanrisk.study'] || '']
    .join(' ')
    .toLowerCase()
    .includes(f);
}

/// Orders two values for a sort: missing values last whatever the direction.
export function compareValues(x, y, asc) {
  const missing = v => v === null || v === undefined || (typeof v === 'number' && isNaN(v));
  if (missing(x) || missing(y)) return missing(x) === missing(y) ? 0 : missing(x) ? 1 : -1;
  if (x === y) return 0;
  return (x < y ? -1 : 1) * (asc ? 1 : -1);
}

/**
 * The rows of the runs table: each run whose parent is listed goes under it (any depth), siblings
 * sorted by get(run) (asc or not); a parent's children show only when its id is in expanded.
 * With a filter, a run is listed when it or one of its descendants matches. Each row is
 * {run, depth, children (listed children count), open (expanded and has children)}.
 */
export function runRows(runs, { filter = '', get = r => r.start_ms, asc = false, expanded } = {}) {
  const open = expanded || new Set();
  const ids = new Set(runs.map(r => r.run_id));
  const kids = new Map();
  const roots = [];
  for (const r of runs) {
    const p = r.parent_run_id;
    if (p && p !== r.run_id && ids.has(p)) {
      if (!kids.has(p)) kids.set(p, []);
      kids.get(p).push(r);
    } else roots.push(r);
  }
  // A run is kept when it matches or a descendant does; seen guards against a parent loop.
  const keep = new Map();
  const kept = (r, seen = new Set()) => {
    if (keep.has(r.run_id)) return keep.get(r.run_id);
    if (seen.has(r.run_id)) return false;
    seen.add(r.run_id);
    const yes = runMatches(r, filter) || (kids.get(r.run_id) || []).some(c => kept(c, seen));
    keep.set(r.run_id, yes);
    return yes;
  };
  const order = list => [...list].sort((a, b) => compareValues(get(a), get(b), asc));
  const out = [];
  const visit = (r, depth, seen) => {
    if (seen.has(r.run_id) || !kept(r)) return;
    seen.add(r.run_id);
    const children = (kids.get(r.run_id) || []).filter(c => kept(c));
    const isOpen = children.length > 0 && open.has(r.run_id);
    out.push({ run: r, depth, children: children.length, open: isOpen });
    if (isOpen) for (const c of order(children)) visit(c, depth + 1, seen);
  };
  const seen = new Set();
  for (const r of order(roots)) visit(r, 0, seen);
  return out;
}

/// Every metric key logged by the runs, sorted.
export function metricKeys(runs) {
  const keys = new Set();
  for (const r of runs) for (const k of Object.keys(r.metrics || {})) keys.add(k);
  return [...keys].sort();
}

/// The columns shown before anyone chooses: the preferred metrics logged, else the first five.
export function defaultMetricColumns(keys) {
  const preferred = PREFERRED_METRICS.filter(k => keys.includes(k)).slice(0, 5);
  return preferred.length ? preferred : keys.slice(0, 5);
}

/// A saved choice (localStorage text) as a list of metric names, or null when there is none or it
/// is not a list of names.
export function parseSavedColumns(text) {
  if (typeof text !== 'string') return null;
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) && v.length <= 200 && v.every(k => typeof k === 'string') ? v : null;
  } catch {
    return null;
  }
}

/// The metric columns to show: the saved choice's metrics that these runs logged (in the saved
/// order), an empty choice kept empty; the defaults when nothing was saved or none of it applies.
export function chosenMetricColumns(saved, keys) {
  if (!Array.isArray(saved)) return defaultMetricColumns(keys);
  if (!saved.length) return [];
  const present = saved.filter(k => keys.includes(k));
  return present.length ? present : defaultMetricColumns(keys);
}

/// True when every run has the same value (a key missing in some run but not all differs).
function allEqual(values) {
  return values.every(v => v === values[0] || (Number.isNaN(v) && Number.isNaN(values[0])));
}

/**
 * The comparison of runs, one row per metric, param and tag any of them has: {kind ('metric',
 * 'param' or 'tag'), key, values (one per run, undefined when absent), differs}. With
 * onlyDifferences, the rows whose values are the same in every run are left out.
 */
export function compareRows(runs, onlyDifferences = false) {
  const rows = [];
  for (const [kind, field] of [
    ['metric', 'metrics'],
    ['param', 'params'],
    ['tag', 'tags'],
  ]) {
    const keys = new Set();
    for (const r of runs) for (const k of Object.keys(r[field] || {})) keys.add(k);
    for (const key of [...keys].sort()) {
      const values = runs.map(r => {
        const v = (r[field] || {})[key];
        return v === null ? undefined : v;
      });
      const differs = !allEqual(values);
      if (differs || !onlyDifferences) rows.push({ kind, key, values, differs });
    }
  }
  return rows;
}

/// A param's text as a number when it is one ("0.1", "6", "1e-3"), else null.
function numeric(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim()))
    return null;
  return Number(v);
}

/**
 * What a runs plot can put on an axis: every metric, and every param whose values are all numbers
 * ({key: 'metric:NAME' or 'param:NAME', label}). Metrics first, each group sorted.
 */
export function plotAxes(runs) {
  const out = metricKeys(runs).map(k => ({ key: `metric:${k}`, label: k }));
  const params = new Map();
  for (const r of runs)
    for (const [k, v] of Object.entries(r.params || {}))
      params.set(k, (params.get(k) ?? true) && numeric(v) !== null);
  for (const k of [...params.keys()].sort())
    if (params.get(k)) out.push({ key: `param:${k}`, label: `param ${k}` });
  return out;
}

/// A run's value on a plot axis (metric:NAME or param:NAME), or null.
export function axisValue(run, key) {
  const at = key.indexOf(':');
  const kind = key.slice(0, at),
    name = key.slice(at + 1);
  if (kind === 'metric') return numeric((run.metrics || {})[name]);
  if (kind === 'param') return numeric((run.params || {})[name]);
  return null;
}

/// The runs that have a value on both axes: {run, x, y}.
export function scatterPoints(runs, xKey, yKey) {
  const out = [];
  for (const run of runs) {
    const x = axisValue(run, xKey),
      y = axisValue(run, yKey);
    if (x !== null && y !== null) out.push({ run, x, y });
  }
  return out;
}
