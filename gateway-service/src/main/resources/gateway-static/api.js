// The gateway's JSON API (docs: gateway-service README, /openapi.yaml). Same origin, session cookie; unsafe methods
// carry the CSRF token Spring Security put in the XSRF-TOKEN cookie.

/** An API answer that was not 2xx, with the RFC 9457 problem's title and detail when the server sent one. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }
}

export function csrfToken() {
  const match = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith('XSRF-TOKEN='));
  return match ? decodeURIComponent(match.substring('XSRF-TOKEN='.length)) : '';
}

/** Where an expired session sends the person: the login, then back to this page. */
export let onUnauthenticated = () => window.location.reload();
export function setOnUnauthenticated(handler) {
  onUnauthenticated = handler;
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-XSRF-TOKEN'] = csrfToken();
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
    redirect: 'manual',
  });
  if (response.status === 401 || response.type === 'opaqueredirect') {
    onUnauthenticated();
    throw new ApiError(401, { title: 'Signed out', detail: 'Your session ended; signing in again.' });
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    throw new ApiError(response.status, problem);
  }
  if (response.status === 204) {
    return null;
  }
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const del = (path) => api('DELETE', path);

/**
 * PUTs a file to a presigned URL with exactly the headers the gateway signed, reporting progress (fetch cannot
 * report upload progress, XHR can).
 */
export function putWithProgress(url, headers, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers || {})) {
      // the browser sets Content-Length and Host itself and refuses scripts that try
      if (!/^(content-length|host)$/i.test(name)) {
        xhr.setRequestHeader(name, value);
      }
    }
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        onProgress(event.loaded / event.total);
      }
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else {
        reject(new Error(`storage refused the file (HTTP ${xhr.status})${storageMessage(xhr.responseText)}`));
      }
    });
    xhr.addEventListener('error', () => reject(new Error('the storage could not be reached (network or CORS error)')));
    xhr.addEventListener('abort', () => reject(new Error('upload cancelled')));
    xhr.send(file);
  });
}

function storageMessage(xml) {
  const match = /<Message>([^<]*)<\/Message>/.exec(xml || '');
  return match ? `: ${match[1]}` : '';
}
