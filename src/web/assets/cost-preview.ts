// Browser side of the DID form's cost preview: recomputes the table as the admin types, with the
// same rating code the server uses (bundled into public/js/cost-preview.js by build.ts).
import { previewCosts, type PreviewTermsInput } from '../../domain/cost-preview.ts';

const TERM_NAMES = ['connection_cost', 'grace_seconds', 'cost_per_minute', 'initial_increment', 'increment'] as const;

function cell(text: string, className?: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function attach(form: HTMLFormElement, panel: HTMLElement): void {
  const rows = panel.querySelector<HTMLElement>('[data-preview-rows]');
  const message = panel.querySelector<HTMLElement>('[data-preview-message]');
  const summary = panel.querySelector<HTMLElement>('[data-preview-summary]');
  // The page gives MONEY_DECIMALS; without it there is no rounding to preview, so no preview.
  const decimals = Number(panel.dataset.decimals);
  if (!rows || !message || !Number.isInteger(decimals)) return;
  const options = { currency: panel.dataset.currency || 'USD', decimals };
  const update = (): void => {
    const input: PreviewTermsInput = {};
    for (const name of TERM_NAMES) {
      const element = form.elements.namedItem(name);
      if (element instanceof HTMLInputElement) input[name] = element.value;
    }
    const preview = previewCosts(input, options);
    rows.replaceChildren();
    if (!preview.ok) {
      // The field the form marked wrong shows its own message; the preview adds none of its own.
      const field = form.elements.namedItem(preview.field);
      const marked = field instanceof HTMLInputElement && field.getAttribute('aria-invalid') === 'true';
      message.textContent = marked ? '' : preview.message;
      message.hidden = marked;
      if (summary) summary.textContent = '';
      return;
    }
    message.hidden = true;
    message.textContent = '';
    for (const row of preview.rows) {
      const tr = document.createElement('tr');
      tr.dataset.duration = String(row.durationSeconds);
      const cost = cell(row.cost, 'num');
      cost.dataset.cost = '';
      tr.append(cell(row.duration), cell(`${row.billedSeconds} s`, 'num'), cost, cell(row.breakdown, 'breakdown'));
      rows.append(tr);
    }
    // The live region reads one short line (a 125 s call), not the whole table on every key.
    const sample = preview.rows.find((row) => row.durationSeconds === 125) ?? preview.rows[0];
    if (summary) summary.textContent = sample ? `A ${sample.duration} call costs ${sample.cost}` : '';
  };
  form.addEventListener('input', (event) => {
    const target = event.target;
    if (target instanceof HTMLInputElement && (TERM_NAMES as readonly string[]).includes(target.name)) update();
  });
  update();
}

document.addEventListener('DOMContentLoaded', () => {
  const form = document.querySelector<HTMLFormElement>('[data-did-form]');
  const panel = document.querySelector<HTMLElement>('[data-cost-preview]');
  if (form && panel) {
    attach(form, panel);
    panel.dataset.live = 'true';
  }
});
