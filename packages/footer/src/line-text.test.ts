import { Deframer, FrameTooLargeError, TruncatedFrameError, type FramingError } from '@framewire/chunk-buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineTextDecoder, type LineTextOptions } from './line-text.js';
import { line } from './line.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Cuts `data` at the given offsets. */
function cut(data: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const at = [...new Set(offsets.map((o) => o % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const o of [...at, data.length]) {
    chunks.push(data.subarray(from, o));
    from = o;
  }
  return chunks;
}

type Outcome = { lines: string[]; error: unknown; recovered: string[] };

function viaLineText(chunks: readonly Uint8Array[], options: LineTextOptions = {}): Outcome {
  const lines: string[] = [];
  const recovered: string[] = [];
  const decoder = new LineTextDecoder({
    ...options,
    ...(options.onTooLong === 'discard' ? { onRecoverableError: (e: FramingError) => recovered.push(e.code) } : {}),
  });
  const onLine = (text: string): void => {
    lines.push(text);
  };
  try {
    for (const chunk of chunks) decoder.push(chunk, onLine);
    decoder.end(onLine);
    return { lines, error: undefined, recovered };
  } catch (error) {
    return { lines, error, recovered };
  }
}

/** The same stream through `line()` and one `TextDecoder` call per frame: what LineTextDecoder must equal. */
function viaFrames(chunks: readonly Uint8Array[], options: LineTextOptions = {}): Outcome {
  const lines: string[] = [];
  const recovered: string[] = [];
  const text = new TextDecoder('utf-8', { ignoreBOM: true });
  const deframer = new Deframer(line(options), options.onTooLong === 'discard' ? { onRecoverableError: (e) => recovered.push(e.code) } : {});
  const onFrame = (frame: Uint8Array): void => {
    lines.push(text.decode(frame));
  };
  try {
    for (const chunk of chunks) deframer.push(chunk, onFrame);
    deframer.end(onFrame);
    return { lines, error: undefined, recovered };
  } catch (error) {
    return { lines, error, recovered };
  }
}

describe('LineTextDecoder', () => {
  it('splits on \\n and \\r\\n, leaving a lone \\r in the line', () => {
    const r = viaLineText([bytes('hi\nyo\r\n\n!\r\r\nsplit he'), bytes('re\r'), bytes('\nlast\n')]);
    expect(r).toEqual({ lines: ['hi', 'yo', '', '!\r', 'split here', 'last'], error: undefined, recovered: [] });
  });

  it('decodes UTF-8 split anywhere, keeps a byte-order mark, replaces malformed bytes', () => {
    const data = new Uint8Array([...bytes('\uFEFFhé\n日本\n'), 0xe2, 0x0a, ...bytes('ok\n')]);
    for (let i = 0; i <= data.length; i++) {
      expect(viaLineText([data.subarray(0, i), data.subarray(i)]).lines).toEqual(['\uFEFFhé', '日本', '\uFFFD', 'ok']);
    }
  });

  it('reports bytes after the last line ending as truncated, after every complete line', () => {
    const r = viaLineText([bytes('a\nb\npartial')]);
    expect(r.lines).toEqual(['a', 'b']);
    expect(r.error).toBeInstanceOf(TruncatedFrameError);
  });

  it('with allowUnterminatedLast, delivers them as they are', () => {
    expect(viaLineText([bytes('a\nlast\r')], { allowUnterminatedLast: true }).lines).toEqual(['a', 'last\r']);
  });

  it('fails on a line over maxFrameLength (in bytes) after the lines before it', () => {
    const r = viaLineText([bytes('ok\nééé\nnext\n')], { maxFrameLength: 5 });
    expect(r.lines).toEqual(['ok']);
    expect(r.error).toBeInstanceOf(FrameTooLargeError);
  });

  it("with onTooLong 'discard', drops the long line, reports it and goes on", () => {
    const r = viaLineText([bytes('ok\n'), bytes('x'.repeat(20)), bytes('yz\nnext\n')], { maxFrameLength: 5, onTooLong: 'discard' });
    expect(r).toEqual({ lines: ['ok', 'next'], error: undefined, recovered: ['ERR_FRAME_TOO_LARGE'] });
  });

  it('gives the same lines and errors as line() with a TextDecoder per frame, under any chunking', () => {
    const piece = fc.oneof(
      fc.constantFrom('\n', '\r\n', '\r', '\uFEFF', 'é', '日', '🚀', 'a', 'bc'),
      fc.string({ maxLength: 6 }),
      fc.uint8Array({ maxLength: 4 }).map((b) => String.fromCharCode(...b)),
    );
    const stream = fc.array(fc.oneof(piece, fc.uint8Array({ maxLength: 3 })), { maxLength: 30 }).map((parts) => {
      const out: number[] = [];
      for (const part of parts) out.push(...(typeof part === 'string' ? bytes(part) : part));
      return Uint8Array.from(out);
    });
    const options = fc.record(
      {
        maxFrameLength: fc.integer({ min: 0, max: 12 }),
        onTooLong: fc.constantFrom('fail' as const, 'discard' as const),
        allowUnterminatedLast: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), options, (data, offsets, opts) => {
        const chunks = cut(data, offsets);
        const expected = viaFrames(chunks, opts);
        const actual = viaLineText(chunks, opts);
        expect(actual.lines).toEqual(expected.lines);
        expect(actual.recovered).toEqual(expected.recovered);
        expect((actual.error as FramingError | undefined)?.code).toBe((expected.error as FramingError | undefined)?.code);
      }),
      { numRuns: 1000 },
    );
  });

  it("with 'discard' and no onRecoverableError, throws each drop and goes on, as line() does", () => {
    /** Pushes every chunk (and ends), going on after recoverable errors; records lines and error codes. */
    const drive = (push: (chunk: Uint8Array, out: (s: string) => void) => void, end: (out: (s: string) => void) => void, chunks: Uint8Array[]) => {
      const seen: string[] = [];
      const out = (s: string): void => {
        seen.push(`line:${s}`);
      };
      const attempt = (step: () => void): boolean => {
        try {
          step();
          return true;
        } catch (error) {
          seen.push(`error:${(error as FramingError).code}`);
          return (error as FramingError).recoverable;
        }
      };
      for (const chunk of chunks) if (!attempt(() => { push(chunk, out); })) return seen;
      // A recoverable error raised by end() leaves bytes to decode: end again.
      for (let i = 0; i < 3 && !attempt(() => { end(out); }); i++);
      return seen;
    };
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('\n', '\r\n', 'a', 'bcd', 'é'), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 0, max: 4 }),
        (pieces, offsets, max) => {
          const chunks = cut(bytes(pieces.join('')), offsets);
          const text = new TextDecoder('utf-8', { ignoreBOM: true });
          const deframer = new Deframer(line({ maxFrameLength: max, onTooLong: 'discard' }));
          const expected = drive(
            (chunk, out) => { deframer.push(chunk, (f) => { out(text.decode(f)); }); },
            (out) => { deframer.end((f) => { out(text.decode(f)); }); },
            chunks,
          );
          const lines = new LineTextDecoder({ maxFrameLength: max, onTooLong: 'discard' });
          const actual = drive(
            (chunk, out) => { lines.push(chunk, out); },
            (out) => { lines.end(out); },
            chunks,
          );
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses a chunk that is not bytes with a TypeError', () => {
    expect(() => { new LineTextDecoder().push('text\n' as unknown as Uint8Array, () => undefined); }).toThrow(TypeError);
  });

  it('refuses other typed arrays and DataViews, at a line start or inside a line, instead of reading them as bytes', () => {
    // A Uint16Array of "a\n" "b\n" used to come out as the line "a\u0000" and nothing else.
    const views = [Uint16Array.of(0x61, 0x0a, 0x62, 0x0a), Float64Array.of(1, 10), new DataView(bytes('a\nb\n').buffer)];
    for (const view of views) {
      for (const before of ['', 'partial']) {
        const decoder = new LineTextDecoder();
        const seen: string[] = [];
        decoder.push(bytes(before), (l) => seen.push(l));
        expect(() => { decoder.push(view as unknown as Uint8Array, (l) => seen.push(l)); }).toThrow(/chunk must be a Uint8Array/);
        expect(seen).toEqual([]);
      }
    }
  });

  it('an exception of onLine ends the stream, wherever the chunks put the line, as in a Deframer', () => {
    const data = bytes('a\nb\nc\nd\n');
    for (let cutAt = 0; cutAt <= data.length; cutAt++) {
      const chunks = [data.subarray(0, cutAt), data.subarray(cutAt)];
      const boom = new Error('boom');
      /** Pushes every chunk, and then one more line, and ends, recording lines and what each call threw. */
      const drive = (push: (chunk: Uint8Array, out: (s: string) => void) => void, end: (out: (s: string) => void) => void) => {
        const seen: unknown[] = [];
        const out = (s: string): void => {
          if (s === 'b') throw boom;
          seen.push(s);
        };
        for (const step of [...chunks.map((c) => () => { push(c, out); }), () => { push(bytes('e\n'), out); }, () => { end(out); }]) {
          try {
            step();
          } catch (error) {
            seen.push(error);
          }
        }
        return seen;
      };
      const text = new TextDecoder();
      const deframer = new Deframer(line());
      const expected = drive(
        (chunk, out) => { deframer.push(chunk, (f) => { out(text.decode(f)); }); },
        (out) => { deframer.end((f) => { out(text.decode(f)); }); },
      );
      // Lines before 'b', then 'boom' from every later call: 'c', 'd' and 'e' are never delivered.
      expect(expected.filter((x) => typeof x === 'string')).toEqual(['a']);
      const lines = new LineTextDecoder();
      expect(drive((chunk, out) => { lines.push(chunk, out); }, (out) => { lines.end(out); }), `cut at ${cutAt}`).toEqual(expected);
    }
  });

  it('validates its options, naming the option', () => {
    expect(() => new LineTextDecoder(null as unknown as LineTextOptions)).toThrow(/LineTextDecoder options must be an object \(got null\)/);
    expect(() => new LineTextDecoder({ onRecoverableError: 5 as unknown as () => void })).toThrow(/onRecoverableError must be a function \(got 5\)/);
    // Lines never include their ending: stripDelimiter false used to keep it only on lines that spanned chunks.
    expect(() => new LineTextDecoder({ stripDelimiter: false } as LineTextOptions)).toThrow(/stripDelimiter is not an option of LineTextDecoder/);
    expect(() => new LineTextDecoder({ maxFrameLength: -1 })).toThrow(/maxFrameLength/);
  });

  it('rethrows an unrecoverable error on every later call', () => {
    const decoder = new LineTextDecoder({ maxFrameLength: 2 });
    const seen: string[] = [];
    expect(() => { decoder.push(bytes('abcdef'), (l) => seen.push(l)); }).toThrow(FrameTooLargeError);
    expect(() => { decoder.push(bytes('\n'), (l) => seen.push(l)); }).toThrow(FrameTooLargeError);
    expect(seen).toEqual([]);
  });
});
