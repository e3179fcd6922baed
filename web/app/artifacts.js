// A run's files from any page: the evaluation report (anyone may read it: opened in a new tab,
// shown in a sandboxed frame, downloaded) and the files that are the model itself (the bundle,
// any artifact: analysts, validators and admins, so the page asks for a sign-in first and says
// the server's refusal in words instead of saving it as the file).
import { ApiError } from './api.js';
import { requireSignIn } from './account.js';
import { el, errorBox } from './ui.js';

const enc = path => path.split('/').map(encodeURIComponent).join('/');

/// The URL of a run's evaluation report: HTML, or format 'json'; download asks for an attachment.
export function reportHref(runId, { format, download } = {}) {
  const q = [format ? `format=${format}` : '', download ? 'download=1' : ''].filter(Boolean);
  return `/api/v1/runs/${runId}/report${q.length ? `?${q.join('&')}` : ''}`;
}

/// The URL of one artifact file of a run.
export function artifactHref(runId, path, download = false) {
  return `/api/v1/runs/${runId}/artifacts/${enc(path)}${download ? '?download=1' : ''}`;
}

/// The URL of a run's bundle as a tar archive.
export const bundleHref = runId => `/api/v1/runs/${runId}/bundle`;

const WHO = 'Model files (bundles, artifacts) are for analysts, validators and admins';

// The file name the server gave (Content-Disposition), else the fallback.
function fileName(response, fallback) {
  const m = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '');
  return m ? m[1] : fallback;
}

/// Fetches href as the signed-in person and saves it as a file; throws ApiError with the server's
/// words when refused.
async function save(href, fallback) {
  const response = await fetch(href);
  if (!response.ok) {
    const type = response.headers.get('content-type') || '';
    const body = type.includes('application/json') ? await response.json() : null;
    throw new ApiError(response.status, body);
  }
  const url = URL.createObjectURL(await response.blob());
  const a = el('a', { href: url, download: fileName(response, fallback), hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * A button that downloads a protected file (bundle, artifact) after a sign-in when nobody is
 * signed in; a refusal or failure is shown next to it. attrs go on the button.
 */
export function downloadButton({ href, label, fallback, attrs = {} }) {
  const status = el('span', { 'aria-live': 'polite' });
  const button = el('button', {
    type: 'button',
    class: 'secondary',
    text: label,
    ...attrs,
    onclick: async () => {
      status.replaceChildren();
      if (!(await requireSignIn(`${WHO}: sign in.`))) return;
      button.disabled = true;
      try {
        await save(href, fallback);
      } catch (e) {
        status.replaceChildren(errorBox(e));
      } finally {
        button.disabled = false;
      }
    },
  });
  return el('span', { class: 'download' }, button, status);
}

/// A button that opens a protected file (an artifact's HTML, JSON or text) in a new tab, after a
/// sign-in when nobody is signed in.
export function viewButton({ href, label, attrs = {} }) {
  return el('button', {
    type: 'button',
    class: 'secondary',
    text: label,
    ...attrs,
    onclick: async () => {
      if (await requireSignIn(`${WHO}: sign in.`)) window.open(href, '_blank', 'noopener');
    },
  });
}

/// Links to a run's evaluation report: open (new tab) and download.
export function reportLinks(runId, label = 'Open report') {
  return el(
    'span',
    { class: 'row' },
    el('a', {
      href: reportHref(runId),
      target: '_blank',
      rel: 'noopener',
      'data-run-report': runId,
      text: label,
    }),
    el('a', {
      href: reportHref(runId, { download: true }),
      download: '',
      'data-run-report-download': runId,
      text: 'Download',
    }),
  );
}
