import type { HistoryPoint } from '../../../contract/devices';

/** GPX 1.1: one track, one segment, points oldest first. Readable by map apps and GPS tools. */
export function toGpx(deviceName: string, points: readonly HistoryPoint[]): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<gpx version="1.1" creator="Lifeline" xmlns="http://www.topografix.com/GPX/1/1">',
    `  <metadata><name>${escapeXml(deviceName)}</name></metadata>`,
    '  <trk>',
    `    <name>${escapeXml(deviceName)}</name>`,
    '    <trkseg>',
  ];
  for (const p of points) {
    lines.push(
      `      <trkpt lat="${p.lat.toFixed(6)}" lon="${p.lon.toFixed(6)}"><time>${new Date(p.at).toISOString()}</time>` +
        `<hdop>${round1(p.accuracyM / 5)}</hdop><src>${escapeXml(p.source)}</src></trkpt>`,
    );
  }
  lines.push('    </trkseg>', '  </trk>', '</gpx>', '');
  return lines.join('\n');
}

/**
 * GeoJSON (RFC 7946): a LineString of the trail (positions are [lon, lat]) plus a Point per position,
 * each with its time and accuracy, so tools can draw the line and still show when each fix was taken.
 */
export function toGeoJson(deviceName: string, points: readonly HistoryPoint[]): string {
  const features: unknown[] = [];
  if (points.length >= 2) {
    features.push({
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: points.map((p) => [round6(p.lon), round6(p.lat)]) },
      properties: { name: deviceName, from: iso(points[0]?.at), to: iso(points[points.length - 1]?.at) },
    });
  }
  for (const p of points) {
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [round6(p.lon), round6(p.lat)] },
      properties: { time: iso(p.at), accuracyM: p.accuracyM, source: p.source, batteryPercent: p.batteryPercent },
    });
  }
  return `${JSON.stringify({ type: 'FeatureCollection', name: deviceName, features })}\n`;
}

function iso(at: number | undefined): string | null {
  return at === undefined ? null : new Date(at).toISOString();
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
