// The console's own progressive enhancement (beside pages.js): every page works without this file.
(() => {
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
