import type { Envelope } from '../../contract';
import { transportErrors, type Transport } from './transport';

/** Exactly what electron/preload.ts exposes on `window.lifeline`. */
export interface LifelineBridge {
  call(method: string, input: unknown): Promise<Envelope<unknown>>;
  on(event: string, handler: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    lifeline?: LifelineBridge;
  }
}

export function createIpcTransport(bridge: LifelineBridge): Transport {
  return {
    async call(method, input) {
      try {
        return await bridge.call(method, input);
      } catch {
        // Only a broken bridge throws; the main process answers failures as envelopes.
        return { ok: false, error: { code: 'unavailable', message: transportErrors.unreachable } };
      }
    },
    on: (event, handler) => bridge.on(event, handler),
  };
}
