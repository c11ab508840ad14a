import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { shopMethods, type ShopMethodName } from '../../contract/shop';
import { memorySessionSlot, type CallContext } from '../dispatcher';
import { ManualClock } from '../services/clock';
import { ShopService } from '../services/shop/shop-service';
import { createShopHandlers } from './shop-handlers';

const ctx: CallContext = { transport: 'internal', ip: '127.0.0.1', userAgent: 'test', session: memorySessionSlot() };

describe('shop handlers', () => {
  it('validate input and answer what the contract allows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-shop-handlers-'));
    const clock = new ManualClock();
    const service = new ShopService({ db: new BetterSqlite3(path.join(dir, 'app.db')), clock, dir: path.join(dir, 'shop'), emit: () => undefined, kdfLogN: 12, env: { LIFELINE_ADB_SERVER: '127.0.0.1:1' } });
    const handlers = createShopHandlers({ shop: service });
    const call = async <M extends ShopMethodName>(m: M, input: unknown): Promise<z.output<(typeof shopMethods)[M]['output']>> => {
      const spec = shopMethods[m];
      const parsed: unknown = spec.input.parse(input);
      const handler = handlers[m] as (i: unknown, c: CallContext) => unknown;
      return spec.output.parse(await handler(parsed, ctx)) as z.output<(typeof shopMethods)[M]['output']>;
    };
    expect(await call('shop.status', {})).toMatchObject({ store: { exists: false, unlocked: false }, settings: { retentionDays: 30 }, running: null });
    expect(await call('shop.storeUnlock', { passphrase: 'shop passphrase', create: true })).toMatchObject({ store: { exists: true, unlocked: true } });
    const t = await call('shop.ticketCreate', { operator: 'Ayu', customerName: 'Dewi', contact: '+62812', device: 'Redmi', problem: 'Screen', consentBackup: true, consentRetention: true });
    expect(t).toMatchObject({ number: 'S-0001', step: 'connect', backup: { status: 'none', device: 'Ticket S-0001' } });
    expect(() => shopMethods['shop.ticketCreate'].input.parse({ operator: '', customerName: 'x', contact: 'x', device: 'x', problem: 'x', consentBackup: true, consentRetention: true })).toThrow(/person at the counter/);
    expect(() => shopMethods['shop.markReady'].input.parse({ ticketId: t.id, operator: 'Ayu', overrideReason: 'short' })).toThrow(/10 characters/);
    expect((await call('shop.ticketsList', { query: 'dew' })).tickets).toHaveLength(1);
    expect((await call('shop.settingsUpdate', { retentionDays: 14 })).retentionDays).toBe(14);
    expect(() => shopMethods['shop.settingsUpdate'].input.parse({ adbServer: 'bad address' })).toThrow(/host:port/);
    await expect(call('shop.receipt', { ticketId: t.id, format: 'pdf' })).rejects.toMatchObject({ code: 'not_found' });
    await expect(call('shop.markReady', { ticketId: t.id, operator: 'Ayu' })).rejects.toMatchObject({ code: 'invalid_state' });
    const ready = await call('shop.markReady', { ticketId: t.id, operator: 'Ayu', overrideReason: 'Customer insists, data not needed' });
    expect(ready.audit[0]).toMatchObject({ action: 'ready.override', operator: 'Ayu' });
    expect(await call('shop.cancel', {})).toEqual({ cancelled: false });
    expect((await call('shop.audit', { ticketId: t.id })).entries.length).toBeGreaterThan(1);
    expect(await call('shop.retentionRun', {})).toEqual({ deleted: [] });
    const closed = await call('shop.close', { ticketId: t.id, operator: 'Ayu' });
    expect(closed.step).toBe('closed');
    await expect(call('shop.identify', { ticketId: t.id, operator: 'Ayu' })).rejects.toMatchObject({ code: 'invalid_state' });
  });
});
