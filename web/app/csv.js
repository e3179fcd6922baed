// CSV in the browser, for the Batch and Data pages: the separator a file uses (comma, semicolon or tab),
// quote-aware parsing with each record's line in the file, writing back as the comma CSV the
// server reads, chunks under the server's limits, and the ranking metrics of a labelled batch.
// Pure functions: tests/web/csv.test.mjs.

import { grouped } from './numbers.js';

const SEPARATORS = [',', ';', '\t'];
const SEPARATOR_NAMES = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/// The separator of a file: the one its header line (outside quotes) uses most; comma on a tie.
export function detectSeparator(text) {
  const counts = new Map(SEPARATORS.map(s => [s, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch) + 1);
  }
  let best = ',';
  for (const s of SEPARATORS) if (counts.get(s) > counts.get(best)) best = s;
  return best;
}

/// Records of a CSV text: {records: [[field, ...]], lines: [1-based line each record starts on]}.
/// Quotes may hold separators, quotes ("") and line breaks; CRLF and a UTF-8 BOM are accepted;
/// blank lines are skipped.
export function parseCsv(text, separator = ',') {
  const records = [],
    lines = [];
  let field = '',
    record = [],
    quoted = false,
    line = 1,
    start = 1,
    touched = false;
  const endRecord = () => {
    record.push(field);
    if (touched || record.length > 1 || field !== '') {
      records.push(record);
      lines.push(start);
    }
    record = [];
    field = '';
    touched = false;
  };
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
      touched = true;
    } else if (ch === separator) {
      record.push(field);
      field = '';
      touched = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
  }
  if (field !== '' || record.length || touched) endRecord();
  return { records, lines };
}

/// A field as the server's CSV reader takes it: quoted when it holds a comma, quote or line break.
function csvField(f) {
  return /[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f;
}

/// Records as comma CSV, one per line (a quoted field may span lines), ending with a newline.
export function toCsv(records) {
  return records.map(r => r.map(csvField).join(',')).join('\n') + '\n';
}

/// Decimal commas ("1234,5", the usual partner of semicolons) as decimal points; other fields
/// unchanged. Returns how many fields changed.
export function decimalCommas(records) {
  let changed = 0;
  for (const r of records)
    for (let i = 0; i < r.length; i++)
      if (/^[+-]?\d+,\d+$/.test(r[i].trim())) {
        r[i] = r[i].trim().replace(',', '.');
        changed++;
      }
  return changed;
}

/// Consecutive slices of `count` rows, each at most `rows` long and its CSV at most `bytes`
/// (estimated from the longest rows; a single row always fits): [{from, to}].
export function chunkRanges(sizes, rows, bytes) {
  const out = [];
  let from = 0;
  while (from < sizes.length) {
    let to = from,
      total = 0;
    while (to < sizes.length && to - from < rows && (to === from || total + sizes[to] <= bytes)) {
      total += sizes[to];
      to++;
    }
    out.push({ from, to });
    from = to;
  }
  return out;
}

/// AUC (ties counted half, as the Mann-Whitney statistic) and KS (largest gap between the
/// cumulative shares of defaults and non-defaults) of scores against 0/1 labels; null without
/// both classes.
export function rankMetrics(scores, labels) {
  const n = scores.length;
  let positives = 0;
  for (const y of labels) positives += y;
  const negatives = n - positives;
  if (!positives || !negatives) return null;
  const order = [...scores.keys()].sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0,
    ks = 0,
    tp = 0,
    fp = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && scores[order[j]] === scores[order[i]]) j++;
    const midRank = (i + 1 + j) / 2; // 1-based ranks i+1..j share their mean
    for (let k = i; k < j; k++) {
      if (labels[order[k]]) {
        rankSum += midRank;
        tp++;
      } else fp++;
    }
    ks = Math.max(ks, Math.abs(tp / positives - fp / negatives));
    i = j;
  }
  const auc = (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
  return { auc, ks, positives, negatives };
}

/// A file as the server reads it: its records (comma form, decimal points) with their lines, and
/// a sentence saying what was converted ('' when nothing was).
export function serverRecords(text) {
  const separator = detectSeparator(text);
  const { records, lines } = parseCsv(text, separator);
  let note = '';
  if (separator !== ',') {
    const converted = separator === ';' ? decimalCommas(records) : 0;
    note = `Read as ${SEPARATOR_NAMES[separator]}-separated${converted ? `, ${grouped(converted)} decimal commas read as points` : ''}.`;
  }
  return { records, lines, note };
}

/// The header and as many leading rows as fit in maxBytes of UTF-8 once written as the comma CSV
/// that is sent: {body, rows, total}. Error when there is no row or none fits.
export function leadingRowsWithin(records, maxBytes) {
  if (records.length < 2) throw new Error('The file has no rows under its header.');
  const utf8 = new TextEncoder();
  const bytes = text => utf8.encode(text).length;
  const [head, ...rows] = records;
  let used = bytes(toCsv([head])),
    kept = 0;
  while (kept < rows.length) {
    used += bytes(toCsv([rows[kept]]));
    if (used > maxBytes) break;
    kept++;
  }
  if (kept === 0) throw new Error('The first row alone is larger than the server accepts.');
  return { body: toCsv([head, ...rows.slice(0, kept)]), rows: kept, total: rows.length };
}
