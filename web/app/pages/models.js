// Models: registered models, their versions with metrics, validation reports and aliases, champion
// and challenger side by side, the promotion history and the requests waiting for a validator;
// promote a version (signed in, with a reason; a missing or red report needs an override), approve
// or reject a request, then see the new champion answer.
import { getJson, postJson } from '../api.js';
import { el, table, when } from '../ui.js';
import { decisionDialog, newestReport, promoteVersion, servingBox } from '../promote.js';
import { bundleHref, downloadButton, reportLinks } from '../artifacts.js';

const METRICS = ['auc_roc', 'pr_auc', 'ks', 'brier', 'f1'];

function metricOf(v, key) {
  const m = v.metrics && (v.metrics.test || v.metrics.validation);
  return m && typeof m[key] === 'number' ? m[key] : null;
}

// "green" / "red (2 red gates)" linking to the report page; "none" when nothing is attached.
function reportCell(v) {
  const r = newestReport(v);
  if (!r) return el('span', { class: 'muted', text: 'none' });
  const text =
    r.status === 'red'
      ? `red (${r.red.length} red gate${r.red.length === 1 ? '' : 's'})`
      : r.status;
  return el('a', {
    href: `/api/v1/reports/${r.sha256}`,
    target: '_blank',
    rel: 'noopener',
    class: `status-${r.status === 'n/a' ? 'insufficient' : r.status}`,
    'data-report': `${v.version}-${r.status}`,
    title: `${r.sha256} on ${r.data_source || 'a labelled book'}${v.reports.length > 1 ? `; ${v.reports.length} reports attached` : ''}`,
    text,
  });
}

// The run a version was registered from: its page, its evaluation report, its bundle.
function sourceRun(name, v) {
  if (!v.run_id) return '';
  return el(
    'span',
    { class: 'row' },
    el('a', { href: `#/experiments?run=${v.run_id}`, title: v.run_id, text: 'run' }),
    reportLinks(v.run_id, 'report'),
    downloadButton({
      href: bundleHref(v.run_id),
      label: 'bundle',
      fallback: `${name}-v${v.version}-bundle.tar`,
      attrs: { 'data-version-bundle': String(v.version) },
    }),
  );
}

// Champion and challenger side by side: test metrics and validation, one row each.
function championVsChallenger(m) {
  const pick = alias => m.versions.find(v => v.version === m.aliases[alias]);
  const champion = pick('champion'),
    challenger = pick('challenger');
  if (!champion || !challenger) return [];
  const rows = [
    { label: 'version', value: v => `v${v.version}` },
    { label: 'family', value: v => v.family },
    ...METRICS.map(k => ({ label: `test ${k}`, value: v => metricOf(v, k), num: true })),
    { label: 'validation', value: v => reportCell(v) },
  ];
  const fmt = x => (typeof x === 'number' ? x.toFixed(4) : x);
  return [
    el('h2', { text: 'Champion and challenger' }),
    table(
      [
        { label: '', value: r => r.label },
        { label: '@champion', value: r => fmt(r.value(champion)), num: true },
        { label: '@challenger', value: r => fmt(r.value(challenger)), num: true },
      ],
      rows,
      `${m.name}: champion v${champion.version} against challenger v${challenger.version}`,
    ),
  ];
}

function governanceNote(g) {
  const aliases = (g.protected_aliases || []).map(a => `@${a}`).join(', ') || 'no alias';
  return el('p', {
    class: 'muted',
    'data-testid': 'governance',
    text: g.four_eyes
      ? `Four-eyes: moving ${aliases} takes a request and a validator's approval; the approver may not be who trained, registered or requested the version.`
      : `Single-user mode: this store has no users, so ${aliases} moves at once for whoever signs in with the admin token. Add users (loanrisk users add) to require a second person's approval.`,
  });
}

function pendingTable(m, reload) {
  if (!m.pending_requests || !m.pending_requests.length) return [];
  const decide = (r, verb) =>
    el('button', {
      type: 'button',
      class: verb === 'approve' ? '' : 'secondary',
      'data-decide': `${verb}-${r.id}`,
      text: verb === 'approve' ? 'Approve' : 'Reject',
      onclick: () =>
        decisionDialog({
          title: `${verb === 'approve' ? 'Approve' : 'Reject'} request ${r.id}: ${m.name} v${r.version} to @${r.alias}`,
          label: `${verb} a promotion request`,
          submit: verb === 'approve' ? `Approve and move @${r.alias}` : 'Reject',
          send: reason => postJson(`/api/v1/admin/promotions/${r.id}/${verb}`, { reason }),
          onDone: async answer =>
            reload(
              verb === 'approve'
                ? await servingBox(
                    `Approved: ${m.name} v${r.version} is now @${r.alias} (requested by ${r.requested_by}, approved by ${answer.request.decided_by}).`,
                  )
                : el('div', {
                    class: 'ok-box',
                    role: 'status',
                    text: `Request ${r.id} is ${answer.request.state}.`,
                  }),
            ),
        }),
    });
  return [
    el('h2', { text: 'Waiting for approval' }),
    table(
      [
        { label: 'request', num: true, value: r => r.id },
        { label: 'alias', value: r => `@${r.alias}` },
        { label: 'version', num: true, value: r => r.version },
        { label: 'requested by', value: r => r.requested_by },
        { label: 'when', value: r => when(r.requested_ms) },
        { label: 'why', value: r => r.reason },
        { label: 'report', value: r => (r.report_sha256 ? r.report_sha256.slice(0, 12) : '-') },
        {
          label: 'decision',
          value: r => el('span', { class: 'row' }, decide(r, 'approve'), decide(r, 'reject')),
        },
      ],
      m.pending_requests,
      `Promotion requests of ${m.name} waiting for a validator`,
    ),
  ];
}

export async function modelsPage(root, alive) {
  const data = await getJson('/api/v1/models');
  if (!alive()) return;
  root.append(el('h1', { text: 'Registered models' }));
  const notice = el('div', {
    'aria-live': 'polite',
    'data-testid': 'promote-result',
    tabindex: '-1',
  });
  root.append(notice);
  if (data.governance) root.append(governanceNote(data.governance));
  // Redraws the page with the new state, then shows what just happened.
  const reload = async box => {
    root.replaceChildren();
    await modelsPage(root, alive);
    const result = root.querySelector('[data-testid=promote-result]');
    result.replaceChildren(box);
    // The dialog's opener went with the redraw: the focus goes to what just happened.
    result.focus();
  };
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
            { label: 'validation', value: v => reportCell(v) },
            { label: 'source run', value: v => sourceRun(m.name, v) },
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
                      onclick: () => promoteVersion(m.name, v, reload),
                    }),
            },
          ],
          versions,
          `Versions of ${m.name}, newest first; metrics on the test split`,
        ),
        ...championVsChallenger(m),
        ...pendingTable(m, reload),
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
            {
              label: 'why',
              value: e =>
                `${e.reason}${e.override_gate ? ' (validation gate overridden)' : ''}${e.report_sha256 ? ` [report ${e.report_sha256.slice(0, 12)}]` : ''}`,
            },
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
