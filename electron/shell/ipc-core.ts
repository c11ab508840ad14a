import type { Envelope } from '../../contract';
import { memorySessionSlot, type CallContext, type Dispatcher, type SessionSlot } from '../dispatcher';
import type { EmittedEvent } from '../services/events';
import type { IpcEventMessage } from './ipc-channels';
import { isTrustedSender, type SenderFrameFacts } from './security';

/**
 * The IPC adapter without Electron: sender and argument checks, per-window state, the dispatch call. Pure, so it
 * runs under Node tests against the real dispatcher; shell/ipc.ts feeds it Electron's facts.
 */

/** What the adapter knows about the caller of one IPC call. */
export interface IpcCaller {
  /** webContents id: one account session per window. */
  readonly webContentsId: number;
  /** The sending frame; undefined when it is already gone. */
  readonly frame: SenderFrameFacts | undefined;
  readonly userAgent: string;
}

interface WindowState {
  readonly session: SessionSlot;
  readonly abort: AbortController;
}

/** Per-window state: the account session and an abort signal for calls still running when the window goes. */
export class IpcWindowStates {
  private readonly states = new Map<number, WindowState>();

  get(webContentsId: number): WindowState {
    let state = this.states.get(webContentsId);
    if (!state) {
      state = { session: memorySessionSlot(), abort: new AbortController() };
      this.states.set(webContentsId, state);
    }
    return state;
  }

  /** The window is gone: forget its session (a reopened window signs in again) and abort its calls. */
  release(webContentsId: number): void {
    const state = this.states.get(webContentsId);
    if (!state) return;
    this.states.delete(webContentsId);
    state.session.set(undefined);
    state.abort.abort();
  }

  releaseAll(): void {
    for (const id of [...this.states.keys()]) this.release(id);
  }

  get size(): number {
    return this.states.size;
  }
}

export const MAX_METHOD_LENGTH = 120;

function refuse(code: 'forbidden' | 'bad_request' | 'invalid_input', message: string): Envelope<never> {
  return { ok: false, error: { code, message } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

export type IpcCallHandler = (caller: IpcCaller, args: readonly unknown[]) => Promise<Envelope<unknown>>;

/**
 * Answers one `lifeline:call`: `args` are what the page passed after the channel ([method, input]). Always
 * resolves to an envelope; a rich error never crosses to the page.
 */
export function createIpcCallHandler(dispatcher: Dispatcher, windows: IpcWindowStates): IpcCallHandler {
  return async (caller, args) => {
    if (!isTrustedSender(caller.frame)) {
      return refuse('forbidden', 'Only the Lifeline window itself may call the app. Reload the window and try again.');
    }
    if (args.length < 1 || args.length > 2) {
      return refuse('bad_request', 'A call takes a method name and one input object.');
    }
    const [method, input] = args;
    if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH) {
      return refuse('bad_request', 'The method name must be a short text such as "system.info".');
    }
    if (input !== undefined && input !== null && !isPlainObject(input)) {
      return refuse('invalid_input', `Invalid input for ${method.slice(0, 80)}: the input must be an object.`);
    }
    const state = windows.get(caller.webContentsId);
    const ctx: CallContext = {
      transport: 'ipc',
      ip: '127.0.0.1',
      userAgent: caller.userAgent.slice(0, 300),
      session: state.session,
      signal: state.abort.signal,
    };
    try {
      return await dispatcher.dispatch(method, input ?? {}, ctx);
    } catch {
      // The dispatcher never throws by contract; this keeps the promise to the page even if that breaks.
      return { ok: false, error: { code: 'internal', message: `${method.slice(0, 80)} failed unexpectedly. Try again; if it keeps failing, restart Lifeline.` } };
    }
  };
}

/** The message a window receives for one app event: name and payload, nothing of the bus internals. */
export function toIpcEventMessage(event: EmittedEvent): IpcEventMessage {
  return { name: event.name, payload: event.payload };
}
