// The app shell: hash routing (#/predict, #/batch, ...), one nav, the page in <main>, and the
// served model's name in the header.
import { refreshServing } from './serving.js';
import { startAccount } from './account.js';
import { onSessionChange } from './api.js';
import { el, errorBox, disposeCharts } from './ui.js';
import { overviewPage } from './pages/overview.js';
import { predictPage } from './pages/predict.js';
import { batchPage } from './pages/batch.js';
import { modelsPage } from './pages/models.js';
import { experimentsPage } from './pages/experiments.js';
import { dataPage } from './pages/data.js';
import { monitoringPage } from './pages/monitoring.js';
import { cardPage } from './pages/card.js';
import { auditPage } from './pages/audit.js';

const pages = {
  overview: { title: 'Overview', render: overviewPage },
  predict: { title: 'Predict', render: predictPage },
  batch: { title: 'Batch scoring', render: batchPage },
  models: { title: 'Models', render: modelsPage },
  experiments: { title: 'Experiments', render: experimentsPage },
  data: { title: 'Data', render: dataPage },
  monitoring: { title: 'Monitoring', render: monitoringPage },
  card: { title: 'Model card', render: cardPage },
  audit: { title: 'Audit trail', render: auditPage },
};

let generation = 0;
async function route() {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0] || 'predict';
  const page = pages[name] || pages.predict;
  const key = pages[name] ? name : 'predict';
  const mine = ++generation;
  disposeCharts();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.getAttribute('href') === `#/${key}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${page.title} · loanrisk`;
  const view = document.getElementById('view');
  const section = el('section', { 'aria-busy': 'true', 'data-page': key });
  view.replaceChildren(section);
  try {
    await page.render(section, () => mine === generation);
  } catch (e) {
    if (mine === generation) section.append(errorBox(e));
  }
  if (mine === generation) section.setAttribute('aria-busy', 'false');
}

window.addEventListener('hashchange', () => {
  route();
  document.getElementById('view').focus();
});
refreshServing();
// The Audit link is for admins; the page itself tells anyone else who may see it.
onSessionChange(s => {
  const isAdmin = Boolean(s.signed_in && s.user && (s.user.roles || []).includes('admin'));
  document.getElementById('nav-audit').hidden = !isAdmin;
});
// The pages show what the signed-in person may do: the session is known before the first one.
startAccount(route).then(route);
