// Unit tests of web/app/csv.js (node --test): separators, quote-aware records with their lines,
// comma CSV out, decimal commas, chunks under the server's limits, and AUC/KS of a batch.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  detectSeparator,
  parseCsv,
  toCsv,
  decimalCommas,
  chunkRanges,
  rankMetrics,
  serverRecords,
  leadingRowsWithin,
} from '../../web/app/csv.js';

test('separators', () => {
  assert.equal(detectSeparator('a,b,c\n1,2,3'), ',');
  assert.equal(detectSeparator('a;b;c\r\n1,5;2;3'), ';');
  assert.equal(detectSeparator('a\tb\tc\n'), '\t');
  assert.equal(detectSeparator('"a;x",b,c\n'), ',');
  assert.equal(detectSeparator('single\n1'), ',');
  assert.equal(detectSeparator(''), ',');
});

test('records and their lines', () => {
  const text = '\ufeffid,note\r\n1,"a, b"\n\n2,"two\nlines"\n3,"say ""hi"""\n';
  const { records, lines } = parseCsv(text, ',');
  assert.deepEqual(records, [
    ['id', 'note'],
    ['1', 'a, b'],
    ['2', 'two\nlines'],
    ['3', 'say "hi"'],
  ]);
  assert.deepEqual(lines, [1, 2, 4, 6]);
  assert.deepEqual(parseCsv('a;b\n1;2', ';').records, [
    ['a', 'b'],
    ['1', '2'],
  ]);
  assert.deepEqual(parseCsv('a,b\n,\n', ',').records, [
    ['a', 'b'],
    ['', ''],
  ]);
  // Written back as the server reads it, and read again the same.
  const back = parseCsv(toCsv(records), ',');
  assert.deepEqual(back.records, records);
});

test('decimal commas', () => {
  const rows = [
    ['income', 'note'],
    ['70000,50', 'x,y'],
    [' -3,25 ', '1,2,3'],
  ];
  assert.equal(decimalCommas(rows), 2);
  assert.deepEqual(rows[1], ['70000.50', 'x,y']);
  assert.deepEqual(rows[2], ['-3.25', '1,2,3']);
});

test('chunks under the limits', () => {
  assert.deepEqual(chunkRanges([10, 10, 10, 10, 10], 2, 1000), [
    { from: 0, to: 2 },
    { from: 2, to: 4 },
    { from: 4, to: 5 },
  ]);
  assert.deepEqual(chunkRanges([10, 10, 10], 100, 25), [
    { from: 0, to: 2 },
    { from: 2, to: 3 },
  ]);
  // A row over the byte budget still goes alone (the server then says what is wrong).
  assert.deepEqual(chunkRanges([50, 5], 100, 20), [
    { from: 0, to: 1 },
    { from: 1, to: 2 },
  ]);
  assert.deepEqual(chunkRanges([], 10, 10), []);
});

test('AUC and KS', () => {
  // sklearn.metrics.roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.75; KS 0.5.
  const m = rankMetrics([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
  assert.equal(m.auc, 0.75);
  assert.equal(m.ks, 0.5);
  // Ties count half: all scores equal gives 0.5.
  assert.equal(rankMetrics([0.2, 0.2, 0.2, 0.2], [0, 1, 0, 1]).auc, 0.5);
  assert.equal(rankMetrics([0.9, 0.1], [1, 0]).auc, 1);
  assert.equal(rankMetrics([0.9, 0.1], [1, 0]).ks, 1);
  assert.equal(rankMetrics([0.1, 0.2], [0, 0]), null);
});

test('a file as the server reads it, and the rows that fit one request', () => {
  const semi = serverRecords('id;income;fico\n"A;1";1234,5;700\nB;2000;650\n');
  assert.deepEqual(semi.records, [
    ['id', 'income', 'fico'],
    ['A;1', '1234.5', '700'],
    ['B', '2000', '650'],
  ]);
  assert.equal(semi.note, 'Read as semicolon-separated, 1 decimal commas read as points.');
  assert.equal(serverRecords('a,b\n1,2\n').note, '');
  assert.equal(serverRecords('a\tb\n1,5\t2\n').note, 'Read as tab-separated.');
  assert.equal(serverRecords('a\tb\n1,5\t2\n').records[1][0], '1,5', 'tab files keep commas');

  const records = [['id', 'x'], ...Array.from({ length: 100 }, (_, i) => [`C${i}`, '1'])];
  const all = leadingRowsWithin(records, 1 << 20);
  assert.equal(all.rows, 100);
  assert.equal(all.total, 100);
  assert.equal(all.body, toCsv(records));
  // 'id,x\n' is 5 bytes and 'C0,1\n' .. 'C9,1\n' 5 bytes each: 32 bytes hold the header and 5.
  const cut = leadingRowsWithin(records, 32);
  assert.equal(cut.rows, 5);
  assert.equal(cut.body, toCsv(records.slice(0, 6)));
  // Bytes, not characters: 'é' is two bytes in UTF-8.
  const accents = [['id'], ['é'], ['é'], ['é']];
  assert.equal(leadingRowsWithin(accents, 3 + 3 + 3).rows, 2);
  assert.throws(() => leadingRowsWithin(records, 8), /first row alone is larger/);
  assert.throws(() => leadingRowsWithin([['id', 'x']], 1000), /no rows under its header/);
});
