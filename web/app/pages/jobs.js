// Background jobs on the Experiments page: a form that starts a training or tuning run on the
// server in the name of the signed-in analyst, and the server's jobs (waiting, running, finished)
// with who started them.
import { ApiError, getJson, postJson } from '../api.js';
import { lockedCard } from '../account.js';
import { el, errorBox, field } from '../ui.js';

const active = state => state === 'queued' || state === 'running';

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
      const job = await postJson('/api/v1/admin/jobs', body);
      onStarted(job, msg);
    } catch (e) {
      msg.append(errorBox(e));
    } finally {
      go.disabled = false;
    }
  });
  return form;
}

function jobView(job) {
  const done = job.trials_done ?? 0;
  const total = job.trials_total ?? 1;
  const finished = job.state === 'succeeded' || job.state === 'failed';
  return el(
    'div',
    { 'data-job': job.id, 'data-state': job.state },
    el(
      'p',
      {},
      `${job.id}: ${job.kind} ${job.family} in experiment "${job.experiment}": `,
      el('strong', { text: job.state }),
      job.state === 'queued' ? ' (waiting for a free slot on the server)' : '',
      job.kind === 'tune' && job.state !== 'queued' ? ` — ${done} of ${total} trials done` : '',
      finished && job.exit_code !== null ? ` (exit code ${job.exit_code})` : '',
      job.started_by ? `; started by ${job.started_by.name}` : '',
    ),
    el('progress', {
      max: String(total),
      value: String(finished && job.state === 'succeeded' ? total : job.kind === 'tune' ? done : 0),
      'aria-label': `progress of ${job.id}`,
    }),
    job.state === 'failed' ? el('pre', { text: job.stderr_tail }) : null,
  );
}

/// The jobs area of the page, or a card saying who may use it; onFinished runs after a job this
/// page started has ended (its runs and study are then in the store).
export async function jobsSection(alive, onFinished) {
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
  const drawJobs = list => jobsBox.replaceChildren(...list.map(jobView));
  const poll = async (job, msg) => {
    msg.replaceChildren(jobView(job));
    while (alive()) {
      await new Promise(r => setTimeout(r, 1000));
      if (!alive()) return;
      const j = await getJson(`/api/v1/jobs/${job.id}`);
      msg.replaceChildren(jobView(j));
      if (!active(j.state)) {
        drawJobs((await getJson('/api/v1/jobs')).jobs);
        await onFinished();
        return;
      }
    }
  };
  drawJobs(meta.jobs);
  return el(
    'div',
    {},
    startForm(meta, (job, msg) => poll(job, msg).catch(e => msg.append(errorBox(e)))),
    el('div', { class: 'card' }, el('h2', { text: 'Background jobs on this server' }), jobsBox),
  );
}
