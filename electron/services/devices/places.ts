import fs from 'node:fs';

export interface Place {
  readonly name: string;
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
}

export interface NearestPlace {
  readonly place: Place;
  readonly distanceKm: number;
  /** "near Bandung, Indonesia" */
  readonly label: string;
}

const EARTH_RADIUS_KM = 6371;
const CELL_DEG = 1;

/** Great-circle distance in kilometres (haversine). */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * Offline nearest-city lookup over a 1-degree grid. A query searches rings of cells around its own cell,
 * widening until the nearest candidate found is closer than anything a further ring could hold.
 */
export class PlaceIndex {
  private readonly cells = new Map<number, Place[]>();
  readonly size: number;

  constructor(
    places: readonly Place[],
    /** Farther than this from every city, there is no name to give (open sea, empty land). */
    private readonly maxDistanceKm = 150,
  ) {
    for (const place of places) {
      const key = cellKey(cellRow(place.lat), cellCol(place.lon));
      const list = this.cells.get(key);
      if (list) list.push(place);
      else this.cells.set(key, [place]);
    }
    this.size = places.length;
  }

  nearest(lat: number, lon: number): NearestPlace | undefined {
    if (!Number.isFinite(lat) || !Number.isFinite(lon) || this.size === 0) return undefined;
    const row = cellRow(lat);
    const col = cellCol(lon);
    // One degree of latitude is ~111 km; a degree of longitude shrinks towards the poles.
    const kmPerCell = 111 * CELL_DEG * Math.max(Math.cos((Math.min(Math.abs(lat) + CELL_DEG, 89) * Math.PI) / 180), 0.01);
    const maxRing = Math.min(180, Math.ceil(this.maxDistanceKm / kmPerCell) + 1);
    let best: Place | undefined;
    let bestKm = Infinity;
    for (let ring = 0; ring <= maxRing; ring++) {
      for (let dr = -ring; dr <= ring; dr++) {
        const r = row + dr;
        if (r < 0 || r >= 180 / CELL_DEG) continue;
        for (let dc = -ring; dc <= ring; dc++) {
          if (Math.abs(dr) !== ring && Math.abs(dc) !== ring) continue;
          const c = (((col + dc) % (360 / CELL_DEG)) + 360 / CELL_DEG) % (360 / CELL_DEG);
          for (const place of this.cells.get(cellKey(r, c)) ?? []) {
            const km = distanceKm(lat, lon, place.lat, place.lon);
            if (km < bestKm) {
              bestKm = km;
              best = place;
            }
          }
        }
      }
      // Everything in ring+1 is at least ring*kmPerCell away.
      if (best && bestKm <= ring * kmPerCell) break;
    }
    if (!best || bestKm > this.maxDistanceKm) return undefined;
    return { place: best, distanceKm: bestKm, label: `near ${best.name}, ${best.country}` };
  }
}

/** Convenience wrapper: "near Bandung, Indonesia" or undefined. */
export function nearestPlace(index: PlaceIndex, lat: number, lon: number): string | undefined {
  return index.nearest(lat, lon)?.label;
}

function cellRow(lat: number): number {
  return Math.min(180 / CELL_DEG - 1, Math.floor((lat + 90) / CELL_DEG));
}

function cellCol(lon: number): number {
  return Math.min(360 / CELL_DEG - 1, Math.floor((lon + 180) / CELL_DEG));
}

function cellKey(row: number, col: number): number {
  return row * 1000 + col;
}

/**
 * Reads resources/places/cities.json: `{ "fields": ["name","country","lat","lon"], "rows": [[...], ...] }`.
 * A missing or broken file gives an empty index (no place names) rather than stopping the app.
 */
export function loadPlaceIndex(file: string, onProblem: (message: string) => void = () => undefined): PlaceIndex {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { rows?: unknown };
    return new PlaceIndex(parsePlaceRows(parsed.rows));
  } catch (error) {
    onProblem(`Place names are off: could not read ${file} (${(error as Error).message}).`);
    return new PlaceIndex([]);
  }
}

export function parsePlaceRows(rows: unknown): Place[] {
  if (!Array.isArray(rows)) throw new Error('"rows" is not a list');
  const places: Place[] = [];
  for (const row of rows) {
    if (!Array.isArray(row)) continue;
    const [name, country, lat, lon] = row as unknown[];
    if (typeof name !== 'string' || typeof country !== 'string' || typeof lat !== 'number' || typeof lon !== 'number') continue;
    if (Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
    places.push({ name, country, lat, lon });
  }
  return places;
}
