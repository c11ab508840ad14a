// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackupCatalogItem, BackupDiff, BackupStoreStatus, Envelope } from '../../../contract';
import type { MemoryHandler } from '../../api/memory-transport';
import { renderLifeline } from '../../app/test-support';

// jsdom has no layout: give every element a size so the virtualizer has a viewport to fill.
const sizes = { offsetHeight: 480, offsetWidth: 640, clientHeight: 480, clientWidth: 640 };
const saved = new Map<string, PropertyDescriptor | undefined>();
beforeAll(() => {
  for (const [name, value] of Object.entries(sizes)) {
    saved.set(name, Object.getOwnPropertyDescriptor(HTMLElement.prototype, name));
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => value });
  }
});
afterAll(() => {
  for (const [name, d] of saved) if (d) Object.defineProperty(HTMLElement.prototype, name, d);
});
afterEach(cleanup);

const ok = <T,>(value: T): Envelope<T> => ({ ok: true, value });
const fail = (code: string, message: string): Envelope<never> => ({ ok: false, error: { code, message } }) as Envelope<never>;

const SNAP = 'a1b2c3d4'.repeat(8);
const snapshot = { id: SNAP, device: 'Ana phone', time: Date.UTC(2026, 0, 5, 10), hostname: 'pc', items: 500_010, bytes: 9e7, kinds: { sms: { items: 500_000, bytes: 8e7 } }, digest: 'd' };

function message(i: number): BackupCatalogItem {
  return { kind: 'sms', key: i.toString(16).padStart(64, '0'), identity: 'i', name: 'Budi', address: '+62811', thread: '+62811', date: Date.UTC(2020, 0, 1) + i * 60_000, size: 80, relPath: null, mime: null, preview: `message number ${i}`};
}

function farSide(status: Partial<BackupStoreStatus>, extra: Record<string, MemoryHandler> = {}) {
  let current: BackupStoreStatus = { dir: '/home/ana/.local/share/lifeline/backups', exists: false, unlocked: false, keychain: { available: false, remembered: false, reason: 'Needs the desktop app.' }, ...status };
  const handlers: Record<string, MemoryHandler> = {
    'backup.storeStatus': () => ok(current),
    'backup.init': (input) => {
      const { passphrase } = input as { passphrase: string };
      if (passphrase.length < 8) return fail('weak_password', 'Too short.');
      current = { ...current, exists: true, unlocked: true, snapshots: 0 };
      return ok(current);
    },
    'backup.unlock': (input) => {
      if ((input as { passphrase: string }).passphrase !== 'right horse battery') return fail('wrong_passphrase', 'That passphrase does not open this store. Check it and try again; nothing was changed.');
      current = { ...current, unlocked: true };
      return ok(current);
    },
    'account.passwordStrength': (input) => {
      const pw = (input as { password: string }).password;
      return ok({ score: pw.length > 14 ? 4 : 1, acceptable: pw.length > 10, warning: null, suggestions: [], problem: pw.length > 10 ? null : 'too short' });
    },
    'backup.snapshots': () => ok({ snapshots: [snapshot, { ...snapshot, id: 'f0e1d2c3'.repeat(8), time: snapshot.time + 86_400_000 }] }),
    'backup.overview': () => ok({ snapshot, counts: { messages: 500_000, contacts: 0, calls: 0, media: 2, notes: 0 }, threads: 1, preparedMs: 12 }),
    'backup.threads': () => ok({ items: [{ thread: '+62811', name: 'Budi', address: '+62811', count: 500_000, lastDate: Date.UTC(2026, 0, 1), lastKind: 'sms', lastPreview: 'see you at nine' }], total: 1, offset: 0 }),
    'backup.conversation': (input) => {
      const { offset, limit } = input as { offset: number; limit: number };
      const items = Array.from({ length: Math.max(0, Math.min(limit, 500_000 - offset)) }, (_, i) => message(offset + i));
      return ok({ items, total: 500_000, offset });
    },
    ...extra,
  };
  return handlers;
}

async function openBackup(handlers: Record<string, MemoryHandler>) {
  const harness = await renderLifeline({ handlers });
  await act(async () => {
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Backup' }));
  });
  return harness;
}

describe('the Backup panel: first use', () => {
  it('creates a store with the passphrase twice, the strength meter and the no-recovery warning; the keychain is offered only on the desktop', async () => {
    const { transport } = await openBackup(farSide({}));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Set up a backup store' }));
    });
    expect(screen.getByText(/nobody can open your backups/)).toBeTruthy();
    const remember = screen.getByRole('checkbox', { name: 'Remember the passphrase on this computer' }) as HTMLInputElement;
    expect(remember.disabled).toBe(true);
    expect(screen.getByText('Needs the desktop app.')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Passphrase'), { target: { value: 'tiger lamp orbit velvet' } });
    expect(await screen.findByRole('meter', { name: 'Passphrase strength' })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole('meter', { name: 'Passphrase strength' }).getAttribute('aria-valuenow')).toBe('4'));
    fireEvent.change(screen.getByLabelText('Type the passphrase again'), { target: { value: 'tiger lamp orbit velvet' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Create the store' }));
    });
    expect(screen.getByRole('alert').textContent).toMatch(/Tick the box/);
    expect(transport.calls.some((c) => c.method === 'backup.init')).toBe(false);
    fireEvent.click(screen.getByRole('checkbox', { name: 'I understand that a lost passphrase cannot be recovered' }));
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Create the store' }));
    });
    expect(transport.calls.find((c) => c.method === 'backup.init')?.input).toEqual({ passphrase: 'tiger lamp orbit velvet' });
    expect(await screen.findByRole('tab', { name: 'Back up now' })).toBeTruthy();
  });

  it('says so when the passphrase is wrong, and opens with the right one', async () => {
    await openBackup(farSide({ exists: true }));
    fireEvent.change(await screen.findByLabelText('Passphrase'), { target: { value: 'wrong one' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    });
    expect(screen.getByRole('alert').textContent).toMatch(/Wrong passphrase\..*does not open this store/);
    fireEvent.change(screen.getByLabelText('Passphrase'), { target: { value: 'right horse battery' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    });
    expect(await screen.findByRole('tab', { name: 'Snapshots' })).toBeTruthy();
  });
});

describe('the Backup panel: browsing', () => {
  it('shows a conversation of 500,000 messages as a virtualized list that asks only for the pages on screen', async () => {
    const { transport } = await openBackup(farSide({ exists: true, unlocked: true, snapshots: 2 }));
    await act(async () => {
      fireEvent.click(await screen.findByRole('tab', { name: 'Snapshots' }));
    });
    const open = await screen.findAllByRole('button', { name: /Open the snapshot of .* from Ana phone/ });
    await act(async () => {
      fireEvent.click(open[open.length - 1] as HTMLElement);
    });
    const threads = await screen.findByRole('list', { name: 'Conversations' });
    await act(async () => {
      fireEvent.click(await within(threads).findByRole('button', { name: 'Budi, 500000 messages' }));
    });
    const list = await screen.findByRole('list', { name: 'Messages' });
    await waitFor(() => expect(within(list).getAllByRole('listitem').length).toBeGreaterThan(0));
    const rows = within(list).getAllByRole('listitem');
    expect(rows.length).toBeLessThan(60);
    expect(rows[0]?.getAttribute('aria-setsize')).toBe('500000');
    const pages = transport.calls.filter((c) => c.method === 'backup.conversation').map((c) => (c.input as { offset: number }).offset);
    // The first page and the last (the conversation opens at its newest message); never the whole thread.
    expect(pages).toContain(0);
    expect(pages).toContain(499_900);
    expect(pages.length).toBeLessThan(6);
    expect(transport.calls.filter((c) => c.method === 'backup.conversation').every((c) => (c.input as { limit: number }).limit <= 100)).toBe(true);
  });

  it('shows a photo that cannot be decoded as a placeholder with its reason', async () => {
    const media = (name: string, i: number): BackupCatalogItem => ({ ...message(i), kind: 'media', name, relPath: `DCIM/${name}`, mime: 'image/jpeg', preview: null, thread: 'DCIM' });
    await openBackup(
      farSide(
        { exists: true, unlocked: true },
        {
          'backup.list': () => ok({ items: [media('good.jpg', 1), media('broken.jpg', 2)], total: 2, offset: 0 }),
          'backup.image': (input) =>
            (input as { key: string }).key === message(1).key
              ? ok({ status: 'ok', mime: 'image/jpeg', data: '/9j/2w==', width: 160, height: 120 })
              : ok({ status: 'undecodable', reason: 'This picture cannot be shown.' }),
        },
      ),
    );
    await act(async () => {
      fireEvent.click(await screen.findByRole('tab', { name: 'Snapshots' }));
    });
    const open = await screen.findAllByRole('button', { name: /Open the snapshot/ });
    await act(async () => {
      fireEvent.click(open[0] as HTMLElement);
    });
    await act(async () => {
      fireEvent.click(await screen.findByRole('tab', { name: /Photos/ }));
    });
    expect(await screen.findByRole('img', { name: 'broken.jpg cannot be shown' })).toBeTruthy();
    expect(((await screen.findByRole('img', { name: 'good.jpg' })) as HTMLImageElement).src).toMatch(/^data:image\/jpeg;base64,/);
  });
});

describe('the Backup panel: comparing snapshots', () => {
  it('shows added, changed and removed items per kind', async () => {
    const diff: BackupDiff = {
      from: SNAP,
      to: 'f0e1d2c3'.repeat(8),
      byKind: { sms: { added: 2, removed: 0, changed: 0 }, contact: { added: 0, removed: 1, changed: 1 } },
      entries: [
        { change: 'added', item: { ...message(7), preview: 'a brand new message' } },
        { change: 'removed', item: { ...message(8), kind: 'contact', name: 'Old Friend', preview: null } },
        { change: 'changed', item: { ...message(9), kind: 'contact', name: 'Moved Friend', preview: null } },
      ],
    };
    const { transport } = await openBackup(farSide({ exists: true, unlocked: true }, { 'backup.diff': () => ok(diff) }));
    await act(async () => {
      fireEvent.click(await screen.findByRole('tab', { name: 'Snapshots' }));
    });
    await act(async () => {
      fireEvent.click(await screen.findByRole('button', { name: 'Compare' }));
    });
    expect(transport.calls.find((c) => c.method === 'backup.diff')?.input).toMatchObject({ from: SNAP, to: 'f0e1d2c3'.repeat(8) });
    const table = await screen.findByRole('table', { name: 'Changes per kind' });
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(`^${name}`) });
    expect(within(row('Text messages')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['2', '0', '0']);
    expect(within(row('Contacts')).getAllByRole('cell').map((c) => c.textContent)).toEqual(['0', '1', '1']);
    expect(within(screen.getByRole('region', { name: 'Added items' })).getByText(/a brand new message/)).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Removed items' })).getByText(/Old Friend/)).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'Changed items' })).getByText(/Moved Friend/)).toBeTruthy();
  });
});

describe('Settings: keeping backups', () => {
  it('saves keep rules and prunes by them', async () => {
    let rules = {};
    const { transport } = await renderLifeline({
      handlers: farSide(
        { exists: true, unlocked: true },
        {
          'backup.retentionGet': () => ok(rules),
          'backup.retentionSet': (input) => ok((rules = input as object)),
          'backup.pruneNow': (input) =>
            ok({ keep: [], remove: [{ id: 'x'.repeat(64), device: 'Ana phone', time: Date.UTC(2025, 0, 1) }], dryRun: (input as { dryRun: boolean }).dryRun }),
        },
      ),
    });
    await act(async () => {
      fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Settings' }));
    });
    const section = await screen.findByRole('region', { name: 'Backups: how long to keep them' });
    fireEvent.change(await within(section).findByLabelText('Keep the last'), { target: { value: '5' } });
    fireEvent.change(within(section).getByLabelText('Monthly snapshots to keep'), { target: { value: '12' } });
    await act(async () => {
      fireEvent.click(within(section).getByRole('button', { name: 'Save rules' }));
    });
    expect(transport.calls.find((c) => c.method === 'backup.retentionSet')?.input).toEqual({ keepLast: 5, keepMonthly: 12 });
    expect(within(section).getByText('Rules saved.')).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(section).getByRole('button', { name: 'Prune now' }));
    });
    expect(transport.calls.find((c) => c.method === 'backup.pruneNow')?.input).toEqual({ dryRun: false });
    expect(within(section).getByText('1 snapshot was removed.')).toBeTruthy();
  });
});

describe('the Backup panel: the store disappears', () => {
  it('says the store folder is gone instead of showing an empty panel', async () => {
    let exists = true;
    await openBackup(
      farSide(
        { exists: true, unlocked: true },
        {
          'backup.storeStatus': () => ok({ dir: '/media/usb/backups', exists, unlocked: exists }),
          'backup.snapshots': () => {
            exists = false;
            return fail('store_missing', 'The backup store folder /media/usb/backups is gone (deleted, renamed, or its drive was removed).');
          },
        },
      ),
    );
    await act(async () => {
      fireEvent.click(await screen.findByRole('tab', { name: 'Snapshots' }));
    });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/The backup store is not there\..*is gone/));
    expect(screen.getByRole('button', { name: 'Set up a backup store' })).toBeTruthy();
  });
});

describe('the Backup panel: choosing what to back up', () => {
  const open = async (host: 'desktop' | 'web') => {
    const handlers = farSide({ exists: true, unlocked: true, snapshots: 0 }, { 'system.pickPaths': () => ok({ paths: ['/home/ana/Phone export', '/home/ana/sms.xml'] }) });
    const harness = await renderLifeline({ handlers, info: { host } });
    await act(async () => {
      fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Backup' }));
    });
    await screen.findByRole('tab', { name: 'Back up now' });
    return harness;
  };

  it("offers the computer's own picker in the desktop app and adds what was chosen", async () => {
    const { transport } = await open('desktop');
    fireEvent.change(screen.getByRole('textbox', { name: 'Folder or files to back up' }), { target: { value: '/home/ana/notes' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Choose files…' }));
    });
    expect(transport.calls.find((c) => c.method === 'system.pickPaths')?.input).toMatchObject({ kind: 'files' });
    expect((screen.getByRole('textbox', { name: 'Folder or files to back up' }) as HTMLTextAreaElement).value).toBe('/home/ana/notes\n/home/ana/Phone export\n/home/ana/sms.xml');
  });

  it('has no picker in the browser, where paths are typed', async () => {
    await open('web');
    expect(screen.queryByRole('button', { name: 'Choose folder…' })).toBeNull();
    expect(screen.getByText(/Type the path of a folder or file on the computer running Lifeline/)).toBeTruthy();
  });
});
