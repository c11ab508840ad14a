import { SaxesParser } from 'saxes';

export interface RoutePoint {
  readonly lat: number;
  readonly lon: number;
  /** From <time>, when the file has one; the simulator reports at the current time anyway. */
  readonly time?: number;
}

/**
 * The points of a GPX file in document order: track points, then route points, then waypoints
 * if the file has no track. Points with coordinates out of range are skipped.
 */
export function parseGpx(xml: string): RoutePoint[] {
  const parser = new SaxesParser();
  const found: Record<'trkpt' | 'rtept' | 'wpt', RoutePoint[]> = { trkpt: [], rtept: [], wpt: [] };
  let open: { kind: 'trkpt' | 'rtept' | 'wpt'; lat: number; lon: number; time?: number } | undefined;
  let inTime = false;
  let timeText = '';
  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    if (name === 'trkpt' || name === 'rtept' || name === 'wpt') {
      const attrs = tag.attributes as Record<string, string>;
      open = { kind: name, lat: Number(attrs.lat), lon: Number(attrs.lon) };
    } else if (name === 'time' && open) {
      inTime = true;
      timeText = '';
    }
  });
  parser.on('text', (text) => {
    if (inTime) timeText += text;
  });
  parser.on('closetag', (tag) => {
    const name = localName(tag.name);
    if (name === 'time' && inTime && open) {
      inTime = false;
      const t = Date.parse(timeText.trim());
      if (Number.isFinite(t)) open.time = t;
    } else if (open && name === open.kind) {
      const { kind, lat, lon, time } = open;
      if (Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180) {
        found[kind].push(time === undefined ? { lat, lon } : { lat, lon, time });
      }
      open = undefined;
    }
  });
  parser.write(xml).close();
  if (found.trkpt.length > 0) return found.trkpt;
  if (found.rtept.length > 0) return found.rtept;
  return found.wpt;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}
