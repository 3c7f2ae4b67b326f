import { ChunkBuffer } from '@framewire/chunk-buffer';

/**
 * A {@link ChunkBuffer} that counts the work a decoder asks of it, so a test can tell a decoder
 * that scans each byte once from one that re-scans the whole buffer on every chunk.
 *
 * Every read, search, `peek` and `take` adds the number of bytes it could have looked at to
 * {@link bytesInspected}:
 *
 * - `byteAt`/`readUint8`: 1; `readUint16*`: 2; `readUint24*`: 3; `readUint32*`: 4;
 *   `readBigUint64*`: 8; `readUint(offset, n)`: n;
 * - `indexOf(byte, from, end)`: the bytes from `from` up to and including the match, or up to
 *   `end` (clamped to `length`) when there is none; `indexOfSequence`: the same, to the end of
 *   the match;
 * - `startsWith(sequence)`: the sequence's length; `peek(start, end)` and
 *   `copyTo(target, targetStart, start, end)`: `end - start`; `take(n)`: n (it may copy them).
 *   `skip` and `length` are free.
 *
 * Calls that the buffer makes to itself (a 16-bit read built on the generic read) are counted
 * once. {@link bytesPushed} adds up the chunks pushed.
 */
export class CountingChunkBuffer extends ChunkBuffer {
  /** Bytes the decoder could have looked at, summed over every call since the last reset. */
  bytesInspected = 0;
  /** Bytes pushed since the last reset. */
  bytesPushed = 0;
  /** Read, search, peek, copyTo and take calls since the last reset. */
  calls = 0;
  // Nesting depth of counted calls: inner calls made by the base class are not counted again.
  private depth = 0;

  /** Zeroes the counters (the buffered bytes stay). */
  resetCounters(): void {
    this.bytesInspected = 0;
    this.bytesPushed = 0;
    this.calls = 0;
  }

  override push(chunk: Uint8Array): void {
    this.bytesPushed += chunk.length;
    super.push(chunk);
  }

  override byteAt(offset: number): number {
    return this.count(() => 1, () => super.byteAt(offset));
  }

  override readUint8(offset: number): number {
    return this.count(() => 1, () => super.readUint8(offset));
  }

  override readUint16BE(offset: number): number {
    return this.count(() => 2, () => super.readUint16BE(offset));
  }

  override readUint16LE(offset: number): number {
    return this.count(() => 2, () => super.readUint16LE(offset));
  }

  override readUint24BE(offset: number): number {
    return this.count(() => 3, () => super.readUint24BE(offset));
  }

  override readUint24LE(offset: number): number {
    return this.count(() => 3, () => super.readUint24LE(offset));
  }

  override readUint32BE(offset: number): number {
    return this.count(() => 4, () => super.readUint32BE(offset));
  }

  override readUint32LE(offset: number): number {
    return this.count(() => 4, () => super.readUint32LE(offset));
  }

  override readBigUint64BE(offset: number): bigint {
    return this.count(() => 8, () => super.readBigUint64BE(offset));
  }

  override readBigUint64LE(offset: number): bigint {
    return this.count(() => 8, () => super.readBigUint64LE(offset));
  }

  override readUint(offset: number, byteLength: number, littleEndian = false): number {
    return this.count(() => byteLength, () => super.readUint(offset, byteLength, littleEndian));
  }

  override indexOf(byte: number, fromOffset = 0, endOffset: number = this.length): number {
    const from = Math.max(fromOffset, 0);
    const stop = Math.min(endOffset, this.length);
    return this.count(
      (found) => Math.max(0, found === -1 ? stop - from : found - from + 1),
      () => super.indexOf(byte, fromOffset, endOffset),
    );
  }

  override indexOfSequence(sequence: Uint8Array, fromOffset = 0, endOffset: number = this.length): number {
    const from = Math.max(fromOffset, 0);
    const stop = Math.min(endOffset, this.length);
    return this.count(
      (found) => Math.max(0, found === -1 ? stop - from : found - from + sequence.length),
      () => super.indexOfSequence(sequence, fromOffset, endOffset),
    );
  }

  override startsWith(sequence: Uint8Array, offset = 0): boolean {
    return this.count(() => sequence.length, () => super.startsWith(sequence, offset));
  }

  override peek(start = 0, end: number = this.length): Uint8Array {
    return this.count(() => Math.max(0, end - start), () => super.peek(start, end));
  }

  override copyTo(target: Uint8Array, targetStart = 0, start = 0, end: number = this.length): number {
    return this.count(() => Math.max(0, end - start), () => super.copyTo(target, targetStart, start, end));
  }

  override take(n: number): Uint8Array {
    return this.count(() => n, () => super.take(n));
  }

  private count<T>(cost: (result: T) => number, call: () => T): T {
    this.depth++;
    let result: T;
    try {
      result = call();
    } finally {
      this.depth--;
    }
    if (this.depth === 0) {
      this.calls++;
      this.bytesInspected += cost(result);
    }
    return result;
  }
}
