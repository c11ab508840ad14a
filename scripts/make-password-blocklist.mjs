// Derives resources/passwords/blocklist.txt from @zxcvbn-ts/language-common's ranked password list.
// Only entries of 8 or more code points are kept: shorter ones are refused by the length rule anyway.
// Run: node scripts/make-password-blocklist.mjs
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ranked = require('@zxcvbn-ts/language-common/src/passwords.json');

const seen = new Set();
const kept = [];
for (const entry of ranked) {
  const word = String(entry).normalize('NFKC').toLowerCase();
  if ([...word].length < 8 || seen.has(word) || /[\r\n]/.test(word)) continue;
  seen.add(word);
  kept.push(word);
}

const header = [
  '# Lifeline password blocklist: the most common passwords of 8+ code points, most common first.',
  '# Derived from @zxcvbn-ts/language-common (passwords.json) by scripts/make-password-blocklist.mjs; do not edit by hand.',
];
const out = path.join(root, 'resources', 'passwords', 'blocklist.txt');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${header.join('\n')}\n${kept.join('\n')}\n`);
console.log(`Wrote ${kept.length} entries to ${path.relative(root, out)}`);
