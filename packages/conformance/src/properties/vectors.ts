import { concatBytes, encodeFrame } from '@framewire/chunk-buffer';
import { bytesEqual, describeThrown, hex } from '../bytes.js';
import { applyChunkPlan, chunkings } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, ConformanceVector, StrategyUnderTest } from '../options.js';
import { assertExample, expectFrames, fail, wireEnds } from './shared.js';

/** Title of the vector check, as `testStrategy` names its test. */
export const VECTORS = 'matches its byte vectors both ways under every chunking';

/**
 * The fixed vectors of `options.vectors`, byte for byte: the encoder turns each payload into
 * exactly its wire bytes (direction `both` or `encode`), and the decoder turns the wire bytes
 * into exactly that one payload under every chunking of {@link chunkings} (whole, byte by byte,
 * with empty chunks, split at every offset), with nothing left for `end()` (direction `both` or
 * `decode`). Then all decodable vectors back to back decode to all their payloads, whole and
 * byte by byte. Does nothing without vectors. Throws a `ConformanceError` on failure.
 */
export function checkVectors(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const strategy = config.base;
  assertExample(config, VECTORS, () => {
    const decodable: ConformanceVector[] = [];
    for (const vector of config.vectors) {
      const name = vector.name ?? hex(vector.payload);
      const direction = vector.direction ?? 'both';
      if (direction !== 'decode') {
        let wire: Uint8Array;
        try {
          wire = encodeFrame(strategy.createEncoder(), vector.payload);
        } catch (thrown) {
          fail(`vector ${name}: encode threw ${describeThrown(thrown)}`, thrown);
        }
        if (!bytesEqual(wire, vector.wire)) fail(`vector ${name}: encode produced ${hex(wire, 64)}; expected ${hex(vector.wire, 64)}`);
      }
      if (direction !== 'encode') {
        decodable.push(vector);
        for (const { name: how, chunks } of chunkings(vector.wire)) {
          expectFrames(strategy, driveDecoder(strategy, chunks, { frameEnds: [vector.wire.length] }), [vector.payload], `vector ${name} (${hex(vector.wire, 64)}), ${how}`);
        }
      }
    }
    if (decodable.length > 1) {
      const wire = concatBytes(decodable.map((vector) => vector.wire));
      const payloads = decodable.map((vector) => vector.payload);
      for (const plan of [{ kind: 'whole' }, { kind: 'bytes', empties: true }] as const) {
        expectFrames(strategy, driveDecoder(strategy, applyChunkPlan(wire, plan), { frameEnds: wireEnds(decodable.map((vector) => vector.wire)) }), payloads, `all ${decodable.length} vectors back to back, ${plan.kind === 'whole' ? 'whole' : 'byte by byte'}`);
      }
    }
  });
}
