// Renders resources/icon.svg to resources/icon.png (512x512) for packaging and window icons.
// Run after changing the SVG: npx tsx scripts/make-icon.ts
import { createCanvas, loadImage } from '@napi-rs/canvas';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SIZE = 512;
const resources = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources');

async function main(): Promise<void> {
  const svg = fs.readFileSync(path.join(resources, 'icon.svg'));
  const image = await loadImage(svg);
  const canvas = createCanvas(SIZE, SIZE);
  canvas.getContext('2d').drawImage(image, 0, 0, SIZE, SIZE);
  const out = path.join(resources, 'icon.png');
  fs.writeFileSync(out, canvas.toBuffer('image/png'));
  process.stdout.write(`Wrote ${out} (${SIZE}x${SIZE}).\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Could not render the icon: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
