import { BrowserWindow, nativeTheme, screen } from 'electron';
import fs from 'node:fs';
import { mainWindowOptions, WINDOW_BACKGROUND } from './window-options';
import { placeWindow, readWindowState, writeWindowState, type WindowState } from './window-state';

export interface MainWindowOptions {
  readonly dataDir: string;
  readonly url: string;
  readonly preloadPath: string;
  readonly iconPath: string;
  readonly devTools: boolean;
  /** Told when saving the window state fails; the window itself carries on. */
  readonly onError?: (what: string, error: unknown) => void;
}

export interface MainWindow {
  readonly window: BrowserWindow;
  /** Writes the current size and position now (also done on close and, debounced, on move and resize). */
  saveState(): void;
}

const SAVE_DELAY_MS = 750;

/** Creates the app window where it was last (if still on a display), shown once its first paint is ready. */
export function createMainWindow(options: MainWindowOptions): MainWindow {
  const workAreas = [screen.getPrimaryDisplay(), ...screen.getAllDisplays()].map((display) => display.workArea);
  const placement = placeWindow(readWindowState(options.dataDir), workAreas);
  const window = new BrowserWindow(
    mainWindowOptions({
      placement,
      dark: nativeTheme.shouldUseDarkColors,
      preloadPath: options.preloadPath,
      iconPath: fs.existsSync(options.iconPath) ? options.iconPath : undefined,
      devTools: options.devTools,
    }),
  );

  let lastSaved = '';
  const saveState = () => {
    if (window.isDestroyed() || window.isMinimized() || window.isFullScreen()) return;
    const state: WindowState = { bounds: window.getNormalBounds(), maximized: window.isMaximized() };
    const key = JSON.stringify(state);
    if (key === lastSaved) return;
    try {
      writeWindowState(options.dataDir, state);
      lastSaved = key;
    } catch (error) {
      options.onError?.('save the window size and position', error);
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(saveState, SAVE_DELAY_MS);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('maximize', saveSoon);
  window.on('unmaximize', saveSoon);
  window.on('close', () => {
    clearTimeout(timer);
    saveState();
  });

  const followTheme = () => {
    if (!window.isDestroyed()) window.setBackgroundColor(nativeTheme.shouldUseDarkColors ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light);
  };
  nativeTheme.on('updated', followTheme);
  window.once('closed', () => nativeTheme.off('updated', followTheme));

  window.once('ready-to-show', () => {
    if (placement.maximized) window.maximize();
    window.show();
  });
  // The page sets its own title from i18n; the window keeps "Lifeline" until it does.
  void window.loadURL(options.url).catch((error: unknown) => options.onError?.('load the app page', error));

  return { window, saveState };
}
