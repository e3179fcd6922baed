// Background jobs on the Experiments page: a form that starts a training or tuning run on the
// server in the name of the signed-in analyst, and the server's jobs (waiting, running, finished,
// stopped) with who started them, their progress, their log as it grows and a Stop button. The
// server's list is what the page shows: opened again, the page follows every job still active.
import { ApiError, currentSession, getJson, postJson } from '../api.js';
import { lockedCard } from '../account.js';
import { el, errorBox, field, formDialog } from '../ui.js';

export const active = state => state === 'queued' || state === 'running';
const sleep = ms => new Promise(r => setTimeout(r, ms));
const POLL_MS = 1000;
const LOG_KEEP = 200_000; // characters of a log the page keeps (the newest)

/// Whether the signed-in person may stop the job: who started it, or an admin (the server checks).
function mayStop(job) {
  const s = currentSession();
  if (!s.signed_in || !s.user) return false;
  return (s.user.roles || []).includes('admin') || s.user.name === job.started_by?.name;
}

/**
 * Asks for a reason, then stops the job; onStopped(job) gets the server's answer (the job, still
 * "running" until its process has ended, or "stopped"). The Stop button goes once the job stops:
 * returnFocus() names where the focus goes then.
 */
export function stopDialog(job, onStopped, returnFocus) {
  const reason = el('textarea', { id: 'stop-reason', rows: '3', required: true });
  const what = job.kind === 'tune' ? `study ${job.study}` : `${job.kind} ${job.family}`;
  formDialog({
    label: `Stop ${job.id}`,
    title: `Stop ${job.id} (${what})?`,
    body: [
      el('p', {
        text:
          job.kind === 'tune'
            ? 'No new trial starts; the trial running now ends as failed. The trials done so far stay in the study, and `loanrisk tune` with the same study name resumes it.'
            : 'The training run ends now and makes no bundle.',
      }),
      field('Reason (kept in the audit trail)', reason),
    ],
    submit: 'Stop job',
    submitId: 'stop-submit',
    onSubmit: async msg => {
      if (!reason.value.trim()) {
        msg.append(el('p', { class: 'field-error', text: 'Say why: the reason is recorded.' }));
        reason.focus();
        return false;
      }
      return postJson(`/api/v1/admin/jobs/${encodeURIComponent(job.id)}/stop`, {
        reason: reason.value,
      });
    },
    onClosed: onStopped,
    returnFocus,
  });
  reason.focus();
}

/// One line about a job: what it is, its state, trials done / total, who started or stopped it.
export function jobLine(job) {
  const done = job.trials_done ?? 0;
  const total = job.trials_total ?? 1;
  const ended = !active(job.state);
  const stopping = job.state === 'running' && job.stop;
  return el(
    'div',
    { 'data-job': job.id, 'data-state': job.state },
    el(
      'p',
      {},
      `${job.id}: ${job.kind} ${job.family} in experiment "${job.experiment}": `,
      el('strong', { text: stopping ? 'stopping' : job.state }),
      job.state === 'queued' ? ' (waiting for a free slot on the server)' : '',
      job.kind === 'tune' && job.state !== 'queued' ? ` — ${done} of ${total} trials done` : '',
      ended && job.exit_code !== null ? ` (exit code ${job.exit_code})` : '',
      job.started_by ? `; started by ${job.started_by.name}` : '',
      job.stop ? `; stopped by ${job.stop.by.name}: ${job.stop.reason}` : '',
    ),
    el('progress', {
      max: String(total),
      value: String(job.state === 'succeeded' ? total : job.kind === 'tune' ? done : 0),
      'aria-label': `progress of ${job.id}`,
    }),
  );
}

/// The job's log in a disclosure: opened, it shows the log's tail and follows it while the job
/// runs (alive() false or the node gone from the page: it stops asking).
function logView(id, alive) {
  const pre = el('pre', { class: 'job-log', tabindex: '0', 'data-testid': 'job-log-text' });
  const note = el('div', { 'aria-live': 'polite' });
  const details = el('details', { 'data-testid': 'job-log' }, el('summary', { text: 'Log' }));
  details.append(note, pre);
  let next = null;
  let following = false;
  const follow = async () => {
    if (following) return;
    following = true;
    note.replaceChildren();
    try {
      while (details.open && alive() && details.isConnected) {
        const query = next === null ? '' : `?offset=${next}`;
        const log = await getJson(`/api/v1/jobs/${encodeURIComponent(id)}/log${query}`);
        if (!alive()) return;
        const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        if (log.skipped) pre.append(`[… ${log.skipped} bytes left out …]\n`);
        if (log.text) pre.append(log.text);
        if (pre.textContent.length > LOG_KEEP) pre.textContent = pre.textContent.slice(-LOG_KEEP);
        if (atEnd) pre.scrollTop = pre.scrollHeight;
        next = log.next_offset;
        if (!active(log.state) && log.next_offset >= log.size) {
          if (!pre.textContent) note.replaceChildren(el('p', { class: 'muted', text: '(empty)' }));
          return;
        }
        await sleep(POLL_MS);
      }
    } catch (e) {
      note.replaceChildren(errorBox(e));
    } finally {
      following = false;
    }
  };
  details.addEventListener('toggle', () => {
    if (details.open) follow();
  });
  return details;
}

/// A job in the list, updated in place so that an open log keeps following.
function jobItem(job, alive, onStopped) {
  const line = el('div');
  const actions = el('div', { class: 'row' });
  const failure = el('div');
  const log = logView(job.id, alive);
  const node = el('div', { class: 'job' }, line, actions, failure, log);
  const update = j => {
    line.replaceChildren(jobLine(j));
    node.dataset.job = j.id;
    node.dataset.state = j.state;
    actions.replaceChildren(
      active(j.state) && !j.stop && mayStop(j)
        ? el('button', {
            type: 'button',
            class: 'secondary',
            'data-stop': j.id,
            text: 'Stop',
            onclick: () => stopDialog(j, onStopped, () => log.querySelector('summary')),
          })
        : '',
    );
    failure.replaceChildren(j.state === 'failed' ? el('pre', { text: j.stderr_tail }) : '');
  };
  update(job);
  return { node, update };
}

function startForm(meta, onStarted) {
  const family = el(
    'select',
    { id: 'job-family' },
    meta.families.map(f => el('option', { value: f, text: f, selected: f === 'xgboost' })),
  );
  const feats = meta.features.map(f =>
    el(
      'label',
      {},
      el('input', { type: 'checkbox', value: f, checked: meta.default_features.includes(f) }),
      f,
    ),
  );
  const tune = el('input', { type: 'checkbox', id: 'job-tune', checked: true });
  const trials = el('input', {
    type: 'number',
    id: 'job-trials',
    min: '1',
    max: '500',
    value: '10',
  });
  const experiment = el('input', { type: 'text', id: 'job-experiment', value: 'web' });
  const msg = el('div', { 'aria-live': 'polite', 'data-testid': 'job-status' });
  const go = el('button', { type: 'submit', text: 'Start run' });
  const form = el(
    'form',
    { class: 'card', 'aria-label': 'Start a run' },
    el('h2', { text: 'Start a run' }),
    field('Model family', family),
    el(
      'fieldset',
      { class: 'field' },
      el('legend', { text: 'Features to use' }),
      el('div', { class: 'checks' }, feats),
    ),
    el(
      'div',
      { class: 'field' },
      el('label', {}, tune, ' Tune hyperparameters (a study of several trials)'),
    ),
    field('Number of trials', trials),
    field('Experiment name', experiment),
    el('p', {
      class: 'muted',
      text: `Trains on ${meta.default_data || '(no data file known: the served model names none)'}.`,
    }),
    el('div', { class: 'row' }, go),
    msg,
  );
  tune.addEventListener('change', () => {
    trials.disabled = !tune.checked;
  });
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    msg.replaceChildren();
    const body = {
      family: family.value,
      features: feats
        .map(l => l.firstChild)
        .filter(c => c.checked)
        .map(c => c.value),
      tune: tune.checked,
      trials: Number(trials.value),
      experiment: experiment.value,
    };
    go.disabled = true;
    try {
      onStarted(await postJson('/api/v1/admin/jobs', body), msg);
    } catch (e) {
      msg.append(errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
  return form;
}

/// The jobs area of the page, or a card saying who may use it. While alive() and some job is
/// waiting or running it asks the server for the list every second; onChanged runs after a job
/// has ended or its study has its first trial (the page's runs and studies are then new).
export async function jobsSection(alive, onChanged) {
  let meta;
  try {
    meta = await getJson('/api/v1/jobs');
  } catch (e) {
    // Jobs need an analyst: signed out (or short of the role), the page says so.
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e;
    return lockedCard({
      title: 'Background jobs',
      need: 'Starting and watching training or tuning jobs needs an analyst or an admin',
      error: e,
      testid: 'jobs-locked',
      buttonId: 'jobs-signin',
    });
  }
  const jobsBox = el('div', { 'data-testid': 'jobs' });
  const pollError = el('div', { 'aria-live': 'polite' });
  const items = new Map();
  let states = new Map(); // id -> {state, trials done} at the last look
  let started = null; // {id, msg}: the job this page started, shown under the form too
  let polling = false;
  const anyActive = () => [...states.values()].some(s => active(s.state));

  const draw = list => {
    for (const j of list) {
      if (items.has(j.id)) items.get(j.id).update(j);
      else
        items.set(
          j.id,
          jobItem(j, alive, () => refresh().catch(() => {})),
        );
      if (started && started.id === j.id) started.msg.replaceChildren(jobLine(j));
    }
    const nodes = list.map(j => items.get(j.id).node);
    if (nodes.some((n, i) => jobsBox.children[i] !== n) || jobsBox.children.length !== nodes.length)
      jobsBox.replaceChildren(
        ...(nodes.length
          ? nodes
          : [el('p', { class: 'muted', text: 'No job on this server yet.' })]),
      );
    // A job that ended, or a study that has its first trial: the page's runs and studies change.
    const changed = list.some(
      j =>
        states.has(j.id) &&
        ((active(states.get(j.id).state) && !active(j.state)) ||
          (!states.get(j.id).trials && j.trials_done > 0)),
    );
    states = new Map(list.map(j => [j.id, { state: j.state, trials: j.trials_done || 0 }]));
    return changed;
  };
  async function refresh() {
    if (draw((await getJson('/api/v1/jobs')).jobs)) await onChanged();
    if (anyActive()) poll();
  }
  // One loop at a time, for as long as the page is open and something is active.
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      while (alive() && anyActive()) {
        await sleep(POLL_MS);
        if (!alive()) return;
        try {
          const list = (await getJson('/api/v1/jobs')).jobs;
          if (!alive()) return;
          pollError.replaceChildren();
          if (draw(list)) await onChanged();
        } catch (e) {
          pollError.replaceChildren(errorBox(e));
          // Signed out or no longer allowed: asking again will not help.
          if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return;
        }
      }
    } finally {
      polling = false;
    }
  }

  draw(meta.jobs);
  poll();
  return el(
    'div',
    {},
    startForm(meta, (job, msg) => {
      started = { id: job.id, msg };
      msg.replaceChildren(jobLine(job));
      refresh().catch(e => msg.append(errorBox(e)));
    }),
    el(
      'div',
      { class: 'card' },
      el('h2', { text: 'Background jobs on this server' }),
      pollError,
      jobsBox,
    ),
  );
}
