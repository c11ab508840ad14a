import { describe, expect, it } from 'vitest';
import { formatCode, renderMessage, type MessageSpec } from './templates';

const all: MessageSpec[] = [
  { kind: 'recovery_code', code: '123456' },
  { kind: 'verify_code', code: '123456' },
  { kind: 'password_changed', viaRecovery: true },
  { kind: 'password_changed', viaRecovery: false },
  { kind: 'email_changed', newMasked: 'jo****@mail.com' },
  { kind: 'phone_changed', newMasked: '+62****89' },
  { kind: 'account_list', accountIds: ['1234567890', '9876543210'] },
  { kind: 'device_alert', alert: 'lost_device_reported', device: 'Pixel 8', place: 'near Bandung, Indonesia', at: Date.UTC(2026, 0, 2, 3, 4) },
  { kind: 'device_alert', alert: 'sim_changed', device: 'Pixel 8', operator: 'Telkomsel' },
  { kind: 'device_alert', alert: 'erase_done', device: 'Pixel 8' },
  { kind: 'device_alert', alert: 'activation_held', device: 'Pixel 8' },
];

describe('message templates', () => {
  it('format codes as "123 456"', () => {
    expect(formatCode('012345')).toBe('012 345');
    expect(renderMessage({ kind: 'recovery_code', code: '012345' }, 'en', undefined).text).toContain('012 345');
  });

  it('exist in English and Indonesian, plain and short', () => {
    for (const spec of all) {
      const en = renderMessage(spec, 'en', 'https://lifeline.example');
      const id = renderMessage(spec, 'id', 'https://lifeline.example');
      expect(en.text).not.toBe(id.text);
      for (const m of [en, id]) {
        expect(m.text.length).toBeLessThan(400);
        expect(m.text).not.toMatch(/<[a-z]/i);
        expect(m.subject.length).toBeLessThan(80);
      }
    }
  });

  it('build links only from the public URL, and have none without it', () => {
    for (const spec of all) {
      const withUrl = renderMessage(spec, 'en', 'https://accounts.example.org');
      for (const url of withUrl.text.match(/https?:\/\/\S+/g) ?? []) expect(url.startsWith('https://accounts.example.org/')).toBe(true);
      expect(renderMessage(spec, 'id', undefined).text).not.toMatch(/https?:\/\//);
    }
    expect(renderMessage({ kind: 'password_changed', viaRecovery: true }, 'en', 'https://accounts.example.org').text).toContain('https://accounts.example.org/#/recover');
  });

  it('say that linked phones stay locked for 24 hours after a recovery, and carry no secret', () => {
    const text = renderMessage({ kind: 'password_changed', viaRecovery: true }, 'en', undefined).text;
    expect(text).toMatch(/24 hours/);
    expect(text).not.toMatch(/\d{3} \d{3}/);
    expect(renderMessage({ kind: 'password_changed', viaRecovery: true }, 'id', undefined).text).toMatch(/24 jam/);
  });
});
