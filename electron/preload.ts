// The whole bridge between the page and the main process: `window.lifeline.call` and `window.lifeline.on`, and
// nothing else. Runs sandboxed, where only 'electron' can be required, so it imports no package but that one.
import { contextBridge, ipcRenderer } from 'electron';
import {
  IPC_CALL_CHANNEL,
  IPC_EVENT_CHANNEL,
  IPC_NAME_PATTERN,
  MAX_IPC_NAME_LENGTH,
  type IpcEventMessage,
  type LifelineBridge,
} from './shell/ipc-channels';

type EventHandler = (payload: unknown) => void;

const handlers = new Map<string, Set<EventHandler>>();
let listening = false;

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_IPC_NAME_LENGTH && IPC_NAME_PATTERN.test(value);
}

function deliver(_event: unknown, message: unknown): void {
  if (typeof message !== 'object' || message === null) return;
  const { name, payload } = message as IpcEventMessage;
  if (typeof name !== 'string') return;
  for (const handler of [...(handlers.get(name) ?? [])]) {
    try {
      handler(payload);
    } catch (error) {
      // One broken listener must not keep the event from the others; the error still shows in the console.
      console.error(`A handler for the "${name}" event failed:`, error);
    }
  }
}

/** The input held something structured clone refuses (a function, a DOM node); nothing reached the main process. */
function uncopyable(method: string, error: unknown) {
  return {
    ok: false,
    error: {
      code: 'invalid_input',
      message: `Invalid input for ${method}: it cannot be sent (${error instanceof Error ? error.message : 'not copyable'}).`,
    },
  };
}

/** The main process did not answer: it is shutting down, or the call handler is gone. */
function unreachable(method: string) {
  return (error: unknown) =>
    error instanceof Error && /clone/i.test(error.message)
      ? uncopyable(method, error)
      : { ok: false, error: { code: 'unavailable', message: `${method} could not reach Lifeline, which may be closing. Restart Lifeline and try again.` } };
}

const bridge: LifelineBridge = {
  call(method, input) {
    if (!isName(method)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'bad_request', message: 'The method name must be a dotted name such as "system.info".' },
      });
    }
    if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
      return Promise.resolve({
        ok: false,
        error: { code: 'invalid_input', message: `Invalid input for ${method}: the input must be an object.` },
      });
    }
    try {
      return ipcRenderer.invoke(IPC_CALL_CHANNEL, method, input ?? {}).catch(unreachable(method));
    } catch (error) {
      return Promise.resolve(uncopyable(method, error));
    }
  },
  on(event, handler) {
    if (!isName(event)) throw new TypeError('lifeline.on: the event name must be a dotted name such as "settings.changed".');
    if (typeof handler !== 'function') throw new TypeError('lifeline.on: the handler must be a function.');
    if (!listening) {
      ipcRenderer.on(IPC_EVENT_CHANNEL, deliver);
      listening = true;
    }
    let set = handlers.get(event);
    if (!set) {
      set = new Set();
      handlers.set(event, set);
    }
    set.add(handler);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const current = handlers.get(event);
      current?.delete(handler);
      if (current?.size === 0) handlers.delete(event);
    };
  },
};

contextBridge.exposeInMainWorld('lifeline', bridge);
