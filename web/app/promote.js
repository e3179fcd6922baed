// Promotion, the same from every page that offers it (Models, and a run registered from the
// Experiments page): a dialog asking the signed-in person for a reason, the validation gate said
// in words with an override, then the server's answer as a box to show: a request waiting for a
// validator (four-eyes), or the new champion answering a sample applicant.
import { currentSession, postJson } from './api.js';
import { requireSignIn } from './account.js';
import { el, field, formDialog } from './ui.js';
import { refreshServing } from './serving.js';

// A typical applicant, to show who answers after a promotion.
const SAMPLE = {
  credit_lines_outstanding: 2,
  loan_amt_outstanding: 4500,
  total_debt_outstanding: 12000,
  income: 55000,
  years_employed: 3,
  fico_score: 610,
};

/// A dialog asking for a reason, then sending it as the signed-in person (asked to sign in first
/// when nobody is); onDone gets the answer. The ids stay the same for every decision, so one page
/// script (and the e2e test) drives them all.
export async function decisionDialog({ title, label, submit, send, onDone, extra = [] }) {
  if (!(await requireSignIn(`${title}: sign in as the person who decides.`))) return;
  const s = currentSession();
  const reason = el('textarea', { id: 'promote-reason', rows: '3', required: true });
  formDialog({
    label,
    title,
    body: [
      el('p', {
        class: 'muted',
        text: `As ${s.user.name} (${(s.user.roles || []).join(', ') || 'no role'}).`,
      }),
      ...extra,
      field('Reason (kept in the history)', reason),
    ],
    submit,
    onSubmit: async msg => {
      if (!reason.value.trim()) {
        msg.append(el('p', { class: 'field-error', text: 'Say why: the reason is recorded.' }));
        reason.focus();
        return false;
      }
      return send(reason.value);
    },
    onClosed: onDone,
  });
  reason.focus();
}

/// After an alias moved: which version answers now, shown with a sample applicant's PD.
export async function servingBox(text) {
  await refreshServing();
  const who = await postJson('/api/v1/predict', SAMPLE);
  const box = el(
    'div',
    { class: 'ok-box', role: 'status' },
    text,
    ` The server answers with version ${who.model.version}: a sample applicant (FICO 610, income $55,000) gets PD ${(who.predictions[0].pd * 100).toFixed(2)}%.`,
  );
  box.dataset.version = who.model.version;
  return box;
}

/// The newest validation report of a version (the one a promotion relies on), or null.
export const newestReport = v => (v.reports && v.reports.length ? v.reports[0] : null);

// The validation gate of @champion as the page sees it: what the promotion dialog must say.
function gateNotice(v) {
  const r = newestReport(v);
  if (r && r.status !== 'red') return null;
  return r
    ? `The newest validation report of v${v.version} has red gates: ${r.red.join('; ')}.`
    : `v${v.version} has no validation report attached (loanrisk validate, then loanrisk models attach-report).`;
}

/**
 * Promotes version v (as GET /api/v1/models lists it: version, reports) of model to @champion: a
 * missing or red report is said and needs the override, the reason is asked for, then onDone(box)
 * gets what happened (a request sent, or the new champion answering).
 */
export function promoteVersion(model, v, onDone) {
  const notice = gateNotice(v);
  const override = el('input', { type: 'checkbox', id: 'promote-override' });
  const extra = notice
    ? [
        el('p', { class: 'error-box', 'data-testid': 'gate-notice', text: notice }),
        el(
          'label',
          { class: 'row' },
          override,
          'Override the validation gate (the reason below is recorded with the override)',
        ),
      ]
    : [];
  return decisionDialog({
    title: `Promote ${model} version ${v.version} to @champion`,
    label: 'Promote a model version',
    submit: 'Promote to champion',
    extra,
    send: reason =>
      postJson('/api/v1/admin/promote', {
        model,
        version: v.version,
        alias: 'champion',
        reason,
        override: override.checked,
      }),
    onDone: async r =>
      onDone(
        r.request
          ? el('div', {
              class: 'ok-box',
              role: 'status',
              'data-request': String(r.request.id),
              text: `Request ${r.request.id} sent: ${model} v${v.version} becomes @champion when a validator approves it (not you, and not who trained or registered it).`,
            })
          : await servingBox(
              `${model} v${v.version} is now @champion${r.moved ? '' : ' (it already was)'}.`,
            ),
      ),
  });
}
