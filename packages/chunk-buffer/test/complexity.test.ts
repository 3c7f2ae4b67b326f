// The buffer's complexity, counted instead of timed: every chunk `length` it reads (any walk
// over the chunks reads them) and every element its internal lists move in bulk (`shift`,
// `splice`, `copyWithin`…). A quadratic step — re-scanning, re-copying or shifting the chunk
// list per operation — multiplies these counts by the number of chunks.
import { describe, expect, it } from 'vitest';
import { ChunkBuffer } from '../src/chunk-buffer.js';

class WorkMeter {
  ops = 0;

  /** A ChunkBuffer whose chunk and offset lists count the elements their bulk methods move. */
  buffer(): ChunkBuffer {
    const buf = new ChunkBuffer();
    const fields = buf as unknown as Record<string, unknown>;
    for (const key of ['chunks', 'starts']) {
      const list = fields[key];
      if (!Array.isArray(list)) throw new Error(`ChunkBuffer has no '${key}' list any more: update this meter`);
      fields[key] = this.countingList(list as unknown[]);
    }
    return buf;
  }

  private countingList(items: unknown[]): unknown[] {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the methods below have their own `this`
    const meter = this;
    class CountingList extends Array<unknown> {
      static override get [Symbol.species](): ArrayConstructor {
        return Array;
      }
      override shift(): unknown {
        meter.ops += this.length;
        return super.shift();
      }
      override unshift(...values: unknown[]): number {
        meter.ops += this.length + values.length;
        return super.unshift(...values);
      }
      override splice(start: number, deleteCount?: number, ...values: unknown[]): unknown[] {
        meter.ops += this.length + values.length;
        return deleteCount === undefined ? super.splice(start) : super.splice(start, deleteCount, ...values);
      }
      override copyWithin(target: number, start: number, end?: number): this {
        meter.ops += this.length;
        return super.copyWithin(target, start, end);
      }
      override slice(start?: number, end?: number): unknown[] {
        meter.ops += this.length;
        return super.slice(start, end);
      }
    }
    const list = new CountingList();
    for (const item of items) list.push(item);
    return list;
  }

  /** `count` chunks of one byte each (byte i is i & 0xff), whose `length` reads are counted. */
  oneByteChunks(count: number): Uint8Array[] {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below has its own `this`
    const meter = this;
    class CountedChunk extends Uint8Array {
      override get length(): number {
        meter.ops++;
        return super.length;
      }
    }
    // 256 distinct chunk objects, pushed in turn: the same bytes as `count` fresh ones.
    const kinds = Array.from({ length: 256 }, (_, b) => new CountedChunk([b]));
    return Array.from({ length: count }, (_, i) => kinds[i & 0xff]!);
  }
}

describe('work is linear in the bytes and chunks handled', () => {
  // Operations per byte allowed; a linear buffer needs about ten, a quadratic one thousands here.
  const PER_BYTE = 40;

  it('a million 1-byte pushes, then a million 1-byte takes', () => {
    const opsPerByte: number[] = [];
    for (const n of [125_000, 1_000_000]) {
      const meter = new WorkMeter();
      const buf = meter.buffer();
      for (const chunk of meter.oneByteChunks(n)) buf.push(chunk);
      let wrong = 0;
      for (let i = 0; i < n; i++) if (buf.take(1)[0] !== (i & 0xff)) wrong++;
      expect(wrong).toBe(0);
      expect(buf.length).toBe(0);
      opsPerByte.push(meter.ops / n);
    }
    expect(opsPerByte[1]).toBeLessThanOrEqual(PER_BYTE);
    // The same work per byte at 8 × the size.
    expect(opsPerByte[1]! / opsPerByte[0]!).toBeLessThan(1.1);
  });

  it('one 8 MiB frame that arrived as 1-byte chunks, taken at once', () => {
    const n = 8 * 1024 * 1024;
    const meter = new WorkMeter();
    const buf = meter.buffer();
    for (const chunk of meter.oneByteChunks(n)) buf.push(chunk);
    buf.push(Uint8Array.of(7));
    const frame = buf.take(n);
    expect(frame.length).toBe(n);
    let wrong = 0;
    for (let i = 0; i < n; i += 4093) if (frame[i] !== (i & 0xff)) wrong++;
    expect(wrong).toBe(0);
    expect(Array.from(buf.take(1))).toEqual([7]);
    expect(meter.ops / n).toBeLessThanOrEqual(PER_BYTE);
    // About 4 s alone; 26 s was seen with builds and other suites running beside it (16 M list
    // entries to collect): counted work, so time only needs a generous bound.
  }, 120_000);
});
