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

export async function getJson(path, token) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return parse(await fetch(path, { headers }));
}

/// GET that answers null on 404 instead of throwing (optional routes such as monitoring).
export async function getOptional(path) {
  const response = await fetch(path, { headers: { Accept: 'application/json' } });
  if (response.status === 404) return null;
  return parse(response);
}

export async function postJson(path, body, token) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  return parse(await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) }));
}

// The admin token lives for the browser tab only, never in localStorage.
export function adminToken() {
  return sessionStorage.getItem('loanrisk-admin-token') || '';
}
export function rememberToken(t) {
  sessionStorage.setItem('loanrisk-admin-token', t);
}
