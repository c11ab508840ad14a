import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeCorpus, tempDir, writeExportFolder } from '../services/backup/test-support';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(repo, 'electron/cli/lifeline.ts');

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: repo,
    env: { ...process.env, LIFELINE_PASSPHRASE: 'cli test passphrase', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('lifeline CLI', () => {
  it('init, backup a phone export, restore it, and backing up the restored folder adds nothing', async () => {
    const base = tempDir('lifeline-cli-');
    const store = path.join(base, 'store');
    const corpus = makeCorpus(path.join(base, 'src'), 3);
    await writeExportFolder(corpus);

    expect((await cli(['store', 'init', '--store', store, '--kdf-log-n', '12', '--chunk-sizes', '1024,4096,16384', '--pack-size', '65536'])).code).toBe(0);
    const b1 = await cli(['backup', '--store', store, '--device', 'Ana phone', '--json', corpus.root]);
    expect(b1.code, b1.stderr).toBe(0);
    const r1 = JSON.parse(b1.stdout) as { snapshot: string; digest: { value: string }; totals: { items: number }; kinds: Record<string, { items: number }> };
    expect(r1.kinds.sms?.items).toBe(60);
    expect(r1.kinds.contact?.items).toBe(10);

    const out = path.join(base, 'out');
    const rs = await cli(['restore', r1.snapshot.slice(0, 6), '--store', store, '--to', out, '--json']);
    expect(rs.code, rs.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'sms.xml'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'DCIM/Camera/IMG_0001.jpg')).equals(fs.readFileSync(path.join(corpus.root, 'DCIM/Camera/IMG_0001.jpg')))).toBe(true);

    const b2 = await cli(['backup', '--store', store, '--device', 'restored', '--json', out]);
    expect(b2.code, b2.stderr).toBe(0);
    const r2 = JSON.parse(b2.stdout) as { digest: { value: string }; totals: { newBytes: number; storedBytes: number; items: number } };
    expect(r2.totals.items).toBe(r1.totals.items);
    expect(r2.totals.newBytes).toBe(0);
    expect(r2.digest.value).toBe(r1.digest.value);

    // A target that is not empty is refused; a dry run says what would be written.
    const again = await cli(['restore', 'latest', '--store', store, '--to', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not empty.*--overwrite/);
    const dry = await cli(['restore', 'latest', '--store', store, '--to', out, '--dry-run', '--only', 'messages', '--json']);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, files: [{ path: 'sms.xml', exists: true }] });

    const wrong = await cli(['snapshots', '--store', store, '--json'], { LIFELINE_PASSPHRASE: 'nope nope nope' });
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stderr)).toMatchObject({ error: { code: 'wrong_passphrase' } });

    const verify = await cli(['verify', '--store', store, '--read-data-subset', '50%']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/No problems found/);

    const usage = await cli(['ls', '--store', store]);
    expect(usage.code).toBe(2);
  }, 120_000);

  it('refuses a weak passphrase for a new store and creates nothing', async () => {
    const store = path.join(tempDir('lifeline-cli-weak-'), 'store');
    const weak = await cli(['store', 'init', '--store', store, '--json'], { LIFELINE_PASSPHRASE: 'password123' });
    expect(weak.code).toBe(1);
    expect(JSON.parse(weak.stderr)).toMatchObject({ error: { code: 'weak_password' } });
    expect(fs.existsSync(path.join(store, 'config'))).toBe(false);
  }, 60_000);
});
