// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../../contract';
import type { ShopPhones, ShopStatus, ShopTicket } from '../../../contract/shop';
import type { MemoryHandler } from '../../api/memory-transport';
import { renderLifeline } from '../../app/test-support';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

const ok = <T,>(value: T): Envelope<T> => ({ ok: true, value });

function baseTicket(over: Partial<ShopTicket> = {}): ShopTicket {
  return {
    id: 't1', number: 'S-0001', customerName: 'Dewi', contact: '+62812', device: 'Redmi', problem: 'Screen', step: 'connect', createdAt: 1, updatedAt: 1,
    consentBackup: true, consentRetention: true, serial: null, identity: null, readiness: null,
    backup: { status: 'none', snapshot: null, device: 'Ticket S-0001', counts: [], verified: false, message: null, stagedFiles: 0, finishedAt: null },
    readyForReset: null, restore: null, deleteAfter: null,
    audit: [{ id: 1, ticketId: 't1', at: 1, operator: 'Ayu', action: 'ticket.created', detail: 'S-0001' }],
    ...over,
  };
}

function far(state: { status: ShopStatus; ticket: ShopTicket; phones: ShopPhones }) {
  const calls: { method: string; input: unknown }[] = [];
  const h = (method: string, fn: (input: Record<string, unknown>) => Envelope<unknown>): [string, MemoryHandler] => [method, (input) => {
    calls.push({ method, input });
    return fn(input as Record<string, unknown>);
  }];
  const handlers = Object.fromEntries([
    h('shop.status', () => ok(state.status)),
    h('shop.ticketsList', () => ok({ tickets: [] })),
    h('shop.storeUnlock', () => {
      state.status = { ...state.status, store: { exists: true, unlocked: true } };
      return ok(state.status);
    }),
    h('shop.ticketCreate', () => ok(state.ticket)),
    h('shop.ticketGet', () => ok(state.ticket)),
    h('shop.phones', () => ok(state.phones)),
    h('shop.connect', () => ({ ok: false, error: { code: 'device_unreachable', message: 'The phone has not allowed this computer yet. Unlock the phone and tap "Allow".' } })),
  ]);
  return { handlers, calls };
}

const status: ShopStatus = { store: { exists: false, unlocked: false }, settings: { retentionDays: 30, adbServer: null, adbPath: null }, running: null };

async function openShop(handlers: Record<string, MemoryHandler>) {
  const harness = await renderLifeline({ handlers });
  await act(async () => {
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Shop' }));
  });
  return harness;
}

describe('the Shop panel', () => {
  it('creates the shop store, asks for the operator before a ticket, then opens the ticket with the connect checklist', async () => {
    const phones: ShopPhones = { server: '127.0.0.1:5037', serverSource: 'default', problem: null, phones: [
      { serial: 'A1', state: 'device', model: 'Pixel 8', product: 'shiba' },
      { serial: 'B2', state: 'device', model: 'SM-A546E', product: 'a54x' },
      { serial: 'C3', state: 'unauthorized', model: null, product: null },
    ] };
    const f = far({ status, ticket: baseTicket(), phones });
    await openShop(f.handlers);
    expect(screen.getByText('No tickets yet. Create a ticket when a customer brings a phone in.')).toBeTruthy();
    const lock = screen.getByRole('form', { name: 'Shop backup store' });
    fireEvent.change(within(lock).getByLabelText('Shop passphrase'), { target: { value: 'counter passphrase' } });
    await act(async () => {
      fireEvent.click(within(lock).getByRole('button', { name: 'Create shop store' }));
    });
    expect(f.calls.find((c) => c.method === 'shop.storeUnlock')?.input).toEqual({ passphrase: 'counter passphrase', create: true });
    expect(screen.queryByRole('form', { name: 'Shop backup store' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Create a ticket' }));
    const form = screen.getByRole('form', { name: 'Create a ticket' });
    await act(async () => {
      fireEvent.click(within(form).getByRole('button', { name: 'Create ticket' }));
    });
    expect(within(form).getByRole('alert').textContent).toMatch(/Type your name as operator/);
    fireEvent.change(screen.getByLabelText('Operator'), { target: { value: 'Ayu' } });
    fireEvent.change(within(form).getByLabelText('Customer name'), { target: { value: 'Dewi' } });
    fireEvent.click(within(form).getByLabelText(/agrees to a backup/));
    await act(async () => {
      fireEvent.click(within(form).getByRole('button', { name: 'Create ticket' }));
    });
    expect(f.calls.find((c) => c.method === 'shop.ticketCreate')?.input).toMatchObject({ operator: 'Ayu', customerName: 'Dewi', consentBackup: true, consentRetention: false });
    expect(localStorage.getItem('lifeline.shop.operator')).toBe('Ayu');

    const connect = screen.getByRole('region', { name: 'Connect' });
    expect(within(connect).getByRole('group', { name: /Several phones are connected/ })).toBeTruthy();
    expect(within(connect).getByRole('alert').textContent).toMatch(/has not allowed this computer yet/);
    expect((within(connect).getByRole('radio', { name: /C3/ }) as HTMLInputElement).disabled).toBe(true);
    const button = within(connect).getByRole('button', { name: 'Connect this phone' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    fireEvent.click(within(connect).getByRole('radio', { name: /B2/ }));
    await act(async () => {
      fireEvent.click(button);
    });
    expect(f.calls.find((c) => c.method === 'shop.connect')?.input).toEqual({ ticketId: 't1', operator: 'Ayu', serial: 'B2' });
    expect(screen.getAllByRole('alert').some((a) => /tap "Allow"/.test(a.textContent ?? ''))).toBe(true);
  });

  it('shows the verdict with what the customer must do, the lost-mode warning, and refused kinds as "not allowed"', async () => {
    localStorage.setItem('lifeline.shop.operator', 'Ayu');
    const ticket = baseTicket({
      step: 'ready',
      serial: 'A1',
      readiness: {
        verdict: 'not_ready', summary: 'Not ready: Mi account (1: 61•••89).', checkedAt: 1,
        evidence: [{ id: 'xiaomi_accounts', label: 'Mi account (Xiaomi)', value: '1: 61•••89', status: 'blocker' }],
        instructions: [{ code: 'xiaomi_sign_out', text: 'Remove the Mi account: Settings > Mi Account > Sign out.' }],
        lifeline: { enrolled: true, activationLock: true, lostMode: true, recoveredWithin24h: false },
      },
      backup: { status: 'verified', snapshot: 'abcd1234', device: 'Ticket S-0001', verified: true, message: null, stagedFiles: 0, finishedAt: 2, counts: [
        { kind: 'sms', status: 'refused', onPhone: null, inBackup: null, note: 'Not allowed on this phone: Permission Denial' },
        { kind: 'contacts', status: 'ok', onPhone: 40, inBackup: 39, note: '1 exact copy stored once.' },
      ] },
    });
    const f = far({ status: { ...status, store: { exists: true, unlocked: true } }, ticket, phones: { server: '127.0.0.1:5037', serverSource: 'env', problem: null, phones: [] } });
    f.handlers['shop.ticketsList'] = () => ok({ tickets: [ticket] });
    await openShop(f.handlers);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Open ticket S-0001 for Dewi' }));
    });
    const readiness = screen.getByRole('region', { name: 'Lock readiness' });
    expect(within(readiness).getByRole('status', { name: 'Verdict' }).textContent).toBe('Not ready');
    expect(within(readiness).getByRole('list', { name: 'What the customer must do' }).textContent).toMatch(/Mi Account > Sign out/);
    expect(within(readiness).getByRole('alert').textContent).toMatch(/lost mode/);
    const table = within(screen.getByRole('region', { name: 'Backup' })).getByRole('table', { name: 'On the phone and in the backup' });
    const sms = within(table).getByRole('row', { name: /Text messages/ });
    expect(within(sms).getAllByRole('cell').map((c) => c.textContent)).toEqual(['not allowed', 'not allowed', 'Not allowed on this phone: Permission Denial']);
    const ready = screen.getByRole('region', { name: 'Ready for reset' });
    expect((within(ready).getByRole('button', { name: 'Mark ready with override' }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole('table', { name: 'Audit log' }).textContent).toMatch(/ticket\.created/);
  });
});

describe('phone names', () => {
  it('say the brand once', async () => {
    const { phoneName } = await import('./ticket-detail');
    expect(phoneName('Redmi', 'Redmi Note 13 Pro 5G')).toBe('Redmi Note 13 Pro 5G');
    expect(phoneName('samsung', 'Galaxy A54 5G')).toBe('samsung Galaxy A54 5G');
    expect(phoneName(null, 'Pixel 8')).toBe('Pixel 8');
    expect(phoneName('Google', null)).toBe('Google');
  });
});
