import { describe, expect, it } from 'vitest';
import { parseGpx } from '../../agent-sim/gpx';
import type { HistoryPoint } from '../../../contract/devices';
import { toGeoJson, toGpx } from './geo-export';

const points: HistoryPoint[] = [
  { lat: -6.9175, lon: 107.6191, accuracyM: 12, source: 'gps', at: Date.UTC(2026, 2, 1, 8), batteryPercent: 80 },
  { lat: -6.9, lon: 107.63, accuracyM: 30, source: 'network', at: Date.UTC(2026, 2, 1, 8, 5), batteryPercent: null },
];

describe('history export', () => {
  it('writes GPX 1.1 that a GPX reader reads back, with the name escaped', () => {
    const gpx = toGpx('Budi\'s <phone> & co', points);
    expect(gpx).toContain('<name>Budi&apos;s &lt;phone&gt; &amp; co</name>');
    const back = parseGpx(gpx);
    expect(back).toEqual([
      { lat: -6.9175, lon: 107.6191, time: points[0]?.at },
      { lat: -6.9, lon: 107.63, time: points[1]?.at },
    ]);
  });

  it('writes GeoJSON with [lon, lat] positions: a line for the trail and a point per fix', () => {
    const doc = JSON.parse(toGeoJson('Phone', points)) as { type: string; features: { geometry: { type: string; coordinates: unknown }; properties: Record<string, unknown> }[] };
    expect(doc.type).toBe('FeatureCollection');
    expect(doc.features[0]?.geometry).toEqual({ type: 'LineString', coordinates: [[107.6191, -6.9175], [107.63, -6.9]] });
    expect(doc.features.slice(1).map((f) => f.properties.time)).toEqual(['2026-03-01T08:00:00.000Z', '2026-03-01T08:05:00.000Z']);
  });

  it('writes valid empty documents for an empty trail', () => {
    expect(parseGpx(toGpx('Phone', []))).toEqual([]);
    expect(JSON.parse(toGeoJson('Phone', []))).toEqual({ type: 'FeatureCollection', name: 'Phone', features: [] });
  });
});
