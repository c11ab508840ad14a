import { describe, expect, it } from 'vitest';
import { createHttpTransport, tokenFromHash, type EventSourceLike, type HttpTransportDeps } from './http-transport';

interface Request {
  url: string;
  init: RequestInit;
}

class FakeEventSource implements EventSourceLike {
  readyState = 0;
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly url: string) {}
  close(): void {
    this.closed = true;
    this.readyState = 2;
  }
  send(data: string): void {
    this.onmessage?.(new MessageEvent('message', { data }));
  }
  fail(): void {
    this.readyState = 2;
    this.onerror?.(new Event('error'));
  }
}

/** A fake of the web host's side of the boundary: answers by path, records every request. */
function fakePage(hash: string, answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const replaced: string[] = [];
  const sources: FakeEventSource[] = [];
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const deps: HttpTransportDeps = {
    fetch: async (url, init) => {
      requests.push({ url, init });
      return answer(url, init);
    },
    location: { hash, pathname: '/', search: '' },
    history: { replaceState: (_data, _unused, url) => void replaced.push(String(url)) },
    createEventSource: (url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source;
    },
    setTimeout: (fn, ms) => timers.push({ fn, ms, cancelled: false }) - 1,
    clearTimeout: (handle) => {
      const timer = timers[handle as number];
      if (timer) timer.cancelled = true;
    },
  };
  return { deps, requests, replaced, sources, timers };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const info = { name: 'Lifeline', version: '0.1.0' };

describe('tokenFromHash', () => {
  it('reads the token the host printed and ignores anything else', () => {
    expect(tokenFromHash('#token=abc_DEF-123')).toBe('abc_DEF-123');
    expect(tokenFromHash('')).toBeUndefined();
    expect(tokenFromHash('#token=')).toBeUndefined();
    expect(tokenFromHash('#other=1')).toBeUndefined();
  });
});

describe('the HTTP transport', () => {
  it('trades the token for the cookie before the first call, then drops it from the address', async () => {
    const page = fakePage('#token=s3cret-token-value', (url) => (url === '/api/auth' ? new Response(null, { status: 204 }) : json(200, { ok: true, value: info })));
    const transport = createHttpTransport(page.deps);

    const result = await transport.call('system.info', {});

    expect(result).toEqual({ ok: true, value: info });
    expect(page.requests.map((r) => r.url)).toEqual(['/api/auth', '/api/rpc/system.info']);
    const [auth, rpc] = page.requests;
    expect(auth?.init.method).toBe('POST');
    expect(new Headers(auth?.init.headers).get('Authorization')).toBe('Bearer s3cret-token-value');
    expect(page.replaced).toEqual(['/']);
    expect(rpc?.init.method).toBe('POST');
    expect(rpc?.init.credentials).toBe('same-origin');
    expect(rpc?.init.body).toBe('{}');
    expect(new Headers(rpc?.init.headers).get('Authorization')).toBeNull();
  });

  it('calls straight away when the page was opened without a token (the cookie is already set)', async () => {
    const page = fakePage('', () => json(200, { ok: true, value: { text: 'hi', at: 1 } }));
    const transport = createHttpTransport(page.deps);

    await expect(transport.call('system.ping', { text: 'hi' })).resolves.toEqual({ ok: true, value: { text: 'hi', at: 1 } });
    expect(page.requests.map((r) => r.url)).toEqual(['/api/rpc/system.ping']);
    expect(page.requests[0]?.init.body).toBe('{"text":"hi"}');
    expect(page.replaced).toEqual([]);
  });

  it('hands back error envelopes from 4xx answers as they are', async () => {
    const error = { code: 'invalid_input', message: 'text: Too long. Use at most 200 characters.' };
    const page = fakePage('', () => json(400, { ok: false, error }));
    const transport = createHttpTransport(page.deps);

    await expect(transport.call('system.ping', { text: 'x'.repeat(300) })).resolves.toEqual({ ok: false, error });
  });

  it('answers 401 with the printed-link message', async () => {
    const page = fakePage('', () => json(401, { ok: false, error: { code: 'unauthorized', message: 'The token is missing or wrong.' } }));
    const result = await createHttpTransport(page.deps).call('system.info', {});

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('unauthorized');
    expect(result.error.message).toMatch(/link the host printed \(it ends with #token=\.\.\.\)/);
  });

  it('passes a wrong password or a missing sign-in (also 401) through as the host worded it', async () => {
    const wrong = { ok: false, error: { code: 'invalid_credentials', message: 'The account or password is not right.' } };
    const page = fakePage('', () => json(401, wrong));
    await expect(createHttpTransport(page.deps).call('account.signIn', { account: 'a@b.co', password: 'x' })).resolves.toEqual(wrong);
    const signedOut = { ok: false, error: { code: 'not_signed_in', message: 'Sign in first.' } };
    const page2 = fakePage('', () => json(401, signedOut));
    await expect(createHttpTransport(page2.deps).call('account.me', {})).resolves.toEqual(signedOut);
  });

  it('turns a host that is gone or answers garbage into envelopes, never a throw', async () => {
    const gone = fakePage('', () => Promise.reject(new TypeError('Failed to fetch')));
    const down = await createHttpTransport(gone.deps).call('system.info', {});
    expect(down).toMatchObject({ ok: false, error: { code: 'unavailable' } });

    const proxy = fakePage('', () => new Response('<html>Bad gateway</html>', { status: 502 }));
    expect(await createHttpTransport(proxy.deps).call('system.info', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });

    const odd = fakePage('', () => json(200, { hello: 'world' }));
    expect(await createHttpTransport(odd.deps).call('system.info', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('keeps the token in the address when the exchange never reached the host', async () => {
    const page = fakePage('#token=s3cret-token-value', (url) => (url === '/api/auth' ? Promise.reject(new TypeError('Failed to fetch')) : json(200, { ok: true, value: info })));
    await createHttpTransport(page.deps).call('system.info', {});
    expect(page.replaced).toEqual([]);
  });

  it('opens the event stream only after a call proved the page is authorized, and routes events by name', async () => {
    const page = fakePage('', () => json(200, { ok: true, value: info }));
    const transport = createHttpTransport(page.deps);
    const changed: unknown[] = [];
    const other: unknown[] = [];
    transport.on('settings.changed', (payload) => changed.push(payload));
    transport.on('backup.progress', (payload) => other.push(payload));
    expect(page.sources).toHaveLength(0);

    await transport.call('system.info', {});
    expect(page.sources.map((s) => s.url)).toEqual(['/api/events']);
    const source = page.sources[0]!;
    source.send(JSON.stringify({ name: 'settings.changed', payload: { language: 'id', theme: 'dark' } }));
    source.send('not json');
    source.send(JSON.stringify({ payload: 'no name' }));

    expect(changed).toEqual([{ language: 'id', theme: 'dark' }]);
    expect(other).toEqual([]);
  });

  it('reopens a broken stream after a growing pause, and closes it when nobody listens', async () => {
    const page = fakePage('', () => json(200, { ok: true, value: info }));
    const transport = createHttpTransport(page.deps);
    const unsubscribe = transport.on('settings.changed', () => undefined);
    await transport.call('system.info', {});

    page.sources[0]!.fail();
    expect(page.sources[0]!.closed).toBe(true);
    expect(page.sources).toHaveLength(1);
    page.timers[0]!.fn();
    expect(page.sources).toHaveLength(2);
    page.sources[1]!.fail();
    page.timers[1]!.fn();
    expect(page.timers.map((t) => t.ms)).toEqual([1_000, 2_000]);
    expect(page.sources).toHaveLength(3);

    unsubscribe();
    expect(page.sources[2]!.closed).toBe(true);
  });

  it('reconnects at once when a call shows the host is back', async () => {
    const page = fakePage('', () => json(200, { ok: true, value: info }));
    const transport = createHttpTransport(page.deps);
    transport.on('settings.changed', () => undefined);
    await transport.call('system.info', {});
    page.sources[0]!.fail();

    await transport.call('system.info', {});
    expect(page.timers[0]!.cancelled).toBe(true);
    expect(page.sources).toHaveLength(2);
    expect(page.sources[1]!.closed).toBe(false);
  });

  it('does not keep a stream open once the host says the page is no longer authorized', async () => {
    let status = 200;
    const page = fakePage('', () => (status === 200 ? json(200, { ok: true, value: info }) : json(401, { ok: false, error: { code: 'unauthorized', message: 'no' } })));
    const transport = createHttpTransport(page.deps);
    transport.on('settings.changed', () => undefined);
    await transport.call('system.info', {});
    status = 401;
    await transport.call('system.info', {});
    expect(page.sources[0]!.closed).toBe(true);
  });
});
