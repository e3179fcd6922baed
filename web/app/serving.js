// The header's line naming the model the server answers with ("Serving NAME vN (@alias)"). Its own
// module so that the shell (main.js) and the pages that move the champion (models.js) share it
// without a page importing the entry module.
import { getJson } from './api.js';

export async function refreshServing() {
  const node = document.getElementById('serving');
  try {
    const m = await getJson('/api/v1/model');
    node.textContent = `Serving ${m.name}${m.version ? ` v${m.version}` : ''}${m.alias ? ` (@${m.alias})` : ''}`;
    node.dataset.version = m.version;
  } catch (e) {
    node.textContent = `No model: ${e.message}`;
  }
}
