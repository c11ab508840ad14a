/**
 * The fake phone's file tree for the sync service. Names are raw bytes (keys are latin1 strings, a
 * byte-for-byte mapping) so names that are not valid UTF-8 survive as they would on a real ext4/f2fs.
 */
import { makePhotos, photoBytes, type FakePhoto } from './data';
import type { PhoneProfile } from './profiles';

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;

export type FsNode = FsDir | FsFile;

export interface FsDir {
  kind: 'dir';
  mode: number;
  mtime: number;
  children: Map<string, FsNode>;
}

export interface FsFile {
  kind: 'file';
  mode: number;
  mtime: number;
  size: number;
  read(offset: number, length: number): Buffer;
}

const key = (name: Buffer): string => name.toString('latin1');

export function newDir(mtime: number): FsDir {
  return { kind: 'dir', mode: S_IFDIR | 0o771, mtime, children: new Map() };
}

export function bufferFile(data: Buffer, mtime: number, mode = S_IFREG | 0o660): FsFile {
  return { kind: 'file', mode, mtime, size: data.length, read: (offset, length) => data.subarray(offset, offset + length) };
}

export class FakeFileSystem {
  readonly root: FsDir = newDir(1_700_000_000);
  /** Every photo in the tree, with its path, so tests can compare. */
  readonly photos: (FakePhoto & { path: Buffer })[] = [];

  static forProfile(profile: PhoneProfile): FakeFileSystem {
    const fs = new FakeFileSystem();
    const t = 1_735_689_600;
    for (const dir of ['/sdcard/DCIM/Camera', '/sdcard/Pictures/Screenshots', '/sdcard/Download', '/sdcard/Movies', '/data/local/tmp']) fs.mkdirs(Buffer.from(dir), t);
    for (const photo of makePhotos(profile.sizes.photos, profile.seed)) {
      const path = Buffer.concat([Buffer.from(`/sdcard/${photo.dir}/`), photo.name]);
      fs.addFile(path, { kind: 'file', mode: S_IFREG | 0o660, mtime: photo.mtime, size: photo.size, read: (o, l) => photoBytes(photo, o, l) });
      fs.photos.push({ ...photo, path });
    }
    fs.addFile(Buffer.from('/sdcard/Download/notes.txt'), bufferFile(Buffer.from('shopping: milk, eggs\n'), t));
    return fs;
  }

  /** Adds a directory entry whose name no real file system allows ("../x"), to test hostile listings. */
  addHostileEntry(dirPath: string, name: string): void {
    const dir = this.lookup(Buffer.from(dirPath));
    if (dir?.kind !== 'dir') throw new Error(`no directory ${dirPath}`);
    dir.children.set(key(Buffer.from(name)), bufferFile(Buffer.from('not a photo'), 1_735_689_600));
  }

  private split(path: Buffer): Buffer[] {
    const parts: Buffer[] = [];
    let start = 0;
    for (let i = 0; i <= path.length; i += 1) {
      if (i === path.length || path[i] === 0x2f) {
        if (i > start) parts.push(path.subarray(start, i));
        start = i + 1;
      }
    }
    return parts;
  }

  lookup(path: Buffer): FsNode | undefined {
    let node: FsNode = this.root;
    for (const part of this.split(path)) {
      const name = key(part);
      if (name === '.') continue;
      if (node.kind !== 'dir') return undefined;
      const next: FsNode | undefined = node.children.get(name);
      if (!next) return undefined;
      node = next;
    }
    return node;
  }

  mkdirs(path: Buffer, mtime: number): FsDir {
    let node: FsDir = this.root;
    for (const part of this.split(path)) {
      const existing = node.children.get(key(part));
      if (existing?.kind === 'file') throw new Error('Not a directory');
      if (existing) node = existing;
      else {
        const dir = newDir(mtime);
        node.children.set(key(part), dir);
        node = dir;
      }
    }
    return node;
  }

  addFile(path: Buffer, file: FsFile): void {
    const parts = this.split(path);
    const last = parts.pop();
    if (!last) throw new Error('empty path');
    const dir = this.mkdirs(Buffer.concat(parts.flatMap((p) => [Buffer.from('/'), p])), file.mtime);
    dir.children.set(key(last), file);
  }
}

export function entryName(k: string): Buffer {
  return Buffer.from(k, 'latin1');
}
