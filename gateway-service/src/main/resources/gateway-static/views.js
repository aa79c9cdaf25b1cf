// The job view (input, answers, raw result, cancel/retry) and My files.
import { get, post, del } from './api.js';
import { el, fileName, millis, usd, bytes, time, percent, CANCELLABLE } from './format.js';
import { job, putJob, onJobChange, badge } from './jobs.js';

let unsubscribe = null;

export async function showJob(container, jobId, announce) {
  unsubscribe?.();
  container.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  let view = job(jobId);
  try {
    putJob(await get(`/api/jobs/${encodeURIComponent(jobId)}`));
    view = job(jobId);
  } catch (error) {
    if (!view) {
      container.replaceChildren(el('h1', { id: 'job-title' }, 'Job not found'),
        el('p', { role: 'alert' }, error.status === 404 ? 'There is no job of yours with this id.' : error.message));
      return;
    }
  }
  let drawn = null;
  const draw = (current) => {
    // the expensive parts (input image, result) are fetched again only when the status changes
    if (drawn && drawn.status === current.status && drawn.attempt === current.attempt) {
      container.querySelector('[data-testid=job-facts]')?.replaceWith(facts(current));
      return;
    }
    drawn = current;
    container.replaceChildren(...jobParts(current, announce));
  };
  draw(view);
  unsubscribe = onJobChange((next) => {
    if (next.jobId === jobId && container.isConnected && !container.closest('[hidden]')) {
      draw(next);
    }
  });
}

function jobParts(view, announce) {
  const parts = [
    el('h1', { id: 'job-title' }, fileName(view.input?.key) || view.jobId, ' ', badge(view.status)),
    facts(view),
    actions(view, announce),
  ];
  if (view.status === 'FAILED' || view.status === 'CANCELLED') {
    parts.push(el('div', { class: 'banner error', 'data-testid': 'job-failure', role: 'status' },
      el('strong', {}, view.reason || view.status), view.message ? ` — ${view.message}` : ''));
  }
  const media = el('div', { class: 'job-media' });
  if (isImage(view.input)) {
    media.append(inputPreview(view));
  }
  if (view.predictions && view.predictions.length > 0) {
    media.append(predictionBars(view.predictions));
  }
  parts.push(media);
  if (view.status === 'SUCCEEDED') {
    parts.push(rawResult(view));
  }
  return parts;
}

function isImage(input) {
  // the content type the upload named; the file's extension where the store did not keep it
  return !!input && (String(input.contentType || '').startsWith('image/')
    || /\.(png|jpe?g)$/i.test(String(input.key || '')));
}

function facts(view) {
  const timings = view.timings || {};
  const rows = [
    ['Job id', view.jobId],
    ['Model', view.model],
    ['Backend', view.backend ? `${view.backend}${view.placementReason ? ` — ${view.placementReason}` : ''}` : '–'],
    ['Attempt', view.attempt ?? 1],
    ['Start', view.coldStart === undefined ? '–' : view.coldStart ? 'cold (model loaded for it)' : 'warm'],
    ['Queue wait', millis(timings.queueWaitMs)],
    ['Model load', millis(timings.modelLoadMs)],
    ['Inference', millis(timings.inferenceMs)],
    ['Total', millis(timings.totalMs)],
    ['Estimated cost', usd(view.estimatedCostUsd)],
    ['Created', time(view.createdAt)],
    ['Updated', time(view.updatedAt)],
  ];
  return el('dl', { class: 'facts', 'data-testid': 'job-facts' },
    rows.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value ?? '–')]));
}

function actions(view, announce) {
  const box = el('div', { class: 'actions' });
  const message = el('span', { class: 'action-message', role: 'status' });
  const act = (verb, label) => el('button', {
    type: 'button', 'data-testid': `job-${verb}`,
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        // 202 means "asked": the job changes when the stream says so (a cancel the work overtook changes nothing)
        await post(`/api/jobs/${encodeURIComponent(view.jobId)}/${verb}`);
        message.textContent = `${label} requested…`;
        announce(`${label} requested`);
      } catch (error) {
        message.textContent = error.message;
        event.target.disabled = false;
      }
    },
  }, label);
  if (CANCELLABLE.includes(view.status)) {
    box.append(act('cancel', 'Cancel'));
  }
  if (view.status === 'FAILED') {
    box.append(act('retry', 'Retry'));
  }
  box.append(message);
  return box;
}

function inputPreview(view) {
  const figure = el('figure', { class: 'input-preview' },
    el('figcaption', {}, 'Input'));
  get(`/api/jobs/${encodeURIComponent(view.jobId)}/input`).then((signed) => {
    figure.prepend(el('img', {
      src: signed.url, alt: `The uploaded image ${fileName(view.input.key)}`, 'data-testid': 'input-preview',
    }));
  }).catch((error) => figure.append(el('p', { class: 'muted' }, `Input not available: ${error.message}`)));
  return figure;
}

function predictionBars(predictions) {
  return el('section', { class: 'predictions', 'aria-labelledby': 'predictions-title' },
    el('h2', { id: 'predictions-title' }, 'Answers'),
    el('ol', { 'data-testid': 'predictions' }, predictions.map((p, index) => el('li', {
      'data-testid': 'prediction', 'data-label': p.label, 'data-probability': p.probability,
      class: index === 0 ? 'top' : null,
    },
    el('span', { class: 'label', 'data-testid': index === 0 ? 'top-label' : null }, p.label),
    el('span', { class: 'bar', 'aria-hidden': 'true' },
      el('span', { class: 'fill', style: { width: `${Math.max(0.5, p.probability * 100).toFixed(1)}%` } })),
    el('span', { class: 'prob' }, percent(p.probability))))));
}

function rawResult(view) {
  const pre = el('pre', { 'data-testid': 'result-json', tabindex: '0', 'aria-label': 'result.json' }, 'Loading…');
  const link = el('p', { class: 'muted' });
  const section = el('section', { class: 'raw', 'aria-labelledby': 'raw-title' },
    el('h2', { id: 'raw-title' }, 'result.json'), link, pre);
  get(`/api/jobs/${encodeURIComponent(view.jobId)}/result`).then(async (signed) => {
    link.replaceChildren(el('a', {
      href: signed.url, download: 'result.json', 'data-testid': 'result-download', rel: 'noopener',
    }, 'Download result.json'), signed.expiresAt ? ` (link valid until ${time(signed.expiresAt)})` : '');
    const response = await fetch(signed.url, { credentials: 'omit' });
    if (!response.ok) {
      throw new Error(`storage answered HTTP ${response.status}`);
    }
    pre.textContent = JSON.stringify(await response.json(), null, 2);
    pre.dataset.loaded = 'true';
  }).catch((error) => {
    pre.textContent = `Could not show the result here (${error.message}); the download link still works.`;
    pre.dataset.loaded = 'false';
  });
  return section;
}

// ---- My files ----

export async function showFiles(container, announce) {
  container.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  let files;
  try {
    files = await get('/api/files');
  } catch (error) {
    container.replaceChildren(el('p', { role: 'alert' }, `Could not list your files: ${error.message}`));
    return;
  }
  const refresh = () => showFiles(container, announce);
  container.replaceChildren(
    fileTable('Inputs', 'inputs', files.inputs || [], announce, refresh),
    fileTable('Results', 'results', files.results || [], announce, refresh));
}

function fileTable(title, kind, entries, announce, refresh) {
  const id = `files-${kind}-title`;
  const body = entries.length === 0
    ? el('p', { class: 'muted', 'data-testid': `files-${kind}-empty` }, `No ${kind}.`)
    : el('div', { class: 'table-wrap' }, el('table', { class: 'files', 'data-testid': `files-${kind}` },
      el('thead', {}, el('tr', {}, ['Name', 'Model', 'Size', 'Modified', 'Actions']
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, entries.map((entry) => el('tr', {
        'data-testid': 'file-row', 'data-key': entry.key, 'data-kind': kind,
      },
      el('td', { 'data-label': 'Name', title: entry.key }, kind === 'results' ? resultName(entry.key) : fileName(entry.key)),
      el('td', { 'data-label': 'Model' }, entry.model || '–'),
      el('td', { 'data-label': 'Size' }, bytes(entry.size)),
      el('td', { 'data-label': 'Modified' }, time(entry.lastModified)),
      el('td', { 'data-label': 'Actions', class: 'row-actions' },
        el('button', {
          type: 'button', class: 'secondary', 'data-testid': 'file-download',
          onclick: () => download(entry.key),
        }, 'Download'),
        el('button', {
          type: 'button', class: 'danger', 'data-testid': 'file-delete',
          'aria-label': `Delete ${entry.key}`,
          onclick: async () => {
            if (!window.confirm(`Delete ${entry.key}? This cannot be undone.`)) {
              return;
            }
            try {
              await del(`/api/files?key=${encodeURIComponent(entry.key)}`);
              announce(`${fileName(entry.key)} deleted`);
              refresh();
            } catch (error) {
              window.alert(`Could not delete: ${error.message}`);
            }
          },
        }, 'Delete')))))));
  return el('section', { 'aria-labelledby': id }, el('h2', { id }, title), body);
}

function resultName(key) {
  // results/<model>/<owner>/<jobId>/result.json: the job id tells which job it belongs to
  const parts = key.split('/');
  return parts.length >= 2 ? `${parts[parts.length - 2]}/${parts[parts.length - 1]}` : key;
}

async function download(key) {
  // open the window now, in the click, so no pop-up blocker stops it; point it at the signed URL once known
  const opened = window.open('', '_blank');
  try {
    const signed = await post('/api/files/download', { key });
    if (opened) {
      opened.opener = null;
      opened.location = signed.url;
    } else {
      window.location.assign(signed.url);
    }
  } catch (error) {
    opened?.close();
    window.alert(`Could not download: ${error.message}`);
  }
}
