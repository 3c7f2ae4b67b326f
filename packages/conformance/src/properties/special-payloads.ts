import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import { FramingError } from '@framewire/chunk-buffer';
import { describeThrown, hex } from '../bytes.js';
import { applyChunkPlan, chunkPlan, describeChunkPlan } from '../chunking.js';
import { driveDecoder } from '../drive.js';
import { resolveConfig } from '../options.js';
import type { ConformanceOptions, ResolvedConfig, StrategyUnderTest } from '../options.js';
import { assertExample, assertProperty, encodeChecked, encodeStream, expectFrames, fail, specialByte, specialPool } from './shared.js';

/** Title of property 2, as `testStrategy` names its test. */
export const SPECIAL_PAYLOADS = '2. empty payloads and payloads full of special bytes round-trip or are refused cleanly';

// Run lengths around COBS's 254-byte block boundary and SLIP-style escape runs.
const RUN_LENGTHS = [1, 2, 3, 253, 254, 255, 256];

/**
 * Property 2: payloads made of the strategy's special bytes (and a generic set of troublesome
 * ones), empty payloads, runs of one byte around 254 bytes long, one byte of each kind alone,
 * encoded back to back and decoded under any chunking. A binary-safe encoder must accept them
 * all; one that is not may refuse, with an `UnencodablePayloadError` only, a payload that holds
 * one of `specialBytes`. Whatever the encoder accepts must round-trip. When `allowsEmpty` is
 * false, encoding an empty payload must throw an `UnencodablePayloadError`. Throws a
 * `ConformanceError` on failure.
 */
export function checkSpecialPayloads(subject: StrategyUnderTest, options?: ConformanceOptions): void {
  const config = resolveConfig(subject, options);
  const strategy = config.base;
  if (!config.allowsEmpty) {
    assertExample(config, SPECIAL_PAYLOADS, () => {
      const refusal = tryEncode(config, new Uint8Array(0));
      if (!(refusal instanceof FramingError) || refusal.code !== 'ERR_UNENCODABLE_PAYLOAD') {
        fail(`allowsEmpty is false, but encoding an empty payload ${refusal === undefined ? 'succeeded' : `threw ${describeThrown(refusal)}`}; expected an UnencodablePayloadError`);
      }
    });
  }
  assertProperty(
    config,
    SPECIAL_PAYLOADS,
    fc.property(chunkPlan(), fc.array(specialPayload(config), { minLength: 1, maxLength: 6 }), (plan, payloads) => {
      const carried = payloads.filter((payload) => {
        const refusal = tryEncode(config, payload);
        if (refusal === undefined) return true;
        if (!(refusal instanceof FramingError) || refusal.code !== 'ERR_UNENCODABLE_PAYLOAD') {
          fail(`encoding ${hex(payload)} threw ${describeThrown(refusal)}; a payload the wire cannot carry must be refused with an UnencodablePayloadError`, refusal);
        }
        if (config.binarySafe) fail(`the strategy is binary-safe but refused ${hex(payload)}: ${refusal.message}`, refusal);
        if (!payload.some((byte) => config.specialBytes.includes(byte))) {
          fail(`refused ${hex(payload)}, which holds none of the special bytes ${hex(Uint8Array.from(config.specialBytes))}: ${refusal.message}`, refusal);
        }
        return false;
      });
      const { wire, ends } = encodeStream(strategy, carried);
      const run = driveDecoder(strategy, applyChunkPlan(wire, plan), { frameEnds: ends });
      expectFrames(strategy, run, carried, `${carried.length} payloads, ${wire.length} wire bytes in ${describeChunkPlan(plan, wire.length)}`);
    }),
  );
}

function specialPayload(config: ResolvedConfig): Arbitrary<Uint8Array> {
  const max = config.base.maxFrameLength;
  const minLength = config.allowsEmpty ? 0 : 1;
  const fixed: Uint8Array[] = specialPool(config).map((byte) => Uint8Array.of(byte));
  if (config.allowsEmpty) fixed.push(new Uint8Array(0));
  const byte = specialByte(config);
  const arbitraries: Arbitrary<Uint8Array>[] = [
    fc.constantFrom(...fixed),
    fc.array(fc.constantFrom(...specialPool(config)), { minLength, maxLength: 24, size: 'max' }).map((bytes) => Uint8Array.from(bytes)),
    fc.array(byte, { minLength, maxLength: 96, size: 'max' }).map((bytes) => Uint8Array.from(bytes)),
    fc
      .array(fc.record({ byte, length: fc.constantFrom(...RUN_LENGTHS) }), { minLength: 1, maxLength: 3 })
      .map((runs) => Uint8Array.from(runs.flatMap(({ byte: b, length }) => new Array<number>(length).fill(b)))),
  ];
  return fc.oneof(...arbitraries).map((payload) => payload.subarray(0, max)).filter((payload) => payload.length >= minLength);
}

// The encoder's verdict on a payload: undefined when accepted (and checked), else what it threw.
function tryEncode(config: ResolvedConfig, payload: Uint8Array): unknown {
  const encoder = config.base.createEncoder();
  let thrown: unknown;
  try {
    encoder.encode(payload);
    thrown = undefined;
  } catch (error) {
    thrown = error ?? new Error('encode threw undefined');
  }
  if (thrown === undefined) encodeChecked(config.base, encoder, payload);
  return thrown;
}
