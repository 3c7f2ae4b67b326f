import fc from 'fast-check';
import { describeThrown } from '../bytes.js';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import type { DecodeRun } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, StrategyUnderTest } from '../options.js';
import { applyMutation, mutation } from './mutation.js';
import { assertProperty, checkWaiting, encodeStream, fail, specialByte } from './shared.js';

/** Title of property 5, as `testStrategy` names its test. */
export const ARBITRARY_BYTES = '5. random bytes yield frames or FramingErrors only, never another exception, never a hang';

/**
 * Property 5: random bytes, and valid streams with a few bytes replaced, inserted or deleted, fed
 * under any chunking to a decoder (with a random small limit when given a factory). Decoding goes
 * on after recoverable errors and stops at the first unrecoverable one. Every `decode`/`end` call
 * returns a frame, `undefined` or throws a `FramingError`; any other exception fails. So do: a
 * frame returned without consuming a byte; the same recoverable error twice without progress;
 * more decode calls than the bytes fed can justify (the bounded stand-in for a hang); a frame
 * over `maxFrameLength`; waiting with more than `maxWireLength` bytes buffered; an
 * unrecoverable error that the next `decode` call does not rethrow; and an error with a code that
 * cannot describe bad bytes (`ERR_TRUNCATED_FRAME` from `decode`, which only `end` can know, or
 * the encoder's `ERR_UNENCODABLE_PAYLOAD`). Throws a `ConformanceError` on failure.
 */
export function checkArbitraryBytes(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const factory = config.factory;
  const byte = specialByte(config);
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 512, size: 'max' }).map((bytes) => ({ bytes, how: 'random bytes' })),
    fc.array(byte, { maxLength: 256, size: 'max' }).map((bytes) => ({ bytes: Uint8Array.from(bytes), how: 'random special bytes' })),
    fc
      .tuple(fc.array(config.payload, { minLength: 1, maxLength: 6 }), fc.array(mutation(byte), { minLength: 1, maxLength: 4 }))
      .map(([payloads, mutations]) => {
        let bytes = encodeStream(config.base, payloads).wire;
        for (const m of mutations) bytes = applyMutation(bytes, m).bytes;
        return { bytes, how: `${payloads.length} frames with ${mutations.length} corrupted byte(s)` };
      }),
  );
  // As in property 3: no limit of 0 for a strategy that has no empty payloads.
  const lowest = config.allowsEmpty ? 0 : 1;
  const highest = Math.min(config.maxLimit, config.base.maxFrameLength);
  const limit = factory ? fc.integer({ min: lowest, max: highest }).map((n) => n as number | undefined) : fc.constant(undefined);
  assertProperty(
    config,
    ARBITRARY_BYTES,
    // The limit and the plan come first: fast-check shrinks them first, which shortens the bytes fastest.
    fc.property(limit, chunkPlan(), input, (maxFrameLength, plan, { bytes, how }) => {
      const strategy = factory && maxFrameLength !== undefined ? factory({ maxFrameLength }) : config.base;
      const context = `${how}, ${bytes.length} bytes in ${describeChunkPlan(plan, bytes.length)}, maxFrameLength ${strategy.maxFrameLength}`;
      let run;
      try {
        run = driveDecoder(strategy, applyChunkPlan(bytes, plan));
      } catch (thrown) {
        fail(`${context}: ${thrown instanceof Error ? thrown.message : describeThrown(thrown)}`, thrown);
      }
      checkWaiting(strategy, run, context);
      checkCodes(run, context);
      const tooBig = run.frames.find((frame) => frame.length > strategy.maxFrameLength);
      if (tooBig) fail(`${context}: delivered a ${tooBig.length}-byte frame, over maxFrameLength = ${strategy.maxFrameLength}`);
    }),
  );
}

/**
 * A decoder reports bad bytes with the code that says what is wrong with them. Two codes never
 * fit: `ERR_UNENCODABLE_PAYLOAD` is the encoder's, and `ERR_TRUNCATED_FRAME` says the stream
 * ended inside a frame, which only `end()` can know.
 */
function checkCodes(run: DecodeRun, context: string): void {
  const fromDecode = run.error && !run.errorAtEnd ? [...run.recovered, run.error] : run.recovered;
  for (const error of fromDecode) {
    if (error.code === 'ERR_TRUNCATED_FRAME' || error.code === 'ERR_UNENCODABLE_PAYLOAD') {
      fail(
        `${context}: decode threw ${error.code} ("${error.message}"): ${
          error.code === 'ERR_TRUNCATED_FRAME' ? 'only end() can know that the stream ended inside a frame' : 'that code is the encoder\'s'
        }; bad bytes are ERR_MALFORMED_HEADER, ERR_MALFORMED_FRAME or ERR_FRAME_TOO_LARGE`,
        error,
      );
    }
  }
  if (run.error?.code === 'ERR_UNENCODABLE_PAYLOAD') {
    fail(`${context}: end() threw ERR_UNENCODABLE_PAYLOAD ("${run.error.message}"): that code is the encoder's; leftover bytes are ERR_TRUNCATED_FRAME`, run.error);
  }
}
