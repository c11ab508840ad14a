import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PlaceIndex, distanceKm, loadPlaceIndex, nearestPlace, type Place } from './places';
import { TEST_PLACES } from './test-support';

describe('offline place names', () => {
  const index = new PlaceIndex(TEST_PLACES);

  it('names the nearest city: Bandung and Jakarta', () => {
    expect(nearestPlace(index, -6.9147, 107.6098)).toBe('near Bandung, Indonesia');
    expect(nearestPlace(index, -6.1754, 106.8272)).toBe('near Jakarta, Indonesia');
    // Between Jakarta and Bogor, closer to Bogor.
    expect(nearestPlace(index, -6.55, 106.8)).toBe('near Bogor, Indonesia');
  });

  it('gives no name far from every city (open ocean)', () => {
    expect(nearestPlace(index, -30, -140)).toBeUndefined();
    expect(nearestPlace(new PlaceIndex([]), -6.9, 107.6)).toBeUndefined();
  });

  it('finds a city across the date line', () => {
    expect(nearestPlace(new PlaceIndex(TEST_PLACES, 300), -18.2, -179.6)).toBe('near Suva, Fiji');
  });

  it('agrees with a plain scan over every city for many random points near them', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const cities: Place[] = [];
    for (let i = 0; i < 400; i++) cities.push({ name: `C${i}`, country: 'X', lat: -60 + random() * 130, lon: -180 + random() * 360 });
    const grid = new PlaceIndex(cities, 500);
    for (let i = 0; i < 500; i++) {
      const base = cities[Math.floor(random() * cities.length)] as Place;
      const lat = Math.max(-90, Math.min(90, base.lat + (random() - 0.5) * 6));
      const lon = ((base.lon + (random() - 0.5) * 6 + 540) % 360) - 180;
      let best: Place | undefined;
      let bestKm = Infinity;
      for (const c of cities) {
        const km = distanceKm(lat, lon, c.lat, c.lon);
        if (km < bestKm) [best, bestKm] = [c, km];
      }
      const found = grid.nearest(lat, lon);
      if (bestKm <= 500) expect(found?.place.name).toBe(best?.name);
      else expect(found).toBeUndefined();
    }
  });

  it('loads the bundled file format and survives a missing file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeline-places-'));
    const file = path.join(dir, 'cities.json');
    fs.writeFileSync(file, JSON.stringify({ fields: ['name', 'country', 'lat', 'lon'], rows: [['Bandung', 'Indonesia', -6.9175, 107.6191], ['bad', 'row'], ['Nowhere', 'X', 200, 0]] }));
    const loaded = loadPlaceIndex(file);
    expect(loaded.size).toBe(1);
    expect(nearestPlace(loaded, -6.92, 107.62)).toBe('near Bandung, Indonesia');
    const problems: string[] = [];
    expect(loadPlaceIndex(path.join(dir, 'missing.json'), (m) => problems.push(m)).size).toBe(0);
    expect(problems[0]).toMatch(/Place names are off/);
  });

  it('reads the bundled resources/places/cities.json', () => {
    const file = path.resolve(__dirname, '../../../resources/places/cities.json');
    const loaded = loadPlaceIndex(file);
    expect(loaded.size).toBeGreaterThan(50);
    expect(nearestPlace(loaded, -6.91, 107.61)).toBe('near Bandung, Indonesia');
    expect(nearestPlace(loaded, -6.2, 106.85)).toBe('near Jakarta, Indonesia');
  });
});
