import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ChunkBuffer, isUint8Array } from '../src/chunk-buffer.js';

/** A buffer holding the given chunks, pushed in order. */
function bufferOf(...chunks: number[][]): ChunkBuffer {
  const buf = new ChunkBuffer();
  for (const chunk of chunks) buf.push(Uint8Array.from(chunk));
  return buf;
}

/** `data` split into 1-byte chunks. */
function oneByteChunks(data: number[]): ChunkBuffer {
  return bufferOf(...data.map((b) => [b]));
}

/** Every way of cutting `data` into chunks at a subset of the cut points 1..n-1 (n ≤ 8 here). */
function allChunkings(data: number[]): { label: string; buf: () => ChunkBuffer }[] {
  const n = data.length;
  const out: { label: string; buf: () => ChunkBuffer }[] = [];
  for (let mask = 0; mask < 1 << (n - 1); mask++) {
    const chunks: number[][] = [];
    let current: number[] = [];
    for (let i = 0; i < n; i++) {
      current.push(data[i]!);
      if (i < n - 1 && mask & (1 << i)) {
        chunks.push(current);
        current = [];
      }
    }
    chunks.push(current);
    out.push({ label: chunks.map((c) => c.length).join('+'), buf: () => bufferOf(...chunks) });
  }
  return out;
}

// The internal chunk list, read for the compaction tests only.
function slots(buf: ChunkBuffer): number {
  return (buf as unknown as { chunks: unknown[] }).chunks.length;
}

// After any take/skip, consumed slots are fewer than 1024 or fewer than the live chunks.
function expectCompacted(buf: ChunkBuffer): void {
  const consumed = slots(buf) - buf.chunkCount;
  expect(consumed).toBeLessThan(Math.max(1024, buf.chunkCount));
}

const EIGHT = [0x01, 0x82, 0x03, 0x84, 0x05, 0x86, 0x07, 0x88];
const VIEW = new DataView(Uint8Array.from(EIGHT).buffer);

describe('push / length / chunkCount', () => {
  it('starts empty', () => {
    const buf = new ChunkBuffer();
    expect(buf.length).toBe(0);
    expect(buf.chunkCount).toBe(0);
  });

  it('counts bytes and chunks, ignoring empty chunks', () => {
    const buf = bufferOf([], [1, 2], [], [3], []);
    expect(buf.length).toBe(3);
    expect(buf.chunkCount).toBe(2);
    expect(Array.from(buf.peek())).toEqual([1, 2, 3]);
  });

  it('keeps a reference to the chunk instead of copying it', () => {
    const chunk = Uint8Array.of(1, 2, 3);
    const buf = new ChunkBuffer();
    buf.push(chunk);
    chunk[1] = 42;
    expect(buf.byteAt(1)).toBe(42);
  });

  it('accepts Node Buffers and Uint8Arrays from another realm', () => {
    const buf = new ChunkBuffer();
    buf.push(Buffer.from([1, 2]));
    buf.push(runInNewContext('new Uint8Array([3, 4])') as Uint8Array);
    expect(Array.from(buf.take(4))).toEqual([1, 2, 3, 4]);
  });

  it('rejects a string chunk (a socket with setEncoding) with a TypeError naming what it got', () => {
    const buf = new ChunkBuffer();
    expect(() => {
      buf.push('hello' as unknown as Uint8Array);
    }).toThrow(new TypeError('chunk must be a Uint8Array (got string)'));
    expect(() => {
      buf.push(new Uint16Array(2) as unknown as Uint8Array);
    }).toThrow(new TypeError('chunk must be a Uint8Array (got Uint16Array)'));
    expect(() => {
      buf.push(null as unknown as Uint8Array);
    }).toThrow(new TypeError('chunk must be a Uint8Array (got null)'));
    expect(buf.length).toBe(0);
  });
});

describe('byteAt / readUint8', () => {
  it('reads every byte of 1-byte chunks, up to the very last offset', () => {
    const buf = oneByteChunks(EIGHT);
    for (let i = 0; i < EIGHT.length; i++) {
      expect(buf.byteAt(i)).toBe(EIGHT[i]);
      expect(buf.readUint8(i)).toBe(EIGHT[i]);
    }
  });

  it('reads in any order (backwards, jumping) across many chunks', () => {
    const data = Array.from({ length: 300 }, (_, i) => i & 0xff);
    const buf = bufferOf(...Array.from({ length: 100 }, (_, k) => data.slice(3 * k, 3 * k + 3)));
    for (let i = 299; i >= 0; i--) expect(buf.byteAt(i)).toBe(data[i]);
    for (const i of [0, 299, 150, 1, 298, 77, 78, 76]) expect(buf.byteAt(i)).toBe(data[i]);
  });

  it('throws a RangeError with the numbers for an offset at the end, negative or not an integer', () => {
    const buf = bufferOf([1, 2], [3]);
    expect(() => buf.byteAt(3)).toThrow(new RangeError('bytes 3..4 are out of range (buffer holds 3 bytes)'));
    expect(() => buf.byteAt(-1)).toThrow(RangeError);
    expect(() => buf.byteAt(0.5)).toThrow(RangeError);
    expect(() => buf.byteAt(Number.NaN)).toThrow(RangeError);
    expect(() => new ChunkBuffer().readUint8(0)).toThrow(RangeError);
  });
});

describe('offsets and lengths that are not integers', () => {
  it('are refused with a RangeError that says so, not that the bytes are out of range', () => {
    const buf = bufferOf([1, 2], [3, 4]);
    const notWhole = (range: string) => new RangeError(`bytes ${range} are not whole bytes: offsets and lengths must be integers`);
    expect(() => buf.byteAt(0.5)).toThrow(notWhole('0.5..1.5'));
    expect(() => buf.readUint32BE(Number.NaN)).toThrow(notWhole('NaN..NaN'));
    expect(() => buf.readUint(1.5, 2)).toThrow(notWhole('1.5..3.5'));
    expect(() => buf.peek(0.5, 2)).toThrow(notWhole('0.5..2'));
    // Not "end before start": the offsets are not whole to begin with.
    expect(() => buf.peek(1.5, 1)).toThrow(notWhole('1.5..1'));
    expect(() => buf.peek(2, 0.5)).toThrow(notWhole('2..0.5'));
    expect(() => buf.take(1.5)).toThrow(notWhole('0..1.5'));
    expect(() => {
      buf.skip(2.5);
    }).toThrow(notWhole('0..2.5'));
    expect(buf.length).toBe(4);
    // Out of range stays out of range.
    expect(() => buf.take(5)).toThrow(new RangeError('bytes 0..5 are out of range (buffer holds 4 bytes)'));
  });

  it('peek refuses an end that is not a number, which `end - start` read as one (fuzz)', () => {
    const buf = bufferOf([1, 2], [3, 4]);
    const notWhole = (range: string) => new RangeError(`bytes ${range} are not whole bytes: offsets and lengths must be integers`);
    // They were 2 bytes, an empty array and 1 byte.
    expect(() => buf.peek(0, '2' as unknown as number)).toThrow(notWhole('0.."2"'));
    expect(() => buf.peek(0, null as unknown as number)).toThrow(notWhole('0..null'));
    expect(() => buf.peek(1, true as unknown as number)).toThrow(notWhole('1..true'));
    expect(() => buf.peek(0, [2] as unknown as number)).toThrow(notWhole('0..Array'));
    expect(buf.length).toBe(4);
    expect(Array.from(buf.peek(0, undefined))).toEqual([1, 2, 3, 4]);
  });

  it('±Infinity is out of range, not a fraction, as the searches take it', () => {
    const buf = bufferOf([1, 2], [3, 4]);
    const outOfRange = (range: string) => new RangeError(`bytes ${range} are out of range (buffer holds 4 bytes)`);
    expect(() => buf.take(Infinity)).toThrow(outOfRange('0..Infinity'));
    expect(() => buf.peek(0, Infinity)).toThrow(outOfRange('0..Infinity'));
    expect(() => buf.byteAt(-Infinity)).toThrow(outOfRange('-Infinity..-Infinity'));
    expect(() => buf.readUint32BE(Infinity)).toThrow(outOfRange('Infinity..Infinity'));
    expect(buf.length).toBe(4);
  });
});

describe('readUint16 / 24 / 32, big and little endian', () => {
  const cases = [
    { name: 'readUint16BE', width: 2, expected: (o: number) => VIEW.getUint16(o, false) },
    { name: 'readUint16LE', width: 2, expected: (o: number) => VIEW.getUint16(o, true) },
    { name: 'readUint24BE', width: 3, expected: (o: number) => VIEW.getUint16(o, false) * 256 + VIEW.getUint8(o + 2) },
    { name: 'readUint24LE', width: 3, expected: (o: number) => VIEW.getUint16(o, true) + VIEW.getUint8(o + 2) * 65536 },
    { name: 'readUint32BE', width: 4, expected: (o: number) => VIEW.getUint32(o, false) },
    { name: 'readUint32LE', width: 4, expected: (o: number) => VIEW.getUint32(o, true) },
  ] as const;

  for (const { name, width, expected } of cases) {
    it(`${name} at every offset of every chunking of 8 bytes, and RangeError past the end`, () => {
      for (const { label, buf: make } of allChunkings(EIGHT)) {
        const buf = make();
        for (let offset = 0; offset + width <= EIGHT.length; offset++) {
          expect(buf[name](offset), `${label} @${offset}`).toBe(expected(offset));
        }
        expect(() => buf[name](EIGHT.length - width + 1), label).toThrow(RangeError);
        expect(() => buf[name](-1), label).toThrow(RangeError);
      }
    });
  }

  it('returns values of 2^31 and above as positive numbers', () => {
    expect(oneByteChunks([0xff, 0xff, 0xff, 0xff]).readUint32BE(0)).toBe(0xffffffff);
    expect(oneByteChunks([0x00, 0x00, 0x00, 0x80]).readUint32LE(0)).toBe(0x80000000);
    expect(oneByteChunks([0xff, 0xff, 0xff]).readUint24LE(0)).toBe(0xffffff);
  });
});

describe('readBigUint64BE / readBigUint64LE', () => {
  const sixteen = [...EIGHT, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8];
  const view = new DataView(Uint8Array.from(sixteen).buffer);

  it('reads at every offset across 1-byte chunks and across chunks of 3', () => {
    const makers = [
      () => oneByteChunks(sixteen),
      () => bufferOf(...Array.from({ length: 6 }, (_, k) => sixteen.slice(3 * k, 3 * k + 3))),
    ];
    for (const make of makers) {
      const buf = make();
      for (let offset = 0; offset + 8 <= sixteen.length; offset++) {
        expect(buf.readBigUint64BE(offset)).toBe(view.getBigUint64(offset, false));
        expect(buf.readBigUint64LE(offset)).toBe(view.getBigUint64(offset, true));
      }
    }
  });

  it('reads the largest value exactly', () => {
    const buf = oneByteChunks(Array.from({ length: 8 }, () => 0xff));
    expect(buf.readBigUint64BE(0)).toBe(0xffffffffffffffffn);
    expect(buf.readBigUint64LE(0)).toBe(0xffffffffffffffffn);
  });

  it('throws a RangeError naming the whole 8-byte range when it runs past the end', () => {
    const buf = bufferOf(EIGHT);
    const message = 'bytes 1..9 are out of range (buffer holds 8 bytes)';
    expect(() => buf.readBigUint64BE(1)).toThrow(new RangeError(message));
    expect(() => buf.readBigUint64LE(1)).toThrow(new RangeError(message));
  });
});

describe('readUint (1 to 6 bytes)', () => {
  it('reads every width at every offset across 1-byte chunks', () => {
    const buf = oneByteChunks(EIGHT);
    for (let width = 1; width <= 6; width++) {
      for (let offset = 0; offset + width <= 8; offset++) {
        const slice = EIGHT.slice(offset, offset + width);
        const be = slice.reduce((acc, b) => acc * 256 + b, 0);
        const le = slice.reduceRight((acc, b) => acc * 256 + b, 0);
        expect(buf.readUint(offset, width)).toBe(be);
        expect(buf.readUint(offset, width, false)).toBe(be);
        expect(buf.readUint(offset, width, true)).toBe(le);
      }
    }
  });

  it('reads a 6-byte value above 2^32 exactly', () => {
    expect(oneByteChunks([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).readUint(0, 6)).toBe(2 ** 48 - 1);
  });

  it('rejects widths outside 1..6 with a RangeError naming byteLength', () => {
    const buf = bufferOf(EIGHT);
    for (const width of [0, 7, 8, 1.5, Number.NaN]) {
      expect(() => buf.readUint(0, width)).toThrow(
        new RangeError(`byteLength must be an integer from 1 to 6 (got ${width})`),
      );
    }
  });
});

describe('indexOf', () => {
  // "ab|c|de|fgh|a|bc": offsets 0..10; 'a' at 0 and 8, 'c' at 2 and 10 (the last byte).
  const make = () => bufferOf([0x61, 0x62], [0x63], [0x64, 0x65], [0x66, 0x67, 0x68], [0x61], [0x62, 0x63]);

  it('finds a byte in the first chunk, a later chunk and the very last byte', () => {
    const buf = make();
    expect(buf.indexOf(0x61)).toBe(0);
    expect(buf.indexOf(0x66)).toBe(5);
    expect(buf.indexOf(0x63, 3)).toBe(10);
    expect(buf.indexOf(0x7a)).toBe(-1);
  });

  it('starts at fromOffset, including in the middle of a chunk', () => {
    const buf = make();
    expect(buf.indexOf(0x61, 1)).toBe(8);
    expect(buf.indexOf(0x67, 6)).toBe(6);
    expect(buf.indexOf(0x66, 6)).toBe(-1);
    expect(buf.indexOf(0x63, 10)).toBe(10);
  });

  it('stops before endOffset (exclusive), also in the middle of a chunk', () => {
    const buf = make();
    expect(buf.indexOf(0x61, 1, 8)).toBe(-1);
    expect(buf.indexOf(0x61, 1, 9)).toBe(8);
    expect(buf.indexOf(0x68, 0, 7)).toBe(-1);
    expect(buf.indexOf(0x67, 0, 7)).toBe(6);
    expect(buf.indexOf(0x61, 0, 0)).toBe(-1);
  });

  it('clamps a negative fromOffset to 0 and an endOffset past the end to length', () => {
    const buf = make();
    expect(buf.indexOf(0x61, -5)).toBe(0);
    expect(buf.indexOf(0x63, 3, 1000)).toBe(10);
    expect(buf.indexOf(0x63, 3, Infinity)).toBe(10);
  });

  it('returns -1 when fromOffset is at or past the end, or the buffer is empty', () => {
    const buf = make();
    expect(buf.indexOf(0x63, 11)).toBe(-1);
    expect(buf.indexOf(0x63, 12)).toBe(-1);
    expect(buf.indexOf(0x63, 100)).toBe(-1);
    expect(new ChunkBuffer().indexOf(0)).toBe(-1);
  });

  it('finds a byte in 1-byte chunks when resumed after every push', () => {
    const buf = new ChunkBuffer();
    let scanned = 0;
    for (let i = 0; i < 50; i++) {
      buf.push(Uint8Array.of(i === 49 ? 0 : 1));
      const at = buf.indexOf(0, scanned);
      if (i < 49) {
        expect(at).toBe(-1);
        scanned = buf.length;
      } else {
        expect(at).toBe(49);
      }
    }
  });

  it('rejects a byte outside 0..255 with a RangeError, whatever the chunk type', () => {
    const buf = new ChunkBuffer();
    buf.push(Buffer.from([44, 1]));
    for (const bad of [300, -1, 1.5, Number.NaN]) {
      expect(() => buf.indexOf(bad)).toThrow(new RangeError(`byte must be an integer from 0 to 255 (got ${bad})`));
    }
    expect(buf.indexOf(44)).toBe(0);
  });

  it('honours endOffset inside one large chunk (a later match is not reported)', () => {
    const big = new Uint8Array(1 << 16);
    big[60_000] = 7;
    const buf = new ChunkBuffer();
    buf.push(big);
    expect(buf.indexOf(7, 0, 60_000)).toBe(-1);
    expect(buf.indexOf(7, 0, 60_001)).toBe(60_000);
  });
});

describe('indexOfSequence', () => {
  const seq = (...b: number[]) => Uint8Array.from(b);

  it('finds a sequence straddling 3 and more chunks', () => {
    // 1 2 | 3 | 4 | 5 6: the sequence 2 3 4 5 touches four chunks.
    const buf = bufferOf([1, 2], [3], [4], [5, 6]);
    expect(buf.indexOfSequence(seq(2, 3, 4, 5))).toBe(1);
    expect(buf.indexOfSequence(seq(3, 4, 5, 6))).toBe(2);
    expect(buf.indexOfSequence(seq(1, 2, 3, 4, 5, 6))).toBe(0);
    const ones = oneByteChunks([9, 9, 1, 2, 3, 4, 5, 9]);
    expect(ones.indexOfSequence(seq(1, 2, 3, 4, 5))).toBe(2);
  });

  it('finds a sequence at the very end, and not one that is only partly there', () => {
    const buf = bufferOf([0, 13], [10, 0, 13]);
    expect(buf.indexOfSequence(seq(13, 10))).toBe(1);
    expect(buf.indexOfSequence(seq(13, 10), 2)).toBe(-1);
    buf.push(Uint8Array.of(10));
    expect(buf.indexOfSequence(seq(13, 10), 2)).toBe(4);
  });

  it('handles overlapping candidates (first byte repeats)', () => {
    const buf = oneByteChunks([1, 1, 1, 2, 1, 1, 2]);
    expect(buf.indexOfSequence(seq(1, 1, 2))).toBe(1);
    expect(buf.indexOfSequence(seq(1, 1, 2), 2)).toBe(4);
    expect(buf.indexOfSequence(seq(1, 2, 1, 1, 2))).toBe(2);
  });

  it('respects fromOffset and endOffset: the match must end at or before endOffset', () => {
    const buf = bufferOf([5, 6, 7], [5, 6], [7, 5]);
    expect(buf.indexOfSequence(seq(5, 6, 7), 1)).toBe(3);
    expect(buf.indexOfSequence(seq(5, 6, 7), 1, 6)).toBe(3);
    expect(buf.indexOfSequence(seq(5, 6, 7), 1, 5)).toBe(-1);
    expect(buf.indexOfSequence(seq(5, 6, 7), -3, 3)).toBe(0);
    expect(buf.indexOfSequence(seq(5, 6, 7), 4)).toBe(-1);
    expect(buf.indexOfSequence(seq(5, 6, 7), 0, 100)).toBe(0);
  });

  it('treats a 1-byte sequence like indexOf', () => {
    const buf = bufferOf([1, 2], [3, 2]);
    expect(buf.indexOfSequence(seq(2), 2)).toBe(3);
    expect(buf.indexOfSequence(seq(2), 2, 3)).toBe(-1);
  });

  it('returns -1 on an empty buffer or a sequence longer than the buffer', () => {
    expect(new ChunkBuffer().indexOfSequence(seq(1, 2))).toBe(-1);
    expect(bufferOf([1]).indexOfSequence(seq(1, 2))).toBe(-1);
  });

  it('rejects an empty sequence with a RangeError', () => {
    expect(() => bufferOf([1]).indexOfSequence(seq())).toThrow(new RangeError('sequence must not be empty'));
  });
});

describe('search offsets that are not whole numbers', () => {
  const seq = (...b: number[]) => Uint8Array.from(b);
  const notWhole = (name: string, value: number) => new RangeError(`${name} ${value} is not a whole byte: offsets must be integers`);

  it('are refused by indexOf, which used to report a match before a fractional fromOffset', () => {
    // Uint8Array#indexOf truncates 2.5 to 2: the match at 2 lies before fromOffset.
    const buf = bufferOf([1, 1, 1, 1, 1]);
    expect(() => buf.indexOf(1, 2.5)).toThrow(notWhole('fromOffset', 2.5));
    expect(() => buf.indexOf(1, 0, 3.5)).toThrow(notWhole('endOffset', 3.5));
    expect(() => buf.indexOf(1, -0.5)).toThrow(notWhole('fromOffset', -0.5));
  });

  it('NaN is refused by indexOf, which used to return a negative offset (a consumed byte)', () => {
    const buf = bufferOf([1, 1, 1, 1, 1]);
    buf.skip(2);
    expect(() => buf.indexOf(1, Number.NaN)).toThrow(notWhole('fromOffset', Number.NaN));
    expect(() => buf.indexOf(1, 0, Number.NaN)).toThrow(notWhole('endOffset', Number.NaN));
  });

  it('are refused by indexOfSequence as by indexOf (a NaN start used to find nothing there, and 0 in indexOf)', () => {
    const buf = bufferOf([1, 1, 1], [1, 1]);
    for (const s of [seq(1), seq(1, 1)]) {
      expect(() => buf.indexOfSequence(s, 2.5)).toThrow(notWhole('fromOffset', 2.5));
      expect(() => buf.indexOfSequence(s, Number.NaN)).toThrow(notWhole('fromOffset', Number.NaN));
      expect(() => buf.indexOfSequence(s, 0, 4.5)).toThrow(notWhole('endOffset', 4.5));
      expect(() => buf.indexOfSequence(s, 0, Number.NaN)).toThrow(notWhole('endOffset', Number.NaN));
    }
  });

  it('±Infinity is clamped like any offset out of range, by both searches', () => {
    const buf = bufferOf([0, 7], [7, 0]);
    for (const [s, at] of [[seq(7), 1], [seq(7, 7), 1]] as const) {
      expect(buf.indexOfSequence(s, -Infinity)).toBe(at);
      expect(buf.indexOfSequence(s, 0, Infinity)).toBe(at);
      expect(buf.indexOfSequence(s, Infinity)).toBe(-1);
      expect(buf.indexOfSequence(s, 0, -Infinity)).toBe(-1);
    }
    expect(buf.indexOf(7, -Infinity, Infinity)).toBe(1);
    expect(buf.indexOf(7, Infinity)).toBe(-1);
  });

  it('a value that is not a number is a TypeError naming it', () => {
    const buf = bufferOf([1, 2]);
    const untyped = buf as unknown as { indexOf(byte: number, from: unknown, end?: unknown): number };
    expect(() => untyped.indexOf(2, '1')).toThrow(new TypeError('fromOffset must be a number (got string)'));
    expect(() => untyped.indexOf(2, 0, null)).toThrow(new TypeError('endOffset must be a number (got null)'));
  });
});

describe('startsWith', () => {
  const buf = bufferOf([1], [2, 3], [4]);
  it('compares at any offset across chunks', () => {
    expect(buf.startsWith(Uint8Array.of(1, 2, 3, 4))).toBe(true);
    expect(buf.startsWith(Uint8Array.of(2, 3, 4), 1)).toBe(true);
    expect(buf.startsWith(Uint8Array.of(3, 4), 2)).toBe(true);
    expect(buf.startsWith(Uint8Array.of(3, 5), 2)).toBe(false);
  });
  it('is false when the bytes run past the end or the offset is negative or fractional', () => {
    expect(buf.startsWith(Uint8Array.of(4, 5), 3)).toBe(false);
    expect(buf.startsWith(Uint8Array.of(1), -1)).toBe(false);
    expect(buf.startsWith(Uint8Array.of(2), 0.5)).toBe(false);
  });
  it('is true for an empty sequence at any offset up to length', () => {
    expect(buf.startsWith(new Uint8Array(0), 4)).toBe(true);
    expect(buf.startsWith(new Uint8Array(0), 5)).toBe(false);
  });
});

describe('peek', () => {
  it('returns a view (same ArrayBuffer) when the range lies in one chunk, without consuming', () => {
    const chunk = Uint8Array.of(1, 2, 3, 4);
    const buf = new ChunkBuffer();
    buf.push(Uint8Array.of(0));
    buf.push(chunk);
    const view = buf.peek(2, 4);
    expect(Array.from(view)).toEqual([2, 3]);
    expect(view.buffer).toBe(chunk.buffer);
    expect(view.byteOffset).toBe(chunk.byteOffset + 1);
    expect(buf.length).toBe(5);
  });

  it('returns a copy when the range spans chunks', () => {
    const a = Uint8Array.of(1, 2);
    const b = Uint8Array.of(3, 4);
    const buf = new ChunkBuffer();
    buf.push(a);
    buf.push(b);
    const copy = buf.peek(1, 3);
    expect(Array.from(copy)).toEqual([2, 3]);
    expect(copy.buffer).not.toBe(a.buffer);
    expect(copy.buffer).not.toBe(b.buffer);
    copy[0] = 99;
    expect(buf.byteAt(1)).toBe(2);
  });

  it('defaults to the whole buffer and returns an empty array for an empty range', () => {
    const buf = bufferOf([1], [2], [3]);
    expect(Array.from(buf.peek())).toEqual([1, 2, 3]);
    expect(Array.from(buf.peek(1))).toEqual([2, 3]);
    expect(buf.peek(3, 3).length).toBe(0);
    expect(new ChunkBuffer().peek().length).toBe(0);
  });

  it('throws a RangeError for end before start or a range past the end', () => {
    const buf = bufferOf([1, 2, 3]);
    expect(() => buf.peek(2, 1)).toThrow(new RangeError('end (1) must not be before start (2)'));
    expect(() => buf.peek(1, 4)).toThrow(new RangeError('bytes 1..4 are out of range (buffer holds 3 bytes)'));
    expect(() => buf.peek(-1, 2)).toThrow(RangeError);
    // Out of range is out of range, empty or not, and says so.
    expect(() => buf.peek(4)).toThrow(new RangeError('bytes 4..3 are out of range (buffer holds 3 bytes)'));
    expect(() => buf.peek(5, 5)).toThrow(new RangeError('bytes 5..5 are out of range (buffer holds 3 bytes)'));
    expect(() => buf.peek(-3, -3)).toThrow(RangeError);
    expect(() => buf.peek(0.5, 0.5)).toThrow(RangeError);
  });
});

describe('copyTo', () => {
  it('copies a range that spans chunks into the target from targetStart, without consuming', () => {
    // Parts of 1 to 100 bytes: copied byte by byte and with `set`.
    const data = Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    const buf = new ChunkBuffer();
    for (let at = 0, size = 1; at < data.length; at += size, size = size * 3 + 1) buf.push(Uint8Array.from(data.slice(at, at + size)));
    buf.skip(5);
    const target = new Uint8Array(260).fill(0xee);
    expect(buf.copyTo(target, 3, 10, 260)).toBe(250);
    expect(Array.from(target.subarray(3, 253))).toEqual(data.slice(15, 265));
    expect(Array.from(target.subarray(0, 3))).toEqual([0xee, 0xee, 0xee]);
    expect(Array.from(target.subarray(253))).toEqual(Array(7).fill(0xee));
    expect(buf.length).toBe(295);
    expect(buf.byteAt(0)).toBe(data[5]);
  });

  it('defaults to the whole buffer at the start of the target, and copies nothing for an empty range', () => {
    const buf = bufferOf([1, 2], [3]);
    const target = new Uint8Array(4);
    expect(buf.copyTo(target)).toBe(3);
    expect(Array.from(target)).toEqual([1, 2, 3, 0]);
    expect(buf.copyTo(target, 4, 3, 3)).toBe(0);
    expect(new ChunkBuffer().copyTo(new Uint8Array(0))).toBe(0);
  });

  it('writes into a Node Buffer target', () => {
    const buf = bufferOf([104, 105], [33]);
    const target = Buffer.alloc(3);
    buf.copyTo(target);
    expect(target.toString('latin1')).toBe('hi!');
  });

  it('throws for a range not in the buffer, a target without room, or a target that is not bytes', () => {
    const buf = bufferOf([1, 2], [3]);
    const target = new Uint8Array(3);
    expect(() => buf.copyTo(target, 0, 2, 1)).toThrow(new RangeError('end (1) must not be before start (2)'));
    expect(() => buf.copyTo(target, 0, 1, 4)).toThrow(new RangeError('bytes 1..4 are out of range (buffer holds 3 bytes)'));
    expect(() => buf.copyTo(target, 0, 0.5, 2)).toThrow(RangeError);
    expect(() => buf.copyTo(target, 1)).toThrow(new RangeError('target of 3 bytes has no room for 3 bytes from targetStart 1'));
    expect(() => buf.copyTo(target, -1, 0, 1)).toThrow(new RangeError('target of 3 bytes has no room for 1 byte from targetStart -1'));
    expect(() => buf.copyTo(target, 0.5, 0, 1)).toThrow(RangeError);
    expect(() => buf.copyTo([0, 0, 0] as unknown as Uint8Array)).toThrow(new TypeError('target must be a Uint8Array (got Array)'));
    expect(Array.from(target)).toEqual([0, 0, 0]);
  });
});

describe('take', () => {
  it('returns a view sharing the chunk ArrayBuffer when the bytes lie in one chunk', () => {
    const chunk = Uint8Array.of(10, 11, 12, 13);
    const buf = new ChunkBuffer();
    buf.push(chunk);
    buf.push(Uint8Array.of(14));
    const first = buf.take(2);
    const second = buf.take(2);
    expect(first.buffer).toBe(chunk.buffer);
    expect(second.buffer).toBe(chunk.buffer);
    expect([first.byteOffset, second.byteOffset]).toEqual([0, 2]);
    expect(Array.from(second)).toEqual([12, 13]);
    expect(buf.length).toBe(1);
  });

  it('returns a view of a Node Buffer slice at the right byteOffset', () => {
    const pool = Buffer.from([0, 0, 7, 8, 9, 0]);
    const buf = new ChunkBuffer();
    buf.push(pool.subarray(2, 5));
    const frame = buf.take(3);
    expect(frame.buffer).toBe(pool.buffer);
    expect(frame.byteOffset).toBe(pool.byteOffset + 2);
    expect(Array.from(frame)).toEqual([7, 8, 9]);
  });

  it('returns one fresh copy when the bytes span chunks (3 and more)', () => {
    const chunks = [Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4, 5, 6)];
    const buf = new ChunkBuffer();
    for (const c of chunks) buf.push(c);
    const out = buf.take(5);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5]);
    for (const c of chunks) expect(out.buffer).not.toBe(c.buffer);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(5);
    expect(Array.from(buf.take(1))).toEqual([6]);
    expect(buf.length).toBe(0);
  });

  it('copies large and small parts alike when spanning chunks (part of one, whole, part of another)', () => {
    const data = Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff);
    const buf = bufferOf(data.slice(0, 100), data.slice(100, 101), data.slice(101, 200), data.slice(200, 300));
    buf.skip(50);
    expect(Array.from(buf.peek(0, 200))).toEqual(data.slice(50, 250));
    expect(Array.from(buf.take(200))).toEqual(data.slice(50, 250));
    expect(Array.from(buf.take(50))).toEqual(data.slice(250));
  });

  it('takes exactly up to a chunk end, then continues in the next chunk', () => {
    const buf = bufferOf([1, 2, 3], [4, 5]);
    expect(Array.from(buf.take(3))).toEqual([1, 2, 3]);
    expect(buf.chunkCount).toBe(1);
    expect(buf.byteAt(0)).toBe(4);
    expect(Array.from(buf.take(2))).toEqual([4, 5]);
  });

  it('takes one frame that arrived as 1-byte chunks', () => {
    const data = Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const buf = oneByteChunks(data);
    expect(Array.from(buf.take(1000))).toEqual(data);
    expect(buf.chunkCount).toBe(0);
  });

  it('take(0) returns an empty array and consumes nothing, also on an empty buffer', () => {
    const buf = bufferOf([1]);
    expect(buf.take(0).length).toBe(0);
    expect(buf.length).toBe(1);
    expect(new ChunkBuffer().take(0).length).toBe(0);
  });

  it('throws a RangeError and changes nothing when asked for more than it holds', () => {
    const buf = bufferOf([1], [2]);
    expect(() => buf.take(3)).toThrow(new RangeError('bytes 0..3 are out of range (buffer holds 2 bytes)'));
    expect(() => buf.take(-1)).toThrow(RangeError);
    expect(() => buf.take(1.5)).toThrow(RangeError);
    expect(buf.length).toBe(2);
    expect(Array.from(buf.take(2))).toEqual([1, 2]);
  });

  it('keeps working after draining to empty', () => {
    const buf = bufferOf([1, 2]);
    buf.take(2);
    expect(buf.length).toBe(0);
    expect(() => buf.byteAt(0)).toThrow(RangeError);
    buf.push(Uint8Array.of(3));
    buf.push(Uint8Array.of(4));
    expect(buf.readUint16BE(0)).toBe(0x0304);
    expect(Array.from(buf.take(2))).toEqual([3, 4]);
  });
});

describe('take, borrowed', () => {
  function borrowedOf(...chunks: number[][]): ChunkBuffer {
    const buf = new ChunkBuffer({ borrowed: true });
    for (const c of chunks) buf.push(Uint8Array.from(c));
    return buf;
  }

  it('copies spanning takes into one reused array, which the next spanning take overwrites', () => {
    const buf = borrowedOf([1, 2], [3, 4], [5, 6], [7, 8, 9]);
    const first = buf.take(3);
    expect(Array.from(first)).toEqual([1, 2, 3]);
    const second = buf.take(3);
    expect(Array.from(second)).toEqual([4, 5, 6]);
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(0);
    // The first result was lent: it now shows the second take's bytes.
    expect(Array.from(first)).toEqual([4, 5, 6]);
  });

  it('still returns views for takes inside one chunk, which stay valid', () => {
    const chunk = Uint8Array.of(1, 2, 3, 4);
    const buf = new ChunkBuffer({ borrowed: true });
    buf.push(chunk);
    buf.push(Uint8Array.of(5, 6));
    const inside = buf.take(2);
    expect(inside.buffer).toBe(chunk.buffer);
    const spanning = buf.take(3);
    expect(Array.from(spanning)).toEqual([3, 4, 5]);
    expect(spanning.buffer).not.toBe(chunk.buffer);
    expect(Array.from(inside)).toEqual([1, 2]);
  });

  it('grows the reused array for a longer take and keeps it for shorter ones', () => {
    const data = Array.from({ length: 320 }, (_, i) => (i * 13) & 0xff);
    const buf = borrowedOf(data.slice(0, 2), data.slice(2, 4), data.slice(4, 200), data.slice(200, 300), data.slice(300));
    const small = buf.take(3);
    expect(Array.from(small)).toEqual(data.slice(0, 3));
    const large = buf.take(250);
    expect(Array.from(large)).toEqual(data.slice(3, 253));
    expect(large.buffer.byteLength).toBe(250);
    const again = buf.take(60);
    expect(Array.from(again)).toEqual(data.slice(253, 313));
    expect(again.buffer).toBe(large.buffer);
    expect(again.length).toBe(60);
  });

  it('leaves peek copies owned', () => {
    const buf = borrowedOf([1, 2], [3, 4]);
    const peeked = buf.peek(1, 3);
    expect(Array.from(buf.take(3))).toEqual([1, 2, 3]);
    expect(Array.from(peeked)).toEqual([2, 3]);
    expect(peeked.buffer).not.toBe(buf.take(1).buffer);
  });

  it('is off by default: every spanning take is a new array', () => {
    const buf = bufferOf([1, 2], [3, 4], [5, 6]);
    const first = buf.take(3);
    const second = buf.take(3);
    expect(second.buffer).not.toBe(first.buffer);
    expect(Array.from(first)).toEqual([1, 2, 3]);
  });
});

describe('skip', () => {
  it('drops bytes across chunks; offsets then count from the new front', () => {
    const buf = bufferOf([1, 2], [3], [4, 5, 6]);
    buf.skip(4);
    expect(buf.length).toBe(2);
    expect(buf.chunkCount).toBe(1);
    expect(buf.byteAt(0)).toBe(5);
    expect(buf.indexOf(6)).toBe(1);
  });

  it('skip(0) does nothing; too many bytes is a RangeError that changes nothing', () => {
    const buf = bufferOf([1, 2]);
    buf.skip(0);
    expect(buf.length).toBe(2);
    expect(() => {
      buf.skip(3);
    }).toThrow(new RangeError('bytes 0..3 are out of range (buffer holds 2 bytes)'));
    expect(buf.length).toBe(2);
    buf.skip(2);
    expect(buf.length).toBe(0);
  });
});

describe('clear', () => {
  it('drops every byte; reads then throw and later pushes start afresh', () => {
    const buf = bufferOf([1, 2], [3]);
    buf.skip(1);
    buf.clear();
    expect(buf.length).toBe(0);
    expect(buf.chunkCount).toBe(0);
    expect(() => buf.byteAt(0)).toThrow(RangeError);
    expect(buf.indexOf(3)).toBe(-1);
    buf.push(Uint8Array.of(9, 8));
    expect(buf.byteAt(0)).toBe(9);
    expect(buf.indexOf(8)).toBe(1);
    expect(Array.from(buf.take(2))).toEqual([9, 8]);
  });
});

describe('compaction of consumed chunk slots', () => {
  it('compacts after more than 1024 consumed chunks and still reads correctly', () => {
    const n = 5000;
    const buf = new ChunkBuffer();
    for (let i = 0; i < n; i++) buf.push(Uint8Array.of(i & 0xff, (i >> 8) & 0xff));
    expect(slots(buf)).toBe(n);
    let minSlots = Infinity;
    for (let i = 0; i < n - 1; i++) {
      // Read across the boundary to the next chunk before consuming this one.
      expect(buf.readUint24LE(1)).toBe(((i >> 8) & 0xff) + ((i + 1) & 0xff) * 256 + (((i + 1) >> 8) & 0xff) * 65536);
      expect(buf.indexOf((n - 1) & 0xff, 2 * (n - 2 - i))).toBe(2 * (n - 1 - i));
      buf.skip(1);
      expect(buf.take(1)[0]).toBe((i >> 8) & 0xff);
      expectCompacted(buf);
      minSlots = Math.min(minSlots, slots(buf));
    }
    expect(minSlots).toBeLessThan(1024);
    expect(buf.length).toBe(2);
    expect(buf.readUint16LE(0)).toBe(n - 1);
  });

  it('keeps memory proportional to the unconsumed chunks while streaming', () => {
    const buf = new ChunkBuffer();
    let maxSlots = 0;
    for (let i = 0; i < 20_000; i++) {
      buf.push(Uint8Array.of(i & 0xff));
      if (i >= 10) {
        expect(buf.take(1)[0]).toBe((i - 10) & 0xff);
        expectCompacted(buf);
      }
      maxSlots = Math.max(maxSlots, slots(buf));
    }
    expect(buf.length).toBe(10);
    expect(maxSlots).toBeLessThanOrEqual(1024 + 11);
  });

  it('does not compact while fewer than 1024 chunks were consumed', () => {
    const buf = new ChunkBuffer();
    for (let i = 0; i < 1100; i++) buf.push(Uint8Array.of(1));
    buf.skip(1023);
    expect(slots(buf)).toBe(1100);
    buf.skip(1);
    expect(slots(buf)).toBe(1100 - 1024);
    expect(buf.chunkCount).toBe(1100 - 1024);
  });
});

describe('isUint8Array', () => {
  it('is true for any Uint8Array, a Buffer and one from another realm included, and false for the rest', () => {
    const foreign = runInNewContext('new Uint8Array([1])') as unknown;
    expect(foreign instanceof Uint8Array).toBe(false);
    for (const yes of [new Uint8Array(2), Buffer.from('x'), foreign, new Uint8Array(4).subarray(1)]) expect(isUint8Array(yes)).toBe(true);
    const no: unknown[] = [new Uint16Array(1), new Uint8ClampedArray(1), new DataView(new ArrayBuffer(1)), new ArrayBuffer(1), [1], 'x', null, undefined];
    no.push(runInNewContext('new Int8Array(1)'));
    for (const value of no) expect(isUint8Array(value)).toBe(false);
  });
});
