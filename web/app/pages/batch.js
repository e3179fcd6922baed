// Batch: upload a CSV (comma, semicolon or tab separated; larger than one request allows: it is
// scored in chunks), watch the progress, preview the scored rows in the Predict page's formats, see
// the rejects by line, the batch's AUC, KS and confusion matrix when the file has `default`, and
// download the scored CSV.
import { el, errorBox, table, fmt } from '../ui.js';
import { getJson, ApiError } from '../api.js';
import { pdText, moneyText } from '../numbers.js';
import { parseCsv, toCsv, chunkRanges, rankMetrics, serverRecords } from '../csv.js';

/// A scored file's cell as the Predict page shows the same value.
function previewCell(column, text) {
  if (text === '' || text === undefined) return text;
  if (column === 'pd') return pdText(Number(text));
  if (column === 'expected_loss') return moneyText(Number(text));
  return text;
}

/// When the file has a 0/1 `default` column: AUC, KS and the confusion matrix of the server's
/// decisions (decline = predicted default) on the scored rows that have one; null otherwise.
function labelledPerformance(head, rows, rowLines, scored) {
  const column = head.findIndex(h => h.trim() === 'default');
  if (column < 0) return null;
  const byLine = new Map();
  for (const [i, r] of rows.entries()) {
    const v = (r[column] ?? '').trim();
    if (v === '0' || v === '1') byLine.set(String(rowLines[i]), Number(v));
  }
  const pds = [],
    labels = [],
    declined = [];
  for (const r of scored) {
    if (!byLine.has(r[0])) continue;
    pds.push(Number(r[2]));
    labels.push(byLine.get(r[0]));
    declined.push(r[4] === 'decline');
  }
  const card = el('div', { class: 'card', 'data-testid': 'batch-performance' });
  card.append(el('h2', { text: 'Performance on this file' }));
  const m = rankMetrics(pds, labels);
  if (!m) {
    card.append(
      el('p', {
        class: 'muted',
        text: `${labels.length} scored rows have a default of 0 or 1; AUC and KS need both outcomes.`,
      }),
    );
    return card;
  }
  let tp = 0,
    fp = 0,
    tn = 0,
    fn = 0;
  for (let i = 0; i < labels.length; i++) {
    if (declined[i]) labels[i] ? tp++ : fp++;
    else labels[i] ? fn++ : tn++;
  }
  card.append(
    el('p', {
      'data-testid': 'batch-metrics',
      text: `On ${labels.length} scored rows with a default of 0 or 1 (${m.positives} defaults): AUC ${fmt(m.auc, 4)}, KS ${fmt(m.ks, 4)}.`,
    }),
    table(
      [
        { label: 'actual', value: r => r[0] },
        { label: 'declined', num: true, value: r => r[1] },
        { label: 'approved', num: true, value: r => r[2] },
      ],
      [
        ['default (1)', tp, fn],
        ['no default (0)', fp, tn],
      ],
      "Confusion matrix of the server's decisions",
    ),
  );
  return card;
}

/// POST with upload progress (fetch cannot report it).
function upload(body, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/score-csv');
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.upload.onprogress = e => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status === 200) resolve(xhr);
      else {
        let body = { error: xhr.responseText };
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          /* not JSON: keep the text */
        }
        reject(new ApiError(xhr.status, body));
      }
    };
    xhr.onerror = () =>
      reject(
        new Error(
          'The scoring service could not be reached. Check the connection and score the file again.',
        ),
      );
    xhr.send(body);
  });
}

export async function batchPage(root) {
  const input = el('input', { type: 'file', id: 'batch-file', accept: '.csv,text/csv' });
  const go = el('button', { type: 'submit', text: 'Score file' });
  const progress = el('progress', {
    max: '1',
    value: '0',
    'aria-label': 'Upload and scoring progress',
  });
  const stage = el('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'batch-stage' });
  const out = el('div');
  const form = el(
    'form',
    { class: 'card' },
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'batch-file', text: 'Loan CSV to score' }),
      input,
      el('span', {
        class: 'hint',
        text: 'Comma, semicolon or tab separated, with a header naming the six applicant columns; customer_id and default are optional (with default, the file gets its AUC, KS and confusion matrix). Files larger than one request are scored in parts. Bad rows are listed, not fatal.',
      }),
    ),
    el('div', { class: 'row' }, go),
    progress,
    stage,
  );
  root.append(el('h1', { text: 'Batch scoring' }), form, out);
  let url = null;

  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    out.replaceChildren();
    const file = input.files[0];
    if (!file) {
      out.append(errorBox(new Error('Choose a CSV file first.')));
      return;
    }
    go.disabled = true;
    progress.value = 0;
    stage.textContent = `Reading ${file.name}…`;
    const started = performance.now();
    try {
      const model = await getJson('/api/v1/model');
      const limits = model.limits || { max_batch: 10000, max_body_bytes: 8 << 20 };
      const text = await file.text();
      const { records, lines, note: read } = serverRecords(text);
      if (records.length < 2) throw new Error(`${file.name} has no rows under its header.`);
      const note = read ? ` ${read}` : '';
      const [head, ...rows] = records;
      const rowLines = lines.slice(1);
      // Chunks well inside the server's limits (half its body limit: quoting may grow a row).
      const sizes = rows.map(r => toCsv([r]).length * 2);
      const ranges = chunkRanges(sizes, limits.max_batch, limits.max_body_bytes / 2);
      const outHeader = [
        'line',
        'customer_id',
        'pd',
        'grade',
        'decision',
        'expected_loss',
        'error',
      ];
      const results = [];
      let scoredCount = 0,
        rejectedCount = 0;
      for (const [k, { from, to }] of ranges.entries()) {
        stage.textContent = `Scoring ${ranges.length > 1 ? `part ${k + 1} of ${ranges.length}, ` : ''}rows ${from + 1} to ${to} of ${rows.length}…`;
        const body = toCsv([head, ...rows.slice(from, to)]);
        // The chunk's line numbers back to the file's: the chunk's record i (0: the header).
        const chunkIndex = new Map(parseCsv(body, ',').lines.map((line, i) => [line, i]));
        const xhr = await upload(new Blob([body], { type: 'text/csv' }), f => {
          progress.value = (k + f * 0.9) / ranges.length;
        });
        const answer = parseCsv(xhr.responseText, ',').records.slice(1);
        for (const r of answer) {
          const i = chunkIndex.get(Number(r[0]));
          r[0] = String(i > 0 ? rowLines[from + i - 1] : r[0]);
          if (r[6] === '') scoredCount++;
          else rejectedCount++;
          results.push(r);
        }
        progress.value = (k + 1) / ranges.length;
      }
      results.sort((x, y) => Number(x[0]) - Number(y[0]));
      const scored = results.filter(r => r[6] === '');
      const rejects = results.filter(r => r[6] !== '');
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      stage.textContent = `Scored ${scoredCount} rows, rejected ${rejectedCount}, in ${seconds} s${ranges.length > 1 ? ` (${ranges.length} requests)` : ''}.${note}`;
      const csvOut = toCsv([outHeader, ...results]);
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([csvOut], { type: 'text/csv' }));
      const name = `scored-${file.name.replace(/\.(csv|txt|tsv)$/i, '')}.csv`;
      out.append(
        el(
          'div',
          { class: 'card' },
          el(
            'p',
            {},
            el('a', {
              href: url,
              download: name,
              'data-testid': 'download',
              text: `Download ${name}`,
            }),
          ),
          el('h2', {
            text: `Preview (first ${Math.min(50, scored.length)} of ${scored.length} scored rows)`,
          }),
          table(
            outHeader.slice(0, 6).map((h, i) => ({
              label: h,
              num: i === 0 || i === 2 || i === 5,
              value: r => previewCell(h, r[i]),
            })),
            scored.slice(0, 50),
          ),
        ),
      );
      const performance_ = labelledPerformance(head, rows, rowLines, scored);
      if (performance_) out.append(performance_);
      out.append(
        el(
          'div',
          { class: 'card' },
          el('h2', { text: `Rejected rows (${rejects.length})` }),
          rejects.length
            ? table(
                [
                  { label: 'line', num: true, value: r => r[0] },
                  { label: 'why', value: r => r[6] },
                ],
                rejects.slice(0, 200),
              )
            : el('p', { class: 'muted', text: 'Every row was valid.' }),
        ),
      );
    } catch (e) {
      stage.textContent = 'Not scored.';
      out.append(errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
}
