// Signing in: the header names who is signed in (or offers to sign in), and a dialog trades a
// token for the server's session cookie. Pages call requireSignIn() before an action that needs a
// person (the action goes on in the page as it is); signing in or out from the header or a page's
// own button draws the page again for the new person.
import { currentSession, loadSession, onSessionChange, signIn, signOut } from './api.js';
import { el, errorBox, field, formDialog } from './ui.js';

function describe(s) {
  const roles = (s.user.roles || []).join(', ') || 'no role';
  return `${s.user.name} (${roles})`;
}

/// The sign-in dialog; resolves true once signed in, false when cancelled.
export function signInDialog(why) {
  return new Promise(resolve => {
    const token = el('input', {
      type: 'password',
      id: 'signin-token',
      autocomplete: 'off',
      required: true,
    });
    const hint = currentSession().users
      ? 'Your token from `loanrisk users add` or from the bank’s identity provider.'
      : 'Single-user mode: this store has no users; the admin token (LOANRISK_ADMIN_TOKEN) signs in.';
    formDialog({
      label: 'Sign in',
      title: 'Sign in',
      body: [
        why ? el('p', { text: why }) : null,
        el('p', { class: 'muted', text: hint }),
        field('Token', token),
      ],
      submit: 'Sign in',
      submitId: 'signin-submit',
      onSubmit: async () => {
        await signIn(token.value);
        token.value = '';
      },
      // Resolved once the dialog is gone, so that what follows (a promote dialog) opens after it.
      onClosed: () => resolve(true),
      onCancel: () => resolve(false),
      // Signing in from the header redraws its button (Sign in becomes Sign out).
      returnFocus: () => document.querySelector('#account button'),
    });
    token.focus();
  });
}

/// True when someone is signed in, after asking for a sign-in when nobody is.
export async function requireSignIn(why) {
  return currentSession().signed_in || signInDialog(why);
}

let redraw = () => {};

/// Signs in from a button, then draws the page again as the new person sees it.
export async function signInAndRedraw(why) {
  if (await signInDialog(why)) redraw();
}

function drawAccount(node, s) {
  if (s.signed_in) {
    node.replaceChildren(
      el('span', { 'data-testid': 'signed-in-as', text: `Signed in as ${describe(s)}` }),
      ' ',
      el('button', {
        type: 'button',
        class: 'secondary',
        id: 'signout',
        text: 'Sign out',
        onclick: async () => {
          await signOut();
          redraw();
        },
      }),
    );
  } else {
    node.replaceChildren(
      el('button', {
        type: 'button',
        class: 'secondary',
        id: 'signin',
        text: 'Sign in',
        onclick: () => signInAndRedraw(),
      }),
    );
  }
}

/// A card standing in for what needs a role the visitor lacks: the server's 403 when signed in
/// with another role, else what is needed, and a sign-in button when it could help.
export function lockedCard({ title, need, error, testid, buttonId }) {
  const s = currentSession();
  return el(
    'div',
    { class: 'card', 'aria-label': title, 'data-testid': testid },
    el('h2', { text: title }),
    el('p', { class: 'muted', text: error.status === 403 ? error.message : `${need}: sign in.` }),
    s.signed_in && error.status !== 401
      ? null
      : el(
          'div',
          { class: 'row' },
          el('button', {
            type: 'button',
            id: buttonId,
            text: 'Sign in',
            onclick: () => signInAndRedraw(`${need}.`),
          }),
        ),
  );
}

/// Fills the header's account box and keeps it current; rerender draws the current page again.
export async function startAccount(rerender) {
  redraw = rerender;
  const node = document.getElementById('account');
  onSessionChange(s => drawAccount(node, s));
  try {
    await loadSession();
  } catch (e) {
    node.replaceChildren(errorBox(e));
  }
}
