import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type LifelineApp } from '../app';
import { loadConfig } from '../config';
import type { CallContext, Dispatcher } from '../dispatcher';
import { createIpcCallHandler, IpcWindowStates, toIpcEventMessage, type IpcCaller } from './ipc-core';
import { APP_ENTRY_URL } from './security';

const appWindow = (id = 1): IpcCaller => ({
  webContentsId: id,
  frame: { url: `${APP_ENTRY_URL}#/account`, isMainFrame: true },
  userAgent: 'Lifeline test',
});

describe('the IPC call handler with the real app', () => {
  let dataDir: string;
  let app: LifelineApp;
  let windows: IpcWindowStates;
  let call: ReturnType<typeof createIpcCallHandler>;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-ipc-'));
    app = createApp(loadConfig({ LIFELINE_DATA_DIR: dataDir }), { hostKind: 'desktop' });
    windows = new IpcWindowStates();
    call = createIpcCallHandler(app.dispatcher, windows);
  });

  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a call from the app window through the dispatcher', async () => {
    const answer = await call(appWindow(), ['system.ping', { text: 'hello' }]);
    expect(answer).toMatchObject({ ok: true, value: { text: 'hello' } });
    const info = await call(appWindow(), ['system.info']);
    expect(info).toMatchObject({ ok: true, value: { host: 'desktop', dataDir } });
  });

  it('refuses callers that are not the app main frame, before dispatching', async () => {
    const callers: IpcCaller[] = [
      { ...appWindow(), frame: { url: APP_ENTRY_URL, isMainFrame: false } },
      { ...appWindow(), frame: { url: 'https://evil.example/', isMainFrame: true } },
      { ...appWindow(), frame: { url: 'file:///tmp/index.html', isMainFrame: true } },
      { ...appWindow(), frame: undefined },
    ];
    for (const caller of callers) {
      const answer = await call(caller, ['settings.update', { theme: 'dark' }]);
      expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    const settings = await call(appWindow(), ['settings.get', {}]);
    expect(settings).toMatchObject({ ok: true, value: { theme: 'system' } });
  });

  it('refuses wrong argument types with envelopes, never by throwing', async () => {
    const cases: [unknown[], string][] = [
      [[], 'bad_request'],
      [['system.ping', { text: 'x' }, 'extra'], 'bad_request'],
      [[42, {}], 'bad_request'],
      [[{ toString: () => 'system.info' }, {}], 'bad_request'],
      [['x'.repeat(500), {}], 'bad_request'],
      [['system.ping', 'text'], 'invalid_input'],
      [['system.ping', ['text']], 'invalid_input'],
      [['system.ping', 7], 'invalid_input'],
      [['system.ping', new Date()], 'invalid_input'],
      [['system.ping', { text: 'x', extra: true }], 'invalid_input'],
      [['system.ping', { text: 5 }], 'invalid_input'],
      [['__proto__', {}], 'unknown_method'],
      [['constructor.name', {}], 'unknown_method'],
      [['system.nothing', {}], 'unknown_method'],
    ];
    for (const [args, code] of cases) {
      const answer = await call(appWindow(), args);
      expect(answer, JSON.stringify(args).slice(0, 80)).toMatchObject({ ok: false, error: { code } });
    }
  });

  it('turns an app event into a name-and-payload message', () => {
    const seen: unknown[] = [];
    const stop = app.events.subscribe((event) => seen.push(toIpcEventMessage(event)));
    app.events.emit('settings.changed', { language: 'id', theme: 'dark' });
    stop();
    expect(seen).toEqual([{ name: 'settings.changed', payload: { language: 'id', theme: 'dark' } }]);
  });
});

describe('per-window state', () => {
  function recordingDispatcher(seen: CallContext[]): Dispatcher {
    return {
      dispatch(_method, _input, ctx) {
        seen.push(ctx);
        return Promise.resolve({ ok: true, value: null });
      },
    };
  }

  it('gives each window its own session and marks calls as local IPC', async () => {
    const seen: CallContext[] = [];
    const windows = new IpcWindowStates();
    const call = createIpcCallHandler(recordingDispatcher(seen), windows);
    await call(appWindow(1), ['system.info']);
    seen[0]?.session.set('token-of-window-1');
    await call(appWindow(1), ['system.info']);
    await call(appWindow(2), ['system.info']);
    expect(seen.map((ctx) => ctx.transport)).toEqual(['ipc', 'ipc', 'ipc']);
    expect(seen.map((ctx) => ctx.ip)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(seen[1]?.session.get()).toBe('token-of-window-1');
    expect(seen[2]?.session.get()).toBeUndefined();
    expect(windows.size).toBe(2);
  });

  it('forgets a window session and aborts its calls when the window is destroyed', async () => {
    const seen: CallContext[] = [];
    const windows = new IpcWindowStates();
    const call = createIpcCallHandler(recordingDispatcher(seen), windows);
    await call(appWindow(7), ['system.info']);
    const first = seen[0];
    first?.session.set('secret-session');
    windows.release(7);
    expect(first?.signal?.aborted).toBe(true);
    expect(first?.session.get()).toBeUndefined();
    await call(appWindow(7), ['system.info']);
    expect(seen[1]?.session.get()).toBeUndefined();
    expect(seen[1]?.signal?.aborted).toBe(false);
    windows.release(99);
    windows.releaseAll();
    expect(windows.size).toBe(0);
  });

  it('answers an envelope even if a dispatcher breaks its promise and throws', async () => {
    const broken: Dispatcher = { dispatch: () => Promise.reject(new Error('boom with a secret')) };
    const answer = await createIpcCallHandler(broken, new IpcWindowStates())(appWindow(), ['system.info']);
    expect(answer).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(answer)).not.toContain('secret');
  });
});
