import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock';
import { applyMigrations } from '../db/migrate';
import { coreMigrations } from '../db/migrations/core';
import { closeDatabase, openDatabase } from '../db/open';
import { EventBus } from '../events';
import { SettingsService } from './settings-service';

describe('SettingsService', () => {
  it('keeps settings in the database across restarts and announces changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-settings-'));
    const clock = new ManualClock();
    const events = new EventBus();
    const seen: unknown[] = [];
    events.subscribe((e) => seen.push(e.payload));
    let db = openDatabase(dir);
    applyMigrations(db, 'core', coreMigrations, () => clock.now());
    const settings = new SettingsService(db, clock, events);
    expect(settings.get()).toEqual({ language: 'system', theme: 'system' });
    expect(settings.update({ theme: 'dark' })).toEqual({ language: 'system', theme: 'dark' });
    expect(seen).toEqual([{ language: 'system', theme: 'dark' }]);
    closeDatabase(db, dir);
    db = openDatabase(dir);
    expect(new SettingsService(db, clock, events).get().theme).toBe('dark');
    closeDatabase(db, dir);
  });

  it('falls back to defaults for unreadable stored values instead of failing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-settings-'));
    const db = openDatabase(dir);
    applyMigrations(db, 'core', coreMigrations, () => 1);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('theme', '{broken', 1);
    db.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)').run('language', '"klingon"', 1);
    expect(new SettingsService(db, new ManualClock(), new EventBus()).get()).toEqual({ language: 'system', theme: 'system' });
    closeDatabase(db, dir);
  });
});
