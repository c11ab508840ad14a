import { describe, expect, it } from 'vitest';
import { agentCommand, ago, countdown, groupCode, localExpiry } from './format';

describe('devices formatting', () => {
  it('groups the enrollment code in fours', () => {
    expect(groupCode('k7qx4mpa')).toBe('K7QX-4MPA');
    expect(groupCode('K7QX-4MPA')).toBe('K7QX-4MPA');
  });

  it('says how long ago in the coarsest useful unit', () => {
    expect(ago(1000, 30_000)).toEqual({ unit: 'justNow' });
    expect(ago(0, 2 * 60_000 + 5000)).toEqual({ unit: 'minutes', count: 2 });
    expect(ago(0, 3 * 3_600_000)).toEqual({ unit: 'hours', count: 3 });
    expect(ago(0, 3 * 86_400_000)).toEqual({ unit: 'days', count: 3 });
    expect(ago(10_000, 0)).toEqual({ unit: 'justNow' });
  });

  it('counts down in minutes and seconds, never below zero', () => {
    expect(countdown(600_000)).toBe('10:00');
    expect(countdown(61_500)).toBe('1:02');
    expect(countdown(-5)).toBe('0:00');
  });

  it('builds the agent command from the enrollment link', () => {
    expect(agentCommand('http://127.0.0.1:4321/agent/v1/enroll?code=X', 'k7qx4mpa')).toBe('npm run agent -- --url http://127.0.0.1:4321 --code K7QX-4MPA');
  });

  it('trusts the expiry only when it fits the code lifetime on this clock', () => {
    expect(localExpiry(1_000_000 + 300_000, 1_000_000, 600_000)).toBe(1_300_000);
    expect(localExpiry(5_000_000, 1_000_000, 600_000)).toBe(1_600_000);
    expect(localExpiry(500, 1_000_000, 600_000)).toBe(1_600_000);
  });
});
