import type { FramingStrategy, ReadMemory } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, StrategyUnderTest } from '../options.js';
import { assertProperty, encodeStream, expectFrames, fail } from './shared.js';

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
 * it took in an earlier call fails there. A strategy with read memory (`createReadMemory()`)
 * has the stream read into it as well, each read at most as long as the next of those chunks,
 * every chunk first and decoded after: the layout may not change a frame, nor write over memory
 * that a chunk (or a frame kept) still uses. Throws a `ConformanceError` on failure.
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
      const memory = strategy.createReadMemory?.();
      if (memory !== undefined) {
        const reads = readInto(strategy, memory, wire, chunks.map((chunk) => chunk.length));
        expectFrames(
          strategy,
          driveDecoder(strategy, reads, { frameEnds: ends }),
          messages,
          `${wire.length} wire bytes read into the memory createReadMemory() gave, at most as many per read as ${describeChunkPlan(plan, wire.length)} hold`,
        );
      }
    }),
  );
}

/**
 * `wire` read as a socket reads into `memory`: each read into what `next()` gives, at most its
 * length and at most the next of `sizes` (at least 1), then `filled()`; the chunks are views of
 * that memory.
 */
function readInto(strategy: FramingStrategy, memory: ReadMemory, wire: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0, k = 0; at < wire.length; k++) {
    const target: unknown = memory.next();
    if (!(target instanceof Uint8Array) || target.length === 0) {
      fail(`${strategy.name}: the read memory's next() must return a non-empty Uint8Array`);
    }
    const n = Math.min(target.length, wire.length - at, Math.max(1, sizes.length === 0 ? Infinity : sizes[k % sizes.length]!));
    target.set(wire.subarray(at, at + n));
    memory.filled(n);
    chunks.push(target.subarray(0, n));
    at += n;
  }
  return chunks;
}
