// The Overview page's sentences on drift and today's activity, kept true at the edges (no
// predictions, no decisions, a restart in the day). Pure functions: tests/web/overview.test.mjs.
import { fmt, grouped, pdText } from './numbers.js';

/// When the drift window began: it lives in memory, one per loaded model.
export function windowStart(m) {
  return m.model
    ? `${m.model.name} v${m.model.version} was loaded at ${m.since}`
    : 'this model was loaded';
}

/// The worst drift of the window: the score's status and the features at amber or red, worst first.
export function driftSummary(m) {
  if (!m) return { status: 'off', text: 'Not monitored: this server keeps no prediction log.' };
  const rank = { red: 3, amber: 2, green: 1, insufficient: 0 };
  const drifting = m.features
    .filter(f => f.status === 'red' || f.status === 'amber')
    .sort((a, b) => rank[b.status] - rank[a.status] || b.psi - a.psi);
  const statuses = [m.score.status, ...m.features.map(f => f.status)];
  const worst = statuses.reduce((w, s) => (rank[s] > rank[w] ? s : w), 'insufficient');
  if (m.score.status === 'insufficient')
    return {
      status: 'insufficient',
      text: `Too few predictions to judge: ${grouped(m.count)} since ${windowStart(m)}.`,
    };
  const features = drifting.length
    ? ` Drifting: ${drifting.map(f => `${f.name} (PSI ${fmt(f.psi, 3)}, ${f.status})`).join(', ')}.`
    : ' No input drifts.';
  return {
    status: worst,
    text: `Score PSI ${fmt(m.score.psi, 3)} over the last ${grouped(m.count)} predictions since ${windowStart(m)}.${features}`,
  };
}

/// Today's volume and approval rate in words: the rate only over decisions made (never 0% of
/// nothing), with the hours the counts cover.
export function activitySummary(a) {
  const since = a.since.slice(11, 16);
  const from = since === '00:00' ? 'since 00:00 UTC' : `since the server started at ${since} UTC`;
  const viaInvocations = a.scored - a.decided;
  const volumeText = `Applicants scored ${from}${viaInvocations ? `, ${grouped(viaInvocations)} of them through /invocations (no decision)` : ''}.`;
  if (!a.decided)
    return {
      volume: grouped(a.scored),
      volumeText,
      rate: '—',
      rateText: `No decision made ${from}.`,
    };
  return {
    volume: grouped(a.scored),
    volumeText,
    rate: pdText(a.approval_rate),
    rateText: `${grouped(a.approved)} approved and ${grouped(a.declined)} declined (PD at or above ${pdText(a.threshold)}) ${from}.`,
  };
}
