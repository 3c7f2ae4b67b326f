import { describe, it } from 'vitest';
import { checkOptionNames, checkTimeout, resolveConfig } from './options.js';
import type { ConformanceOptions, StrategyUnderTest } from './options.js';
import { ARBITRARY_BYTES, checkArbitraryBytes } from './properties/arbitrary-bytes.js';
import { LIMITS, checkLimits } from './properties/limits.js';
import { LINEAR_WORK, checkLinearWork } from './properties/linear-work.js';
import { RECOVERY, checkRecovery } from './properties/recovery.js';
import { ROUND_TRIP, checkRoundTrip } from './properties/round-trip.js';
import { SPECIAL_PAYLOADS, checkSpecialPayloads } from './properties/special-payloads.js';
import { TRUNCATION, checkTruncation } from './properties/truncation.js';
import { VECTORS, checkVectors } from './properties/vectors.js';

/** Options of {@link testStrategy}: the conformance options, plus the test timeout. */
export interface TestStrategyOptions extends ConformanceOptions {
  /** Timeout of each registered test, in milliseconds. Defaults to 30000. */
  timeout?: number;
}

/**
 * Registers the conformance suite of a framing strategy in the current vitest file: one
 * `describe('conformance <name>')` block with one test per property (1–6 always, 7 when
 * `recovers`, the vector test when `vectors` are given). Options are validated now, so a
 * mistake fails the file at collection.
 *
 * @example
 * ```ts
 * import fc from 'fast-check';
 * import { testStrategy } from '@framewire/conformance';
 * import { myStrategy } from '../src/index.js';
 *
 * testStrategy(myStrategy); // a factory: (options: { maxFrameLength?: number }) => FramingStrategy
 * ```
 */
export function testStrategy(subject: StrategyUnderTest, options: TestStrategyOptions = {}): void {
  checkOptionNames(options);
  const { timeout: given, ...conformance } = options;
  const timeout = checkTimeout(given);
  const config = resolveConfig(subject, conformance);
  describe(`conformance ${config.name}`, () => {
    it(ROUND_TRIP, () => {
      checkRoundTrip(subject, conformance);
    }, timeout);
    it(SPECIAL_PAYLOADS, () => {
      checkSpecialPayloads(subject, conformance);
    }, timeout);
    it(LIMITS, () => {
      checkLimits(subject, conformance);
    }, timeout);
    it(TRUNCATION, () => {
      checkTruncation(subject, conformance);
    }, timeout);
    it(ARBITRARY_BYTES, () => {
      checkArbitraryBytes(subject, conformance);
    }, timeout);
    it(LINEAR_WORK, () => {
      checkLinearWork(subject, conformance);
    }, timeout);
    if (config.recovers) {
      it(RECOVERY, () => {
        checkRecovery(subject, conformance);
      }, timeout);
    }
    if (config.vectors.length > 0) {
      it(VECTORS, () => {
        checkVectors(subject, conformance);
      }, timeout);
    }
  });
}

/**
 * Runs every property that applies (as {@link testStrategy} would register them) outside any
 * test runner, in order; throws a `ConformanceError` at the first failure.
 */
export function checkStrategy(subject: StrategyUnderTest, options: ConformanceOptions = {}): void {
  const config = resolveConfig(subject, options);
  checkRoundTrip(subject, options);
  checkSpecialPayloads(subject, options);
  checkLimits(subject, options);
  checkTruncation(subject, options);
  checkArbitraryBytes(subject, options);
  checkLinearWork(subject, options);
  if (config.recovers) checkRecovery(subject, options);
  if (config.vectors.length > 0) checkVectors(subject, options);
}
