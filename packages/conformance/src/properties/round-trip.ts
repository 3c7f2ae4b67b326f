import fc from 'fast-check';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, StrategyUnderTest } from '../options.js';
import { assertProperty, encodeStream, expectFrames } from './shared.js';

/** Title of property 1, as `testStrategy` names its test. */
export const ROUND_TRIP = '1. decode(encode(messages)) returns the messages under any chunking';

/**
 * Property 1: up to 8 payloads (from `options.payload`) encoded back to back with one encoder,
 * then cut into chunks (one big chunk, 1-byte chunks, random cuts, empty chunks), decode to
 * exactly those payloads; `end()` then returns nothing and leaves nothing buffered. Along the
 * way: the encoder leaves its payloads untouched and stays within `maxWireLength`, and the
 * decoder never waits with more than `maxWireLength` bytes buffered. The same chunks are decoded
 * a second time with borrowed frames (a `ChunkBuffer` with `borrowed`, each frame copied as it
 * comes), as `new Deframer(strategy, { borrowed: true })` lends them: a decoder that keeps bytes
 * it took in an earlier call fails there. Throws a `ConformanceError` on failure.
 */
export function checkRoundTrip(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const strategy = config.base;
  assertProperty(
    config,
    ROUND_TRIP,
    fc.property(chunkPlan(), fc.array(config.payload, { maxLength: 8 }), (plan, messages) => {
      const { wire, ends } = encodeStream(strategy, messages);
      const chunks = applyChunkPlan(wire, plan);
      const where = `${wire.length} wire bytes in ${describeChunkPlan(plan, wire.length)}`;
      expectFrames(strategy, driveDecoder(strategy, chunks, { frameEnds: ends }), messages, where);
      expectFrames(
        strategy,
        driveDecoder(strategy, chunks, { borrowed: true, frameEnds: ends }),
        messages,
        `${where}, frames borrowed (a take that copies reuses one array: keep nothing taken in an earlier call)`,
      );
    }),
  );
}
