// Browser side of the DID import page: sends the chosen file itself as the request body (CSV),
// with the form's CSRF token in a header, then opens the preview page the server made for it.
document.addEventListener('DOMContentLoaded', () => {
  const form = document.querySelector<HTMLFormElement>('[data-import-form]');
  if (!form) return;
  const errorBox = form.querySelector<HTMLElement>('[data-import-error]');
  const showError = (text: string): void => {
    if (!errorBox) return;
    errorBox.textContent = text;
    errorBox.hidden = text === '';
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fileInput = form.elements.namedItem('file');
    const file = fileInput instanceof HTMLInputElement ? fileInput.files?.[0] : undefined;
    if (!file) {
      showError('Choose a CSV file first.');
      return;
    }
    const value = (name: string): string => {
      const element = form.elements.namedItem(name);
      return element instanceof HTMLInputElement || element instanceof HTMLSelectElement ? element.value : '';
    };
    const params = new URLSearchParams({ filename: file.name, provider: value('provider'), country: value('country') });
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (button) button.disabled = true;
    showError('');
    fetch(`${form.action}?${params.toString()}`, {
      method: 'POST',
      body: file,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'X-CSRF-Token': value('_csrf'), Accept: 'application/json' },
    })
      .then(async (response) => {
        const answer = (await response.json().catch(() => ({}))) as { location?: string; error?: string };
        if (response.ok && answer.location) {
          window.location.assign(answer.location);
          return;
        }
        showError(answer.error ?? `The upload failed (${response.status}).`);
        if (button) button.disabled = false;
      })
      .catch(() => {
        showError('The upload failed: check the connection and try again.');
        if (button) button.disabled = false;
      });
  });
});

export {};
