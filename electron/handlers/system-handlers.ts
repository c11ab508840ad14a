import type { SystemInfo } from '../../contract';
import type { Clock } from '../services/clock';
import type { SettingsService } from '../services/settings/settings-service';
import type { Handlers } from '../dispatcher';

type SystemMethod = 'system.info' | 'system.ping' | 'settings.get' | 'settings.update';

export function createSystemHandlers(deps: {
  info: () => SystemInfo;
  clock: Clock;
  settings: SettingsService;
}): Pick<Handlers, SystemMethod> {
  return {
    'system.info': () => deps.info(),
    'system.ping': ({ text }) => ({ text, at: deps.clock.now() }),
    'settings.get': () => deps.settings.get(),
    'settings.update': (patch) => deps.settings.update(patch),
  };
}
