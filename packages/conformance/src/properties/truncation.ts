import fc from 'fast-check';
import { concatBytes } from '@framewire/chunk-buffer';
import { describeFrames } from '../bytes.js';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, StrategyUnderTest } from '../options.js';
import { assertProperty, checkNotLate, checkWaiting, encodeChecked, fail, firstMismatch, wireEnds } from './shared.js';

/** Title of property 4, as `testStrategy` names its test. */
export const TRUNCATION = '4. a stream cut inside a frame ends with ERR_TRUNCATED_FRAME after every complete frame';

/**
 * Property 4: complete frames followed by the first `cut` bytes of one more frame, where
 * `neutralPrefix < cut < its wire length` (inside the header, payload or trailer), fed under any
 * chunking. `decode`
 * delivers exactly the complete frames and throws nothing; `end()` then throws
 * `ERR_TRUNCATED_FRAME`: the partial frame is neither dropped silently nor passed on as complete.
 * Throws a `ConformanceError` on failure.
 */
export function checkTruncation(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const strategy = config.base;
  assertProperty(
    config,
    TRUNCATION,
    fc.property(chunkPlan(), fc.nat(), config.payload, fc.array(config.payload, { maxLength: 5 }), (plan, cutSeed, last, complete) => {
      const encoder = strategy.createEncoder();
      const frames = complete.map((payload) => encodeChecked(strategy, encoder, payload));
      const lastWire = encodeChecked(strategy, encoder, last);
      // Cut after the neutral prefix (if any) and at least one more byte, before the last byte.
      const first = config.neutralPrefix + 1;
      fc.pre(lastWire.length > first);
      const cut = first + (cutSeed % (lastWire.length - first));
      const wire = concatBytes([...frames, lastWire.subarray(0, cut)]);
      const context = `${complete.length} complete frames, then ${cut} of the ${lastWire.length} wire bytes of a ${last.length}-byte payload, in ${describeChunkPlan(plan, wire.length)}`;
      const run = driveDecoder(strategy, applyChunkPlan(wire, plan), { frameEnds: wireEnds(frames) });
      checkWaiting(strategy, run, context);
      const early = run.error && !run.errorAtEnd ? run.error : run.recovered[0];
      if (early) fail(`${context}: decode threw ${early.code} ("${early.message}") on bytes that were valid up to the cut`, early);
      const before = run.frames.slice(0, complete.length);
      if (firstMismatch(before, complete) !== -1) {
        fail(`${context}: got ${describeFrames(run.frames)}; expected the ${describeFrames(complete)} before the cut`);
      }
      if (!run.error) {
        const how = run.frames.length > complete.length ? 'passed the partial frame on as if complete' : 'dropped the partial frame silently';
        fail(`${context}: end() ${how}; expected ERR_TRUNCATED_FRAME`);
      }
      checkNotLate(run, context);
      if (run.frames.length !== complete.length) fail(`${context}: got ${describeFrames(run.frames)}; expected only the ${complete.length} complete ones`);
      if (run.error.code !== 'ERR_TRUNCATED_FRAME') fail(`${context}: end() threw ${run.error.code} ("${run.error.message}"); expected ERR_TRUNCATED_FRAME`, run.error);
    }),
  );
}
