import { ChunkBuffer } from '@framewire/chunk-buffer';
import { describe, expect, it } from 'vitest';
import { CountingChunkBuffer } from '../src/index.js';

function filled(): CountingChunkBuffer {
  const buffer = new CountingChunkBuffer();
  buffer.push(Uint8Array.of(1, 2, 3));
  buffer.push(Uint8Array.of(10, 4, 5, 10));
  buffer.push(Uint8Array.of(6, 7, 8));
  return buffer;
}

describe('CountingChunkBuffer', () => {
  it('counts pushed bytes', () => {
    expect(filled().bytesPushed).toBe(10);
  });

  it('counts integer reads by their width, once (not again for the inner generic read)', () => {
    const b = filled();
    const reads: [() => unknown, number][] = [
      [() => b.byteAt(0), 1],
      [() => b.readUint8(0), 1],
      [() => b.readUint16BE(2), 2],
      [() => b.readUint16LE(2), 2],
      [() => b.readUint24BE(1), 3],
      [() => b.readUint24LE(1), 3],
      [() => b.readUint32BE(1), 4],
      [() => b.readUint32LE(1), 4],
      [() => b.readBigUint64BE(1), 8],
      [() => b.readBigUint64LE(1), 8],
      [() => b.readUint(0, 5), 5],
    ];
    for (const [read, width] of reads) {
      const before = b.bytesInspected;
      read();
      expect(b.bytesInspected - before).toBe(width);
    }
    expect(b.calls).toBe(reads.length);
  });

  it('counts a search up to and including the match, or to the end of the range', () => {
    const b = filled();
    expect(b.indexOf(10)).toBe(3);
    expect(b.bytesInspected).toBe(4);
    expect(b.indexOf(10, 4)).toBe(6);
    expect(b.bytesInspected).toBe(4 + 3);
    expect(b.indexOf(99, 2)).toBe(-1);
    expect(b.bytesInspected).toBe(7 + 8);
    expect(b.indexOf(99, 2, 5)).toBe(-1);
    expect(b.bytesInspected).toBe(15 + 3);
    expect(b.indexOf(99, 20)).toBe(-1);
    expect(b.bytesInspected).toBe(18);
  });

  it('counts a sequence search to the end of the match, and does not count its inner byte searches', () => {
    const b = filled();
    expect(b.indexOfSequence(Uint8Array.of(5, 10))).toBe(5);
    expect(b.bytesInspected).toBe(7);
    expect(b.indexOfSequence(Uint8Array.of(10, 99), 1)).toBe(-1);
    expect(b.bytesInspected).toBe(7 + 9);
    expect(b.calls).toBe(2);
  });

  it('counts startsWith, peek, copyTo and take by their length; skip is free', () => {
    const b = filled();
    b.startsWith(Uint8Array.of(1, 2));
    expect(b.bytesInspected).toBe(2);
    b.peek(1, 6);
    expect(b.bytesInspected).toBe(7);
    b.peek();
    expect(b.bytesInspected).toBe(17);
    expect(b.copyTo(new Uint8Array(10), 0, 2, 5)).toBe(3);
    expect(b.bytesInspected).toBe(20);
    b.copyTo(new Uint8Array(10));
    expect(b.bytesInspected).toBe(30);
    b.skip(3);
    expect(b.bytesInspected).toBe(30);
    expect(Array.from(b.take(4))).toEqual([10, 4, 5, 10]);
    expect(b.bytesInspected).toBe(34);
  });

  it('behaves exactly like a ChunkBuffer', () => {
    const b = filled();
    expect(b.length).toBe(10);
    expect(b.readUint32BE(2)).toBe(0x030a0405);
    expect(Array.from(b.peek(2, 5))).toEqual([3, 10, 4]);
    b.resetCounters();
    expect([b.bytesInspected, b.bytesPushed, b.calls]).toEqual([0, 0, 0]);
    expect(b.length).toBe(10);
  });

  it('counts every way of looking at bytes that ChunkBuffer offers (a new read method must be counted too)', () => {
    // Type-checked against ChunkBuffer's public members: a new one fails the typecheck until listed here.
    const reads = {
      byteAt: true,
      readUint8: true,
      readUint16BE: true,
      readUint16LE: true,
      readUint24BE: true,
      readUint24LE: true,
      readUint32BE: true,
      readUint32LE: true,
      readBigUint64BE: true,
      readBigUint64LE: true,
      readUint: true,
      indexOf: true,
      indexOfSequence: true,
      startsWith: true,
      peek: true,
      copyTo: true,
      take: true,
    } satisfies Record<Exclude<keyof ChunkBuffer, 'push' | 'clear' | 'skip' | 'length' | 'chunkCount'>, true>;
    const counted = Object.getOwnPropertyNames(CountingChunkBuffer.prototype);
    expect(Object.keys(reads).filter((name) => !counted.includes(name))).toEqual([]);
  });
});
