/**
 * The hand-written references: the least a JavaScript decoder has to do. They are the
 * "limit" rows of the decoder tables. Deliberately minimal — no options, no limits, no
 * error reporting — but linear in every chunking.
 */

const EMPTY = new Uint8Array(0);

/**
 * u32be length-prefix decoder: a chunk list; a frame inside one chunk is returned as a
 * `subarray` (no copy), a frame spanning chunks is copied once.
 */
export class ReferenceU32Decoder {
  private chunks: Uint8Array[] = [];
  // First chunk with unread bytes, and the read position inside it.
  private head = 0;
  private offset = 0;
  // Unread bytes in total.
  private buffered = 0;
  // Payload length of the frame being read, once its header is parsed; -1 before.
  private need = -1;

  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.need < 0) {
        if (this.buffered < 4) return;
        this.need = this.readHeader();
      }
      if (this.buffered < this.need) return;
      const n = this.need;
      this.need = -1;
      onFrame(this.take(n));
    }
  }

  /** Frames cannot end a stream early here; leftover bytes mean truncation. */
  get leftover(): number {
    return this.buffered;
  }

  private readHeader(): number {
    const chunk = this.chunks[this.head]!;
    const at = this.offset;
    if (at + 4 <= chunk.length) {
      this.consume(4);
      return ((chunk[at]! << 24) | (chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!) >>> 0;
    }
    const h = this.take(4);
    return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
  }

  private take(n: number): Uint8Array {
    if (n === 0) return EMPTY;
    const chunk = this.chunks[this.head]!;
    const at = this.offset;
    if (at + n <= chunk.length) {
      this.consume(n);
      return chunk.subarray(at, at + n);
    }
    const out = new Uint8Array(n);
    let written = 0;
    while (written < n) {
      const c = this.chunks[this.head]!;
      const part = Math.min(c.length - this.offset, n - written);
      out.set(c.subarray(this.offset, this.offset + part), written);
      written += part;
      this.consume(part);
    }
    return out;
  }

  private consume(n: number): void {
    this.buffered -= n;
    this.offset += n;
    if (this.offset === this.chunks[this.head]!.length) {
      this.offset = 0;
      this.head++;
      if (this.head === this.chunks.length) {
        this.chunks = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
        this.chunks.splice(0, this.head);
        this.head = 0;
      }
    }
  }
}

/**
 * Line splitter: `indexOf(0x0a)` inside each chunk, resuming where it stopped; the part of a
 * line that spans chunks is kept as a list of views and joined once. Strips a `\r` before the
 * `\n`, like framewire's `line`.
 */
export class ReferenceLineSplitter {
  private parts: Uint8Array[] = [];
  private partsLength = 0;

  push(chunk: Uint8Array, onLine: (line: Uint8Array) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      let line: Uint8Array;
      if (this.partsLength === 0) {
        line = chunk.subarray(start, nl);
      } else {
        line = this.join(chunk.subarray(start, nl));
      }
      const n = line.length;
      onLine(n > 0 && line[n - 1] === 0x0d ? line.subarray(0, n - 1) : line);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.parts.push(start === 0 ? chunk : chunk.subarray(start));
      this.partsLength += chunk.length - start;
    }
  }

  get leftover(): number {
    return this.partsLength;
  }

  private join(last: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.partsLength + last.length);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    out.set(last, at);
    this.parts = [];
    this.partsLength = 0;
    return out;
  }
}
