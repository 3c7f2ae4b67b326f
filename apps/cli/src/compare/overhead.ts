/**
 * Overhead and binary safety, computed from real encodings.
 *
 * @module
 */
import { concatBytes, Deframer, isFramingError, type FramingStrategy, bytesText } from '@framewire/chunk-buffer';
import type { Fitting } from './carry.js';
import { payload, Random, sameBytes, type PayloadKind } from './data.js';

/** Why an encoder refused a payload: its error code. */
export type RefusalCode = 'ERR_FRAME_TOO_LARGE' | 'ERR_UNENCODABLE_PAYLOAD';

/** The wire size of one payload profile. */
export interface OverheadFigure {
  /** Payload size in bytes. */
  payloadBytes: number;
  /** `text` (printable ASCII words) or `binary` (uniformly random bytes). */
  kind: PayloadKind;
  /** Bytes on the wire for this payload, or `null` when the encoder refused it. */
  wireBytes: number | null;
  /** `wireBytes - payloadBytes`, or `null` when refused. */
  overheadBytes: number | null;
  /** Wire bytes per payload byte (`wireBytes / payloadBytes`), or `null` when refused. */
  wirePerPayloadByte: number | null;
  /** The encoder's error code when it refused the payload, else `null`. */
  refused: RefusalCode | null;
}

/** Result of one encode attempt. */
export type EncodeOutcome = { ok: true; parts: Uint8Array[]; wireBytes: number } | { ok: false; refused: RefusalCode };

/** Encodes `bytes`, turning a refusal (too large, unencodable) into a value. */
export function tryEncode(strategy: FramingStrategy, bytes: Uint8Array): EncodeOutcome {
  try {
    const parts = strategy.createEncoder().encode(bytes);
    let wireBytes = 0;
    for (const part of parts) wireBytes += part.length;
    return { ok: true, parts, wireBytes };
  } catch (error) {
    if (isFramingError(error, 'ERR_FRAME_TOO_LARGE') || isFramingError(error, 'ERR_UNENCODABLE_PAYLOAD')) {
      return { ok: false, refused: error.code as RefusalCode };
    }
    throw error;
  }
}

/**
 * The wire size of one payload of each size and kind. Payloads come from `seed`, so every
 * strategy encodes the very same bytes.
 */
export function measureOverhead(strategy: FramingStrategy, sizes: readonly number[], seed: number): OverheadFigure[] {
  const figures: OverheadFigure[] = [];
  for (const size of sizes) {
    for (const kind of ['text', 'binary'] as const) {
      const bytes = payload(new Random(seed ^ size ^ (kind === 'text' ? 0 : 0x5bd1e995)), kind, size);
      const outcome = tryEncode(strategy, bytes);
      figures.push(
        outcome.ok
          ? {
              payloadBytes: size,
              kind,
              wireBytes: outcome.wireBytes,
              overheadBytes: outcome.wireBytes - size,
              wirePerPayloadByte: size === 0 ? null : outcome.wireBytes / size,
              refused: null,
            }
          : { payloadBytes: size, kind, wireBytes: null, overheadBytes: null, wirePerPayloadByte: null, refused: outcome.refused },
      );
    }
  }
  return figures;
}

/** How a strategy coped with random binary payloads. */
export interface BinarySafety {
  /** True when every test payload round-tripped unchanged: the format carries any bytes. */
  binarySafe: boolean;
  /** How many payloads were tried. */
  payloadsTested: number;
  /** Encoded and decoded back to the same bytes. */
  roundTripped: number;
  /** Refused by the encoder (`ERR_UNENCODABLE_PAYLOAD`): safe, but the format cannot carry them. */
  refused: number;
  /** Encoded, but decoded to different bytes, more or fewer frames, or a decode error: unsafe. */
  corrupted: number;
}

// Lengths of the random payloads of the binary-safety test: tiny ones (where a single byte
// decides), then longer ones. All stay under 255 bytes so even `u8` can carry them: the test
// is about content, not size. A strategy that carries fewer bytes (`ascii:2`, at most 99)
// gets payloads cut to its largest.
const BINARY_SAFETY_LENGTHS = [1, 2, 3, 7, 16, 31, 64, 100, 200, 254];
const LONGEST_BINARY_SAFETY_PAYLOAD = 254;

// The one-byte frames around each payload of the binary-safety test: `M`, or the first byte
// the strategy carries alone when it refuses `M` (`delim:4d`).
const MARKERS = [0x4d, ...Array.from({ length: 256 }, (_, byte) => byte)];

/** Every ordered pair of bytes (a, b) occurs in this sequence: `a 0 a 1 … a 255` for each `a`. */
function allBytePairs(): Uint8Array {
  const out = new Uint8Array(256 * 512);
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      out[a * 512 + 2 * b] = a;
      out[a * 512 + 2 * b + 1] = b;
    }
  }
  return out;
}

/**
 * The payloads of the binary-safety test: every byte alone and after a letter; every pair of
 * bytes (cut into overlapping pieces of `longest` bytes, so a two-byte delimiter such as
 * `\r\n` shows up); the strategy's own framed bytes (so a delimiter of any length shows up);
 * and random bytes. The pieces and the random payloads are at most `longest` bytes long; the
 * payloads longer than the strategy carries (its own framed bytes, twice) are left out.
 */
function binarySafetyPayloads(strategy: FramingStrategy, seed: number, rounds: number, longest: number): Uint8Array[] {
  const random = new Random(seed ^ 0x0b1a7);
  const payloads: Uint8Array[] = [];
  for (let byte = 0; byte < 256; byte++) {
    payloads.push(Uint8Array.of(byte));
    payloads.push(Uint8Array.of(0x41, byte));
  }
  const pairs = allBytePairs();
  if (longest >= 2) {
    for (let at = 0; at + 1 < pairs.length; at += longest - 1) payloads.push(pairs.subarray(at, Math.min(at + longest, pairs.length)));
  }
  for (const inner of [new Uint8Array(0), Uint8Array.of(0x68, 0x69), random.bytes(8)]) {
    const framed = tryEncode(strategy, inner);
    if (!framed.ok) continue;
    const wire = concatBytes(framed.parts);
    payloads.push(wire, concatBytes([Uint8Array.of(0x78), wire, wire, Uint8Array.of(0x79)]));
  }
  for (let round = 0; round < rounds; round++) {
    for (const length of BINARY_SAFETY_LENGTHS) payloads.push(random.bytes(Math.min(length, longest)));
  }
  return payloads.filter((bytes) => bytes.length <= strategy.maxFrameLength);
}

/** The first of {@link MARKERS} the strategy carries as a one-byte payload, framed. */
function markerFrame(strategy: FramingStrategy): { marker: Uint8Array; wire: Uint8Array } {
  for (const byte of MARKERS) {
    const marker = Uint8Array.of(byte);
    const framed = tryEncode(strategy, marker);
    if (framed.ok) return { marker, wire: concatBytes(framed.parts) };
  }
  throw new Error(`${strategy.name} cannot encode any one-byte payload`);
}

/**
 * Tests binary safety: encodes each payload of {@link binarySafetyPayloads} between two
 * one-byte frames, decodes the three as one stream, and counts what came back intact. An
 * unescaped special byte shows up as a framing error or a wrong frame; a refusal by the
 * encoder is counted apart (safe, but the format cannot carry that payload). Payloads are
 * at most 254 bytes long, or as long as the strategy carries when that is less (recorded in
 * `fitting`).
 */
export function measureBinarySafety(strategy: FramingStrategy, seed: number, fitting?: Fitting, rounds = 16): BinarySafety {
  const longest = Math.min(LONGEST_BINARY_SAFETY_PAYLOAD, strategy.maxFrameLength);
  if (longest < LONGEST_BINARY_SAFETY_PAYLOAD) fitting?.shortened('binary safety', `payloads of at most ${bytesText(longest)}`);
  const payloads = binarySafetyPayloads(strategy, seed, rounds, longest);
  const { marker, wire: markerWire } = markerFrame(strategy);
  let roundTripped = 0;
  let refused = 0;
  let corrupted = 0;
  for (const bytes of payloads) {
    const outcome = tryEncode(strategy, bytes);
    if (!outcome.ok) {
      // Every test payload fits the strategy's largest, so only the content can be refused.
      if (outcome.refused === 'ERR_FRAME_TOO_LARGE') throw new Error(`${strategy.name} refused a ${bytes.length}-byte payload as too large`);
      refused++;
      continue;
    }
    // Each payload between two known frames, so a special byte that leaks out of its frame
    // (an unescaped delimiter, a stripped `\r`) damages the frame or its neighbours.
    const frames: Uint8Array[] = [];
    try {
      const deframer = new Deframer(strategy);
      deframer.push(concatBytes([markerWire, ...outcome.parts, markerWire]), (f) => frames.push(f));
      deframer.end((f) => frames.push(f));
    } catch {
      corrupted++;
      continue;
    }
    const intact = frames.length === 3 && sameBytes(frames[0]!, marker) && sameBytes(frames[1]!, bytes) && sameBytes(frames[2]!, marker);
    if (intact) roundTripped++;
    else corrupted++;
  }
  return { binarySafe: roundTripped === payloads.length, payloadsTested: payloads.length, roundTripped, refused, corrupted };
}
