// Browser side of the company profile's logo: sends the chosen image itself as the request body,
// with the form's CSRF token in a header (the server checks its first bytes: PNG or JPEG).
document.addEventListener('DOMContentLoaded', () => {
  const form = document.querySelector<HTMLFormElement>('[data-logo-form]');
  if (!form) return;
  const errorBox = form.querySelector<HTMLElement>('[data-logo-error]');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = form.elements.namedItem('logo');
    const file = input instanceof HTMLInputElement ? input.files?.[0] : undefined;
    const token = form.elements.namedItem('_csrf');
    const show = (text: string): void => {
      if (!errorBox) return;
      errorBox.textContent = text;
      errorBox.hidden = text === '';
    };
    if (!file) {
      show('Choose a PNG or JPEG file first.');
      return;
    }
    fetch(form.action, {
      method: 'POST', body: file, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': token instanceof HTMLInputElement ? token.value : '', Accept: 'application/json' },
    })
      .then(async (response) => {
        const answer = (await response.json().catch(() => ({}))) as { location?: string; error?: string };
        if (response.ok && answer.location) window.location.assign(answer.location);
        else show(answer.error ?? `The upload failed (${response.status}).`);
      })
      .catch(() => show('The upload failed: check the connection and try again.'));
  });
});
