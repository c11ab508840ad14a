import { LifelineError, type SystemInfo } from '../../contract';
import type { Clock } from '../services/clock';
import type { SettingsService } from '../services/settings/settings-service';
import type { Handlers } from '../dispatcher';

type SystemMethod = 'system.info' | 'system.ping' | 'system.pickPaths' | 'settings.get' | 'settings.update';

/** The desktop shell's native picker; empty when the person cancels. */
export type PathPicker = (request: { kind: 'folder' | 'files'; title?: string | undefined }) => Promise<string[]>;

export function createSystemHandlers(deps: {
  info: () => SystemInfo;
  clock: Clock;
  settings: SettingsService;
  pickPaths?: PathPicker | undefined;
}): Pick<Handlers, SystemMethod> {
  return {
    'system.info': () => deps.info(),
    'system.ping': ({ text }) => ({ text, at: deps.clock.now() }),
    'system.pickPaths': async (request, ctx) => {
      // Only the desktop window may open a dialog on this computer; a web page (even on loopback) types paths.
      if (!deps.pickPaths || ctx.transport !== 'ipc') {
        throw new LifelineError('unavailable', 'Choosing with a picker needs the desktop app. Type the path instead.');
      }
      return { paths: await deps.pickPaths(request) };
    },
    'settings.get': () => deps.settings.get(),
    'settings.update': (patch) => deps.settings.update(patch),
  };
}
