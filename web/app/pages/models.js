// Models: registered models, their versions with metrics and aliases, the promotion history; promote
// a version to an alias (admin token and a reason), then see the new champion answer.
import { getJson, postJson, adminToken, rememberToken } from '../api.js';
import { el, errorBox, field, table, when } from '../ui.js';
import { refreshServing } from '../serving.js';

const METRICS = ['auc_roc', 'pr_auc', 'ks', 'brier', 'f1'];

function metricOf(v, key) {
  const m = v.metrics && (v.metrics.test || v.metrics.validation);
  return m && typeof m[key] === 'number' ? m[key] : null;
}

// A typical applicant, to show who answers after a promotion.
const SAMPLE = {
  credit_lines_outstanding: 2,
  loan_amt_outstanding: 4500,
  total_debt_outstanding: 12000,
  income: 55000,
  years_employed: 3,
  fico_score: 610,
};

function promoteDialog(model, version, alias, onDone) {
  const token = el('input', {
    type: 'password',
    id: 'promote-token',
    autocomplete: 'off',
    value: adminToken(),
  });
  const reason = el('textarea', { id: 'promote-reason', rows: '3', required: true });
  const msg = el('div', { 'aria-live': 'assertive' });
  const ok = el('button', { type: 'submit', text: `Promote to ${alias}` });
  const cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const form = el(
    'form',
    { method: 'dialog' },
    el('h2', { text: `Promote ${model} version ${version} to @${alias}` }),
    field('Admin token', token),
    field('Reason (kept in the history)', reason),
    msg,
    el('div', { class: 'row' }, ok, cancel),
  );
  const dialog = el('dialog', { 'aria-label': 'Promote a model version' }, form);
  document.body.append(dialog);
  cancel.addEventListener('click', () => {
    dialog.close();
    dialog.remove();
  });
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    msg.replaceChildren();
    if (!reason.value.trim()) {
      msg.append(el('p', { class: 'field-error', text: 'Say why: the reason is recorded.' }));
      reason.focus();
      return;
    }
    ok.disabled = true;
    try {
      const r = await postJson(
        '/api/v1/admin/promote',
        { model, version, alias, reason: reason.value },
        token.value,
      );
      rememberToken(token.value);
      dialog.close();
      dialog.remove();
      onDone(r);
    } catch (e) {
      msg.append(errorBox(e));
    } finally {
      ok.disabled = false;
    }
  });
  dialog.showModal();
  (token.value ? reason : token).focus();
}

export async function modelsPage(root, alive) {
  const data = await getJson('/api/v1/models');
  if (!alive()) return;
  root.append(el('h1', { text: 'Registered models' }));
  const notice = el('div', { 'aria-live': 'polite', 'data-testid': 'promote-result' });
  root.append(notice);
  if (!data.models.length) {
    root.append(
      el('p', {
        class: 'card',
        text: 'No model is registered yet: train with --register NAME (see README).',
      }),
    );
  }
  for (const m of data.models) {
    const versions = [...m.versions].reverse();
    root.append(
      el(
        'div',
        { class: 'card', 'data-model': m.name },
        el('h2', { text: m.name }),
        el(
          'p',
          { class: 'muted' },
          `Latest version ${m.latest_version}. Aliases: `,
          Object.entries(m.aliases).map(([a, v]) =>
            el('span', {
              class: `badge ${a === 'champion' ? 'champion' : ''}`,
              text: `@${a} → v${v}`,
            }),
          ),
        ),
        table(
          [
            { label: 'version', num: true, value: v => v.version },
            { label: 'family', value: v => v.family },
            { label: 'status', value: v => v.status },
            {
              label: 'aliases',
              value: v =>
                el(
                  'span',
                  {},
                  v.aliases.map(a =>
                    el('span', { class: `badge ${a === 'champion' ? 'champion' : ''}`, text: a }),
                  ),
                ),
            },
            ...METRICS.map(k => ({ label: `test ${k}`, num: true, value: v => metricOf(v, k) })),
            { label: 'created', value: v => when(v.created_ms) },
            {
              label: 'action',
              value: v =>
                v.aliases.includes('champion')
                  ? el('span', { class: 'muted', text: 'champion' })
                  : el('button', {
                      type: 'button',
                      class: 'secondary',
                      'data-promote': String(v.version),
                      text: `Promote v${v.version}`,
                      onclick: () =>
                        promoteDialog(m.name, v.version, 'champion', async r => {
                          await refreshServing();
                          const who = await postJson('/api/v1/predict', SAMPLE);
                          const box = el(
                            'div',
                            { class: 'ok-box', role: 'status' },
                            `${m.name} v${v.version} is now @champion${r.moved ? '' : ' (it already was)'}. `,
                            `The server answers with version ${who.model.version}: a sample applicant (FICO 610, income $55,000) gets PD ${(who.predictions[0].pd * 100).toFixed(2)}%.`,
                          );
                          box.dataset.version = who.model.version;
                          root.replaceChildren();
                          await modelsPage(root, alive);
                          root.querySelector('[data-testid=promote-result]').replaceChildren(box);
                        }),
                    }),
            },
          ],
          versions,
          `Versions of ${m.name}, newest first; metrics on the test split`,
        ),
        el('h2', { text: 'History' }),
        table(
          [
            { label: 'when', value: e => when(e.timestamp_ms) },
            { label: 'event', value: e => e.event },
            { label: 'version', num: true, value: e => e.version },
            {
              label: 'alias',
              value: e =>
                e.alias
                  ? `@${e.alias}${e.previous_version ? ` (was v${e.previous_version})` : ''}`
                  : '',
            },
            { label: 'who', value: e => e.user },
            { label: 'why', value: e => e.reason },
          ],
          [...m.history].reverse(),
        ),
      ),
    );
  }
  if (data.serving) {
    root.append(
      el('p', {
        class: 'muted',
        text: `This server follows ${data.serving.uri} and serves ${data.serving.name} v${data.serving.version}.`,
      }),
    );
  }
}
