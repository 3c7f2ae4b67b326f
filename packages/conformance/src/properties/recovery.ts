import fc from 'fast-check';
import { describeFrames } from '../bytes.js';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, StrategyUnderTest } from '../options.js';
import { applyMutation, mutation } from './mutation.js';
import { assertProperty, checkWaiting, encodeStream, fail, firstMismatch, specialByte } from './shared.js';

/** Title of property 7, as `testStrategy` names its test. */
export const RECOVERY = '7. after a corrupted byte the decoder resynchronises and later frames come out intact';

/**
 * Property 7 (for strategies with `recovers: true`): a stream of 2–8 frames in which one byte of
 * frame `i` is replaced, inserted or deleted, fed under any chunking. Frames `0 … i-1` come out
 * intact and first; frames `i+2 …` come out intact and last (a corrupted terminator merges
 * frame `i` with `i+1`, so that one may be lost); in between there may be anything, including
 * recoverable errors. An unrecoverable error fails, except `ERR_TRUNCATED_FRAME` from `end()`
 * when one of the last two frames was hit (its terminator may be gone). The frames are sized so
 * that a merged one stays within the default strategy's limit: the wire bytes of frame `i`, one
 * inserted byte and the payload of frame `i + 1` fit in `maxFrameLength`. Throws a
 * `ConformanceError` on failure.
 */
export function checkRecovery(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const strategy = config.base;
  // Small values first: fast-check shrinks them first, which keeps shrinking short.
  const cases = fc.tuple(chunkPlan(), fc.nat(), mutation(specialByte(config)), fc.array(config.payload, { minLength: 2, maxLength: 8 }));
  assertProperty(
    config,
    RECOVERY,
    fc.property(cases, ([plan, frameSeed, m, payloads]) => {
      const n = payloads.length;
      const { frames } = encodeStream(strategy, payloads);
      const i = frameSeed % n;
      // A corrupted trailer merges frame i with frame i + 1 into one frame whose payload holds at
      // most the wire bytes of frame i, an inserted byte and the payload of frame i + 1 (a \r\n
      // with a byte inserted in between is 3 bytes of payload). That must stay within the limit,
      // or the merged frame is rightly too large.
      fc.pre(frames[i]!.length + 1 + (i + 1 < n ? payloads[i + 1]!.length : 0) <= strategy.maxFrameLength);
      let from = 0;
      for (let j = 0; j < i; j++) from += frames[j]!.length;
      const wire = Uint8Array.from(frames.flatMap((frame) => Array.from(frame)));
      const { bytes, at } = applyMutation(wire, m, from, from + frames[i]!.length);
      const context = `${n} frames, ${m.op} ${m.op === 'delete' ? '' : `0x${m.byte.toString(16).padStart(2, '0')} `}at byte ${at} (frame ${i}), ${bytes.length} bytes in ${describeChunkPlan(plan, bytes.length)}`;
      const run = driveDecoder(strategy, applyChunkPlan(bytes, plan));
      checkWaiting(strategy, run, context);
      if (run.error && !(run.errorAtEnd && run.error.code === 'ERR_TRUNCATED_FRAME' && i >= n - 2)) {
        fail(`${context}: decoding stopped with the unrecoverable ${run.error.code} ("${run.error.message}"); recovers is true`, run.error);
      }
      const head = payloads.slice(0, i);
      const tail = payloads.slice(i + 2);
      const got = run.frames;
      if (got.length < head.length + tail.length || firstMismatch(got.slice(0, i), head) !== -1) {
        fail(`${context}: got ${describeFrames(got)}; expected the ${head.length} frames before the corruption first`);
      }
      if (tail.length > 0 && firstMismatch(got.slice(got.length - tail.length), tail) !== -1) {
        fail(`${context}: got ${describeFrames(got)}; expected the last ${tail.length} frames intact (${describeFrames(tail)})`);
      }
    }),
  );
}
