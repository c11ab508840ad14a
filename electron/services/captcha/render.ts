import { createCanvas } from '@napi-rs/canvas';
import { GLYPHS } from './glyphs';

export type PictureVariant = 'standard' | 'clear';

export interface RenderedPicture {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

interface Style {
  width: number;
  height: number;
  /** Grid unit in px. */
  unit: number;
  stroke: number;
  noiseLines: number;
  dots: number;
  warp: number;
  rotation: number;
  background: string;
  ink: () => string;
  noiseInk: () => string;
}

// Noise only needs to be unpredictable enough to vary; the answer itself comes from crypto.randomInt.
const rnd = (min: number, max: number) => min + Math.random() * (max - min);

const STYLES: Record<PictureVariant, Style> = {
  standard: {
    width: 240,
    height: 80,
    unit: 6.5,
    stroke: 4,
    noiseLines: 6,
    dots: 220,
    warp: 4,
    rotation: 0.35,
    background: '#f4f1ea',
    ink: () => `hsl(${Math.floor(rnd(190, 260))}, 55%, ${Math.floor(rnd(22, 35))}%)`,
    noiseInk: () => `hsla(${Math.floor(rnd(0, 360))}, 40%, 45%, 0.55)`,
  },
  // Larger, black on white, little noise: for low vision and for people who find the standard picture too busy.
  clear: {
    width: 360,
    height: 120,
    unit: 10,
    stroke: 6,
    noiseLines: 2,
    dots: 40,
    warp: 3,
    rotation: 0.18,
    background: '#ffffff',
    ink: () => '#000000',
    noiseInk: () => 'rgba(90, 90, 90, 0.45)',
  },
};

/** Draws the characters as bent strokes over noise and returns a PNG; no text or glyph data leaves the server. */
export function renderPicture(text: string, variant: PictureVariant): RenderedPicture {
  const style = STYLES[variant];
  const canvas = createCanvas(style.width, style.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = style.background;
  ctx.fillRect(0, 0, style.width, style.height);

  for (let i = 0; i < style.dots; i++) {
    ctx.fillStyle = style.noiseInk();
    ctx.fillRect(rnd(0, style.width), rnd(0, style.height), rnd(1, 3), rnd(1, 3));
  }
  const noiseLine = (width: number) => {
    ctx.strokeStyle = style.noiseInk();
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(rnd(0, style.width * 0.2), rnd(0, style.height));
    ctx.bezierCurveTo(
      rnd(0, style.width), rnd(0, style.height),
      rnd(0, style.width), rnd(0, style.height),
      rnd(style.width * 0.8, style.width), rnd(0, style.height),
    );
    ctx.stroke();
  };
  for (let i = 0; i < style.noiseLines; i++) noiseLine(rnd(1, 2.5));

  // One wave bends the whole word, so characters cannot be cut apart by straight boxes.
  const phaseX = rnd(0, Math.PI * 2);
  const phaseY = rnd(0, Math.PI * 2);
  const freq = rnd(0.035, 0.06);
  const warp = (x: number, y: number): [number, number] => [
    x + style.warp * Math.sin(y * freq * 1.7 + phaseX),
    y + style.warp * 1.5 * Math.sin(x * freq + phaseY),
  ];

  const chars = [...text];
  const slot = (style.width - style.unit * 4) / chars.length;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  chars.forEach((char, index) => {
    const glyph = GLYPHS[char];
    if (!glyph) throw new Error(`No glyph for picture-code character "${char}".`);
    const scale = style.unit * rnd(0.9, 1.12);
    const angle = rnd(-style.rotation, style.rotation);
    const cx = style.unit * 2 + slot * index + slot / 2 + rnd(-slot * 0.12, slot * 0.12);
    const cy = style.height / 2 + rnd(-style.height * 0.08, style.height * 0.08);
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    ctx.strokeStyle = style.ink();
    ctx.lineWidth = style.stroke * rnd(0.85, 1.15);
    for (const line of glyph) {
      ctx.beginPath();
      line.forEach(([gx, gy], i) => {
        const lx = (gx - 2) * scale;
        const ly = (gy - 3) * scale;
        const [x, y] = warp(cx + lx * cos - ly * sin, cy + lx * sin + ly * cos);
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
  });

  // A thin line through the word after drawing it, in the ink colour, so it cannot be filtered out by colour.
  ctx.strokeStyle = style.ink();
  ctx.lineWidth = Math.max(1.5, style.stroke * 0.4);
  ctx.beginPath();
  ctx.moveTo(0, style.height * rnd(0.35, 0.65));
  ctx.bezierCurveTo(style.width * 0.33, rnd(0, style.height), style.width * 0.66, rnd(0, style.height), style.width, style.height * rnd(0.35, 0.65));
  ctx.stroke();

  return { png: canvas.toBuffer('image/png'), width: style.width, height: style.height };
}
