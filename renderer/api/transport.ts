import type { Envelope } from '../../contract';

/**
 * How the renderer reaches the dispatcher. Untyped on purpose: the typed surface is `LifelineClient`,
 * and the far side validates every input and output against the contract anyway.
 */
export interface Transport {
  call(method: string, input: unknown): Promise<Envelope<unknown>>;
  /** Subscribes to one event by name; returns the unsubscribe function. */
  on(event: string, handler: (payload: unknown) => void): () => void;
}

/** Messages for failures the transport itself sees (the dispatcher writes its own). */
export const transportErrors = {
  unreachable: 'Lifeline is not answering. Check that it is still running, then try again.',
  unreadable: 'Lifeline sent an answer this page cannot read. Reload the page; if it keeps happening, restart Lifeline.',
  unauthorized: 'Open Lifeline from the link the host printed (it ends with #token=...).',
} as const;
