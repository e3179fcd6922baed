// Model card: what the served model is, its data, metrics, calibration, limits and lineage, as the
// bundle's card.md, readable on screen and printable.
import { getJson } from '../api.js';
import { el } from '../ui.js';
import { renderMarkdown } from '../markdown.js';

export async function cardPage(root, alive) {
  const c = await getJson('/api/v1/model/card');
  if (!alive()) return;
  // The heading prints (the model's name and version belong on paper); the button does not.
  root.append(
    el(
      'div',
      { class: 'row' },
      el('h1', {
        text: `Model card: ${c.model.name}${c.model.version ? ` v${c.model.version}` : ''}`,
      }),
      el('button', {
        type: 'button',
        class: 'secondary no-print',
        text: 'Print',
        onclick: () => window.print(),
      }),
    ),
    el('article', { class: 'card', 'data-testid': 'model-card' }, renderMarkdown(c.markdown)),
  );
}
