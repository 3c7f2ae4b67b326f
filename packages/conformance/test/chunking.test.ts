import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '@framewire/chunk-buffer';
import { applyChunkPlan, chunkPlan, chunkings, describeChunkPlan, splitEverywhere } from '../src/index.js';

const joined = (chunks: readonly Uint8Array[]): number[] => Array.from(concatBytes(chunks.length > 0 ? chunks : [new Uint8Array(0)]));

describe('chunkings', () => {
  it('yields whole, whole between empties, byte by byte (with and without empties) and every two-way split', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const all = [...chunkings(bytes)];
    expect(all.map((c) => c.name)).toEqual([
      'whole',
      'whole between empty chunks',
      'byte by byte',
      'byte by byte with empty chunks',
      'split at 1',
      'split at 2',
      'split at 3',
    ]);
    for (const { chunks } of all) expect(joined(chunks)).toEqual([1, 2, 3, 4]);
    expect(all[2]!.chunks.map((c) => c.length)).toEqual([1, 1, 1, 1]);
    expect(all[3]!.chunks.map((c) => c.length)).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
    expect(all[5]!.chunks.map((c) => Array.from(c))).toEqual([[1, 2], [3, 4]]);
  });

  it('gives every chunk memory of its own, so no two chunks are back to back in one buffer', () => {
    const bytes = Uint8Array.of(9, 8, 7);
    for (const { name, chunks } of chunkings(bytes)) {
      const buffers = chunks.filter((c) => c.length > 0).map((c) => c.buffer);
      expect(buffers, name).not.toContain(bytes.buffer);
      expect(new Set(buffers).size, name).toBe(buffers.length);
    }
    for (const [head, tail] of splitEverywhere(bytes)) expect(head.buffer).not.toBe(tail.buffer);
  });

  it('handles an empty stream', () => {
    expect([...chunkings(new Uint8Array(0))].map((c) => c.name)).toEqual([
      'whole',
      'whole between empty chunks',
      'byte by byte',
      'byte by byte with empty chunks',
    ]);
  });
});

describe('splitEverywhere', () => {
  it('splits at every offset, both ends included', () => {
    const splits = [...splitEverywhere(Uint8Array.of(5, 6))].map(([a, b]) => [Array.from(a), Array.from(b)]);
    expect(splits).toEqual([
      [[], [5, 6]],
      [[5], [6]],
      [[5, 6], []],
    ]);
  });
});

describe('applyChunkPlan', () => {
  it('always covers the stream exactly, in order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), chunkPlan(), (bytes, plan) => {
        expect(joined(applyChunkPlan(bytes, plan))).toEqual(Array.from(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('cuts where the plan says, and inserts the empty chunks', () => {
    const bytes = Uint8Array.of(0, 1, 2, 3, 4, 5);
    const chunks = applyChunkPlan(bytes, { kind: 'cuts', cuts: [4, 2, 9, 2], empties: [0, 4, 6] });
    // cuts: 4, 2, 9 % 7 = 2 → at 2 and 4; empties before offsets 0 and 4, and at the end (6).
    expect(chunks.map((c) => Array.from(c))).toEqual([[], [0, 1], [2, 3], [], [4, 5], []]);
    const buffers = chunks.filter((c) => c.length > 0).map((c) => c.buffer);
    expect(new Set([bytes.buffer, ...buffers]).size).toBe(buffers.length + 1);
    expect(describeChunkPlan({ kind: 'cuts', cuts: [4, 2, 9, 2], empties: [0, 4, 6] }, 6)).toBe('cut at [2, 4] with empty chunks at [0, 4, 6]');
  });

  it('puts an empty chunk where the plan says even where it does not cut, cutting there', () => {
    const bytes = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    expect(applyChunkPlan(bytes, { kind: 'cuts', cuts: [], empties: [5] }).map((c) => Array.from(c))).toEqual([[0, 1, 2, 3, 4], [], [5, 6, 7, 8, 9]]);
    const plan = { kind: 'cuts', cuts: [3], empties: [5, 7] } as const;
    expect(applyChunkPlan(bytes, plan).map((c) => c.length)).toEqual([3, 2, 0, 2, 0, 3]);
    expect(describeChunkPlan(plan, bytes.length)).toBe('cut at [3, 5, 7] with empty chunks at [5, 7]');
  });

  it('inserts every empty chunk of every plan', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), chunkPlan(), (bytes, plan) => {
        fc.pre(plan.kind === 'cuts');
        expect(applyChunkPlan(bytes, plan).filter((c) => c.length === 0)).toHaveLength(plan.empties.length);
      }),
      { numRuns: 1000 },
    );
  });

  it('feeds byte by byte, with empty chunks when asked', () => {
    expect(applyChunkPlan(Uint8Array.of(1, 2), { kind: 'bytes', empties: false }).map((c) => c.length)).toEqual([1, 1]);
    expect(applyChunkPlan(Uint8Array.of(1, 2), { kind: 'bytes', empties: true }).map((c) => c.length)).toEqual([1, 0, 1, 0]);
    expect(applyChunkPlan(Uint8Array.of(1, 2), { kind: 'whole' }).map((c) => c.length)).toEqual([2]);
  });

  it('generates every kind of plan', () => {
    const kinds = new Set(fc.sample(chunkPlan(), { numRuns: 200, seed: 42 }).map((plan) => plan.kind));
    expect([...kinds].sort()).toEqual(['bytes', 'cuts', 'whole']);
  });
});
