import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { FramingStrategy } from '@framewire/chunk-buffer';

/**
 * Builds a strategy with a given maximum frame length. Every framewire strategy function has
 * this shape (`u32be`, `line`, `cobs`…); for one that needs other options, wrap it:
 * `(o) => ascii({ width: 10, ...o })`.
 */
export type StrategyFactory = (options: { maxFrameLength?: number }) => FramingStrategy;

/**
 * What the kit tests: a strategy, or a factory of strategies. Prefer the factory: property 3
 * (limits) then builds the strategy with small limits and checks the decoder against a frame one
 * byte too long. Given a plain strategy, property 3 checks the encoder at the strategy's own limit
 * only.
 */
export type StrategyUnderTest = FramingStrategy | StrategyFactory;

/** A fixed example, checked byte for byte. */
export interface ConformanceVector {
  /** Shown in failure messages. Defaults to the payload in hex. */
  name?: string;
  /** The payload. */
  payload: Uint8Array;
  /** Its exact wire bytes. */
  wire: Uint8Array;
  /**
   * Which way to check: `both` (the encoder produces `wire` from `payload` and the decoder
   * returns `payload` from `wire`), `decode` only (wire forms the decoder accepts but the encoder
   * never writes, such as `\r\n` for `line`), or `encode` only. Defaults to `'both'`.
   */
  direction?: 'both' | 'decode' | 'encode';
}

/** Options of {@link testStrategy} and of each `check…` function. */
export interface ConformanceOptions {
  /** fast-check runs per property. At least 1,000 in CI, as the house rules ask. Defaults to 1000. */
  numRuns?: number;
  /**
   * fast-check seed, to replay a failure (the failure message prints it): a 32-bit integer, from
   * -2147483648 to 4294967295, as fast-check's seed is 32 bits. Defaults to a random seed.
   */
  seed?: number;
  /**
   * The payloads of properties 1, 4, 5, 6 and 7: payloads the strategy must carry. A text strategy
   * passes payloads without its delimiter, e.g. `fc.uint8Array().filter((p) => !p.includes(10))`;
   * longer payloads are filtered out against the strategy's `maxFrameLength`. Defaults to arbitrary
   * bytes of any length from 0 to 520: mostly 0–64 bytes, sometimes 65–249 or 250–520 (COBS's
   * 254-byte blocks), capped at the limit.
   */
  payload?: Arbitrary<Uint8Array>;
  /**
   * Bytes that mean something to the wire format: delimiters, escape bytes (`[0x0a, 0x0d]`,
   * `[0x00]`, `[0xc0, 0xdb]`). Property 2 builds payloads full of them (mixed with a generic set
   * of troublesome bytes: 00 0a 0d 20 2c 30 39 3a 7f 80 c0 db dc dd ff), and an encoder that is
   * not {@link binarySafe} may refuse a payload only if it contains one of them. Defaults to `[]`.
   */
  specialBytes?: readonly number[];
  /**
   * Whether the encoder carries every byte sequence (length prefixes, COBS, SLIP). When false
   * (plain delimiters), property 2 accepts an `UnencodablePayloadError` for payloads that contain
   * one of the {@link specialBytes}, and requires a round trip for every payload the encoder
   * accepts. Defaults to true.
   */
  binarySafe?: boolean;
  /**
   * Whether zero-length payloads are legal frames. When false, generated payloads are never empty
   * and property 2 requires the encoder to refuse an empty payload with an
   * `UnencodablePayloadError`. Defaults to true.
   */
  allowsEmpty?: boolean;
  /**
   * Whether the decoder resynchronises after bad input (delimiter, COBS, SLIP): enables property
   * 7, which corrupts one byte of a stream of frames and requires the frames before it and the
   * frames from the second after it on to come out intact, with only recoverable errors between.
   * Defaults to false (length prefixes cannot resynchronise).
   */
  recovers?: boolean;
  /**
   * Bytes at the start of every encoded frame that form no partial frame on their own, such as
   * SLIP's leading `END` (a receiver reads it as an empty frame and ignores it). A stream cut
   * right after them is, to the decoder, a clean end; property 4 therefore cuts after them.
   * Defaults to 0.
   */
  neutralPrefix?: number;
  /** Fixed examples checked byte for byte, under every chunking. Defaults to `[]`. */
  vectors?: readonly ConformanceVector[];
  /**
   * A byte the strategy carries as is, used to fill payloads of an exact length when the strategy
   * is not {@link binarySafe} (properties 3 and 6). Defaults to `0x61` (`a`).
   */
  fillByte?: number;
  /**
   * Largest limit property 3 tries when given a factory; the limits tried run from 0 (1 when
   * empty payloads are illegal) to this, and stay below the default strategy's own
   * `maxFrameLength`. Defaults to 300.
   */
  maxLimit?: number;
  /**
   * Property 6's bound per byte fed: bytes the decoder inspects (see `CountingChunkBuffer`) may
   * not exceed `workFactor × bytes fed + callAllowance × decode calls + 64`. A decoder that
   * scans each byte once, then takes the frame, inspects about 2 per byte fed; reading a header
   * twice, or checking the byte before a `\n` for a `\r`, adds a little. 4 leaves headroom for
   * that while a decoder that re-scans its buffer on each call is off by a factor of hundreds.
   * Raise it for a strategy that searches for several delimiters one after the other (about
   * 1 + the sum of their lengths). Defaults to 4.
   */
  workFactor?: number;
  /**
   * Property 6's allowance per `decode` call, in bytes: what a decoder may look at again each
   * time it is called, such as the last `length - 1` bytes of a multi-byte delimiter search
   * (resumed as `ChunkBuffer.indexOfSequence` advises) or a partial header. Matters when chunks
   * are tiny or empty. Defaults to 4.
   */
  callAllowance?: number;
  /**
   * Payload length of property 6's long frame, fed in 1-byte chunks (capped at the strategy's
   * `maxFrameLength`). Defaults to 65536.
   */
  longFrameLength?: number;
}

/** Generic troublesome bytes mixed into property 2's payloads whatever the strategy. */
export const GENERIC_SPECIAL_BYTES: readonly number[] = Object.freeze([
  0x00, 0x0a, 0x0d, 0x20, 0x2c, 0x30, 0x39, 0x3a, 0x7f, 0x80, 0xc0, 0xdb, 0xdc, 0xdd, 0xff,
]);

/** The validated, frozen options plus the strategy under test, as every property uses them. */
export interface ResolvedConfig {
  readonly name: string;
  /** The strategy built with default options. */
  readonly base: FramingStrategy;
  readonly factory: StrategyFactory | undefined;
  readonly numRuns: number;
  readonly seed: number | undefined;
  readonly payload: Arbitrary<Uint8Array>;
  readonly specialBytes: readonly number[];
  readonly binarySafe: boolean;
  readonly allowsEmpty: boolean;
  readonly recovers: boolean;
  readonly vectors: readonly ConformanceVector[];
  readonly neutralPrefix: number;
  readonly fillByte: number;
  readonly maxLimit: number;
  readonly workFactor: number;
  readonly callAllowance: number;
  readonly longFrameLength: number;
}

// Every option name, checked by the compiler against ConformanceOptions: a misspelt option
// (`recover: true`, `numRun`) would otherwise be ignored, and its property run with the default
// or not at all. `timeout` belongs to testStrategy, which may share its options object.
const OPTION_NAMES: readonly string[] = Object.keys({
  numRuns: true,
  seed: true,
  payload: true,
  specialBytes: true,
  binarySafe: true,
  allowsEmpty: true,
  recovers: true,
  neutralPrefix: true,
  vectors: true,
  fillByte: true,
  maxLimit: true,
  workFactor: true,
  callAllowance: true,
  longFrameLength: true,
} satisfies Record<keyof ConformanceOptions, true>);

/**
 * Checks that `options` is an object (or undefined) whose keys are all option names (`timeout`
 * included, which the `check…` functions ignore). Throws a `TypeError` naming an unknown one.
 */
export function checkOptionNames(options: unknown): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`options must be an object (got ${describeValue(options)})`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key) && key !== 'timeout') {
      throw new TypeError(`unknown option ${key} (the options are ${[...OPTION_NAMES, 'timeout'].join(', ')})`);
    }
  }
}

/** Validates the subject and the options once, into a frozen config. Misuse throws TypeError/RangeError. */
export function resolveConfig(subject: StrategyUnderTest, options: ConformanceOptions = {}): ResolvedConfig {
  checkOptionNames(options);
  const factory = typeof subject === 'function' ? subject : undefined;
  const base = typeof subject === 'function' ? subject({}) : subject;
  checkStrategyShape(base);
  const allowsEmpty = bool(options.allowsEmpty, 'allowsEmpty', true);
  const binarySafe = bool(options.binarySafe, 'binarySafe', true);
  const specialBytes = Object.freeze([...array(options.specialBytes, 'specialBytes')]);
  for (const byte of specialBytes) checkByte(byte, 'specialBytes');
  if (!binarySafe && specialBytes.length === 0) {
    throw new TypeError('specialBytes must list the bytes the encoder may refuse when binarySafe is false (got [])');
  }
  const fillByte = options.fillByte === undefined ? 0x61 : options.fillByte;
  checkByte(fillByte, 'fillByte');
  const vectors = Object.freeze([...array(options.vectors, 'vectors')]);
  vectors.forEach((vector: ConformanceVector | null, i) => {
    if (typeof vector !== 'object' || vector === null) {
      throw new TypeError(`vectors[${i}] must be an object { name?, payload, wire, direction? } (got ${describeValue(vector)})`);
    }
    if (!(vector.payload instanceof Uint8Array) || !(vector.wire instanceof Uint8Array)) {
      throw new TypeError(`vectors[${i}] must have a Uint8Array payload and wire`);
    }
    if (vector.direction !== undefined && !['both', 'decode', 'encode'].includes(vector.direction)) {
      throw new TypeError(`vectors[${i}].direction must be 'both', 'decode' or 'encode' (got ${vector.direction})`);
    }
  });
  const max = base.maxFrameLength;
  const given = options.payload as Partial<Arbitrary<Uint8Array>> | undefined | null;
  if (given !== undefined && (typeof given !== 'object' || given === null || typeof given.filter !== 'function' || typeof given.generate !== 'function')) {
    throw new TypeError(`payload must be a fast-check Arbitrary<Uint8Array>, such as fc.uint8Array() (got ${describeValue(given)})`);
  }
  const payload = (options.payload ?? defaultPayload(max)).filter(
    (p) => p.length <= max && (allowsEmpty || p.length > 0),
  );
  return Object.freeze({
    name: base.name,
    base,
    factory,
    numRuns: positiveInteger(options.numRuns, 'numRuns', 1000),
    seed: options.seed === undefined ? undefined : seed32(options.seed),
    payload,
    specialBytes,
    binarySafe,
    allowsEmpty,
    recovers: bool(options.recovers, 'recovers', false),
    vectors,
    neutralPrefix: nonNegativeInteger(options.neutralPrefix, 'neutralPrefix', 0),
    fillByte,
    maxLimit: positiveInteger(options.maxLimit, 'maxLimit', 300),
    workFactor: positiveNumber(options.workFactor, 'workFactor', 4),
    callAllowance: nonNegativeInteger(options.callAllowance, 'callAllowance', 4),
    longFrameLength: positiveInteger(options.longFrameLength, 'longFrameLength', 65536),
  });
}

// Every length from 0 to 520 (or the limit) can come up: mostly 0–64, 1 in 7 each 65–249 and
// 250–520 (COBS's 254-byte blocks).
function defaultPayload(max: number): Arbitrary<Uint8Array> {
  const small = fc.uint8Array({ maxLength: Math.min(64, max), size: 'max' });
  if (max <= 64) return small;
  const medium = { weight: 1, arbitrary: fc.uint8Array({ minLength: 65, maxLength: Math.min(249, max), size: 'max' }) };
  if (max < 250) return fc.oneof({ weight: 5, arbitrary: small }, medium);
  return fc.oneof(
    { weight: 5, arbitrary: small },
    medium,
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 250, maxLength: Math.min(520, max), size: 'max' }) },
  );
}

function checkStrategyShape(strategy: FramingStrategy): void {
  const s = strategy as Partial<FramingStrategy> | null;
  if (typeof s !== 'object' || s === null) throw new TypeError(`strategy must be a FramingStrategy or a factory of one (got ${String(s)})`);
  if (typeof s.name !== 'string' || s.name === '') throw new TypeError('strategy.name must be a non-empty string');
  if (!Number.isSafeInteger(s.maxFrameLength) || s.maxFrameLength! < 0) {
    throw new RangeError(`strategy.maxFrameLength must be a non-negative safe integer (got ${String(s.maxFrameLength)})`);
  }
  if (!Number.isSafeInteger(s.maxWireLength) || s.maxWireLength! < s.maxFrameLength!) {
    throw new RangeError(
      `strategy.maxWireLength must be a safe integer of at least maxFrameLength = ${s.maxFrameLength!} (got ${String(s.maxWireLength)})`,
    );
  }
  if (typeof s.createDecoder !== 'function' || typeof s.createEncoder !== 'function') {
    throw new TypeError('strategy must have createDecoder() and createEncoder()');
  }
}

function bool(value: boolean | undefined, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${option} must be a boolean (got ${describeValue(value)})`);
  return value;
}

/** A value for a message: strings quoted, so that `'100'` does not read as the number 100. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  if (typeof value === 'function') return 'a function';
  return String(value);
}

function array<T>(value: readonly T[] | undefined, option: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TypeError(`${option} must be an array (got ${describeValue(value)})`);
  return value as readonly T[];
}

function checkByte(value: unknown, option: string): void {
  if (typeof value !== 'number') throw new TypeError(`${option} must hold bytes from 0 to 255 (got ${describeValue(value)})`);
  if (!Number.isInteger(value) || value < 0 || value > 255) throw new RangeError(`${option} must hold bytes from 0 to 255 (got ${value})`);
}

/** A number option: a `TypeError` for something that is not a number, then `check` for its range. */
function number(value: unknown, option: string, what: string, check: (n: number) => boolean): number {
  if (typeof value !== 'number') throw new TypeError(`${option} must be ${what} (got ${describeValue(value)})`);
  if (!check(value)) throw new RangeError(`${option} must be ${what} (got ${value})`);
  return value;
}

// fast-check's seed is 32 bits: it keeps `seed | 0` and folds the bits above into it, so 2 ** 32 + 5
// would run as 5. Signed (as fast-check prints seeds) or unsigned, anything else is refused.
function seed32(value: number): number {
  return number(value, 'seed', 'a 32-bit integer, from -2147483648 to 4294967295', (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 32);
}

function positiveInteger(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  return number(value, option, 'a positive integer', (n) => Number.isSafeInteger(n) && n >= 1);
}

function nonNegativeInteger(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  return number(value, option, 'a non-negative integer', (n) => Number.isSafeInteger(n) && n >= 0);
}

function positiveNumber(value: number | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  return number(value, option, 'a positive number', (n) => Number.isFinite(n) && n > 0);
}

/** `testStrategy`'s `timeout`: a positive integer of milliseconds. */
export function checkTimeout(value: number | undefined): number {
  return positiveInteger(value, 'timeout', 30_000);
}
