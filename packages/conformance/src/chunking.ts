import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';

const EMPTY = new Uint8Array(0);

/** One way of cutting a byte stream into the chunks a socket might deliver. */
export interface Chunking {
  /** What was done, for failure messages: `whole`, `byte by byte`, `split at 17`… */
  readonly name: string;
  /**
   * The chunks, in order; some may be empty. Each is a copy in memory of its own, as a socket
   * delivers them (see {@link chunkings}).
   */
  readonly chunks: readonly Uint8Array[];
}

/**
 * Every chunk boundary a decoder can meet, for one byte stream: the stream whole, whole between
 * two empty chunks, byte by byte, byte by byte with an empty chunk after every byte, and split in
 * two at every offset from 1 to `length - 1`. `length + 3` chunkings for a stream of `length`
 * bytes (4 for an empty stream); use it on short streams such as byte vectors.
 *
 * Every chunk is a copy, in memory of its own: a `ChunkBuffer` returns bytes that span chunks
 * lying back to back in one `ArrayBuffer` as a view, so views of one array would never reach
 * the copy (or, with borrowed frames, the lending) that real reads make a decoder go through.
 *
 * @example
 * ```ts
 * for (const { name, chunks } of chunkings(wire)) {
 *   expect(decodeChunks(strategy, chunks), name).toEqual([payload]);
 * }
 * ```
 */
export function* chunkings(bytes: Uint8Array): Generator<Chunking, void, undefined> {
  yield { name: 'whole', chunks: [own(bytes, 0, bytes.length)] };
  yield { name: 'whole between empty chunks', chunks: [EMPTY, own(bytes, 0, bytes.length), EMPTY] };
  yield { name: 'byte by byte', chunks: byteByByte(bytes, false) };
  yield { name: 'byte by byte with empty chunks', chunks: byteByByte(bytes, true) };
  for (let at = 1; at < bytes.length; at++) {
    yield { name: `split at ${at}`, chunks: [own(bytes, 0, at), own(bytes, at, bytes.length)] };
  }
}

/**
 * The stream split in two at every offset from 0 to `length` (both ends included, so the first
 * and the last split carry an empty chunk): `length + 1` two-chunk lists, each chunk a copy.
 */
export function* splitEverywhere(bytes: Uint8Array): Generator<[Uint8Array, Uint8Array], void, undefined> {
  for (let at = 0; at <= bytes.length; at++) yield [own(bytes, 0, at), own(bytes, at, bytes.length)];
}

/**
 * A recipe for cutting a stream whose length is not known yet, as fast-check generates it
 * (see {@link chunkPlan}); apply it with {@link applyChunkPlan}.
 *
 * - `whole`: one chunk.
 * - `bytes`: 1-byte chunks, with an empty chunk after each byte when `empties`.
 * - `cuts`: cut at each position `cut % (length + 1)`, and insert an empty chunk at each
 *   position `empty % (length + 1)` (cutting there too).
 */
export type ChunkPlan =
  | { readonly kind: 'whole' }
  | { readonly kind: 'bytes'; readonly empties: boolean }
  | { readonly kind: 'cuts'; readonly cuts: readonly number[]; readonly empties: readonly number[] };

/**
 * The fast-check arbitrary of {@link ChunkPlan}s used by the properties: one big chunk, 1-byte
 * chunks (with or without empty chunks between them), or up to `maxCuts` random cuts with a few
 * empty chunks. Random cuts are the most frequent, as they find most boundary bugs.
 *
 * @param maxCuts most random cut positions. Defaults to 24.
 */
export function chunkPlan(maxCuts = 24): Arbitrary<ChunkPlan> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<ChunkPlan>({ kind: 'whole' }) },
    { weight: 1, arbitrary: fc.boolean().map<ChunkPlan>((empties) => ({ kind: 'bytes', empties })) },
    {
      weight: 4,
      arbitrary: fc
        .record({
          cuts: fc.array(fc.nat(), { maxLength: maxCuts, size: 'max' }),
          empties: fc.array(fc.nat(), { maxLength: 3 }),
        })
        .map<ChunkPlan>(({ cuts, empties }) => ({ kind: 'cuts', cuts, empties })),
    },
  );
}

/** Cuts `bytes` as `plan` says. Each chunk is a copy, in memory of its own (see {@link chunkings}). */
export function applyChunkPlan(bytes: Uint8Array, plan: ChunkPlan): Uint8Array[] {
  if (plan.kind === 'whole') return [own(bytes, 0, bytes.length)];
  if (plan.kind === 'bytes') return byteByByte(bytes, plan.empties);
  const n = bytes.length;
  const bounds = [0, ...cutsOf(plan, n), n];
  const empties = plan.empties.map((at) => at % (n + 1));
  const chunks: Uint8Array[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i]!;
    for (const at of empties) if (at === from) chunks.push(EMPTY);
    chunks.push(own(bytes, from, bounds[i + 1]!));
  }
  if (n > 0) for (const at of empties) if (at === n) chunks.push(EMPTY);
  return chunks;
}

/** Describes a plan in a few words for failure messages. */
export function describeChunkPlan(plan: ChunkPlan, length: number): string {
  if (plan.kind === 'whole') return 'one chunk';
  if (plan.kind === 'bytes') return plan.empties ? '1-byte chunks with empty chunks between' : '1-byte chunks';
  const cuts = cutsOf(plan, length);
  if (cuts.length === 0 && plan.empties.length === 0) return 'one chunk';
  const empties = plan.empties.map((at) => at % (length + 1)).sort((a, b) => a - b);
  return `cut at [${cuts.join(', ')}]${empties.length > 0 ? ` with empty chunks at [${empties.join(', ')}]` : ''}`;
}

/** The offsets inside `0..length` where a `cuts` plan cuts: its cuts and its empty chunks, in order. */
function cutsOf(plan: Extract<ChunkPlan, { kind: 'cuts' }>, length: number): number[] {
  const inside = [...plan.cuts, ...plan.empties].map((at) => at % (length + 1)).filter((at) => at > 0 && at < length);
  return [...new Set(inside)].sort((a, b) => a - b);
}

function byteByByte(bytes: Uint8Array, empties: boolean): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) {
    chunks.push(own(bytes, i, i + 1));
    if (empties) chunks.push(EMPTY);
  }
  return chunks;
}

/** Bytes `from` to `to` of `bytes`, copied into a new array (a chunk as one socket read gives it). */
function own(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const chunk = new Uint8Array(to - from);
  chunk.set(bytes.subarray(from, to));
  return chunk;
}
