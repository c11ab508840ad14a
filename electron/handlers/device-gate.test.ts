import { afterEach, describe, expect, it } from 'vitest';
import { memorySessionSlot } from '../dispatcher';
import { createKit, createVerifiedAccount, STRONG_PASSWORD, type Kit } from './account-test-kit';
import { createDeviceAccountGate } from '../services/account/device-gate';

let kit: Kit | undefined;
afterEach(() => {
  kit?.close();
  kit = undefined;
});

describe('the devices gate over the real account services', () => {
  it('knows the signed-in account and refuses a caller without a session', async () => {
    kit = createKit();
    const { accountId, client } = await createVerifiedAccount(kit, { email: 'rani@mail.com' });
    const gate = createDeviceAccountGate(kit.services);
    expect(gate.currentAccountId({ ip: client.ip, userAgent: 't', session: client.session })).toBe(accountId);
    expect(() => gate.currentAccountId({ ip: '1.2.3.4', userAgent: 't', session: memorySessionSlot() })).toThrow(expect.objectContaining({ code: 'not_signed_in' }));
  });

  it('checks passwords with the sign-in streak: ten wrong ones from one address block that address', async () => {
    kit = createKit();
    const { accountId } = await createVerifiedAccount(kit, { email: 'budi@mail.com' });
    const gate = createDeviceAccountGate(kit.services);
    const caller = { ip: '203.0.113.50', userAgent: 't' };
    expect(await gate.verifyPassword(accountId, STRONG_PASSWORD, caller)).toBe(true);
    for (let i = 0; i < 10; i++) expect(await gate.verifyPassword(accountId, `wrong ${i}`, caller)).toBe(false);
    await expect(gate.verifyPassword(accountId, STRONG_PASSWORD, caller)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await gate.verifyPassword(accountId, STRONG_PASSWORD, { ip: '203.0.113.51', userAgent: 't' })).toBe(true);
  });

  it('authenticates an owner by email, phone or account ID without a session, and says nothing on failure', async () => {
    kit = createKit();
    const { accountId } = await createVerifiedAccount(kit, { email: 'sari@mail.com', phone: '+6281234500001' });
    const gate = createDeviceAccountGate(kit.services);
    expect(await gate.authenticateOwner(' sari@mail.com ', STRONG_PASSWORD, '203.0.113.60')).toBe(accountId);
    expect(await gate.authenticateOwner('081234500001', STRONG_PASSWORD, '203.0.113.60')).toBe(accountId);
    expect(await gate.authenticateOwner(accountId, STRONG_PASSWORD, '203.0.113.60')).toBe(accountId);
    expect(await gate.authenticateOwner('nobody@mail.com', STRONG_PASSWORD, '203.0.113.60')).toBeUndefined();
    expect(await gate.authenticateOwner('not an identifier', 'x', '203.0.113.60')).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(await gate.authenticateOwner(accountId, `guess ${i}`, '203.0.113.61')).toBeUndefined();
    // Blocked for an hour from that address, even with the right password; the owner elsewhere is not.
    expect(await gate.authenticateOwner(accountId, STRONG_PASSWORD, '203.0.113.61')).toBeUndefined();
    expect(await gate.authenticateOwner(accountId, STRONG_PASSWORD, '203.0.113.62')).toBe(accountId);
    kit.clock.advance(61 * 60_000);
    expect(await gate.authenticateOwner(accountId, STRONG_PASSWORD, '203.0.113.61')).toBe(accountId);
  });

  it('sends device alerts to every verified channel', async () => {
    kit = createKit();
    const { accountId } = await createVerifiedAccount(kit, { email: 'tono@mail.com', phone: '+6281234500002' });
    const gate = createDeviceAccountGate(kit.services);
    const facts = { kind: 'lost_device_reported' as const, device: 'Pixel', place: 'near Bandung, Indonesia', at: Date.UTC(2026, 10, 23, 8, 30) };
    await gate.notifyOwner(accountId, { subject: 'Pixel reported in', text: 'Your lost phone "Pixel" reported in near Bandung, Indonesia.', facts });
    expect(kit.outbox('tono@mail.com').at(-1)).toMatchObject({ subject: 'Pixel reported in', text: expect.stringContaining('near Bandung, Indonesia at 2026-11-23 08:30 UTC') });
    expect(kit.outbox('+6281234500002').at(-1)?.text).toContain('near Bandung');
    expect(gate.isRecoveryHoldActive(accountId)).toBe(false);
  });
});
