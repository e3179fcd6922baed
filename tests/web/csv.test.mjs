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
