// Progressive enhancement only: every page works without this file.
(() => {
  // After a submit that failed validation, move focus to the list of errors (it is also announced).
  const summary = document.querySelector('[data-error-summary]');
  if (summary instanceof HTMLElement) summary.focus();

  // A second click on a submit button while the first request is on its way sends nothing.
  for (const form of document.querySelectorAll('form[data-once]')) {
    let sent = false;
    form.addEventListener('submit', (event) => {
      if (sent) event.preventDefault();
      sent = true;
    });
    // Back/forward cache: a page shown again may be submitted again.
    window.addEventListener('pageshow', () => {
      sent = false;
    });
  }
})();
