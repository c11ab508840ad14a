import { describe, expect, it } from 'vitest';
import { applyRules } from './retention';

const day = 86_400_000;
const t0 = Date.UTC(2026, 0, 31, 12);
// Device a: two snapshots a day for 60 days; device b: one a day.
const a = Array.from({ length: 120 }, (_, i) => ({ id: `a${String(i).padStart(3, '0')}`, device: 'a', time: t0 - Math.floor(i / 2) * day - (i % 2) * 3_600_000 }));
const b = Array.from({ length: 60 }, (_, i) => ({ id: `b${String(i).padStart(3, '0')}`, device: 'b', time: t0 - i * day }));

describe('retention rules', () => {
  it('keep-last keeps the newest N per device', () => {
    const { keep, remove } = applyRules([...a, ...b], { keepLast: 3 });
    expect([...keep.keys()].sort()).toEqual(['a000', 'a001', 'a002', 'b000', 'b001', 'b002']);
    expect(remove).toHaveLength(174);
  });

  it('daily, weekly and monthly keep the newest snapshot of each period', () => {
    const { keep } = applyRules(a, { keepDaily: 7, keepMonthly: 2 });
    const kept = a.filter((s) => keep.has(s.id));
    const days = new Set(kept.map((s) => new Date(s.time).toISOString().slice(0, 10)));
    expect(days.size).toBe(kept.length);
    expect(kept).toHaveLength(8);
    expect(kept.some((s) => new Date(s.time).toISOString().startsWith('2025-12-31'))).toBe(true);
    expect(keep.get('a000')).toEqual(['daily', 'monthly']);
    expect(applyRules(a, { keepWeekly: 4 }).keep.size).toBe(4);
  });
});
