import { FrameTooLargeError } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../src/lines.js';

const te = new TextEncoder();
const td = new TextDecoder();

function split(chunks: readonly Uint8Array[], max = 1024): string[] {
  const splitter = new LineSplitter(max);
  const lines: string[] = [];
  const onLine = (line: Uint8Array): void => {
    lines.push(td.decode(line));
  };
  for (const chunk of chunks) splitter.push(chunk, onLine);
  splitter.end(onLine);
  return lines;
}

describe('LineSplitter', () => {
  it('splits on \\n and strips \\r\\n', () => {
    expect(split([te.encode('one\ntwo\r\nthree\n')])).toEqual(['one', 'two', 'three']);
  });

  it('keeps empty lines and a last line without newline', () => {
    expect(split([te.encode('\n\nlast')])).toEqual(['', '', 'last']);
  });

  it('reports no line for empty input or a trailing newline only', () => {
    expect(split([])).toEqual([]);
    expect(split([te.encode('a\n')])).toEqual(['a']);
  });

  it('finds lines across chunk boundaries, including a \\r\\n split in two', () => {
    expect(split([te.encode('ab'), te.encode('c\r'), te.encode('\nde'), te.encode('f\n')])).toEqual(['abc', 'def']);
  });

  it('gives the same lines however the input is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '\r') }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (lines, cuts) => {
          // A \r at the end of a line would be eaten as part of \r\n; keep it out of line ends.
          const clean = lines.map((line) => line.replace(/\r+$/, ''));
          const bytes = te.encode(clean.map((line) => `${line}\n`).join(''));
          const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const point of points) {
            chunks.push(bytes.subarray(at, point));
            at = point;
          }
          chunks.push(bytes.subarray(at));
          expect(split(chunks)).toEqual(clean);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('fails as soon as a line without newline passes the limit, not at the end of input', () => {
    const splitter = new LineSplitter(10);
    splitter.push(te.encode('0123456789'), () => undefined);
    expect(() => {
      splitter.push(te.encode('ab'), () => undefined);
    }).toThrow(FrameTooLargeError);
  });

  it('accepts a line of exactly the limit, with \\n or \\r\\n', () => {
    expect(split([te.encode('0123456789\n0123456789\r\n')], 10)).toEqual(['0123456789', '0123456789']);
    expect(() => split([te.encode('0123456789a\n')], 10)).toThrow(/11 bytes exceeds the maximum frame length of 10/);
  });

  it('delivers the lines before an over-long one', () => {
    const splitter = new LineSplitter(3);
    const lines: string[] = [];
    expect(() => {
      splitter.push(te.encode('ab\ncd\ntoo long\n'), (line) => lines.push(td.decode(line)));
    }).toThrow(FrameTooLargeError);
    expect(lines).toEqual(['ab', 'cd']);
  });

  it('numbers the lines, so that errors can name the one they are about', () => {
    const splitter = new LineSplitter(3);
    const numbers: number[] = [];
    const onLine = (): void => {
      numbers.push(splitter.lineNumber);
    };
    splitter.push(te.encode('ab\r\n\ncd'), onLine);
    splitter.end(onLine);
    expect(numbers).toEqual([1, 2, 3]);
    expect(() => {
      new LineSplitter(3).push(te.encode('ab\ncd\ntoo long\n'), () => undefined);
    }).toThrow('input line 3 of 8 bytes exceeds the maximum frame length of 3 bytes');
    const unfinished = new LineSplitter(3);
    expect(() => {
      unfinished.push(te.encode('ab\nlonger'), () => undefined);
    }).toThrow('input line 2 of more than 3 bytes exceeds the maximum frame length of 3 bytes');
    expect(() => {
      new LineSplitter(1).push(te.encode('a\nbc\n'), () => undefined);
    }).toThrow('input line 2 of 2 bytes exceeds the maximum frame length of 1 byte');
  });
});
