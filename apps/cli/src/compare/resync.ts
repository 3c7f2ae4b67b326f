/**
 * Recovery after corruption: damage one byte of a long framed stream and see whether, and
 * after how many frames, the decoder is back in sync.
 *
 * @module
 */
import { concatBytes, Deframer, type FramingStrategy, bytesText } from '@framewire/chunk-buffer';
import { carriableText, type Fitting } from './carry.js';
import { Random, sameBytes, textPayload } from './data.js';
import { tryEncode } from './overhead.js';

/** The two kinds of damage. */
export type Corruption = 'flip' | 'drop';

/** What one kind of damage did, over every byte position of one frame. */
export interface CorruptionFigure {
  /** How many byte positions were damaged, one per run: every wire byte of one frame. */
  positionsTested: number;
  /**
   * Runs in which the decoder was back in sync at the next frame boundary: at most the
   * damaged frame and the one its damaged boundary ran into were lost, every later frame
   * arrived intact.
   */
  positionsResynced: number;
  /**
   * Runs in which the decoder was back in sync by the end of the stream, however late:
   * includes {@link positionsResynced} and a length prefix that happened to land on a real
   * header again by chance.
   */
  positionsRealigned: number;
  /** True when the decoder was back in sync at the next frame boundary whichever byte was damaged. */
  recovers: boolean;
  /**
   * Worst case over all positions: frames sent that never arrived intact (the damaged one
   * included), up to the point where the decoder was back in sync. `null` when some position
   * left it out of sync until the stream ended.
   */
  framesLost: number | null;
  /**
   * Worst case over all positions: frames delivered that were never sent (damage passed on
   * silently, frames glued together, garbage read as frames). Framing cannot catch these;
   * a checksum could.
   */
  wrongFramesDelivered: number;
  /** Worst case over all positions: recoverable framing errors raised in one run. */
  errorsRaised: number;
}

/** Recovery after corruption, as in the JSON output. */
export interface ResyncFigure {
  /**
   * True when the decoder gets back in sync at the next frame boundary after any one flipped
   * or dropped byte (as delimiter strategies do); false when some damaged byte leaves it out
   * of step for longer (a length prefix read from the wrong place), even if it realigns later
   * by chance.
   */
  recovers: boolean;
  /** Worst case of {@link CorruptionFigure.framesLost} over both kinds when it recovers; `null` when it does not. */
  framesLost: number | null;
  /** Frames in the test stream. */
  streamFrames: number;
  /** Index of the frame whose bytes were damaged (frames before it always arrive). */
  damagedFrameIndex: number;
  /** One byte inverted (`byte ^ 0xFF`). */
  flip: CorruptionFigure;
  /** One byte removed. */
  drop: CorruptionFigure;
}

const STREAM_FRAMES = 96;
const DAMAGED_FRAME = 32;
// Each frame is a label (`#032 `) and 24 to 72 bytes of text, fewer when the strategy carries
// less (`ascii:1`: 9 bytes in all).
const LABEL_BYTES = 5;
const SHORTEST_TEXT = 24;
const LONGEST_TEXT = 72;
/** The test's name in the report's notes. */
const TEST = 'recovery';

/** The outcome of decoding one damaged stream. */
interface RunOutcome {
  /** Every frame after some point arrived intact, and no unrecoverable error. */
  realigned: boolean;
  /** Realigned at the next frame boundary: at most 2 frames lost. */
  resynced: boolean;
  framesLost: number;
  wrongFrames: number;
  errors: number;
}

function decodeDamaged(strategy: FramingStrategy, wire: Uint8Array, originals: readonly Uint8Array[]): RunOutcome {
  const delivered: Uint8Array[] = [];
  let errors = 0;
  let fatal = false;
  const deframer = new Deframer(strategy, {
    onRecoverableError: () => {
      errors++;
    },
  });
  try {
    // Chunks of 1,000 bytes: the damaged frame and its neighbours cross chunk boundaries.
    for (let at = 0; at < wire.length; at += 1000) {
      deframer.push(wire.subarray(at, Math.min(at + 1000, wire.length)), (frame) => delivered.push(frame));
    }
    deframer.end((frame) => delivered.push(frame));
  } catch {
    fatal = true;
  }
  const n = originals.length;
  const m = delivered.length;
  let prefix = 0;
  while (prefix < n && prefix < m && sameBytes(originals[prefix]!, delivered[prefix]!)) prefix++;
  let suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix && sameBytes(originals[n - 1 - suffix]!, delivered[m - 1 - suffix]!)) suffix++;
  const realigned = !fatal && (suffix > 0 || prefix === n);
  return {
    realigned,
    resynced: realigned && prefix + suffix >= n - 2,
    framesLost: n - prefix - suffix,
    wrongFrames: m - prefix - suffix,
    errors,
  };
}

/**
 * The payloads of the test stream: {@link STREAM_FRAMES} distinct text frames, each a label
 * and text, fitted to what the strategy carries (recorded in `fitting`): shorter text when it
 * carries fewer than {@link LABEL_BYTES} + {@link LONGEST_TEXT} bytes, and the bytes its
 * encoder refuses replaced (see {@link carriableText}).
 */
function streamPayloads(strategy: FramingStrategy, seed: number, fitting?: Fitting): Uint8Array[] {
  const longest = Math.min(LONGEST_TEXT, strategy.maxFrameLength - LABEL_BYTES);
  if (longest < 1) throw new Error(`${strategy.name} carries at most ${bytesText(strategy.maxFrameLength)}, too few for the numbered frames of the recovery test`);
  const shortest = Math.min(SHORTEST_TEXT, longest);
  if (longest < LONGEST_TEXT) {
    const sizes = shortest === longest ? `${LABEL_BYTES + longest}` : `${LABEL_BYTES + shortest} to ${LABEL_BYTES + longest}`;
    fitting?.shortened(TEST, `frames of ${sizes} bytes`);
  }
  const random = new Random(seed ^ 0x7e5c);
  const payloads: Uint8Array[] = [];
  for (let i = 0; i < STREAM_FRAMES; i++) {
    const body = textPayload(random, random.int(shortest, longest));
    const label = new TextEncoder().encode(`#${String(i).padStart(3, '0')} `);
    let bytes: Uint8Array = new Uint8Array(label.length + body.length);
    bytes.set(label);
    bytes.set(body, label.length);
    const outcome = tryEncode(strategy, bytes);
    if (!outcome.ok && outcome.refused === 'ERR_UNENCODABLE_PAYLOAD') {
      const carried = carriableText(strategy, bytes);
      if (carried !== undefined) {
        bytes = carried.bytes;
        fitting?.replaced(TEST, carried.replaced);
      }
    }
    payloads.push(bytes);
  }
  return payloads;
}

/**
 * Builds a stream of {@link STREAM_FRAMES} distinct text frames ({@link streamPayloads}), then
 * for every wire byte of frame {@link DAMAGED_FRAME} decodes a copy with that byte flipped,
 * and one with it dropped, in 1,000-byte chunks. The decoder goes on after recoverable errors
 * (the way `serve` does); an unrecoverable error, or a stream whose last frame does not arrive
 * intact, means it never got back in sync. Frames lost = frames sent minus the intact ones at
 * the start and at the end of what was delivered.
 */
export function measureResync(strategy: FramingStrategy, seed: number, fitting?: Fitting): ResyncFigure {
  const originals: Uint8Array[] = [];
  const encoded: Uint8Array[] = [];
  for (const bytes of streamPayloads(strategy, seed, fitting)) {
    const outcome = tryEncode(strategy, bytes);
    if (!outcome.ok) throw new Error(`${strategy.name} refused a ${bytes.length}-byte text payload (${outcome.refused})`);
    originals.push(bytes);
    encoded.push(concatBytes(outcome.parts));
  }
  const stream = concatBytes(encoded);
  let damagedStart = 0;
  for (let i = 0; i < DAMAGED_FRAME; i++) damagedStart += encoded[i]!.length;
  const damagedLength = encoded[DAMAGED_FRAME]!.length;

  const measure = (corruption: Corruption): CorruptionFigure => {
    let resynced = 0;
    let realigned = 0;
    let worstLost = 0;
    let worstWrong = 0;
    let worstErrors = 0;
    for (let offset = damagedStart; offset < damagedStart + damagedLength; offset++) {
      let damaged: Uint8Array;
      if (corruption === 'flip') {
        damaged = stream.slice();
        damaged[offset] = damaged[offset]! ^ 0xff;
      } else {
        damaged = new Uint8Array(stream.length - 1);
        damaged.set(stream.subarray(0, offset));
        damaged.set(stream.subarray(offset + 1), offset);
      }
      const outcome = decodeDamaged(strategy, damaged, originals);
      if (outcome.resynced) resynced++;
      if (outcome.realigned) realigned++;
      worstLost = Math.max(worstLost, outcome.framesLost);
      worstWrong = Math.max(worstWrong, outcome.wrongFrames);
      worstErrors = Math.max(worstErrors, outcome.errors);
    }
    return {
      positionsTested: damagedLength,
      positionsResynced: resynced,
      positionsRealigned: realigned,
      recovers: resynced === damagedLength,
      framesLost: realigned === damagedLength ? worstLost : null,
      wrongFramesDelivered: worstWrong,
      errorsRaised: worstErrors,
    };
  };

  const flip = measure('flip');
  const drop = measure('drop');
  const recovers = flip.recovers && drop.recovers;
  return {
    recovers,
    framesLost: recovers ? Math.max(flip.framesLost ?? 0, drop.framesLost ?? 0) : null,
    streamFrames: STREAM_FRAMES,
    damagedFrameIndex: DAMAGED_FRAME,
    flip,
    drop,
  };
}
