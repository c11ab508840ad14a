import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * These modules hold the shell's decisions and must load under plain Node (tests, and the preload's bundle for
 * ipc-channels). A value import of 'electron' would make them fail where no Electron binary exists.
 */
const pureModules = ['security.ts', 'app-files.ts', 'ipc-channels.ts', 'ipc-core.ts', 'window-state.ts', 'window-options.ts', 'menu.ts', 'paths.ts'];

describe('pure shell modules', () => {
  it.each(pureModules)('%s imports electron for types only', (file) => {
    const source = fs.readFileSync(path.join(__dirname, file), 'utf8');
    const electronImports = source.match(/^import\s[^;]*from\s+['"]electron['"]/gm) ?? [];
    for (const line of electronImports) expect(line).toMatch(/^import type\s/);
    expect(source).not.toMatch(/require\(['"]electron['"]\)/);
  });

  it('ipc-channels.ts imports nothing, because the sandboxed preload bundles it', () => {
    const source = fs.readFileSync(path.join(__dirname, 'ipc-channels.ts'), 'utf8');
    expect(source).not.toMatch(/^import\s/m);
  });
});
