// The model catalogue and the uploads: each file is announced to the gateway (which signs a PUT into the caller's
// own inbox prefix) and then sent straight to storage with progress.
import { get, post, putWithProgress } from './api.js';
import { el, bytes } from './format.js';

let models = [];
let chosen = null;

export function chosenModel() {
  return chosen;
}

export async function loadModels(fieldset, dropModel, fileInput) {
  models = await get('/api/models');
  const cards = models.map((model) => modelCard(model, () => choose(model, dropModel, fileInput)));
  fieldset.querySelector('#models-loading')?.remove();
  fieldset.append(...cards);
  if (models.length > 0) {
    const first = fieldset.querySelector('input[type=radio]');
    first.checked = true;
    choose(models[0], dropModel, fileInput);
  } else {
    fieldset.append(el('p', { class: 'muted' }, 'No models are served.'));
  }
}

function choose(model, dropModel, fileInput) {
  chosen = model;
  dropModel.textContent = model.name;
  const types = model.input?.contentTypes || [];
  if (types.length > 0) {
    fileInput.setAttribute('accept', types.join(','));
  } else {
    fileInput.removeAttribute('accept');
  }
}

function modelCard(model, onChoose) {
  const id = `model-${model.name}`;
  const choices = model.placement?.choices || ['auto'];
  const input = model.input || {};
  const accepted = [input.kind, (input.contentTypes || []).join(', ')].filter(Boolean).join(': ');
  const placement = choices.length > 1
    ? el('p', { class: 'placement' },
      el('label', { for: `${id}-placement` }, 'Runs on '),
      el('select', { id: `${id}-placement`, 'data-testid': `placement-${model.name}` },
        choices.map((choice) => el('option', { value: choice },
          choice === 'auto' ? 'auto (the mesh decides)' : choice))))
    : el('p', { class: 'placement muted' }, `Runs on ${model.placement?.mode || 'auto'}`);
  return el('div', { class: 'model', 'data-testid': 'model-card', 'data-model': model.name },
    el('input', {
      type: 'radio', name: 'model', id, value: model.name, 'data-testid': `model-choice-${model.name}`,
      onchange: onChoose,
    }),
    el('label', { for: id, class: 'model-name' }, model.name),
    el('p', { class: 'description' }, model.description || ''),
    el('p', { class: 'accepts' }, `Accepts ${accepted || 'any file'}`,
      model.maxInputBytes ? `, up to ${bytes(model.maxInputBytes)}` : ''),
    el('p', { class: 'links' },
      model.example ? el('a', { href: model.example, download: true, 'data-testid': `example-${model.name}` },
        'Example input') : null,
      model.example && model.documentation ? ' · ' : null,
      model.documentation ? el('a', { href: model.documentation, target: '_blank', rel: 'noopener' },
        'Documentation') : null),
    placement);
}

function placementOf(model) {
  const select = document.getElementById(`model-${model.name}-placement`);
  return select ? select.value : 'auto';
}

/** Uploads each file for the chosen model, side by side, each with its own progress and error. */
export function uploadFiles(files, list, onUploaded) {
  const model = chosen;
  if (!model) {
    return;
  }
  const placement = placementOf(model);
  for (const file of files) {
    uploadOne(file, model, placement, list, onUploaded);
  }
}

async function uploadOne(file, model, placement, list, onUploaded) {
  const progress = el('progress', { max: 1, value: 0, 'aria-label': `Upload of ${file.name}` });
  const state = el('span', { class: 'upload-state', 'data-testid': 'upload-state' }, 'signing…');
  const item = el('li', {
    class: 'upload', 'data-testid': 'upload-item', 'data-file-name': file.name, 'data-model': model.name,
    'data-state': 'signing',
  }, el('span', { class: 'upload-name' }, `${file.name} → ${model.name}`), progress, state);
  list.prepend(item);
  const set = (name, text) => {
    item.dataset.state = name;
    state.textContent = text;
  };
  try {
    const signed = await post('/api/uploads', {
      model: model.name,
      fileName: file.name,
      size: file.size,
      contentType: file.type || 'application/octet-stream',
      placement,
    });
    item.dataset.key = signed.key;
    set('uploading', 'uploading…');
    // watched from now on: the job's first event can overtake the end of the PUT
    onUploaded(signed.key, item);
    await putWithProgress(signed.url, signed.headers, file, (fraction) => {
      progress.value = fraction;
    });
    if (item.dataset.state !== 'job') {
      set('uploaded', 'uploaded, waiting for its job…');
    }
  } catch (error) {
    progress.remove();
    set('error', explain(error, model));
    state.setAttribute('role', 'alert');
    state.dataset.testid = 'upload-error';
  }
}

function explain(error, model) {
  if (error.status === 413) {
    return `Too large: ${error.problem?.detail || `${model.name} accepts at most ${bytes(model.maxInputBytes)}`}`;
  }
  if (error.status === 400) {
    return `Refused: ${error.problem?.detail || error.problem?.title || 'bad request'}`;
  }
  if (error.status === 403) {
    return 'Refused: the page lost its security token; reload the page and try again.';
  }
  return `Failed: ${error.message}`;
}
