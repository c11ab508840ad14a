import type { HistoryPoint } from '../../../contract/devices';

export type LatLon = readonly [number, number];
export type Bounds = readonly [LatLon, LatLon];

/** The trail up to and including the point at `index` (the slider's position), oldest first. */
export function trailUntil(points: readonly HistoryPoint[], index: number): HistoryPoint[] {
  if (points.length === 0) return [];
  const last = Math.min(Math.max(0, Math.floor(index)), points.length - 1);
  return points.slice(0, last + 1);
}

/** The slider's last position: the newest point. */
export function lastIndex(points: readonly HistoryPoint[]): number {
  return Math.max(0, points.length - 1);
}

/** The index of the newest point at or before `at`, or 0 when all are later. Points are oldest first. */
export function indexAtTime(points: readonly HistoryPoint[], at: number): number {
  let lo = 0;
  let hi = points.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const point = points[mid];
    if (point && point.at <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** South-west and north-east corners around the points, or undefined for none. */
export function boundsOf(points: readonly { lat: number; lon: number }[]): Bounds | undefined {
  if (points.length === 0) return undefined;
  let south = 90;
  let north = -90;
  let west = 180;
  let east = -180;
  for (const { lat, lon } of points) {
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    south = Math.min(south, lat);
    north = Math.max(north, lat);
    west = Math.min(west, lon);
    east = Math.max(east, lon);
  }
  if (south > north) return undefined;
  return [
    [south, west],
    [north, east],
  ];
}

/** Grows bounds that are a single point (or nearly) so the map does not zoom in past any sense. */
export function padBounds(bounds: Bounds, minSpanDeg = 0.02): Bounds {
  const [[south, west], [north, east]] = bounds;
  const latPad = Math.max(0, (minSpanDeg - (north - south)) / 2);
  const lonPad = Math.max(0, (minSpanDeg - (east - west)) / 2);
  return [
    [Math.max(-90, south - latPad), Math.max(-180, west - lonPad)],
    [Math.min(90, north + latPad), Math.min(180, east + lonPad)],
  ];
}

/**
 * At most `max` points for drawing, evenly picked, always keeping the first and the last; a 100,000-point trail
 * draws as fast as a short one and looks the same at map scale.
 */
export function thinForDrawing<T>(points: readonly T[], max: number, count = points.length): T[] {
  const n = Math.max(0, Math.min(count, points.length));
  if (n <= max || max < 2) return points.slice(0, n);
  const out: T[] = [];
  const step = (n - 1) / (max - 1);
  for (let i = 0; i < max; i += 1) {
    const point = points[Math.round(i * step)];
    if (point !== undefined) out.push(point);
  }
  return out;
}
