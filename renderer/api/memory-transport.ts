import type { Envelope } from '../../contract';
import type { Transport } from './transport';

export type MemoryHandler = (input: unknown) => Envelope<unknown> | Promise<Envelope<unknown>>;

export interface MemoryTransport extends Transport {
  /** Methods called so far, oldest first, for assertions. */
  readonly calls: { method: string; input: unknown }[];
  /** Delivers an event to the page as the host would. */
  emit(event: string, payload: unknown): void;
}

/**
 * A transport with the far side in memory: for component tests and for rendering panels without a host.
 * Methods without a handler answer `unknown_method`, like the dispatcher.
 */
export function createMemoryTransport(handlers: Record<string, MemoryHandler>): MemoryTransport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const calls: { method: string; input: unknown }[] = [];
  return {
    calls,
    async call(method, input) {
      calls.push({ method, input });
      const handler = handlers[method];
      if (!handler) return { ok: false, error: { code: 'unknown_method', message: `There is no method ${method}.` } };
      return handler(input);
    },
    on(event, handler) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(handler);
      return () => set.delete(handler);
    },
    emit(event, payload) {
      for (const handler of [...(listeners.get(event) ?? [])]) handler(payload);
    },
  };
}
