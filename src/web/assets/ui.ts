// Every page's small behaviours (bundled into public/js/ui.js; the CSP allows no inline script):
// the phone menu's button, focus on the error summary after a failed submit, and the Buy DIDs
// selection count.

function setUpMenu(): void {
  const button = document.querySelector<HTMLButtonElement>('[data-menu-button]');
  const menu = document.querySelector<HTMLElement>('[data-menu]');
  if (!button || !menu) return;
  const setOpen = (open: boolean): void => {
    button.setAttribute('aria-expanded', String(open));
    menu.classList.toggle('open', open);
  };
  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') {
      setOpen(false);
      button.focus();
    }
  });
}

function focusErrorSummary(): void {
  const summary = document.getElementById('error-summary');
  if (summary) summary.focus();
}

/** Buy DIDs: the "Buy selected" button says how many numbers are ticked, and is off when none is. */
function setUpSelection(): void {
  const form = document.querySelector<HTMLFormElement>('[data-offer-selection]');
  if (!form) return;
  const button = form.querySelector<HTMLButtonElement>('[data-buy-selected]');
  const status = form.querySelector<HTMLElement>('[data-selected-count]');
  if (!button || !status) return;
  const update = (): void => {
    const count = form.querySelectorAll('input[name="ids"]:checked').length;
    button.disabled = count === 0;
    status.textContent = count === 0 ? 'No number ticked' : `${count} number${count === 1 ? '' : 's'} ticked`;
  };
  form.addEventListener('change', update);
  update();
}

document.addEventListener('DOMContentLoaded', () => {
  setUpMenu();
  focusErrorSummary();
  setUpSelection();
});

/** A table that scrolls sideways (a phone) and holds nothing focusable is made focusable, so a keyboard can scroll it. */
function makeScrollersFocusable(): void {
  for (const wrap of document.querySelectorAll<HTMLElement>('.table-wrap')) {
    const scrolls = wrap.scrollWidth > wrap.clientWidth;
    const focusable = wrap.querySelector('a[href], button, input, select, textarea, [tabindex]');
    if (scrolls && !focusable && !wrap.hasAttribute('tabindex')) {
      wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region');
      const caption = wrap.querySelector('caption')?.textContent ?? wrap.closest('section')?.querySelector('h2')?.textContent ?? 'Table';
      wrap.setAttribute('aria-label', caption.trim());
    }
  }
}

document.addEventListener('DOMContentLoaded', makeScrollersFocusable);
window.addEventListener('resize', makeScrollersFocusable);
