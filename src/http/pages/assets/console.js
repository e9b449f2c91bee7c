// The console's progressive enhancement only: every page works without this file.
(() => {
  // A second click on a button while the first request is on its way sends nothing.
  for (const form of document.querySelectorAll('form[data-once]')) {
    let sent = false;
    form.addEventListener('submit', (event) => {
      if (sent) event.preventDefault();
      sent = true;
    });
    window.addEventListener('pageshow', () => {
      sent = false;
    });
  }
  // The delete button stays off until the typed confirmation matches (the server checks it again).
  for (const input of document.querySelectorAll('input[data-confirm]')) {
    const button = input.form?.querySelector('button[type=submit]');
    if (!(button instanceof HTMLButtonElement)) continue;
    const update = () => {
      button.disabled = input.value.trim().toLowerCase() !== input.dataset.confirm?.toLowerCase();
    };
    input.addEventListener('input', update);
    update();
  }
})();
