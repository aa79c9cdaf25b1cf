// The caller's jobs: one list loaded once, then kept current by the gateway's server-sent events (never a reload).
import { get } from './api.js';
import { el, fileName, millis, usd, time, isNotOlder, TERMINAL } from './format.js';

const jobs = new Map();
const listeners = new Set();
const fetching = new Set();

export function job(jobId) {
  return jobs.get(jobId);
}

export function allJobs() {
  return [...jobs.values()].sort((a, b) => String(b.createdAt || '').localeCompare(String(a.createdAt || '')));
}

/** Calls back with (job, previous) on every change of one job. */
export function onJobChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Puts a full JobView (GET /api/jobs, /api/jobs/{id}, cancel, retry) in the store unless it is older than what we have. */
export function putJob(view) {
  if (!view || !view.jobId) {
    return;
  }
  const current = jobs.get(view.jobId);
  if (!isNotOlder(view, current)) {
    return;
  }
  change(view.jobId, { ...current, ...view }, current);
}

function change(jobId, next, previous) {
  jobs.set(jobId, next);
  for (const listener of listeners) {
    listener(next, previous);
  }
}

/** A JobStatusChanged from the stream: merged into the row; a job we have not seen is fetched whole. */
function applyEvent(event) {
  const current = jobs.get(event.jobId);
  if (!current) {
    refetch(event.jobId);
    return;
  }
  if (!isNotOlder(event, current)) {
    return;
  }
  const newAttempt = (event.attempt ?? 1) !== (current.attempt ?? 1);
  const next = { ...current, status: event.status, attempt: event.attempt ?? current.attempt };
  if (newAttempt) {
    // what the earlier attempt said is not this attempt's answer
    for (const stale of ['reason', 'message', 'predictions', 'coldStart', 'timings', 'estimatedCostUsd']) {
      delete next[stale];
    }
  }
  for (const field of ['backend', 'placementReason', 'reason', 'message', 'coldStart', 'estimatedCostUsd',
    'predictions', 'model', 'owner']) {
    if (event[field] !== undefined && event[field] !== null) {
      next[field] = event[field];
    }
  }
  if (event.timings) {
    next.timings = { ...next.timings, ...event.timings };
  }
  if (event.occurredAt) {
    next.updatedAt = event.occurredAt;
  }
  change(event.jobId, next, current);
  if (TERMINAL.includes(event.status)) {
    // the store's view has the attempt's whole picture (timings of every phase, output, totals)
    refetch(event.jobId);
  }
}

async function refetch(jobId) {
  if (fetching.has(jobId)) {
    return;
  }
  fetching.add(jobId);
  try {
    putJob(await get(`/api/jobs/${encodeURIComponent(jobId)}`));
  } catch (error) {
    // a job the store does not show yet (404) arrives again with its next event
    if (error.status !== 404) {
      console.warn('could not load job', jobId, error.message);
    }
  } finally {
    fetching.delete(jobId);
  }
}

export async function loadJobs() {
  const page = await get('/api/jobs?limit=100');
  for (const view of page.jobs || []) {
    putJob(view);
  }
}

/**
 * Opens the live stream. EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed; each
 * (re)connection also reloads the first page, which covers changes from before the stream was open.
 */
export function connectStream(onState) {
  const source = new EventSource('/api/jobs/stream');
  source.addEventListener('open', () => {
    onState('live');
    loadJobs().catch((error) => console.warn('could not reload jobs', error.message));
  });
  source.addEventListener('error', () => {
    onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  });
  source.addEventListener('status', (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch {
      console.warn('unreadable status event', message.data);
      return;
    }
    applyEvent(event);
  });
  return source;
}

// ---- the table ----

export function renderRow(view) {
  const timings = view.timings || {};
  const cold = view.coldStart === undefined || view.coldStart === null ? '–' : view.coldStart ? 'cold' : 'warm';
  const name = fileName(view.input?.key) || view.jobId;
  return el('tr', {
    'data-testid': 'job-row', 'data-job-id': view.jobId, 'data-status': view.status,
  },
  el('td', { 'data-label': 'File' },
    el('a', { href: `#/job/${encodeURIComponent(view.jobId)}`, 'data-testid': 'job-link' }, name)),
  el('td', { 'data-label': 'Model' }, view.model || '–'),
  el('td', { 'data-label': 'Status' }, badge(view.status)),
  el('td', { 'data-label': 'Backend', title: view.placementReason || null }, view.backend || '–'),
  el('td', { 'data-label': 'Attempt' }, view.attempt ?? 1),
  el('td', { 'data-label': 'Start' }, cold),
  el('td', { 'data-label': 'Queue wait' }, millis(timings.queueWaitMs)),
  el('td', { 'data-label': 'Inference' }, millis(timings.inferenceMs)),
  el('td', { 'data-label': 'Total' }, millis(timings.totalMs)),
  el('td', { 'data-label': 'Est. cost' }, usd(view.estimatedCostUsd)),
  el('td', { 'data-label': 'Updated' }, el('time', { datetime: view.updatedAt }, time(view.updatedAt))));
}

export function badge(status) {
  return el('span', { class: `badge badge-${String(status).toLowerCase()}`, 'data-testid': 'job-status' }, status);
}

/** Keeps the table body in step with the store: rows replaced in place, new jobs on top. */
export function bindTable(tbody, empty, announce) {
  const draw = () => {
    tbody.replaceChildren(...allJobs().map(renderRow));
    empty.hidden = jobs.size > 0;
  };
  onJobChange((next, previous) => {
    const existing = tbody.querySelector(`tr[data-job-id="${CSS.escape(next.jobId)}"]`);
    if (existing && previous) {
      existing.replaceWith(renderRow(next));
    } else {
      draw();
    }
    empty.hidden = jobs.size > 0;
    if (previous && previous.status !== next.status && TERMINAL.includes(next.status)) {
      announce(`${fileName(next.input?.key) || next.jobId}: ${next.status.toLowerCase()}`);
    }
  });
  draw();
}
