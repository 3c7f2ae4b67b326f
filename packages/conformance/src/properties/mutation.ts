import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

/** One corrupted byte: replaced, inserted or deleted. */
export interface Mutation {
  readonly op: 'replace' | 'insert' | 'delete';
  /** Position seed, taken modulo the range the mutation applies to. */
  readonly at: number;
  /** The byte written by `replace` and `insert`. */
  readonly byte: number;
}

/** Mutations whose bytes come from `byte` (bias it towards the format's special bytes). */
export function mutation(byte: Arbitrary<number>): Arbitrary<Mutation> {
  return fc.record({ op: fc.constantFrom<Mutation['op']>('replace', 'insert', 'delete'), at: fc.nat(), byte });
}

/**
 * Applies `m` to `wire` at a position in `[from, to)` (`[from, to]` for an insertion) and returns
 * a new array, with the position used.
 */
export function applyMutation(wire: Uint8Array, m: Mutation, from = 0, to = wire.length): { bytes: Uint8Array; at: number } {
  const span = to - from + (m.op === 'insert' ? 1 : 0);
  if (span <= 0) return { bytes: wire.slice(), at: from };
  const at = from + (m.at % span);
  if (m.op === 'replace') {
    const bytes = wire.slice();
    bytes[at] = m.byte;
    return { bytes, at };
  }
  const bytes = new Uint8Array(wire.length + (m.op === 'insert' ? 1 : -1));
  bytes.set(wire.subarray(0, at));
  if (m.op === 'insert') {
    bytes[at] = m.byte;
    bytes.set(wire.subarray(at), at + 1);
  } else {
    bytes.set(wire.subarray(at + 1), at);
  }
  return { bytes, at };
}
