import fc from 'fast-check';
import type { Arbitrary, IProperty, Parameters } from 'fast-check';
import { FramingError, concatBytes } from '@framewire/chunk-buffer';
import type { FrameEncoder, FramingStrategy } from '@framewire/chunk-buffer';
import { bytesEqual, describeFrames, describeThrown, filled, hex } from '../bytes.js';
import type { DecodeRun } from '../drive.js';
import { ConformanceError } from '../errors.js';
import { GENERIC_SPECIAL_BYTES } from '../options.js';
import type { ResolvedConfig } from '../options.js';

/** Throws a {@link ConformanceError}: the one way a property reports a breach. */
export function fail(message: string, cause?: unknown): never {
  throw new ConformanceError(message, cause === undefined ? undefined : { cause });
}

// Shrinking a counterexample can take far longer than finding it (each step reruns the property
// on many candidates). It gets this long, then the smallest counterexample so far is reported.
const SHRINK_BUDGET_MS = 5000;

/**
 * Runs a fast-check property with the configured runs and seed. The runs stop at the first
 * failure; that case is then replayed and shrunk for at most 5 seconds. On failure, throws one
 * ConformanceError whose message has the strategy, the property, what broke and fast-check's
 * report (seed, path, counterexample) so it reads well in any test runner.
 */
export function assertProperty<T>(config: ResolvedConfig, title: string, property: IProperty<T>): void {
  const parameters: Parameters<T> = { numRuns: config.numRuns, endOnFailure: true };
  if (config.seed !== undefined) parameters.seed = config.seed;
  const found = fc.check(property, parameters);
  if (!found.failed) return;
  let details = found;
  if (found.counterexamplePath !== null) {
    const shrunk = fc.check(property, {
      numRuns: config.numRuns,
      seed: found.seed,
      path: found.counterexamplePath,
      interruptAfterTimeLimit: SHRINK_BUDGET_MS,
    });
    if (shrunk.failed && shrunk.counterexample !== null) details = shrunk;
  }
  const report = fc.defaultReportMessage(details) ?? 'fast-check reported a failure';
  const cause = details.errorInstance;
  const what = cause instanceof Error ? cause.message : describeThrown(cause);
  const cut = details.interrupted ? `\n(shrinking stopped after ${SHRINK_BUDGET_MS / 1000} s)` : '';
  throw new ConformanceError(`${config.name}: property "${title}" failed: ${what}\n\n${report}${cut}`, { cause });
}

/** Runs a deterministic check and labels its failure like {@link assertProperty} does. */
export function assertExample(config: ResolvedConfig, title: string, check: () => void): void {
  try {
    check();
  } catch (thrown) {
    if (!(thrown instanceof ConformanceError)) throw thrown;
    throw new ConformanceError(`${config.name}: property "${title}" failed: ${thrown.message}`, { cause: thrown });
  }
}

/**
 * Encodes a payload the strategy must carry, checking the encoder's side of the contract: it
 * accepts the payload, leaves it unmodified, and produces at most `maxWireLength` bytes.
 */
export function encodeChecked(strategy: FramingStrategy, encoder: FrameEncoder, payload: Uint8Array): Uint8Array {
  const copy = payload.slice();
  let parts: Uint8Array[];
  try {
    parts = encoder.encode(payload);
  } catch (thrown) {
    const what = thrown instanceof FramingError ? thrown.code : thrown instanceof Error ? thrown.name : 'a non-error';
    fail(`encode refused a ${payload.length}-byte payload it must carry (${hex(payload)}) with ${what}: ${describeThrown(thrown)}`, thrown);
  }
  if (!bytesEqual(copy, payload)) fail(`encode modified its payload: ${hex(copy)} became ${hex(payload)}`);
  const wire = concatBytes(parts);
  if (wire.length > strategy.maxWireLength) {
    fail(
      `encode produced ${wire.length} wire bytes for a ${payload.length}-byte payload, more than maxWireLength = ${strategy.maxWireLength}`,
    );
  }
  return wire;
}

/**
 * Encodes every payload with one encoder and concatenates the frames. `ends[i]` is the offset in
 * `wire` just past frame `i` (driveDecoder's `frameEnds`).
 */
export function encodeStream(
  strategy: FramingStrategy,
  payloads: readonly Uint8Array[],
): { wire: Uint8Array; frames: Uint8Array[]; ends: number[] } {
  const encoder = strategy.createEncoder();
  const frames = payloads.map((payload) => encodeChecked(strategy, encoder, payload));
  return { wire: concatBytes(frames.length === 0 ? [new Uint8Array(0)] : frames), frames, ends: wireEnds(frames) };
}

/** Where each of these wire frames ends when they are sent back to back (driveDecoder's `frameEnds`). */
export function wireEnds(frames: readonly Uint8Array[]): number[] {
  let end = 0;
  return frames.map((frame) => (end += frame.length));
}

/** Fails when the run recorded a frame that `decode` held after its last byte had been fed (`frameEnds`). */
export function checkNotLate(run: DecodeRun, context: string): void {
  if (!run.lateFrame) return;
  const { frame, fed, chunk } = run.lateFrame;
  fail(
    `${context}: frame ${frame} was complete once ${fed} bytes had been fed (chunk ${chunk} brought its last byte), but decode returned undefined without returning it: every frame must come from decode as soon as its last byte has been pushed, not when the next chunk arrives (on a connection that stays open, none may come)`,
  );
}

/**
 * Checks a run over a valid stream: no error of any kind, exactly the expected frames, every one
 * of them from `decode` (`end()` returns nothing) and, when the run was given `frameEnds`, as
 * soon as its last byte had been fed, nothing left over, and never more than `maxWireLength`
 * bytes held while waiting.
 */
export function expectFrames(strategy: FramingStrategy, run: DecodeRun, expected: readonly Uint8Array[], context: string): void {
  if (run.error) {
    fail(
      `${context}: decoding a valid stream threw ${run.error.code} from ${run.errorAtEnd ? 'end()' : 'decode()'} ("${run.error.message}") after ${describeFrames(run.frames)}; expected ${describeFrames(expected)}`,
      run.error,
    );
  }
  if (run.recovered.length > 0) {
    const first = run.recovered[0]!;
    fail(`${context}: decoding a valid stream threw ${first.code} ("${first.message}")`, first);
  }
  const mismatch = firstMismatch(run.frames, expected);
  if (mismatch !== -1) {
    fail(
      `${context}: got ${describeFrames(run.frames)}; expected ${describeFrames(expected)} (first difference at frame ${mismatch}: got ${
        run.frames[mismatch] ? hex(run.frames[mismatch]) : 'nothing'
      }, expected ${expected[mismatch] ? hex(expected[mismatch]) : 'nothing'})`,
    );
  }
  checkNotLate(run, context);
  if (run.endReturnedFrame) {
    fail(
      `${context}: end() returned the last frame (${hex(run.frames[run.frames.length - 1]!)}) instead of decode: every frame of a valid stream must come from decode once its last byte has arrived, or a decode loop on a connection that stays open never sees it`,
    );
  }
  if (run.leftoverBytes !== 0) fail(`${context}: ${run.leftoverBytes} bytes were left in the buffer after end()`);
  checkWaiting(strategy, run, context);
}

/** The decoder never held more than `maxWireLength` bytes while waiting for more. */
export function checkWaiting(strategy: FramingStrategy, run: DecodeRun, context: string): void {
  if (run.maxWaitingBytes > strategy.maxWireLength) {
    fail(
      `${context}: the decoder waited for more bytes with ${run.maxWaitingBytes} bytes buffered, more than maxWireLength = ${strategy.maxWireLength} (the decode loop would fail, and memory is not bounded by the limit)`,
    );
  }
}

/** Index of the first frame that differs, or -1. */
export function firstMismatch(got: readonly Uint8Array[], expected: readonly Uint8Array[]): number {
  const n = Math.max(got.length, expected.length);
  for (let i = 0; i < n; i++) {
    const a = got[i];
    const b = expected[i];
    if (a === undefined || b === undefined || !bytesEqual(a, b)) return i;
  }
  return -1;
}

/** The bytes property 2 draws from: the strategy's special bytes, then the generic ones. */
export function specialPool(config: ResolvedConfig): number[] {
  return [...new Set([...config.specialBytes, ...GENERIC_SPECIAL_BYTES])];
}

/** A byte arbitrary biased towards the special bytes (3 in 4), else any byte. */
export function specialByte(config: ResolvedConfig): Arbitrary<number> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...specialPool(config)) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) },
  );
}

/**
 * A payload of exactly `length` bytes the strategy must carry: random bytes biased towards the
 * special ones when the strategy is binary-safe, else `fillByte` repeated.
 */
export function exactPayload(config: ResolvedConfig, length: number): Arbitrary<Uint8Array> {
  if (!config.binarySafe) return fc.constant(filled(length, config.fillByte));
  return fc
    .tuple(fc.array(specialByte(config), { minLength: 1, maxLength: 16 }), fc.nat())
    .map(([pattern, shift]) => cyclic(pattern, length, shift));
}

/** A deterministic payload of `length` bytes for the fixed examples (same rule as {@link exactPayload}). */
export function fixedPayload(config: ResolvedConfig, length: number, seed = 1): Uint8Array {
  if (!config.binarySafe) return filled(length, config.fillByte);
  const pool = specialPool(config);
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    // xorshift32: cheap, reproducible, and mixes special bytes with ordinary ones.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x % 4 === 0 ? x >>> 24 : pool[(x >>> 8) % pool.length]!;
  }
  return out;
}

function cyclic(pattern: readonly number[], length: number, shift: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = pattern[(i + shift) % pattern.length]!;
  return out;
}
