import { describe, expect, it } from 'vitest';
import { boundsOf, indexAtTime, lastIndex, padBounds, thinForDrawing, trailUntil } from './map-helpers';
import { trail } from './test-fixtures';

describe('map helpers', () => {
  const points = trail(10, 1000);

  it('slices the trail up to the slider position, clamped to the history', () => {
    expect(trailUntil(points, 3).map((p) => p.at)).toEqual([1000, 61_000, 121_000, 181_000]);
    expect(trailUntil(points, -5)).toHaveLength(1);
    expect(trailUntil(points, 99)).toHaveLength(10);
    expect(trailUntil([], 3)).toEqual([]);
    expect(lastIndex(points)).toBe(9);
    expect(lastIndex([])).toBe(0);
  });

  it('finds the newest point at or before a time', () => {
    expect(indexAtTime(points, 0)).toBe(0);
    expect(indexAtTime(points, 61_000)).toBe(1);
    expect(indexAtTime(points, 90_000)).toBe(1);
    expect(indexAtTime(points, 10 ** 12)).toBe(9);
  });

  it('computes bounds around points, skipping non-numbers, and pads a single point', () => {
    expect(boundsOf([])).toBeUndefined();
    expect(boundsOf([{ lat: Number.NaN, lon: 1 }])).toBeUndefined();
    expect(boundsOf([{ lat: 1, lon: 2 }, { lat: -3, lon: 5 }, { lat: Number.NaN, lon: 0 }])).toEqual([
      [-3, 2],
      [1, 5],
    ]);
    const [[s, w], [n, e]] = padBounds([
      [10, 20],
      [10, 20],
    ], 0.02);
    expect(n - s).toBeCloseTo(0.02);
    expect(e - w).toBeCloseTo(0.02);
    expect(padBounds([[89.995, 179.995], [89.995, 179.995]], 0.02)[1]).toEqual([90, 180]);
  });

  it('thins a long trail for drawing, keeping the first and last point', () => {
    const long = trail(100_000, 0);
    const thin = thinForDrawing(long, 1000);
    expect(thin).toHaveLength(1000);
    expect(thin[0]).toBe(long[0]);
    expect(thin[999]).toBe(long[99_999]);
    expect(thinForDrawing(points, 1000)).toHaveLength(10);
  });

  it('thins the trail up to the slider without copying it first, drawing what the copy would', () => {
    const long = trail(100_000, 0);
    for (const index of [0, 1, 999, 1000, 54_321, 99_999]) {
      expect(thinForDrawing(long, 1000, index + 1)).toEqual(thinForDrawing(trailUntil(long, index), 1000));
    }
    expect(thinForDrawing(long, 1000, 0)).toEqual([]);
  });
});
