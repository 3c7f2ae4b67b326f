import fc from 'fast-check';
import type { FrameDecoder, FramingStrategy } from '@framewire/chunk-buffer';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import type { ChunkPlan } from '../chunking.js';
import { CountingChunkBuffer } from '../counting-chunk-buffer.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, ResolvedConfig, StrategyUnderTest } from '../options.js';
import { assertExample, assertProperty, encodeStream, expectFrames, fail, fixedPayload } from './shared.js';

/** Title of property 6, as `testStrategy` names its test. */
export const LINEAR_WORK = '6. decoding work is linear: bytes inspected stay within a constant factor of bytes fed';

// Frames in the "many frames in one chunk" example: enough that re-scanning the rest of the
// chunk for every frame shows up as a factor of hundreds.
const MANY_FRAMES = 2000;
// Allowance on top of the factor, so that a stream of a few bytes whose header is read twice is
// not judged on a ratio of tiny numbers. Small against the streams that show quadratic work.
const SLACK = 64;

/**
 * Property 6: the decoder is driven over a {@link CountingChunkBuffer}, which adds up the bytes
 * each read, search, peek and take could have looked at; the total may not exceed
 * `workFactor` (default 4) per byte fed, plus `callAllowance` (default 4) per `decode` call, plus
 * 64 bytes (so that a stream of a few bytes whose header is read twice is not judged on a ratio
 * of tiny numbers). The per-call allowance pays for what the contract allows a decoder to look
 * at again on each call: the last `length - 1` bytes of a multi-byte delimiter search, resumed as
 * `ChunkBuffer.indexOfSequence` advises, or a short header it waits to complete. Anything that
 * grows with the bytes buffered shows as a ratio of hundreds on the fixed streams below. Checked for random streams of up to 16 frames
 * under any chunking, then for two fixed streams: one frame of `longFrameLength` bytes (64 KiB,
 * capped at the limit) fed in 1-byte chunks, which catches a decoder that re-scans its buffer
 * from the start on every chunk; and 2,000 small frames in one chunk, fed whole and byte by
 * byte, which catches a search that runs to the end of the buffer for every frame. On every
 * stream, whenever the decoder waits for more bytes, it may have consumed of the frame it has not
 * returned yet at most that frame's header and trailer bytes: payload bytes it moved into memory
 * of its own (grown by copying, say) would be work the count does not see. Throws a
 * `ConformanceError` on failure.
 */
export function checkLinearWork(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const strategy = config.base;
  assertProperty(
    config,
    LINEAR_WORK,
    fc.property(chunkPlan(64), fc.array(config.payload, { maxLength: 16, size: 'max' }), (plan, messages) => {
      measure(config, strategy, messages, plan);
    }),
  );
  assertExample(config, LINEAR_WORK, () => {
    const long = fixedPayload(config, Math.min(config.longFrameLength, strategy.maxFrameLength), 7);
    measure(config, strategy, [long], { kind: 'bytes', empties: false });
    // Payloads of up to 8 bytes, within the limit (a limit of 0 leaves only empty ones).
    const small = Math.min(8, strategy.maxFrameLength);
    if (small === 0 && !config.allowsEmpty) return;
    const many = Array.from({ length: MANY_FRAMES }, (_, i) => fixedPayload(config, config.allowsEmpty ? i % (small + 1) : 1 + (i % small), i + 1));
    measure(config, strategy, many, { kind: 'whole' });
    measure(config, strategy, many, { kind: 'bytes', empties: false });
  });
}

function measure(config: ResolvedConfig, strategy: FramingStrategy, messages: readonly Uint8Array[], plan: ChunkPlan): void {
  const { wire, frames } = encodeStream(strategy, messages);
  const chunks = applyChunkPlan(wire, plan);
  const buffer = new CountingChunkBuffer();
  const inner = strategy.createDecoder();
  let decodeCalls = 0;
  let returned = 0;
  const decoder: FrameDecoder = {
    decode: (b) => {
      decodeCalls++;
      const frame = inner.decode(b);
      if (frame !== undefined) returned++;
      return frame;
    },
    end: (b) => inner.end(b),
  };
  // Wire bytes of the first k frames: what the decoder may have consumed once it returned k.
  const wireEnds = [0];
  for (const frame of frames) wireEnds.push(wireEnds[wireEnds.length - 1]! + frame.length);
  const k = config.workFactor;
  const w = config.callAllowance;
  const budget = (): number => k * buffer.bytesPushed + w * decodeCalls + SLACK;
  const context = `${messages.length} frames, ${wire.length} wire bytes in ${describeChunkPlan(plan, wire.length)}`;
  const report = (): string =>
    `the decoder inspected ${buffer.bytesInspected} bytes (${buffer.calls} buffer calls) for ${buffer.bytesPushed} bytes fed in ${decodeCalls} decode calls, ${(
      buffer.bytesInspected / Math.max(1, buffer.bytesPushed)
    ).toFixed(1)} per byte, over the bound of ${budget()} = ${k} per byte fed (workFactor) + ${w} per decode call (callAllowance) + ${SLACK}: it re-scans bytes it has already seen`;
  const run = driveDecoder(decoder, chunks, {
    buffer,
    frameEnds: wireEnds.slice(1),
    // Stop early, well past the bound, so a quadratic decoder fails fast instead of running long.
    afterChunk: (_buffer, index) => {
      checkHeld(buffer, frames, messages, wireEnds, returned, context);
      if (index % 256 === 255 && buffer.bytesInspected > 2 * budget() + 4096) fail(`${context}: ${report()}`);
    },
  });
  expectFrames(strategy, run, messages, context);
  if (buffer.bytesInspected > budget()) fail(`${context}: ${report()}`);
}

/**
 * While it waits for more bytes, the decoder may have consumed of the frame it has not returned
 * yet no more than that frame's overhead (its wire bytes less its payload: a header it has parsed,
 * SLIP's leading `END`); the payload's bytes stay in the buffer until the frame is returned, as
 * the contract says (`undefined` "having consumed nothing it would need again"). Payload bytes
 * moved into memory of the decoder's own would escape the work count above, however often they
 * are copied there, and the decode loop's cap on the buffer at `maxWireLength`.
 */
function checkHeld(
  buffer: CountingChunkBuffer,
  wire: readonly Uint8Array[],
  payloads: readonly Uint8Array[],
  wireEnds: readonly number[],
  returned: number,
  context: string,
): void {
  if (returned >= wire.length) return;
  const consumed = buffer.bytesPushed - buffer.length - wireEnds[returned]!;
  const overhead = wire[returned]!.length - payloads[returned]!.length;
  if (consumed <= overhead) return;
  fail(
    `${context}: decode returned undefined having consumed ${consumed} of the ${wire[returned]!.length} wire bytes of frame ${returned} (a ${payloads[returned]!.length}-byte payload), which it has not returned yet: more than the frame's ${overhead} bytes of header and trailer. Payload bytes must stay in the buffer until their frame is returned: a decoder that keeps them in memory of its own (grown by copying, say) does work the count does not see, and holds bytes the decode loop's cap at maxWireLength does not see`,
  );
}
