// Unit tests of web/app/numbers.js (node --test): parsing what a loan officer types and the
// formats every page shows. No browser: the module is pure.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  parseNumber,
  pdText,
  pointsText,
  moneyText,
  grouped,
  sliderScale,
  metricText,
  bytesText,
} from '../../web/app/numbers.js';

test('numbers as typed', () => {
  for (const [text, value] of [
    ['70', 70],
    [' 70 ', 70],
    ['70000.5', 70000.5],
    ['70,000', 70000],
    ['1,234,567.25', 1234567.25],
    ['-3', -3],
    ['+3', 3],
    ['.5', 0.5],
    ['1e3', 1000],
    ['0', 0],
  ])
    assert.deepEqual(parseNumber(text), { value }, text);
  for (const text of [
    '7x0',
    '0x10',
    'abc',
    '1,2',
    '12,,000',
    '1,2345',
    'Infinity',
    '.',
    '-',
    'e5',
    '1e',
    '70 000',
    '٣',
  ])
    assert.deepEqual(parseNumber(text), { error: 'must be a number' }, text);
  for (const text of ['', '   ', null, undefined])
    assert.deepEqual(parseNumber(text), { error: 'is required' });
  assert.deepEqual(parseNumber('1e999'), { error: 'must be a finite number' });
});

test('PDs keep their digits', () => {
  assert.equal(pdText(0.4011), '40.11%');
  assert.equal(pdText(0.01), '1.00%');
  assert.equal(pdText(0.00999), '0.999%');
  assert.equal(pdText(0.0012345), '0.123%');
  assert.equal(pdText(0.00003), '0.00300%');
  assert.equal(pdText(0.000000123), '0.0000123%');
  assert.equal(pdText(1e-12), '< 0.000001%');
  assert.equal(pdText(0), '0%');
  assert.equal(pdText(1), '100%');
  assert.equal(pdText(0.99996), '> 99.99%');
  assert.equal(pdText(null), '—');
  assert.equal(pdText(NaN), '—');
  // Never "0.00%" for a PD above zero.
  for (let e = -2; e >= -8; e -= 0.25) assert.notEqual(pdText(10 ** e), '0.00%', String(e));
});

test('points, money and grouping', () => {
  assert.equal(pointsText(0.0125), '+1.25 pts');
  assert.equal(pointsText(-0.0000412), '−0.00412 pts');
  assert.equal(pointsText(0), '0 pts');
  assert.equal(moneyText(12500), '$12,500');
  assert.equal(moneyText(undefined), '—');
  assert.equal(grouped(100000000), '100,000,000');
});

test('sliders reach the whole valid range', () => {
  const log = sliderScale(0, 100_000_000, true);
  assert.equal(log.toValue(0), 0);
  assert.ok(Math.abs(log.toValue(log.steps) - 100_000_000) < 1e-3);
  assert.equal(log.toPosition(0), 0);
  assert.equal(log.toPosition(100_000_000), log.steps);
  // Typical incomes get a usable share of the track (not the first 0.1% as on a linear scale).
  assert.ok(log.toPosition(70_000) > 500 && log.toPosition(70_000) < 800);
  const lin = sliderScale(300, 850, false);
  assert.equal(lin.toValue(0), 300);
  assert.equal(lin.toValue(lin.steps), 850);
  assert.equal(lin.toPosition(650), Math.round((350 / 550) * 1000));
  assert.equal(lin.toPosition(9999), lin.steps);
});

test('metrics: four significant digits, the same way in every column', () => {
  for (const [v, text] of [
    [0.873421, '0.8734'],
    [0.5, '0.5000'],
    [0.00123456, '0.001235'],
    [12.3456, '12.35'],
    [-0.1234, '-0.1234'],
    [1234.5678, '1,235'],
    [999.96, '1,000'],
    [1500, '1,500'],
    [0, '0'],
    [1.23456e-5, '1.235e-5'],
    [null, '—'],
    [undefined, '—'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    ['abc', 'abc'],
  ])
    assert.equal(metricText(v), text, String(v));
});

test('file sizes in binary units', () => {
  assert.equal(bytesText(0), '0 B');
  assert.equal(bytesText(812), '812 B');
  assert.equal(bytesText(4710), '4.6 KiB');
  assert.equal(bytesText(1258291), '1.2 MiB');
  assert.equal(bytesText(50 * 1024 * 1024), '50 MiB');
  assert.equal(bytesText(-1), '—');
  assert.equal(bytesText(undefined), '—');
});
