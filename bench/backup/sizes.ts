import fs from 'node:fs';
import path from 'node:path';
import { CORPUS_SCALES, writePhoto, type CorpusOptions } from '../corpus/generate';
import { ByteStream, Rng } from '../corpus/random';

export type CorpusShape = Omit<CorpusOptions, 'seed'>;

/**
 * BENCH_SIZE: "small" (about 85 MB, about a minute for all three tools; for CI), "medium" (a quarter of
 * full, about 0.6 GB), "full" (BACKUP.md's figures: about 2 GiB of photos, 500 k SMS) or a number, the
 * fraction of full (0.1, 0.5, ...). Photo and video sizes stay as in full; counts scale.
 */
export function corpusShape(size: string): { label: string; shape: CorpusShape } {
  if (size === 'small') return { label: 'small', shape: { ...CORPUS_SCALES.small } };
  if (size === 'full') return { label: 'full', shape: { ...CORPUS_SCALES.full } };
  const scale = size === 'medium' ? 0.25 : Number(size);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 4) throw new Error(`BENCH_SIZE must be small, medium, full or a scale like 0.25 (got "${size}").`);
  const full = CORPUS_SCALES.full;
  const n = (v: number): number => Math.max(1, Math.round(v * scale));
  return {
    label: size === 'medium' ? 'medium (0.25 x full)' : `${scale} x full`,
    shape: { ...full, photos: n(full.photos), videos: n(full.videos), sms: n(full.sms), mms: n(full.mms), calls: n(full.calls), contacts: n(full.contacts), notes: n(full.notes) },
  };
}

/**
 * New photos for the killed backup: a burst large enough that every tool has written several packs
 * before it is killed (at least 64 MB, else a quarter of the corpus photos).
 */
export function writeKillSet(dir: string, seed: string, shape: CorpusShape): { files: number; bytes: number } {
  const target = Math.max(64 * 1024 * 1024, Math.round(shape.photos * shape.photoBytes * 0.25));
  const rng = new Rng(`kill:${seed}`);
  const bytes = new ByteStream(`kill:${seed}`);
  const taken = Date.UTC(2026, 1, 1);
  let written = 0;
  let files = 0;
  fs.mkdirSync(dir, { recursive: true });
  while (written < target) {
    const size = Math.max(4096, Math.floor(shape.photoBytes * (0.5 + rng.float())));
    const t = taken + files * 1000;
    written += writePhoto(path.join(dir, `IMG_20260201_burst${String(files).padStart(5, '0')}.jpg`), bytes, size, t, undefined, t);
    files++;
  }
  return { files, bytes: written };
}
