// Small, pure formatting helpers (no DOM state).

/** Builds an element: el('a', {href: '#', 'data-testid': 'x', style: {width: '5%'}}, 'text', child...). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      node.className = value;
    } else if (name === 'style' && typeof value === 'object') {
      // through the CSSOM: the gateway's Content-Security-Policy (style-src 'self') refuses style attributes
      Object.assign(node.style, value);
    } else if (name.startsWith('on') && typeof value === 'function') {
      node.addEventListener(name.substring(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

export function fileName(key) {
  if (!key) {
    return '';
  }
  const last = key.substring(key.lastIndexOf('/') + 1);
  // the gateway prefixes uploads with 8 random hex digits and a dash so two files of one name do not collide
  return last.replace(/^[0-9a-f]{8}-/, '');
}

export function millis(value) {
  if (value === undefined || value === null) {
    return '–';
  }
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`;
}

export function usd(value) {
  if (value === undefined || value === null) {
    return '–';
  }
  if (value === 0) {
    return '$0';
  }
  return value < 0.01 ? `$${value.toPrecision(2)}` : `$${value.toFixed(4)}`;
}

export function bytes(value) {
  if (value === undefined || value === null) {
    return '';
  }
  if (value < 1024) {
    return `${value} B`;
  }
  if (value < 1024 * 1024) {
    return `${(value / 1024).toFixed(1)} KiB`;
  }
  return `${(value / 1024 / 1024).toFixed(1)} MiB`;
}

export function time(iso) {
  if (!iso) {
    return '–';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString();
}

export function percent(probability) {
  return `${(probability * 100).toFixed(probability >= 0.995 || probability < 0.0005 ? 0 : 1)}%`;
}

export const ACTIVE = ['PENDING', 'RUNNABLE', 'STARTING', 'RUNNING'];
export const CANCELLABLE = ['PENDING', 'RUNNABLE', 'STARTING'];
export const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
const RANK = { PENDING: 0, RUNNABLE: 1, STARTING: 2, RUNNING: 3, SUCCEEDED: 4, FAILED: 4, CANCELLED: 4 };

/**
 * Whether an update (attempt, status) is not older than what is shown: a later attempt wins, and within one attempt
 * a status later in the lifecycle. Events can arrive twice or out of order (a reconnect, a page load racing the
 * stream); this keeps a row from stepping back.
 */
export function isNotOlder(update, current) {
  if (!current) {
    return true;
  }
  const attempt = update.attempt ?? 1;
  const shown = current.attempt ?? 1;
  if (attempt !== shown) {
    return attempt > shown;
  }
  return (RANK[update.status] ?? 0) >= (RANK[current.status] ?? 0);
}
