// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderLifeline } from '../../app/test-support';
import { device, fakeDevices } from './test-fixtures';

// Leaflet needs a real layout engine; the map has its own pure helpers' tests and is seen in Chromium (e2e).
vi.mock('./device-map', () => ({ DeviceMap: ({ label }: { label: string }) => <div role="region" aria-label={label} /> }));

beforeEach(() => localStorage.setItem('lifeline.account.signedIn', '1'));
afterEach(() => {
  cleanup();
  localStorage.clear();
});

async function openDevices(far = fakeDevices()) {
  const harness = await renderLifeline({ handlers: far.handlers });
  await act(async () => {
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Devices' }));
  });
  return { ...harness, far };
}

describe('the Devices panel', () => {
  it('explains that devices need an account and offers the way to Account', async () => {
    localStorage.removeItem('lifeline.account.signedIn');
    const { lifeline } = await openDevices();
    expect(screen.getByText(/No phones linked yet/)).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Go to Account' }));
    });
    expect(lifeline.stores.shell.getState().panel).toBe('account');
  });

  it('lists each phone with its state', async () => {
    await openDevices(
      fakeDevices({
        devices: [
          device({ lostMode: { state: 'on', message: 'Lost', phone: '+62 812 555' }, sim: { slot: 1, operator: 'Indosat' } }),
          device({ id: 'dev-2', name: 'Old tablet', online: true, activationLock: false, battery: { percent: 12, charging: true }, network: { type: 'wifi' }, sim: null, lastLocation: null }),
        ],
      }),
    );
    const list = screen.getByRole('list', { name: 'Linked phones' });
    const phone = within(list).getByRole('article', { name: 'Ana phone' });
    expect(phone.textContent).toContain('Pixel 8');
    expect(phone.textContent).toMatch(/Last seen \d+ (min|h|d) ago|Last seen just now/);
    expect(phone.textContent).toContain('64%');
    expect(phone.textContent).toContain('Mobile data · Telkomsel');
    expect(phone.textContent).toContain('Slot 2 · Indosat');
    expect(phone.textContent).toContain('Lost mode on');
    expect(phone.textContent).toContain('Activation lock on');
    const tablet = within(list).getByRole('article', { name: 'Old tablet' });
    expect(tablet.textContent).toContain('Online');
    expect(tablet.textContent).toContain('12%, charging');
    expect(tablet.textContent).toContain('No SIM');
    expect(tablet.textContent).toContain('Activation lock off');

    expect(screen.getByText('near Bandung, Indonesia')).toBeTruthy();
    expect(screen.getByRole('slider', { name: 'Time' })).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(tablet).getByRole('button', { name: 'Old tablet' }));
    });
    expect(screen.getByRole('heading', { name: 'Where Old tablet is' })).toBeTruthy();
  });

  it('shows a command moving from queued to delivered to done', async () => {
    const { transport, far } = await openDevices();
    fireEvent.change(screen.getByLabelText('Seconds'), { target: { value: '15' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Ring' }));
    });
    expect(far.state.commands[0]).toMatchObject({ type: 'ring', params: { seconds: 15 } });
    const sent = screen.getByRole('list', { name: 'Sent commands' });
    expect(within(sent).getByText('Status: Queued')).toBeTruthy();

    for (const status of ['delivered', 'done'] as const) {
      far.state.commands[0] = { ...far.state.commands[0]!, status };
      await act(async () => {
        transport.emit('devices.commandUpdated', { deviceId: 'dev-1', commandId: far.state.commands[0]!.id, type: 'ring', status });
      });
    }
    expect(within(sent).getByText('Status: Done')).toBeTruthy();
  });

  it('sends lost mode with the message and number, and offers to end it', async () => {
    const { far } = await openDevices();
    fireEvent.change(screen.getByLabelText('Message on the phone'), { target: { value: 'Please call me' } });
    fireEvent.change(screen.getByLabelText('Contact number'), { target: { value: '+62 812 555 0101' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Turn on lost mode' }));
    });
    expect(far.state.commands[0]).toMatchObject({ type: 'lost_mode', params: { message: 'Please call me', phone: '+62 812 555 0101' } });
  });

  it('erases only with the password and the name typed exactly', async () => {
    const { far } = await openDevices();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Erase phone…' }));
    });
    const dialog = screen.getByRole('dialog', { name: 'Erase Ana phone?' });
    const confirm = within(dialog).getByRole('button', { name: 'Erase phone' }) as HTMLButtonElement;
    expect(confirm.disabled).toBe(true);

    fireEvent.change(within(dialog).getByLabelText('Your password'), { target: { value: 'wrong password' } });
    expect(confirm.disabled).toBe(true);
    const nameField = within(dialog).getByLabelText("Type the phone's name, Ana phone, to confirm");
    fireEvent.change(nameField, { target: { value: 'Ana phon' } });
    expect(confirm.disabled).toBe(true);
    fireEvent.change(nameField, { target: { value: 'Ana phone' } });
    expect(confirm.disabled).toBe(false);

    await act(async () => {
      fireEvent.click(confirm);
    });
    expect(within(dialog).getByRole('alert').textContent).toContain('That password is not right');
    expect(far.state.commands).toEqual([]);

    fireEvent.change(within(dialog).getByLabelText('Your password'), { target: { value: far.state.password } });
    await act(async () => {
      fireEvent.click(confirm);
    });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(far.state.commands[0]?.type).toBe('erase');
  });

  it('shows the one-time code, its countdown, the QR code and the agent command', async () => {
    await openDevices(fakeDevices({ devices: [] }));
    expect(screen.getByText(/Choose Add device/)).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add device' }));
    });
    expect(screen.getByLabelText('One-time code').textContent).toBe('K7QX-4MPA');
    expect(screen.getByRole('timer').textContent).toMatch(/Expires in \d+:\d\d/);
    expect(screen.getByRole('img', { name: 'QR code with the link for this phone' })).toBeTruthy();
    expect(screen.getByText('npm run agent -- --url http://127.0.0.1:4321 --code K7QX-4MPA')).toBeTruthy();
  });
});
