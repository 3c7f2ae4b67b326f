/**
 * Reproducible test payloads for `framewire compare`: a seeded generator, so two runs with the
 * same seed measure the same bytes.
 *
 * @module
 */

/** The two payload kinds every profile is measured with. */
export type PayloadKind = 'text' | 'binary';

/** A small, fast, seeded pseudo-random generator (mulberry32). Not for cryptography. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniformly distributed 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in `[min, max]`. */
  int(min: number, max: number): number {
    return min + (this.nextUint32() % (max - min + 1));
  }

  /** `length` uniformly random bytes (every value 0–255 equally likely). */
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    let i = 0;
    for (; i + 4 <= length; i += 4) {
      const word = this.nextUint32();
      out[i] = word & 0xff;
      out[i + 1] = (word >>> 8) & 0xff;
      out[i + 2] = (word >>> 16) & 0xff;
      out[i + 3] = word >>> 24;
    }
    for (; i < length; i++) out[i] = this.nextUint32() & 0xff;
    return out;
  }
}

// English-like words: text payloads are what a chat line or a JSON message looks like on the
// wire (printable ASCII and spaces; never a control byte, so every strategy can carry them).
const WORDS = [
  'the', 'frame', 'stream', 'message', 'header', 'footer', 'length', 'socket', 'buffer', 'chunk',
  'bytes', 'recv', 'send', 'hello', 'world', 'a', 'of', 'to', 'and', 'is', 'in', 'it', 'that',
  '{"id":42,', '"ok":true}', 'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'TCP', 'loopback', '127.0.0.1',
];

/**
 * `length` bytes of printable ASCII text (words separated by spaces). Contains no control
 * byte (no `\n`, `\r`, `0x00`), no `0xC0`/`0xDB` and no byte ≥ 0x80.
 */
export function textPayload(random: Random, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const word = WORDS[random.int(0, WORDS.length - 1)]!;
    for (let i = 0; i < word.length && at < length; i++) out[at++] = word.charCodeAt(i);
    if (at < length) out[at++] = 0x20;
  }
  return out;
}

/** A payload of the given kind and length. */
export function payload(random: Random, kind: PayloadKind, length: number): Uint8Array {
  return kind === 'text' ? textPayload(random, length) : random.bytes(length);
}

/** True if two byte arrays hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
