// Predict: the six inputs with inline validation mirroring the API's rules (required, number,
// whole number, range from the served schema), the PD as a gauge, grade, decision, expected loss,
// the four reasons, a SHAP waterfall (in PD points, log-odds on demand), and "what if" sliders
// that re-score as they move. An answer is shown only for the inputs it was computed from: edits
// mark it out of date, invalid inputs and failures clear it. A Score press is a decision: it can
// be printed or saved, and the tab keeps a list of the recent ones.
import { getJson, postJson, ApiError } from '../api.js';
import { el, chart, updateChart, errorBox, when, debounce, table } from '../ui.js';
import { parseNumber, pdText, pointsText, moneyText, grouped, sliderScale } from '../numbers.js';

// Labels, units and slider ranges for people; the valid ranges themselves come from the schema.
const FIELDS = {
  credit_lines_outstanding: {
    label: 'Credit lines outstanding',
    unit: 'lines',
    lo: 0,
    hi: 10,
    step: 1,
    start: 1,
  },
  loan_amt_outstanding: {
    label: 'Loan amount outstanding',
    unit: 'USD',
    lo: 0,
    hi: 15000,
    step: 50,
    start: 4000,
  },
  total_debt_outstanding: {
    label: 'Total debt outstanding',
    unit: 'USD',
    lo: 0,
    hi: 50000,
    step: 100,
    start: 8000,
  },
  income: { label: 'Annual income', unit: 'USD', lo: 0, hi: 150000, step: 500, start: 70000 },
  years_employed: { label: 'Years employed', unit: 'years', lo: 0, hi: 40, step: 1, start: 5 },
  fico_score: { label: 'FICO score', unit: 'points', lo: 300, hi: 850, step: 1, start: 650 },
};

/// The API's rule for one raw value, or '' when valid (same order and words as the server).
export function ruleFor(column, text) {
  const parsed = parseNumber(text);
  if (parsed.error) return parsed.error;
  const v = parsed.value;
  if (column.type === 'integer' && !Number.isInteger(v)) return 'must be a whole number';
  const min = column.min ?? -Infinity;
  const max = column.max ?? Infinity;
  if (v < min || v > max) {
    return Number.isFinite(max)
      ? `must be between ${grouped(min)} and ${grouped(max)}${column.unit ? ' ' + column.unit : ''}`
      : `must be ${grouped(min)} or more`;
  }
  return '';
}

function gaugeOption(pd, threshold) {
  return {
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 100,
        splitNumber: 5,
        startAngle: 200,
        endAngle: -20,
        radius: '95%',
        // Green well below the decline threshold, amber approaching it, red where loans are declined.
        axisLine: {
          lineStyle: {
            width: 18,
            color: [
              [threshold / 2, '#2e8b57'],
              [threshold, '#d99a00'],
              [1, '#b22222'],
            ],
          },
        },
        pointer: { width: 5 },
        progress: { show: false },
        axisLabel: { distance: 26, color: '#333', formatter: v => `${v}%` },
        splitLine: { length: 12 },
        axisTick: { length: 6 },
        detail: {
          valueAnimation: false,
          formatter: v => pdText(v / 100),
          fontSize: 22,
          offsetCenter: [0, '55%'],
          color: '#1b1f24',
        },
        title: { show: true, offsetCenter: [0, '85%'], color: '#4a5461' },
        data: [{ value: pd * 100, name: 'probability of default' }],
      },
    ],
    animation: false,
  };
}

/// A slider's value read out with its unit: "$52,000", "640 points".
function valueText(v, unit) {
  if ((unit || '').startsWith('USD')) return moneyText(v);
  return `${grouped(v)}${unit ? ` ${unit}` : ''}`;
}

const sigmoid = z => 1 / (1 + Math.exp(-z));

/// A feature's name for people: the form's label for an input, words for an engineered feature.
function featureLabel(name) {
  if (FIELDS[name]) return FIELDS[name].label;
  const words = name.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/// The waterfall's bars, each spanning [start, end]. In PD points (the default) the path runs
/// from the average applicant's PD through each feature's contribution (largest first) to the
/// model's PD, then the calibration step to the PD shown above, so the bars add up to it. In
/// log-odds (for analysts) it is the raw SHAP decomposition of the model's score.
export function waterfallRows(e, pd, space) {
  const items = Object.entries(e.contributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const rows = [];
  if (space === 'log-odds') {
    rows.push({ name: 'Average applicant', start: 0, end: e.base_value, total: true });
    let level = e.base_value;
    for (const [name, c] of items) {
      rows.push({ name: featureLabel(name), start: level, end: level + c });
      level += c;
    }
    rows.push({ name: 'Model score', start: 0, end: e.margin, total: true });
    return rows;
  }
  let level = e.base_value;
  rows.push({ name: 'Average applicant', start: 0, end: sigmoid(level) * 100, total: true });
  for (const [name, c] of items) {
    const before = sigmoid(level) * 100;
    level += c;
    rows.push({ name: featureLabel(name), start: before, end: sigmoid(level) * 100 });
  }
  const raw = sigmoid(e.margin) * 100;
  if (Math.abs(pd * 100 - raw) > 1e-9)
    rows.push({ name: 'Calibration', start: raw, end: pd * 100 });
  rows.push({ name: 'PD', start: 0, end: pd * 100, total: true });
  return rows;
}

function waterfallOption(e, pd, space, narrow) {
  const rows = waterfallRows(e, pd, space);
  const inPoints = space !== 'log-odds';
  const delta = r => r.end - r.start;
  const describe = r => {
    if (r.total)
      return `${r.name}: ${inPoints ? pdText(r.end / 100) : `${r.end.toFixed(3)} log-odds`}`;
    const d = delta(r);
    const moves = d >= 0 ? 'raises' : 'lowers';
    return inPoints
      ? `${r.name}: ${pointsText(d / 100)} (${moves} the PD)`
      : `${r.name}: ${d >= 0 ? '+' : ''}${d.toFixed(3)} log-odds (${moves} the PD)`;
  };
  const color = r => (r.total ? '#6b7785' : delta(r) >= 0 ? '#b22222' : '#2e6fb2');
  return {
    animation: false,
    grid: { left: 8, right: 16, top: 10, bottom: 40, containLabel: true },
    tooltip: { trigger: 'item', confine: true, formatter: p => describe(rows[p.dataIndex]) },
    xAxis: {
      type: 'value',
      name: inPoints ? 'PD (%)' : 'log-odds',
      nameLocation: 'middle',
      nameGap: 24,
      scale: false,
    },
    yAxis: {
      type: 'category',
      data: rows.map(r => r.name),
      inverse: true,
      // Labels wrap at spaces within a fixed width, so phone labels never overlap the bars.
      axisLabel: { color: '#1b1f24', width: narrow ? 92 : 170, overflow: 'break', lineHeight: 13 },
    },
    series: [
      {
        type: 'custom',
        encode: { x: [0, 1], y: 2 },
        data: rows.map((r, i) => [r.start, r.end, i]),
        renderItem: (params, api) => {
          const a = api.coord([api.value(0), api.value(2)]);
          const b = api.coord([api.value(1), api.value(2)]);
          const h = api.size([0, 1])[1] * 0.6;
          return {
            type: 'rect',
            shape: {
              x: Math.min(a[0], b[0]),
              y: a[1] - h / 2,
              width: Math.max(1, Math.abs(b[0] - a[0])),
              height: h,
            },
            style: { fill: color(rows[params.dataIndex]) },
          };
        },
      },
    ],
  };
}

const RECENT_KEY = 'loanrisk.recent-scorings';
const RECENT_MAX = 20;

/// The decisions made in this browser tab, newest first (sessionStorage: gone with the tab).
function loadRecent() {
  try {
    const list = JSON.parse(sessionStorage.getItem(RECENT_KEY) || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function saveRecent(list) {
  try {
    sessionStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
  } catch {
    // Storage full or disabled: the list lives only on screen.
  }
}

/// The words a loan officer sees for a failure (the browser's own "Failed to fetch" says nothing).
export function failureText(e) {
  if (e instanceof ApiError) {
    if (e.status === 422) return 'Some values were refused; see the highlighted fields.';
    if (e.status === 401 || e.status === 403) return `Not allowed: ${e.message}. Sign in again.`;
    if (e.status === 429 || e.status === 503)
      return 'The scoring service is busy. Wait a moment and press Score applicant again.';
    return `The scoring service answered with an error (${e.message}). Press Score applicant to try again; if it persists, tell the model owner.`;
  }
  return 'The scoring service could not be reached. Check the connection and press Score applicant again.';
}

export async function predictPage(root, alive) {
  const model = await getJson('/api/v1/model');
  if (!alive()) return;
  const columns = model.schema.columns.filter(c => c.role === 'feature');
  const inputs = {},
    sliders = {},
    scales = {},
    errors = {};
  const form = el('form', { novalidate: true, 'aria-label': 'Applicant' });
  const customerId = el('input', {
    type: 'text',
    id: 'f-customer_id',
    name: 'customer_id',
    maxlength: '64',
    autocomplete: 'off',
    'aria-describedby': 'f-customer_id-hint',
  });
  form.append(
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'f-customer_id', text: 'Customer id (optional)' }),
      customerId,
      el('span', {
        class: 'hint',
        id: 'f-customer_id-hint',
        text: 'Printed on the decision and kept in the recent scorings.',
      }),
    ),
  );
  for (const c of columns) {
    const f = FIELDS[c.name] || { label: c.name, unit: c.unit, start: c.min ?? 0 };
    const id = `f-${c.name}`;
    // The slider spans the whole valid range: log scale for money (0 to millions), linear else.
    const lo = Number.isFinite(c.min) ? c.min : 0;
    const hi = Number.isFinite(c.max) ? c.max : Math.max(lo + 1, (f.hi ?? lo + 100000) * 10);
    const log = (f.unit || c.unit || '').startsWith('USD') && hi / Math.max(1, lo) > 1000;
    scales[c.name] = { ...sliderScale(lo, hi, log), lo, hi, log };
    errors[c.name] = el('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
    // type=text: a number field hides what was typed ("7x0" reads as empty), so the page could
    // neither say "must be a number" nor stop a value the browser half-parsed.
    inputs[c.name] = el('input', {
      type: 'text',
      id,
      name: c.name,
      inputmode: c.type === 'integer' ? 'numeric' : 'decimal',
      autocomplete: 'off',
      value: String(f.start),
      'aria-describedby': `${id}-hint ${id}-error`,
    });
    sliders[c.name] = el('input', {
      type: 'range',
      id: `${id}-slider`,
      min: '0',
      max: String(scales[c.name].steps),
      step: '1',
      value: String(scales[c.name].toPosition(f.start)),
      'aria-label': `What if: ${f.label}${log ? ' (log scale)' : ''}`,
      // Read out as the value, not the slider's position (0 to 1000).
      'aria-valuetext': valueText(f.start, f.unit || c.unit),
    });
    const range = Number.isFinite(c.max)
      ? `${grouped(c.min)} to ${grouped(c.max)}`
      : `${grouped(c.min)} or more`;
    form.append(
      el(
        'div',
        { class: 'field' },
        el('label', { for: id, text: `${f.label} (${f.unit || c.unit || ''})` }),
        inputs[c.name],
        el('span', {
          class: 'hint',
          id: `${id}-hint`,
          text: `Valid: ${range}${c.type === 'integer' ? ', whole numbers' : ''}`,
        }),
        sliders[c.name],
        errors[c.name],
      ),
    );
  }
  const submit = el('button', { type: 'submit', text: 'Score applicant' });
  form.append(el('div', { class: 'row' }, submit));

  const status = el('div', { 'aria-live': 'polite', 'data-testid': 'predict-status' });
  const pdValue = el('span', { class: 'value', 'data-testid': 'pd-value', text: '—' });
  const grade = el('span', { class: 'value', 'data-testid': 'grade', text: '—' });
  const decision = el('span', { class: 'value', 'data-testid': 'decision', text: '—' });
  const loss = el('span', { class: 'value', 'data-testid': 'expected-loss', text: '—' });
  const answeredBy = el('p', { class: 'muted', 'data-testid': 'answered-by' });
  const record = el('p', { class: 'decision-record', 'data-testid': 'decision-record' });
  const reasons = el('ul', { class: 'reasons', 'data-testid': 'reasons' });
  const gauge = chart(gaugeOption(0, model.threshold), 'chart small', 'PD gauge');
  const waterfall = chart({}, 'chart', 'SHAP waterfall: how each feature moves the PD');
  const space = el(
    'select',
    { id: 'waterfall-space', 'aria-label': 'Contributions in' },
    el('option', { value: 'pd', text: 'PD points' }),
    el('option', { value: 'log-odds', text: 'log-odds (analysts)' }),
  );
  const spaceNote = el('p', { class: 'muted', 'data-testid': 'waterfall-note' });
  const printButton = el('button', {
    type: 'button',
    class: 'secondary no-print',
    text: 'Print or save decision',
    disabled: true,
    'data-testid': 'print-decision',
    onclick: () => window.print(),
  });
  const recentHolder = el('div');
  const recentCard = el(
    'div',
    { class: 'card no-print recent', 'data-testid': 'recent-scorings' },
    el('h2', { text: 'Recent scorings in this tab' }),
    recentHolder,
  );
  const resultCard = el(
    'div',
    { class: 'card', id: 'result', 'data-testid': 'result' },
    el('div', { class: 'row' }, el('h2', { text: 'Answer' }), printButton),
    status,
    el(
      'div',
      { class: 'result-head' },
      el('div', { class: 'kpi' }, el('span', { class: 'label', text: 'PD' }), pdValue),
      el('div', { class: 'kpi' }, el('span', { class: 'label', text: 'Grade' }), grade),
      el('div', { class: 'kpi' }, el('span', { class: 'label', text: 'Decision' }), decision),
      el(
        'div',
        { class: 'kpi' },
        el('span', { class: 'label', text: `Expected loss (LGD ${Math.round(model.lgd * 100)}%)` }),
        loss,
      ),
    ),
    gauge,
    answeredBy,
    record,
    el('h2', { text: 'Main reasons' }),
    reasons,
    el(
      'div',
      { class: 'row' },
      el('h2', { text: 'Contributions (SHAP waterfall)' }),
      el('label', { class: 'no-print inline', for: 'waterfall-space', text: 'Show in ' }),
      space,
    ),
    spaceNote,
    waterfall,
  );

  root.append(
    el('h1', { text: 'Predict the probability of default' }),
    el(
      'div',
      { class: 'grid2' },
      el(
        'div',
        { class: 'card no-print' },
        el('h2', { text: 'Applicant' }),
        el('p', {
          class: 'muted',
          text: 'Type values and press Score applicant, or move a slider to see "what if".',
        }),
        form,
      ),
      resultCard,
    ),
    recentCard,
  );

  function renderRecent() {
    const list = loadRecent();
    recentHolder.replaceChildren(
      list.length
        ? table(
            [
              { label: 'Time', value: r => when(r.time) },
              { label: 'Customer', value: r => r.customer_id || '—' },
              { label: 'PD', num: true, value: r => pdText(r.pd) },
              { label: 'Grade', value: r => r.grade },
              { label: 'Decision', value: r => r.decision },
              { label: 'Model', value: r => `${r.model}${r.version ? ` v${r.version}` : ''}` },
            ],
            list,
          )
        : el('p', { class: 'muted', text: 'None yet.' }),
    );
  }
  renderRecent();

  function readInputs() {
    const applicant = {};
    let ok = true;
    for (const c of columns) {
      const rule = ruleFor(c, inputs[c.name].value);
      showError(c.name, rule);
      ok = ok && !rule;
      if (!rule) applicant[c.name] = parseNumber(inputs[c.name].value).value;
    }
    const id = customerId.value.trim();
    if (id) applicant.customer_id = id;
    return ok ? applicant : null;
  }
  function showError(name, rule) {
    errors[name].textContent = rule ? `${FIELDS[name]?.label || name} ${rule}.` : '';
    if (rule) inputs[name].setAttribute('aria-invalid', 'true');
    else inputs[name].removeAttribute('aria-invalid');
  }

  // What the answer on screen was computed from ('' when none is shown), and the last answer.
  let shownFor = '';
  let last = null;
  function clearAnswer() {
    shownFor = '';
    last = null;
    pdValue.textContent = '—';
    delete pdValue.dataset.pd;
    grade.textContent = '—';
    decision.textContent = '—';
    decision.className = 'value';
    loss.textContent = '—';
    answeredBy.textContent = '';
    record.textContent = '';
    reasons.replaceChildren();
    resultCard.classList.remove('stale');
    printButton.disabled = true;
    updateChart(gauge, gaugeOption(0, model.threshold));
    updateChart(waterfall, {});
    spaceNote.textContent = '';
  }
  // Edits after an answer: the answer stays readable but is marked as not for these inputs.
  function checkCurrent() {
    if (!shownFor) return;
    const now = readInputsQuietly();
    const stale = JSON.stringify(now) !== shownFor;
    resultCard.classList.toggle('stale', stale);
    printButton.disabled = stale || !last?.decided;
    if (stale)
      status.replaceChildren(
        el('p', {
          class: 'stale-note',
          'data-testid': 'stale-note',
          text: 'Out of date: the inputs changed since this answer. Press Score applicant to update it.',
        }),
      );
    else status.replaceChildren();
  }
  function readInputsQuietly() {
    const out = {};
    for (const c of columns) out[c.name] = inputs[c.name].value.trim();
    out.customer_id = customerId.value.trim();
    return out;
  }
  function drawWaterfall() {
    if (!last) return;
    // Phone labels wrap at spaces in a narrow column; each row gets the height its lines need.
    const narrow = window.innerWidth < 600;
    const rows = Object.keys(last.explanation.contributions).length + 3;
    waterfall.style.height = `${Math.max(300, rows * (narrow ? 34 : 24) + 60)}px`;
    waterfall.chart?.resize();
    updateChart(waterfall, waterfallOption(last.explanation, last.pd, space.value, narrow));
    spaceNote.textContent =
      space.value === 'log-odds'
        ? "Each feature's SHAP value on the model's raw score (log-odds), from the average applicant's score; the PD above is that score after calibration."
        : 'How each feature moves the PD, in percentage points, from the average applicant (largest first); the calibration step brings the model to the PD above.';
  }
  space.addEventListener('change', drawWaterfall);

  let seq = 0;
  // probe: the page's own look-ups (first load, "what if" sliders), which the server keeps out of
  // the prediction log and live drift; only a Score press is a real decision.
  async function score(probe = false) {
    const applicant = readInputs();
    if (!applicant) {
      ++seq; // an answer still on its way is for other inputs
      clearAnswer();
      root.setAttribute('aria-busy', 'false');
      status.replaceChildren(
        el('p', { class: 'field-error', text: 'Fix the highlighted fields to get an answer.' }),
      );
      return;
    }
    const mine = ++seq;
    const asked = JSON.stringify(readInputsQuietly());
    root.setAttribute('aria-busy', 'true');
    try {
      const [p, x] = await Promise.all([
        postJson(`/api/v1/predict${probe ? '?probe=true' : ''}`, applicant),
        postJson('/api/v1/explain', applicant),
      ]);
      if (mine !== seq || !alive()) return;
      const r = p.predictions[0];
      const at = Date.now();
      last = { pd: r.pd, explanation: x.explanations[0], decided: !probe };
      shownFor = asked;
      pdValue.textContent = pdText(r.pd);
      pdValue.dataset.pd = String(r.pd);
      grade.textContent = r.grade;
      decision.textContent = r.decision;
      decision.className = `value decision-${r.decision}`;
      loss.textContent = moneyText(r.expected_loss);
      const version = p.model.version ? ` version ${p.model.version}` : '';
      answeredBy.textContent = `Answered by ${p.model.name}${version}; decline at PD ≥ ${pdText(p.threshold)}.`;
      answeredBy.dataset.version = p.model.version;
      record.textContent = probe
        ? 'A what-if look-up, not a decision: press Score applicant to decide.'
        : `Decision for ${applicant.customer_id ? `customer ${applicant.customer_id}` : 'an unnamed customer'}, ${when(at)}, by ${p.model.name}${version}.`;
      reasons.replaceChildren(...r.reasons.map(x2 => el('li', { text: x2.text })));
      if (!r.reasons.length)
        reasons.append(
          el('li', { text: "No factor raises this applicant's risk above the average." }),
        );
      updateChart(gauge, gaugeOption(r.pd, p.threshold));
      drawWaterfall();
      if (!probe) {
        const list = loadRecent();
        list.unshift({
          time: at,
          customer_id: applicant.customer_id || '',
          pd: r.pd,
          grade: r.grade,
          decision: r.decision,
          model: p.model.name,
          version: p.model.version || '',
        });
        saveRecent(list);
        renderRecent();
      }
      checkCurrent();
    } catch (e) {
      if (mine !== seq) return;
      clearAnswer();
      if (e instanceof ApiError)
        for (const prob of e.problems) if (errors[prob.field]) showError(prob.field, prob.rule);
      const box = errorBox(e);
      box.replaceChildren(failureText(e));
      status.replaceChildren(box);
    } finally {
      if (mine === seq) root.setAttribute('aria-busy', 'false');
    }
  }
  const rescore = debounce(() => score(true), 120);
  // A slider position as the value a person would type: whole numbers, or 3 significant digits on
  // a log scale.
  const sliderValue = (c, position) => {
    const sc = scales[c.name];
    let v = sc.toValue(position);
    if (c.type === 'integer') v = Math.round(v);
    else if (sc.log) v = Number(v.toPrecision(3));
    else v = Math.round(v * 100) / 100;
    return Math.min(sc.hi, Math.max(sc.lo, v));
  };
  const unitOf = c => (FIELDS[c.name] || {}).unit || c.unit;
  for (const c of columns) {
    const slider = sliders[c.name];
    inputs[c.name].addEventListener('input', () => {
      const rule = ruleFor(c, inputs[c.name].value);
      showError(c.name, rule);
      if (!rule) {
        const v = parseNumber(inputs[c.name].value).value;
        slider.value = String(scales[c.name].toPosition(v));
        slider.setAttribute('aria-valuetext', valueText(v, unitOf(c)));
      }
      checkCurrent();
    });
    slider.addEventListener('input', () => {
      const v = sliderValue(c, Number(slider.value));
      inputs[c.name].value = String(v);
      slider.setAttribute('aria-valuetext', valueText(v, unitOf(c)));
      showError(c.name, '');
      checkCurrent();
      rescore();
    });
    // An arrow key moves to the next value a person would type: a slider step can be smaller than
    // the rounding (FICO moves 0.55 points a step), and a key press that changes nothing reads as
    // a broken control.
    slider.addEventListener('keydown', ev => {
      const dir = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 }[ev.key];
      if (!dir) return;
      const steps = scales[c.name].steps;
      const now = sliderValue(c, Number(slider.value));
      let pos = Number(slider.value) + dir;
      while (pos > 0 && pos < steps && sliderValue(c, pos) === now) pos += dir;
      if (pos < 0 || pos > steps) return;
      ev.preventDefault();
      slider.value = String(pos);
      slider.dispatchEvent(new Event('input'));
    });
  }
  customerId.addEventListener('input', checkCurrent);
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    score(false);
  });
  await score(true);
}
