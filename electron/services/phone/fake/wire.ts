/**
 * The ADB transport framing (AOSP packages/modules/adb protocol.txt), as the device side sees it.
 * A message is a 24-byte little-endian header plus a payload.
 */

export const A_SYNC = 0x434e5953;
export const A_CNXN = 0x4e584e43;
export const A_AUTH = 0x48545541;
export const A_OPEN = 0x4e45504f;
export const A_OKAY = 0x59414b4f;
export const A_CLSE = 0x45534c43;
export const A_WRTE = 0x45545257;
export const A_STLS = 0x534c5453;

/** Version 0x01000001 lets both sides skip the payload checksum. */
export const A_VERSION_MIN = 0x01000000;
export const A_VERSION_SKIP_CHECKSUM = 0x01000001;

export const AUTH_TOKEN = 1;
export const AUTH_SIGNATURE = 2;
export const AUTH_RSAPUBLICKEY = 3;

export const HEADER_SIZE = 24;

export interface AdbMessage {
  command: number;
  arg0: number;
  arg1: number;
  payload: Buffer;
}

export function commandName(command: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(command >>> 0);
  return /^[A-Z]{4}$/.test(b.toString('latin1')) ? b.toString('latin1') : `0x${command.toString(16)}`;
}

export function byteSum(payload: Uint8Array): number {
  let sum = 0;
  for (const byte of payload) sum = (sum + byte) >>> 0;
  return sum;
}

export function encodeMessage(command: number, arg0: number, arg1: number, payload: Uint8Array = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32LE(command >>> 0, 0);
  header.writeUInt32LE(arg0 >>> 0, 4);
  header.writeUInt32LE(arg1 >>> 0, 8);
  header.writeUInt32LE(payload.length, 12);
  // Always sent: peers on the old protocol version need it, newer ones ignore it.
  header.writeUInt32LE(byteSum(payload), 16);
  header.writeUInt32LE((command ^ 0xffffffff) >>> 0, 20);
  return payload.length > 0 ? Buffer.concat([header, payload]) : header;
}

export class WireError extends Error {}

/**
 * Reassembles messages from TCP chunks. TCP gives no message boundaries, so a header may arrive split
 * across reads and several messages may arrive in one read.
 */
export class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Set once CNXN has agreed a version; below 0x01000001 payload checksums are checked. */
  checkChecksums = true;

  constructor(private readonly maxPayload: number) {}

  push(chunk: Buffer): AdbMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: AdbMessage[] = [];
    while (this.buffer.length >= HEADER_SIZE) {
      const command = this.buffer.readUInt32LE(0);
      const magic = this.buffer.readUInt32LE(20);
      if (((command ^ 0xffffffff) >>> 0) !== magic) throw new WireError(`bad magic for command ${commandName(command)}`);
      const length = this.buffer.readUInt32LE(12);
      // CNXN may legitimately carry a payload bigger than the limit we have not yet told the peer about.
      const limit = command === A_CNXN || command === A_AUTH ? Math.max(this.maxPayload, 1 << 20) : this.maxPayload;
      if (length > limit) throw new WireError(`payload of ${length} bytes exceeds the limit of ${limit}`);
      if (this.buffer.length < HEADER_SIZE + length) break;
      const payload = Buffer.from(this.buffer.subarray(HEADER_SIZE, HEADER_SIZE + length));
      const checksum = this.buffer.readUInt32LE(16);
      if (this.checkChecksums && length > 0 && checksum !== byteSum(payload)) {
        throw new WireError(`bad checksum for command ${commandName(command)}`);
      }
      out.push({ command, arg0: this.buffer.readUInt32LE(4), arg1: this.buffer.readUInt32LE(8), payload });
      this.buffer = this.buffer.subarray(HEADER_SIZE + length);
    }
    return out;
  }
}
