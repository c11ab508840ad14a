import type { BrowserWindowConstructorOptions } from 'electron';
import path from 'node:path';
import { MIN_WINDOW_SIZE, type WindowPlacement } from './window-state';

/** The page background before the renderer paints, matching its light and dark themes (no white flash). */
export const WINDOW_BACKGROUND = { light: '#f5f7fa', dark: '#0f1217' } as const;

export interface MainWindowInputs {
  readonly placement: WindowPlacement;
  readonly dark: boolean;
  readonly preloadPath: string;
  /** Absent when the icon file is missing (the window system's default is used). */
  readonly iconPath: string | undefined;
  /** DevTools only in development builds. */
  readonly devTools: boolean;
}

/** The main window's options. Pure (type-only electron import) so the security settings are unit-tested. */
export function mainWindowOptions(inputs: MainWindowInputs): BrowserWindowConstructorOptions {
  const { placement } = inputs;
  return {
    title: 'Lifeline',
    ...(inputs.iconPath ? { icon: inputs.iconPath } : {}),
    ...(placement.x !== undefined && placement.y !== undefined ? { x: placement.x, y: placement.y } : { center: true }),
    width: placement.width,
    height: placement.height,
    minWidth: Math.min(MIN_WINDOW_SIZE.width, placement.width),
    minHeight: Math.min(MIN_WINDOW_SIZE.height, placement.height),
    show: false,
    backgroundColor: inputs.dark ? WINDOW_BACKGROUND.dark : WINDOW_BACKGROUND.light,
    webPreferences: {
      preload: path.resolve(inputs.preloadPath),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      // On Linux and Windows the spellchecker downloads dictionaries from Google: no network calls unasked.
      spellcheck: false,
      devTools: inputs.devTools,
    },
  };
}
