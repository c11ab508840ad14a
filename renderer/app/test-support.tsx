import { act, render, type RenderResult } from '@testing-library/react';
import type { Envelope, Settings, SystemInfo } from '../../contract';
import { createMemoryTransport, type MemoryHandler, type MemoryTransport } from '../api/memory-transport';
import { createLifeline, type Lifeline } from './create-lifeline';

export const sandboxInfo: SystemInfo = {
  name: 'Lifeline',
  version: '0.1.0',
  dataDir: '/home/ana/.local/share/lifeline',
  host: 'web',
  delivery: { mode: 'sandbox', email: 'outbox', sms: 'outbox', outboxDir: '/home/ana/.local/share/lifeline/outbox' },
  testHooks: false,
};

export interface Harness {
  transport: MemoryTransport;
  lifeline: Lifeline;
  view: RenderResult;
  /** The host's copy of the settings, as settings.update left them. */
  settings: () => Settings;
}

/**
 * Renders the whole renderer against an in-memory far side that answers like the dispatcher:
 * system.info, settings.get and settings.update, plus any extra handlers a test adds.
 */
export async function renderLifeline(
  options: { info?: Partial<SystemInfo>; settings?: Settings; languages?: string[]; handlers?: Record<string, MemoryHandler> } = {},
): Promise<Harness> {
  let settings: Settings = options.settings ?? { language: 'system', theme: 'system' };
  const ok = <T,>(value: T): Envelope<T> => ({ ok: true, value });
  const transport = createMemoryTransport({
    'system.info': () => ok({ ...sandboxInfo, ...options.info }),
    'settings.get': () => ok(settings),
    'settings.update': (input) => {
      settings = { ...settings, ...(input as Partial<Settings>) };
      return ok(settings);
    },
    ...options.handlers,
  });
  const languages = options.languages ?? ['en-US'];
  const lifeline = createLifeline(transport, { root: document.documentElement, languages: () => languages });
  const view = render(lifeline.element);
  await act(() => lifeline.start());
  return { transport, lifeline, view, settings: () => settings };
}
