/**
 * Property tests: every ChunkBuffer operation against a naive model that keeps all bytes in
 * one contiguous array (concatenate everything, then slice), over random chunkings and random
 * operation sequences. Small byte alphabets make searches hit, straddle and miss often.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkBuffer } from '../src/chunk-buffer.js';

const RUNS = { numRuns: 1000 };

// ---- the model ---------------------------------------------------------------------------

const OUT_OF_RANGE = 'RangeError';
type Result = number | bigint | boolean | number[] | typeof OUT_OF_RANGE;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

class Model {
  data: Uint8Array = new Uint8Array(0);

  inRange(offset: number, n: number): boolean {
    return Number.isInteger(offset) && Number.isInteger(n) && offset >= 0 && n >= 0 && offset + n <= this.data.length;
  }
  push(chunk: Uint8Array): void {
    this.data = concat([this.data, chunk]);
  }
  readUint(offset: number, width: number, littleEndian: boolean): Result {
    if (!this.inRange(offset, width)) return OUT_OF_RANGE;
    const bytes = Array.from(this.data.subarray(offset, offset + width));
    if (littleEndian) bytes.reverse();
    return bytes.reduce((acc, b) => acc * 256 + b, 0);
  }
  readBig(offset: number, littleEndian: boolean): Result {
    if (!this.inRange(offset, 8)) return OUT_OF_RANGE;
    return new DataView(this.data.buffer, this.data.byteOffset).getBigUint64(offset, littleEndian);
  }
  indexOf(byte: number, from: number, end: number): Result {
    const stop = Math.min(end, this.data.length);
    return this.data.subarray(0, Math.max(stop, 0)).indexOf(byte, Math.max(from, 0));
  }
  indexOfSequence(seq: Uint8Array, from: number, end: number): Result {
    const stop = Math.min(end, this.data.length);
    for (let p = Math.max(from, 0); p + seq.length <= stop; p++) {
      if (seq.every((b, k) => this.data[p + k] === b)) return p;
    }
    return -1;
  }
  startsWith(seq: Uint8Array, offset: number): Result {
    if (offset < 0 || offset + seq.length > this.data.length) return false;
    return seq.every((b, k) => this.data[offset + k] === b);
  }
  peek(start: number, end: number): Result {
    // Outside 0..length is out of range, an empty range too (README, "Rules").
    if (end < start || !this.inRange(start, end - start)) return OUT_OF_RANGE;
    return Array.from(this.data.subarray(start, end));
  }
  take(n: number): Result {
    if (n === 0) return [];
    if (!this.inRange(0, n)) return OUT_OF_RANGE;
    const out = Array.from(this.data.subarray(0, n));
    this.data = this.data.slice(n);
    return out;
  }
  skip(n: number): Result {
    if (n === 0) return true;
    if (!this.inRange(0, n)) return OUT_OF_RANGE;
    this.data = this.data.slice(n);
    return true;
  }
  clear(): Result {
    this.data = new Uint8Array(0);
    return true;
  }
}

/** Runs `f`, mapping a RangeError to OUT_OF_RANGE and byte arrays to plain arrays. */
function run(f: () => number | bigint | boolean | Uint8Array): Result {
  try {
    const r = f();
    return r instanceof Uint8Array ? Array.from(r) : r;
  } catch (error) {
    if (error instanceof RangeError) return OUT_OF_RANGE;
    throw error;
  }
}

/**
 * A cheap equality check for hot loops (vitest's `expect` costs more than the operation
 * under test); fast-check reports the counterexample when it throws.
 */
function same(actual: Result, expected: Result, label: string): void {
  const ok =
    Array.isArray(actual) && Array.isArray(expected)
      ? actual.length === expected.length && actual.every((v, i) => v === expected[i])
      : actual === expected;
  if (!ok) throw new Error(`${label}: got ${show(actual)}, expected ${show(expected)}`);
}

function show(r: Result): string {
  return Array.isArray(r) ? `[${r.join(', ')}]` : String(r);
}

// ---- generators --------------------------------------------------------------------------

const smallBytes = (maxLength: number) => fc.uint8Array({ minLength: 0, maxLength, min: 0, max: 3 });

/** `data` cut at random points (cuts may repeat, so empty chunks occur). */
/**
 * `data` cut at random points. Each chunk is a view of `data` (so neighbours lie back to back in
 * one ArrayBuffer, as reads into one block do) or, where `copied[k]` says so, a copy in memory
 * of its own (as Node's reads are).
 */
const chunking = (maxLength: number) =>
  fc
    .tuple(smallBytes(maxLength), fc.array(fc.nat(), { maxLength: maxLength + 4 }), fc.array(fc.boolean(), { maxLength: maxLength + 5 }))
    .map(([data, cuts, copy]) => {
      const points = [...cuts.map((c) => c % (data.length + 1)).sort((a, b) => a - b), data.length];
      const chunks: Uint8Array[] = [];
      const copied: boolean[] = [];
      let at = 0;
      for (const p of points) {
        const own = copy[chunks.length] === true;
        chunks.push(own ? data.slice(at, p) : data.subarray(at, p));
        copied.push(own);
        at = p;
      }
      return { data, chunks, copied };
    });

function fill(chunks: readonly Uint8Array[]): ChunkBuffer {
  const buf = new ChunkBuffer();
  for (const c of chunks) buf.push(c);
  return buf;
}

/** A raw number turned into an offset from -1 to length + 1, so edges come up often. */
const at = (raw: number, length: number) => (raw % (length + 3)) - 1;

type Op =
  | { op: 'push'; chunk: Uint8Array }
  | { op: 'take' | 'skip' | 'byteAt' | 'big'; a: number; le: boolean }
  | { op: 'readUint'; a: number; width: number; le: boolean }
  | { op: 'peek' | 'indexOf'; a: number; b: number; byte: number }
  | { op: 'indexOfSequence' | 'startsWith'; a: number; b: number; seq: Uint8Array }
  | { op: 'clear' };

const raw = fc.nat({ max: 10_000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('push' as const), chunk: smallBytes(12) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('take' as const, 'skip' as const), a: raw, le: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('byteAt' as const, 'big' as const), a: raw, le: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('readUint' as const), a: raw, width: fc.integer({ min: 1, max: 6 }), le: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constantFrom('peek' as const, 'indexOf' as const), a: raw, b: raw, byte: fc.integer({ min: 0, max: 4 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constantFrom('indexOfSequence' as const, 'startsWith' as const),
      a: raw,
      b: raw,
      seq: fc.uint8Array({ minLength: 1, maxLength: 5, min: 0, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'clear' as const }) },
);

function apply(buf: ChunkBuffer, model: Model, o: Op): [Result, Result] {
  const len = model.data.length;
  switch (o.op) {
    case 'push':
      model.push(o.chunk);
      return [
        run(() => {
          buf.push(o.chunk);
          return true;
        }),
        true,
      ];
    case 'take': {
      const n = at(o.a, len);
      return [run(() => buf.take(n)), model.take(n)];
    }
    case 'skip': {
      const n = at(o.a, len);
      return [
        run(() => {
          buf.skip(n);
          return true;
        }),
        model.skip(n),
      ];
    }
    case 'byteAt': {
      const i = at(o.a, len);
      return [run(() => buf.byteAt(i)), model.readUint(i, 1, false)];
    }
    case 'big': {
      const i = at(o.a, len);
      return [run(() => (o.le ? buf.readBigUint64LE(i) : buf.readBigUint64BE(i))), model.readBig(i, o.le)];
    }
    case 'readUint': {
      const i = at(o.a, len);
      const named = [
        undefined,
        () => buf.readUint8(i),
        () => (o.le ? buf.readUint16LE(i) : buf.readUint16BE(i)),
        () => (o.le ? buf.readUint24LE(i) : buf.readUint24BE(i)),
        () => (o.le ? buf.readUint32LE(i) : buf.readUint32BE(i)),
      ][o.width];
      const expected = model.readUint(i, o.width, o.le);
      const generic = run(() => buf.readUint(i, o.width, o.le));
      if (named) same(run(named), expected, `readUint${8 * o.width}${o.le ? 'LE' : 'BE'}(${i})`);
      return [generic, expected];
    }
    case 'peek': {
      const s = at(o.a, len);
      const e = at(o.b, len);
      const expected = model.peek(s, e);
      // copyTo the same range, one byte into a target with one byte to spare on each side.
      const copied = run(() => {
        const target = new Uint8Array(Math.max(e - s, 0) + 2).fill(0xee);
        const n = buf.copyTo(target, 1, s, e);
        if (n !== e - s || target[0] !== 0xee || target[target.length - 1] !== 0xee) {
          throw new Error(`copyTo(target, 1, ${s}, ${e}) returned ${n} or wrote outside its range`);
        }
        return target.subarray(1, 1 + n);
      });
      same(copied, expected, `copyTo(target, 1, ${s}, ${e})`);
      return [run(() => buf.peek(s, e)), expected];
    }
    case 'indexOf': {
      const s = at(o.a, len);
      const e = at(o.b, len);
      return [run(() => buf.indexOf(o.byte, s, e)), model.indexOf(o.byte, s, e)];
    }
    case 'indexOfSequence': {
      const s = at(o.a, len);
      const e = at(o.b, len);
      return [run(() => buf.indexOfSequence(o.seq, s, e)), model.indexOfSequence(o.seq, s, e)];
    }
    case 'startsWith': {
      const s = at(o.a, len);
      return [run(() => buf.startsWith(o.seq, s)), model.startsWith(o.seq, s)];
    }
    case 'clear':
      return [
        run(() => {
          buf.clear();
          return true;
        }),
        model.clear(),
      ];
  }
}

// ---- properties --------------------------------------------------------------------------

describe('ChunkBuffer against the naive model', () => {
  it('random operation sequences give the same results and the same length', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
        const buf = new ChunkBuffer();
        const model = new Model();
        for (const o of ops) {
          const [actual, expected] = apply(buf, model, o);
          same(actual, expected, o.op);
          same(buf.length, model.data.length, `length after ${o.op}`);
        }
        expect(Array.from(buf.peek())).toEqual(Array.from(model.data));
      }),
      RUNS,
    );
  });

  it('every read at every offset of a random chunking matches the concatenation', () => {
    fc.assert(
      fc.property(chunking(24), ({ data, chunks }) => {
        const buf = fill(chunks);
        const model = new Model();
        model.push(data);
        expect(buf.length).toBe(data.length);
        for (let i = -1; i <= data.length; i++) {
          for (let w = 1; w <= 6; w++) {
            same(run(() => buf.readUint(i, w, false)), model.readUint(i, w, false), `readUint(${i}, ${w})`);
            same(run(() => buf.readUint(i, w, true)), model.readUint(i, w, true), `readUint(${i}, ${w}, true)`);
          }
          same(run(() => buf.readBigUint64BE(i)), model.readBig(i, false), `readBigUint64BE(${i})`);
          same(run(() => buf.readBigUint64LE(i)), model.readBig(i, true), `readBigUint64LE(${i})`);
          for (let byte = 0; byte <= 3; byte++) {
            same(buf.indexOf(byte, i), model.indexOf(byte, i, Infinity), `indexOf(${byte}, ${i})`);
            same(buf.indexOf(byte, 0, i), model.indexOf(byte, 0, i), `indexOf(${byte}, 0, ${i})`);
          }
          for (let e = i; e <= data.length; e++) same(run(() => buf.peek(i, e)), model.peek(i, e), `peek(${i}, ${e})`);
        }
      }),
      RUNS,
    );
  });

  it('indexOfSequence finds the first match (straddling any number of chunks) between from and end', () => {
    fc.assert(
      fc.property(
        chunking(40),
        fc.uint8Array({ minLength: 1, maxLength: 6, min: 0, max: 2 }),
        fc.nat(),
        fc.nat(),
        ({ data, chunks }, seq, a, b) => {
          const buf = fill(chunks);
          const model = new Model();
          model.push(data);
          const from = at(a, data.length);
          const end = at(b, data.length);
          expect(buf.indexOfSequence(seq, from, end)).toBe(model.indexOfSequence(seq, from, end));
          expect(buf.indexOfSequence(seq)).toBe(model.indexOfSequence(seq, 0, Infinity));
        },
      ),
      RUNS,
    );
  });

  it('a search resumed after every chunk (as a delimiter decoder does) finds the first match', () => {
    fc.assert(
      fc.property(chunking(60), fc.uint8Array({ minLength: 1, maxLength: 4, min: 0, max: 2 }), ({ data, chunks }, seq) => {
        const buf = new ChunkBuffer();
        let from = 0;
        let found = -1;
        for (const chunk of chunks) {
          buf.push(chunk);
          found = buf.indexOfSequence(seq, from);
          if (found !== -1) break;
          from = Math.max(from, buf.length - seq.length + 1);
        }
        const model = new Model();
        model.push(data);
        expect(found).toBe(model.indexOfSequence(seq, 0, Infinity));
      }),
      RUNS,
    );
  });

  it('take returns the bytes in order: a view when they lie in one chunk or in chunks back to back in memory, else a copy', () => {
    fc.assert(
      fc.property(chunking(48), fc.array(fc.nat({ max: 12 }), { maxLength: 30 }), ({ data, chunks, copied }, sizes) => {
        const buf = fill(chunks);
        // Where each byte came from: its chunk's index, and its offset in that chunk.
        const owner: number[] = [];
        const offset: number[] = [];
        chunks.forEach((c, k) => {
          for (let j = 0; j < c.length; j++) {
            owner.push(k);
            offset.push(j);
          }
        });
        let consumed = 0;
        const taken: Uint8Array[] = [];
        for (const size of sizes) {
          const n = Math.min(size, buf.length);
          const out = buf.take(n);
          expect(out.length).toBe(n);
          if (n > 0) {
            const first = owner[consumed]!;
            const last = owner[consumed + n - 1]!;
            const views = copied.slice(first, last + 1).every((own, k) => !own || chunks[first + k]!.length === 0);
            if (first === last) {
              expect(out.buffer).toBe(chunks[first]!.buffer);
              expect(out.byteOffset).toBe(chunks[first]!.byteOffset + offset[consumed]!);
            } else if (views) {
              // Every chunk it spans is a view of `data`: one view of `data`, no copy.
              expect(out.buffer).toBe(data.buffer);
              expect(out.byteOffset).toBe(data.byteOffset + consumed);
            } else {
              expect(chunks.map((c) => c.buffer)).not.toContain(out.buffer);
              expect(out.byteOffset).toBe(0);
            }
          }
          consumed += n;
          taken.push(out);
        }
        taken.push(buf.take(buf.length));
        expect(Array.from(concat(taken))).toEqual(Array.from(data));
      }),
      RUNS,
    );
  });

  it('random-access reads (small steps forward, jumps, backwards) find the right chunk', () => {
    fc.assert(
      fc.property(chunking(64), fc.array(fc.integer({ min: -6, max: 9 }), { minLength: 1, maxLength: 80 }), ({ data, chunks }, steps) => {
        fc.pre(data.length > 0);
        const buf = fill(chunks);
        let i = 0;
        for (const step of steps) {
          i = (((i + step) % data.length) + data.length) % data.length;
          same(buf.byteAt(i), data[i]!, `byteAt(${i})`);
          if (step % 3 === 0) same(buf.readUint8(i), data[i]!, `readUint8(${i})`);
        }
      }),
      RUNS,
    );
  });

  it('peek returns a view of the chunk when the range lies in one, else a copy, and consumes nothing', () => {
    fc.assert(
      fc.property(chunking(48), fc.nat(), fc.nat(), ({ data, chunks }, a, b) => {
        const buf = fill(chunks);
        const start = a % (data.length + 1);
        const end = start + (b % (data.length - start + 1));
        const out = buf.peek(start, end);
        same(Array.from(out), Array.from(data.subarray(start, end)), `peek(${start}, ${end})`);
        if (end > start) {
          let chunkStart = 0;
          let at = 0;
          const holder = chunks.find((c) => {
            at = chunkStart;
            chunkStart += c.length;
            return c.length > 0 && start >= at && end <= chunkStart;
          });
          // Unlike take, peek copies whenever the range spans chunks, back to back or not.
          if (holder !== undefined) {
            expect(out.buffer, `peek(${start}, ${end})`).toBe(holder.buffer);
            same(out.byteOffset, holder.byteOffset + start - at, 'byteOffset');
          } else if (chunks.some((c) => c.buffer === out.buffer)) {
            throw new Error(`peek(${start}, ${end}) spans chunks but returned a view`);
          }
        }
        same(buf.length, data.length, 'length after peek');
      }),
      RUNS,
    );
  });

  it('stays correct across compaction: thousands of tiny chunks consumed in random steps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1025, max: 2600 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 0, max: 255 }),
        (count, steps, seed) => {
          const buf = new ChunkBuffer();
          const byte = (i: number) => (i * 31 + seed) & 0xff;
          for (let i = 0; i < count; i++) buf.push(Uint8Array.of(byte(i)));
          let front = 0;
          for (let s = 0; front < count; s++) {
            const n = Math.min(steps[s % steps.length]!, count - front);
            if (buf.length >= 4) {
              const tail = ((byte(count - 4) * 256 + byte(count - 3)) * 256 + byte(count - 2)) * 256 + byte(count - 1);
              same(buf.readUint32BE(buf.length - 4), tail, 'readUint32BE at the end');
            }
            same(buf.byteAt(0), byte(front), `byteAt(0) at ${front}`);
            same(buf.indexOf(byte(front + 1), 1, 2), buf.length > 1 ? 1 : -1, `indexOf at ${front}`);
            const out = buf.take(n);
            same(Array.from(out), Array.from({ length: n }, (_, k) => byte(front + k)), `take(${n}) at ${front}`);
            front += n;
            same(buf.length, count - front, 'length');
          }
        },
      ),
      RUNS,
    );
  });
});
