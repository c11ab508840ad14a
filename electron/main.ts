// The Electron entry: one instance per data dir, the app:// page in a sandboxed window, IPC in front of the one
// dispatcher, and a quit that waits for the services to close. Bundled to dist/electron/main.cjs.
import { app, dialog, Menu, safeStorage, session } from 'electron';
import path from 'node:path';
import { createApp, type LifelineApp } from './app';
import { startAgentServer, type AgentServer } from './host/agent-server';
import { loadConfig, type LifelineConfig } from './config';
import { createEncryptedKeychain } from './services/backup/keychain';
import { ensureWritableDir } from './services/db/open';
import { applySecurityPolicy } from './shell/apply-security';
import { registerIpc, type IpcAdapter } from './shell/ipc';
import { appMenuTemplate } from './shell/menu';
import { shellPaths } from './shell/paths';
import { registerAppScheme, serveAppProtocol } from './shell/protocol';
import { APP_ENTRY_URL } from './shell/security';
import { createMainWindow, type MainWindow } from './shell/window';

const development = !app.isPackaged;
const paths = shellPaths(__dirname, app.isPackaged ? { resourcesPath: process.resourcesPath } : undefined);

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Says why Lifeline cannot start, in a dialog and on stderr, then exits without touching any data. */
function failToStart(error: unknown): void {
  const message = messageOf(error);
  process.stderr.write(`Lifeline cannot start: ${message}\n`);
  dialog.showErrorBox('Lifeline cannot start', message);
  app.exit(1);
}

// Both only work before ready: every renderer sandboxed whatever its options say, and app:// as a real origin.
app.enableSandbox();
registerAppScheme();

let config: LifelineConfig | undefined;
try {
  config = loadConfig(process.env);
  // Checked before Chromium puts its profile there: an unwritable data dir would otherwise look like a lost
  // single-instance lock and end this process without a word.
  ensureWritableDir(config.dataDir);
  // Chromium's profile (and with it the single-instance lock) lives with the data dir, so one data dir means one
  // instance, while a second data dir (a shop's second customer, a parallel test) runs beside it.
  app.setPath('userData', path.join(config.dataDir, 'electron'));
} catch (error) {
  config = undefined;
  void app.whenReady().then(() => failToStart(error));
}

if (config && !app.requestSingleInstanceLock()) {
  // The first instance shows its window (see 'second-instance'); this one has nothing to do.
  app.exit(0);
} else if (config) {
  start(config);
}

function start(config: LifelineConfig): void {
  let lifeline: LifelineApp | undefined;
  let ipc: IpcAdapter | undefined;
  let agent: AgentServer | undefined;
  let main: MainWindow | undefined;
  let quitState: 'running' | 'closing' | 'closed' = 'running';

  const openWindow = () => {
    main = createMainWindow({
      dataDir: config.dataDir,
      url: APP_ENTRY_URL,
      preloadPath: paths.preload,
      iconPath: paths.icon,
      devTools: development,
      onError: (what, error) => process.stderr.write(`Lifeline could not ${what}: ${messageOf(error)}\n`),
    });
    ipc?.track(main.window.webContents);
    main.window.once('closed', () => {
      main = undefined;
    });
  };

  const focusWindow = () => {
    if (!main || main.window.isDestroyed()) {
      if (lifeline && quitState === 'running') openWindow();
      return;
    }
    if (main.window.isMinimized()) main.window.restore();
    main.window.show();
    main.window.focus();
  };

  app.on('second-instance', focusWindow);
  app.on('activate', focusWindow);

  app.on('window-all-closed', () => {
    // macOS keeps apps running without windows; elsewhere closing the window is quitting.
    if (process.platform !== 'darwin') app.quit();
  });

  // Quitting waits for the services to finish what must not be cut in half (a backup's last commit, the
  // database checkpoint) before the process ends.
  app.on('before-quit', (event) => {
    if (quitState === 'closed') return;
    event.preventDefault();
    if (quitState === 'closing') return;
    quitState = 'closing';
    void (async () => {
      let code = 0;
      try {
        main?.saveState();
        ipc?.dispose();
        await agent?.close();
        await lifeline?.close();
      } catch (error) {
        code = 1;
        process.stderr.write(`Lifeline did not close cleanly: ${messageOf(error)}\n`);
      }
      quitState = 'closed';
      app.exit(code);
    })();
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  void app.whenReady().then(() => {
    // The default session exists only once the app is ready; no web contents exist before this point either.
    applySecurityPolicy(app, session.defaultSession);
    try {
      lifeline = createApp(config, {
        hostKind: 'desktop',
        // Folder and file pickers are the computer's own dialogs, attached to the app window.
        pickPaths: async ({ kind, title }) => {
          const properties: ('openDirectory' | 'openFile' | 'multiSelections')[] = kind === 'folder' ? ['openDirectory'] : ['openFile', 'multiSelections'];
          const options = { properties, ...(title ? { title } : {}) };
          const result = main ? await dialog.showOpenDialog(main.window, options) : await dialog.showOpenDialog(options);
          return result.canceled ? [] : result.filePaths;
        },
        // The backup passphrase may be remembered only encrypted by the OS keychain, never in plain text.
        backupKeychain: createEncryptedKeychain({
          dir: path.join(config.dataDir, 'keychain'),
          isAvailable: () => safeStorage.isEncryptionAvailable(),
          encrypt: (plain) => safeStorage.encryptString(plain),
          decrypt: (cipher) => safeStorage.decryptString(cipher),
        }),
        onInternalError: (method, error) =>
          process.stderr.write(`Lifeline: ${method} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`),
      });
    } catch (error) {
      // Nothing was opened, so there is nothing to close: leave at once (before-quit would wait for nothing).
      quitState = 'closed';
      failToStart(error);
      return;
    }
    serveAppProtocol(session.defaultSession, paths.rendererDir);
    ipc = registerIpc(lifeline);
    // Phones report over HTTP; without this listener "Add device" asks for LIFELINE_PUBLIC_URL instead.
    startAgentServer(lifeline.services.devices, { host: config.host, port: config.port, log: (line) => process.stderr.write(`${line}\n`) })
      .then((server) => {
        agent = server;
      })
      .catch((error: unknown) =>
        process.stderr.write(`Lifeline: phones cannot report to this computer (${messageOf(error)}); set LIFELINE_PORT to a free port.\n`),
      );
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform, development)));
    openWindow();
  });
}

export {};
