import { describe, expect, it } from 'vitest';
import { memorySessionSlot, type CallContext } from '../dispatcher';
import { ManualClock } from '../services/clock';
import type { SettingsService } from '../services/settings/settings-service';
import { createSystemHandlers, type PathPicker } from './system-handlers';

const ctx = (transport: CallContext['transport']): CallContext => ({ transport, ip: '127.0.0.1', userAgent: 't', session: memorySessionSlot() });
const info = () => {
  throw new Error('not used');
};
// The picker tests never touch settings.
const settings = {} as SettingsService;

describe('system.pickPaths', () => {
  it("opens the desktop's picker for the desktop window only", async () => {
    const asked: Parameters<PathPicker>[0][] = [];
    const pickPaths: PathPicker = async (request) => {
      asked.push(request);
      return ['/home/ana/Phone export'];
    };
    const handlers = createSystemHandlers({ info, clock: new ManualClock(), settings, pickPaths });
    await expect(handlers['system.pickPaths']({ kind: 'folder', title: 'Choose a folder' }, ctx('ipc'))).resolves.toEqual({ paths: ['/home/ana/Phone export'] });
    expect(asked).toEqual([{ kind: 'folder', title: 'Choose a folder' }]);
    // A page on the web host must not open dialogs on the computer running it.
    await expect(handlers['system.pickPaths']({ kind: 'folder' }, ctx('http'))).rejects.toMatchObject({ code: 'unavailable' });
    expect(asked).toHaveLength(1);
  });

  it('says to type the path where there is no picker', async () => {
    const handlers = createSystemHandlers({ info, clock: new ManualClock(), settings });
    await expect(handlers['system.pickPaths']({ kind: 'files' }, ctx('ipc'))).rejects.toThrow(/Type the path/);
  });
});
