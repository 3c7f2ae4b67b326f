/**
 * Streaming friendliness: must the sender know a payload's length before it sends the first
 * byte of its frame?
 *
 * @module
 */
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { Random, textPayload } from './data.js';
import { tryEncode } from './overhead.js';

/** The evidence behind `needsLengthUpFront`. */
export interface StreamingFigure {
  /** True when the frame's first bytes depend on how long the payload turns out to be. */
  needsLengthUpFront: boolean;
  /** Length of the shorter probe payload. */
  probePayloadBytes: number;
  /**
   * Worst case over the probes: how many leading wire bytes two payloads that share their
   * first `probePayloadBytes` bytes (but differ in length) have in common. A sender that can
   * stream writes about as many bytes as the payload has before it must know where it ends.
   */
  commonWirePrefixBytes: number;
}

// Extra payload bytes appended to the probe: lengths that differ in the lowest byte, in a
// higher byte, and in the number of decimal digits.
const EXTENSIONS = [1, 7, 256, 1000];

function wireBytesOf(strategy: FramingStrategy, payload: Uint8Array): Uint8Array | undefined {
  const outcome = tryEncode(strategy, payload);
  if (!outcome.ok) return undefined;
  const wire = new Uint8Array(outcome.wireBytes);
  let at = 0;
  for (const part of outcome.parts) {
    wire.set(part, at);
    at += part.length;
  }
  return wire;
}

/**
 * Derives `needsLengthUpFront` from the encoder itself. Encodes a text payload P and longer
 * payloads that start with P. If the format lets a sender stream, the encodings share (about)
 * all of P's bytes before they differ: only the end of the frame depends on where the payload
 * ends (a delimiter; COBS needs at most 254 bytes of look-ahead). If the encodings differ
 * within the first half of P, the bytes sent first encode the length: the sender must know it.
 * The probe is the largest of 16 KiB, 4 KiB and 200 bytes that the strategy can carry with
 * room for the longest extension.
 */
export function measureStreaming(strategy: FramingStrategy, seed: number): StreamingFigure {
  const longest = Math.max(...EXTENSIONS);
  const random = new Random(seed ^ 0x57ea);
  for (const probe of [16 * 1024, 4 * 1024, 200]) {
    const extensions = probe > 200 ? EXTENSIONS : [1, 7, 40];
    const full = textPayload(random, probe + (probe > 200 ? longest : 40));
    const base = wireBytesOf(strategy, full.subarray(0, probe));
    if (base === undefined) continue;
    let common = Number.POSITIVE_INFINITY;
    let carried = true;
    for (const extra of extensions) {
      const longer = wireBytesOf(strategy, full.subarray(0, probe + extra));
      if (longer === undefined) {
        carried = false;
        break;
      }
      let shared = 0;
      while (shared < base.length && shared < longer.length && base[shared] === longer[shared]) shared++;
      common = Math.min(common, shared);
    }
    if (!carried) continue;
    return { needsLengthUpFront: common < probe / 2, probePayloadBytes: probe, commonWirePrefixBytes: common };
  }
  throw new Error(`${strategy.name} cannot carry a 240-byte text payload`);
}
