// Small DOM helpers: elements built with text (never HTML strings from data), tables, numbers and
// charts that follow their container's size.
import { fmt, moneyText } from './numbers.js';

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A form field: a label for the input (by its id), the input, then any hints. */
export function field(text, input, ...extra) {
  return el('div', { class: 'field' }, el('label', { for: input.id, text }), input, ...extra);
}

// fmt lives with the other number formats (pure, unit-tested); pages import it from here too.
export { fmt };

export function pct(v, digits = 2) {
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(digits)}%`;
}

export function money(v) {
  return moneyText(v);
}

export function when(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';
}

/// A table from column definitions {label, value(row), num?} and rows.
export function table(columns, rows, caption) {
  return el(
    'div',
    { class: 'table-wrap' },
    el(
      'table',
      {},
      caption ? el('caption', { class: 'muted', text: caption }) : null,
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          columns.map(c => el('th', { scope: 'col', class: c.num ? 'num' : null, text: c.label })),
        ),
      ),
      el(
        'tbody',
        {},
        rows.map(r =>
          el(
            'tr',
            {},
            columns.map(c => {
              const v = c.value(r);
              return el('td', { class: c.num ? 'num' : null }, v instanceof Node ? v : fmt(v));
            }),
          ),
        ),
      ),
    ),
  );
}

export function errorBox(err) {
  const box = el('div', { class: 'error-box', role: 'alert' }, err.message || String(err));
  if (err.problems && err.problems.length) {
    box.append(
      el(
        'ul',
        {},
        err.problems.map(p =>
          el('li', {}, `${p.field || '(request)'} = ${JSON.stringify(p.value)}: ${p.rule}`),
        ),
      ),
    );
  }
  return box;
}

/**
 * A modal dialog around a form: a title, the body's nodes, a message area, submit and Cancel.
 * On submit, onSubmit(msg) runs with the submit button disabled; the dialog closes when it
 * resolves to anything but false (then onClosed(result) runs), and shows its error when it
 * throws. Cancel and Escape close it and call onCancel. However it closes, the <dialog> leaves the
 * page and the focus goes back to the element that had it when the dialog opened (or, when a
 * redraw replaced that element, to the element now carrying its id, else to returnFocus()).
 * Returns the dialog, already open.
 */
export function formDialog({
  label,
  title,
  body,
  submit,
  submitId,
  onSubmit,
  onClosed,
  onCancel,
  returnFocus,
}) {
  const opener = document.activeElement;
  const msg = el('div', { 'aria-live': 'assertive' });
  const ok = el('button', { type: 'submit', id: submitId, text: submit });
  const cancel = el('button', { type: 'button', class: 'secondary', text: 'Cancel' });
  const form = el(
    'form',
    { method: 'dialog' },
    el('h2', { text: title }),
    body,
    msg,
    el('div', { class: 'row' }, ok, cancel),
  );
  const dialog = el('dialog', { 'aria-label': label }, form);
  document.body.append(dialog);
  let submitted = false;
  // Every way out ends here: Escape (the browser may close without a 'cancel' event), Cancel and
  // a submit all fire 'close'.
  dialog.addEventListener('close', () => {
    const focusWasInside = dialog.contains(document.activeElement);
    dialog.remove();
    const lost =
      focusWasInside || !document.activeElement || document.activeElement === document.body;
    if (lost) {
      const back =
        (opener && opener.isConnected && opener) ||
        (opener && opener.id && document.getElementById(opener.id)) ||
        (returnFocus && returnFocus());
      if (back) back.focus();
    }
    if (!submitted && onCancel) onCancel();
  });
  cancel.addEventListener('click', () => dialog.close());
  form.addEventListener('submit', async ev => {
    ev.preventDefault();
    msg.replaceChildren();
    ok.disabled = true;
    try {
      const result = await onSubmit(msg);
      if (result !== false) {
        submitted = true;
        dialog.close();
        if (onClosed) await onClosed(result);
      }
    } catch (e) {
      msg.append(errorBox(e));
    } finally {
      ok.disabled = false;
    }
  });
  dialog.showModal();
  return dialog;
}

const charts = new Set();
function initChart(node) {
  if (!node.isConnected || node.chart) return;
  node.chart = window.echarts.init(node, null, { renderer: 'canvas' });
  node.chart.setOption(node.pending);
  charts.add(node.chart);
}

/// An echarts chart in a new element, drawn once the element is in the page; resized with the
/// window and disposed on page change.
export function chart(option, cls = 'chart', label = 'chart') {
  const node = el('div', { class: cls, role: 'img', 'aria-label': label });
  node.pending = option;
  requestAnimationFrame(() => initChart(node));
  return node;
}

/// Replaces a chart's option (before or after it was drawn).
export function updateChart(node, option) {
  if (node.chart) node.chart.setOption(option, true);
  else node.pending = option;
}

export function disposeCharts() {
  for (const c of charts) c.dispose();
  charts.clear();
}

/// Disposes the charts inside node, before a part of a page that is redrawn (a study that grows).
export function disposeChartsIn(node) {
  for (const c of charts) {
    if (!node.contains(c.getDom())) continue;
    c.dispose();
    charts.delete(c);
  }
}

window.addEventListener('resize', () => {
  for (const c of charts) c.resize();
});

// A part of a page that scrolls (a wide table on a phone, a long log) must be reachable from the
// keyboard, or what it hides is lost to whoever does not use a mouse: while it overflows it is a
// Tab stop (tabindex=0, a region named after its caption or the heading before it); once it fits
// it is not. Pages need do nothing: every table wrap and <pre> is watched as it is drawn.
const SCROLLERS = '.table-wrap, pre';

function scrollerName(node) {
  const caption = node.querySelector('caption');
  if (caption && caption.textContent.trim()) return caption.textContent.trim();
  for (let up = node; up && up !== document.body; up = up.parentElement)
    for (let n = up.previousElementSibling; n; n = n.previousElementSibling)
      if (/^H[1-6]$/.test(n.tagName)) return n.textContent.trim();
  return node.tagName === 'PRE' ? 'Text' : 'Table';
}

function markScrollers() {
  for (const node of document.querySelectorAll(SCROLLERS)) {
    const style = getComputedStyle(node);
    const scrolls =
      /auto|scroll/.test(`${style.overflowX} ${style.overflowY}`) &&
      (node.scrollWidth > node.clientWidth + 1 || node.scrollHeight > node.clientHeight + 1);
    const marked = node.hasAttribute('data-scroller');
    if (scrolls && !marked && !node.hasAttribute('tabindex')) {
      node.setAttribute('data-scroller', '');
      node.setAttribute('tabindex', '0');
      node.setAttribute('role', 'region');
      node.setAttribute('aria-label', scrollerName(node));
    } else if (!scrolls && marked) {
      for (const a of ['data-scroller', 'tabindex', 'role', 'aria-label']) node.removeAttribute(a);
    }
  }
}

let scrollerFrame = 0;
function scheduleScrollers() {
  if (scrollerFrame) return;
  scrollerFrame = requestAnimationFrame(() => {
    scrollerFrame = 0;
    markScrollers();
  });
}
new MutationObserver(scheduleScrollers).observe(document.body, { childList: true, subtree: true });
window.addEventListener('resize', scheduleScrollers);

export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
