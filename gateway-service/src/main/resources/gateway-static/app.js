// The gateway's web application: hash routes #/ (models, upload, jobs), #/job/<id>, #/files.
import { get, csrfToken } from './api.js';
import { allJobs, bindTable, connectStream, loadJobs, onJobChange } from './jobs.js';
import { loadModels, uploadFiles, chosenModel } from './upload.js';
import { showJob, showFiles } from './views.js';

const $ = (id) => document.getElementById(id);

function announce(text) {
  const announcer = $('announcer');
  announcer.textContent = '';
  // a fresh text node after a tick, so screen readers announce a repeated message too
  setTimeout(() => {
    announcer.textContent = text;
  }, 50);
}

function showError(text) {
  const banner = $('app-error');
  banner.textContent = text;
  banner.hidden = false;
}

async function header() {
  const me = await get('/api/me');
  $('user-name').textContent = me.username || me.owner;
  document.body.dataset.user = me.owner;
  $('logout').addEventListener('click', logout);
}

async function logout() {
  // the CSRF token goes in the header (the form parameter would have to be the masked token); the redirects that
  // follow (the provider's logout, if any) are the browser's to follow, so the page goes to / afterwards
  try {
    await fetch('/logout', {
      method: 'POST', headers: { 'X-XSRF-TOKEN': csrfToken() }, credentials: 'same-origin', redirect: 'manual',
    });
  } finally {
    window.location.assign('/');
  }
}

function dropZone() {
  const zone = $('drop-zone');
  const input = $('file-input');
  const send = (files) => {
    if (!chosenModel()) {
      showError('Choose a model first.');
      return;
    }
    uploadFiles([...files], $('uploads'), waitForJob);
  };
  zone.addEventListener('keydown', (event) => {
    if (event.target === zone && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      input.click();
    }
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    if (event.dataTransfer?.files?.length) {
      send(event.dataTransfer.files);
    }
  });
  input.addEventListener('change', () => {
    if (input.files.length) {
      send(input.files);
    }
    input.value = '';
  });
}

/** Links an upload to its job once the stream brings the job (the job id is the mesh's, not known at upload). */
const waiting = new Map();
function waitForJob(key, item) {
  waiting.set(key, item);
  const known = allJobs().find((view) => view.input?.key === key);
  if (known) {
    linkUpload(known);
  }
}
onJobChange(linkUpload);
function linkUpload(view) {
  const item = waiting.get(view.input?.key);
  if (!item) {
    return;
  }
  waiting.delete(view.input.key);
  item.dataset.state = 'job';
  item.dataset.jobId = view.jobId;
  const state = item.querySelector('[data-testid=upload-state]');
  state.replaceChildren('uploaded — ');
  const link = document.createElement('a');
  link.href = `#/job/${encodeURIComponent(view.jobId)}`;
  link.textContent = 'see its job';
  state.append(link);
}

function route() {
  const hash = window.location.hash || '#/';
  const jobMatch = /^#\/job\/(.+)$/.exec(hash);
  const name = jobMatch ? 'job' : hash === '#/files' ? 'files' : 'home';
  for (const view of document.querySelectorAll('[data-view]')) {
    view.hidden = view.dataset.view !== name;
  }
  for (const link of document.querySelectorAll('nav a[data-route]')) {
    if (link.dataset.route === name) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  document.body.dataset.route = name;
  if (name === 'job') {
    showJob($('job-detail'), decodeURIComponent(jobMatch[1]), announce);
  } else if (name === 'files') {
    showFiles($('files'), announce);
  }
  document.title = name === 'job' ? 'Job — infermesh' : name === 'files' ? 'My files — infermesh' : 'infermesh';
}

function streamState(state) {
  const badge = $('stream-state');
  badge.dataset.state = state;
  badge.textContent = { live: 'live', reconnecting: 'reconnecting…', closed: 'disconnected' }[state] || state;
}

async function start() {
  bindTable($('job-rows'), $('jobs-empty'), announce);
  dropZone();
  window.addEventListener('hashchange', route);
  route();
  const failures = await Promise.allSettled([
    header(),
    loadModels($('models'), $('drop-model'), $('file-input')),
    loadJobs(),
  ]);
  const failed = failures.filter((f) => f.status === 'rejected').map((f) => f.reason.message);
  if (failed.length > 0) {
    showError(`Something did not load: ${failed.join('; ')}`);
  }
  connectStream(streamState);
  document.body.dataset.ready = 'true';
}

start();
