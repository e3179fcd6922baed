// Batch: upload a CSV, watch the upload and scoring progress, preview the scored rows, see the
// rejects by line, download the scored CSV.
import { el, errorBox, table } from '../ui.js';
import { pdText, moneyText } from '../numbers.js';

/// A scored file's cell as the Predict page shows the same value.
function previewCell(column, text) {
  if (text === '' || text === undefined) return text;
  if (column === 'pd') return pdText(Number(text));
  if (column === 'expected_loss') return moneyText(Number(text));
  return text;
}
import { ApiError } from '../api.js';

/// Splits one CSV line as the server writes it (fields quoted when they hold , " or a newline).
export function csvFields(line) {
  const out = [];
  let cur = '',
    quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/// POST with upload progress (fetch cannot report it).
function upload(file, onProgress) {
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
    xhr.onerror = () => reject(new Error('the upload failed: is the server still running?'));
    xhr.send(file);
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
        text: 'Header with the six applicant columns (customer_id and default optional). Bad rows are listed, not fatal.',
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
    stage.textContent = `Uploading ${file.name}…`;
    const started = performance.now();
    try {
      const xhr = await upload(file, f => {
        progress.value = f * 0.9;
        if (f >= 1) stage.textContent = 'Scoring…';
      });
      progress.value = 1;
      const text = xhr.responseText;
      const lines = text.split('\n').filter(l => l.length);
      const header = csvFields(lines[0]);
      const rows = lines.slice(1).map(csvFields);
      const scored = rows.filter(r => r[6] === '');
      const rejects = rows.filter(r => r[6] !== '');
      stage.textContent = `Scored ${scored.length} rows, rejected ${rejects.length}, in ${((performance.now() - started) / 1000).toFixed(2)} s.`;
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
      const name = `scored-${file.name.replace(/\.csv$/i, '')}.csv`;
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
            header.slice(0, 6).map((h, i) => ({
              label: h,
              num: i === 0 || i === 2 || i === 5,
              value: r => previewCell(h, r[i]),
            })),
            scored.slice(0, 50),
          ),
        ),
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
      stage.textContent = 'Failed.';
      out.append(errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
}
