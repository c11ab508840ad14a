import type { Database } from 'better-sqlite3';
import { Settings } from '../../../contract';
import type { Clock } from '../clock';
import type { EventBus } from '../events';

const DEFAULTS: Settings = { language: 'system', theme: 'system' };

/** App settings stored as JSON values in the core `settings` table. */
export class SettingsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {}

  get(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const stored: Record<string, unknown> = {};
    for (const row of rows) {
      try {
        stored[row.key] = JSON.parse(row.value);
      } catch {
        // A value we cannot read falls back to its default rather than breaking the app.
      }
    }
    const merged = { ...DEFAULTS, ...stored };
    const parsed = Settings.safeParse(merged);
    return parsed.success ? parsed.data : DEFAULTS;
  }

  update(patch: Partial<Settings>): Settings {
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    const now = this.clock.now();
    this.db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) {
        if (value !== undefined) upsert.run(key, JSON.stringify(value), now);
      }
    })();
    const settings = this.get();
    this.events.emit('settings.changed', settings);
    return settings;
  }
}
