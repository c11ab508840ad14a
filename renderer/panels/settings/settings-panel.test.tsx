// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderLifeline } from '../../app/test-support';

afterEach(() => {
  cleanup();
  delete document.documentElement.dataset.theme;
});

async function openSettings(options: Parameters<typeof renderLifeline>[0] = {}) {
  const harness = await renderLifeline(options);
  await act(async () => {
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Settings' }));
  });
  return harness;
}

describe('the Settings panel', () => {
  it('shows the saved choices', async () => {
    await openSettings({ settings: { language: 'en', theme: 'dark' } });
    expect((screen.getByRole('combobox', { name: 'Language' }) as HTMLSelectElement).value).toBe('en');
    const theme = screen.getByRole('group', { name: 'Theme' });
    expect((within(theme).getByRole('radio', { name: 'Dark' }) as HTMLInputElement).checked).toBe(true);
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('overrides the system theme and goes back to following it', async () => {
    const harness = await openSettings();
    expect(document.documentElement.dataset.theme).toBeUndefined();

    await act(async () => {
      fireEvent.click(screen.getByRole('radio', { name: 'Dark' }));
    });
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(harness.settings().theme).toBe('dark');

    await act(async () => {
      fireEvent.click(screen.getByRole('radio', { name: 'Same as this computer' }));
    });
    expect(document.documentElement.dataset.theme).toBeUndefined();
    expect(harness.settings().theme).toBe('system');
  });

  it('puts the old choice back and says why when the host refuses the change', async () => {
    await openSettings({
      handlers: {
        'settings.update': () => ({ ok: false, error: { code: 'unavailable', message: 'The settings file is read-only. Check the data folder permissions.' } }),
      },
    });
    await act(async () => {
      fireEvent.click(screen.getByRole('radio', { name: 'Light' }));
    });
    expect(screen.getByRole('alert').textContent).toContain('The settings file is read-only');
    expect((screen.getByRole('radio', { name: 'Same as this computer' }) as HTMLInputElement).checked).toBe(true);
    expect(document.documentElement.dataset.theme).toBeUndefined();
  });

  it('tells which copy of Lifeline this is', async () => {
    await openSettings();
    const main = screen.getByRole('main');
    expect(main.textContent).toContain('/home/ana/.local/share/lifeline');
    expect(main.textContent).toContain('0.1.0');
  });
});
