import path from 'node:path';

export interface ShellPaths {
  /** The built renderer (Vite output) served on app://. */
  readonly rendererDir: string;
  readonly preload: string;
  /** resources/ of the repository in development; the packaged app's resources dir otherwise. */
  readonly resourcesDir: string;
  readonly icon: string;
}

/**
 * Where the shell finds its files. `mainDir` is the directory of the bundled main.cjs (dist/electron/), in
 * development and inside the asar alike; resources are copied next to app.asar when packaged (extraResources).
 */
export function shellPaths(mainDir: string, packaged: { resourcesPath: string } | undefined): ShellPaths {
  const resourcesDir = packaged ? packaged.resourcesPath : path.join(mainDir, '..', '..', 'resources');
  return {
    rendererDir: path.join(mainDir, '..', 'renderer'),
    preload: path.join(mainDir, 'preload.cjs'),
    resourcesDir,
    icon: path.join(resourcesDir, 'icon.png'),
  };
}
