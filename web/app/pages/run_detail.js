// One run on the Experiments page, as MLflow's run page shows it: its attributes, metrics (with
// their history), params and tags; its artifacts (view or download each file); its evaluation
// report (new tab, a sandboxed frame, download); its bundle as one archive; and from run to
// production: register the bundle as a model version, then request its promotion with the Models
// page's own dialog (promote.js).
import { getJson, postJson } from '../api.js';
import { chart, el, errorBox, field, table, when } from '../ui.js';
import { bytesText, metricText } from '../numbers.js';
import { familyOf } from '../runs.js';
import {
  artifactHref,
  bundleHref,
  downloadButton,
  reportHref,
  reportLinks,
  viewButton,
} from '../artifacts.js';
import { decisionDialog, promoteVersion } from '../promote.js';

/// One line chart per metric that more than one value was logged for, a line per run.
export function historyCharts(runs) {
  const keys = [...new Set(runs.flatMap(r => Object.keys(r.history || {})))].sort();
  const out = [];
  for (const key of keys) {
    const series = runs
      .filter(r => ((r.history || {})[key] || []).length > 1)
      .map(r => ({
        type: 'line',
        name: r.name || r.run_id.slice(0, 8),
        showSymbol: false,
        data: r.history[key].map(p => [p.step, p.value]),
      }));
    if (!series.length) continue;
    out.push(
      el('h3', { text: `History of ${key}` }),
      chart(
        {
          animation: false,
          tooltip: { trigger: 'axis', valueFormatter: v => metricText(v) },
          legend: {},
          xAxis: { type: 'value', name: 'step' },
          yAxis: { type: 'value', scale: true, axisLabel: { formatter: v => metricText(v) } },
          series,
        },
        'chart small',
        `history of ${key}`,
      ),
    );
  }
  return out;
}

// A key/value table, keys sorted; numbers (metrics) right-aligned.
const pairs = (obj, show, num = false) =>
  table(
    [
      { label: 'key', value: p => p[0] },
      { label: 'value', num, value: p => show(p[1]) },
    ],
    Object.entries(obj || {}).sort(([a], [b]) => (a < b ? -1 : 1)),
  );

function attributes(run, openRun) {
  const d = run.dataset || {};
  const rows = [
    ['run id', el('code', { text: run.run_id })],
    ['experiment', run.experiment],
    ['status', run.status],
    ['family', familyOf(run) || '—'],
    [
      'parent run',
      run.parent_run_id
        ? el('button', {
            type: 'button',
            class: 'secondary',
            'data-open-run': run.parent_run_id,
            text: run.parent_run_id.slice(0, 8),
            onclick: () => openRun(run.parent_run_id),
          })
        : '—',
    ],
    ['started', when(run.start_ms)],
    ['ended', when(run.end_ms)],
    ['user', run.user || '—'],
    ['git commit', run.git_commit ? el('code', { text: run.git_commit }) : '—'],
    [
      'dataset',
      d.sha256
        ? el(
            'span',
            {},
            `${d.path || ''} (${d.rows ?? '?'} rows, sha256 `,
            el('code', { class: 'hash', text: d.sha256.slice(0, 16) }),
            '…)',
          )
        : '—',
    ],
  ];
  return table(
    [
      { label: 'attribute', value: r => r[0] },
      { label: 'value', value: r => r[1] },
    ],
    rows,
  );
}

function artifactsTable(run, files) {
  if (!files.length) return el('p', { class: 'muted', text: 'This run logged no artifact.' });
  const t = table(
    [
      { label: 'file', value: f => el('code', { text: f.path }) },
      { label: 'size', num: true, value: f => bytesText(f.bytes) },
      {
        label: 'open',
        value: f =>
          el(
            'span',
            { class: 'row' },
            f.viewable
              ? viewButton({
                  href: artifactHref(run.run_id, f.path),
                  label: 'view',
                  attrs: { 'aria-label': `view ${f.path}`, 'data-view': f.path },
                })
              : null,
            downloadButton({
              href: artifactHref(run.run_id, f.path, true),
              label: 'download',
              fallback: f.path.split('/').pop(),
              attrs: { 'aria-label': `download ${f.path}`, 'data-download': f.path },
            }),
          ),
      },
    ],
    files,
  );
  t.dataset.testid = 'artifacts';
  return t;
}

// Registers the run's bundle under a model name (an existing model's next version, or a new
// model), then offers the promotion request for that version.
async function register(run, result) {
  const { models } = await getJson('/api/v1/models');
  const names = models.map(m => m.name);
  const name = el('input', {
    type: 'text',
    id: 'register-name',
    list: 'register-names',
    autocomplete: 'off',
    required: true,
    value: names.includes('loan-default') ? 'loan-default' : names[0] || 'loan-default',
  });
  await decisionDialog({
    title: `Register run ${run.name || run.run_id}`,
    label: "Register a run's model",
    submit: 'Register',
    extra: [
      field(
        'Model name',
        name,
        el(
          'datalist',
          { id: 'register-names' },
          names.map(n => el('option', { value: n })),
        ),
        el('p', {
          class: 'hint',
          text: 'An existing model gets its next version; a new name starts a new model.',
        }),
      ),
    ],
    send: reason =>
      postJson('/api/v1/admin/register', { run_id: run.run_id, name: name.value.trim(), reason }),
    onDone: ({ version: v }) => {
      const promote = el('button', {
        type: 'button',
        'data-testid': 'request-promotion',
        text: `Request promotion of ${v.name} v${v.version}`,
        onclick: async () => {
          const m = (await getJson('/api/v1/models')).models.find(x => x.name === v.name);
          const version = m && m.versions.find(x => x.version === v.version);
          if (version) promoteVersion(v.name, version, box => result.replaceChildren(box));
        },
      });
      result.replaceChildren(
        el(
          'div',
          { class: 'ok-box', role: 'status', 'data-registered': `${v.name}/${v.version}` },
          `Registered as ${v.name} version ${v.version} (by ${v.created_by}). `,
          el('a', { href: '#/models', text: 'See it on the Models page' }),
          '.',
          el('div', { class: 'row' }, promote),
        ),
      );
      promote.focus();
    },
  });
}

/**
 * The run's card: attributes, metrics, params, tags, metric history, artifacts, report and
 * bundle, and the way to production. openRun(id) shows another run (its parent).
 */
export async function runDetail(runId, openRun) {
  const [run, art] = await Promise.all([
    getJson(`/api/v1/runs/${runId}`),
    getJson(`/api/v1/runs/${runId}/artifacts`),
  ]);
  const result = el('div', { 'aria-live': 'polite', 'data-testid': 'register-result' });
  const out = el(
    'div',
    { class: 'card', 'data-testid': 'run-detail', 'data-run': run.run_id },
    el('h2', { text: `Run ${run.name || run.run_id}` }),
    attributes(run, openRun),
    el('h3', { text: 'Metrics' }),
    pairs(run.metrics, metricText, true),
    el('h3', { text: 'Params' }),
    pairs(run.params, String),
    el(
      'details',
      {},
      el('summary', { text: `Tags (${Object.keys(run.tags || {}).length})` }),
      pairs(run.tags, String),
    ),
    ...historyCharts([run]),
  );
  out.append(el('h3', { text: 'Evaluation report' }));
  if (art.report) {
    out.append(
      el(
        'p',
        {},
        'ROC, PR, KS, calibration, score distributions, feature importance and bootstrap confidence intervals on the test split: ',
        reportLinks(run.run_id),
      ),
      el(
        'details',
        {},
        el('summary', { text: 'Show the report here' }),
        // No script, no same-origin access: the server's Content-Security-Policy says the same.
        el('iframe', {
          src: reportHref(run.run_id),
          sandbox: '',
          loading: 'lazy',
          title: `evaluation report of ${run.name || run.run_id}`,
          class: 'report-frame',
        }),
      ),
    );
  } else {
    out.append(
      el('p', {
        class: 'muted',
        text: run.tags['loanrisk.trial']
          ? 'A tuning trial keeps no bundle, so no report: the study’s refit run (NAME-best) has one.'
          : 'This run has no evaluation report (train writes one into its bundle).',
      }),
    );
  }
  out.append(el('h3', { text: 'Model bundle' }));
  if (art.bundle) {
    const actions = el(
      'div',
      { class: 'row' },
      downloadButton({
        href: bundleHref(run.run_id),
        label: `Download bundle (.tar, ${bytesText(art.bundle.bytes)})`,
        fallback: `${run.name || run.run_id}-bundle.tar`,
        attrs: { 'data-testid': 'download-bundle' },
      }),
    );
    if (run.status === 'FINISHED') {
      const button = el('button', {
        type: 'button',
        'data-testid': 'register-run',
        text: 'Register this model',
        onclick: () => register(run, result).catch(e => result.replaceChildren(errorBox(e))),
      });
      actions.append(button);
    }
    out.append(actions, result);
  } else {
    out.append(el('p', { class: 'muted', text: 'This run kept no model bundle.' }));
  }
  out.append(
    el('h3', { text: `Artifacts${art.truncated ? ' (the first 2,000 files)' : ''}` }),
    artifactsTable(run, art.files),
  );
  return out;
}
