// The audit trail for admins: every state-changing request and command, refusals included, newest
// first, filtered by person, outcome and time, a page of 100 at a time, and exported as JSON lines
// (the shape of `loanrisk audit export`).
import { ApiError, currentSession, getJson } from '../api.js';
import { lockedCard } from '../account.js';
import { el, errorBox, field, table, when } from '../ui.js';

const PAGE = 100;

function query(filters, before) {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (filters.who) q.set('who', filters.who);
  if (filters.outcome) q.set('outcome', filters.outcome);
  if (filters.since) q.set('since', filters.since);
  if (before) q.set('before', String(before));
  return q;
}

// Who may not read the trail is told so without asking the server (the server refuses it too).
function refusal() {
  const s = currentSession();
  if (!s.signed_in) return { status: 401 };
  const roles = s.user.roles || [];
  if (roles.includes('admin')) return null;
  return {
    status: 403,
    message: `Signed in as ${s.user.name} (${roles.join(', ') || 'no role'}): the audit trail needs an admin.`,
  };
}

function locked(root, error) {
  root.append(
    el('h1', { text: 'Audit trail' }),
    lockedCard({
      title: 'Audit trail',
      need: 'The audit trail is for admins',
      error,
      testid: 'audit-locked',
      buttonId: 'audit-signin',
    }),
  );
}

const columns = [
  { label: 'time', value: e => when(e.time_ms) },
  {
    label: 'who',
    value: e =>
      e.who
        ? `${e.who}${e.role ? ` (${e.role})` : ''}${e.source ? ` · ${e.source}` : ''}`
        : 'nobody',
  },
  { label: 'action', value: e => e.action },
  { label: 'target', value: e => e.target },
  {
    label: 'outcome',
    value: e => el('span', { class: `outcome ${e.outcome}`, text: `${e.outcome} (${e.status})` }),
  },
  { label: 'detail', value: e => e.detail || '' },
  { label: 'client', value: e => e.client },
  { label: 'request', value: e => e.request_id },
];

export async function auditPage(root, alive) {
  const filters = { who: '', outcome: '', since: '' };
  const refused = refusal();
  if (refused) return locked(root, refused);
  let first;
  try {
    first = await getJson(`/api/v1/audit?${query(filters)}`);
  } catch (e) {
    // The session ended or the role changed since the page last asked.
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
    if (alive()) locked(root, e);
    return;
  }
  if (!alive()) return;
  const who = el('input', { type: 'text', id: 'audit-who', placeholder: 'a name, exactly' });
  const outcome = el(
    'select',
    { id: 'audit-outcome' },
    ['', 'ok', 'refused', 'failed'].map(v => el('option', { value: v, text: v || 'any outcome' })),
  );
  const since = el('input', { type: 'date', id: 'audit-since' });
  const exportLink = el('a', { 'data-testid': 'audit-export', download: 'loanrisk-audit.jsonl' });
  const status = el('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'audit-count' });
  const more = el('button', { type: 'button', class: 'secondary', text: 'Older events' });
  const box = el('div', { class: 'audit', 'data-testid': 'audit-table' });
  const msg = el('div');
  let events = [];
  let next = null;

  const draw = () => {
    box.replaceChildren(
      events.length
        ? table(columns, events)
        : el('p', { class: 'muted', text: 'No event matches these filters.' }),
    );
    status.textContent = `${events.length} event${events.length === 1 ? '' : 's'} shown, newest first${next ? '; older ones follow' : ''}.`;
    more.hidden = !next;
    const q = query(filters);
    q.delete('limit');
    q.set('format', 'jsonl');
    exportLink.href = `/api/v1/audit?${q}`;
    exportLink.textContent = 'Export these filters as JSON lines';
  };
  const take = page => {
    events = events.concat(page.events);
    next = page.next_before;
  };
  const load = async before => {
    msg.replaceChildren();
    try {
      const page = await getJson(`/api/v1/audit?${query(filters, before)}`);
      if (!alive()) return;
      if (!before) events = [];
      take(page);
      draw();
    } catch (e) {
      msg.append(errorBox(e));
    }
  };
  const form = el(
    'form',
    { class: 'row', 'aria-label': 'Filter the audit trail' },
    field('Person', who),
    field('Outcome', outcome),
    field('Since (UTC)', since),
    el('button', { type: 'submit', text: 'Show' }),
  );
  form.addEventListener('submit', ev => {
    ev.preventDefault();
    Object.assign(filters, { who: who.value.trim(), outcome: outcome.value, since: since.value });
    load(null);
  });
  more.addEventListener('click', () => load(next));
  take(first);
  draw();
  root.append(
    el('h1', { text: 'Audit trail' }),
    el(
      'div',
      { class: 'card' },
      el('p', {
        class: 'muted',
        text: 'Every change of state (jobs, registrations, promotions, approvals, users, reloads, sign-ins) and every refusal, with who, when and from where. The trail is append-only.',
      }),
      form,
      msg,
      status,
      box,
      el('div', { class: 'row' }, more, exportLink),
    ),
  );
}
