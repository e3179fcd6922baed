// Talking to the server: JSON in and out, errors turned into ApiError with the server's message
// and its list of problems (field, value, rule) when it sent one.
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.problems = (body && body.problems) || [];
  }
}

async function parse(response) {
  const type = response.headers.get('content-type') || '';
  const body = type.includes('application/json') ? await response.json() : await response.text();
  if (!response.ok)
    throw new ApiError(response.status, typeof body === 'object' ? body : { error: body });
  return body;
}

// Who is signed in (GET /api/v1/session): the server keeps the session, the browser only its
// HttpOnly cookie; the page keeps the CSRF token that state-changing requests echo.
let session = { signed_in: false };
const listeners = [];

export function currentSession() {
  return session;
}
/// cb runs after every sign-in and sign-out.
export function onSessionChange(cb) {
  listeners.push(cb);
}
function setSession(s) {
  session = s && s.signed_in ? s : { ...s, signed_in: false };
  for (const cb of listeners) cb(session);
}

function csrfHeaders(headers) {
  if (session.csrf_token) headers['X-CSRF-Token'] = session.csrf_token;
  return headers;
}

export async function getJson(path) {
  return parse(await fetch(path, { headers: { Accept: 'application/json' } }));
}

/// GET that answers null on 404 instead of throwing (optional routes such as monitoring).
export async function getOptional(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (response.status === 404) return null;
  return parse(response);
}

export async function postJson(path, body) {
  return postBody(path, JSON.stringify(body), 'application/json');
}

/// POST of a body already in its wire form (a CSV file, say), answered in JSON.
export async function postBody(path, body, contentType) {
  const headers = csrfHeaders({ 'Content-Type': contentType, Accept: 'application/json' });
  try {
    return parse(await fetch(path, { method: 'POST', headers, body }));
  } catch (e) {
    // The server forgot the session (a restart, a revoked user): the page says so at once.
    if (e instanceof ApiError && e.status === 401 && session.signed_in) await loadSession();
    throw e;
  }
}

export async function loadSession() {
  setSession(await getJson('/api/v1/session'));
  return session;
}

/// Trades a token for the session cookie; the token is not kept anywhere.
export async function signIn(token) {
  const response = await fetch('/api/v1/session', {
    method: 'POST',
    headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
  });
  setSession({ ...session, ...(await parse(response)) });
  return session;
}

export async function signOut() {
  const response = await fetch('/api/v1/session', {
    method: 'DELETE',
    headers: csrfHeaders({ Accept: 'application/json' }),
  });
  // Signed out either way: an expired session answers 401, and the cookie is gone with it.
  if (!response.ok && response.status !== 401) await parse(response);
  setSession({ ...session, signed_in: false, user: undefined, csrf_token: undefined });
}
