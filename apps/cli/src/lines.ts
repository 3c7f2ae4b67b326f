import { ChunkBuffer, FrameTooLargeError, bytesText } from '@framewire/chunk-buffer';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into lines, for `encode` and `connect`'s stdin: each line without its
 * `\n` (or `\r\n`); a last line without a newline counts too. Chunks are searched once (the
 * scan position is kept), and a line longer than `maxLineLength` fails as soon as the limit
 * is crossed, so a newline-free input never piles up in memory.
 */
export class LineSplitter {
  private readonly buffer = new ChunkBuffer();
  // Where the next search for `\n` starts: bytes before it are known to hold none.
  private scanned = 0;
  private delivered = 0;

  constructor(private readonly maxLineLength: number) {}

  /**
   * The number (from 1) of the line being read: during `onLine`, the line it was given. Errors
   * about a line name it, so that a bad line in a long input can be found.
   */
  get lineNumber(): number {
    return this.delivered + 1;
  }

  private tooLong(length: number, atLeast = false): FrameTooLargeError {
    const max = this.maxLineLength;
    return new FrameTooLargeError(
      length,
      max,
      `input line ${this.lineNumber} of ${atLeast ? 'more than ' : ''}${bytesText(atLeast ? max : length)} exceeds the maximum frame length of ${bytesText(max)}`,
    );
  }

  private deliver(line: Uint8Array, onLine: (line: Uint8Array) => void): void {
    onLine(line);
    this.delivered += 1;
  }

  /** Adds a chunk and calls `onLine` for each line it completed. */
  push(chunk: Uint8Array, onLine: (line: Uint8Array) => void): void {
    const { buffer } = this;
    buffer.push(chunk);
    for (;;) {
      const at = buffer.indexOf(LF, this.scanned);
      if (at < 0) {
        this.scanned = buffer.length;
        // One byte of slack for a `\r` that may precede the coming `\n`.
        if (buffer.length > this.maxLineLength + 1) throw this.tooLong(buffer.length, true);
        return;
      }
      const line = buffer.take(at + 1);
      this.scanned = 0;
      const end = at > 0 && line[at - 1] === CR ? at - 1 : at;
      if (end > this.maxLineLength) throw this.tooLong(end);
      this.deliver(line.subarray(0, end), onLine);
    }
  }

  /** Ends the input: calls `onLine` with a last line that had no newline, if any. */
  end(onLine: (line: Uint8Array) => void): void {
    if (this.buffer.length === 0) return;
    const line = this.buffer.take(this.buffer.length);
    if (line.length > this.maxLineLength) throw this.tooLong(line.length);
    this.deliver(line, onLine);
  }
}
