import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const eslint = new ESLint({ cwd: root });

async function restrictedImports(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries (DESIGN.md "Layout")', () => {
  it('keeps electron out of services, the host, contract and the renderer', async () => {
    for (const file of ['electron/services/x/y.ts', 'electron/host/x.ts', 'electron/app.ts', 'contract/x.ts', 'renderer/x.ts']) {
      expect(await restrictedImports(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toHaveLength(1);
    }
  });

  it('lets the shell, main.ts and the preload import electron', async () => {
    for (const file of ['electron/shell/window.ts', 'electron/main.ts', 'electron/preload.ts']) {
      expect(await restrictedImports(file, "import { app } from 'electron';\nexport const a = app;\n"), file).toEqual([]);
    }
  });

  it('keeps the renderer to contract/ and itself', async () => {
    expect(await restrictedImports('renderer/x.ts', "import fs from 'node:fs';\nexport const a = fs;\n")).toHaveLength(1);
    expect(await restrictedImports('renderer/x.ts', "import { createApp } from '../electron/app';\nexport const a = createApp;\n")).toHaveLength(1);
    expect(await restrictedImports('renderer/panels/a/x.ts', "import { methods } from '../../../contract';\nexport const a = methods;\n")).toEqual([]);
  });

  it('keeps contract/ free of Node and of the rest of the project', async () => {
    expect(await restrictedImports('contract/x.ts', "import path from 'path';\nexport const a = path;\n")).toHaveLength(1);
    expect(await restrictedImports('contract/x.ts', "import { x } from '../renderer/x';\nexport const a = x;\n")).toHaveLength(1);
  });

  it('keeps services away from the host and the shell', async () => {
    expect(await restrictedImports('electron/services/a/b.ts', "import { startHost } from '../../host/server';\nexport const a = startHost;\n")).toHaveLength(1);
  });
});
