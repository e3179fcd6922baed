// Overview: the state of production at a glance: which model serves, whether its version passed
// validation, today's volume and approval rate, and whether live inputs drift from training. Each
// tile links to the page with the detail; a source that cannot answer says so in its own tile.
import { getJson, getOptional } from '../api.js';
import { newestReport } from '../promote.js';
import { activitySummary, driftSummary } from '../overview.js';
import { el, fmt } from '../ui.js';

function tile(testid, title, value, status, detail, href) {
  return el(
    'div',
    { class: 'card tile', 'data-testid': testid },
    el('h2', { text: title }),
    el('p', { class: `tile-value${status ? ` status-${status}` : ''}`, text: value }),
    el('p', { class: 'muted', text: detail }),
    href ? el('a', { href, text: 'Details' }) : null,
  );
}

// A source that fails gives its tile an error line; the other tiles still show.
const settle = p =>
  p.then(
    v => ({ v }),
    e => ({ e }),
  );

export async function overviewPage(root, alive) {
  root.append(el('h1', { text: 'Overview' }));
  const [model, models, activity, monitoring] = await Promise.all([
    settle(getJson('/api/v1/model')),
    settle(getJson('/api/v1/models')),
    settle(getJson('/api/v1/activity')),
    settle(getOptional('/api/v1/monitoring')),
  ]);
  if (!alive()) return;
  const tiles = el('div', { class: 'tiles' });
  const failed = (id, title, r) =>
    tile(id, title, 'Unknown', 'insufficient', `Could not be read: ${r.e.message}`);

  if (model.e) tiles.append(failed('overview-model', 'Serving', model));
  else {
    const m = model.v;
    tiles.append(
      tile(
        'overview-model',
        'Serving',
        `${m.name} v${m.version}`,
        null,
        `${m.family}${m.alias ? `, @${m.alias}` : ''}, loaded ${m.loaded_at}. Test AUC ${fmt(m.metrics?.test?.auc_roc, 4)}.`,
        '#/card',
      ),
    );
  }

  if (model.e || models.e)
    tiles.append(failed('overview-validation', 'Validation', models.e ? models : model));
  else {
    const entry = models.v.models.find(x => x.name === model.v.name);
    const version =
      entry && entry.versions.find(v => String(v.version) === String(model.v.version));
    const r = version && newestReport(version);
    tiles.append(
      r
        ? tile(
            'overview-validation',
            'Validation',
            r.status === 'red'
              ? `Red: ${r.red.length} gate${r.red.length === 1 ? '' : 's'}`
              : r.status === 'green'
                ? 'Green'
                : r.status,
            r.status === 'n/a' ? 'insufficient' : r.status,
            `Newest report on version ${model.v.version}, on ${r.data_source || 'a labelled book'}.`,
            '#/models',
          )
        : tile(
            'overview-validation',
            'Validation',
            'No report',
            'amber',
            version
              ? `Version ${model.v.version} has no validation report attached: run loanrisk validate.`
              : 'The serving model is not a registered version (served from a path).',
            '#/models',
          ),
    );
  }

  if (activity.e) tiles.append(failed('overview-volume', 'Today', activity));
  else {
    const s = activitySummary(activity.v);
    tiles.append(
      tile('overview-volume', 'Scored today', s.volume, null, s.volumeText, null),
      tile('overview-approval', 'Approval rate today', s.rate, null, s.rateText, null),
    );
  }

  if (monitoring.e) tiles.append(failed('overview-drift', 'Drift', monitoring));
  else {
    const d = driftSummary(monitoring.v);
    const label = {
      green: 'Stable',
      amber: 'Watch',
      red: 'Drifting',
      insufficient: 'Too early',
      off: 'Off',
    };
    tiles.append(
      tile(
        'overview-drift',
        'Drift',
        label[d.status],
        d.status === 'off' ? 'insufficient' : d.status,
        d.text,
        '#/monitoring',
      ),
    );
  }
  root.append(tiles);
}
