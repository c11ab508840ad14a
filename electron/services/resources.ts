import fs from 'node:fs';
import path from 'node:path';

/**
 * Finds a file under resources/ above the running code (bundles live in dist/..., a packaged app keeps
 * resources next to the asar) or the working directory. Undefined when it is nowhere.
 */
export function findResource(relative: string): string | undefined {
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  const starts = [typeof __dirname === 'string' ? __dirname : undefined, resourcesPath, process.cwd()].filter((d): d is string => Boolean(d));
  for (const start of starts) {
    let dir = start;
    for (let i = 0; i < 8; i++) {
      for (const candidate of [path.join(dir, 'resources', relative), path.join(dir, relative)]) {
        if (fs.existsSync(candidate)) return candidate;
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}
