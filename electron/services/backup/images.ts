import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { LifelineError } from '../../../contract';
import type { SnapshotBrowser } from './browse';
import type { StoreCore } from './core';
import { isBlobRef, type BlobRef } from './records';

/**
 * Small JPEGs for the browser: photo grid thumbnails, a viewer-sized image, contact photos and MMS pictures.
 * Made with sharp from the bytes in the packs and cached as files, so scrolling back costs a file read.
 * Anything sharp cannot decode, or too big to decode without stalling, answers a reason instead of an image,
 * and the window shows a placeholder.
 */

export type ImageSize = 'thumb' | 'view';

export const IMAGE_PIXELS: Record<ImageSize, number> = { thumb: 160, view: 1280 };
/** What one answer may carry, base64 before encoding: a thumbnail is a few KB, the viewer image well under this. */
export const IMAGE_MAX_BYTES: Record<ImageSize, number> = { thumb: 48 * 1024, view: 900 * 1024 };
/** Larger source files are not decoded in the app (a 200 MB video must not stall it). */
export const MAX_DECODE_BYTES = 40 * 1024 * 1024;

export type ImageAnswer =
  | { status: 'ok'; mime: 'image/jpeg'; data: string; width: number; height: number }
  | { status: 'video' | 'tooLarge' | 'undecodable' | 'notImage' | 'damaged'; reason: string };

export interface ImageRequest {
  key: string;
  /** MMS part index; for a contact the photo is meant when absent. */
  part?: number;
  size: ImageSize;
}

function readBlob(core: StoreCore, ref: BlobRef): Buffer {
  const parts = ref.$blob.chunks.map((c) => core.readPiece(Buffer.from(c, 'hex')));
  const bytes = Buffer.concat(parts);
  if (crypto.createHash('sha256').update(bytes).digest('hex') !== ref.$blob.sha256) {
    throw new LifelineError('corrupt_data', 'The picture does not match its checksum; it is damaged in the store.');
  }
  return bytes;
}

export class ImageMaker {
  constructor(
    private readonly core: StoreCore,
    private readonly browser: SnapshotBrowser,
    private readonly cacheDir: string,
  ) {}

  private cacheFile(req: ImageRequest): string {
    return path.join(this.cacheDir, `${req.key}${req.part !== undefined ? `-p${req.part}` : ''}-${req.size}`);
  }

  async image(req: ImageRequest): Promise<ImageAnswer> {
    const file = this.cacheFile(req);
    try {
      const cached = fs.readFileSync(`${file}.jpg`);
      const meta = await sharp(cached).metadata();
      return { status: 'ok', mime: 'image/jpeg', data: cached.toString('base64'), width: meta.width ?? 0, height: meta.height ?? 0 };
    } catch {
      // Not cached yet (or the cache file was damaged): make it.
    }
    if (fs.existsSync(`${file}.bad`)) {
      return { status: 'undecodable', reason: 'This picture cannot be shown (its format is not supported or it is damaged). It can still be restored.' };
    }
    const source = this.source(req);
    if ('status' in source) return source;
    const answer = await this.render(source.bytes, req.size);
    try {
      fs.mkdirSync(this.cacheDir, { recursive: true, mode: 0o700 });
      if (answer.status === 'ok') fs.writeFileSync(`${file}.jpg`, Buffer.from(answer.data, 'base64'));
      else if (answer.status === 'undecodable') fs.writeFileSync(`${file}.bad`, '');
    } catch {
      // The cache is an optimisation; a read-only or full disk only makes the next view slower.
    }
    return answer;
  }

  private source(req: ImageRequest): { bytes: Buffer } | Exclude<ImageAnswer, { status: 'ok' }> {
    const damaged = (error: unknown): Exclude<ImageAnswer, { status: 'ok' }> => ({
      status: 'damaged',
      reason: error instanceof Error ? error.message : 'The picture cannot be read from the store.',
    });
    try {
      const detailKind = this.core.db.prepare('SELECT kind FROM items WHERE key = ?').pluck().get(Buffer.from(req.key, 'hex')) as string | undefined;
      if (detailKind === 'media') {
        const { entry } = this.browser.mediaEntry(req.key);
        if (entry.mime.startsWith('video/')) return { status: 'video', reason: 'Videos are shown as a placeholder; restore the file to play it.' };
        if (!entry.mime.startsWith('image/')) return { status: 'notImage', reason: 'This file is not a picture.' };
        if (entry.size > MAX_DECODE_BYTES) return { status: 'tooLarge', reason: 'This picture is too large to preview here; restore it to open it.' };
        if (entry.chunks.some((c) => !this.core.hasPiece(Buffer.from(c, 'hex')))) {
          return { status: 'damaged', reason: 'Part of this file is missing or damaged in the store.' };
        }
        return { bytes: readBlob(this.core, { $blob: { size: entry.size, sha256: entry.sha256, chunks: entry.chunks } }) };
      }
      const { stored } = this.browser.record(req.key);
      let ref: unknown;
      if (stored.kind === 'contact') ref = stored.photo?.bytes;
      else if (stored.kind === 'mms' && req.part !== undefined) {
        const part = stored.parts[req.part];
        if (part && !/^image\//i.test(part.contentType)) return { status: 'notImage', reason: 'This attachment is not a picture.' };
        ref = part?.data;
      }
      if (!isBlobRef(ref)) return { status: 'notImage', reason: 'There is no picture here.' };
      if (ref.$blob.size > MAX_DECODE_BYTES) return { status: 'tooLarge', reason: 'This picture is too large to preview here; restore it to open it.' };
      return { bytes: readBlob(this.core, ref) };
    } catch (error) {
      if (error instanceof LifelineError && (error.code === 'not_found' || error.code === 'invalid_input')) throw error;
      return damaged(error);
    }
  }

  private async render(bytes: Buffer, size: ImageSize): Promise<ImageAnswer> {
    const px = IMAGE_PIXELS[size];
    try {
      // limitInputPixels stops decompression bombs; failOn 'error' treats a truncated file as undecodable.
      const pipeline = sharp(bytes, { limitInputPixels: 120_000_000, failOn: 'error' })
        .rotate()
        .resize(px, px, { fit: size === 'thumb' ? 'cover' : 'inside', withoutEnlargement: true });
      let quality = size === 'thumb' ? 70 : 82;
      for (;;) {
        const { data, info } = await pipeline.clone().jpeg({ quality, mozjpeg: true }).toBuffer({ resolveWithObject: true });
        if (data.length <= IMAGE_MAX_BYTES[size] || quality <= 30) {
          if (data.length > IMAGE_MAX_BYTES[size]) return { status: 'tooLarge', reason: 'This picture is too detailed to preview here; restore it to open it.' };
          return { status: 'ok', mime: 'image/jpeg', data: data.toString('base64'), width: info.width, height: info.height };
        }
        quality -= 20;
      }
    } catch {
      return { status: 'undecodable', reason: 'This picture cannot be shown (its format is not supported or it is damaged). It can still be restored.' };
    }
  }
}
