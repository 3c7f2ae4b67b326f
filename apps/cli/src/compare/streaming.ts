/**
 * Streaming friendliness: must the sender know a payload's length before it sends the first
 * byte of its frame?
 *
 * @module
 */
import { concatBytes, type FramingStrategy, bytesText } from '@framewire/chunk-buffer';
import { carriableText, type Fitting } from './carry.js';
import { Random, textPayload } from './data.js';
import { tryEncode, type RefusalCode } from './overhead.js';

/** The test's name in the report's notes. */
const TEST = 'needs length up front';

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

/** A probe payload length and the extra bytes of the longer payloads that start with it. */
interface Probe {
  payloadBytes: number;
  extensions: readonly number[];
}

// The probes, largest first: the first the strategy carries counts.
const PROBES: readonly Probe[] = [
  { payloadBytes: 16 * 1024, extensions: EXTENSIONS },
  { payloadBytes: 4 * 1024, extensions: EXTENSIONS },
  { payloadBytes: 200, extensions: [1, 7, 40] },
];
const SMALLEST_PROBE = PROBES[PROBES.length - 1]!;

/**
 * {@link PROBES}, then, for a strategy that carries less than the smallest of them with its
 * longest extension (`ascii:2`, at most 99 bytes), a probe of half its largest payload whose
 * longest extension reaches that largest payload.
 */
function probesFor(strategy: FramingStrategy): Probe[] {
  const most = strategy.maxFrameLength;
  if (most >= SMALLEST_PROBE.payloadBytes + Math.max(...SMALLEST_PROBE.extensions)) return [...PROBES];
  const payloadBytes = Math.floor(most / 2);
  if (payloadBytes < 1) return [...PROBES];
  const room = most - payloadBytes;
  const extensions = [...new Set([...SMALLEST_PROBE.extensions.filter((extra) => extra < room), room])];
  return [...PROBES, { payloadBytes, extensions }];
}

function wireBytesOf(strategy: FramingStrategy, payload: Uint8Array): Uint8Array | RefusalCode {
  const outcome = tryEncode(strategy, payload);
  if (!outcome.ok) return outcome.refused;
  return concatBytes(outcome.parts);
}

/**
 * Encodes the probe (the first `probe.payloadBytes` bytes of `text`) and each longer payload
 * (`text` up to each extension), and returns the fewest leading wire bytes an encoding of a
 * longer payload shares with the probe's; or why the encoder refused one of them.
 */
function commonWirePrefix(strategy: FramingStrategy, text: Uint8Array, probe: Probe): number | RefusalCode {
  const base = wireBytesOf(strategy, text.subarray(0, probe.payloadBytes));
  if (typeof base === 'string') return base;
  let common = Number.POSITIVE_INFINITY;
  for (const extra of probe.extensions) {
    const longer = wireBytesOf(strategy, text.subarray(0, probe.payloadBytes + extra));
    if (typeof longer === 'string') return longer;
    let shared = 0;
    while (shared < base.length && shared < longer.length && base[shared] === longer[shared]) shared++;
    common = Math.min(common, shared);
  }
  return common;
}

/**
 * Derives `needsLengthUpFront` from the encoder itself. Encodes a text payload P and longer
 * payloads that start with P. If the format lets a sender stream, the encodings share (about)
 * all of P's bytes before they differ: only the end of the frame depends on where the payload
 * ends (a delimiter; COBS needs at most 254 bytes of look-ahead). If the encodings differ
 * within the first half of P, the bytes sent first encode the length: the sender must know it.
 * The probe is the largest of 16 KiB, 4 KiB and 200 bytes that the strategy can carry with
 * room for the longest extension; for a strategy that carries less, half its largest payload.
 * When the encoder refuses a byte of the text (a delimiter such as `delim:20`), that byte is
 * replaced (see {@link carriableText}). Both fittings are recorded in `fitting`.
 */
export function measureStreaming(strategy: FramingStrategy, seed: number, fitting?: Fitting): StreamingFigure {
  const random = new Random(seed ^ 0x57ea);
  for (const probe of probesFor(strategy)) {
    const text = textPayload(random, probe.payloadBytes + Math.max(...probe.extensions));
    let common = commonWirePrefix(strategy, text, probe);
    if (common === 'ERR_UNENCODABLE_PAYLOAD') {
      const carried = carriableText(strategy, text);
      if (carried === undefined) continue;
      common = commonWirePrefix(strategy, carried.bytes, probe);
      if (typeof common === 'number') fitting?.replaced(TEST, carried.replaced);
    }
    if (typeof common === 'string') continue;
    const { payloadBytes } = probe;
    if (payloadBytes < SMALLEST_PROBE.payloadBytes) {
      fitting?.shortened(TEST, `payloads of ${payloadBytes} to ${payloadBytes + Math.max(...probe.extensions)} bytes`);
    }
    return { needsLengthUpFront: common < payloadBytes / 2, probePayloadBytes: payloadBytes, commonWirePrefixBytes: common };
  }
  throw new Error(`${strategy.name} cannot carry a text payload of ${bytesText(Math.floor(strategy.maxFrameLength / 2))} and a longer one`);
}
