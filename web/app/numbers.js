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

/// A metric as the runs table and the comparison show it, the same way in every column: four
/// significant digits with their zeros ("0.8734", "0.5000", "0.001235", "12.35"), the whole part
/// never cut (1234.5678 is "1,235"), whole numbers with thousands separators ("1,500"), below
/// 0.0001 in exponent form ("1.235e-5"); "—" when there is no value.
export function metricText(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const text = v.toPrecision(4);
  // 999.96 rounds to "1000" at four digits: a whole number, then, like 1234.5.
  if (Math.abs(Number(text)) >= 1000)
    return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  if (Math.abs(v) < 1e-4) return v.toExponential(3);
  return text;
}

/// A file size in bytes as people read it: "812 B", "4.6 KiB", "1.2 MiB" (binary units).
export function bytesText(n) {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${n < 10 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
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

/// A number as tables show it: whole numbers grouped, others to `digits` significant digits; "—"
/// when there is none.
export function fmt(v, digits = 4) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return v.toLocaleString('en-US');
  return Number(v.toPrecision(digits)).toLocaleString('en-US', { maximumFractionDigits: 8 });
}
