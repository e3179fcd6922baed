// Predict: the six inputs with inline validation mirroring the API's rules (required, number,
// whole number, range from the served schema), the PD as a gauge, grade, decision, expected loss,
// the four reasons, a SHAP waterfall, and "what if" sliders that re-score as they move.
import { getJson, postJson, ApiError } from '../api.js';
import { el, chart, updateChart, errorBox, money, pct, debounce } from '../ui.js';

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
  if (text.trim() === '') return 'is required';
  const v = Number(text);
  if (Number.isNaN(v)) return 'must be a number';
  if (!Number.isFinite(v)) return 'must be a finite number';
  if (column.type === 'integer' && !Number.isInteger(v)) return 'must be a whole number';
  const min = column.min ?? -Infinity;
  const max = column.max ?? Infinity;
  if (v < min || v > max) {
    return Number.isFinite(max)
      ? `must be between ${min} and ${max}${column.unit ? ' ' + column.unit : ''}`
      : `must be ${min} or more`;
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
          formatter: v => `${v.toFixed(2)}%`,
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

function waterfallOption(e) {
  // Each bar spans [start, end] on the log-odds axis: the base value from 0, every feature's
  // contribution from the running total, and the model's output from 0 (drawn as a custom series
  // because stacked bars cannot float across zero).
  const items = Object.entries(e.contributions).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  const rows = [{ name: 'base value', start: 0, end: e.base_value, color: '#6b7785' }];
  let level = e.base_value;
  for (const [name, c] of items) {
    rows.push({ name, start: level, end: level + c, color: c >= 0 ? '#b22222' : '#2e6fb2', c });
    level += c;
  }
  rows.push({ name: 'model output', start: 0, end: e.margin, color: '#1b1f24' });
  return {
    animation: false,
    grid: { left: 170, right: 20, top: 10, bottom: 40 },
    tooltip: {
      trigger: 'item',
      formatter: p => {
        const r = rows[p.dataIndex];
        return r.c === undefined
          ? `${r.name}: ${r.end.toFixed(3)} log-odds`
          : `${r.name}: ${r.c >= 0 ? '+' : ''}${r.c.toFixed(3)} log-odds (${r.c >= 0 ? 'raises' : 'lowers'} the PD)`;
      },
    },
    xAxis: { type: 'value', name: 'log-odds', nameLocation: 'middle', nameGap: 24, scale: false },
    yAxis: {
      type: 'category',
      data: rows.map(r => r.name),
      inverse: true,
      axisLabel: { color: '#1b1f24' },
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
            style: { fill: rows[params.dataIndex].color },
          };
        },
      },
    ],
  };
}

export async function predictPage(root, alive) {
  const model = await getJson('/api/v1/model');
  if (!alive()) return;
  const columns = model.schema.columns.filter(c => c.role === 'feature');
  const inputs = {},
    sliders = {},
    errors = {};
  const form = el('form', { novalidate: true, 'aria-label': 'Applicant' });
  for (const c of columns) {
    const f = FIELDS[c.name] || {
      label: c.name,
      unit: c.unit,
      lo: c.min ?? 0,
      hi: c.max ?? 100000,
      step: 1,
      start: c.min ?? 0,
    };
    const id = `f-${c.name}`;
    errors[c.name] = el('p', { class: 'field-error', id: `${id}-error`, 'aria-live': 'polite' });
    inputs[c.name] = el('input', {
      type: 'number',
      id,
      name: c.name,
      inputmode: 'decimal',
      step: 'any',
      value: String(f.start),
      'aria-describedby': `${id}-hint ${id}-error`,
    });
    sliders[c.name] = el('input', {
      type: 'range',
      id: `${id}-slider`,
      min: String(Math.max(f.lo, c.min ?? f.lo)),
      max: String(Math.min(f.hi, c.max ?? f.hi)),
      step: String(f.step),
      value: String(f.start),
      'aria-label': `What if: ${f.label}`,
    });
    const range = c.max === null ? `${c.min} or more` : `${c.min} to ${c.max}`;
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

  const status = el('div', { 'aria-live': 'polite' });
  const pdValue = el('span', { class: 'value', 'data-testid': 'pd-value', text: '—' });
  const grade = el('span', { class: 'value', 'data-testid': 'grade', text: '—' });
  const decision = el('span', { class: 'value', 'data-testid': 'decision', text: '—' });
  const loss = el('span', { class: 'value', 'data-testid': 'expected-loss', text: '—' });
  const answeredBy = el('p', { class: 'muted', 'data-testid': 'answered-by' });
  const reasons = el('ul', { class: 'reasons', 'data-testid': 'reasons' });
  const gauge = chart(gaugeOption(0, model.threshold), 'chart small', 'PD gauge');
  const waterfall = chart({}, 'chart', 'SHAP waterfall: how each feature moves the score');

  root.append(
    el('h1', { text: 'Predict the probability of default' }),
    el(
      'div',
      { class: 'grid2' },
      el(
        'div',
        { class: 'card' },
        el('h2', { text: 'Applicant' }),
        el('p', {
          class: 'muted',
          text: 'Type values or move the sliders: the answer updates as you go.',
        }),
        form,
      ),
      el(
        'div',
        { class: 'card', id: 'result' },
        el('h2', { text: 'Answer' }),
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
            el('span', { class: 'label', text: `Expected loss (LGD ${pct(model.lgd, 0)})` }),
            loss,
          ),
        ),
        gauge,
        answeredBy,
        el('h2', { text: 'Main reasons' }),
        reasons,
        el('h2', { text: 'Contributions (SHAP waterfall)' }),
        el('p', {
          class: 'muted',
          text: "How each feature moves the model's raw score (log-odds) from the average applicant; the PD above is that score after calibration.",
        }),
        waterfall,
      ),
    ),
  );

  function validate() {
    let ok = true;
    const applicant = {};
    for (const c of columns) {
      const rule = ruleFor(c, inputs[c.name].value);
      showError(c.name, rule);
      ok = ok && !rule;
      applicant[c.name] = Number(inputs[c.name].value);
    }
    return ok ? applicant : null;
  }
  function showError(name, rule) {
    errors[name].textContent = rule ? `${FIELDS[name]?.label || name} ${rule}.` : '';
    if (rule) inputs[name].setAttribute('aria-invalid', 'true');
    else inputs[name].removeAttribute('aria-invalid');
  }

  let seq = 0;
  // probe: the page's own look-ups (first load, "what if" sliders), which the server keeps out of
  // the prediction log and live drift; only a Score press is a real decision.
  async function score(probe = false) {
    const applicant = validate();
    if (!applicant) {
      status.replaceChildren(
        el('p', { class: 'field-error', text: 'Fix the highlighted fields to get an answer.' }),
      );
      return;
    }
    const mine = ++seq;
    root.setAttribute('aria-busy', 'true');
    try {
      const [p, x] = await Promise.all([
        postJson(`/api/v1/predict${probe ? '?probe=true' : ''}`, applicant),
        postJson('/api/v1/explain', applicant),
      ]);
      if (mine !== seq || !alive()) return;
      const r = p.predictions[0];
      status.replaceChildren();
      pdValue.textContent = pct(r.pd, 2);
      pdValue.dataset.pd = String(r.pd);
      grade.textContent = r.grade;
      decision.textContent = r.decision;
      decision.className = `value decision-${r.decision}`;
      loss.textContent = money(r.expected_loss);
      answeredBy.textContent = `Answered by ${p.model.name}${p.model.version ? ` version ${p.model.version}` : ''}; decline at PD ≥ ${pct(p.threshold, 1)}.`;
      answeredBy.dataset.version = p.model.version;
      reasons.replaceChildren(...r.reasons.map(x2 => el('li', { text: x2.text })));
      if (!r.reasons.length)
        reasons.append(
          el('li', { text: "No factor raises this applicant's risk above the average." }),
        );
      updateChart(gauge, gaugeOption(r.pd, p.threshold));
      updateChart(waterfall, waterfallOption(x.explanations[0]));
    } catch (e) {
      if (mine !== seq) return;
      if (e instanceof ApiError)
        for (const prob of e.problems) if (errors[prob.field]) showError(prob.field, prob.rule);
      status.replaceChildren(errorBox(e));
    } finally {
      if (mine === seq) root.setAttribute('aria-busy', 'false');
    }
  }
  const rescore = debounce(() => score(true), 120);
  for (const c of columns) {
    inputs[c.name].addEventListener('input', () => {
      showError(c.name, ruleFor(c, inputs[c.name].value));
      if (!ruleFor(c, inputs[c.name].value)) sliders[c.name].value = inputs[c.name].value;
    });
    sliders[c.name].addEventListener('input', () => {
      inputs[c.name].value = sliders[c.name].value;
      showError(c.name, '');
      rescore();
    });
  }
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    score(false);
  });
  await score(true);
}
