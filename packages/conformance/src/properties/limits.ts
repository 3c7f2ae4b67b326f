import fc from 'fast-check';
import { FramingError, concatBytes } from '@framewire/chunk-buffer';
import type { FramingStrategy } from '@framewire/chunk-buffer';
import { bytesEqual, describeFrames, describeThrown } from '../bytes.js';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import type { ChunkPlan } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, StrategyUnderTest } from '../options.js';
import { assertExample, assertProperty, checkWaiting, encodeChecked, exactPayload, expectFrames, fail, fixedPayload } from './shared.js';

/** Title of property 3, as `testStrategy` names its test. */
export const LIMITS = '3. a payload of exactly maxFrameLength passes, one byte more fails with ERR_FRAME_TOO_LARGE';

/**
 * Property 3. Given a factory, for limits from 0 (1 if empty payloads are illegal) to
 * `maxLimit`: the strategy built with `maxFrameLength: limit` reports that limit, and a
 * `maxWireLength` that grows by at most 2 bytes per byte of limit; its encoder
 * accepts a payload of exactly `limit` bytes (which then decodes under any chunking) and refuses
 * `limit + 1` bytes with a `FrameTooLargeError`; and its decoder, fed a small valid frame then a
 * frame over the limit (`limit + 1` bytes half the time, else up to `3 × limit + 65`) made by the
 * strategy built with that larger limit, delivers the small frame,
 * throws `ERR_FRAME_TOO_LARGE` from `decode` (not `end`), never delivers the big one nor, after a
 * recoverable error, any piece of it as a frame of its own, and never
 * waits with more than `maxWireLength` bytes buffered (so memory stays bounded by the limit plus
 * the header and trailer).
 *
 * Given a plain strategy, checks its own limit once: exactly `maxFrameLength` bytes encode and
 * decode, one more byte is refused by the encoder. Throws a `ConformanceError` on failure.
 */
export function checkLimits(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const factory = config.factory;
  if (factory === undefined) {
    assertExample(config, LIMITS, () => {
      const limit = config.base.maxFrameLength;
      const big = fixedPayload(config, limit + 1);
      const exact = big.subarray(0, limit);
      checkEncoderLimit(config.base, limit, big);
      const wire = encodeChecked(config.base, config.base.createEncoder(), exact);
      const plans: ChunkPlan[] = [{ kind: 'whole' }, { kind: 'cuts', cuts: [1, 7, 4099, limit >>> 1], empties: [0] }];
      for (const plan of plans) {
        const run = driveDecoder(config.base, applyChunkPlan(wire, plan), { frameEnds: [wire.length] });
        expectFrames(config.base, run, [exact], `payload of exactly ${limit} bytes in ${describeChunkPlan(plan, wire.length)}`);
      }
    });
    return;
  }
  const lowest = config.allowsEmpty ? 0 : 1;
  const highest = Math.min(config.maxLimit, config.base.maxFrameLength - 1);
  if (highest < lowest) {
    throw new RangeError(
      `property 3 needs room for a limit and one byte more: maxLimit = ${config.maxLimit}, default maxFrameLength = ${config.base.maxFrameLength}`,
    );
  }
  const ceiling = config.base.maxFrameLength;
  // The bounded-memory check below is only as good as maxWireLength: it may grow with the limit
  // (escaping can double a payload) but not faster than twice the limit.
  const floorWire = factory({ maxFrameLength: lowest }).maxWireLength;
  // The oversized frame is one byte over half the time, else up to 2 × limit + 64 bytes over,
  // which shows a decoder that buffers the excess before it notices.
  const cases = fc
    .integer({ min: lowest, max: highest })
    .chain((limit) =>
      fc.tuple(
        fc.constant(limit),
        fc.oneof(fc.constant(limit + 1), fc.integer({ min: limit + 1, max: Math.min(ceiling, 3 * limit + 65) })),
        chunkPlan(),
      ),
    )
    .chain(([limit, over, plan]) => fc.tuple(fc.constant(limit), exactPayload(config, over), fc.constant(plan)));
  assertProperty(
    config,
    LIMITS,
    fc.property(cases, ([limit, big, plan]) => {
      const strategy = factory({ maxFrameLength: limit });
      if (strategy.maxFrameLength !== limit) {
        fail(`built with maxFrameLength: ${limit}, the strategy reports maxFrameLength = ${strategy.maxFrameLength}`);
      }
      if (strategy.maxWireLength > floorWire + 2 * (limit - lowest)) {
        fail(
          `with maxFrameLength ${limit}, maxWireLength is ${strategy.maxWireLength}: more than twice the limit over its ${floorWire} at maxFrameLength ${lowest}, so it does not bound the buffer`,
        );
      }
      const exact = big.subarray(0, limit);
      checkEncoderLimit(strategy, limit, big.subarray(0, limit + 1));

      // Exactly the limit: encodes within maxWireLength and decodes.
      const exactWire = encodeChecked(strategy, strategy.createEncoder(), exact);
      expectFrames(strategy, driveDecoder(strategy, applyChunkPlan(exactWire, plan), { frameEnds: [exactWire.length] }), [exact], `payload of exactly ${limit} bytes`);

      // Over the limit, made by the strategy with a higher limit, after a small valid frame.
      const small = exact.subarray(0, Math.min(limit, 3));
      const smallWire = encodeChecked(strategy, strategy.createEncoder(), small);
      const wider = factory({ maxFrameLength: big.length });
      const bigWire = encodeChecked(wider, wider.createEncoder(), big);
      const wire = concatBytes([smallWire, bigWire]);
      const context = `limit ${limit}: a ${small.length}-byte frame then a ${big.length}-byte one (${wire.length} wire bytes in ${describeChunkPlan(plan, wire.length)})`;
      const run = driveDecoder(strategy, applyChunkPlan(wire, plan));
      checkWaiting(strategy, run, context);
      const error = run.error ?? run.recovered[0];
      if (error === undefined) fail(`${context}: no error; got ${describeFrames(run.frames)}`);
      if (error.code !== 'ERR_FRAME_TOO_LARGE') fail(`${context}: got ${error.code} ("${error.message}") instead of ERR_FRAME_TOO_LARGE`, error);
      if (run.error === error && run.errorAtEnd) fail(`${context}: ERR_FRAME_TOO_LARGE came from end(), after the whole frame had been fed; decode must raise it`, error);
      if (run.framesBeforeError !== 1 || !bytesEqual(run.frames[0]!, small)) {
        fail(`${context}: expected the ${small.length}-byte frame before the error, got ${describeFrames(run.frames.slice(0, run.framesBeforeError))}`);
      }
      const tooBig = run.frames.find((frame) => frame.length > limit);
      if (tooBig) fail(`${context}: the decoder delivered a ${tooBig.length}-byte frame over the limit of ${limit}`);
      // Nothing follows the big frame on the wire: a decoder that goes on after a recoverable
      // ERR_FRAME_TOO_LARGE must drop the rest of that frame, not pass pieces of it on as frames.
      const after = run.frames.slice(run.framesBeforeError);
      if (after.length > 0) {
        fail(
          `${context}: after ERR_FRAME_TOO_LARGE the decoder delivered ${describeFrames(after)}, but nothing followed the frame over the limit: the rest of that frame must be dropped, not passed on as frames`,
          error,
        );
      }
    }),
  );
}

function checkEncoderLimit(strategy: FramingStrategy, limit: number, big: Uint8Array): void {
  let thrown: unknown;
  try {
    strategy.createEncoder().encode(big);
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof FramingError) || thrown.code !== 'ERR_FRAME_TOO_LARGE') {
    fail(
      `encoding ${big.length} bytes with maxFrameLength = ${limit} ${thrown === undefined ? 'succeeded' : `threw ${describeThrown(thrown)}`}; expected ERR_FRAME_TOO_LARGE`,
      thrown,
    );
  }
}
