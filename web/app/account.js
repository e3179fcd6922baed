// Signing in: the header names who is signed in (or offers to sign in), and a dialog trades a
// token for the server's session cookie. Pages call requireSignIn() before an action that needs a
// person (the action goes on in the page as it is); signing in or out from the header or a page's
// own button draws the page again for the new person.
import { currentSession, loadSession, onSessionChange, signIn, signOut } from './api.js';
import { el, errorBox, field } from './ui.js';

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
    const msg = el('div', { 'aria-live': 'assertive' });
    const ok = el('button', { type: 'submit', id: 'signin-submit', text: 'Sign in' });
    const cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
    const s = currentSession();
    const hint = s.users
      ? 'Your token from `loanrisk users add` or from the bank’s identity provider.'
      : 'Single-user mode: this store has no users; the admin token (LOANRISK_ADMIN_TOKEN) signs in.';
    const form = el(
      'form',
      { method: 'dialog' },
      el('h2', { text: 'Sign in' }),
      why ? el('p', { text: why }) : null,
      el('p', { class: 'muted', text: hint }),
      field('Token', token),
      msg,
      el('div', { class: 'row' }, ok, cancel),
    );
    const dialog = el('dialog', { 'aria-label': 'Sign in' }, form);
    document.body.append(dialog);
    const close = result => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    cancel.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', () => close(false));
    form.addEventListener('submit', async ev => {
      ev.preventDefault();
      msg.replaceChildren();
      ok.disabled = true;
      try {
        await signIn(token.value);
        token.value = '';
        close(true);
      } catch (e) {
        msg.append(errorBox(e));
      } finally {
        ok.disabled = false;
      }
    });
    dialog.showModal();
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
