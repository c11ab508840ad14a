import path from 'node:path';
import type { ChunkerParams } from './chunker';
import type { KdfParams, WrappedKey } from './crypto';

/** The format version this Lifeline writes and the newest it reads. */
export const FORMAT_VERSION = 2;
export const FORMAT_NAME = 'lifeline-backup';
export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;

/** `<store>/config`: plain JSON, the only unencrypted file besides the index. */
export interface StoreConfig {
  format: typeof FORMAT_NAME;
  version: number;
  /** 32 hex chars, random; also the HKDF salt and part of the key-wrap associated data. */
  storeId: string;
  createdAt: string;
  kdf: KdfParams;
  wrappedKey: WrappedKey;
  chunker: ChunkerParams;
  packSize: number;
}

export const paths = {
  config: (dir: string) => path.join(dir, 'config'),
  packsDir: (dir: string) => path.join(dir, 'packs'),
  pack: (dir: string, id: string) => path.join(dir, 'packs', id.slice(0, 2), id),
  snapshotsDir: (dir: string) => path.join(dir, 'snapshots'),
  snapshot: (dir: string, id: string) => path.join(dir, 'snapshots', id),
  index: (dir: string) => path.join(dir, 'index.sqlite'),
  locks: (dir: string) => path.join(dir, 'locks'),
};

export const PACK_ID_PATTERN = /^[0-9a-f]{64}$/;
export const SNAPSHOT_ID_PATTERN = /^[0-9a-f]{16}$/;

/** One snapshot file's content (encrypted on disk). */
export interface SnapshotObject {
  v: 1;
  id: string;
  device: string;
  /** ms since epoch, when the run started */
  time: number;
  /** ms since epoch, when the snapshot was committed */
  committedAt: number;
  hostname: string;
  program: string;
  parent?: string;
  /** Piece id (hex) of the root tree node. */
  root: string;
  stats: SnapshotStats;
  /** SHA-256 (hex) over the sorted lines "<kind> <sha256 of item content>\n" of every item. */
  digest: string;
}

export interface KindStats {
  items: number;
  bytes: number;
  newItems: number;
  newBytes: number;
}

export interface SnapshotStats {
  kinds: Record<string, KindStats>;
  /** Bytes this run added to the store on disk (sealed pieces). */
  storedBytes: number;
  duplicates: number;
  skippedCount: number;
  /** At most 1000, the rest counted in skippedCount. */
  skipped: { file: string; line?: number; kind?: string; reason: string }[];
}

/** A tree node piece. Leaves list records (piece ids) or media entries. */
export interface TreeEntry {
  name: string;
  id: string;
  type: 'tree' | 'records' | 'media';
  count: number;
  bytes: number;
}

export function encodeSegment(segment: string): string {
  return segment.replace(/%/g, '%25').replace(/\//g, '%2F');
}

export function decodeSegment(segment: string): string {
  return segment.replace(/%2F/g, '/').replace(/%25/g, '%');
}
