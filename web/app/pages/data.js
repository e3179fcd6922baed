// Data: the EDA of the served model's training data (overview, class balance, per-feature
// statistics, histograms by class, WOE/IV, correlations); when that file is not on the server, the
// schema and the fitted pipeline kept in the bundle. An uploaded file gets the same profile.
import { getJson, postBody } from '../api.js';
import { leadingRowsWithin, serverRecords } from '../csv.js';
import { grouped } from '../numbers.js';
import { chart, el, errorBox, field, fmt, pct, table } from '../ui.js';

function histogramChart(f) {
  const h = f.histogram;
  const labels = h.edges.slice(0, -1).map((e, i) => `${fmt(e, 3)}–${fmt(h.edges[i + 1], 3)}`);
  const neg = h.negative.reduce((a, b) => a + b, 0) || 1,
    pos = h.positive.reduce((a, b) => a + b, 0) || 1;
  return chart(
    {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: {},
      xAxis: { type: 'category', data: labels, axisLabel: { rotate: 30 } },
      yAxis: { type: 'value', name: 'share of class' },
      series: [
        {
          type: 'bar',
          name: 'no default',
          data: h.negative.map(c => c / neg),
          itemStyle: { color: '#2e6fb2' },
        },
        {
          type: 'bar',
          name: 'default',
          data: h.positive.map(c => c / pos),
          itemStyle: { color: '#b22222' },
        },
      ],
    },
    'chart',
    `histogram of ${f.name} by class`,
  );
}

function uploadForm(root, view) {
  const input = el('input', {
    type: 'file',
    id: 'profile-file',
    accept: '.csv,.tsv,.txt,text/csv',
  });
  const go = el('button', { type: 'submit', text: 'Profile file' });
  const stage = el('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'profile-stage' });
  const form = el(
    'form',
    { class: 'card', 'aria-label': 'Profile another file' },
    el('h2', { text: 'Profile another file' }),
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'profile-file', text: 'Loan CSV with outcomes' }),
      input,
      el('span', {
        class: 'hint',
        text: "Comma, semicolon or tab separated, with the applicant columns and default (0 or 1). The file is profiled against the served model's schema and not kept.",
      }),
    ),
    el('div', { class: 'row' }, go),
    stage,
  );
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    const file = input.files[0];
    if (!file) {
      stage.replaceChildren(errorBox(new Error('Choose a CSV file first.')));
      return;
    }
    go.disabled = true;
    stage.textContent = `Profiling ${file.name}…`;
    try {
      const model = await getJson('/api/v1/model');
      const limits = model.limits || { max_body_bytes: 8 << 20 };
      const { records, note } = serverRecords(await file.text());
      const part = leadingRowsWithin(records, limits.max_body_bytes);
      const d = await postBody('/api/v1/data/profile', part.body, 'text/csv');
      const cut =
        part.rows < part.total
          ? `Profiled the first ${grouped(part.rows)} of ${grouped(part.total)} rows: the server takes ${grouped(Math.floor(limits.max_body_bytes / 1024))} KiB per request.`
          : '';
      stage.textContent = [`Profiled ${file.name}.`, note, cut].filter(Boolean).join(' ');
      // The training data's profile, if it arrives later, must not replace this one.
      view.dataset.upload = 'shown';
      view.replaceChildren();
      edaView(view, d, file.name);
    } catch (e) {
      stage.replaceChildren(errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
  root.append(form);
}

function edaView(root, d, uploadName) {
  const r = d.report,
    o = r.overview,
    b = r.class_balance;
  const pick = el(
    'select',
    { id: 'feature-pick' },
    r.features.map(f => el('option', { value: f.name, text: f.name })),
  );
  const featureBox = el('div');
  const showFeature = () => {
    const f = r.features.find(x => x.name === pick.value);
    featureBox.replaceChildren(
      histogramChart(f),
      f.woe && f.woe.bins
        ? table(
            [
              { label: 'bin', value: x => `(${fmt(x.lower, 4)}, ${fmt(x.upper, 4)}]` },
              { label: 'rows', num: true, value: x => x.count },
              { label: 'defaults', num: true, value: x => x.bads },
              { label: 'WOE', num: true, value: x => x.woe },
              { label: 'IV', num: true, value: x => x.iv },
            ],
            f.woe.bins,
            `WOE bins of ${f.name}: IV ${fmt(f.woe.iv)} (${f.woe.band})`,
          )
        : null,
    );
  };
  pick.addEventListener('change', showFeature);
  const corr = r.correlations.pearson;
  // On a phone the eleven names cannot fit beside a readable grid: the axes are numbered, the
  // key lists the names, the cells drop their printed values (the tooltip has them).
  const narrow = window.innerWidth < 600;
  const names = narrow ? corr.columns.map((_, i) => String(i + 1)) : corr.columns;
  const cells = [];
  corr.values.forEach((row, i) =>
    // A correlation that does not exist (a constant column) is left blank, not drawn as 0.
    row.forEach((v, j) => cells.push([j, i, v === null ? '-' : Number(v.toFixed(3))])),
  );
  const heatmap = chart(
    {
      animation: false,
      tooltip: {
        position: 'top',
        confine: true,
        formatter: p =>
          `${corr.columns[p.value[1]]} × ${corr.columns[p.value[0]]}: ${p.value[2] === '-' ? 'not defined (a constant column)' : p.value[2]}`,
      },
      grid: narrow
        ? { left: 8, right: 8, top: 8, bottom: 70, containLabel: true }
        : { left: 8, right: 16, top: 8, bottom: 70, containLabel: true },
      xAxis: {
        type: 'category',
        data: names,
        axisLabel: { rotate: narrow ? 0 : 45, interval: 0 },
      },
      yAxis: { type: 'category', data: names, axisLabel: { interval: 0 } },
      visualMap: {
        min: -1,
        max: 1,
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        inRange: { color: ['#2e6fb2', '#f7f7f7', '#b22222'] },
      },
      series: [{ type: 'heatmap', data: cells, label: { show: !narrow, fontSize: 9 } }],
    },
    'chart',
    'correlation heatmap',
  );
  // Square cells: tall enough for every row and its label.
  heatmap.style.height = `${narrow ? Math.min(window.innerWidth, 420) + 90 : corr.columns.length * 34 + 230}px`;
  root.append(
    el(
      'div',
      { class: 'card' },
      uploadName
        ? el(
            'p',
            { 'data-testid': 'data-source' },
            `Uploaded file `,
            el('code', { text: uploadName }),
            `, profiled with the schema of ${d.model.name} v${d.model.version}`,
          )
        : el(
            'p',
            { 'data-testid': 'data-source' },
            `Training data of ${d.model.name} v${d.model.version}: `,
            el('code', { text: d.data_path }),
          ),
      table(
        [
          { label: 'measure', value: x => x[0] },
          { label: 'value', num: true, value: x => x[1] },
        ],
        [
          ['rows read', o.rows_read],
          ['valid rows', o.rows_valid],
          ['rejected rows', o.rejects],
          ['duplicated ids', o.duplicated_ids],
          ['duplicated rows', o.duplicated_rows],
          ['defaults', b.positives],
          ['non-defaults', b.negatives],
          ['default rate', pct(b.default_rate)],
        ],
      ),
    ),
    el(
      'div',
      { class: 'card' },
      el('h2', { text: 'Columns' }),
      table(
        [
          { label: 'feature', value: f => f.name + (f.derived ? ' (derived)' : '') },
          ...['mean', 'std', 'min', 'q1', 'median', 'q3', 'max', 'skewness'].map(k => ({
            label: k,
            num: true,
            value: f => f.summary[k],
          })),
          { label: 'AUC alone', num: true, value: f => f.target_relationship.auc_best },
          { label: 'IV', num: true, value: f => (f.woe ? f.woe.iv : null) },
        ],
        r.features,
      ),
    ),
    el(
      'div',
      { class: 'card' },
      el('h2', { text: 'One feature' }),
      field('Feature', pick),
      featureBox,
    ),
    el(
      'div',
      { class: 'card' },
      el('h2', { text: 'Pearson correlations' }),
      heatmap,
      narrow
        ? el(
            'ol',
            { class: 'muted key', 'data-testid': 'correlation-key' },
            corr.columns.map(c => el('li', { text: c })),
          )
        : null,
    ),
  );
  showFeature();
}

function bundleView(root, d) {
  root.append(
    el(
      'div',
      { class: 'card' },
      el('p', {
        class: 'muted',
        text: `The EDA needs the training file; ${d.note}. Below: what the bundle itself records.`,
      }),
      el('h2', { text: 'Schema' }),
      table(
        [
          { label: 'column', value: c => c.name },
          { label: 'type', value: c => c.type },
          { label: 'role', value: c => c.role },
          { label: 'min', num: true, value: c => c.min },
          { label: 'max', num: true, value: c => c.max },
          { label: 'unit', value: c => c.unit },
          { label: 'description', value: c => c.description },
        ],
        d.schema.columns,
      ),
      el('h2', { text: 'Lineage' }),
      table(
        [
          { label: 'key', value: x => x[0] },
          { label: 'value', value: x => (typeof x[1] === 'object' ? JSON.stringify(x[1]) : x[1]) },
        ],
        Object.entries(d.lineage),
      ),
      el('h2', { text: 'Fitted feature pipeline' }),
      el('pre', { text: JSON.stringify(d.pipeline, null, 2) }),
    ),
  );
}

export async function dataPage(root, alive) {
  const view = el(
    'div',
    {},
    el('p', { class: 'muted', 'aria-live': 'polite', text: 'Analysing the training data…' }),
  );
  root.append(el('h1', { text: 'Data' }));
  uploadForm(root, view);
  root.append(view);
  const d = await getJson('/api/v1/data');
  if (!alive() || view.dataset.upload) return;
  view.replaceChildren();
  if (d.source === 'eda') edaView(view, d);
  else bundleView(view, d);
}
