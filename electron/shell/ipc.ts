import { ipcMain, webContents as allWebContents, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { LifelineApp } from '../app';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './ipc-channels';
import { createIpcCallHandler, IpcWindowStates, toIpcEventMessage, type IpcCaller } from './ipc-core';
import { isAppUrl } from './security';

export interface IpcAdapter {
  /** Starts tracking a window's webContents so its session is dropped when it is destroyed. */
  track(contents: WebContents): void;
  /** Stops answering calls and forwarding events; calls still running are aborted. */
  dispose(): void;
}

function callerOf(event: IpcMainInvokeEvent): IpcCaller {
  const frame = event.senderFrame;
  let facts: IpcCaller['frame'];
  try {
    // A frame that navigated or was destroyed throws on access; then the call is refused as untrusted.
    facts = frame && !frame.isDestroyed() ? { url: frame.url, isMainFrame: frame.parent === null } : undefined;
  } catch {
    facts = undefined;
  }
  return { webContentsId: event.sender.id, frame: facts, userAgent: event.sender.getUserAgent() };
}

/** The IPC transport: one `lifeline:call` handler in front of the dispatcher, and app events out to the windows. */
export function registerIpc(app: LifelineApp): IpcAdapter {
  const windows = new IpcWindowStates();
  const handleCall = createIpcCallHandler(app.dispatcher, windows);
  const tracked = new Set<number>();

  ipcMain.handle(IPC_CALL_CHANNEL, (event, ...args: unknown[]) => handleCall(callerOf(event), args));

  const unsubscribe = app.events.subscribe((event) => {
    const message = toIpcEventMessage(event);
    for (const contents of allWebContents.getAllWebContents()) {
      if (contents.isDestroyed() || contents.getType() !== 'window' || !isAppUrl(contents.getURL())) continue;
      contents.send(IPC_EVENT_CHANNEL, message);
    }
  });

  return {
    track(contents) {
      const id = contents.id;
      if (tracked.has(id)) return;
      tracked.add(id);
      contents.once('destroyed', () => {
        tracked.delete(id);
        windows.release(id);
      });
    },
    dispose() {
      ipcMain.removeHandler(IPC_CALL_CHANNEL);
      unsubscribe();
      windows.releaseAll();
    },
  };
}
