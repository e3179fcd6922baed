// Unit tests of web/app/runs.js (node --test): the runs table's nesting, filtering and sorting,
// the metric columns chosen and saved, the comparison's "differences only" and the plot's axes.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  axisValue,
  chosenMetricColumns,
  compareRows,
  compareValues,
  defaultMetricColumns,
  metricKeys,
  parseSavedColumns,
  plotAxes,
  runMatches,
  runRows,
  scatterPoints,
} from '../../web/app/runs.js';

const run = (id, extra = {}) => ({
  run_id: id,
  name: id,
  experiment: 'e',
  status: 'FINISHED',
  parent_run_id: '',
  start_ms: 0,
  params: {},
  metrics: {},
  tags: {},
  ...extra,
});

// A study (parent) with three trials and a refit, a plain train run, and a trial whose parent is
// not loaded (older than the newest 300).
const runs = [
  run('study', { start_ms: 10, tags: { 'loanrisk.study': 'tune-x' } }),
  run('t0', { parent_run_id: 'study', start_ms: 11, metrics: { auc_roc: 0.7 } }),
  run('t1', { parent_run_id: 'study', start_ms: 12, metrics: { auc_roc: 0.9 } }),
  run('t2', { parent_run_id: 'study', start_ms: 13, metrics: { auc_roc: 0.8 } }),
  run('train', { start_ms: 20, name: 'b1', metrics: { auc_roc: 0.85 } }),
  run('orphan', { parent_run_id: 'gone', start_ms: 5 }),
];
const ids = rows => rows.map(r => `${'  '.repeat(r.depth)}${r.run.run_id}`);

test('child runs are folded under their parent until it is expanded', () => {
  const folded = runRows(runs);
  assert.deepEqual(ids(folded), ['train', 'study', 'orphan']);
  assert.deepEqual(
    folded.map(r => [r.children, r.open]),
    [
      [0, false],
      [3, false],
      [0, false],
    ],
  );
  const open = runRows(runs, { expanded: new Set(['study']) });
  assert.deepEqual(ids(open), ['train', 'study', '  t2', '  t1', '  t0', 'orphan']);
  assert.equal(open[1].open, true);
  // Expanding a run without children changes nothing.
  assert.deepEqual(ids(runRows(runs, { expanded: new Set(['train']) })), ids(folded));
});

test('siblings sort by the column, missing values last either way', () => {
  const auc = r => r.metrics.auc_roc ?? null;
  const expanded = new Set(['study']);
  assert.deepEqual(ids(runRows(runs, { get: auc, asc: false, expanded })), [
    'train',
    'study',
    '  t1',
    '  t2',
    '  t0',
    'orphan',
  ]);
  assert.deepEqual(ids(runRows(runs, { get: auc, asc: true, expanded })), [
    'train',
    'study',
    '  t0',
    '  t2',
    '  t1',
    'orphan',
  ]);
  assert.equal(compareValues(null, 1, true), 1);
  assert.equal(compareValues(null, 1, false), 1);
  assert.equal(compareValues(NaN, 1, false), 1);
  assert.equal(compareValues(undefined, null, true), 0);
});

test('a filter keeps a parent whose child matches, and only the matching children', () => {
  const expanded = new Set(['study']);
  assert.deepEqual(ids(runRows(runs, { filter: 't1', expanded })), ['study', '  t1']);
  // Folded, the parent says it has one matching child.
  const folded = runRows(runs, { filter: 'T1' });
  assert.deepEqual(ids(folded), ['study']);
  assert.equal(folded[0].children, 1);
  assert.deepEqual(ids(runRows(runs, { filter: 'tune-x' })), ['study']); // the study tag
  assert.deepEqual(ids(runRows(runs, { filter: 'nothing' })), []);
  assert.ok(runMatches(runs[4], ' B1 '));
});

test('deeper nesting, and a parent loop does not hang', () => {
  const deep = [run('a'), run('b', { parent_run_id: 'a' }), run('c', { parent_run_id: 'b' })];
  assert.deepEqual(ids(runRows(deep, { expanded: new Set(['a', 'b']) })), ['a', '  b', '    c']);
  assert.deepEqual(ids(runRows(deep, { expanded: new Set(['b']) })), ['a']);
  const loop = [run('x', { parent_run_id: 'y' }), run('y', { parent_run_id: 'x' }), run('z')];
  assert.deepEqual(ids(runRows(loop)), ['z']);
  assert.deepEqual(ids(runRows([run('self', { parent_run_id: 'self' })])), ['self']);
});

test('metric columns: defaults, a saved choice, and a saved choice that does not apply', () => {
  const keys = metricKeys([
    run('a', { metrics: { f1: 1, auc_roc: 1, ks: 1, train_seconds: 3 } }),
    run('b', { metrics: { brier: 0.1 } }),
  ]);
  assert.deepEqual(keys, ['auc_roc', 'brier', 'f1', 'ks', 'train_seconds']);
  assert.deepEqual(defaultMetricColumns(keys), ['auc_roc', 'ks', 'brier']);
  assert.deepEqual(defaultMetricColumns(['x', 'y']), ['x', 'y']);
  assert.deepEqual(chosenMetricColumns(null, keys), ['auc_roc', 'ks', 'brier']);
  assert.deepEqual(chosenMetricColumns(['train_seconds', 'f1'], keys), ['train_seconds', 'f1']);
  assert.deepEqual(chosenMetricColumns(['gone', 'f1'], keys), ['f1']);
  assert.deepEqual(chosenMetricColumns(['gone'], keys), ['auc_roc', 'ks', 'brier']);
  assert.deepEqual(chosenMetricColumns([], keys), []);
});

test('a saved choice is read back only when it is a list of names', () => {
  assert.deepEqual(parseSavedColumns('["auc_roc","ks"]'), ['auc_roc', 'ks']);
  assert.deepEqual(parseSavedColumns('[]'), []);
  for (const bad of [null, undefined, '', '{', '{"a":1}', '[1,2]', '"auc"', 'null'])
    assert.equal(parseSavedColumns(bad), null, String(bad));
  assert.equal(parseSavedColumns(JSON.stringify(Array(201).fill('k'))), null);
});

test('compare: every metric, param and tag, or only those that differ', () => {
  const a = run('a', {
    metrics: { auc_roc: 0.8, ks: 0.5 },
    params: { max_depth: '4', eta: '0.1' },
    tags: { 'loanrisk.family': 'xgboost' },
  });
  const b = run('b', {
    metrics: { auc_roc: 0.8, ks: 0.6, f1: 0.3 },
    params: { max_depth: '6', eta: '0.1' },
    tags: { 'loanrisk.family': 'xgboost' },
  });
  const all = compareRows([a, b]);
  assert.deepEqual(
    all.map(r => `${r.kind} ${r.key} ${r.differs ? '≠' : '='}`),
    [
      'metric auc_roc =',
      'metric f1 ≠',
      'metric ks ≠',
      'param eta =',
      'param max_depth ≠',
      'tag loanrisk.family =',
    ],
  );
  assert.deepEqual(all[1].values, [undefined, 0.3]);
  const diff = compareRows([a, b], true);
  assert.deepEqual(
    diff.map(r => `${r.kind} ${r.key}`),
    ['metric f1', 'metric ks', 'param max_depth'],
  );
  // Runs that are the same everywhere: nothing differs; a NaN metric (null) is "absent".
  assert.deepEqual(compareRows([a, a], true), []);
  const n = run('n', { metrics: { auc_roc: null } });
  assert.deepEqual(compareRows([n, n], true), []);
  assert.equal(compareRows([n, a])[0].differs, true);
});

test('plot axes: every metric and the params that are numbers', () => {
  const list = [
    run('a', { metrics: { auc_roc: 0.8 }, params: { eta: '0.1', max_depth: '4', family: 'x' } }),
    run('b', { metrics: { ks: 0.5 }, params: { eta: '1e-2', max_depth: 'auto' } }),
  ];
  assert.deepEqual(
    plotAxes(list).map(a => a.key),
    ['metric:auc_roc', 'metric:ks', 'param:eta'],
  );
  assert.equal(axisValue(list[1], 'param:eta'), 0.01);
  assert.equal(axisValue(list[0], 'metric:ks'), null);
  assert.equal(axisValue(list[1], 'param:max_depth'), null);
  assert.equal(axisValue(list[0], 'nothing'), null);
  const points = scatterPoints(list, 'param:eta', 'metric:auc_roc');
  assert.deepEqual(
    points.map(p => [p.run.run_id, p.x, p.y]),
    [['a', 0.1, 0.8]],
  );
});
