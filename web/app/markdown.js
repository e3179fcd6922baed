// A small Markdown renderer for the model card: headings, paragraphs, lists, tables, code, bold,
// italics and inline code. It builds DOM nodes from text, so nothing in the card can inject HTML.
import { el } from './ui.js';

function inline(text) {
  const out = [];
  // As in CommonMark, '_' inside a word (colsample_bytree) is not emphasis.
  const re = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*|(?<![A-Za-z0-9])_[^_]+_(?![A-Za-z0-9]))/g;
  let last = 0,
    m;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const t = m[0];
    if (t.startsWith('**')) out.push(el('strong', { text: t.slice(2, -2) }));
    else if (t.startsWith('`')) out.push(el('code', { text: t.slice(1, -1) }));
    else out.push(el('em', { text: t.slice(1, -1) }));
    last = m.index + t.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = line =>
  line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map(c => c.trim());

export function renderMarkdown(text) {
  const root = el('div', { class: 'markdown' });
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const h = /^(#{1,6})\s+(.*)$/.exec(line);
    if (h) {
      root.append(el(`h${Math.min(6, h[1].length + 1)}`, {}, inline(h[2])));
      i++;
      continue;
    }
    if (line.startsWith('```')) {
      const code = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      root.append(el('pre', { text: code.join('\n') }));
      i++;
      continue;
    }
    if (
      line.trim().startsWith('|') &&
      i + 1 < lines.length &&
      /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])
    ) {
      const head = cells(line);
      const rows = [];
      for (i += 2; i < lines.length && lines[i].trim().startsWith('|'); i++)
        rows.push(cells(lines[i]));
      root.append(
        el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            {},
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                head.map(c => el('th', { scope: 'col' }, inline(c))),
              ),
            ),
            el(
              'tbody',
              {},
              rows.map(r =>
                el(
                  'tr',
                  {},
                  r.map(c => el('td', {}, inline(c))),
                ),
              ),
            ),
          ),
        ),
      );
      continue;
    }
    const li = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(line);
    if (li) {
      const ordered = /\d/.test(li[1]);
      const list = el(ordered ? 'ol' : 'ul');
      while (i < lines.length) {
        const m = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(lines[i]);
        if (!m) break;
        list.append(el('li', {}, inline(m[2])));
        i++;
      }
      root.append(list);
      continue;
    }
    const para = [];
    while (i < lines.length && lines[i].trim() && !/^(#|```|\s*[-*]\s|\s*\|)/.test(lines[i]))
      para.push(lines[i++]);
    if (!para.length) para.push(lines[i++]);
    root.append(el('p', {}, inline(para.join(' '))));
  }
  return root;
}
