import type { Envelope } from '../../contract';
import { transportErrors, type Transport } from './transport';

/** The part of EventSource this transport uses, so tests can hand in a fake. */
export interface EventSourceLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(): void;
}

/** Everything the web transport touches in the page, injected so it can be tested without a server. */
export interface HttpTransportDeps {
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  location: { readonly hash: string; readonly pathname: string; readonly search: string };
  history: { replaceState(data: unknown, unused: string, url?: string | null): void };
  createEventSource: (url: string) => EventSourceLike;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

const RECONNECT_FIRST_MS = 1_000;
const RECONNECT_MAX_MS = 15_000;

export function browserHttpDeps(): HttpTransportDeps {
  return {
    fetch: (url, init) => window.fetch(url, init),
    location: window.location,
    history: window.history,
    createEventSource: (url) => new EventSource(url),
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  };
}

/** Reads `#token=...` from the address the host printed; undefined when the page was opened without it. */
export function tokenFromHash(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return token ? token : undefined;
}

/**
 * The web host transport: trades the printed token for an HttpOnly cookie once, then calls
 * `POST /api/rpc/<method>` and listens on `/api/events` (server-sent events).
 */
export function createHttpTransport(deps: HttpTransportDeps): Transport {
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  let authorized = false;
  let source: EventSourceLike | undefined;
  let reconnectTimer: unknown;
  let reconnectDelay = RECONNECT_FIRST_MS;

  const ready = exchangeToken();

  async function exchangeToken(): Promise<void> {
    const token = tokenFromHash(deps.location.hash);
    if (!token) return;
    try {
      await deps.fetch('/api/auth', { method: 'POST', credentials: 'same-origin', headers: { Authorization: `Bearer ${token}` } });
    } catch {
      // Keep the token in the address so a reload can try again once the host answers.
      return;
    }
    // The token now lives in the cookie; it should not linger in the address bar, history or screenshots.
    deps.history.replaceState(null, '', `${deps.location.pathname}${deps.location.search}`);
  }

  async function call(method: string, input: unknown): Promise<Envelope<unknown>> {
    await ready;
    let response: Response;
    try {
      response = await deps.fetch(`/api/rpc/${encodeURIComponent(method)}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      return { ok: false, error: { code: 'unavailable', message: transportErrors.unreachable } };
    }
    const envelope = await readEnvelope(response);
    // 401 also answers a wrong password or a missing sign-in; only `unauthorized` (or a body we cannot read)
    // means the page itself lacks the host's token, and then the person needs the printed link.
    if (response.status === 401 && (envelope.ok || envelope.error.code === 'unauthorized' || envelope.error.code === 'internal')) {
      authorized = false;
      closeStream();
      return { ok: false, error: { code: 'unauthorized', message: transportErrors.unauthorized } };
    }
    authorized = true;
    if (reconnectTimer !== undefined && response.status < 500) {
      // The host answered, so it is back: no need to wait out the pause.
      deps.clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
    }
    syncStream();
    return envelope;
  }

  function on(event: string, handler: (payload: unknown) => void): () => void {
    let set = handlers.get(event);
    if (!set) {
      set = new Set();
      handlers.set(event, set);
    }
    set.add(handler);
    syncStream();
    return () => {
      const current = handlers.get(event);
      current?.delete(handler);
      if (current && current.size === 0) handlers.delete(event);
      syncStream();
    };
  }

  // The stream opens only once a call proved the page is authorized: an unauthorized EventSource
  // would fail and retry forever, filling the console with errors.
  function syncStream(): void {
    const wanted = authorized && handlers.size > 0;
    if (wanted && !source && reconnectTimer === undefined) openStream();
    if (!wanted) closeStream();
  }

  function openStream(): void {
    const es = deps.createEventSource('/api/events');
    source = es;
    es.onopen = () => {
      reconnectDelay = RECONNECT_FIRST_MS;
    };
    es.onmessage = (message) => deliver(message.data);
    es.onerror = () => {
      // The browser's own retry would hit a stopped host every two seconds, and Chromium logs each refused
      // connection as a console error; retrying ourselves with a growing pause keeps that to a trickle.
      if (source !== es) return;
      es.onopen = es.onmessage = es.onerror = null;
      es.close();
      source = undefined;
      reconnectTimer = deps.setTimeout(() => {
        reconnectTimer = undefined;
        syncStream();
      }, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
    };
  }

  function closeStream(): void {
    if (reconnectTimer !== undefined) {
      deps.clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
    }
    if (source) {
      source.onopen = source.onmessage = source.onerror = null;
      source.close();
      source = undefined;
    }
  }

  function deliver(data: unknown): void {
    if (typeof data !== 'string') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (!isRecord(parsed) || typeof parsed.name !== 'string') return;
    const set = handlers.get(parsed.name);
    if (!set) return;
    for (const handler of [...set]) handler(parsed.payload);
  }

  return { call, on };
}

async function readEnvelope(response: Response): Promise<Envelope<unknown>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (isEnvelope(body)) return body;
  if (response.status >= 500) return { ok: false, error: { code: 'unavailable', message: transportErrors.unreachable } };
  return { ok: false, error: { code: 'internal', message: transportErrors.unreadable } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isEnvelope(value: unknown): value is Envelope<unknown> {
  if (!isRecord(value)) return false;
  if (value.ok === true) return 'value' in value;
  if (value.ok !== false || !isRecord(value.error)) return false;
  return typeof value.error.code === 'string' && typeof value.error.message === 'string';
}
