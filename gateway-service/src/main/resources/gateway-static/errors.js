// Collects uncaught errors and rejected promises so a browser test can assert there were none
// (chromedriver does not always forward the console), and shows them to the person instead of failing silently.
window.__infermeshErrors = [];
window.addEventListener('error', (event) => {
  window.__infermeshErrors.push(String(event.message || event.error || 'error'));
});
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason;
  window.__infermeshErrors.push('unhandled rejection: ' + (reason && reason.message ? reason.message : String(reason)));
});
