// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderLifeline, sandboxInfo } from './test-support';

afterEach(cleanup);

const panels = ['Account', 'Backup', 'Devices', 'Shop', 'Settings'] as const;

describe('the app shell', () => {
  it('opens on Account and switches panels from the Main navigation by role and name', async () => {
    await renderLifeline();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(screen.getByRole('heading', { level: 1, name: 'Account' })).toBeTruthy();

    for (const name of panels) {
      const item = within(nav).getByRole('button', { name });
      fireEvent.click(item);
      expect(screen.getByRole('heading', { level: 1, name })).toBeTruthy();
      expect(item.getAttribute('aria-current')).toBe('page');
      expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    }
  });

  it('explains the first step on every empty panel', async () => {
    await renderLifeline();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    const main = () => screen.getByRole('main');
    expect(main().textContent).toContain('Sign in or create an account to recover your password, see your devices and sessions.');
    expect(within(main()).getByRole('button', { name: 'Sign in' })).toBeTruthy();
    fireEvent.click(within(nav).getByRole('button', { name: 'Backup' }));
    expect(main().textContent).toMatch(/^.*No backups yet\. Set up a backup store/);
    fireEvent.click(within(nav).getByRole('button', { name: 'Devices' }));
    expect(main().textContent).toContain('No phones linked yet. Sign in, then add a phone to see it on the map.');
    fireEvent.click(within(nav).getByRole('button', { name: 'Shop' }));
    expect(main().textContent).toContain('No tickets yet. Create a ticket when a customer brings a phone in.');
  });

  it('takes a panel step and comes back from it', async () => {
    await renderLifeline();
    fireEvent.click(screen.getByRole('link', { name: 'Forgot password?' }));
    expect(await screen.findByText(/cannot be unlocked with the new password for 24 hours/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Back' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
  });

  it('shows the data dir and sandbox delivery in the status bar', async () => {
    await renderLifeline();
    const status = screen.getByRole('contentinfo');
    expect(status.textContent).toContain(sandboxInfo.dataDir);
    expect(status.textContent).toContain(`Sandbox delivery: messages go to ${sandboxInfo.delivery.outboxDir}`);
    expect(status.textContent).toContain('Web host');
    expect(status.textContent).not.toMatch(/Real delivery/);
  });

  it('shows real delivery when SMTP and the SMS webhook are configured', async () => {
    await renderLifeline({ info: { host: 'desktop', delivery: { mode: 'real', email: 'smtp', sms: 'webhook' } } });
    const status = screen.getByRole('contentinfo');
    expect(status.textContent).toContain('Real delivery: SMTP + SMS webhook');
    expect(status.textContent).toContain('Desktop app');
    expect(status.textContent).not.toMatch(/Sandbox/);
  });

  it('shows the test-hooks banner only when hooks are on', async () => {
    await renderLifeline({ info: { testHooks: true } });
    expect(screen.getByRole('status').textContent).toContain('Test hooks are on');
    cleanup();
    await renderLifeline();
    expect(screen.queryByRole('status')).toBeNull();
    expect(screen.queryByText('Test hooks are on')).toBeNull();
  });

  it('asks for the printed link when the host refuses the page', async () => {
    await renderLifeline({
      handlers: { 'system.info': () => ({ ok: false, error: { code: 'unauthorized', message: 'The token is missing or wrong.' } }) },
    });
    expect(screen.getByText('Open Lifeline from the link the host printed (it ends with #token=...).')).toBeTruthy();
    expect(screen.queryByRole('navigation')).toBeNull();
  });

  it('says when the host is not answering and tries again on request', async () => {
    let up = false;
    const { transport } = await renderLifeline({
      handlers: {
        'system.info': () =>
          up ? { ok: true, value: sandboxInfo } : { ok: false, error: { code: 'unavailable', message: 'Lifeline is not answering.' } },
      },
    });
    expect(screen.getByRole('alert').textContent).toContain('Lifeline is not answering');
    up = true;
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    });
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    expect(transport.calls.filter((c) => c.method === 'system.info')).toHaveLength(2);
  });
});
