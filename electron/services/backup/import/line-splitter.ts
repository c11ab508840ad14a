/** One physical line of a text file, as bytes, with the exact terminator that followed it. */
export interface RawLine {
  /** 1-based line number. */
  lineNo: number;
  /** The line without its terminator; undefined when it was longer than the limit (then dropped). */
  bytes: Uint8Array | undefined;
  /** Full length in bytes, also when dropped. */
  length: number;
  /** '\r\n', '\n' or '' (last line without a newline). */
  eol: string;
}

/**
 * Splits a stream of chunks into lines without ever holding more than `maxLineBytes` of one line:
 * a longer line is counted and dropped, so a 1 GB line cannot exhaust memory.
 */
export class LineSplitter {
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  private overflow = false;
  private lineNo = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Lines completed by this chunk. */
  push(chunk: Uint8Array): RawLine[] {
    const lines: RawLine[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      this.append(chunk.subarray(start, nl));
      lines.push(this.finish('\n'));
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk.subarray(start));
    return lines;
  }

  /** The last line, if the input did not end with a newline. */
  end(): RawLine | undefined {
    if (this.partsLength === 0 && this.parts.length === 0 && !this.overflow) return undefined;
    return this.finish('');
  }

  private append(piece: Uint8Array): void {
    this.partsLength += piece.length;
    if (this.overflow) return;
    if (this.partsLength > this.maxLineBytes + 1) {
      // +1 leaves room for the '\r' of a CRLF that belongs to the terminator, not the line.
      this.overflow = true;
      this.parts = [];
      return;
    }
    // Copy: the caller's chunk buffer may be reused.
    if (piece.length > 0) this.parts.push(Uint8Array.prototype.slice.call(piece));
    else this.parts.push(piece);
  }

  private finish(newline: string): RawLine {
    this.lineNo += 1;
    let length = this.partsLength;
    let bytes: Uint8Array | undefined;
    let eol = newline;
    if (!this.overflow) {
      bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
      bytes ??= new Uint8Array(0);
      if (newline === '\n' && bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) {
        bytes = bytes.subarray(0, bytes.length - 1);
        length -= 1;
        eol = '\r\n';
      }
      if (bytes.length > this.maxLineBytes) {
        bytes = undefined;
      }
    }
    const line: RawLine = { lineNo: this.lineNo, bytes, length, eol };
    this.parts = [];
    this.partsLength = 0;
    this.overflow = false;
    return line;
  }
}
