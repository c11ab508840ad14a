import { describe, expect, it } from 'vitest';
import { LifelineError } from '../contract';
import { createDispatcher, memorySessionSlot, type CallContext, type Handlers } from './dispatcher';

const ctx: CallContext = { transport: 'internal', ip: '127.0.0.1', userAgent: 'test', session: memorySessionSlot() };

function handlers(overrides: Partial<Handlers> = {}): Handlers {
  return {
    'system.info': () => ({
      name: 'Lifeline',
      version: '0',
      dataDir: '/d',
      host: 'web',
      delivery: { mode: 'sandbox', email: 'outbox', sms: 'outbox', outboxDir: '/d/outbox' },
      testHooks: false,
    }),
    'system.ping': ({ text }) => ({ text, at: 1 }),
    'settings.get': () => ({ language: 'system', theme: 'system' }),
    'settings.update': () => ({ language: 'system', theme: 'system' }),
    ...overrides,
  } as Handlers;
}

describe('dispatcher', () => {
  it('validates the input and answers the envelope', async () => {
    const d = createDispatcher(handlers());
    expect(await d.dispatch('system.ping', { text: 'hi' }, ctx)).toEqual({ ok: true, value: { text: 'hi', at: 1 } });
  });

  it('refuses unknown methods, including prototype names, with unknown_method', async () => {
    const d = createDispatcher(handlers());
    for (const name of ['nope', 'system.nope', '__proto__', 'constructor', 'toString', 'system.ping.extra', '']) {
      const answer = await d.dispatch(name, {}, ctx);
      expect(answer, name).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    }
  });

  it('refuses extra and wrong-typed fields with invalid_input, naming the field but not its value', async () => {
    const d = createDispatcher(handlers());
    const extra = await d.dispatch('system.ping', { text: 'a', secret: 'hunter2' }, ctx);
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(JSON.stringify(extra)).toContain('secret');
    expect(JSON.stringify(extra)).not.toContain('hunter2');
    const wrong = await d.dispatch('system.ping', { text: 5 }, ctx);
    expect(wrong).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const notObject = await d.dispatch('system.ping', 'text', ctx);
    expect(notObject).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });

  it('checks the output against the contract', async () => {
    const errors: string[] = [];
    const d = createDispatcher(handlers({ 'system.ping': () => ({ text: 1 }) as never }), { onInternalError: (m) => errors.push(m) });
    expect(await d.dispatch('system.ping', { text: 'x' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid_output' } });
    expect(errors).toEqual(['system.ping']);
  });

  it('passes LifelineError codes through and hides unexpected errors', async () => {
    const d = createDispatcher(
      handlers({
        'system.ping': () => {
          throw new LifelineError('rate_limited', 'Slow down.', { retryAfterMs: 1000 });
        },
        'settings.get': () => {
          throw new Error('SQLITE_IOERR at /secret/path');
        },
      }),
    );
    expect(await d.dispatch('system.ping', { text: 'x' }, ctx)).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Slow down.', details: { retryAfterMs: 1000 } },
    });
    const hidden = await d.dispatch('settings.get', {}, ctx);
    expect(hidden).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(hidden)).not.toContain('/secret/path');
  });
});
