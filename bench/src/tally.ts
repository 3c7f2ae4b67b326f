const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Counts frames and folds them into an order-sensitive checksum, so every run can prove it
 * produced exactly the expected frames.
 *
 * Two modes with one code path (a single class keeps the call sites monomorphic):
 * - `sampled` (timed passes): O(1) per frame — the length and four sampled bytes. Cheap
 *   enough not to distort the measurement, and any misframing changes it.
 * - `full` (warm-up passes, untimed): every byte of every frame is hashed ({@link fullHash}).
 *
 * Strings are hashed through their char codes, which equal the bytes for the ASCII payloads
 * of the text workloads, so a strings-out run is checked against the same expected values.
 */
export class Tally {
  frames = 0;
  bytes = 0;
  sum = 0;

  constructor(readonly full: boolean) {}

  add(frame: Uint8Array): void {
    const n = frame.length;
    this.frames++;
    this.bytes += n;
    let h: number;
    if (this.full) h = fullHash(frame);
    else if (n === 0) h = 0;
    else h = frame[0]! | (frame[(n / 3) | 0]! << 8) | (frame[((2 * n) / 3) | 0]! << 16) | (frame[n - 1]! << 24);
    this.sum = mix(this.sum, h, n);
  }

  /** Adds a frame whose hash was computed elsewhere (see {@link FixedFrameTally}). */
  addHash(h: number, n: number): void {
    this.frames++;
    this.bytes += n;
    this.sum = mix(this.sum, h, n);
  }

  addString(line: string): void {
    const n = line.length;
    this.frames++;
    this.bytes += n;
    let h: number;
    if (this.full) {
      // fullHash over the char codes (the bytes, for ASCII).
      h = FNV_OFFSET;
      const whole = n & ~3;
      let i = 0;
      for (; i < whole; i += 4) {
        const word = line.charCodeAt(i) | (line.charCodeAt(i + 1) << 8) | (line.charCodeAt(i + 2) << 16) | (line.charCodeAt(i + 3) << 24);
        h = Math.imul(h ^ word, FNV_PRIME);
      }
      if (i < n) {
        let word = 0;
        for (let shift = 0; i < n; i++, shift += 8) word |= line.charCodeAt(i) << shift;
        h = Math.imul(h ^ word, FNV_PRIME);
      }
    } else if (n === 0) {
      h = 0;
    } else {
      h =
        line.charCodeAt(0) |
        (line.charCodeAt((n / 3) | 0) << 8) |
        (line.charCodeAt(((2 * n) / 3) | 0) << 16) |
        (line.charCodeAt(n - 1) << 24);
    }
    this.sum = mix(this.sum, h, n);
  }
}

/**
 * Tallies a raw byte stream as if it were cut into frames of `frameLength` bytes, without
 * copying a byte: how a raw-socket reference proves it received the expected stream.
 */
export class FixedFrameTally {
  // Offset inside the current frame, and the hash collected for it so far.
  private at = 0;
  private h = FNV_OFFSET;
  // Full mode: the bytes of the frame's current 4-byte word received so far.
  private word = 0;
  private readonly samples: readonly number[];

  constructor(
    private readonly tally: Tally,
    private readonly frameLength: number,
  ) {
    const n = frameLength;
    this.samples = [0, (n / 3) | 0, ((2 * n) / 3) | 0, n - 1];
    if (!tally.full) this.h = 0;
  }

  push(chunk: Uint8Array): void {
    const n = this.frameLength;
    let i = 0;
    while (i < chunk.length) {
      const take = Math.min(chunk.length - i, n - this.at);
      if (this.tally.full) {
        // fullHash, a byte at a time: the words do not line up with the chunks.
        let h = this.h;
        let word = this.word;
        for (let k = i, at = this.at; k < i + take; k++, at++) {
          word |= chunk[k]! << (8 * (at & 3));
          if ((at & 3) === 3) {
            h = Math.imul(h ^ word, FNV_PRIME);
            word = 0;
          }
        }
        this.h = h;
        this.word = word;
      } else {
        for (let s = 0; s < 4; s++) {
          const k = this.samples[s]!;
          if (k >= this.at && k < this.at + take) this.h |= chunk[i + k - this.at]! << (8 * s);
        }
      }
      this.at += take;
      i += take;
      if (this.at === n) {
        if (this.tally.full && (n & 3) !== 0) this.h = Math.imul(this.h ^ this.word, FNV_PRIME);
        this.tally.addHash(this.h, n);
        this.at = 0;
        this.h = this.tally.full ? FNV_OFFSET : 0;
        this.word = 0;
      }
    }
  }

  /** Bytes of an incomplete last frame. */
  get leftover(): number {
    return this.at;
  }
}

/**
 * The full-mode hash of a frame: FNV-1a over its 4-byte little-endian words (the last one
 * padded with zeros), not its bytes: a quarter of the multiplications, whose chain sets the
 * speed, so the warm-up of a 512 MiB TCP cell hashes in about half the time.
 */
export function fullHash(frame: Uint8Array): number {
  const n = frame.length;
  const whole = n & ~3;
  let h = FNV_OFFSET;
  let i = 0;
  for (; i < whole; i += 4) h = Math.imul(h ^ (frame[i]! | (frame[i + 1]! << 8) | (frame[i + 2]! << 16) | (frame[i + 3]! << 24)), FNV_PRIME);
  if (i < n) {
    let word = 0;
    for (let shift = 0; i < n; i++, shift += 8) word |= frame[i]! << shift;
    h = Math.imul(h ^ word, FNV_PRIME);
  }
  return h;
}

function mix(sum: number, h: number, n: number): number {
  return (Math.imul(sum, 31) + Math.imul(h ^ n, 0x9e3779b1)) >>> 0;
}

/** The expected tallies of a known frame sequence, computed once before timing. */
export interface Expected {
  frames: number;
  bytes: number;
  sampled: number;
  full: number;
}

/** Tallies `count` payloads of `length` bytes laid out back to back in `payloads`. */
export function expectedOf(payloads: Uint8Array, count: number, length: number): Expected {
  const sampled = new Tally(false);
  const full = new Tally(true);
  for (let i = 0; i < count; i++) {
    const frame = payloads.subarray(i * length, (i + 1) * length);
    sampled.add(frame);
    full.add(frame);
  }
  return { frames: sampled.frames, bytes: sampled.bytes, sampled: sampled.sum, full: full.sum };
}

/**
 * Tallies a sequence of payloads. A payload that comes again (the same array: the TCP cells
 * send a small pool over and over) is hashed once.
 */
export function expectedOfFrames(frames: Iterable<Uint8Array>): Expected {
  const sampled = new Tally(false);
  const full = new Tally(true);
  const hashes = new Map<Uint8Array, number>();
  for (const frame of frames) {
    sampled.add(frame);
    let h = hashes.get(frame);
    if (h === undefined) hashes.set(frame, (h = fullHash(frame)));
    full.addHash(h, frame.length);
  }
  return { frames: sampled.frames, bytes: sampled.bytes, sampled: sampled.sum, full: full.sum };
}

/** A description of how a tally differs from the expected one, or undefined when it matches. */
export function mismatch(tally: Tally, expected: Expected): string | undefined {
  const sum = tally.full ? expected.full : expected.sampled;
  if (tally.frames !== expected.frames) return `got ${tally.frames} frames, expected ${expected.frames}`;
  if (tally.bytes !== expected.bytes) return `got ${tally.bytes} payload bytes, expected ${expected.bytes}`;
  if (tally.sum !== sum) return `checksum ${hex(tally.sum)} differs from the expected ${hex(sum)}`;
  return undefined;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
