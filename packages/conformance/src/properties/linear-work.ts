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
 * byte, which catches a search that runs to the end of the buffer for every frame. Throws a
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
    const small = Math.max(1, Math.min(8, strategy.maxFrameLength));
    const many = Array.from({ length: MANY_FRAMES }, (_, i) => fixedPayload(config, config.allowsEmpty ? i % (small + 1) : 1 + (i % small), i + 1));
    measure(config, strategy, many, { kind: 'whole' });
    measure(config, strategy, many, { kind: 'bytes', empties: false });
  });
}

function measure(config: ResolvedConfig, strategy: FramingStrategy, messages: readonly Uint8Array[], plan: ChunkPlan): void {
  const { wire } = encodeStream(strategy, messages);
  const chunks = applyChunkPlan(wire, plan);
  const buffer = new CountingChunkBuffer();
  const inner = strategy.createDecoder();
  let decodeCalls = 0;
  const decoder: FrameDecoder = {
    decode: (b) => {
      decodeCalls++;
      return inner.decode(b);
    },
    end: (b) => inner.end(b),
  };
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
    // Stop early, well past the bound, so a quadratic decoder fails fast instead of running long.
    afterChunk: (_buffer, index) => {
      if (index % 256 === 255 && buffer.bytesInspected > 2 * budget() + 4096) fail(`${context}: ${report()}`);
    },
  });
  expectFrames(strategy, run, messages, context);
  if (buffer.bytesInspected > budget()) fail(`${context}: ${report()}`);
}
