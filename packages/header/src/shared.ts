/**
 * Small helpers shared by the header strategies: option checks and byte escaping for error
 * messages. Internal: not exported from the package.
 *
 * @module
 */

import { isUint8Array } from '@framewire/chunk-buffer';

/** Throws a `TypeError` unless `options` is undefined or a plain object. */
export function checkOptionsObject(options: unknown, factory: string): void {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`${factory}() options must be an object (got ${describe(options)})`);
  }
}

/** Validates an integer option in `[min, max]`, returning `fallback` when undefined. */
export function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
  expected?: string,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      expected ??
      (max === Number.MAX_SAFE_INTEGER
        ? min === 0
          ? 'a non-negative safe integer'
          : `a safe integer of at least ${min}`
        : `an integer from ${min} to ${max}`);
    throw new RangeError(`${name} must be ${range} (got ${describe(value)})`);
  }
  return value;
}

/** Validates a boolean option, returning `fallback` when undefined. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${name} must be a boolean (got ${describe(value)})`);
  return value;
}

/**
 * Throws a `TypeError` unless `payload` is a `Uint8Array`: a Node `Buffer` is one, and so is one
 * from another realm (a worker, a `vm` context), as `ChunkBuffer#push` accepts it.
 */
export function checkPayload(payload: unknown, name: string): asserts payload is Uint8Array {
  if (isUint8Array(payload)) return;
  throw new TypeError(`${name} encoder: payload must be a Uint8Array (got ${describe(payload)})`);
}

/** A short description of a value for error messages: `5`, `"middle"`, `null`, `an object`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
    const ctor = proto?.constructor;
    return typeof ctor === 'function' && ctor.name !== '' ? withArticle(ctor.name) : 'an object';
  }
  return withArticle(typeof value);
}

/** `a Uint8Array`, `an ArrayBuffer`, `an Object`: the article by the first letter (U as in Uint: `a`). */
function withArticle(noun: string): string {
  return `${/^[aeio]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

const HEX = '0123456789abcdef';

/**
 * The bytes as a double-quoted string for an error message: printable ASCII as is, `"` and
 * `\` escaped, tab/CR/LF as `\t` `\r` `\n`, everything else as `\xNN`. At most `limit`
 * bytes are shown, followed by `…` when there are more.
 */
export function escapeBytes(bytes: Uint8Array, limit = 64): string {
  let out = '"';
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${HEX[b >> 4]!}${HEX[b & 15]!}`;
  }
  return bytes.length > limit ? `${out}"…` : `${out}"`;
}

/** A byte as `0xNN` for an error message. */
export function hexByte(b: number): string {
  return `0x${HEX[b >> 4]!}${HEX[b & 15]!}`;
}

/** The decimal digits (0x30–0x39) among `bytes`, as an exact bigint: a length past 2^53. */
export function exactDigits(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const c of bytes) if (c >= 0x30 && c <= 0x39) value = value * 10n + BigInt(c - 0x30);
  return value;
}
