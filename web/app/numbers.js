// Numbers as people type and read them, one way everywhere: parsing what a loan officer types
// (thousands separators yes, letters, hex and "Infinity" no), and formatting PDs, percentages and
// money so that a small PD is never shown as 0.00%. Pure functions: tests/web/numbers.test.mjs.

// Optional sign; digits with optional comma groups of three, or plain digits; an optional
// fraction; an optional exponent. "7x0", "0x10", "1,2", "12,,000" and "Infinity" do not match.
const NUMBER = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/// {value} for a number as typed, {error} (the API's words) otherwise; blank is "is required".
export function parseNumber(text) {
  const t = String(text ?? '').trim();
  if (t === '') return { error: 'is required' };
  // The pattern allows an empty mantissa ("", "e5", "."): a digit must be there somewhere before
  // any exponent.
  if (!NUMBER.test(t) || !/\d/.test(t.split(/[eE]/)[0])) return { error: 'must be a number' };
  const value = Number(t.replaceAll(',', ''));
  if (!Number.isFinite(value)) return { error: 'must be a finite number' };
  return { value };
}

/// A PD (0..1) as a percentage with enough digits to be read: two decimals from 1% up, three
/// significant digits below (0.00312%), "0%" and "100%" exactly, "< 0.000001%" below that.
export function pdText(pd) {
  if (pd === null || pd === undefined || !Number.isFinite(pd)) return '—';
  const p = pd * 100;
  if (p === 0) return '0%';
  if (p === 100) return '100%';
  if (p >= 1) {
    // 99.996% would round to "100.00%": say it is below 100.
    const text = p.toFixed(2);
    return text === '100.00' ? '> 99.99%' : `${text}%`;
  }
  if (p < 1e-6) return '< 0.000001%';
  const decimals = Math.min(8, Math.max(2, 2 - Math.floor(Math.log10(p))));
  return `${p.toFixed(decimals)}%`;
}

/// A change in PD (0..1 scale) in percentage points, signed: "+1.25 pts", "−0.00412 pts".
export function pointsText(delta) {
  if (!Number.isFinite(delta)) return '—';
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '';
  const text = pdText(Math.abs(delta)).replace('%', '');
  return `${sign}${text} pts`;
}

/// An amount with its currency and thousands separators: "$12,500".
export function moneyText(v, currency = 'USD') {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { style: 'currency', currency, maximumFractionDigits: 0 });
}

/// A plain number with thousands separators: 150000 -> "150,000".
export function grouped(v) {
  return Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 6 }) : String(v);
}

/// Slider positions 0..1000 to values and back on a log scale for ranges spanning orders of
/// magnitude (money), linear otherwise, so every valid value can be reached.
export function sliderScale(lo, hi, log) {
  const steps = 1000;
  if (!log || lo < 0 || hi <= 0) {
    return {
      steps,
      toValue: s => lo + ((hi - lo) * s) / steps,
      toPosition: v => Math.round(((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * steps),
    };
  }
  // log1p keeps 0 reachable.
  const a = Math.log1p(lo),
    b = Math.log1p(hi);
  return {
    steps,
    toValue: s => Math.expm1(a + ((b - a) * s) / steps),
    toPosition: v =>
      Math.round(((Math.log1p(Math.min(hi, Math.max(lo, v))) - a) / (b - a)) * steps),
  };
}
