/**
 * The IPC channel names and the bridge's shape, shared by the main process and the preload. No imports: the
 * sandboxed preload bundles this file and may only require 'electron'.
 */
export const IPC_CALL_CHANNEL = 'lifeline:call';
export const IPC_EVENT_CHANNEL = 'lifeline:event';

/** What `window.lifeline` is in the desktop app; the renderer's IPC client declares the same shape. */
export interface LifelineBridge {
  /** Calls a contract method; always resolves to the envelope `{ ok, value } | { ok: false, error }`. */
  call(method: string, input?: unknown): Promise<unknown>;
  /** Listens to one app event; returns the function that stops listening. */
  on(event: string, handler: (payload: unknown) => void): () => void;
}

/** What the main process sends on IPC_EVENT_CHANNEL. */
export interface IpcEventMessage {
  readonly name: string;
  readonly payload: unknown;
}

/** Method and event names: dotted lower-camel words, as in the contract. */
export const IPC_NAME_PATTERN = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;
export const MAX_IPC_NAME_LENGTH = 120;
