// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderLifeline } from '../app/test-support';
import { en, id, resolveLanguage } from './i18n';

afterEach(cleanup);

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

describe('translations', () => {
  it('has every English text in Indonesian too, and no extra ones', () => {
    expect(keys(id).sort()).toEqual(keys(en).sort());
  });

  it("follows the computer's language for 'system' and honours an explicit choice", () => {
    expect(resolveLanguage('system', ['id-ID', 'en-US'])).toBe('id');
    expect(resolveLanguage('system', ['en-GB', 'id'])).toBe('en');
    expect(resolveLanguage('system', ['fr-FR'])).toBe('en');
    expect(resolveLanguage('system', [])).toBe('en');
    expect(resolveLanguage('en', ['id-ID'])).toBe('en');
    expect(resolveLanguage('id', ['en-US'])).toBe('id');
  });
});

describe('switching language', () => {
  it('switches the whole window to Indonesian from Settings and saves the choice', async () => {
    const harness = await renderLifeline();
    fireEvent.click(within(screen.getByRole('navigation', { name: 'Main' })).getByRole('button', { name: 'Settings' }));
    await act(async () => {
      fireEvent.change(screen.getByRole('combobox', { name: 'Language' }), { target: { value: 'id' } });
    });

    expect(harness.settings().language).toBe('id');
    expect(harness.transport.calls).toContainEqual({ method: 'settings.update', input: { language: 'id' } });
    const nav = screen.getByRole('navigation', { name: 'Utama' });
    for (const name of ['Akun', 'Cadangan', 'Perangkat', 'Toko', 'Pengaturan']) {
      expect(within(nav).getByRole('button', { name })).toBeTruthy();
    }
    expect(screen.getByRole('heading', { level: 1, name: 'Pengaturan' })).toBeTruthy();
    expect(screen.getByRole('contentinfo').textContent).toContain('Pengiriman sandbox');
    expect(document.documentElement.lang).toBe('id');
  });

  it("starts in Indonesian when the setting is 'system' and the computer prefers it", async () => {
    await renderLifeline({ languages: ['id-ID'] });
    expect(screen.getByRole('heading', { level: 1, name: 'Akun' })).toBeTruthy();
  });

  it('follows a change made in another window', async () => {
    const harness = await renderLifeline();
    act(() => harness.transport.emit('settings.changed', { language: 'id', theme: 'system' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Akun' })).toBeTruthy();
  });
});
